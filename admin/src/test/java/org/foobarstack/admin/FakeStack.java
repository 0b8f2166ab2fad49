package org.foobarstack.admin;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link StackControl} standing in for the launcher: the shipped "distributed" design, as the launcher reports
 * it, held in memory. A name server (ns1), a load balancer (lb-1) and two servers (server-1, server-2) that
 * each run web, app and db. The actions change the state the way the real stack would (a killed host's tiers
 * go down and the balancer marks its server DOWN; a drained server shows DRAIN), and every call is kept, in
 * order, for a test to take with a bounded wait.
 */
final class FakeStack implements StackControl {

    /** One call of {@link #act}, as "server-2 kill". */
    private final BlockingQueue<String> calls = new LinkedBlockingQueue<>();
    /** Host name to "running", "killed"...; the file's order. */
    private final Map<String, String> states = new LinkedHashMap<>();
    /** Web server instance to the balancer's admin state, "READY" or "DRAIN". */
    private final Map<String, String> adminStates = new LinkedHashMap<>();

    FakeStack() {
        for (String host : List.of("ns1", "lb-1", "server-1", "server-2")) {
            states.put(host, "running");
        }
        adminStates.put("web-1", "READY");
        adminStates.put("web-2", "READY");
    }

    @Override
    public synchronized TopologyStatus topology() {
        List<HostStatus> hosts = new ArrayList<>();
        hosts.add(host("ns1", "127.0.0.2", "the zone's name server",
                tier("dns", "dns-1", "DNS server", "DNS", "ns1", List.of("127.0.0.2:5300/udp dns",
                        "127.0.0.2:5300/tcp dns"), Map.of())));
        hosts.add(host("lb-1", "127.0.0.10", "the load balancer that www.foobar.com points at",
                tier("lb", "lb-1", "load balancer", "HTTP/1.1 (layer 7)", "lb-1",
                        List.of("127.0.0.10:8080/tcp http", "127.0.0.10:8404/tcp stats"), Map.of("requests", 12L))));
        for (int n = 1; n <= 2; n++) {
            String name = "server-" + n;
            String address = "127.0.0.1" + n;
            hosts.add(host(name, address, n == 1 ? "the first server; its database holds the site's data"
                            : "the second server, the same as the first",
                    tier("web", "web-" + n, "web server", "HTTP/1.1", name,
                            List.of(address + ":8080/tcp http", address + ":8443/tcp https"),
                            Map.of("connections", 2L)),
                    tier("app", "app-" + n, "app server", "FastCGI", name, List.of(address + ":9000/tcp fastcgi"),
                            Map.of("connections", 1L)),
                    tier("db", "db-" + n, "database", "DRDA (Derby)", name, List.of(address + ":1527/tcp drda"),
                            Map.of("schemaVersion", 3L))));
        }
        List<BalancerStatus.Server> servers = new ArrayList<>();
        for (int n = 1; n <= 2; n++) {
            String web = "web-" + n;
            boolean up = states.get("server-" + n).equals("running");
            String admin = adminStates.get(web);
            String status = admin.equals("DRAIN") ? (up ? "DRAIN" : "DRAIN (DOWN)") : (up ? "UP" : "DOWN");
            servers.add(new BalancerStatus.Server(web, "server-" + n, "127.0.0.1" + n + ":8080", status, up, admin,
                    up ? n - 1 : 0, 10L * n, up ? "L7OK 200 (HTTP status 200) in 1 ms"
                            : "L4CON Connection refused in 0 ms", up ? -1 : 1_795_310_603_000L));
        }
        BalancerStatus balancer = new BalancerStatus("lb-1", "lb-1", "roundrobin", "http://127.0.0.10:8404/stats",
                servers);
        return new TopologyStatus("distributed", "The course's second design: a load balancer in front of two "
                + "servers, and the name server on a host of its own.", hosts,
                List.of(balancer));
    }

    @Override
    public synchronized String act(String host, HostAction action) {
        calls.add(host + " " + action.word());
        String state = states.get(host);
        if (state == null) {
            throw new ControlException(404, "no host " + host + " in topology distributed (hosts: "
                    + String.join(", ", states.keySet()) + ")");
        }
        String web = host.startsWith("server-") ? "web-" + host.substring("server-".length()) : null;
        switch (action) {
            case KILL -> {
                if (!state.equals("running")) {
                    throw new ControlException(409, host + " is " + state + ", not running");
                }
                states.put(host, "killed");
                return host + " killed: " + String.join(", ", instances(host)) + " stopped at once, their "
                        + "connections reset";
            }
            case START -> {
                if (state.equals("running")) {
                    throw new ControlException(409, host + " is already running");
                }
                states.put(host, "running");
                return host + " started";
            }
            case DRAIN, READY -> {
                if (web == null) {
                    throw new ControlException(409, "no load balancer balances " + host);
                }
                adminStates.put(web, action == HostAction.DRAIN ? "DRAIN" : "READY");
                return "lb-1: " + web + " set to " + adminStates.get(web);
            }
            default -> throw new IllegalStateException("unknown action " + action);
        }
    }

    /** The tier instances of a host, as the launcher names them. */
    private static List<String> instances(String host) {
        return switch (host) {
            case "ns1" -> List.of("dns-1");
            case "lb-1" -> List.of("lb-1");
            default -> {
                String n = host.substring("server-".length());
                yield List.of("web-" + n, "app-" + n, "db-" + n);
            }
        };
    }

    /** The next call made ("server-2 kill"), waiting at most {@code timeoutMillis}; null if none came. */
    String nextCall(long timeoutMillis) throws InterruptedException {
        return calls.poll(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    /** The calls made so far and not yet taken. */
    List<String> callsSoFar() {
        return List.copyOf(calls);
    }

    private HostStatus host(String name, String address, String description, TierStatus... tiers) {
        boolean running = states.get(name).equals("running");
        return new HostStatus(name, address, description, states.get(name),
                running && List.of(tiers).stream().allMatch(TierStatus::up), List.of(tiers));
    }

    private TierStatus tier(String tier, String instance, String role, String protocol, String host,
                            List<String> endpoints, Map<String, Long> counters) {
        boolean up = states.get(host).equals("running");
        return new TierStatus(tier, instance, role, protocol, endpoints, up, up ? counters : Map.of());
    }
}
