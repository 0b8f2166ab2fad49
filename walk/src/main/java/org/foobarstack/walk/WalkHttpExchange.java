package org.foobarstack.walk;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.foobarstack.trace.Direction;
import org.foobarstack.trace.Field;
import org.foobarstack.trace.Protocol;
import org.foobarstack.trace.TraceContext;
import org.foobarstack.trace.fields.HttpHeadFields;

/**
 * Steps 2 and 3 of a walk: open a TCP connection to the resolved address, shake hands over TLS for an
 * https URL, send one HTTP/1.1 request and read its response.
 *
 * <ol>
 *   <li>Connect: the kernel does the three-way handshake; we time it.</li>
 *   <li>TLS (https only): the JDK's TLS with hostname verification (RFC 9110 §4.3.4) and SNI; trust is
 *       the JDK's CAs, or only the PEM file given with {@code --cacert}.</li>
 *   <li>Send the head (request line, Host, our headers, traceparent, Content-Length when there is a body,
 *       {@code Connection: close} so that the end of the response is unambiguous) and the body.</li>
 *   <li>Read the response head up to its empty line, skip 1xx interim responses (RFC 9110 §15.2), then
 *       read the body as RFC 9112 §6.3 says: none for HEAD/204/304, chunked, Content-Length, or until
 *       the server closes.</li>
 * </ol>
 */
final class WalkHttpExchange {

    /** How large a response head may be before we call the reply broken. */
    private static final int MAX_HEAD = 64 * 1024;
    private static final String USER_AGENT = "foobar-stack-walk/1";

    private final WalkRequest request;
    private final StepLog log;
    private int status;
    /** The connection's socket, once connected: every step after the connect used it. */
    private SocketFlow flow;

    WalkHttpExchange(WalkRequest request, StepLog log) {
        this.request = request;
        this.log = log;
    }

