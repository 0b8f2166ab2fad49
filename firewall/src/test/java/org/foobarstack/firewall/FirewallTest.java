package org.foobarstack.firewall;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The rules themselves, without sockets: which line decides, what sources and blocks match, what is counted, and
 * what a block looks like in the log.
 */
class FirewallTest {

    private static final InetSocketAddress SERVER_1_DB = at("127.0.0.11", 1527);
    private static final InetSocketAddress SERVER_1_WEB = at("127.0.0.11", 8080);

    /** server-1 of the distributed topology: the balancer reaches its web tier, the app servers its database. */
    private static List<Rule> server1Rules() {
        return List.of(
                new Rule(1, Action.ACCEPT, Protocol.TCP, 8080, List.of(Source.parse("127.0.0.10")), "the balancer"),
                new Rule(2, Action.ACCEPT, Protocol.TCP, 1527,
                        List.of(Source.parse("127.0.0.11"), Source.parse("127.0.0.12")), "the app servers"),
                new Rule(3, Action.DROP, Protocol.TCP, 1527, List.of(Source.parse("127.0.0.0/24")), "the rest of us"),
                new Rule(4, Action.REJECT, null, 0, List.of(), "everything else, at once"));
    }

    @Test
    void theFirstMatchingRuleDecidesEvenWhenALaterOneWouldToo() {
        Firewall fw = new Firewall("server-1", server1Rules(), Action.DROP);

        // 127.0.0.12 also lies in rule 3's 127.0.0.0/24, but rule 2 comes first
        Verdict app = fw.check(Protocol.TCP, at("127.0.0.12", 40000), SERVER_1_DB);
        assertThat(app.action()).isEqualTo(Action.ACCEPT);
        assertThat(app.rule().number()).isEqualTo(2);

        Verdict balancerToDb = fw.check(Protocol.TCP, at("127.0.0.10", 40001), SERVER_1_DB);
        assertThat(balancerToDb.action()).isEqualTo(Action.DROP);
        assertThat(balancerToDb.rule().number()).isEqualTo(3);

        Verdict balancerToWeb = fw.check(Protocol.TCP, at("127.0.0.10", 40002), SERVER_1_WEB);
        assertThat(balancerToWeb.accepted()).isTrue();
        assertThat(balancerToWeb.rule().number()).isEqualTo(1);

        // rule 4 names no protocol, port or source: it takes all that is left, so the default never decides
        Verdict stranger = fw.check(Protocol.UDP, at("10.1.2.3", 53), at("127.0.0.11", 53));
        assertThat(stranger.action()).isEqualTo(Action.REJECT);
        assertThat(stranger.rule().number()).isEqualTo(4);
        assertThat(fw.blockedByDefault()).isZero();
    }

    @Test
    void whatNoRuleMatchesGetsTheDefaultPolicy() {
        Firewall fw = new Firewall("server-1", List.of(
                new Rule(1, Action.ACCEPT, Protocol.TCP, 8080, List.of(), "")), Action.REJECT);

        Verdict verdict = fw.check(Protocol.TCP, at("127.0.0.10", 40000), SERVER_1_DB);

        assertThat(verdict.action()).isEqualTo(Action.REJECT);
        assertThat(verdict.rule()).as("no rule: the default decided").isNull();
        assertThat(verdict.decidedBy()).isEqualTo("default policy");
        assertThat(fw.blockedByDefault()).isEqualTo(1);
    }

    @Test
    void aRuleForOneProtocolLeavesTheOtherAlone() {
        Firewall fw = new Firewall("ns-1", List.of(
                new Rule(1, Action.ACCEPT, Protocol.UDP, 53, List.of(), "queries")), Action.DROP);

        assertThat(fw.check(Protocol.UDP, at("127.0.0.30", 5000), at("127.0.0.2", 53)).accepted()).isTrue();
        assertThat(fw.check(Protocol.TCP, at("127.0.0.30", 5000), at("127.0.0.2", 53)).accepted()).isFalse();
    }

