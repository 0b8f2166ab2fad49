package org.foobarstack.topology;

import java.util.List;

/**
 * The zone's authoritative name server.
 *
 * <p>DNS is asked over UDP first and over TCP when an answer does not fit in a datagram
 * (RFC 7766), so the tier listens on both transports, on the same port number.
 *
 * @param port the UDP and TCP port; 5300 by default (53 needs root)
 */
public record DnsTier(int port) implements TierSpec {

    public DnsTier {
        Ports.requireValid(port, "dns port");
    }

    /** A name server on its default port, 5300. */
    public DnsTier() {
        this(Role.DNS.defaultPort());
    }

    @Override
    public Role role() {
        return Role.DNS;
    }

    @Override
    public List<Listener> listeners() {
        return List.of(new Listener(Role.DNS, "port", port, Transport.UDP),
                new Listener(Role.DNS, "port", port, Transport.TCP));
    }

    @Override
    public List<Reference> references() {
        return List.of();
    }

    @Override
    public DnsTier withEphemeralPorts() {
        return new DnsTier(0);
    }
}
