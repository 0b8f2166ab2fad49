package org.foobarstack.doh;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.foobarstack.dns.DnsServer;
import org.foobarstack.dns.DnsServerConfig;
import org.foobarstack.http.WebServer;
import org.foobarstack.http.WebServerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Fuzzes the DoH endpoint's decoding of a DNS query (RFC 8484 §4.1): the {@code dns} parameter of a GET (or HEAD),
 * base64url, and the body of a POST. The endpoint runs as it does in the stack: a {@link WebServer} with the
 * {@code /dns-query} route, asking a real {@link DnsServer} on the laboratory zone; the test is its HTTP client, one
 * connection per input.
 *
 * <p>The input's first byte picks the request (mod 5): GET, POST as {@code application/dns-message}, HEAD, POST as
 * another media type, PUT. The rest is the query string of a GET or HEAD (bytes a request-target cannot hold are
 * percent-encoded but for unreserved characters, '=' and '&', so that the request itself is always valid HTTP) or the body of a POST or PUT.
 *
 * <p>For any input:
 * <ul>
 *   <li>one well-formed HTTP response comes back, within 10 s, never a 5xx other than 503 (busy);</li>
 *   <li>PUT is 405 with an Allow header; a POST of another media type is 415;</li>
 *   <li>200 carries {@code application/dns-message}, a DNS response (QR set) that dnsjava reads, with the ID of
 *       the query that was sent;</li>
 *   <li>a POST whose body dnsjava reads as a query (12 bytes at least, QR clear) is answered 200, never refused;
 *       the same for a GET whose {@code dns} value is such a query in base64url;</li>
 *   <li>HEAD has no body.</li>
 * </ul>
 */
class DohEndpointFuzzTest {

    private static final int GET = 0;
    private static final int POST = 1;
    private static final int HEAD = 2;
    private static final int POST_OTHER_TYPE = 3;
    private static final int PUT = 4;
    /** Statuses the endpoint answers with by design (DohProblem, and 200). */
    private static final Set<Integer> STATUSES = Set.of(200, 400, 405, 413, 415, 503);

    private static Path data;
    private static DnsServer dns;
    private static DohHandler doh;
    private static WebServer web;

    @BeforeAll
    static void start() throws IOException {
        data = Files.createTempDirectory("doh-fuzz");
        Path zones = Files.createDirectories(data.resolve("zones"));
        try (InputStream zone = DohEndpointFuzzTest.class.getResourceAsStream("/zones/foobar.com.zone")) {
            Files.copy(zone, zones.resolve("foobar.com.zone"));
        }
        dns = new DnsServer(DnsServerConfig.builder().port(0).zonesDirectory(zones).build());
        dns.start();
        doh = new DohHandler(dns.udpAddress(), null, Duration.ofSeconds(5));
        web = new WebServer(WebServerConfig.builder().httpPort(0).httpsEnabled(false)
                .dataDirectory(data.resolve("web")).build());
        web.addRoute(DohHandler.PATH, doh);
        web.start();
    }

