package org.foobarstack.app.api;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.foobarstack.app.fastcgi.CgiResponseWriter;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How the application sees what different web servers send, and what its answers look like as CGI. */
class AppRequestTest {

    @Test
    void theRouteComesFromScriptNameAndPathInfoFirst() {
        // nginx with fastcgi_params and no split: the whole path in SCRIPT_NAME
        assertThat(AppRequest.of(Map.of("SCRIPT_NAME", "/api/messages", "REQUEST_URI", "/x?y"), null).path())
                .isEqualTo("/api/messages");
        // a server that mounts the app at /api and passes the rest as PATH_INFO (RFC 3875 §4.1.5)
        assertThat(AppRequest.of(Map.of("SCRIPT_NAME", "/api", "PATH_INFO", "/messages/7"), null).path())
                .isEqualTo("/api/messages/7");
        assertThat(AppRequest.of(Map.of("DOCUMENT_URI", "/api/whoami", "REQUEST_URI", "/old"), null).path())
                .isEqualTo("/api/whoami");
        assertThat(AppRequest.of(Map.of("REQUEST_URI", "/api/messages?limit=2"), null).path())
                .isEqualTo("/api/messages");
        assertThat(AppRequest.of(Map.of(), null).path()).isEqualTo("/");
    }

    @Test
    void theQueryComesFromQueryStringOrElseRequestUri() {
        AppRequest nginx = AppRequest.of(Map.of("QUERY_STRING", "limit=2&before=9", "REQUEST_URI", "/a?z=1"), null);
        assertThat(nginx.queryParameters()).containsExactly(Map.entry("limit", "2"), Map.entry("before", "9"));
        AppRequest bare = AppRequest.of(Map.of("REQUEST_URI", "/a?name=caf%C3%A9+au+lait&flag"), null);
        assertThat(bare.queryParameters()).containsExactly(Map.entry("name", "caf\u00e9 au lait"), Map.entry("flag", ""));
    }

    @Test
    void headersAreHttpParamsAndTheMethodDefaultsToGet() {
        AppRequest request = AppRequest.of(Map.of("HTTP_X_FORWARDED_FOR", "10.0.0.1", "CONTENT_TYPE", "text/plain"),
                "body".getBytes(StandardCharsets.UTF_8));
        assertThat(request.header("X-Forwarded-For")).contains("10.0.0.1");
        assertThat(request.header("Cookie")).isEmpty();
        assertThat(request.method()).isEqualTo("GET");
        assertThat(request.contentType()).isEqualTo("text/plain");
        assertThat(request.bodyStream()).hasContent("body");
    }

    @Test
    void aResponseIsWrittenAsACgiResponse() {
        AppResponse response = AppResponse.builder(201).header("Location", "/api/messages/7")
                .body("application/json", "{}".getBytes(StandardCharsets.UTF_8)).build();
        assertThat(cgi(response, false)).isEqualTo("Status: 201 Created\r\nLocation: /api/messages/7\r\n"
                + "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
        // RFC 3875 §4.3.2: no body for HEAD, the length of the GET body stays
        assertThat(cgi(response, true)).endsWith("Content-Length: 2\r\n\r\n");
    }

    @Test
    void headerFieldsCannotSmuggleLineBreaks() {
        assertThatThrownBy(() -> AppResponse.builder(200).header("X-Evil", "a\r\nSet-Cookie: x=1"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AppResponse.builder(200).header("Bad:Name", "v"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AppResponse.builder(99).build()).isInstanceOf(IllegalArgumentException.class);
    }

    private static String cgi(AppResponse response, boolean head) {
        ByteBuf out = CgiResponseWriter.write(response, head, ByteBufAllocator.DEFAULT);
        try {
            return out.toString(StandardCharsets.ISO_8859_1);
        } finally {
            out.release();
        }
    }
}
