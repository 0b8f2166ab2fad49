package org.foobarstack.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Headless Chromium driven over the Chrome DevTools Protocol, with nothing but the JDK's WebSocket client and
 * Jackson: enough to load a page, click, press keys, read the DOM and take screenshots.
 *
 * <ol>
 *   <li>{@link #launch}: starts the browser with a fresh profile and {@code --remote-debugging-port=0}; the
 *       browser prints "DevTools listening on ws://127.0.0.1:PORT/devtools/browser/ID" and we connect there.</li>
 *   <li>One page target is created and attached in flat mode: its commands carry a {@code sessionId}.</li>
 *   <li>{@link #close}: closes the socket, ends the browser and deletes the profile.</li>
 * </ol>
 */
final class HeadlessChromium implements AutoCloseable {

    /** The flags every test browser runs with: no sandbox (root in a container), no network beyond what we ask. */
    static final List<String> FLAGS = List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-default-browser-check", "--disable-extensions", "--mute-audio", "--window-size=1400,1000");

    private static final Pattern DEVTOOLS = Pattern.compile("DevTools listening on (ws://\\S+)");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final List<Consumer<JsonNode>> eventListeners = new CopyOnWriteArrayList<>();
    private String sessionId;

    private HeadlessChromium(Process process, Path profile, URI browserEndpoint) {
        this.process = process;
        this.profile = profile;
        this.socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(browserEndpoint, new Listener()).orTimeout(10, TimeUnit.SECONDS).join();
    }

    static HeadlessChromium launch(Path binary, Path logFile) throws Exception {
        Path profile = Files.createTempDirectory("foobar-chromium-");
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.addAll(FLAGS);
        command.add("--user-data-dir=" + profile);
        command.add("--remote-debugging-port=0");
        command.add("about:blank");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        CompletableFuture<URI> endpoint = new CompletableFuture<>();
        Files.createDirectories(logFile.getParent());
        Thread reader = new Thread(() -> copyOutput(process, logFile, endpoint), "chromium-output");
        reader.setDaemon(true);
        reader.start();
        process.onExit().thenRun(() -> endpoint.completeExceptionally(new IOException(
                "chromium exited with " + process.exitValue() + " before DevTools listened; see " + logFile)));
        try {
            HeadlessChromium browser = new HeadlessChromium(process, profile,
                    endpoint.get(30, TimeUnit.SECONDS));
            browser.openPage();
            return browser;
        } catch (Exception e) {
            process.destroyForcibly();
            deleteTree(profile);
            throw e;
        }
    }

    private static void copyOutput(Process process, Path logFile, CompletableFuture<URI> endpoint) {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
             PrintWriter log = new PrintWriter(Files.newBufferedWriter(logFile, StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                log.println(line);
                log.flush();
                Matcher matcher = DEVTOOLS.matcher(line);
                if (matcher.find()) {
                    endpoint.complete(URI.create(matcher.group(1)));
                }
            }
        } catch (IOException e) {
            endpoint.completeExceptionally(e);
        }
    }

    private void openPage() throws Exception {
        String targetId = browserCommand("Target.createTarget", params().put("url", "about:blank"))
                .get("targetId").asText();
        sessionId = browserCommand("Target.attachToTarget", params().put("targetId", targetId).put("flatten", true))
                .get("sessionId").asText();
        command("Page.enable", params());
        command("Runtime.enable", params());
        command("Log.enable", params());
        command("Emulation.setDeviceMetricsOverride", params().put("width", 1400).put("height", 1300)
                .put("deviceScaleFactor", 1).put("mobile", false));
    }

    static ObjectNode params() {
        return JSON.createObjectNode();
    }

    /** Calls {@code listener} with every event of the page ({@code method}, {@code params}). */
    void onEvent(Consumer<JsonNode> listener) {
        eventListeners.add(listener);
    }

    JsonNode browserCommand(String method, ObjectNode params) throws Exception {
        return send(null, method, params);
    }

    /** A command to the page; returns its {@code result}. */
    JsonNode command(String method, ObjectNode params) throws Exception {
        return send(sessionId, method, params);
    }

    private JsonNode send(String session, String method, ObjectNode params) throws Exception {
        int id = ids.incrementAndGet();
        ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
        message.set("params", params);
        if (session != null) {
            message.put("sessionId", session);
        }
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, reply);
        socket.sendText(JSON.writeValueAsString(message), true).get(10, TimeUnit.SECONDS);
        JsonNode answer = reply.get(20, TimeUnit.SECONDS);
        if (answer.has("error")) {
            throw new IllegalStateException(method + " failed: " + answer.get("error"));
        }
        return answer.get("result");
    }

    void navigate(String url) throws Exception {
        command("Page.navigate", params().put("url", url));
    }

    /** Runs JavaScript in the page and returns its value (promises awaited). */
    JsonNode evaluate(String expression) throws Exception {
        JsonNode result = command("Runtime.evaluate", params().put("expression", expression)
                .put("returnByValue", true).put("awaitPromise", true));
        if (result.has("exceptionDetails")) {
            throw new IllegalStateException("page script failed: " + result.get("exceptionDetails"));
        }
        return result.get("result").get("value");
    }

    String text(String expression) throws Exception {
        JsonNode value = evaluate(expression);
        return value == null || value.isNull() ? null : value.asText();
    }

    /**
     * Waits until {@code condition} (JavaScript) is true in the page. The browser is another process that
     * renders and polls on its own schedule, so this asks again every 50 ms until the deadline.
     */
    void waitFor(String condition, long timeoutMillis) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            JsonNode value = evaluate("Boolean(" + condition + ")");
            if (value != null && value.asBoolean()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the page never satisfied: " + condition + "\nbody text: "
                        + text("document.body.innerText"));
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
    }

    /**
     * A real mouse click (pressed, released) at the middle of the element {@code selector} selects. Just after a
     * navigation the element can be in the DOM, and the script can have enabled it, before the page has been
     * painted once; Chromium drops input until that first paint, so that nobody clicks what they have not seen,
     * and the click would be lost. So it waits first for the page's first paint (its "paint" performance entry).
     */
    void click(String selector) throws Exception {
        waitFor("performance.getEntriesByType('paint').length > 0", 10_000);
        JsonNode box = evaluate("(() => { const e = document.querySelector(" + JSON.writeValueAsString(selector)
                + "); if (!e) return null; e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();"
                + " return {x: r.left + r.width / 2, y: r.top + r.height / 2}; })()");
        if (box == null || box.isNull()) {
            throw new AssertionError("nothing on the page matches " + selector);
        }
        for (String type : List.of("mouseMoved", "mousePressed", "mouseReleased")) {
            ObjectNode event = params().put("type", type).put("x", box.get("x").asDouble())
                    .put("y", box.get("y").asDouble());
            if (!type.equals("mouseMoved")) {
                event.put("button", "left").put("clickCount", 1);
            }
            command("Input.dispatchMouseEvent", event);
        }
    }

    /** A key press as the keyboard sends it: "ArrowRight" (39), "ArrowLeft" (37). */
    void press(String key, int keyCode) throws Exception {
        for (String type : List.of("rawKeyDown", "keyUp")) {
            command("Input.dispatchKeyEvent", params().put("type", type).put("key", key).put("code", key)
                    .put("windowsVirtualKeyCode", keyCode).put("nativeVirtualKeyCode", keyCode));
        }
    }

    void screenshot(Path file) throws Exception {
        JsonNode shot = command("Page.captureScreenshot", params().put("format", "png"));
        Files.createDirectories(file.getParent());
        Files.write(file, Base64.getDecoder().decode(shot.get("data").asText()));
    }

    @Override
    public void close() {
        try {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(2, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // the browser is ended below in any case
        }
        // Chromium's helper processes (network service, renderers) write into the profile too: end them with it,
        // listed before the browser goes, since once it has gone they are no longer its descendants
        List<ProcessHandle> helpers = process.descendants().toList();
        process.destroy();
        helpers.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            for (ProcessHandle helper : helpers) {
                try {
                    helper.onExit().get(5, TimeUnit.SECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    helper.destroyForcibly();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deleteTree(profile);
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) {
            // a temp dir left behind is harmless (a file may also vanish while the walk lists it)
        }
    }

    /** Collects a message's text frames, then hands a reply to its caller or an event to the listeners. */
    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                try {
                    JsonNode message = JSON.readTree(text);
                    if (message.has("id")) {
                        CompletableFuture<JsonNode> reply = pending.remove(message.get("id").asInt());
                        if (reply != null) {
                            reply.complete(message);
                        }
                    } else {
                        eventListeners.forEach(listener -> listener.accept(message));
                    }
                } catch (IOException e) {
                    pending.values().forEach(f -> f.completeExceptionally(e));
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            pending.values().forEach(f -> f.completeExceptionally(error));
        }
    }
}