    @Test
    void anOpenFirewallAcceptsEverythingAndCountsNothingAsBlocked() {
        Firewall fw = Firewall.open("server-9");

        assertThat(fw.isOpen()).isTrue();
        assertThat(fw.check(Protocol.TCP, at("10.9.9.9", 1), SERVER_1_DB).accepted()).isTrue();
        assertThat(fw.check(Protocol.UDP, at("127.0.0.1", 2), at("127.0.0.11", 53)).accepted()).isTrue();
        assertThat(fw.blockedByDefault()).isZero();
        assertThat(fw.counts()).singleElement().satisfies(c -> {
            assertThat(c.rule()).isNull();
            assertThat(c.matched()).isEqualTo(2);
            assertThat(c.blocked()).isZero();
        });
    }

    @Test
    void sourcesReadAddressesBlocksAndAny() throws Exception {
        Source one = Source.parse("127.0.0.10");
        Source block = Source.parse("127.0.0.0/24");
        Source any = Source.parse("any");

        assertThat(one.prefixLength()).isEqualTo(32);
        assertThat(one.matches(InetAddress.getByName("127.0.0.10"))).isTrue();
        assertThat(one.matches(InetAddress.getByName("127.0.0.11"))).isFalse();

        assertThat(block.matches(InetAddress.getByName("127.0.0.0"))).isTrue();
        assertThat(block.matches(InetAddress.getByName("127.0.0.255"))).isTrue();
        assertThat(block.matches(InetAddress.getByName("127.0.1.0"))).isFalse();

        assertThat(any).isEqualTo(Source.ANY).isEqualTo(Source.parse("0.0.0.0/0"));
        assertThat(any.matches(InetAddress.getByName("203.0.113.7"))).isTrue();
        assertThat(any.matches(InetAddress.getByName("::1"))).as("any is any, IPv6 too").isTrue();
        assertThat(block.matches(InetAddress.getByName("::1"))).isFalse();

        // the odd blocks: /31 is two addresses, /1 half of all, and the host bits of a block are cleared
        Source pair = Source.parse("10.0.0.7/31");
        assertThat(pair).hasToString("10.0.0.6/31").isEqualTo(Source.parse("10.0.0.6/31"));
        assertThat(pair.matches(InetAddress.getByName("10.0.0.6"))).isTrue();
        assertThat(pair.matches(InetAddress.getByName("10.0.0.8"))).isFalse();
        assertThat(Source.parse("128.0.0.0/1").matches(InetAddress.getByName("255.1.2.3"))).isTrue();
        assertThat(Source.parse("128.0.0.0/1").matches(InetAddress.getByName("127.255.255.255"))).isFalse();

        assertThat(one).hasToString("127.0.0.10");
        assertThat(block).hasToString("127.0.0.0/24");
        assertThat(any).hasToString("0.0.0.0/0");
    }

