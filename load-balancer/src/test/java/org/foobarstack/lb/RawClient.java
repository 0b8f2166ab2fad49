package org.foobarstack.lb;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A blocking HTTP/1.1 client over one socket, for tests: writes exactly the bytes given, reads one response at a
 * time (Content-Length, chunked, or until close), and keeps the connection for the next request. {@link #overTls}
 * makes it a browser on HTTPS: it trusts one CA and checks that the certificate names the site.
 */
final class RawClient implements AutoCloseable {

    record Response(int status, String reason, Map<String, String> headers, String body, String raw) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawClient(InetSocketAddress server) throws IOException {
        this(server, null);
    }

    /** @param from the local address to connect from, or null */
    RawClient(InetSocketAddress server, InetAddress from) throws IOException {
        this(connect(server, from));
    }

    private RawClient(Socket socket) throws IOException {
        this.socket = socket;
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    private static Socket connect(InetSocketAddress server, InetAddress from) throws IOException {
        Socket socket = new Socket();
        if (from != null) {
            socket.bind(new InetSocketAddress(from, 0));
        }
        socket.connect(server, 5000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    /**
     * A client that speaks TLS to {@code server}, asking for {@code siteName} (SNI) and refusing a certificate
     * that does not chain to a CA of {@code trusting} or does not name the site, as a browser does. The
     * handshake is done when this returns.
     */
    static RawClient overTls(InetSocketAddress server, SSLContext trusting, String siteName) throws IOException {
        Socket plain = connect(server, null);
        SSLSocket tls = (SSLSocket) trusting.getSocketFactory().createSocket(plain, siteName, server.getPort(), true);
        SSLParameters parameters = tls.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        parameters.setServerNames(List.of(new SNIHostName(siteName)));
        tls.setSSLParameters(parameters);
        try {
            tls.startHandshake();
        } catch (IOException e) {
            tls.close();
            throw e;
        }
        return new RawClient(tls);
    }

    /** The TLS session of a client made by {@link #overTls}. */
    SSLSession tlsSession() {
        return ((SSLSocket) socket).getSession();
    }

    static Response get(InetSocketAddress server, String path) throws IOException {
        try (RawClient client = new RawClient(server)) {
            return client.request("GET " + path + " HTTP/1.1\r\nHost: www.foobar.com\r\n\r\n", "GET");
        }
    }

    Response get(String path) throws IOException {
        return request("GET " + path + " HTTP/1.1\r\nHost: www.foobar.com\r\n\r\n", "GET");
    }

    Response request(String raw, String method) throws IOException {
        send(raw);
        return read(method);
    }

    void send(String raw) throws IOException {
        out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    Response read(String method) throws IOException {
        StringBuilder raw = new StringBuilder();
        String statusLine = line(raw);
        if (statusLine == null) {
            throw new IOException("connection closed before a response");
        }
        String[] parts = statusLine.split(" ", 3);
        int status = Integer.parseInt(parts[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        String line;
        while ((line = line(raw)) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            headers.merge(name, value, (a, b) -> a + ", " + b);
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        boolean noBody = method.equals("HEAD") || status == 204 || status == 304 || status < 200;
        if (!noBody) {
            if (headers.containsKey("transfer-encoding")) {
                while (true) {
                    String size = line(raw);
                    int n = Integer.parseInt(size.split(";")[0].trim(), 16);
                    if (n == 0) {
                        while (!line(raw).isEmpty()) {
                            // trailers
                        }
                        break;
                    }
                    body.write(in.readNBytes(n));
                    line(raw);
                }
            } else if (headers.containsKey("content-length")) {
                body.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
            } else {
                body.write(in.readAllBytes());
            }
        }
        String text = body.toString(StandardCharsets.UTF_8);
        return new Response(status, parts.length > 2 ? parts[2] : "", headers, text, raw + text);
    }

    /** True when the server has closed the connection: a read sees the end of the stream. */
    boolean closedByServer() throws IOException {
        try {
            return in.read() == -1;
        } catch (java.net.SocketException e) {
            return true;
        }
    }

    private String line(StringBuilder raw) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                String s = bytes.toString(StandardCharsets.ISO_8859_1);
                raw.append(s).append('\n');
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            bytes.write(b);
        }
        return bytes.size() == 0 ? null : bytes.toString(StandardCharsets.ISO_8859_1);
    }

    InetSocketAddress localAddress() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
