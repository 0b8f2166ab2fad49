package org.foobarstack.launcher.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.foobarstack.loadgen.TimelineBucket;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The runs of {@code demo spof}, side by side: as text for a person (a table, then a timeline per design), or as
 * JSON ({@code {"runs":[{"topology":"simple","sent":N,"failed":N,...},...]}}).
 */
public final class SpofReport {

    /** One character of the timeline per this many milliseconds. */
    static final long SLICE_MILLIS = 250;

    private SpofReport() {
    }

    /** The runs, then the database act when it ran. */
    public static String text(List<SpofRun> runs, DatabaseActRun databaseAct) {
        return (runs.isEmpty() ? "" : text(runs)) + (databaseAct == null ? "" : DatabaseActReport.text(databaseAct));
    }

    public static String text(List<SpofRun> runs) {
        StringBuilder b = new StringBuilder();
        b.append("\nA single point of failure, measured\n\n");
        List<String[]> rows = new ArrayList<>();
        List<String> header = new ArrayList<>();
        header.add("");
        runs.forEach(r -> header.add(r.design()));
        rows.add(header.toArray(String[]::new));
        rows.add(row(runs, "killed", r -> r.killedHost() + " (" + String.join(", ", r.killedTiers()) + ") at "
                + SpofDemo.seconds(r.killedAtMillis()).trim()));
        rows.add(row(runs, "started again", r -> "up at " + SpofDemo.seconds(r.upAgainMillis()).trim()));
        rows.add(row(runs, "requests sent", r -> Long.toString(r.sent())));
        rows.add(row(runs, "failed (no answer or 5xx)", r -> r.failed() + String.format(" (%.1f %%)",
                r.sent() == 0 ? 0.0 : 100.0 * r.failed() / r.sent())));
        rows.add(row(runs, "site unreachable for *", r -> SpofDemo.seconds(r.load().outageMillis()).trim()));
        rows.add(row(runs, "failures between", r -> r.load().firstFailureMillis().isPresent()
                ? SpofDemo.seconds(r.load().firstFailureMillis().getAsLong()).trim() + " and "
                + SpofDemo.seconds(r.load().lastFailureMillis().getAsLong()).trim() : "none"));
        rows.add(row(runs, "balancer noticed", r -> !r.balanced() ? "no balancer"
                : r.noticedAfterMillis().isPresent() ? r.noticedAfterMillis().getAsLong() + " ms after the kill"
                : "nothing to notice"));
        if (runs.stream().anyMatch(SpofRun::killedABalancer)) {
            rows.add(row(runs, "virtual address taken over", r -> r.takeoverAfterMillis().isPresent()
                    ? r.takeoverAfterMillis().getAsLong() + " ms after the kill" : "no balancer pair"));
        }
        rows.add(row(runs, "latency p50 / p99 / max", r -> String.format("%.1f / %.1f / %.1f ms",
                r.load().latency().p50(), r.load().latency().p99(), r.load().latency().max())));
        table(b, rows);
        b.append("  * the longest run of 100 ms slices in which every request failed\n");

        b.append("\nEach mark is ").append(SLICE_MILLIS).append(" ms of the load: . answered   x all failed   ")
                .append("! some failed   K killed   S started again\n\n");
        int width = runs.stream().mapToInt(r -> r.design().length()).max().orElse(0);
        for (SpofRun run : runs) {
            b.append(String.format("  %-" + width + "s  %s%n", run.design(), timeline(run)));
            b.append(String.format("  %-" + width + "s  %s%n", "", markers(run)));
        }
        b.append('\n');
        for (SpofRun run : runs) {
            b.append("  ").append(run.design()).append(":\n");
            for (SpofRun.Event event : run.events()) {
                b.append("    ").append(SpofDemo.seconds(event.atMillis())).append("  ").append(event.what())
                        .append('\n');
            }
            b.append("    ").append(verdict(run)).append("\n\n");
        }
        b.append("What is emulated: every host of each design runs in this one JVM on this machine's cores;\n")
                .append("a host is a loopback address, and killing it stops its tiers at once and resets their\n")
                .append("sockets, as a server losing power looks from the network. A balancer pair elects its\n")
                .append("master with VRRP advertisements sent in UDP to each other (keepalived's unicast mode, not\n")
                .append("IP protocol 112), and \"holding the virtual address\" means listening on it. The load is\n")
                .append("a constant rate measured from each request's intended start, so waiting counts as\n")
                .append("slowness.\n");
        return b.toString();
    }

    private static String verdict(SpofRun run) {
        if (run.killedABalancer() && run.takeoverAfterMillis().isPresent()) {
            long takeover = run.takeoverAfterMillis().getAsLong();
            return "The active balancer " + run.killedHost() + " was killed; the passive one missed its "
                    + "advertisements and took the virtual address " + takeover + " ms later (three advertisement "
                    + "intervals plus its skew: keepalived's Master_Down_Interval). " + run.failed()
                    + " requests failed" + (run.load().firstFailureMillis().isPresent() ? " between "
                    + SpofDemo.seconds(run.load().firstFailureMillis().getAsLong()).trim() + " and "
                    + SpofDemo.seconds(run.load().lastFailureMillis().getAsLong()).trim() : "")
                    + ": the takeover window, and the connections reset when an address changes hands. "
                    + "Active-passive shortens an outage of the balancer to seconds; it does not remove it.";
        }
        if (run.killedABalancer()) {
            return "The only balancer was killed: while it was down, every request failed, however many servers "
                    + "stood behind it. It is a single point of failure.";
        }
        if (!run.balanced()) {
            return "One server: while it was down, every request failed. It is a single point of failure.";
        }
        if (run.failed() == 0) {
            return "The balancer sent every request to a server that was up: the loss of " + run.killedHost()
                    + " cost nothing." + (run.holdsDatabase()
                    ? " It held the primary database: these reads went on from the replica."
                    : " Losing the primary database is the database act's part: `demo spof --only database`.");
        }
        return run.failed() + " requests failed around the kill: those in flight on " + run.killedHost()
                + " that could not be sent again (a POST, or no other server)"
                + (run.holdsDatabase() ? "; " + run.killedHost() + " held the primary database, and a read waits "
                + "for a connection to it before going to the replica." : ".");
    }

