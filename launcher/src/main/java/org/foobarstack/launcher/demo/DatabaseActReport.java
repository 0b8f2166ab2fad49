package org.foobarstack.launcher.demo;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/** The database act's part of {@code demo spof}'s report: a few lines of text, or an object in the JSON. */
final class DatabaseActReport {

    private DatabaseActReport() {
    }

    static String text(DatabaseActRun run) {
        StringBuilder b = new StringBuilder();
        b.append("\nThe database act: distributed loses its primary database\n\n");
        b.append("  server-1 (web-1, app-1 and the primary db-1) killed at ")
                .append(SpofDemo.seconds(run.killedAtMillis()).trim()).append("; the replica was ")
                .append(run.lagAtKill()).append(" behind\n");
        b.append("  server-2 promoted at ").append(SpofDemo.seconds(run.promotedAtMillis()).trim()).append('\n');
        b.append(String.format("  reads    %d sent, %d failed (%.1f %%): served by server-2's replica meanwhile%n",
                run.reads().sent(), run.reads().failedTotal() + run.reads().answeredBetween(500, 599),
                run.reads().sent() == 0 ? 0.0
                        : 100.0 * (run.reads().failedTotal() + run.reads().answeredBetween(500, 599)) / run.reads().sent()));
        b.append(String.format("  writes   %d sent: %d acknowledged (201), %d refused (503: no primary), %d failed in "
                        + "flight (502: on server-1 at the kill), %d unanswered%n",
                run.writesSent(), run.acknowledged(), run.refused(), run.failedInFlight(), run.unanswered()));
        b.append("           failed from ").append(run.firstFailedWriteMillis().isPresent()
                        ? SpofDemo.seconds(run.firstFailedWriteMillis().getAsLong()).trim() : "-")
                .append(", back at ").append(run.writesBackMillis().isPresent()
                        ? SpofDemo.seconds(run.writesBackMillis().getAsLong()).trim() : "never")
                .append(" (").append(run.sentWithoutPrimary()).append(" sent while there was no primary)\n");
        b.append("  lost     ").append(run.lostIds().size()).append(" acknowledged write")
                .append(run.lostIds().size() == 1 ? " is" : "s are").append(" not on the new primary")
                .append(run.lostIds().isEmpty() ? "" : ": ids " + run.lostIds()).append('\n');
        b.append("           replication is asynchronous: the primary answers 201 once it has committed, and the\n")
                .append("           replica fetches the change up to 50 ms later. A write acknowledged in that\n")
                .append("           window before the kill is lost by the promotion: 0 here is luck of timing,\n")
                .append("           not a promise.\n\n");
        b.append("  writes, each mark ").append(SpofReport.SLICE_MILLIS).append(" ms: . acknowledged  x all failed  ")
                .append("! some failed   K killed  P promoted\n")
                .append("  (one writer, one write at a time: a refused write first waits up to 0.5 s for a connection\n")
                .append("  to the dead primary, so the slices in between carry no write, and none is made up later)\n");
        b.append("  ").append(timeline(run)).append('\n');
        b.append("  ").append(markers(run)).append('\n');
        return b.toString();
    }

    private static String timeline(DatabaseActRun run) {
        long end = run.writes().stream().mapToLong(Writes.Write::atMillis).max().orElse(0);
        StringBuilder line = new StringBuilder();
        for (long slice = 0; slice <= end; slice += SpofReport.SLICE_MILLIS) {
            long from = slice;
            List<Writes.Write> in = run.writes().stream()
                    .filter(w -> w.atMillis() >= from && w.atMillis() < from + SpofReport.SLICE_MILLIS).toList();
            long failed = in.stream().filter(w -> !w.acknowledged()).count();
            line.append(in.isEmpty() ? ' ' : failed == 0 ? '.' : failed == in.size() ? 'x' : '!');
        }
        return line.toString();
    }

    private static String markers(DatabaseActRun run) {
        int kill = (int) (run.killedAtMillis() / SpofReport.SLICE_MILLIS);
        int promote = (int) (run.promotedAtMillis() / SpofReport.SLICE_MILLIS);
        StringBuilder line = new StringBuilder(" ".repeat(Math.max(kill, promote) + 1));
        line.setCharAt(kill, 'K');
        line.setCharAt(promote, 'P');
        return line.toString().stripTrailing();
    }

    static void json(ObjectNode node, DatabaseActRun run) {
        node.put("topology", "distributed");
        node.put("killed", "server-1");
        node.put("kill_at_ms", run.killedAtMillis());
        node.put("promoted", "server-2");
        node.put("promoted_at_ms", run.promotedAtMillis());
        node.put("replica_lag_at_kill", run.lagAtKill());
        node.put("reads_sent", run.reads().sent());
        node.put("reads_failed", run.reads().failedTotal() + run.reads().answeredBetween(500, 599));
        node.put("writes_sent", run.writesSent());
        node.put("writes_acknowledged", run.acknowledged());
        node.put("writes_refused", run.refused());
        node.put("writes_failed_in_flight", run.failedInFlight());
        node.put("writes_unanswered", run.unanswered());
        if (run.firstFailedWriteMillis().isPresent()) {
            node.put("writes_failed_from_ms", run.firstFailedWriteMillis().getAsLong());
        }
        if (run.writesBackMillis().isPresent()) {
            node.put("writes_back_at_ms", run.writesBackMillis().getAsLong());
        }
        node.put("acknowledged_writes_lost", run.lostIds().size());
        ArrayNode lost = node.putArray("lost_ids");
        run.lostIds().forEach(lost::add);
        node.put("promotion", run.promotion());
    }
}
