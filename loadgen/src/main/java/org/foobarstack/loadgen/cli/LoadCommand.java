package org.foobarstack.loadgen.cli;

import org.foobarstack.loadgen.LoadConfig;
import org.foobarstack.loadgen.LoadGenerator;
import org.foobarstack.loadgen.LoadReport;
import org.foobarstack.loadgen.RunningLoad;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code foobar-stack load URL --rate N --duration S}: the command line of the {@link LoadGenerator}.
 *
 * <p>What {@link #call()} does, in order:
 * <ol>
 *   <li>Checks the arguments; a mistake ends the command here with exit code 2 and a one-line message.</li>
 *   <li>Resolves the URL's host (see {@link HostResolver}: never with the machine's resolver); failing that,
 *       exit code 1 and a message naming the DNS server.</li>
 *   <li>Starts the load, and while it runs prints a progress line on stderr: rewritten in place every second
 *       on a terminal, else a new line every 5 s, so that a log file does not fill with them.</li>
 *   <li>Prints the report on stdout, as text or with {@code --json} as JSON.</li>
 *   <li>Exits 0 when every request was answered without a 5xx, else 1.</li>
 * </ol>
 * Ctrl+C cancels the run and still prints the report of what happened until then.
 *
 * <p>Output goes to the writers of the {@link CommandLine} that runs the command ({@link CommandLine#setOut},
 * {@link CommandLine#setErr}), so that a test can read it.
 */
@Command(name = "load", description = "Sends HTTP requests at a constant rate and reports what came back",
        mixinStandardHelpOptions = true,
        footer = {"", "Exit status: 0 when every request was answered without a 5xx, 1 when some request failed or"
                + " got a 5xx (or the host could not be resolved), 2 for a usage error.",
                "", "Example: load http://www.foobar.com:8080/ --rate 200 --duration 20"})
public final class LoadCommand implements Callable<Integer> {

    /** Every request was answered, none with a 5xx. */
    public static final int OK = 0;
    /** Some request failed or got a 5xx, or the host could not be resolved. */
    public static final int FAILURES = 1;
    /** The command line was wrong: nothing was sent. */
    public static final int USAGE = 2;

    /** The longest run the command accepts: an hour. */
    static final int MAX_DURATION_SECONDS = 3600;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "URL", description = "http://HOST[:PORT]/PATH, or https://... (see --cacert).")
    String url;

    @Option(names = "--rate", required = true, paramLabel = "N", description = "Requests per second.")
    int rate;

    @Option(names = "--duration", required = true, paramLabel = "SECONDS",
            description = "How long to send for, in seconds (may be a decimal), at most " + MAX_DURATION_SECONDS
                    + ".")
    double durationSeconds;

    @Option(names = {"-c", "--connections"}, paramLabel = "C", defaultValue = "16",
            description = "The most connections open at once (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--timeout", paramLabel = "MS", defaultValue = "2000",
            description = "A request not answered this many milliseconds after its intended start fails; also the"
                    + " DNS timeout (default: ${DEFAULT-VALUE}).")
    long timeoutMillis;

    @Option(names = {"-X", "--method"}, paramLabel = "METHOD",
            description = "Request method (default: GET, or POST with --data).")
    String method;

    @Option(names = {"-d", "--data"}, paramLabel = "TEXT", description = "Request body, sent with every request.")
    String data;

    @Option(names = "--content-type", paramLabel = "TYPE", defaultValue = "application/x-www-form-urlencoded",
            description = "Content-Type of --data (default: ${DEFAULT-VALUE}).")
    String contentType;

    @Option(names = {"-H", "--header"}, paramLabel = "'Name: value'",
            description = "Extra header, repeatable; one named Host, User-Agent or Accept replaces the default.")
    List<String> headers = new ArrayList<>();

    @Option(names = "--source", paramLabel = "ADDR", description = "Local address to connect from, e.g. 127.0.0.2.")
    String source;

    @Option(names = "--resolve", paramLabel = "HOST:PORT:ADDR",
            description = "Connect to ADDR for HOST on PORT, without DNS (as curl's --resolve); repeatable.")
    List<String> resolves = new ArrayList<>();

    @Option(names = "--dns", paramLabel = "ADDR:PORT", defaultValue = "127.0.0.1:5300",
            description = "DNS server that resolves the host (default: ${DEFAULT-VALUE}, the stack's own).")
    String dns;

    @Option(names = "--count-header", paramLabel = "NAME",
            description = "Count the values of this response header, in all and second by second, e.g."
                    + " X-App-Version to see which version answered during a deploy; the name's case does not"
                    + " matter.")
    String countHeader;

    @Option(names = "--cacert", paramLabel = "FILE",
            description = "For an https URL: trust the certificate authority in this PEM file (the stack's own, as "
                    + "curl --cacert), instead of the JDK's trusted authorities.")
    java.nio.file.Path cacert;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    private final LoadGenerator generator;

    public LoadCommand() {
        this(new LoadGenerator());
    }

    public LoadCommand(LoadGenerator generator) {
        this.generator = generator;
    }

    /** Runs the command on its own: {@code java -cp ... org.foobarstack.loadgen.cli.LoadCommand URL --rate ...}. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new LoadCommand()).execute(args));
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();

        TargetUrl target;
        HostResolver resolver;
        LoadConfig config;
        try {
            target = TargetUrl.parse(url);
            resolver = resolver();
            // checked in full before any DNS query; the address is a stand-in until the host is resolved
            config = config(target, new InetSocketAddress(InetAddress.getLoopbackAddress(), target.port()));
        } catch (IllegalArgumentException e) {
            err.println("load: " + e.getMessage());
            err.flush();
            return USAGE;
        }

        try {
            InetAddress address = resolver.resolve(target.host(), target.port());
            config = config.withTarget(new InetSocketAddress(address, target.port()));
        } catch (HostResolver.ResolveException e) {
            err.println("load: cannot resolve " + target.host() + ": " + e.getMessage());
            err.flush();
            return FAILURES;
        }

        err.println("load: " + config);
        err.flush();
        RunningLoad load = generator.start(config);
        // Ctrl+C cancels the run, then waits (a little) for the report of what happened so far to be printed
        CountDownLatch printed = new CountDownLatch(1);
        Thread onCtrlC = new Thread(() -> {
            load.cancel();
            try {
                printed.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "load-cancel");
        Runtime.getRuntime().addShutdownHook(onCtrlC);
        try {
            LoadReport report = awaitShowingProgress(load, err);
            out.print(json ? report.toJson() + System.lineSeparator() : report.toText());
            out.flush();
            return report.sawFailures() ? FAILURES : OK;
        } catch (InterruptedException e) {
            load.cancel();
            Thread.currentThread().interrupt();
            err.println("load: interrupted");
            err.flush();
            return FAILURES;
        } finally {
            printed.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(onCtrlC);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is stopping and the hook has run: nothing to remove
            }
        }
    }

    /** The load the options describe, aimed at {@code address}; a wrong option throws with a message. */
    private LoadConfig config(TargetUrl target, InetSocketAddress address) {
        if (!(durationSeconds > 0) || durationSeconds > MAX_DURATION_SECONDS) {
            throw new IllegalArgumentException("--duration must be more than 0 and at most " + MAX_DURATION_SECONDS
                    + " seconds, not " + durationSeconds);
        }
        if (timeoutMillis < 1) {
            throw new IllegalArgumentException("--timeout must be at least 1 ms, not " + timeoutMillis);
        }
        LoadConfig.Builder builder = LoadConfig.builder(address)
                .hostHeader(target.hostHeader())
                .path(target.pathAndQuery())
                .method(method != null ? method : data != null ? "POST" : "GET")
                .rate(rate)
                .duration(Duration.ofMillis(Math.round(durationSeconds * 1000)))
                .connections(connections)
                .timeout(Duration.ofMillis(timeoutMillis))
                .countHeader(countHeader);
        if (data != null) {
            builder.body(data.getBytes(StandardCharsets.UTF_8), contentType);
        }
        if (cacert != null && !target.https()) {
            throw new IllegalArgumentException("--cacert is for an https URL");
        }
        if (target.https()) {
            try {
                io.netty.handler.ssl.SslContextBuilder tls = io.netty.handler.ssl.SslContextBuilder.forClient();
                if (cacert != null) {
                    tls.trustManager(cacert.toFile());
                }
                builder.tls(tls.build());
            } catch (javax.net.ssl.SSLException | IllegalArgumentException e) {
                throw new IllegalArgumentException("--cacert " + cacert + ": not a PEM certificate we can trust ("
                        + e.getMessage() + ")");
            }
        }
        if (source != null) {
            builder.sourceAddress(HostResolver.literal(source, "--source"));
        }
        for (String header : headers) {
            int colon = header.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("--header wants 'Name: value', not '" + header + "'");
            }
            builder.header(header.substring(0, colon).trim(), header.substring(colon + 1).trim());
        }
        return builder.build();
    }

    private HostResolver resolver() {
        List<HostResolver.ResolveEntry> entries = new ArrayList<>();
        for (String entry : resolves) {
            entries.add(HostResolver.ResolveEntry.parse(entry));
        }
        return new HostResolver(entries, HostResolver.dnsServer(dns), Duration.ofMillis(Math.max(1, timeoutMillis)));
    }

    /**
     * Waits for the report, showing progress on {@code err}: on a terminal one line rewritten in place ("\r")
     * every second and wiped at the end; elsewhere (a pipe, a log file) a new line every 5 seconds.
     */
    private static LoadReport awaitShowingProgress(RunningLoad load, PrintWriter err) throws InterruptedException {
        boolean terminal = System.console() != null;
        Duration every = Duration.ofSeconds(terminal ? 1 : 5);
        int shown = 0;
        while (true) {
            Optional<LoadReport> report = load.await(every);
            if (report.isPresent()) {
                if (shown > 0) {
                    err.print("\r" + " ".repeat(shown) + "\r");
                    err.flush();
                }
                return report.get();
            }
            String line = "load: " + load.progress().toLine();
            if (terminal) {
                err.print("\r" + line + " ".repeat(Math.max(0, shown - line.length())));
                shown = Math.max(shown, line.length());
            } else {
                err.println(line);
            }
            err.flush();
        }
    }
}
