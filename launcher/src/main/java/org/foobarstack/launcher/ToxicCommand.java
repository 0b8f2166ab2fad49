package org.foobarstack.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.foobarstack.admin.ToxicJson;
import org.foobarstack.toxics.Direction;
import org.foobarstack.toxics.Toxic;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ctl toxic}: Toxiproxy's toxics on the links of a stack started with {@code run --toxics}, through the
 * admin server's {@code /api/links}. {@code add} and {@code remove} present the stack's token, as the host
 * actions do; {@code list} only reads.
 *
 * <pre>
 *   foobar-stack ctl toxic add 'app-1->db-1' latency 200ms --jitter 20ms
 *   foobar-stack ctl toxic list
 *   foobar-stack ctl toxic remove 'app-1->db-1' latency_downstream
 * </pre>
 *
 * The toxic is built and checked here first, so that a value the command line cannot mean ({@code 200xs}, a
 * toxicity of 2) is a usage error (exit 2) before anything is sent; what only the stack can judge (an unknown
 * link, a name taken) comes back from it (exit 1), in its words.
 */
@Command(name = "toxic", mixinStandardHelpOptions = true,
        description = {"Toxics on the links of a stack started with `run --toxics`.",
                "Quote the link: 'app-1->db-1' (the shell reads > as a redirection)."},
        subcommands = {ToxicCommand.Add.class, ToxicCommand.Remove.class, ToxicCommand.ListLinks.class})
final class ToxicCommand {

    @ParentCommand
    CtlCommand ctl;

    private ToxicCommand() {
    }

