package org.foobarstack.walk.packet;

/** One end of a flow: an IP address and a port (RFC 9293 §3.1 calls the pair a socket). */
public record Endpoint(String address, int port) {
    @Override
    public String toString() {
        return (address.indexOf(':') >= 0 ? "[" + address + "]" : address) + ":" + port;
    }
}
