package org.foobarstack.loadgen;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A crude HTTP/1.1 server for the tests: a thread per connection that reads request heads (and skips bodies by
 * their Content-Length) and lets the test decide what happens to each request. It counts connections and requests
 * so that a test can check what the generator did on the wire.
 */
public final class TestHttpServer implements AutoCloseable {

    /** What the server does with one request; it may block (each connection has its own thread). */
    @FunctionalInterface
    public interface Behaviour {
        void handle(Exchange exchange) throws IOException, InterruptedException;
    }

    private final ServerSocket serverSocket;
    private final Behaviour behaviour;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "test-http-server");
        t.setDaemon(true);
        return t;
    });
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();

    private TestHttpServer(Behaviour behaviour) throws IOException {
        this.behaviour = behaviour;
        this.serverSocket = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        threads.execute(this::acceptLoop);
    }

    public static TestHttpServer start(Behaviour behaviour) throws IOException {
        return new TestHttpServer(behaviour);
    }

    /** Answers every request 200 with a 2-byte body, keeping the connection open. */
    public static TestHttpServer ok() throws IOException {
        return start(exchange -> exchange.respond(200));
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(serverSocket.getInetAddress(), serverSocket.getLocalPort());
    }

    public int port() {
        return serverSocket.getLocalPort();
    }

    /** Connections accepted so far. */
    public int connections() {
        return connections.get();
    }

    /** Request heads read so far. */
    public int requests() {
        return requests.get();
    }

    private void acceptLoop() {
        while (!serverSocket.isClosed()) {
            try {
                Socket socket = serverSocket.accept();
                connections.incrementAndGet();
                sockets.add(socket);
                threads.execute(() -> serve(socket));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            while (!socket.isClosed()) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                String[] requestLine = head.substring(0, head.indexOf("\r\n")).split(" ");
                in.skipNBytes(contentLength(head));
                int number = requests.incrementAndGet();
                behaviour.handle(new Exchange(number, requestLine[0], requestLine[1], head, socket, out));
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            // the client went away, or the test closed the server
        } finally {
            sockets.remove(socket);
        }
    }

    /** The head up to and including the empty line, or null when the connection closed between requests. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
            if (matched == 4) {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    private static long contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                return Long.parseLong(line.substring("content-length:".length()).trim());
            }
        }
        return 0;
    }

    @Override
    public void close() throws IOException {
        serverSocket.close();
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        threads.shutdownNow();
    }

    /** One request and the means to answer it (or not). */
    public static final class Exchange {
        private final int number;
        private final String method;
        private final String target;
        private final String head;
        private final Socket socket;
        private final OutputStream out;

        Exchange(int number, String method, String target, String head, Socket socket, OutputStream out) {
            this.number = number;
            this.method = method;
            this.target = target;
            this.head = head;
            this.socket = socket;
            this.out = out;
        }

        /** 1 for the first request the server read, over all connections. */
        public int number() {
            return number;
        }

        public String method() {
            return method;
        }

        public String target() {
            return target;
        }

        /** The address the client connected from. */
        public InetAddress remoteAddress() {
            return socket.getInetAddress();
        }

        /** The request line and header section as received. */
        public String head() {
            return head;
        }

        public void respond(int status) throws IOException {
            writeRaw("HTTP/1.1 " + status + " Test\r\nContent-Length: 2\r\n\r\nok");
        }

        /** Answers {@code status} with these header field lines, e.g. "X-App-Version: v1", keeping it open. */
        public void respond(int status, String... fieldLines) throws IOException {
            StringBuilder head = new StringBuilder("HTTP/1.1 " + status + " Test\r\n");
            for (String line : fieldLines) {
                head.append(line).append("\r\n");
            }
            writeRaw(head + "Content-Length: 2\r\n\r\nok");
        }

        /** Answers with "Connection: close", then closes the connection as that header promises. */
        public void respondAndClose(int status) throws IOException {
            writeRaw("HTTP/1.1 " + status + " Test\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
            socket.shutdownOutput();
            socket.close();
        }

        /** Closes with a RST instead of a FIN: SO_LINGER 0 makes close() abort the connection. */
        public void reset() throws IOException {
            try {
                socket.setSoLinger(true, 0);
            } catch (SocketException alreadyClosed) {
                // nothing to reset
            }
            socket.close();
        }

        /** Closes normally (FIN) without a byte of response. */
        public void close() throws IOException {
            socket.close();
        }

        public void writeRaw(String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }
    }
}
