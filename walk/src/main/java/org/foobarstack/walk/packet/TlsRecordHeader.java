package org.foobarstack.walk.packet;

import java.util.ArrayList;
import java.util.List;
import org.foobarstack.trace.Field;

/**
 * The header of one TLS record, RFC 8446 §5.1, and for a handshake record that begins in view the type
 * of the handshake message it starts with (§4):
 *
 * <pre>
 * struct {
 *     ContentType type;                  1 byte: 20 change_cipher_spec, 21 alert, 22 handshake, 23 application_data
 *     ProtocolVersion legacy_record_version;  2 bytes: 0x0303 (0x0301 allowed in a ClientHello)
 *     uint16 length;                     the fragment's length, at most 2^14 + 256
 *     opaque fragment[TLSPlaintext.length];
 * } TLSPlaintext;
 * </pre>
 * TLS 1.3 encrypts everything after the ServerHello: those records say application_data (23) on the
 * outside, and their real type is inside the encrypted fragment (§5.2). So a learner sees ClientHello and
 * ServerHello, a change_cipher_spec kept for middleboxes (Appendix D.4), and then only application_data.
 *
 * @param offset          where the record begins in the frame
 * @param contentType     the content type byte
 * @param version         the legacy record version
 * @param length          the fragment's length
 * @param handshakeTypes  for a plaintext handshake record, the handshake messages that begin in this segment
 */
public record TlsRecordHeader(int offset, int contentType, int version, int length, List<String> handshakeTypes,
                              Field field) {

    public static final int HEADER_LENGTH = 5;
    public static final int CHANGE_CIPHER_SPEC = 20;
    public static final int ALERT = 21;
    public static final int HANDSHAKE = 22;
    public static final int APPLICATION_DATA = 23;

    public TlsRecordHeader {
        handshakeTypes = List.copyOf(handshakeTypes);
    }

    /**
     * Decodes the record header at {@code offset}; {@code end} is where this segment's bytes stop (the record's
     * fragment may go on in later segments).
     */
    public static TlsRecordHeader decode(byte[] frame, int offset, int end) {
        if (offset + HEADER_LENGTH > end) {
            throw new MalformedPacketException(offset, "a TLS record header is 5 bytes; "
                    + (end - offset) + " left in this segment");
        }
        int type = Bytes.u8(frame, offset);
        int version = Bytes.u16(frame, offset + 1);
        int length = Bytes.u16(frame, offset + 3);
        List<Field> children = new ArrayList<>();
        children.add(Field.of("Content type", offset, 1, type + " (" + contentTypeName(type) + ")"));
        children.add(Field.of("Legacy record version", offset + 1, 2, String.format("0x%04x (%s)", version,
                versionName(version))));
        children.add(Field.of("Length", offset + 3, 2, length + " bytes of fragment"));
        List<String> handshakes = new ArrayList<>();
        int fragment = offset + HEADER_LENGTH;
        int fragmentEnd = Math.min(end, fragment + length);
        if (type == HANDSHAKE) {
            // RFC 8446 §4: each handshake message is a 1-byte type and a 3-byte length, then its body.
            int at = fragment;
            while (at + 4 <= fragmentEnd) {
                int handshakeType = Bytes.u8(frame, at);
                int handshakeLength = Bytes.u24(frame, at + 1);
                String name = handshakeTypeName(handshakeType);
                handshakes.add(name);
                children.add(Field.group("Handshake message", at, Math.min(4 + handshakeLength, fragmentEnd - at),
                        name, List.of(
                                Field.of("Handshake type", at, 1, handshakeType + " (" + name + ")"),
                                Field.of("Length", at + 1, 3, handshakeLength + " bytes"))));
                at += 4 + handshakeLength;
            }
        } else if (type == APPLICATION_DATA) {
            children.add(Field.of("Encrypted fragment", fragment, fragmentEnd - fragment, "encrypted: its real"
                    + " content type is inside (RFC 8446 §5.2)"));
        } else if (type == ALERT && fragment + 2 <= fragmentEnd) {
            children.add(Field.of("Alert", fragment, 2, "level " + Bytes.u8(frame, fragment) + ", description "
                    + Bytes.u8(frame, fragment + 1) + " (RFC 8446 §6)"));
        }
        String value = contentTypeName(type) + (handshakes.isEmpty() ? "" : " " + String.join(", ", handshakes))
                + ", " + length + " bytes" + (fragment + length > end ? " (continues in the next segments)" : "");
        Field field = Field.group("TLS record", offset, Math.min(HEADER_LENGTH + length, end - offset), value,
                children);
        return new TlsRecordHeader(offset, type, version, length, handshakes, field);
    }

    /** The record's name as a packet summary gives it: {@code Handshake ClientHello}, {@code Application Data}. */
    public String summary() {
        return contentTypeName(contentType) + (handshakeTypes.isEmpty() ? "" : " " + String.join(", ", handshakeTypes));
    }

    static String contentTypeName(int type) {
        return switch (type) {
            case CHANGE_CIPHER_SPEC -> "Change Cipher Spec";
            case ALERT -> "Alert";
            case HANDSHAKE -> "Handshake";
            case APPLICATION_DATA -> "Application Data";
            case 24 -> "Heartbeat";
            default -> "unknown type " + type;
        };
    }

    static String versionName(int version) {
        return switch (version) {
            case 0x0300 -> "SSL 3.0";
            case 0x0301 -> "TLS 1.0";
            case 0x0302 -> "TLS 1.1";
            case 0x0303 -> "TLS 1.2";
            case 0x0304 -> "TLS 1.3";
            default -> "unknown";
        };
    }

    /** RFC 8446 §4 HandshakeType, plus the TLS 1.2 types (RFC 5246 §7.4) a 1.2 server sends in the clear. */
    static String handshakeTypeName(int type) {
        return switch (type) {
            case 1 -> "ClientHello";
            case 2 -> "ServerHello";
            case 4 -> "NewSessionTicket";
            case 5 -> "EndOfEarlyData";
            case 8 -> "EncryptedExtensions";
            case 11 -> "Certificate";
            case 12 -> "ServerKeyExchange";
            case 13 -> "CertificateRequest";
            case 14 -> "ServerHelloDone";
            case 15 -> "CertificateVerify";
            case 16 -> "ClientKeyExchange";
            case 20 -> "Finished";
            case 24 -> "KeyUpdate";
            case 254 -> "message_hash";
            default -> "type " + type;
        };
    }
}