    // ---------------------------------------------------------------- add

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = {"Add a toxic to a link; it acts on the link's open connections at once.",
                    "  latency 200ms [--jitter 20ms]     each chunk of data late",
                    "  bandwidth 64KB/s                  at most that rate (1MB/s; 64 is KB/s)",
                    "  slow_close 500ms                  the close passed on late",
                    "  timeout [1s]                      data stopped, closed after it (0: never)",
                    "  reset_peer [100ms]                reset that long after the first data",
                    "  slicer [64] [--size-variation 16] [--delay 1ms]",
                    "                                    cut into slices of that many bytes",
                    "  limit_data 1000                   closed after that many bytes (64KB)"})
    static final class Add implements Callable<Integer> {

        @ParentCommand
        ToxicCommand toxic;

        @Parameters(index = "0", paramLabel = "LINK", description = "FROM->TO, as ctl toxic list names it")
        String link;

        @Parameters(index = "1", paramLabel = "TYPE",
                description = "latency, bandwidth, slow_close, timeout, reset_peer, slicer or limit_data")
        String type;

        @Parameters(index = "2", paramLabel = "VALUE", arity = "0..1", description = "the type's main attribute")
        String value;

        @Option(names = "--jitter", paramLabel = "DURATION", description = "latency: ± this much at random")
        String jitter;

        @Option(names = "--size-variation", paramLabel = "BYTES", description = "slicer: ± this many bytes")
        String sizeVariation;

        @Option(names = "--delay", paramLabel = "DURATION", description = "slicer: the pause between slices")
        String delay;

        @Option(names = "--upstream", description = "On what the caller sends (the request).")
        boolean upstream;

        @Option(names = "--downstream", description = "On what comes back (the answer; the default).")
        boolean downstream;

        @Option(names = "--toxicity", paramLabel = "P", defaultValue = "1",
                description = "The share of connections that get it, 0 to 1 (default: ${DEFAULT-VALUE}).")
        double toxicity;

        @Option(names = "--name", paramLabel = "NAME", description = "Its name (default: TYPE_STREAM).")
        String name;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            CtlCommand ctl = toxic.ctl;
            PrintWriter err = spec.commandLine().getErr();
            String[] ends = ends(link);
            Toxic built;
            try {
                if (ends == null) {
                    throw new IllegalArgumentException("a link is FROM->TO, such as 'app-1->db-1', not \"" + link
                            + "\" (ctl toxic list names them)");
                }
                if (upstream && downstream) {
                    throw new IllegalArgumentException("--upstream or --downstream, not both");
                }
                built = ToxicArguments.toxic(type, value, jitter, sizeVariation, delay)
                        .on(upstream ? Direction.UPSTREAM : Direction.DOWNSTREAM).toxicity(toxicity);
                if (name != null) {
                    built = built.named(name);
                }
            } catch (IllegalArgumentException e) {
                err.println("ctl toxic add: " + e.getMessage());
                err.flush();
                return 2;
            }
            Toxic sent = built;
            String body = ToxicJson.write(sent, new ObjectMapper().createObjectNode()).toString();
            return ctl.change(HttpRequest.newBuilder(ctl.admin.resolve("/api/links/" + linkSegment(ends)
                    + "/toxics")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)),
                    result -> "added " + sent.name() + " to " + ends[0] + "->" + ends[1] + ": "
                            + ToxicArguments.describe(result.path("link").path("toxics"), sent.name()));
        }
    }

    // ---------------------------------------------------------------- remove

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove a toxic from a link, by name.")
    static final class Remove implements Callable<Integer> {

        @ParentCommand
        ToxicCommand toxic;

        @Parameters(index = "0", paramLabel = "LINK", description = "FROM->TO")
        String link;

        @Parameters(index = "1", paramLabel = "NAME", description = "the toxic's name (ctl toxic list shows them)")
        String name;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            CtlCommand ctl = toxic.ctl;
            String[] ends = ends(link);
            if (ends == null) {
                spec.commandLine().getErr().println("ctl toxic remove: a link is FROM->TO, such as 'app-1->db-1', "
                        + "not \"" + link + "\"");
                spec.commandLine().getErr().flush();
                return 2;
            }
            return ctl.change(HttpRequest.newBuilder(ctl.admin.resolve("/api/links/" + linkSegment(ends)
                    + "/toxics/" + encode(name))).DELETE(),
                    result -> "removed " + name + " from " + ends[0] + "->" + ends[1]);
        }
    }

    // ---------------------------------------------------------------- list

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Every proxied link, its addresses and its toxics.")
    static final class ListLinks implements Callable<Integer> {

        @ParentCommand
        ToxicCommand toxic;

        @Override
        public Integer call() {
            return toxic.ctl.read("/api/links", ToxicArguments::table);
        }
    }

    /** {@code app-1->db-1} as {@code [app-1, db-1]}, or null. */
    static String[] ends(String link) {
        int arrow = link.indexOf("->");
        if (arrow <= 0 || arrow + 2 >= link.length() || link.indexOf("->", arrow + 2) >= 0) {
            return null;
        }
        return new String[] {link.substring(0, arrow), link.substring(arrow + 2)};
    }

    /** The link in a path: {@code app-1-%3Edb-1}, '>' being no character a path may carry bare (RFC 3986 §3.3). */
    private static String linkSegment(String[] ends) {
        return encode(ends[0]) + "-%3E" + encode(ends[1]);
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * The command line's words for a toxic's attributes, read into a {@link Toxic}: durations as {@code 200ms},
     * {@code 1s}, {@code 1.5s}, {@code 500us}; rates as {@code 64KB/s}; sizes as {@code 1000} or {@code 64KB}
     * (Toxiproxy's KB: 1,000 bytes). And back: a toxic's JSON as one readable line.
     */
    static final class ToxicArguments {

        private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(us|µs|ms|s|m)?");
        private static final Pattern AMOUNT = Pattern.compile("(\\d+)\\s*(B|KB|MB)?", Pattern.CASE_INSENSITIVE);

        private ToxicArguments() {
        }

        static Toxic toxic(String type, String value, String jitter, String sizeVariation, String delay) {
            String kind = type.toLowerCase(Locale.ROOT).replace('-', '_');
            if (!kind.equals("latency") && jitter != null) {
                throw new IllegalArgumentException("--jitter is latency's, not " + kind + "'s");
            }
            if (!kind.equals("slicer") && (sizeVariation != null || delay != null)) {
                throw new IllegalArgumentException("--size-variation and --delay are slicer's, not " + kind + "'s");
            }
            return switch (kind) {
                case "latency" -> Toxic.latency(duration("latency", required(kind, value, "200ms")),
                        jitter == null ? Duration.ZERO : duration("--jitter", jitter));
                case "bandwidth" -> Toxic.bandwidth(rate(required(kind, value, "64KB/s")));
                case "slow_close" -> Toxic.slowClose(duration("slow_close", required(kind, value, "500ms")));
                case "timeout" -> Toxic.timeout(value == null ? Duration.ZERO : duration("timeout", value));
                case "reset_peer" -> Toxic.resetPeer(value == null ? Duration.ZERO : duration("reset_peer", value));
                case "slicer" -> Toxic.slicer(value == null ? 64 : Math.toIntExact(bytes("slicer's size", value)),
                        sizeVariation == null ? 0 : Math.toIntExact(bytes("--size-variation", sizeVariation)),
                        delay == null ? Duration.ZERO : duration("--delay", delay));
                case "limit_data" -> Toxic.limitData(bytes("limit_data", required(kind, value, "1000")));
                default -> throw new IllegalArgumentException("unknown toxic type \"" + type + "\": latency, "
                        + "bandwidth, slow_close, timeout, reset_peer, slicer or limit_data");
            };
        }

        private static String required(String type, String value, String example) {
            if (value == null) {
                throw new IllegalArgumentException(type + " needs a value: ctl toxic add LINK " + type + " "
                        + example);
            }
            return value;
        }

        /** {@code 200ms}, {@code 1s}, {@code 1.5s}, {@code 2m}, {@code 500us}; a bare number is milliseconds. */
        static Duration duration(String what, String text) {
            Matcher m = DURATION.matcher(text.trim());
            if (!m.matches()) {
                throw new IllegalArgumentException(what + " must be a duration such as 200ms, 1s or 500us, not \""
                        + text + "\"");
            }
            double amount = Double.parseDouble(m.group(1));
            String unit = m.group(2) == null ? "ms" : m.group(2);
            double nanos = amount * switch (unit) {
                case "us", "µs" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                default -> 60e9;
            };
            return Duration.ofNanos(Math.round(nanos));
        }

        /** {@code 64KB/s}, {@code 1MB/s} or {@code 64}, in Toxiproxy's KB/s (1,000 bytes a second). */
        static long rate(String text) {
            String amount = text.trim();
            if (amount.toLowerCase(Locale.ROOT).endsWith("/s")) {
                amount = amount.substring(0, amount.length() - 2);
            }
            Matcher m = AMOUNT.matcher(amount);
            String unit = m.matches() && m.group(2) != null ? m.group(2).toUpperCase(Locale.ROOT) : "KB";
            if (!m.matches() || unit.equals("B")) {
                throw new IllegalArgumentException("bandwidth must be a rate such as 64KB/s or 1MB/s, not \""
                        + text + "\"");
            }
            long kb = Long.parseLong(m.group(1)) * (unit.equals("MB") ? 1000 : 1);
            if (kb < 1) {
                throw new IllegalArgumentException("bandwidth must be at least 1KB/s");
            }
            return kb;
        }

        /** {@code 1000}, {@code 1000B}, {@code 64KB}, {@code 1MB} (1,000-byte KB, as Toxiproxy's). */
        static long bytes(String what, String text) {
            Matcher m = AMOUNT.matcher(text.trim());
            if (!m.matches()) {
                throw new IllegalArgumentException(what + " must be a number of bytes such as 1000 or 64KB, not \""
                        + text + "\"");
            }
            String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
            return Long.parseLong(m.group(1)) * switch (unit) {
                case "KB" -> 1000L;
                case "MB" -> 1_000_000L;
                default -> 1L;
            };
        }

        /** The toxic named {@code name} among {@code toxics}, as one line: {@code latency downstream ...}. */
        static String describe(JsonNode toxics, String name) {
            for (JsonNode toxic : toxics) {
                if (toxic.path("name").asText().equals(name)) {
                    return line(toxic);
                }
            }
            return name;
        }

        private static String line(JsonNode toxic) {
            return toxic.path("type").asText() + " " + attributes(toxic.path("attributes")) + ", "
                    + toxic.path("stream").asText() + ", toxicity " + toxic.path("toxicity").asDouble();
        }

        private static String attributes(JsonNode attributes) {
            List<String> parts = new ArrayList<>();
            for (Iterator<String> names = attributes.fieldNames(); names.hasNext(); ) {
                String attribute = names.next();
                parts.add(attribute + "=" + attributes.get(attribute).asText());
            }
            return String.join(" ", parts);
        }

        /** {@code ctl toxic list}: one row per toxic, a row with "-" for a link without any. */
        static String table(JsonNode links) {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"LINK", "LISTEN", "UPSTREAM", "TOXIC", "TYPE", "STREAM", "TOXICITY",
                "ATTRIBUTES"});
            for (JsonNode link : links.path("links")) {
                String[] head = {link.path("name").asText(), link.path("listen").asText(),
                    link.path("upstream").asText()};
                if (link.path("toxics").isEmpty()) {
                    rows.add(new String[] {head[0], head[1], head[2], "-", "", "", "", ""});
                }
                for (JsonNode t : link.path("toxics")) {
                    rows.add(new String[] {head[0], head[1], head[2], t.path("name").asText(),
                        t.path("type").asText(), t.path("stream").asText(), t.path("toxicity").asText(),
                        attributes(t.path("attributes"))});
                }
            }
            StringBuilder b = new StringBuilder();
            CtlCommand.StatusTable.table(b, rows);
            return b.toString();
        }
    }
}
