package org.foobarstack.monitoring;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.foobarstack.monitoring.exposition.ExpositionException;
import org.foobarstack.monitoring.exposition.ExpositionParser;
import org.foobarstack.monitoring.exposition.ExpositionWriter;
import org.foobarstack.monitoring.exposition.MetricFamily;
import org.foobarstack.monitoring.exposition.Sample;
import org.foobarstack.trace.Metrics;
import org.foobarstack.trace.RateLimitedLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The monitoring client of one host: every {@code interval} (1 s) it reads the samples of this host's tier
 * instances from the stack's {@link Metrics} registry and pushes them to the monitoring server.
 *
 * <p><b>Push or pull.</b> There are two ways to get numbers from many hosts to one place.
 * <ul>
 *   <li><b>Pull</b> (Prometheus): the monitoring server holds a list of targets and fetches each one's
 *       {@code /metrics} every scrape interval. The server decides the pace; a target that does not answer is
 *       known to be down at once ({@code up == 0}); but the server must be able to reach every host, and must be
 *       told where they are.</li>
 *   <li><b>Push</b> (this client, and collectors such as Sumo Logic's or the Graphite/StatsD family; Prometheus
 *       itself only for short-lived jobs, through its Pushgateway): each host sends its numbers to a server it
 *       knows. Hosts behind NAT or a firewall that allows only outgoing connections can still report, and a new
 *       host reports without the server being told; but the server learns of a dead host only from a silence,
 *       which is why it waits three intervals before calling a host down.</li>
 * </ul>
 * This design does both: hosts push here, and the server exposes everything for a real Prometheus to pull.
 *
 * <p><b>What is pushed.</b> One request, {@code POST /api/push}, with the header {@code X-Monitoring-Host} and a
 * body in the text exposition format 0.0.4: the samples whose {@code instance} label is one of this host's
 * instances (all the tiers of a stack share one registry, told apart by that label). The client reads the
 * registry through its exposition, parsed by the same {@link ExpositionParser} the server uses, so what it pushes is
 * exactly what a scrape of the host would have shown.
 *
 * <p><b>From where.</b> The socket is bound to the host's own address before it connects, so the push leaves
 * from 127.0.0.x of this host, as it would from a separate machine; the server's {@code /api/hosts} shows it.
 *
 * <p><b>When it fails.</b> A push that fails (server down, refused, too slow) is counted in {@link #failed()} and
 * not queued: the next interval pushes a fresh batch instead. Counters are cumulative, so the new batch carries
 * every increment the lost one did; only the in-between values of gauges are lost. Memory stays at one batch
 * however long the server is away, and a server coming back is not flooded with a backlog (agents that buffer
 * every missed batch need a bound on that buffer for just this reason).
 */
public final class MonitoringClient implements AutoCloseable {

    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);
    /** The label that says which tier instance a sample belongs to. */
    public static final String INSTANCE_LABEL = "instance";

    private static final Logger log = LoggerFactory.getLogger(MonitoringClient.class);
    /** Enough of an error answer to show why; the server's answers are one line. */
    private static final int MAX_ERROR_BYTES = 4096;

    private final String hostName;
    private final InetAddress hostAddress;
    private final Set<String> instances;
    private final Metrics metrics;
    private final InetSocketAddress server;
    private final MonitoringClock clock;
    private final Duration interval;
    private final RateLimitedLog failures = new RateLimitedLog(log);
    private final AtomicLong pushed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile String lastFailure;
    private MonitoringClock.Repeating schedule;
    private boolean closed;

    /** A client pushing every second. */
    public MonitoringClient(String hostName, InetAddress hostAddress, Set<String> instances, Metrics metrics,
                            InetSocketAddress server, MonitoringClock clock) {
        this(hostName, hostAddress, instances, metrics, server, clock, DEFAULT_INTERVAL);
    }

    /**
     * @param hostName    the host's name, sent as X-Monitoring-Host ("web-server-1")
     * @param hostAddress the host's own address: pushes leave from it
     * @param instances   the tier instances on this host ("web-1", "app-1"): their samples are pushed, no others
     * @param metrics     the registry the tiers count into
     * @param server      the monitoring server
     * @param clock       schedules the pushes
     * @param interval    between pushes; also the longest a push may take (a push still running when the next is
     *                    due has failed)
     */
    public MonitoringClient(String hostName, InetAddress hostAddress, Set<String> instances, Metrics metrics,
                            InetSocketAddress server, MonitoringClock clock, Duration interval) {
        if (!MonitoringRoutes.isValidHostName(hostName)) {
            throw new IllegalArgumentException("\"" + hostName + "\" is not a host name (a letter or digit, then "
                    + "letters, digits, '.', '-' or '_')");
        }
        this.hostName = hostName;
        this.hostAddress = Objects.requireNonNull(hostAddress, "hostAddress");
        this.instances = Set.copyOf(instances);
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.server = Objects.requireNonNull(server, "server");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (interval.isZero() || interval.isNegative()) {
            throw new IllegalArgumentException("interval must be positive, not " + interval);
        }
        this.interval = interval;
    }

    /** Starts pushing: the first push one interval from now. */
    public synchronized void start() {
        if (schedule != null || closed) {
            throw new IllegalStateException("monitoring client " + hostName + " already "
                    + (closed ? "closed" : "started"));
        }
        schedule = clock.every(interval, "monitoring-push " + hostName, this::pushNow);
        log.info("monitoring client {} ({}) pushing {} to {} every {} ms", hostName, hostAddress.getHostAddress(),
                instances, hostPort(server), interval.toMillis());
    }

    /** Stops pushing (waiting for a push in progress). Safe to call twice. */
    @Override
    public synchronized void close() {
        closed = true;
        if (schedule != null) {
            schedule.close();
        }
    }

    /** Pushes once, now; true when the server took it. The schedule calls this every interval. */
    public boolean pushNow() {
        try {
            send(batch());
            pushed.incrementAndGet();
            if (lastFailure != null) {
                log.info("monitoring client {}: pushing to {} again", hostName, hostPort(server));
                lastFailure = null;
            }
            return true;
        } catch (IOException e) {
            failed.incrementAndGet();
            lastFailure = e.getMessage();
            failures.warn("monitoring client {}: push to {} failed ({}); the next interval pushes a fresh batch",
                    hostName, hostPort(server), e.getMessage());
            return false;
        }
    }

    /**
     * The exposition this host would push now: the registry's samples of this host's instances, and the samples
     * about the host itself (its firewall's, labelled {@code host}). A sample of no instance and no host (the
     * registry's own) belongs to no host and is not pushed.
     */
    public String batch() {
        List<MetricFamily> mine = new ArrayList<>();
        for (MetricFamily family : parse(metrics.exposition())) {
            List<Sample> samples = family.samples().stream().filter(this::isMine).toList();
            if (!samples.isEmpty()) {
                mine.add(family.withSamples(samples));
            }
        }
        return ExpositionWriter.write(mine);
    }

    private boolean isMine(Sample sample) {
        String instance = sample.label(INSTANCE_LABEL);
        return instance != null ? instances.contains(instance) : hostName.equals(sample.label("host"));
    }

    private static List<MetricFamily> parse(String exposition) {
        try {
            return ExpositionParser.parse(exposition);
        } catch (ExpositionException e) {
            throw new IllegalStateException("the registry's own exposition does not parse: " + e.getMessage(), e);
        }
    }

    /**
     * One HTTP/1.1 request on a new connection from the host's address. A connection per push keeps the client
     * simple and shows each push as its own connection from 127.0.0.x; at one push a second that costs nothing.
     */
    private void send(String batch) throws IOException {
        byte[] body = batch.getBytes(StandardCharsets.UTF_8);
        String head = "POST " + MonitoringRoutes.PUSH_PATH + " HTTP/1.1\r\n"
                + "Host: " + hostPort(server) + "\r\n"
                + MonitoringRoutes.HOST_HEADER + ": " + hostName + "\r\n"
                + "Content-Type: " + Metrics.CONTENT_TYPE + "\r\n"
                + "Content-Length: " + body.length + "\r\n"
                + "Connection: close\r\n"
                + "\r\n";
        int timeoutMillis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, interval.toMillis()));
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(hostAddress, 0));
            socket.connect(server, timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            InputStream in = socket.getInputStream();
            String statusLine = readLine(in);
            if (statusLine == null) {
                throw new IOException("the server closed the connection without answering");
            }
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/") || !parts[1].matches("\\d{3}")) {
                throw new IOException("not an HTTP response: " + statusLine);
            }
            int status = Integer.parseInt(parts[1]);
            if (status / 100 != 2) {
                throw new IOException("server answered " + statusLine.substring(parts[0].length() + 1) + ": "
                        + errorBody(in));
            }
        }
    }

    /** A line up to LF, without its CRLF (status and field lines are ASCII); null at the end of the stream. */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            if (b != '\r') {
                line.write(b);
            }
            if (line.size() > MAX_ERROR_BYTES) {
                throw new IOException("a response line is longer than " + MAX_ERROR_BYTES + " bytes");
            }
        }
        if (b == -1 && line.size() == 0) {
            return null;
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    /** The body of an error answer, after its header section: the server closes the connection after it. */
    private static String errorBody(InputStream in) throws IOException {
        String field;
        do {
            field = readLine(in); // header fields: nothing in them is needed
        } while (field != null && !field.isEmpty());
        byte[] text = in.readNBytes(MAX_ERROR_BYTES);
        return new String(text, StandardCharsets.UTF_8).strip();
    }

    private static String hostPort(InetSocketAddress address) {
        String host = address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
        return host + ":" + address.getPort();
    }

    public String hostName() {
        return hostName;
    }

    public InetAddress hostAddress() {
        return hostAddress;
    }

    public Set<String> instances() {
        return instances;
    }

    public Duration interval() {
        return interval;
    }

    /** Pushes the server took. */
    public long pushed() {
        return pushed.get();
    }

    /** Pushes that failed. */
    public long failed() {
        return failed.get();
    }

    /** Why the last push failed, or null when it succeeded. */
    public String lastFailure() {
        return lastFailure;
    }
}
