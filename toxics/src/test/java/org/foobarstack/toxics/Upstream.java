package org.foobarstack.toxics;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A server for the proxy to forward to, on 127.0.0.1 and a free port: each connection first gets {@code greeting}
 * (then, if {@code closeAfterGreeting}, the close), and otherwise has everything it sends echoed back.
 */
final class Upstream implements AutoCloseable {

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool();

    Upstream(byte[] greeting, boolean closeAfterGreeting) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(() -> {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    threads.execute(() -> serve(socket, greeting, closeAfterGreeting));
                } catch (IOException closed) {
                    return;
                }
            }
        });
    }

    /** Echoes, with no greeting. */
    static Upstream echo() throws IOException {
        return new Upstream(new byte[0], false);
    }

    private static void serve(Socket socket, byte[] greeting, boolean closeAfterGreeting) {
        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
            out.write(greeting);
            out.flush();
            if (closeAfterGreeting) {
                return;
            }
            byte[] buffer = new byte[8192];
            for (int n; (n = in.read(buffer)) > 0; ) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException gone) {
            // the client went away
        }
    }

    InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    @Override
    public void close() throws IOException {
        server.close();
        threads.shutdownNow();
    }
}
