package org.foobarstack.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.foobarstack.launcher.hosts.LbTierRuntime;
import org.foobarstack.topology.Role;
import org.foobarstack.topology.ShippedTopologies;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped {@code secured} design, running (on 127.0.92.x): the site answers over HTTPS only, with HSTS, and
 * every server's firewall leaves a visitor who goes around the balancer without an answer.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class SecuredDesignTest {

    @TempDir
    static Path data;

    static Stack stack;

    @BeforeAll
    static void start() {
        stack = new Stack(StackConfig.builder().topology(ShippedTopologies.load("secured").relocated(92))
                .adminPort(0).dataDir(data).build());
        stack.start(line -> { });
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    static String overTls(String path) throws Exception {
        return BalancerTls.get((LbTierRuntime) stack.context().tiers(Role.LB).get(0),
                new InetSocketAddress("127.0.92.10", 8443), path);
    }

    static String overPlainHttp(String path) throws Exception {
        try (Socket socket = new Socket("127.0.92.10", 8080)) {
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: www.foobar.com\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void theSiteAnswersOverHttpsAndSendsPlainHttpThere() throws Exception {
        String https = overTls("/api/messages");
        String plain = overPlainHttp("/api/messages");

        assertThat(https).startsWith("HTTP/1.1 200").contains("Strict-Transport-Security: max-age=31536000");
        assertThat(plain).startsWith("HTTP/1.1 301").contains("Location: https://www.foobar.com:8443/api/messages")
                .doesNotContain("Strict-Transport-Security");
    }

    @Test
    void goingAroundTheBalancerGetsNoAnswerFromAServerOrItsDatabase() throws Exception {
        for (InetSocketAddress around : new InetSocketAddress[] {
                new InetSocketAddress("127.0.92.11", 8080), new InetSocketAddress("127.0.92.11", 1527)}) {
            try (Socket socket = new Socket()) {
                socket.connect(around, 2000); // the kernel answers the handshake; the firewall drops the rest
                socket.getOutputStream().write("GET / HTTP/1.1\r\n\r\n".getBytes());
                socket.setSoTimeout(500);
                assertThat(catchThrowable(() -> socket.getInputStream().read())).as("%s", around)
                        .isInstanceOf(SocketTimeoutException.class);
            }
        }
    }
}
