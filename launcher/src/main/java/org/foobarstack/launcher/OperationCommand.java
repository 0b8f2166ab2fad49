package org.foobarstack.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * What {@code deploy} and {@code scale} share: they ask the running stack's admin server to start an operation
 * ({@code POST}, with the stack's token; 202 Accepted), then read {@code GET /api/operation} every
 * {@link #POLL} and print each new step as it happens, until the operation ends.
 */
abstract class OperationCommand implements Callable<Integer> {

    private static final Duration POLL = Duration.ofMillis(200);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS")
            .withZone(ZoneId.systemDefault());

    @Option(names = "--admin", defaultValue = "http://127.0.0.1:9090",
            description = "The admin server (default: ${DEFAULT-VALUE}).")
    URI admin;

    @Option(names = "--data-dir", defaultValue = "data",
            description = "The stack's data directory, where it wrote admin.token (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--token-file", description = "Read the token from this file instead of DATA-DIR/admin.token.")
    Path tokenFile;

    @Option(names = "--timeout", defaultValue = "300s", converter = DurationConverter.class,
            description = "Give up waiting after this long (default: ${DEFAULT-VALUE}); the operation goes on.")
    Duration timeout;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    /** The path and query to POST, e.g. {@code /api/deploy?version=v2&strategy=rolling}; null after a usage error. */
    abstract String request(PrintWriter err);

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String path = request(err);
        if (path == null) {
            return 2;
        }
        String token = readToken(dataDir, tokenFile, err);
        if (token == null) {
            return 1;
        }
        ObjectMapper mapper = new ObjectMapper();
        try {
            HttpResponse<String> started = http.send(HttpRequest.newBuilder(admin.resolve(path))
                    .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.noBody())
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode op = mapper.readTree(started.body());
            if (started.statusCode() != 202) {
                err.println(started.statusCode() + ": " + op.path("error").asText(started.body()));
                err.flush();
                return 1;
            }
            out.println(op.path("description").asText());
            out.flush();
            long id = op.path("id").asLong();
            int printed = 0;
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                HttpResponse<String> now = http.send(HttpRequest.newBuilder(admin.resolve("/api/operation")).GET()
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                op = mapper.readTree(now.body());
                if (op.path("id").asLong() != id) {
                    err.println("the admin server reports another operation now: " + op.path("description").asText());
                    return 1;
                }
                JsonNode steps = op.path("steps");
                for (; printed < steps.size(); printed++) {
                    JsonNode step = steps.get(printed);
                    out.printf("  %s  %-9s %s%n", TIME.format(Instant.ofEpochMilli(step.path("at").asLong())),
                            step.path("host").asText(), step.path("text").asText());
                }
                out.flush();
                String state = op.path("state").asText();
                if (!state.equals("running")) {
                    (state.equals("done") ? out : err).println(state + ": " + op.path("result").asText());
                    out.flush();
                    err.flush();
                    return state.equals("done") ? 0 : 1;
                }
                if (System.nanoTime() > deadline) {
                    err.println("still running after " + timeout.toSeconds() + " s; GET " + admin.resolve(
                            "/api/operation") + " shows how far it is");
                    return 1;
                }
                Thread.sleep(POLL.toMillis());
            }
        } catch (IOException e) {
            return OperationCommand.unreachable(admin, e, err);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    /**
     * The stack's admin token, from {@code tokenFile} or else {@code <dataDir>/admin.token}; null, after saying why on
     * {@code err}, when it cannot be read.
     */
    static String readToken(Path dataDir, Path tokenFile, PrintWriter err) {
        Path file = tokenFile != null ? tokenFile : dataDir.resolve(Stack.TOKEN_FILE);
        try {
            return Files.readString(file).trim();
        } catch (NoSuchFileException e) {
            err.println("no token at " + file + ": the stack writes it there when it starts; give --data-dir "
                    + "(the stack's) or --token-file");
        } catch (IOException e) {
            err.println("cannot read the token from " + file + ": " + e.getMessage());
        }
        return null;
    }

    /** Says that the admin server could not be reached, and where to look; the exit code of that, 1. */
    static int unreachable(URI admin, IOException e, PrintWriter err) {
        err.println("cannot reach the admin server at " + admin + " (" + e.getMessage()
                + "): is the stack running? --admin points elsewhere");
        return 1;
    }

    /** "300s", "2m", "500ms". */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m)").matcher(value);
            if (!m.matches()) {
                throw new CommandLine.TypeConversionException("a duration like 300s, 2m or 500ms, not " + value);
            }
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                default -> Duration.ofMinutes(n);
            };
        }
    }
}
