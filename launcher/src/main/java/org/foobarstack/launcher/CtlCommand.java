package org.foobarstack.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import org.foobarstack.admin.HostAction;
import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code ctl}: talks to a running stack through its admin server. {@code status} reads ({@code GET
 * /api/topology}); the other actions change a host ({@code POST /api/hosts/HOST/ACTION}) and present the stack's
 * token, which the stack wrote into its data directory.
 */
@Command(name = "ctl", mixinStandardHelpOptions = true, subcommands = ToxicCommand.class,
        description = {"Control a running stack through its admin server.",
                "  status          every host, its tiers, and the load balancers' view of their servers",
                "  kill HOST       stop every tier of HOST at once (sockets reset, as a power cut)",
                "  start HOST      start HOST's tiers again, with their data",
                "  drain HOST      no new requests to HOST's web server at the balancers; those in progress finish",
                "  ready HOST      HOST's web server takes requests again",
                "  promote HOST    HOST's database, a replica, becomes the primary (the old one is fenced)",
                "  pause-replication HOST    HOST's replica stops applying its primary's log",
                "  resume-replication HOST   ...and applies it again",
                "  reattach HOST   HOST's fenced former primary becomes a replica again, from a fresh copy",
                "  toxic add|remove|list   Toxiproxy's toxics on the links of a stack run with --toxics"})
final class CtlCommand implements Callable<Integer> {

    // optional to picocli, so that `ctl toxic ...` (a subcommand) parses; call() asks for it
    @Parameters(index = "0", paramLabel = "ACTION", arity = "0..1", description = "status, kill, start, drain, ready, promote, "
            + "pause-replication, resume-replication or reattach")
    String action;

    @Parameters(index = "1", paramLabel = "HOST", arity = "0..1", description = "the host to act on")
    String host;

    @Option(names = "--admin", scope = CommandLine.ScopeType.INHERIT, defaultValue = "http://127.0.0.1:9090",
            description = "The admin server (default: ${DEFAULT-VALUE}).")
    URI admin;

    @Option(names = "--data-dir", scope = CommandLine.ScopeType.INHERIT, defaultValue = "data",
            description = "The stack's data directory, where it wrote admin.token (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--token-file", scope = CommandLine.ScopeType.INHERIT,
            description = "Read the token from this file instead of DATA-DIR/admin.token.")
    Path tokenFile;

    @Option(names = "--json", scope = CommandLine.ScopeType.INHERIT,
            description = "Print the admin server's JSON as it came.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** A host action waits for the host's tiers to stop or start (a database's boot, a fresh copy to reattach). */
    private static final Duration HOST_ACTION_TIMEOUT = Duration.ofSeconds(90);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (action == null) {
            err.println("ctl needs an action: status, kill HOST, start HOST, ... or toxic (ctl --help lists them)");
            err.flush();
            return 2;
        }
        try {
            if (action.equals("status")) {
                if (host != null) {
                    err.println("ctl status takes no host: it shows them all");
                    return 2;
                }
                HttpResponse<String> response = send(HttpRequest.newBuilder(admin.resolve("/api/topology")).GET());
                if (response.statusCode() != 200) {
                    err.println("the admin server answered " + response.statusCode() + ": " + response.body());
                    return 1;
                }
                out.print(json ? response.body() : StatusTable.render(new ObjectMapper().readTree(response.body())));
                out.flush();
                return 0;
            }
            if (HostAction.fromWord(action) == null) {
                err.println("unknown action \"" + action + "\": status, kill, start, drain, ready, promote, "
                        + "pause-replication, resume-replication or reattach");
                return 2;
            }
            if (host == null) {
                err.println("ctl " + action + " needs a host: ctl " + action + " HOST (ctl status lists them)");
                return 2;
            }
            return change(HttpRequest.newBuilder(admin.resolve("/api/hosts/" + host + "/" + action))
                            .POST(HttpRequest.BodyPublishers.noBody()), HOST_ACTION_TIMEOUT,
                    body -> body.path("result").asText() + " (" + body.path("tookMillis").asLong() + " ms)");
        } catch (IOException e) {
            return OperationCommand.unreachable(admin, e, err);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } finally {
            out.flush();
            err.flush();
        }
    }

    /**
     * A change through the admin API, with the stack's token: prints {@code done}'s sentence for the JSON of a 200
     * (or the JSON itself with {@code --json}), the admin server's error otherwise. 0 when done, else 1.
     */
    int change(HttpRequest.Builder request, java.util.function.Function<JsonNode, String> done) {
        return change(request, Duration.ofSeconds(30), done);
    }

    private int change(HttpRequest.Builder request, Duration timeout, java.util.function.Function<JsonNode, String> done) {
        PrintWriter err = spec.commandLine().getErr();
        String token = OperationCommand.readToken(dataDir, tokenFile, err);
        if (token == null) {
            err.flush();
            return 1;
        }
        return exchange(request.header("Authorization", "Bearer " + token).timeout(timeout), done);
    }

    /** A read through the admin API: {@code render}'s text of the JSON of a 200; 0 when it answered 200, else 1. */
    int read(String path, java.util.function.Function<JsonNode, String> render) {
        return exchange(HttpRequest.newBuilder(admin.resolve(path)).GET().timeout(Duration.ofSeconds(30)), render);
    }

