package org.foobarstack.firewall;

/**
 * Every test of {@link FirewallHandlerTest} again on Java's NIO transport, the one the tiers fall back to where
 * epoll is missing: the reset, the silence and the hold must not depend on the transport.
 */
class FirewallHandlerNioTest extends FirewallHandlerTest {

    @Override
    Transport transport() {
        return Transport.nio();
    }
}
