package org.foobarstack.vrrp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * What a balancer does with the virtual address on loopback: listen on it while MASTER, and stop when it is not.
 * Here the listener answers every connection with the balancer's name, so a test can ask, as a client would,
 * "who answers on the virtual address now?".
 */
final class VirtualAddressListener {

    private final String name;
    private final int port;
    private ServerSocket socket;

    VirtualAddressListener(String name, int port) {
        this.name = name;
        this.port = port;
    }

    /** The {@code onAcquire} hook: listen on the virtual address. Fails if someone else still listens there. */
    synchronized void acquire(InetAddress virtualAddress) {
        try {
            ServerSocket listening = new ServerSocket();
            listening.bind(new InetSocketAddress(virtualAddress, port));
            socket = listening;
            Thread acceptor = new Thread(() -> answer(listening), name + "-listener");
            acceptor.setDaemon(true);
            acceptor.start();
        } catch (IOException e) {
            throw new UncheckedIOException(name + " cannot listen on " + virtualAddress.getHostAddress() + ":" + port,
                    e);
        }
    }

    /** The {@code onRelease} hook: stop listening. */
    synchronized void release(InetAddress virtualAddress) {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            socket = null;
        }
    }

    synchronized boolean listening() {
        return socket != null;
    }

    private void answer(ServerSocket listening) {
        while (!listening.isClosed()) {
            try (Socket client = listening.accept(); OutputStream out = client.getOutputStream()) {
                out.write((name + "\n").getBytes(StandardCharsets.US_ASCII));
            } catch (IOException closedOrClientGone) {
                // closed: the loop ends; a client that left: the next one
            }
        }
    }

    /** Connects to {@code address} as a client and returns the name it is answered with, or "nobody". */
    static String whoAnswers(InetSocketAddress address) {
        try (Socket client = new Socket()) {
            client.connect(address, 1_000);
            client.setSoTimeout(1_000);
            String line = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
            return line == null ? "nobody" : line;
        } catch (IOException refused) {
            return "nobody";
        }
    }
}
