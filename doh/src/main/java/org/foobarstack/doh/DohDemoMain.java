package org.foobarstack.doh;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.foobarstack.dns.DnsServer;
import org.foobarstack.dns.DnsServerConfig;
import org.foobarstack.http.WebServer;
import org.foobarstack.http.WebServerConfig;
import org.foobarstack.trace.Hop;
import org.foobarstack.trace.TraceHub;
import org.foobarstack.trace.TraceRecorder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The DNS tier and the web tier with its DoH route, and nothing else: what a browser needs to
 * resolve www.foobar.com through our DNS and load the site (docs/browser-doh.md). The app tier is
 * not started, so {@code /api/*} answers 502.
 *
 * <pre>
 * java -cp ... org.foobarstack.doh.DohDemoMain [--bind 127.0.0.1] [--dns-port 5300]
 *      [--http-port 8080] [--https-port 8443] [--data-dir DIR]
 * </pre>
 *
 * It prints the addresses, the DoH template, the CA certificate's path and the base64 SHA-256 of
 * the web certificate's public key (for Chromium's {@code --ignore-certificate-errors-spki-list}),
 * then {@code doh demo: ready}. On exit (Ctrl+C, SIGTERM) it prints every DNS hop recorded by the
 * DNS tier and by the DoH endpoint, one line each.
 */
@Command(name = "DohDemoMain", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs the DNS tier and the web tier with its DoH route (/dns-query), and no app tier.",
                "Prints the addresses, the DoH template and the certificate's SPKI hash, then 'doh demo: ready';"
                        + " on SIGINT or SIGTERM it prints every DNS hop recorded and stops."})
public final class DohDemoMain implements Callable<Integer> {

    @Option(names = "--bind", paramLabel = "ADDR", defaultValue = "127.0.0.1",
            description = "Address both tiers listen on, and www.foobar.com's address (default: ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--dns-port", paramLabel = "N", defaultValue = "" + DnsServerConfig.DEFAULT_PORT,
            description = "DNS server UDP and TCP port (default: ${DEFAULT-VALUE}).")
    int dnsPort;

    @Option(names = "--http-port", paramLabel = "N", defaultValue = "" + WebServerConfig.DEFAULT_HTTP_PORT,
            description = "Web server HTTP port (default: ${DEFAULT-VALUE}).")
    int httpPort;

    @Option(names = "--https-port", paramLabel = "N", defaultValue = "" + WebServerConfig.DEFAULT_HTTPS_PORT,
            description = "Web server HTTPS port, where /dns-query answers (default: ${DEFAULT-VALUE}).")
    int httpsPort;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "data/web",
            description = "The web server's site and certificates (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    private DohDemoMain() {
    }

    public static void main(String[] args) {
        int code = new CommandLine(new DohDemoMain()).execute(args);
        // 0 after a stop by signal: the JVM is already shutting down, and exit() would wait on its own hooks
        if (code != 0) {
            System.exit(code);
        }
    }

    @Override
    public Integer call() throws Exception {
        TraceHub hub = new TraceHub();
        TraceRecorder dnsRecorder = hub.newRecorder("dns", "dns-1");
        TraceRecorder webRecorder = hub.newRecorder("web", "web-1");
        DnsServer dns = new DnsServer(DnsServerConfig.builder().bindAddress(bind).port(dnsPort).webAddress(bind)
                .traceRecorder(dnsRecorder).build());
        dns.start();
        DohHandler doh = new DohHandler(dns.udpAddress(), webRecorder, Duration.ofSeconds(3));
        WebServer web = new WebServer(WebServerConfig.builder().bindAddress(bind).httpPort(httpPort)
                .httpsPort(httpsPort).dataDirectory(dataDir).build());
        web.addRoute(DohHandler.PATH, doh);
        try {
            web.start();
        } catch (IOException e) {
            dns.close();
            throw e;
        }

        PrintStream out = System.out;
        InetSocketAddress https = web.httpsAddress();
        out.println("doh demo: dns " + host(dns.udpAddress()) + " (UDP and TCP)");
        out.println("doh demo: web http://" + host(web.httpAddress()) + "/ and https://" + host(https) + "/");
        out.println("doh demo: DoH template https://" + host(https) + DohHandler.PATH + "{?dns}");
        out.println("doh demo: CA certificate " + web.caCertificate());
        out.println("doh demo: server certificate SPKI sha256 " + spkiSha256(web.caCertificate().resolveSibling("server.pem")));
        out.println("doh demo: ready");
        out.flush();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            web.close();
            doh.close();
            dns.close();
            for (TraceRecorder recorder : new TraceRecorder[] {dnsRecorder, webRecorder}) {
                for (Hop hop : recorder.hops()) {
                    out.println("doh demo: hop " + hop.tier() + "/" + hop.instance() + " " + hop.protocol() + " "
                            + hop.direction().name().toLowerCase(java.util.Locale.ROOT) + " " + hop.summary()
                            + " peer " + hop.peer() + " trace " + hop.traceId());
                }
            }
            out.println("doh demo: stopped");
            out.flush();
            stopped.countDown();
        }, "doh-demo-stop"));
        stopped.await();
        return 0;
    }

    private static String host(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    /**
     * Base64 of the SHA-256 of the certificate's SubjectPublicKeyInfo (DER): the form Chromium's
     * {@code --ignore-certificate-errors-spki-list} and HPKP pins use.
     */
    static String spkiSha256(Path pemChain) throws IOException, CertificateException, NoSuchAlgorithmException {
        try (InputStream in = Files.newInputStream(pemChain)) {
            X509Certificate leaf = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificates(in).iterator().next();
            byte[] spki = leaf.getPublicKey().getEncoded();
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(spki));
        }
    }
}