    /** @return the response's status code */
    int run(InetAddress address, TraceContext context) throws WalkException {
        InetSocketAddress remote = new InetSocketAddress(address, request.port());
        String peer = address.getHostAddress() + ":" + request.port();
        int timeout = (int) Math.min(Integer.MAX_VALUE, request.timeout().toMillis());
        try (Socket tcp = new Socket()) {
            long connectStart = System.nanoTime();
            try {
                tcp.connect(remote, timeout);
            } catch (SocketTimeoutException e) {
                throw new WalkException(WalkFailure.TIMEOUT, "TCP connect to " + peer + " timed out after "
                        + timeout + " ms");
            } catch (ConnectException e) {
                throw new WalkException(WalkFailure.CONNECT, "TCP connect to " + peer + " failed: "
                        + e.getMessage() + " (is a server listening on that port?)");
            }
            long connected = System.nanoTime();
            tcp.setSoTimeout(timeout);
            String local = tcp.getLocalAddress().getHostAddress() + ":" + tcp.getLocalPort();
            flow = SocketFlow.tcp(tcp.getLocalPort(), remote);
            log.add(Protocol.TCP, Direction.SENT, "connect " + local + " -> " + peer, peer, connectStart, connected,
                    List.of(Field.info("Local address", local), Field.info("Remote address", peer),
                            Field.info("Handshake", "SYN, SYN-ACK, ACK done by the kernel (RFC 9293 §3.5)")),
                    List.of("*   Trying " + peer + "...",
                            "* Connected to " + request.host() + " (" + address.getHostAddress() + ") port "
                                    + request.port()), flow);
            Socket socket = request.https() ? handshake(tcp, peer) : tcp;
            try {
                send(socket, context, peer);
                return receive(socket, peer);
            } finally {
                if (socket != tcp) {
                    // closing the TLS socket sends close_notify (RFC 8446 §6.1) before the TCP FIN
                    socket.close();
                }
            }
        } catch (SocketTimeoutException e) {
            throw new WalkException(WalkFailure.TIMEOUT, "no complete response from " + peer + " within "
                    + timeout + " ms");
        } catch (SSLException e) {
            throw new WalkException(WalkFailure.TLS, "TLS with " + peer + " failed: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new WalkException(WalkFailure.IO, "connection to " + peer + " broke: " + e.getMessage(), e);
        }
    }

    int status() {
        return status;
    }

    private Socket handshake(Socket tcp, String peer) throws IOException, WalkException {
        SSLContext tls = tlsContext();
        SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(tcp, request.host(), request.port(), true);
        SSLParameters parameters = ssl.getSSLParameters();
        // RFC 9110 §4.3.4: the certificate must name the host we asked for.
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        if (!isIpLiteral(request.host())) {
            parameters.setServerNames(List.of(new SNIHostName(request.host())));
        }
        ssl.setSSLParameters(parameters);
        long start = System.nanoTime();
        ssl.startHandshake();
        long done = System.nanoTime();
        SSLSession session = ssl.getSession();
        List<Field> fields = new ArrayList<>();
        List<String> transcript = new ArrayList<>();
        fields.add(Field.info("Protocol", session.getProtocol()));
        fields.add(Field.info("Cipher suite", session.getCipherSuite()));
        transcript.add("* SSL connection using " + session.getProtocol() + " / " + session.getCipherSuite());
        Certificate[] chain = session.getPeerCertificates();
        String subject = "";
        if (chain.length > 0 && chain[0] instanceof X509Certificate) {
            X509Certificate leaf = (X509Certificate) chain[0];
            subject = leaf.getSubjectX500Principal().getName();
            List<Field> cert = new ArrayList<>();
            cert.add(Field.info("Subject", subject));
            cert.add(Field.info("Issuer", leaf.getIssuerX500Principal().getName()));
            cert.add(Field.info("Not before", leaf.getNotBefore().toInstant().toString()));
            cert.add(Field.info("Not after", leaf.getNotAfter().toInstant().toString()));
            String names = subjectAltNames(leaf);
            cert.add(Field.info("Subject alternative names", names));
            fields.add(Field.group("Server certificate", Field.NO_OFFSET, 0, subject, cert));
            transcript.add("* Server certificate:");
            transcript.add("*  subject: " + subject);
            transcript.add("*  start date: " + leaf.getNotBefore().toInstant());
            transcript.add("*  expire date: " + leaf.getNotAfter().toInstant());
            transcript.add("*  subjectAltName: " + names);
            transcript.add("*  issuer: " + leaf.getIssuerX500Principal().getName());
            transcript.add("*  SSL certificate verify ok.");
        }
        log.add(Protocol.TLS, Direction.RECEIVED, session.getProtocol() + " " + session.getCipherSuite()
                + (subject.isEmpty() ? "" : ", certificate " + subject), peer, start, done, fields, transcript, flow);
        return ssl;
    }

    private SSLContext tlsContext() throws WalkException {
        try {
            if (request.caCert() == null) {
                return SSLContext.getDefault();
            }
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            Collection<? extends Certificate> certificates;
            try (InputStream pem = Files.newInputStream(request.caCert())) {
                certificates = CertificateFactory.getInstance("X.509").generateCertificates(pem);
            }
            if (certificates.isEmpty()) {
                throw new WalkException(WalkFailure.TLS, "no certificate in " + request.caCert());
            }
            int i = 0;
            for (Certificate certificate : certificates) {
                trust.setCertificateEntry("ca-" + i++, certificate);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new WalkException(WalkFailure.TLS, "cannot use CA certificate " + request.caCert() + ": "
                    + e.getMessage(), e);
        }
    }

    private static String subjectAltNames(X509Certificate certificate) {
        try {
            Collection<List<?>> names = certificate.getSubjectAlternativeNames();
            if (names == null) {
                return "none";
            }
            List<String> values = new ArrayList<>();
            for (List<?> name : names) {
                values.add((Integer.valueOf(7).equals(name.get(0)) ? "IP:" : "DNS:") + name.get(1));
            }
            return String.join(", ", values);
        } catch (java.security.cert.CertificateParsingException e) {
            return "unreadable: " + e.getMessage();
        }
    }

    private void send(Socket socket, TraceContext context, String peer) throws IOException {
        byte[] body = request.data() == null ? new byte[0] : request.data().getBytes(StandardCharsets.UTF_8);
        byte[] head = head(context, body).getBytes(StandardCharsets.ISO_8859_1);
        long start = System.nanoTime();
        OutputStream out = socket.getOutputStream();
        out.write(head);
        out.write(body);
        out.flush();
        long sent = System.nanoTime();
        List<Field> fields = new ArrayList<>(HttpHeadFields.requestHead(head));
        List<String> transcript = new ArrayList<>();
        for (String line : headLines(head)) {
            transcript.add("> " + line);
        }
        transcript.add(">");
        if (body.length > 0) {
            fields.add(HttpHeadFields.body(head.length, body, headerValue(head, "Content-Type")));
            transcript.add("* upload completely sent off: " + body.length + " bytes");
            transcript.addAll(shown(body, headerValue(head, "Content-Type")));
        }
        log.add(Protocol.HTTP, Direction.SENT, headLines(head).get(0) + " (traceparent " + context.toHeader() + ")",
                peer, start, sent, fields, transcript, flow);
    }

    /** The request head, CRLF-terminated lines as RFC 9112 §2.1 requires. */
    private String head(TraceContext context, byte[] body) {
        List<WalkRequest.Header> headers = new ArrayList<>();
        String hostHeader = request.url().getHost() + (request.url().getPort() >= 0 ? ":" + request.port() : "");
        headers.add(new WalkRequest.Header("Host", hostHeader));
        headers.add(new WalkRequest.Header("User-Agent", USER_AGENT));
        headers.add(new WalkRequest.Header("Accept", "*/*"));
        headers.add(new WalkRequest.Header(TraceContext.HEADER, context.toHeader()));
        if (request.data() != null) {
            headers.add(new WalkRequest.Header("Content-Type", "application/x-www-form-urlencoded"));
        }
        for (WalkRequest.Header user : request.headers()) {
            // Like curl: -H replaces a header of the same name, and 'Name:' with no value removes it.
            headers.removeIf(h -> h.name().equalsIgnoreCase(user.name()));
            if (!user.value().isEmpty()) {
                headers.add(user);
            }
        }
        if (request.data() != null) {
            headers.add(new WalkRequest.Header("Content-Length", String.valueOf(body.length)));
        }
        headers.add(new WalkRequest.Header("Connection", "close"));
        StringBuilder head = new StringBuilder();
        head.append(request.method()).append(' ').append(target()).append(" HTTP/1.1\r\n");
        for (WalkRequest.Header header : headers) {
            head.append(header.name()).append(": ").append(header.value()).append("\r\n");
        }
        return head.append("\r\n").toString();
    }

    /** RFC 9112 §3.2.1: origin-form, the absolute path and query of the URL. */
    private String target() {
        String path = request.url().getRawPath();
        String query = request.url().getRawQuery();
        return (path == null || path.isEmpty() ? "/" : path) + (query == null ? "" : "?" + query);
    }

    private int receive(Socket socket, String peer) throws IOException, WalkException {
        InputStream in = new BufferedInputStream(socket.getInputStream());
        byte[] head;
        long firstByte;
        while (true) {
            int first = in.read();
            if (first < 0) {
                throw new WalkException(WalkFailure.PROTOCOL, "the server closed the connection without a response");
            }
            firstByte = System.nanoTime();
            head = readHead(in, first);
            String statusLine = headLines(head).get(0);
            if (!statusLine.startsWith("HTTP/") || statusLine.length() < 12) {
                throw new WalkException(WalkFailure.PROTOCOL, "not an HTTP status line (RFC 9112 §4): "
                        + statusLine);
            }
            try {
                status = Integer.parseInt(statusLine.substring(9, 12));
            } catch (NumberFormatException e) {
                throw new WalkException(WalkFailure.PROTOCOL, "no three-digit status code (RFC 9112 §4): "
                        + statusLine);
            }
            if (status < 100 || status >= 200 || status == 101) {
                break;
            }
            // A 1xx response is interim: the final response follows on the same connection (RFC 9110 §15.2).
        }
        byte[] body = readBody(in, head);
        long done = System.nanoTime();
        String contentType = headerValue(head, "Content-Type");
        List<Field> fields = new ArrayList<>(HttpHeadFields.responseHead(head));
        List<String> transcript = new ArrayList<>();
        for (String line : headLines(head)) {
            transcript.add("< " + line);
        }
        transcript.add("<");
        if (body.length > 0) {
            fields.add(HttpHeadFields.body(head.length, body, contentType));
            transcript.addAll(shown(body, contentType));
        }
        transcript.add("* Closing connection");
        log.add(Protocol.HTTP, Direction.RECEIVED, headLines(head).get(0) + ", " + body.length + " body bytes",
                peer, firstByte, done, fields, transcript, flow);
        return status;
    }

    private static byte[] readHead(InputStream in, int first) throws IOException, WalkException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        head.write(first);
        while (HttpHeadFields.headLength(head.toByteArray(), head.size()) < 0) {
            if (head.size() > MAX_HEAD) {
                throw new WalkException(WalkFailure.PROTOCOL, "response head longer than " + MAX_HEAD + " bytes");
            }
            int b = in.read();
            if (b < 0) {
                throw new WalkException(WalkFailure.PROTOCOL, "the connection closed inside the response head");
            }
            head.write(b);
        }
        return head.toByteArray();
    }

    /** RFC 9112 §6.3: how the length of a response body is determined, in that order. */
    private byte[] readBody(InputStream in, byte[] head) throws IOException, WalkException {
        if (request.method().equals("HEAD") || status == 204 || status == 304) {
            return new byte[0];
        }
        String transferEncoding = headerValue(head, "Transfer-Encoding");
        if (transferEncoding != null && transferEncoding.toLowerCase(Locale.ROOT).endsWith("chunked")) {
            return readChunked(in);
        }
        String contentLength = headerValue(head, "Content-Length");
        if (contentLength != null) {
            long length;
            try {
                length = Long.parseLong(contentLength.trim());
            } catch (NumberFormatException e) {
                throw new WalkException(WalkFailure.PROTOCOL, "Content-Length is not a number (RFC 9110 §8.6): "
                        + contentLength);
            }
            byte[] body = in.readNBytes((int) Math.min(length, Integer.MAX_VALUE - 8));
            if (body.length < length) {
                throw new WalkException(WalkFailure.IO, "the server closed the connection after " + body.length
                        + " of " + length + " body bytes");
            }
            return body;
        }
        return in.readAllBytes();
    }

    /** RFC 9112 §7.1: chunk-size [ext] CRLF data CRLF ... last-chunk trailers CRLF. */
    private static byte[] readChunked(InputStream in) throws IOException, WalkException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine(in);
            int semicolon = sizeLine.indexOf(';');
            String hex = (semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).trim();
            int size;
            try {
                size = Integer.parseInt(hex, 16);
            } catch (NumberFormatException e) {
                throw new WalkException(WalkFailure.PROTOCOL, "bad chunk size (RFC 9112 §7.1): " + sizeLine);
            }
            if (size == 0) {
                while (!readLine(in).isEmpty()) {
                    // trailer fields (RFC 9112 §7.1.2): read and drop
                }
                return body.toByteArray();
            }
            byte[] chunk = in.readNBytes(size);
            if (chunk.length < size) {
                throw new WalkException(WalkFailure.IO, "the connection closed inside a chunk");
            }
            body.write(chunk);
            readLine(in);
        }
    }

    private static String readLine(InputStream in) throws IOException, WalkException {
        StringBuilder line = new StringBuilder();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new WalkException(WalkFailure.IO, "the connection closed inside chunked framing");
            }
            if (b == '\n') {
                int end = line.length();
                return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
            }
            line.append((char) b);
        }
    }

    private List<String> shown(byte[] body, String contentType) {
        List<String> lines = new ArrayList<>();
        if (!isText(contentType)) {
            lines.add("[" + body.length + " bytes of " + contentType + " not shown]");
            return lines;
        }
        String text = new String(body, StandardCharsets.UTF_8);
        int max = request.maxBodyShown();
        boolean cut = text.length() > max;
        for (String line : (cut ? text.substring(0, max) : text).split("\n", -1)) {
            lines.add(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
        }
        if (cut) {
            lines.add("[... " + (text.length() - max) + " more characters not shown]");
        }
        return lines;
    }

    private static boolean isText(String contentType) {
        if (contentType == null) {
            return true;
        }
        String type = contentType.toLowerCase(Locale.ROOT);
        return type.startsWith("text/") || type.contains("json") || type.contains("xml")
                || type.contains("javascript") || type.contains("x-www-form-urlencoded");
    }

    static List<String> headLines(byte[] head) {
        List<String> lines = new ArrayList<>();
        for (String line : new String(head, StandardCharsets.ISO_8859_1).split("\n")) {
            String content = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
            if (content.isEmpty()) {
                break;
            }
            lines.add(content);
        }
        return lines;
    }

    static String headerValue(byte[] head, String name) {
        List<String> lines = headLines(head);
        for (String line : lines.subList(1, lines.size())) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    static boolean isIpLiteral(String host) {
        return org.xbill.DNS.Address.isDottedQuad(host) || host.indexOf(':') >= 0;
    }
}