    @Test
    void aSourceThatIsNotAnIpv4AddressBlockOrAnyIsRefusedWithItsText() {
        for (String bad : List.of("lb-1", "127.0.0", "127.0.0.256", "127.0.0.1/33", "127.0.0.1/", "::1", "1.2.3.4/x",
                "")) {
            assertThatThrownBy(() -> Source.parse(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("\"" + bad + "\"");
        }
    }

    @Test
    void aRuleDescribesItselfAsTheLogAndTheExportsNameIt() {
        List<Rule> rules = server1Rules();

        assertThat(rules.get(1).describe())
                .isEqualTo("rule 2: accept tcp/1527 from 127.0.0.11, 127.0.0.12 (the app servers)");
        assertThat(rules.get(3).describe()).isEqualTo("rule 4: reject any from anywhere (everything else, at once)");
        assertThat(new Rule(7, Action.DROP, Protocol.UDP, 0, List.of(Source.parse("127.0.0.0/8")), "").describe())
                .isEqualTo("rule 7: drop udp from 127.0.0.0/8");
        assertThat(new Rule(8, Action.DROP, null, 53, List.of(Source.ANY), null).describe())
                .isEqualTo("rule 8: drop port 53 from anywhere");
    }

    @Test
    void twoRulesWithOneNumberAreRefused() {
        Rule a = new Rule(1, Action.ACCEPT, Protocol.TCP, 80, List.of(), "");
        Rule b = new Rule(1, Action.DROP, Protocol.TCP, 81, List.of(), "");

        assertThatThrownBy(() -> new Firewall("web-1", List.of(a, b), Action.DROP))
                .hasMessage("web-1: two rules are numbered 1");
    }

    @Test
    void eachRuleAndTheDefaultCountWhatTheyStopped() {
        Firewall fw = new Firewall("server-1", List.of(
                new Rule(1, Action.ACCEPT, Protocol.TCP, 8080, List.of(), ""),
                new Rule(2, Action.DROP, Protocol.TCP, 1527, List.of(), ""),
                new Rule(3, Action.REJECT, Protocol.TCP, 9000, List.of(), "")), Action.DROP);

        fw.check(Protocol.TCP, at("127.0.0.10", 1), SERVER_1_WEB);
        fw.check(Protocol.TCP, at("127.0.0.10", 2), SERVER_1_WEB);
        fw.check(Protocol.TCP, at("127.0.0.10", 3), SERVER_1_DB);
        fw.check(Protocol.TCP, at("127.0.0.10", 4), at("127.0.0.11", 9000));
        fw.check(Protocol.TCP, at("127.0.0.10", 5), at("127.0.0.11", 9000));
        fw.check(Protocol.TCP, at("127.0.0.10", 6), at("127.0.0.11", 9000));
        fw.check(Protocol.UDP, at("127.0.0.10", 7), at("127.0.0.11", 9000));

        assertThat(fw.blocked(1)).as("an accept rule blocks nothing").isZero();
        assertThat(fw.blocked(2)).isEqualTo(1);
        assertThat(fw.blocked(3)).isEqualTo(3);
        assertThat(fw.blockedByDefault()).as("the UDP datagram no rule matched").isEqualTo(1);
        assertThat(fw.counts()).extracting(RuleCount::name, RuleCount::matched, RuleCount::blocked)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("rule 1", 2L, 0L),
                        org.assertj.core.groups.Tuple.tuple("rule 2", 1L, 1L),
                        org.assertj.core.groups.Tuple.tuple("rule 3", 3L, 3L),
                        org.assertj.core.groups.Tuple.tuple("default policy", 1L, 1L));
        assertThatThrownBy(() -> fw.blocked(9)).hasMessage("server-1 has no rule 9");
    }

    @Test
    void countersLoseNothingWhenManyThreadsCheckAtOnce() throws Exception {
        Firewall fw = new Firewall("server-1", List.of(
                new Rule(1, Action.DROP, Protocol.TCP, 1527, List.of(), "")), Action.REJECT);
        int threads = 8;
        int each = 10_000;
        AtomicLong heard = new AtomicLong();
        fw.onBlock(b -> heard.incrementAndGet());
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<java.util.concurrent.Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int port = t % 2 == 0 ? 1527 : 80;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < each; i++) {
                        fw.check(Protocol.TCP, at("127.0.0.10", 1000 + i), at("127.0.0.11", port));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (var f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(fw.blocked(1)).isEqualTo(threads / 2 * each);
        assertThat(fw.blockedByDefault()).isEqualTo(threads / 2 * each);
        assertThat(heard.get()).isEqualTo(threads * each);
    }

    @Test
    void aBlockReadsAsOneLogLine() {
        Firewall fw = new Firewall("server-1", server1Rules().subList(0, 3), Action.REJECT);
        List<Block> blocks = new ArrayList<>();
        fw.onBlock(blocks::add);

        fw.check(Protocol.TCP, at("127.0.0.10", 51234), SERVER_1_DB);
        fw.check(Protocol.TCP, at("127.0.0.10", 51235), at("127.0.0.11", 22));
        fw.check(Protocol.TCP, at("127.0.0.11", 51236), SERVER_1_DB); // accepted: no block

        assertThat(blocks).extracting(Block::describe).containsExactly(
                "server-1 firewall rule 3 dropped 127.0.0.10:51234 -> 127.0.0.11:1527",
                "server-1 firewall default policy rejected 127.0.0.10:51235 -> 127.0.0.11:22");
        assertThat(blocks.get(0).protocol()).isEqualTo(Protocol.TCP);
        assertThat(blocks.get(0).host()).isEqualTo("server-1");
        assertThat(blocks.get(0).atMillis()).isPositive();
    }

    @Test
    void aListenerThatFailsNeitherChangesTheVerdictNorSilencesTheOthers() {
        Firewall fw = new Firewall("server-1", List.of(), Action.DROP);
        List<Block> heard = new ArrayList<>();
        fw.onBlock(b -> {
            throw new IllegalStateException("a broken dashboard");
        });
        fw.onBlock(heard::add);

        assertThat(fw.check(Protocol.TCP, at("127.0.0.10", 1), SERVER_1_DB).action()).isEqualTo(Action.DROP);
        assertThat(heard).hasSize(1);
    }

    @Test
    void theLogSaysOneLinePerRuleAndSourceEveryTenSecondsAndHowManyItLeftOut() {
        long[] now = {1_000_000};
        List<String> warnings = new ArrayList<>();
        Firewall fw = new Firewall("server-1", List.of(
                new Rule(1, Action.DROP, Protocol.TCP, 1527, List.of(), "")), Action.REJECT,
                () -> now[0], warnings::add);
        List<Block> heard = new ArrayList<>();
        fw.onBlock(heard::add);

        // a client retrying against the database, 100 times in 5 s
        for (int i = 0; i < 100; i++) {
            fw.check(Protocol.TCP, at("127.0.0.10", 40000 + i), SERVER_1_DB);
            now[0] += 50;
        }
        // another source, and another line of the firewall, each get their own line
        fw.check(Protocol.TCP, at("127.0.0.13", 40000), SERVER_1_DB);
        fw.check(Protocol.TCP, at("127.0.0.10", 40100), at("127.0.0.11", 22));

        assertThat(heard).as("every block reaches the listeners").hasSize(102);
        assertThat(fw.blocked(1)).isEqualTo(101);
        assertThat(fw.warningsLogged()).isEqualTo(3);
        assertThat(warnings).containsExactly(
                "server-1 firewall rule 1 dropped 127.0.0.10:40000 -> 127.0.0.11:1527",
                "server-1 firewall rule 1 dropped 127.0.0.13:40000 -> 127.0.0.11:1527",
                "server-1 firewall default policy rejected 127.0.0.10:40100 -> 127.0.0.11:22");

        // 10 s after the first line, the next block from 127.0.0.10 is logged, with the count of those left out
        now[0] = 1_000_000 + Firewall.LOG_WINDOW_MILLIS - 1;
        fw.check(Protocol.TCP, at("127.0.0.10", 41000), SERVER_1_DB);
        assertThat(fw.warningsLogged()).as("still inside the window").isEqualTo(3);
        now[0] = 1_000_000 + Firewall.LOG_WINDOW_MILLIS;
        fw.check(Protocol.TCP, at("127.0.0.10", 41001), SERVER_1_DB);

        assertThat(fw.warningsLogged()).isEqualTo(4);
        assertThat(warnings.get(3)).isEqualTo("server-1 firewall rule 1 dropped 127.0.0.10:41001 -> 127.0.0.11:1527"
                + " (100 more by rule 1 from 127.0.0.10 were not logged since the last warning)");
    }

    private static InetSocketAddress at(String address, int port) {
        return new InetSocketAddress(address, port); // a literal address: no lookup
    }
}
