package org.foobarstack.walk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * walk against a DNS server it did not grow up with: NLnet Labs' NSD, authoritative for foobar.com on
 * loopback. One name answers normally; another has 100 A records, more than fit in the 1232 bytes the query advertises with EDNS, so NSD
 * answers a query without EDNS with TC=1 and walk must ask again over TCP.
 */
class WalkNsdInteropTest {

    private static final Path NSD = Path.of("/usr/sbin/nsd");
    private static final int MANY = 100;

    @TempDir
    static Path dir;
    private static Process nsd;
    private static int port;
    private static HttpServer http;

    @BeforeAll
    static void start() throws Exception {
        if (String.valueOf(System.getenv("CI")).matches("true|1")) {
            assertThat(NSD).as("nsd (Debian package nsd) is needed for this test").isExecutable();
        } else {
            assumeThat(Files.isExecutable(NSD)).as("nsd installed").isTrue();
        }
        port = freePort();
        StringBuilder zone = new StringBuilder("""
                $ORIGIN foobar.com.
                $TTL 3600
                @   IN SOA ns1.foobar.com. hostmaster.foobar.com. 1 3600 600 86400 3600
                @   IN NS  ns1.foobar.com.
                ns1 IN A   127.0.0.1
                www IN A   127.0.0.1
                """);
        for (int i = 1; i <= MANY; i++) {
            zone.append("many IN A 127.0.0.").append(i).append('\n');
        }
        Files.writeString(dir.resolve("foobar.com.zone"), zone);
        Files.writeString(dir.resolve("nsd.conf"), String.join("\n",
                "server:",
                "  ip-address: 127.0.0.1@" + port,
                "  username: \"\"",
                "  chroot: \"\"",
                "  zonesdir: \"" + dir + "\"",
                "  database: \"\"",
                "  pidfile: \"" + dir.resolve("nsd.pid") + "\"",
                "  xfrdfile: \"" + dir.resolve("xfrd.state") + "\"",
                "  zonelistfile: \"" + dir.resolve("zone.list") + "\"",
                "  logfile: \"" + dir.resolve("nsd.log") + "\"",
                "  server-count: 1",
                "remote-control:",
                "  control-enable: no",
                "zone:",
                "  name: foobar.com",
                "  zonefile: foobar.com.zone",
                ""));
        nsd = new ProcessBuilder(NSD.toString(), "-d", "-c", dir.resolve("nsd.conf").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("nsd.out").toFile()).start();
        awaitAnswers();
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/", exchange -> {
            byte[] body = "served".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        http.start();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (http != null) {
            http.stop(0);
        }
        if (nsd != null) {
            nsd.destroy();
            if (!nsd.waitFor(10, TimeUnit.SECONDS)) {
                nsd.destroyForcibly();
            }
        }
    }

    /** A port free on both UDP and TCP right now (NSD listens on both). */
    private static int freePort() throws IOException {
        for (int attempt = 0; attempt < 20; attempt++) {
            try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
                 ServerSocket tcp = new ServerSocket()) {
                tcp.bind(new InetSocketAddress("127.0.0.1", udp.getLocalPort()));
                return udp.getLocalPort();
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no port free on both UDP and TCP");
    }

    /** NSD is an external process: poll it with a deadline until it answers. */
    private static void awaitAnswers() throws Exception {
        SimpleResolver resolver = new SimpleResolver(new InetSocketAddress("127.0.0.1", port));
        resolver.setTimeout(Duration.ofMillis(200));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            assertThat(nsd.isAlive()).as("nsd running; its output: " + Files.readString(dir.resolve("nsd.out")))
                    .isTrue();
            try {
                Message answer = resolver.send(Message.newQuery(
                        Record.newRecord(Name.fromString("www.foobar.com."), Type.A, DClass.IN)));
                if (!answer.getSection(1).isEmpty()) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
        }
        throw new AssertionError("nsd did not answer within 20 s; log: " + Files.readString(dir.resolve("nsd.out")));
    }

    private static String walk(WalkRequest request, int expectedExit) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = Walk.run(request, false, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as(text).isEqualTo(expectedExit);
        return text;
    }

    private static List<String> headings(String out) {
        List<String> headings = new ArrayList<>();
        out.lines().filter(l -> l.matches("^\\[\\d+] .*")).forEach(headings::add);
        return headings;
    }

    @Test
    void walksThroughNsdsAnswerToTheWebServer() {
        String out = walk(WalkRequest.builder("http://www.foobar.com:" + http.getAddress().getPort() + "/")
                .dns("127.0.0.1:" + port).build(), 0);

        assertThat(headings(out)).hasSize(5);
        assertThat(headings(out).get(1)).contains("DNS received  answer NOERROR, authoritative, A 127.0.0.1 over UDP");
        assertThat(out).contains("flags: qr aa rd").contains("< HTTP/1.1 200 OK").contains("served");
    }

    @Test
    void nsdsTruncatedAnswerIsRetriedOverTcp() throws IOException {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        // Nothing listens on the closed port: the walk ends at the connect, after its DNS hops.
        String out = walk(WalkRequest.builder("http://many.foobar.com:" + closed + "/").dns("127.0.0.1:" + port)
                .build(), 7);

        List<String> headings = headings(out);
        assertThat(headings.get(0)).contains("DNS sent  query many.foobar.com. A over UDP");
        assertThat(headings.get(1)).contains("DNS received  answer NOERROR, TC=1 (truncated)");
        assertThat(headings.get(2)).contains("DNS sent  query many.foobar.com. A over TCP");
        assertThat(headings.get(3)).contains("DNS received  answer NOERROR, authoritative, A 127.0.0.")
                .contains("and 97 more records over TCP");
        // over TCP the header sits after the 2-byte length, so ANCOUNT is at offset 8
        assertThat(out).contains("Answer RRs [8+2]: " + MANY).contains("walk stopped: failed to connect");
    }
}