    private static String timeline(SpofRun run) {
        StringBuilder line = new StringBuilder();
        for (long[] slice : slices(run)) {
            long sent = slice[1];
            long bad = slice[3];
            line.append(sent == 0 ? ' ' : bad == 0 ? '.' : bad == sent ? 'x' : '!');
        }
        return line.toString();
    }

    /**
     * The load in slices of {@link #SLICE_MILLIS}: start, sent, answered (not 5xx), failed (no answer or 5xx), by
     * intended start. What the text timeline draws, and the dashboard's chart.
     */
    static List<long[]> slices(SpofRun run) {
        List<long[]> slices = new ArrayList<>();
        List<TimelineBucket> buckets = run.load().timeline().buckets();
        long end = buckets.isEmpty() ? 0 : buckets.get(buckets.size() - 1).startMillis() + 100;
        for (long start = 0; start < end; start += SLICE_MILLIS) {
            long sent = 0;
            long bad = 0;
            for (TimelineBucket bucket : buckets) {
                if (bucket.startMillis() >= start && bucket.startMillis() < start + SLICE_MILLIS) {
                    sent += bucket.sent();
                    bad += bucket.failedTotal() + bucket.serverErrors();
                }
            }
            slices.add(new long[] {start, sent, sent - bad, bad});
        }
        return slices;
    }

    private static String markers(SpofRun run) {
        int kill = (int) (run.killedAtMillis() / SLICE_MILLIS);
        int start = (int) (run.upAgainMillis() / SLICE_MILLIS);
        char[] marks = " ".repeat(Math.max(kill, start) + 1).toCharArray();
        marks[kill] = 'K';
        marks[start] = 'S';
        return new String(marks);
    }

    private static String[] row(List<SpofRun> runs, String label, java.util.function.Function<SpofRun, String> f) {
        List<String> cells = new ArrayList<>();
        cells.add(label);
        runs.forEach(r -> cells.add(f.apply(r)));
        return cells.toArray(String[]::new);
    }

    private static void table(StringBuilder b, List<String[]> rows) {
        int columns = rows.get(0).length;
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int c = 0; c < columns; c++) {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder("  ");
            for (int c = 0; c < columns; c++) {
                line.append(String.format("%-" + widths[c] + "s   ", row[c]));
            }
            b.append(line.toString().stripTrailing()).append('\n');
        }
    }

    public static String json(List<SpofRun> runs) {
        return json(runs, null);
    }

    /** With the database act, when it ran: {@code {"runs":[...],"database_act":{...}}}. */
    public static String json(List<SpofRun> runs, DatabaseActRun databaseAct) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        ArrayNode array = root.putArray("runs");
        for (SpofRun run : runs) {
            ObjectNode node = array.addObject();
            node.put("topology", run.design());
            node.put("killed", run.killedHost());
            ArrayNode tiers = node.putArray("killed_tiers");
            run.killedTiers().forEach(tiers::add);
            node.put("kill_at_ms", run.killedAtMillis());
            node.put("restart_at_ms", run.restartAtMillis());
            node.put("up_again_ms", run.upAgainMillis());
            node.put("sent", run.sent());
            node.put("failed", run.failed());
            node.put("failed_before_kill", run.failedBeforeKill());
            node.put("outage_ms", run.load().outageMillis());
            if (run.load().firstFailureMillis().isPresent()) {
                node.put("first_failure_ms", run.load().firstFailureMillis().getAsLong());
                node.put("last_failure_ms", run.load().lastFailureMillis().getAsLong());
            } else {
                node.putNull("first_failure_ms");
                node.putNull("last_failure_ms");
            }
            node.put("balanced", run.balanced());
            if (run.noticedAfterMillis().isPresent()) {
                node.put("noticed_after_ms", run.noticedAfterMillis().getAsLong());
            } else {
                node.putNull("noticed_after_ms");
            }
            node.put("killed_host_holds_database", run.holdsDatabase());
            ArrayNode slices = node.putArray("slices");
            for (long[] slice : slices(run)) {
                slices.addObject().put("start_ms", slice[0]).put("sent", slice[1]).put("ok", slice[2])
                        .put("failed", slice[3]);
            }
            ArrayNode events = node.putArray("events");
            for (SpofRun.Event event : run.events()) {
                events.addObject().put("at_ms", event.atMillis()).put("what", event.what());
            }
            try {
                node.set("load", mapper.readTree(run.load().toJson()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (databaseAct != null) {
            DatabaseActReport.json(root.putObject("database_act"), databaseAct);
        }
        try {
            return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