    private int exchange(HttpRequest.Builder request, java.util.function.Function<JsonNode, String> render) {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            HttpResponse<String> response = send(request);
            JsonNode body = new ObjectMapper().readTree(response.body());
            if (json) {
                out.print(response.body());
            } else if (response.statusCode() == 200) {
                String text = render.apply(body);
                out.print(text.endsWith("\n") ? text : text + "\n");
            } else {
                err.println(response.statusCode() + ": " + body.path("error").asText(response.body()));
            }
            return response.statusCode() == 200 ? 0 : 1;
        } catch (IOException e) {
            return OperationCommand.unreachable(admin, e, err);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } finally {
            out.flush();
            err.flush();
        }
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** {@code ctl status} as text: a table of hosts, then one table per balancer. */
    static final class StatusTable {

        private StatusTable() {
        }

        static String render(JsonNode topology) {
            StringBuilder b = new StringBuilder();
            b.append("topology ").append(topology.path("name").asText()).append('\n');
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"HOST", "ADDRESS", "STATE", "UP", "TIERS"});
            for (JsonNode host : topology.path("hosts")) {
                List<String> tiers = new ArrayList<>();
                for (JsonNode tier : host.path("tiers")) {
                    tiers.add(tier.path("instance").asText() + ":" + tier.path("port").asInt() + " "
                            + (tier.path("up").asBoolean() ? "up" : "down"));
                }
                rows.add(new String[] {host.path("name").asText(), host.path("address").asText(),
                        host.path("state").asText(), host.path("up").asBoolean() ? "yes" : "no",
                        String.join(", ", tiers)});
            }
            table(b, rows);
            databases(b, topology);
            for (JsonNode lb : topology.path("balancers")) {
                b.append('\n').append(lb.path("instance").asText()).append(" on ").append(lb.path("host").asText())
                        .append(" (balance ").append(lb.path("algorithm").asText());
                if (!lb.path("statsUrl").isNull() && !lb.path("statsUrl").isMissingNode()) {
                    b.append(", stats ").append(lb.path("statsUrl").asText());
                }
                b.append(")\n");
                List<String[]> servers = new ArrayList<>();
                servers.add(new String[] {"SERVER", "HOST", "ADDRESS", "STATUS", "ADMIN", "CUR", "TOTAL",
                    "LAST CHECK"});
                for (JsonNode s : lb.path("servers")) {
                    servers.add(new String[] {s.path("name").asText(), s.path("host").asText(),
                            s.path("address").asText(), s.path("status").asText(), s.path("admin").asText(),
                            s.path("current").asText(), s.path("total").asText(), s.path("lastCheck").asText()});
                }
                table(b, servers);
            }
            return b.toString();
        }

        /**
         * The replicated databases, as MySQL's SHOW REPLICA STATUS would sum them up: role, what each has applied,
         * the primary's head as the replica last saw it, and how far behind it is. Nothing without replication.
         */
        private static void databases(StringBuilder b, JsonNode topology) {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"DATABASE", "HOST", "ROLE", "STATE", "APPLIED", "PRIMARY HEAD", "LAG"});
            boolean replicated = false;
            for (JsonNode host : topology.path("hosts")) {
                for (JsonNode tier : host.path("tiers")) {
                    JsonNode r = tier.path("replication");
                    if (!tier.path("role").asText().equals("db")) {
                        continue;
                    }
                    if (r.isMissingNode()) {
                        // down: a database reports its role only while it runs
                        rows.add(new String[] {tier.path("instance").asText(), host.path("name").asText(), "-",
                                "down", "-", "-", "-"});
                        continue;
                    }
                    if (r.path("role").asText().equals("standalone")) {
                        continue;
                    }
                    replicated = true;
                    boolean replica = r.path("role").asText().equals("replica");
                    rows.add(new String[] {tier.path("instance").asText(), host.path("name").asText(),
                            r.path("role").asText() + (replica ? " of " + r.path("source").asText() : ""),
                            r.path("state").asText(),
                            "seq " + r.path("appliedSeq").asLong() + " (txn " + r.path("appliedTxn").asLong() + ")",
                            replica && r.has("sourceSeq") ? "seq " + r.path("sourceSeq").asLong() : "-",
                            replica ? r.path("lagTransactions").asLong() + " txn, " + r.path("lagMillis").asLong()
                                    + " ms" : "-"});
                }
            }
            if (replicated) {
                b.append('\n').append("databases\n");
                table(b, rows);
            }
        }

        static void table(StringBuilder b, List<String[]> rows) {
            int columns = rows.get(0).length;
            int[] widths = new int[columns];
            for (String[] row : rows) {
                for (int c = 0; c < columns; c++) {
                    widths[c] = Math.max(widths[c], row[c].length());
                }
            }
            for (String[] row : rows) {
                StringBuilder line = new StringBuilder();
                for (int c = 0; c < columns; c++) {
                    line.append(c == columns - 1 ? row[c] : String.format("%-" + widths[c] + "s  ", row[c]));
                }
                b.append(line.toString().stripTrailing()).append('\n');
            }
        }
    }
}
