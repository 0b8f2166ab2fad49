package org.foobarstack.launcher.processes;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.foobarstack.trace.TraceHub;
import org.foobarstack.trace.TraceJson;
import org.foobarstack.trace.TraceRecorder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Joins traces across processes: copies the hops every host records into this process's hub, so that the
 * supervisor's admin server shows a request's whole path (balancer, web server, app server, database) although
 * each tier ran in another JVM. A trace id travels in the protocols themselves (W3C traceparent in HTTP, FastCGI
 * params, DNS EDNS option), so the hops of one request already carry the same id; they only have to be brought
 * together.
 *
 * <p>Every {@link #INTERVAL}, for each host: 1. ask its admin API for {@code GET /api/hops?from=...}, with the
 * position reached in each of its recorders last time; 2. record the hops into a recorder of the same tier and
 * instance here, made on first sight, kept for the stack's life (a host killed and started again keeps its
 * history, as in one process); 3. remember the new positions. A host that does not answer (killed, starting) is
 * asked again next time; a host started again numbers its hops from 0, which {@link TraceRecorder#since} notices.
 *
 * <p>The hosts' start times are comparable because every process of one machine reads the same monotonic clock
 * (CLOCK_MONOTONIC, which {@link System#nanoTime()} reads on Linux); hosts on several machines would need their
 * wall clocks instead, and would order hops only as well as those agree.
 */
final class HopCollector implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HopCollector.class);
    static final Duration INTERVAL = Duration.ofMillis(500);

    private final TraceHub hub;
    private final Map<String, InetSocketAddress> admins;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private final TraceJson json = new TraceJson();
    /** Per host, per recorder ("tier/instance": a host's firewall records under the host's name): the position. */
    private final Map<String, Map<String, Long>> positions = new ConcurrentHashMap<>();
    /** Per host and instance: the recorder here that holds its hops. */
    private final Map<String, TraceRecorder> mirrors = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "hop-collector");
        thread.setDaemon(true);
        return thread;
    });

    /** @param admins each host's admin API, by host name */
    HopCollector(TraceHub hub, Map<String, InetSocketAddress> admins) {
        this.hub = hub;
        this.admins = new LinkedHashMap<>(admins);
    }

    void start() {
        timer.scheduleWithFixedDelay(this::collectAll, 0, INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void collectAll() {
        admins.forEach((host, admin) -> {
            try {
                collect(host, admin);
            } catch (java.io.IOException | RuntimeException e) {
                log.debug("no hops from {} ({}): {}", host, admin, e.toString()); // down or starting: next time
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private void collect(String host, InetSocketAddress admin) throws java.io.IOException, InterruptedException {
        Map<String, Long> reached = positions.computeIfAbsent(host, h -> new ConcurrentHashMap<>());
        String from = reached.entrySet().stream().map(e -> e.getKey() + ":" + e.getValue())
                .collect(Collectors.joining(","));
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://"
                        + admin.getAddress().getHostAddress() + ":" + admin.getPort() + "/api/hops?from=" + from))
                .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new java.io.IOException("HTTP " + response.statusCode());
        }
        for (TraceJson.RecorderHops recorder : json.readRecorderHops(response.body())) {
            String key = recorder.tier() + "/" + recorder.instance();
            if (recorder.hops().isEmpty() && !mirrors.containsKey(host + " " + key)) {
                reached.put(key, recorder.next());
                continue; // no recorder here until it has a hop: a host also keeps empty ones for other hosts
            }
            TraceRecorder mirror = mirrors.computeIfAbsent(host + " " + key,
                    k -> hub.newRecorder(recorder.tier(), recorder.instance()));
            recorder.hops().forEach(mirror::record);
            reached.put(key, recorder.next());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
