package org.foobarstack.walk.packet;

import org.foobarstack.trace.Protocol;

/**
 * The four layers of the internet's architecture (RFC 1122 §1.1.3), the ones a packet's headers nest in:
 * each header is carried as the payload of the one below it.
 */
public enum Layer {
    /** The frame on one link: Ethernet, or on loopback the kernel's stand-in for it. */
    LINK("link"),
    /** IP: from one host's address to another's (RFC 791, RFC 8200). */
    INTERNET("internet"),
    /** TCP or UDP: from one port to another, a byte stream or one datagram (RFC 9293, RFC 768). */
    TRANSPORT("transport"),
    /** What the programs said: DNS, TLS records, HTTP. */
    APPLICATION("application");

    private final String word;

    Layer(String word) {
        this.word = word;
    }

    public String word() {
        return word;
    }

    /**
     * The layer of the message a hop carries: TCP's connection is the transport layer's; DNS, HTTP, FastCGI
     * and SQL are what programs say to each other. TLS runs over TCP for the program that uses it, so in this
     * four-layer model it is part of the application layer (RFC 1122 §1.1.3 has no layer between the two).
     */
    public static Layer of(Protocol protocol) {
        return protocol == Protocol.TCP ? TRANSPORT : APPLICATION;
    }
}
