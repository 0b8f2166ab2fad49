package org.foobarstack.app.guestbook;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The JSON of messages, written field by field with Jackson's streaming generator: the shape of every message the
 * API sends is spelled out here, in the order a reader sees it on the wire.
 *
 * <pre>
 * {"id":7,"author":"ada","body":"hello","createdAt":"2026-11-22T05:08:57.550Z"}
 *
 * {"messages":[ ...newest first... ],"limit":20,"before":null,"nextBefore":3}
 * </pre>
 * {@code nextBefore} is the id to pass as {@code before} for the next (older) page, null on the last page. Writing
 * the fields by hand rather than letting data binding discover them by reflection keeps the list, the API's busiest
 * answer, cheap: one pass over the rows into one buffer.
 */
final class MessageJson {

    /** A page of 20 messages with short bodies fits without the buffer growing. */
    private static final int PAGE_BUFFER_BYTES = 4096;
    private static final int MESSAGE_BUFFER_BYTES = 256;

    private final JsonFactory factory;

    MessageJson(JsonFactory factory) {
        this.factory = factory;
    }

    byte[] message(Message message) {
        ByteArrayBuilder out = new ByteArrayBuilder(MESSAGE_BUFFER_BYTES);
        try (JsonGenerator g = factory.createGenerator(out)) {
            write(g, message);
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON into memory", e);
        }
        return out.toByteArray();
    }

    byte[] page(List<Message> messages, int limit, Long before, Long nextBefore) {
        ByteArrayBuilder out = new ByteArrayBuilder(PAGE_BUFFER_BYTES);
        try (JsonGenerator g = factory.createGenerator(out)) {
            g.writeStartObject();
            g.writeArrayFieldStart("messages");
            for (Message message : messages) {
                write(g, message);
            }
            g.writeEndArray();
            g.writeNumberField("limit", limit);
            writeNullableId(g, "before", before);
            writeNullableId(g, "nextBefore", nextBefore);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON into memory", e);
        }
        return out.toByteArray();
    }

    private static void write(JsonGenerator g, Message message) throws IOException {
        g.writeStartObject();
        g.writeNumberField("id", message.id());
        g.writeStringField("author", message.author());
        g.writeStringField("body", message.body());
        g.writeStringField("createdAt", message.createdAt());
        g.writeEndObject();
    }

    private static void writeNullableId(JsonGenerator g, String name, Long id) throws IOException {
        if (id == null) {
            g.writeNullField(name);
        } else {
            g.writeNumberField(name, id);
        }
    }
}
