package org.foobarstack.monitoring;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.foobarstack.httpcodec.response.HttpResponseHead;
import org.foobarstack.httpcodec.response.HttpStatus;

/** A route's answer, written by the connection handler with the usual fields (Date, Content-Length...). */
record MonitoringResponse(HttpStatus status, String contentType, byte[] body, List<HttpResponseHead.Field> extraFields) {

    static final String TEXT = "text/plain; charset=utf-8";
    static final String JSON = "application/json";

    MonitoringResponse {
        extraFields = List.copyOf(extraFields);
    }

    static MonitoringResponse text(HttpStatus status, String text) {
        return new MonitoringResponse(status, TEXT, (text + "\n").getBytes(StandardCharsets.UTF_8), List.of());
    }

    static MonitoringResponse json(byte[] json) {
        return new MonitoringResponse(HttpStatus.OK, JSON, json, List.of());
    }

    static MonitoringResponse of(HttpStatus status, String contentType, String body) {
        return new MonitoringResponse(status, contentType, body.getBytes(StandardCharsets.UTF_8), List.of());
    }

    static MonitoringResponse noContent() {
        return new MonitoringResponse(HttpStatus.NO_CONTENT, null, new byte[0], List.of());
    }

    MonitoringResponse withField(String name, String value) {
        List<HttpResponseHead.Field> fields = new ArrayList<>(extraFields);
        fields.add(new HttpResponseHead.Field(name, value));
        return new MonitoringResponse(status, contentType, body, fields);
    }
}
