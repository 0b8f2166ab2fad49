package org.foobarstack.launcher.walk;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.foobarstack.launcher.StackConfig;
import org.foobarstack.walk.Walk;
import org.foobarstack.walk.WalkRequest;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code walk URL}: follow one request through the stack hop by hop. Only parses the command line; the
 * walk itself is {@link Walk} in the walk module.
 */
@Command(name = "walk", mixinStandardHelpOptions = true,
        description = {
            "Walk one request through the stack and print every hop: the DNS query and answer (dig style),"
                    + " the TCP connection, TLS for https, the HTTP request and response (curl -v style),"
                    + " then the hops the stack recorded (FastCGI records, SQL statements), fetched from its admin"
                    + " server.",
            "Exit code 0 when a response arrived, otherwise curl's code (6 resolve, 7 connect, 28 timeout, 35 TLS);"
                    + " 2 for a bad command line, or --packets without root or tcpdump."})
public final class WalkCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "URL", description = "http:// or https:// URL, e.g. http://www.foobar.com:8080/")
    String url;

    @Option(names = {"-X", "--request"}, paramLabel = "METHOD",
            description = "HTTP method (default: GET, or POST with -d).")
    String method;

    @Option(names = {"-d", "--data"}, paramLabel = "DATA", description = "Request body, sent as with curl -d.")
    String data;

    @Option(names = {"-H", "--header"}, paramLabel = "'Name: value'",
            description = "Extra header, repeatable; 'Name:' removes a default header.")
    List<String> headers = new ArrayList<>();

    @Option(names = "--dns", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:5300",
            description = "DNS server to resolve the host with (default: ${DEFAULT-VALUE}).")
    String dns;

    /** Where a stack started with its defaults serves its admin API: what walk asks when not told otherwise. */
    static final String DEFAULT_TRACE_API = "http://127.0.0.1:" + StackConfig.DEFAULT_ADMIN_PORT;

    @Option(names = "--trace-api", paramLabel = "URL",
            description = "Admin server base URL to fetch the server-side hops from (default: the stack's, "
                    + DEFAULT_TRACE_API + "; one line says so when nothing answers there).")
    String traceApi;

    @Option(names = "--cacert", paramLabel = "FILE", description = "PEM file of the CA to trust for https.")
    Path caCert;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "5",
            description = "Timeout of each step in seconds (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Option(names = "--json", description = "Print the journey as JSON.")
    boolean json;

    @Option(names = "--packets",
            description = "Capture the walk's own packets on the loopback interface with tcpdump and show, under"
                    + " each client hop, every packet's headers with byte offsets: Ethernet, IPv4/IPv6, TCP (flags,"
                    + " sequence and acknowledgment numbers, window) or UDP, TLS records. Needs root and tcpdump;"
                    + " exit code 2 when either is missing.")
    boolean packets;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "With --packets: the stack's admin token, which its admin server asks for before it takes"
                    + " the packets for the dashboard (default: data/admin.token, where bin/foobar-stack run keeps"
                    + " it).")
    Path tokenFile;

    /** Exit code for a command line that names no valid request (a bad URL, header or traceparent). */
    static final int USAGE = 2;

    @Override
    public Integer call() {
        WalkRequest request;
        try {
            request = request();
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("walk: " + e.getMessage());
            spec.commandLine().getErr().flush();
            return USAGE;
        }
        return Walk.run(request, json, spec.commandLine().getOut(), spec.commandLine().getErr());
    }

    /** The request the options describe; throws {@link IllegalArgumentException} naming what is wrong. */
    WalkRequest request() {
        WalkRequest.Builder builder = WalkRequest.builder(url)
                .method(method)
                .data(data)
                .dns(dns)
                .caCert(caCert)
                .timeout(Duration.ofSeconds(timeoutSeconds))
                .packets(packets)
                .tokenFile(tokenFile);
        if (traceApi != null) {
            builder.traceApi(traceApi);
        } else {
            builder.defaultTraceApi(DEFAULT_TRACE_API);
        }
        headers.forEach(builder::header);
        return builder.build();
    }
}
