package org.foobarstack.fastcgi;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds the records of common messages, so that client and server code reads as "send begin-request, send
 * params" rather than as byte layouts.
 */
public final class FastCgiRecords {

    private FastCgiRecords() {
    }

    public static FastCgiRecord beginRequest(ByteBufAllocator alloc, int requestId, Role role, boolean keepConn) {
        return new FastCgiRecord(RecordType.BEGIN_REQUEST, requestId,
                BeginRequestBody.of(role, keepConn).write(alloc));
    }

    public static FastCgiRecord endRequest(ByteBufAllocator alloc, int requestId, long appStatus,
                                           ProtocolStatus status) {
        return new FastCgiRecord(RecordType.END_REQUEST, requestId,
                EndRequestBody.of(appStatus, status).write(alloc));
    }

    public static FastCgiRecord unknownType(ByteBufAllocator alloc, int type) {
        return new FastCgiRecord(RecordType.UNKNOWN_TYPE, RecordHeader.NULL_REQUEST_ID,
                new UnknownTypeBody(type).write(alloc));
    }

    /** A GET_VALUES or GET_VALUES_RESULT record (§4.1); the query sends each name with an empty value. */
    public static FastCgiRecord values(ByteBufAllocator alloc, RecordType type, Map<String, String> values) {
        byte[] encoded = NameValuePairs.encode(values);
        ByteBuf content = alloc.buffer(encoded.length).writeBytes(encoded);
        return new FastCgiRecord(type, RecordHeader.NULL_REQUEST_ID, content);
    }

    /**
     * Cuts {@code data} into records of {@code type} of at most 65,535 content bytes each (§3.3). The buffer's
     * ownership passes to the records; the stream's terminating empty record is NOT added, since a stream may
     * continue with more data later: add {@link FastCgiRecord#empty} when it ends.
     */
    public static List<FastCgiRecord> stream(RecordType type, int requestId, ByteBuf data) {
        List<FastCgiRecord> records = new ArrayList<>();
        try {
            while (data.readableBytes() > RecordHeader.MAX_CONTENT_LENGTH) {
                records.add(new FastCgiRecord(type, requestId, data.readRetainedSlice(RecordHeader.MAX_CONTENT_LENGTH)));
            }
            if (data.isReadable()) {
                records.add(new FastCgiRecord(type, requestId, data.readRetainedSlice(data.readableBytes())));
            }
        } finally {
            data.release();
        }
        return records;
    }

    /** The whole PARAMS stream of a request, including its terminating empty record. */
    public static List<FastCgiRecord> params(ByteBufAllocator alloc, int requestId, Map<String, String> params) {
        byte[] encoded = NameValuePairs.encode(params);
        ByteBuf content = alloc.buffer(encoded.length).writeBytes(encoded);
        List<FastCgiRecord> records = stream(RecordType.PARAMS, requestId, content);
        records.add(FastCgiRecord.empty(RecordType.PARAMS, requestId));
        return records;
    }

    /** Names of the values GET_VALUES may ask for (§4.1). */
    public static final String FCGI_MAX_CONNS = "FCGI_MAX_CONNS";
    public static final String FCGI_MAX_REQS = "FCGI_MAX_REQS";
    public static final String FCGI_MPXS_CONNS = "FCGI_MPXS_CONNS";
}
