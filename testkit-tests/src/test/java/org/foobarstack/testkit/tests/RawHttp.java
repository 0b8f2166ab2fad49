package org.foobarstack.testkit.tests;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One HTTP/1.1 exchange over a plain socket, written and read by hand: what a test sends is exactly what the web
 * server receives.
 */
record RawHttp(int status, Map<String, String> headers, String body) {

    /** Sends {@code method} to {@code url} with an optional body and reads the whole response (Connection: close). */
    static RawHttp send(String method, URI url, Map<String, String> extraHeaders, String body) throws IOException {
        StringBuilder request = new StringBuilder()
                .append(method).append(' ').append(url.getRawPath()).append(" HTTP/1.1\r\n")
                .append("Host: www.foobar.com\r\n")
                .append("Connection: close\r\n");
        extraHeaders.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
        byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        if (body != null) {
            request.append("Content-Length: ").append(content.length).append("\r\n");
        }
        request.append("\r\n");
        try (Socket socket = new Socket(url.getHost(), url.getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().write(content);
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return parse(response);
        }
    }

    private static RawHttp parse(String response) {
        int endOfHead = response.indexOf("\r\n\r\n");
        String[] lines = response.substring(0, endOfHead).split("\r\n");
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
        }
        return new RawHttp(Integer.parseInt(lines[0].split(" ")[1]), headers, response.substring(endOfHead + 4));
    }
}
