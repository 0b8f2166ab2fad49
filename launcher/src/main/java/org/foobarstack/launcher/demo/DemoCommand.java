package org.foobarstack.launcher.demo;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code demo}: the seeds' weaknesses, live and measured. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Demonstrations that start designs on addresses of their own, load them, break them and "
                + "measure what users see.",
        subcommands = {DemoCommand.Spof.class, DemoCommand.Deploy.class, DemoCommand.Scale.class})
public final class DemoCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code demo spof}: kill a server of simple, then of distributed, under the same load. */
    @Command(name = "spof", mixinStandardHelpOptions = true,
            description = {"A single point of failure, measured: the simple design loses its one server in the "
                    + "middle of a constant load; then the distributed design loses one of its two; then, in the "
                    + "database act, distributed loses its primary database and server-2's replica is promoted.",
                    "Nothing of a running stack is touched: each design runs on 127.0.77.x / 127.0.78.x / 127.0.79.x with its "
                            + "data in a temporary directory."})
    static final class Spof implements Callable<Integer> {

        @Option(names = "--rate", defaultValue = "100", description = "Requests per second (default: ${DEFAULT-VALUE}).")
        int rate;

        @Option(names = "--duration", defaultValue = "12", description = "Seconds of load per design (default: ${DEFAULT-VALUE}).")
        int duration;

        @Option(names = "--kill-at", defaultValue = "3", description = "Second of the load at which a server is killed (default: ${DEFAULT-VALUE}).")
        double killAt;

        @Option(names = "--restart-at", defaultValue = "8", description = "Second at which it is started again (default: ${DEFAULT-VALUE}).")
        double restartAt;

        @Option(names = "--path", defaultValue = "/api/messages",
                description = "What the load asks for (default: ${DEFAULT-VALUE}: web, app and database).")
        String path;

        @Option(names = "--kill", description = "The host of the distributed design to kill (default: server-2; "
                + "server-1 also holds the primary database: see the database act for that).")
        String kill;

        @Option(names = "--only", description = "Run one part only: simple, distributed, scaled (the active balancer "
                + "of the pair killed) or database.")
        String only;

        @Option(names = "--json", description = "Print the runs as JSON.")
        boolean json;

        @Option(names = "--admin", defaultValue = "http://127.0.0.1:9090",
                description = "A running stack's admin server, whose dashboard then charts the runs "
                        + "(default: ${DEFAULT-VALUE}; nothing is sent when none answers).")
        java.net.URI admin;

        @Option(names = "--data-dir", defaultValue = "data",
                description = "That stack's data directory, where its admin.token is (default: ${DEFAULT-VALUE}).")
        java.nio.file.Path dataDir;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws InterruptedException {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (rate < 1 || duration < 2 || killAt <= 0 || restartAt <= killAt || restartAt >= duration) {
                err.println("need --rate >= 1 and 0 < --kill-at < --restart-at < --duration");
                return 2;
            }
            if (only != null && !List.of("simple", "distributed", "scaled", "database").contains(only)) {
                err.println("--only takes simple, distributed, scaled or database");
                return 2;
            }
            quietLogs(out);
            SpofDemo demo = new SpofDemo(new SpofDemo.Settings(rate, Duration.ofSeconds(duration),
                    Duration.ofMillis((long) (killAt * 1000)), Duration.ofMillis((long) (restartAt * 1000)), path,
                    16), line -> {
                        if (!json) {
                            out.println(line);
                            out.flush();
                        }
                    });
            List<SpofRun> runs = new ArrayList<>();
            try {
                if (only == null || only.equals("simple")) {
                    runs.add(demo.run("simple", null, 77));
                }
                if (only == null || only.equals("distributed")) {
                    runs.add(demo.run("distributed", kill, 78));
                }
                if (only == null || only.equals("scaled")) {
                    runs.add(demo.run("scaled", null, 80));
                }
            } catch (IllegalArgumentException e) {
                err.println(e.getMessage());
                return 2;
            }
            DatabaseActRun databaseAct = null;
            if (only == null || only.equals("database")) {
                double promoteAt = Math.min(restartAt, duration - 1);
                databaseAct = new DatabaseAct(new DatabaseAct.Settings(rate, Math.max(5, rate / 5),
                        Duration.ofSeconds(duration), Duration.ofMillis((long) (killAt * 1000)),
                        Duration.ofMillis((long) (promoteAt * 1000))), line -> {
                            if (!json) {
                                out.println(line);
                                out.flush();
                            }
                        }).run(79);
            }
            String report = SpofReport.json(runs, databaseAct);
            out.print(json ? report : SpofReport.text(runs, databaseAct));
            String charted = showOnDashboard(report, admin, dataDir);
            if (!json) {
                out.println(charted);
            }
            out.flush();
            return 0;
        }

        /**
         * Sends the runs to a running stack's admin server ({@code PUT /api/demo}, with that stack's token), whose
         * dashboard then draws them as a chart. Says in one line what happened; a stack that is not running is
         * not an error.
         */
        static String showOnDashboard(String report, java.net.URI admin, java.nio.file.Path dataDir) {
            java.nio.file.Path tokenFile = dataDir.resolve(org.foobarstack.launcher.Stack.TOKEN_FILE);
            String token;
            try {
                token = java.nio.file.Files.readString(tokenFile).trim();
            } catch (java.io.IOException e) {
                return "(no stack's token at " + tokenFile + ": run the demo while bin/foobar-stack runs to see "
                        + "these runs charted on its dashboard)";
            }
            try {
                java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
                        .connectTimeout(java.time.Duration.ofSeconds(2)).build();
                java.net.http.HttpResponse<String> response = http.send(java.net.http.HttpRequest
                        .newBuilder(admin.resolve("/api/demo"))
                        .header("Authorization", "Bearer " + token)
                        .header("Content-Type", "application/json")
                        .PUT(java.net.http.HttpRequest.BodyPublishers.ofString(report))
                        .timeout(java.time.Duration.ofSeconds(5)).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() / 100 == 2) {
                    return "The dashboard at " + admin + "/ now charts these runs (\"Last demo\").";
                }
                return "(the admin server at " + admin + " did not take the runs: " + response.statusCode() + ")";
            } catch (java.io.IOException e) {
                return "(no stack answers at " + admin + ": run the demo while bin/foobar-stack runs to see "
                        + "these runs charted on its dashboard)";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "";
            }
        }

        /**
         * The tiers log every failure they meet, and a demo makes hundreds on purpose: their lines go to a file,
         * so that the report is readable. (slf4j-simple reads this property when the first logger is made, which
         * in this command is after this point.)
         */
        private void quietLogs(PrintWriter out) {
            if (System.getProperty("org.slf4j.simpleLogger.logFile") != null) {
                return;
            }
            try {
                java.nio.file.Path log = java.nio.file.Files.createTempFile("foobar-stack-demo-", ".log");
                System.setProperty("org.slf4j.simpleLogger.logFile", log.toString());
                if (!json) {
                    out.println("(the tiers' log lines go to " + log + ")");
                }
            } catch (java.io.IOException e) {
                // the logs stay on stderr
            }
        }
    }

    /** The tiers' log lines of a demo go to a temporary file, so that its report stays readable. */
    static void logsToFile(PrintWriter out, boolean quiet) {
        if (System.getProperty("org.slf4j.simpleLogger.logFile") != null) {
            return;
        }
        try {
            java.nio.file.Path log = java.nio.file.Files.createTempFile("foobar-stack-demo-", ".log");
            System.setProperty("org.slf4j.simpleLogger.logFile", log.toString());
            if (!quiet) {
                out.println("(the tiers' log lines go to " + log + ")");
            }
        } catch (java.io.IOException e) {
            // the logs stay on stderr
        }
    }

    /** {@code demo deploy}: v2 deployed all at once on simple, then rolling on distributed, under the same load. */
    @Command(name = "deploy", mixinStandardHelpOptions = true,
            description = {"Downtime during a deploy, measured: under a constant load, v2 is deployed all at once on "
                    + "the simple design (its one server restarts), then rolling on the distributed design (one "
                    + "server at a time behind the balancer). Failed requests, seconds without an answer, and which "
                    + "version answered each second.",
                    "Each design runs on addresses of its own (127.0.81.x, 127.0.82.x) with its data in a temporary "
                            + "directory."})
    static final class Deploy implements Callable<Integer> {

        @Option(names = "--rate", defaultValue = "100", description = "Requests per second (default: ${DEFAULT-VALUE}).")
        int rate;

        @Option(names = "--duration", defaultValue = "16", description = "Seconds of load per design (default: ${DEFAULT-VALUE}).")
        int duration;

        @Option(names = "--deploy-at", defaultValue = "3", description = "Second at which the deploy starts (default: ${DEFAULT-VALUE}).")
        int deployAt;

        @Option(names = "--json", description = "Print the runs as JSON.")
        boolean json;

        @Option(names = "--admin", defaultValue = "http://127.0.0.1:9090",
                description = "A running stack's admin server, whose dashboard then charts the runs (default: ${DEFAULT-VALUE}).")
        java.net.URI admin;

        @Option(names = "--data-dir", defaultValue = "data",
                description = "That stack's data directory, where its token is (default: ${DEFAULT-VALUE}).")
        java.nio.file.Path dataDir;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws InterruptedException {
            PrintWriter out = spec.commandLine().getOut();
            logsToFile(out, json);
            DeployDemo demo = new DeployDemo(rate, Duration.ofSeconds(duration), Duration.ofSeconds(deployAt),
                    line -> {
                        if (!json) {
                            out.println(line);
                            out.flush();
                        }
                    });
            List<DeployDemo.Run> runs = new ArrayList<>();
            runs.add(demo.run("simple", "all-at-once", 81));
            runs.add(demo.run("distributed", "rolling", 82));
            String report = DeployDemo.json(runs);
            out.print(json ? report : DeployDemo.text(runs));
            String charted = Spof.showOnDashboard(report, admin, dataDir);
            if (!json) {
                out.println(charted);
            }
            out.flush();
            return 0;
        }
    }

    /** {@code demo scale}: a load past one server's capacity, then servers added up to four. */
    @Command(name = "scale", mixinStandardHelpOptions = true,
            description = {"Scaling out, measured: the offered load is stepped up past one server's (emulated) "
                    + "capacity, then servers are added one at a time up to four at the highest load.",
                    "Runs on 127.0.83.x with its data in a temporary directory. Every host shares this machine's "
                            + "cores, so each app server's capacity is emulated: 2 workers x 40 ms = 50 requests/s."})
    static final class Scale implements Callable<Integer> {

        @Option(names = "--rates", defaultValue = "25,50,100,200", split = ",",
                description = "Offered loads with one server, requests/s (default: ${DEFAULT-VALUE}); the last is kept "
                        + "while servers are added.")
        List<Integer> rates;

        @Option(names = "--servers", defaultValue = "4", description = "Scale up to this many servers (default: ${DEFAULT-VALUE}).")
        int servers;

        @Option(names = "--step", defaultValue = "5", description = "Seconds of load per step (default: ${DEFAULT-VALUE}).")
        int step;

        @Option(names = "--json", description = "Print the steps as JSON.")
        boolean json;

        @Option(names = "--admin", defaultValue = "http://127.0.0.1:9090",
                description = "A running stack's admin server, whose dashboard then charts the runs (default: ${DEFAULT-VALUE}).")
        java.net.URI admin;

        @Option(names = "--data-dir", defaultValue = "data",
                description = "That stack's data directory, where its token is (default: ${DEFAULT-VALUE}).")
        java.nio.file.Path dataDir;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws InterruptedException {
            PrintWriter out = spec.commandLine().getOut();
            logsToFile(out, json);
            List<ScaleDemo.Step> steps = new ScaleDemo(rates, servers, Duration.ofSeconds(step), line -> {
                if (!json) {
                    out.println(line);
                    out.flush();
                }
            }).run(83);
            String report = ScaleDemo.json(steps);
            out.print(json ? report : ScaleDemo.text(steps));
            String charted = Spof.showOnDashboard(report, admin, dataDir);
            if (!json) {
                out.println(charted);
            }
            out.flush();
            return 0;
        }
    }
}
