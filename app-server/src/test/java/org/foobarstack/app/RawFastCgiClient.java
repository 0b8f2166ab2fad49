package org.foobarstack.app;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.foobarstack.fastcgi.EndRequestBody;
import org.foobarstack.fastcgi.FastCgiRecord;
import org.foobarstack.fastcgi.FastCgiRecordDecoder;
import org.foobarstack.fastcgi.FastCgiRecordEncoder;
import org.foobarstack.fastcgi.FastCgiRecords;
import org.foobarstack.fastcgi.NameValuePairs;
import org.foobarstack.fastcgi.ProtocolStatus;
import org.foobarstack.fastcgi.RecordType;
import org.foobarstack.fastcgi.Role;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A deliberately plain FastCGI client for tests: a blocking socket, the shared codec to turn records into bytes
 * and back, and nothing clever, so that a test can send exactly the records (or broken bytes) it wants.
 */
final class RawFastCgiClient implements AutoCloseable {

    static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;
    private static final int READ_TIMEOUT_MS = 5_000;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final EmbeddedChannel decoder = new EmbeddedChannel(new FastCgiRecordDecoder());
    private final EmbeddedChannel encoder = new EmbeddedChannel(new FastCgiRecordEncoder());
    private final Deque<FastCgiRecord> received = new ArrayDeque<>();
    private boolean eof;

    RawFastCgiClient(InetSocketAddress address) throws IOException {
        socket = new Socket(address.getAddress(), address.getPort());
        socket.setSoTimeout(READ_TIMEOUT_MS);
        socket.setTcpNoDelay(true);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /** A shorter read timeout, for a test that expects nothing to come. */
    void readTimeout(java.time.Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
    }

    /** One request's answer: its STDOUT and STDERR streams and the END_REQUEST body. */
    record Reply(int id, String stdout, String stderr, long appStatus, ProtocolStatus protocolStatus,
                 List<Integer> stdoutRecordSizes) {

        /** The status from the CGI "Status:" line. */
        int httpStatus() {
            String status = header("Status");
            return status == null ? -1 : Integer.parseInt(status.substring(0, 3));
        }

        String header(String name) {
            for (String line : head().split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
                    return line.substring(colon + 1).trim();
                }
            }
            return null;
        }

        String head() {
            int end = stdout.indexOf("\r\n\r\n");
            return end < 0 ? stdout : stdout.substring(0, end);
        }

        String body() {
            int end = stdout.indexOf("\r\n\r\n");
            return end < 0 ? "" : stdout.substring(end + 4);
        }
    }

    // ---- sending

    void send(FastCgiRecord... records) throws IOException {
        for (FastCgiRecord record : records) {
            encoder.writeOutbound(record);
        }
        for (Object o; (o = encoder.readOutbound()) != null; ) {
            ByteBuf buf = (ByteBuf) o;
            out.write(ByteBufUtil.getBytes(buf));
            buf.release();
        }
        out.flush();
    }

    void sendBytes(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    void begin(int id, Role role, boolean keepConn) throws IOException {
        send(FastCgiRecords.beginRequest(ALLOC, id, role, keepConn));
    }

    void params(int id, Map<String, String> params) throws IOException {
        send(FastCgiRecords.params(ALLOC, id, params).toArray(new FastCgiRecord[0]));
    }

    void stdin(int id, byte[] body) throws IOException {
        List<FastCgiRecord> records = new ArrayList<>(FastCgiRecords.stream(RecordType.STDIN, id,
                Unpooled.wrappedBuffer(body)));
        records.add(FastCgiRecord.empty(RecordType.STDIN, id));
        send(records.toArray(new FastCgiRecord[0]));
    }

    /** The records a web server sends for one request. */
    void sendRequest(int id, boolean keepConn, Map<String, String> params, byte[] body) throws IOException {
        begin(id, Role.RESPONDER, keepConn);
        params(id, params);
        stdin(id, body);
    }

    Reply request(int id, boolean keepConn, String method, String path, String body) throws IOException {
        Map<String, String> params = cgi(method, path);
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > 0) {
            params.put("CONTENT_LENGTH", Integer.toString(bytes.length));
        }
        sendRequest(id, keepConn, params, bytes);
        return readReply(id);
    }

    static Map<String, String> cgi(String method, String path) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("GATEWAY_INTERFACE", "CGI/1.1");
        params.put("REQUEST_METHOD", method);
        params.put("SCRIPT_NAME", path);
        params.put("REQUEST_URI", path);
        params.put("SERVER_PROTOCOL", "HTTP/1.1");
        params.put("REMOTE_ADDR", "127.0.0.1");
        return params;
    }

    // ---- receiving

    /** The next record from the server, or null when the server closed the connection. */
    FastCgiRecord read() throws IOException {
        byte[] chunk = new byte[8192];
        while (received.isEmpty()) {
            if (eof) {
                return null;
            }
            int n;
            try {
                n = in.read(chunk);
            } catch (SocketException reset) {
                n = -1;
            }
            if (n < 0) {
                eof = true;
                continue;
            }
            decoder.writeInbound(Unpooled.wrappedBuffer(chunk, 0, n).copy());
            for (Object o; (o = decoder.readInbound()) != null; ) {
                received.add((FastCgiRecord) o);
            }
        }
        return received.poll();
    }

    /** Reads until END_REQUEST for {@code id}; records of other requests stay queued for later reads. */
    Reply readReply(int id) throws IOException {
        StringBuilder stdout = new StringBuilder();
        StringBuilder stderr = new StringBuilder();
        List<Integer> sizes = new ArrayList<>();
        List<FastCgiRecord> others = new ArrayList<>();
        try {
            while (true) {
                FastCgiRecord r = read();
                if (r == null) {
                    throw new IOException("connection closed before END_REQUEST of request " + id
                            + "; stdout so far: " + stdout);
                }
                if (r.requestId() != id) {
                    others.add(r);
                    continue;
                }
                try {
                    String text = r.content().toString(StandardCharsets.UTF_8);
                    if (r.is(RecordType.STDOUT)) {
                        stdout.append(text);
                        sizes.add(r.content().readableBytes());
                    } else if (r.is(RecordType.STDERR)) {
                        stderr.append(text);
                    } else if (r.is(RecordType.END_REQUEST)) {
                        EndRequestBody end = EndRequestBody.read(r.content());
                        return new Reply(id, stdout.toString(), stderr.toString(), end.appStatus(),
                                end.protocolStatus().orElseThrow(), sizes);
                    } else {
                        throw new IOException("unexpected record " + r);
                    }
                } finally {
                    r.release();
                }
            }
        } finally {
            // put back, in order, what belonged to other requests
            for (int i = others.size() - 1; i >= 0; i--) {
                received.addFirst(others.get(i));
            }
        }
    }

    /** True when the server closes the connection within the read timeout with nothing more to say. */
    boolean closedByServer() throws IOException {
        try {
            FastCgiRecord r = read();
            if (r != null) {
                r.release();
                return false;
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        for (Iterator<FastCgiRecord> it = received.iterator(); it.hasNext(); ) {
            it.next().release();
        }
        decoder.finishAndReleaseAll();
        encoder.finishAndReleaseAll();
        socket.close();
    }
}