    @AfterAll
    static void stop() throws IOException {
        if (web != null) {
            web.close();
        }
        if (doh != null) {
            doh.close();
        }
        if (dns != null) {
            dns.close();
        }
        if (data != null) {
            try (Stream<Path> files = Files.walk(data)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @FuzzTest(maxDuration = "5m")
    void dnsQuery(byte[] input) throws IOException {
        int shape = input.length == 0 ? GET : (input[0] & 0xff) % 5;
        byte[] payload = input.length == 0 ? input : Arrays.copyOfRange(input, 1, input.length);
        String method = switch (shape) {
            case GET -> "GET";
            case HEAD -> "HEAD";
            case PUT -> "PUT";
            default -> "POST";
        };
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        byte[] query;
        if (shape == GET || shape == HEAD) {
            request.writeBytes(ascii(method + " " + DohHandler.PATH + "?" + percentEncoded(payload) + " HTTP/1.1\r\n"
                    + "Host: www.foobar.com\r\nConnection: close\r\n\r\n"));
            query = dnsParameter(payload);
        } else {
            String type = shape == POST_OTHER_TYPE ? "application/octet-stream" : DohHandler.MEDIA_TYPE;
            request.writeBytes(ascii(method + " " + DohHandler.PATH + " HTTP/1.1\r\nHost: www.foobar.com\r\n"
                    + "Content-Type: " + type + "\r\nContent-Length: " + payload.length
                    + "\r\nConnection: close\r\n\r\n"));
            request.writeBytes(payload);
            query = shape == POST ? payload : null;
        }

        Response response = exchange(request.toByteArray(), shape == HEAD);
        if (response == null) {
            throw new AssertionError("the connection was closed without a response to "
                    + printable(request.toByteArray()));
        }
        String context = "\nrequest: " + printable(request.toByteArray()) + "\nresponse: " + response;
        if (!STATUSES.contains(response.status)) {
            throw new AssertionError("status " + response.status + context);
        }
        if (shape == PUT && (response.status != 405 || response.header("allow") == null)) {
            throw new AssertionError("PUT is 405 with Allow" + context);
        }
        if (shape == POST_OTHER_TYPE && response.status != 415) {
            throw new AssertionError("another media type is 415" + context);
        }
        if (shape == HEAD && response.body.length != 0) {
            throw new AssertionError("a body in the response to HEAD" + context);
        }
        boolean readableQuery = query != null && query.length >= 12 && (query[2] & 0x80) == 0 && parses(query);
        if (readableQuery && response.status != 200 && response.status != 503) {
            throw new AssertionError("a query dnsjava reads was refused" + context);
        }
        if (response.status == 200) {
            if (!DohHandler.MEDIA_TYPE.equals(response.header("content-type"))) {
                throw new AssertionError("200 without " + DohHandler.MEDIA_TYPE + context);
            }
            if (shape != HEAD) {
                Message answer = new Message(response.body);
                if (!answer.getHeader().getFlag(Flags.QR)) {
                    throw new AssertionError("the answer is not a DNS response" + context);
                }
                if (query != null && query.length >= 2
                        && answer.getHeader().getID() != (((query[0] & 0xff) << 8) | (query[1] & 0xff))) {
                    throw new AssertionError("the answer has ID " + answer.getHeader().getID() + context);
                }
            }
        }
    }

    // ---------------------------------------------------------------- the HTTP client

    private record Response(int status, String head, byte[] body) {
        String header(String name) {
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                    return line.substring(colon + 1).trim();
                }
            }
            return null;
        }

        @Override
        public String toString() {
            return head.replace("\r\n", " | ") + " body " + body.length + " bytes";
        }
    }

    /**
     * Sends one request on a new connection and reads the one response, to the close the request asked for; null
     * when the connection closed without a byte.
     */
    private static Response exchange(byte[] request, boolean head) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(web.httpAddress(), 5000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request);
            out.flush();
            byte[] all;
            try {
                all = socket.getInputStream().readAllBytes();
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no complete answer within 10 s to " + printable(request));
            }
            if (all.length == 0) {
                return null;
            }
            String text = new String(all, StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            if (!text.startsWith("HTTP/1.1 ") || end < 0 || text.length() < 12) {
                throw new AssertionError("not an HTTP response: " + printable(all) + "\nrequest: "
                        + printable(request));
            }
            String headText = text.substring(0, end);
            int status = Integer.parseInt(text.substring(9, 12));
            byte[] body = Arrays.copyOfRange(all, end + 4, all.length);
            Response response = new Response(status, headText, body);
            String length = response.header("content-length");
            if (!head && (length == null || Integer.parseInt(length) != body.length)) {
                throw new AssertionError("Content-Length " + length + " but " + body.length + " body bytes: "
                        + response);
            }
            return response;
        }
    }

    // ---------------------------------------------------------------- helpers

    /**
     * The bytes as a query string any request-target check lets through: unreserved characters (RFC 3986 §2.3),
     * '=' and '&' as they are, everything else percent-encoded. The endpoint's decoding is under test here, not the
     * HTTP parser's reading of targets.
     */
    private static String percentEncoded(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (byte b : bytes) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~=&".indexOf(c) >= 0) {
                sb.append((char) c);
            } else {
                sb.append(String.format(Locale.ROOT, "%%%02X", c));
            }
        }
        return sb.toString();
    }

    /**
     * The query a GET carries, read as RFC 8484 §4.1 and the form encoding say: the first {@code dns} parameter of
     * the query string as sent (percent-encoded as above), percent-decoded, then base64url; null when there is none,
     * or when it is not base64url.
     */
    private static byte[] dnsParameter(byte[] queryString) {
        for (String pair : percentEncoded(queryString).split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            if (!key.equals("dns")) {
                continue;
            }
            try {
                String value = java.net.URLDecoder.decode(eq < 0 ? "" : pair.substring(eq + 1), StandardCharsets.UTF_8);
                return Base64.getUrlDecoder().decode(value);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return null;
    }

    private static boolean parses(byte[] query) {
        try {
            new Message(query);
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String printable(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (byte b : bytes) {
            int c = b & 0xff;
            sb.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format(Locale.ROOT, "\\x%02x", c));
        }
        return sb.toString();
    }
}
