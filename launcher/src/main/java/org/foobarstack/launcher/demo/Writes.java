package org.foobarstack.launcher.demo;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The database act's writer: posts one guestbook message at a time, at a steady rate, through the site's front,
 * and keeps what each post got: the status, and for a 201 the id the database gave the message. An acknowledged
 * write is one that got its 201: the primary committed it before answering.
 *
 * <p>Each post is its own HTTP/1.1 exchange on a fresh connection ({@code Connection: close}): nothing is reused
 * across the kill, so each answer is the stack's answer at that moment. One write at a time: while writes are
 * slow (a refused one first waits for a connection to the dead primary), fewer are sent, and none is made up
 * afterwards.
 */
public final class Writes implements AutoCloseable {

    private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*(\\d+)");
    private static final int TIMEOUT_MILLIS = 5_000;

    /** One post: when it was sent (ms since the act's start), its status (0: no answer), and the id of a 201. */
    public record Write(int n, long atMillis, int status, long id) {
        public boolean acknowledged() {
            return status == 201;
        }
    }

    private final InetSocketAddress front;
    private final int perSecond;
    private final long startNanos;
    private final List<Write> done = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean stop;

    Writes(InetSocketAddress front, int perSecond, long startNanos) {
        this.front = front;
        this.perSecond = perSecond;
        this.startNanos = startNanos;
        this.thread = new Thread(this::run, "demo writes");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    List<Write> done() {
        return List.copyOf(done);
    }

    private void run() {
        long interval = 1_000_000_000L / perSecond;
        long next = System.nanoTime();
        for (int n = 1; !stop; n++) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                try {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                } catch (InterruptedException e) {
                    return;
                }
            }
            long at = (System.nanoTime() - startNanos) / 1_000_000;
            done.add(post(n, at));
            // the next write one interval after this one was due, or now if this one took longer: a writer that
            // fell behind while writes were slow does not then catch up in a burst
            next = Math.max(next + interval, System.nanoTime());
        }
    }

    private Write post(int n, long at) {
        byte[] body = ("{\"author\":\"demo\",\"body\":\"write " + n + "\"}").getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket()) {
            socket.connect(front, TIMEOUT_MILLIS);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/messages HTTP/1.1\r\nHost: www.foobar.com\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            String response = readAll(socket.getInputStream());
            int status = response.length() >= 12 ? Integer.parseInt(response.substring(9, 12)) : 0;
            Matcher id = ID.matcher(response);
            return new Write(n, at, status, status == 201 && id.find() ? Long.parseLong(id.group(1)) : -1);
        } catch (IOException | NumberFormatException e) {
            return new Write(n, at, 0, -1);
        }
    }

    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        in.transferTo(bytes);
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        thread.join(TIMEOUT_MILLIS * 2L);
    }
}
