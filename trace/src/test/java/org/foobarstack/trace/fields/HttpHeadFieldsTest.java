package org.foobarstack.trace.fields;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.foobarstack.trace.Field;
import org.junit.jupiter.api.Test;

class HttpHeadFieldsTest {

    private static String text(byte[] bytes, Field field) {
        return new String(bytes, field.offset(), field.length(), StandardCharsets.ISO_8859_1);
    }

    @Test
    void aRequestHeadIsSplitIntoItsPartsWithByteOffsets() {
        byte[] head = "POST /api/messages HTTP/1.1\r\nHost: www.foobar.com:8080\r\nContent-Length:  12 \r\n\r\n"
                .getBytes(StandardCharsets.ISO_8859_1);

        List<Field> fields = HttpHeadFields.requestHead(head);

        assertThat(fields).extracting(Field::name)
                .containsExactly("Request line", "Host", "Content-Length", "End of head");
        Field line = fields.get(0);
        assertThat(line.length()).isEqualTo(29);
        assertThat(text(head, line.child("Method"))).isEqualTo("POST");
        assertThat(text(head, line.child("Request target"))).isEqualTo("/api/messages");
        assertThat(text(head, line.child("Version"))).isEqualTo("HTTP/1.1");
        Field length = fields.get(2);
        assertThat(length.value()).isEqualTo("12");
        assertThat(text(head, length.child("Name"))).isEqualTo("Content-Length");
        assertThat(text(head, length.child("Value"))).isEqualTo("12");
        Field end = fields.get(3);
        assertThat(end.offset() + end.length()).isEqualTo(head.length);
    }

    @Test
    void aResponseHeadHasVersionCodeAndReason() {
        byte[] head = "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

        Field status = HttpHeadFields.responseHead(head).get(0);

        assertThat(status.name()).isEqualTo("Status line");
        assertThat(text(head, status.child("Status code"))).isEqualTo("404");
        assertThat(text(head, status.child("Reason phrase"))).isEqualTo("Not Found");
    }

    @Test
    void malformedLinesAreShownWithTheRuleTheyBreak() {
        byte[] head = "GARBAGE\r\nno colon here\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

        List<Field> fields = HttpHeadFields.requestHead(head);

        assertThat(fields.get(0).name()).isEqualTo("Malformed");
        assertThat(fields.get(0).value()).contains("RFC 9112 §3");
        assertThat(fields.get(1).value()).contains("RFC 9112 §5");
    }

    @Test
    void theHeadEndsAtTheFirstEmptyLine() {
        byte[] bytes = "HTTP/1.1 200 OK\r\nA: b\r\n\r\nbody".getBytes(StandardCharsets.ISO_8859_1);

        assertThat(HttpHeadFields.headLength(bytes, bytes.length)).isEqualTo(bytes.length - 4);
        assertThat(HttpHeadFields.headLength(bytes, 10)).isEqualTo(-1);
        assertThat(HttpHeadFields.body(25, "body".getBytes(StandardCharsets.UTF_8), "text/plain").value())
                .isEqualTo("4 bytes of text/plain: body");
    }
}
