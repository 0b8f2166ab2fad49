package org.foobarstack.launcher;

import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code deploy --version v2 --strategy rolling}: a new version of the application on the running stack. */
@Command(name = "deploy", mixinStandardHelpOptions = true,
        description = {"Deploy a version of the application to the running stack, step by step.",
                "all-at-once: stop every web and app server, start them with the new version (downtime).",
                "rolling: one server at a time behind the balancer: drain, stop gracefully, start, check, ready.",
                "blue-green: start a second set of servers with the new version, then switch the balancer at once."})
final class DeployCommand extends OperationCommand {

    @Option(names = "--version", required = true, description = "The version to run: v1 or v2.")
    String version;

    @Option(names = "--strategy", defaultValue = "rolling",
            description = "all-at-once, rolling or blue-green (default: ${DEFAULT-VALUE}).")
    String strategy;

    @Override
    String request(PrintWriter err) {
        return "/api/deploy?version=" + encode(version) + "&strategy=" + encode(strategy);
    }

    static String encode(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
    }
}
