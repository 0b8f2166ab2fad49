package org.foobarstack.fastcgi;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Fuzzes the two readers every FastCGI byte goes through, on both sides of the protocol: {@link FastCgiRecordDecoder}
 * (the app server reads requests with it, the web server's client reads responses with it) and
 * {@link NameValuePairs} (PARAMS on the app server, GET_VALUES and GET_VALUES_RESULT on both). The client's and the
 * responder's handling of whole conversations have fuzz tests of their own
 * ({@code client.FastCgiClientFuzzTest}, and {@code FastCgiResponderFuzzTest} in app-server).
 *
 * <p>Properties, for any bytes:
 * <ul>
 *   <li>the decoder emits exactly the records that a plain walk over the header fields finds (§3.3: version 1,
 *       type, request id, content length, padding), with the same content; it stops with one
 *       {@link FastCgiProtocolException} (UNSUPPORTED_VERSION) at the first header with another version (after
 *       which both handlers close the connection, so this test sends nothing more); the bytes of a record not yet whole are counted by {@code bufferedBytes()};</li>
 *   <li>the same bytes in several segments decode the same;</li>
 *   <li>no received buffer is left referenced once every record is released and the channel closed;</li>
 *   <li>the name-value reader returns pairs or throws {@link FastCgiProtocolException}
 *       (MALFORMED_NAME_VALUE_PAIR), nothing else; the pairs written back with {@link NameValuePairs#write} read
 *       the same, and give the very same bytes when the input used the shortest form of every length.</li>
 * </ul>
 */
class FastCgiRecordFuzzTest {

    @FuzzTest(maxDuration = "5m")
    void recordDecoder(byte[] input) {
        Walk expected = walk(input);
        Decoded whole = decode(input, new int[0]);
        compare(expected, whole, input);

        Random random = new Random(Arrays.hashCode(input));
        int[] cuts = new int[random.nextInt(4)];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = random.nextInt(input.length + 1);
        }
        Arrays.sort(cuts);
        Decoded split = decode(input, cuts);
        if (!split.describe().equals(whole.describe())) {
            throw new AssertionError("cut at " + Arrays.toString(cuts) + ": " + split.describe() + "\nwhole: "
                    + whole.describe());
        }
    }

    @FuzzTest(maxDuration = "5m")
    void nameValuePairs(byte[] input) {
        List<NameValuePairs.Pair> pairs;
        try {
            pairs = NameValuePairs.readAll(input);
        } catch (FastCgiProtocolException e) {
            if (e.violation() != FastCgiProtocolException.Violation.MALFORMED_NAME_VALUE_PAIR) {
                throw new AssertionError("a name-value stream refused as " + e.violation(), e);
            }
            return;
        }
        // the ByteBuf entry point reads the same
        List<NameValuePairs.Pair> fromBuffer = NameValuePairs.readAll(Unpooled.wrappedBuffer(input));
        if (!fromBuffer.equals(pairs)) {
            throw new AssertionError("readAll(ByteBuf) " + fromBuffer + " but readAll(byte[]) " + pairs);
        }
        Map<String, String> map = NameValuePairs.readMap(input);
        Map<String, String> lastWins = new LinkedHashMap<>();
        pairs.forEach(p -> lastWins.put(p.name(), p.value()));
        if (!map.equals(lastWins)) {
            throw new AssertionError("readMap " + map + " but the pairs say " + lastWins);
        }
        ByteBuf written = Unpooled.buffer();
        for (NameValuePairs.Pair pair : pairs) {
            int before = written.writerIndex();
            NameValuePairs.write(pair.name(), pair.value(), written);
            if (written.writerIndex() - before != NameValuePairs.encodedLength(pair.name(), pair.value())) {
                throw new AssertionError("encodedLength disagrees with write for " + pair);
            }
        }
        byte[] rewritten = new byte[written.readableBytes()];
        written.readBytes(rewritten);
        if (!NameValuePairs.readAll(rewritten).equals(pairs)) {
            throw new AssertionError("written back, the pairs read as " + NameValuePairs.readAll(rewritten));
        }
        if (shortestLengths(input) && !Arrays.equals(rewritten, input)) {
            throw new AssertionError("written back in the same form, the bytes differ");
        }
    }

    // ---------------------------------------------------------------- the plain walk

    /** One record as the header fields say: version 1, then type, id, content and padding (§3.3). */
    private record Expected(int type, int requestId, byte[] content, int padding) {
        String describe() {
            return RecordType.nameOf(type) + "/" + requestId + "/" + Arrays.toString(content) + "/" + padding;
        }
    }

    /** The records, whether a header with another version stops the walk, and the bytes of an unfinished record. */
    private record Walk(List<Expected> records, boolean badVersion, int leftOver) {
    }

    private static Walk walk(byte[] in) {
        List<Expected> records = new ArrayList<>();
        int at = 0;
        while (in.length - at >= 8) {
            if ((in[at] & 0xff) != 1) {
                return new Walk(records, true, 0);
            }
            int type = in[at + 1] & 0xff;
            int id = ((in[at + 2] & 0xff) << 8) | (in[at + 3] & 0xff);
            int length = ((in[at + 4] & 0xff) << 8) | (in[at + 5] & 0xff);
            int padding = in[at + 6] & 0xff;
            if (in.length - at < 8 + length + padding) {
                break;
            }
            records.add(new Expected(type, id, Arrays.copyOfRange(in, at + 8, at + 8 + length), padding));
            at += 8 + length + padding;
        }
        return new Walk(records, false, in.length - at);
    }

    // ---------------------------------------------------------------- the decoder

    private record Decoded(List<Expected> records, FastCgiProtocolException error, int buffered) {
        String describe() {
            return records.stream().map(Expected::describe).toList() + (error == null ? "" : " " + error.violation())
                    + " buffered " + buffered;
        }
    }

    private static Decoded decode(byte[] input, int[] cuts) {
        FastCgiRecordDecoder decoder = new FastCgiRecordDecoder();
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        List<Expected> records = new ArrayList<>();
        List<ByteBuf> sent = new ArrayList<>();
        FastCgiProtocolException error = null;
        int from = 0;
        int buffered = 0;
        for (int piece = 0; piece <= cuts.length; piece++) {
            int to = piece < cuts.length ? cuts[piece] : input.length;
            ByteBuf buf = Unpooled.wrappedBuffer(Arrays.copyOfRange(input, from, to));
            if (to > from) {
                sent.add(buf);
            }
            from = to;
            try {
                channel.writeInbound(buf);
            } catch (DecoderException e) {
                if (!(e.getCause() instanceof FastCgiProtocolException protocol)
                        || protocol.violation() != FastCgiProtocolException.Violation.UNSUPPORTED_VERSION) {
                    throw new AssertionError("the decoder failed with something other than a bad version", e);
                }
                if (error != null) {
                    throw new AssertionError("a second error after " + error, e);
                }
                error = protocol;
            }
            // (records decoded before an error in the same segment are passed on after it is raised: they come
            // before it in the stream)
            FastCgiRecord record;
            while ((record = channel.readInbound()) != null) {
                byte[] content = new byte[record.content().readableBytes()];
                record.content().getBytes(record.content().readerIndex(), content);
                records.add(new Expected(record.typeCode(), record.requestId(), content, record.paddingLength()));
                if (!record.header().equals(new RecordHeader(1, record.typeCode(), record.requestId(),
                        content.length, record.paddingLength()))) {
                    throw new AssertionError("header() disagrees with the record: " + record.header());
                }
                record.release();
            }
            if (error != null) {
                // both handlers close the connection on this error: nothing after it is read
                break;
            }
            buffered = decoder.bufferedBytes();
        }
        channel.finishAndReleaseAll();
        for (ByteBuf buf : sent) {
            if (buf.refCnt() != 0) {
                throw new AssertionError("a received buffer is still referenced after the channel closed");
            }
        }
        return new Decoded(records, error, error == null ? buffered : 0);
    }

    private static void compare(Walk expected, Decoded actual, byte[] input) {
        String want = expected.records().stream().map(Expected::describe).toList()
                + (expected.badVersion() ? " " + FastCgiProtocolException.Violation.UNSUPPORTED_VERSION : "")
                + " buffered " + expected.leftOver();
        if (!want.equals(actual.describe())) {
            throw new AssertionError("decoded " + actual.describe() + "\nbut the header fields say " + want
                    + "\ninput: " + new String(input, StandardCharsets.ISO_8859_1));
        }
    }

    /** Whether every length in a well-formed stream has the form write() uses: one byte below 128, else four. */
    private static boolean shortestLengths(byte[] in) {
        int at = 0;
        while (at < in.length) {
            int[] lengths = new int[2];
            for (int i = 0; i < 2; i++) {
                int first = in[at] & 0xff;
                if ((first & 0x80) == 0) {
                    lengths[i] = first;
                    at += 1;
                } else {
                    lengths[i] = ((first & 0x7f) << 24) | ((in[at + 1] & 0xff) << 16) | ((in[at + 2] & 0xff) << 8)
                            | (in[at + 3] & 0xff);
                    if (lengths[i] < 128) {
                        return false;
                    }
                    at += 4;
                }
            }
            at += lengths[0] + lengths[1];
        }
        return true;
    }
}
