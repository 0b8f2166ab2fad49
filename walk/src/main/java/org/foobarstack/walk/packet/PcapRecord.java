package org.foobarstack.walk.packet;

/**
 * One packet as a pcap file stores it: when it was captured, how long it was on the wire, and the bytes
 * captured (all of them with tcpdump's {@code -s 0}).
 *
 * @param number         its place in the file, from 1 (Wireshark's "No." column)
 * @param epochMicros    capture time, microseconds since 1970-01-01T00:00Z
 * @param originalLength the packet's length on the wire; more than {@code bytes.length} when the snapshot
 *                       length cut it
 * @param bytes          the captured frame, from its link-layer header on
 */
public record PcapRecord(int number, long epochMicros, int originalLength, byte[] bytes) {
    public PcapRecord {
        bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }
}
