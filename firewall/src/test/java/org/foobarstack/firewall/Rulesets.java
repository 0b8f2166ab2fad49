package org.foobarstack.firewall;

import java.util.List;

/** The firewalls the export tests write out. */
final class Rulesets {

    private Rulesets() {
    }

    /** server-1 of the distributed topology: one rule of every kind an export must spell. */
    static Firewall server1(Action defaultAction) {
        return new Firewall("server-1", List.of(
                new Rule(1, Action.ACCEPT, Protocol.TCP, 8080, List.of(Source.parse("127.0.0.10")), "the balancer"),
                new Rule(2, Action.ACCEPT, Protocol.TCP, 1527,
                        List.of(Source.parse("127.0.0.11"), Source.parse("127.0.0.12")), "the app servers"),
                new Rule(3, Action.REJECT, Protocol.TCP, 9000, List.of(), ""),
                new Rule(4, Action.DROP, Protocol.UDP, 53, List.of(Source.parse("127.0.0.0/24")), "no \"resolver\""),
                new Rule(5, Action.REJECT, null, 0, List.of(Source.parse("127.0.0.99")), ""),
                new Rule(6, Action.ACCEPT, null, 53, List.of(Source.ANY), "")), defaultAction);
    }

    /** A rule whose comment and sources are longer than nftables keeps in a comment. */
    static Firewall longWinded() {
        return new Firewall("db-primary", List.of(
                new Rule(1, Action.ACCEPT, Protocol.TCP, 1527, List.of(Source.parse("127.0.0.11"),
                        Source.parse("127.0.0.12"), Source.parse("127.0.0.13"), Source.parse("127.0.0.14"),
                        Source.parse("127.0.0.15"), Source.parse("127.0.0.16")),
                        "every app server of the stack, including the ones the deployer adds — é à ü")),
                Action.REJECT);
    }
}
