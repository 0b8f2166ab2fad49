package org.foobarstack.launcher;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** One request over a fresh socket, read to the end of the connection. */
record RawHttp(int status, String head, String body) {

    static RawHttp send(InetSocketAddress target, String request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(target, 5_000);
            socket.setSoTimeout(15_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.UTF_8);
            int split = text.indexOf("\r\n\r\n");
            assertThat(split).as("response has a header section: %s", text).isPositive();
            String head = text.substring(0, split);
            String body = text.substring(split + 4);
            if (head.toLowerCase().contains("transfer-encoding: chunked")) {
                body = dechunk(body);
            }
            int status = Integer.parseInt(head.substring(9, 12));
            return new RawHttp(status, head, body);
        }
    }

    String header(String name) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return "";
    }

    private static String dechunk(String chunked) {
        StringBuilder out = new StringBuilder();
        int pos = 0;
        while (true) {
            int eol = chunked.indexOf("\r\n", pos);
            int size = Integer.parseInt(chunked.substring(pos, eol).split(";")[0].trim(), 16);
            if (size == 0) {
                return out.toString();
            }
            // sizes count bytes; the bodies used here are ASCII
            out.append(chunked, eol + 2, eol + 2 + size);
            pos = eol + 2 + size + 2;
        }
    }

    static RawHttp get(InetSocketAddress target, String path) throws IOException {
        return send(target, "GET " + path + " HTTP/1.1\r\nHost: www.foobar.com\r\nConnection: close\r\n\r\n");
    }

    static RawHttp postJson(InetSocketAddress target, String path, String json) throws IOException {
        return send(target, "POST " + path + " HTTP/1.1\r\nHost: www.foobar.com\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + json.getBytes(StandardCharsets.UTF_8).length
                + "\r\nConnection: close\r\n\r\n" + json);
    }
}
