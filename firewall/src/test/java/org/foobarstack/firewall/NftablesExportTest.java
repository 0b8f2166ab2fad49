package org.foobarstack.firewall;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A host's firewall written as an nftables ruleset: the exact text, and that nft itself accepts it. */
class NftablesExportTest {

    @TempDir
    Path dir;

    @Test
    void server1WithADroppingDefault() throws Exception {
        String ruleset = NftablesExport.render("server-1", InetAddress.getByName("127.0.0.11"),
                Rulesets.server1(Action.DROP));

        assertThat(ruleset).isEqualTo("""
                #!/usr/sbin/nft -f
                # The firewall of server-1 (127.0.0.11), exported from foobar-stack.
                # Load it as root with: nft -f FILE. Loading it again replaces this table and no other.
                #
                # Every rule says ip daddr 127.0.0.11: in foobar-stack every host is an address on the loopback
                # interface, where the usual "iif lo accept" would let every host in. Only loopback traffic for other
                # addresses passes unjudged; on a real server the rules mean the same.
                table inet foobar_server_1
                delete table inet foobar_server_1
                table inet foobar_server_1 {
                \tchain input {
                \t\ttype filter hook input priority 0; policy drop;
                \t\tct state established,related accept comment "connections already accepted, and replies"
                \t\tiif lo ip daddr != 127.0.0.11 accept comment "loopback traffic for other addresses: theirs to judge"
                \t\tiif lo ip6 daddr ::1 accept comment "IPv6 loopback"
                \t\tmeta l4proto ipv6-icmp accept comment "IPv6 neighbour discovery"
                \t\tip daddr 127.0.0.11 ip saddr 127.0.0.10 tcp dport 8080 counter accept comment "rule 1: accept tcp/8080 from 127.0.0.10 (the balancer)"
                \t\tip daddr 127.0.0.11 ip saddr { 127.0.0.11, 127.0.0.12 } tcp dport 1527 counter accept comment "rule 2: accept tcp/1527 from 127.0.0.11, 127.0.0.12 (the app servers)"
                \t\tip daddr 127.0.0.11 tcp dport 9000 counter reject with tcp reset comment "rule 3: reject tcp/9000 from anywhere"
                \t\tip daddr 127.0.0.11 ip saddr 127.0.0.0/24 udp dport 53 counter drop comment "rule 4: drop udp/53 from 127.0.0.0/24 (no 'resolver')"
                \t\tip daddr 127.0.0.11 ip saddr 127.0.0.99 meta l4proto { tcp, udp } counter reject comment "rule 5: reject any from 127.0.0.99"
                \t\tip daddr 127.0.0.11 meta l4proto { tcp, udp } th dport 53 counter accept comment "rule 6: accept port 53 from anywhere"
                \t\tcounter drop comment "default policy: drop"
                \t}
                }
                """);
    }

    @Test
    void aRejectingDefaultIsWrittenAsLastRulesOverAPolicyOfDrop() throws Exception {
        String ruleset = NftablesExport.render("server-1", InetAddress.getByName("127.0.0.11"),
                Rulesets.server1(Action.REJECT));

        assertThat(ruleset)
                .contains("type filter hook input priority 0; policy drop;\n")
                .endsWith("""
                        \t\t# a chain's policy can only be accept or drop: a rejecting default is these two rules
                        \t\tmeta l4proto tcp counter reject with tcp reset comment "default policy: reject"
                        \t\tcounter reject comment "default policy: reject"
                        \t}
                        }
                        """);
    }

    @Test
    void anAcceptingDefault() throws Exception {
        String ruleset = NftablesExport.render("server-1", InetAddress.getByName("127.0.0.11"),
                Rulesets.server1(Action.ACCEPT));

        assertThat(ruleset).contains("policy accept;").contains("\t\tcounter accept comment \"default policy: accept\"\n");
    }

    @Test
    void anOpenHostStillGetsATableThatLetsAllIn() throws Exception {
        String ruleset = NftablesExport.render("web.2", InetAddress.getByName("127.0.0.1"), Firewall.open("web.2"));

        assertThat(ruleset).contains("table inet foobar_web_2 {").doesNotContain("ip daddr 127.0.0.1 ");
    }

    @Test
    void aCommentTooLongForNftablesIsShortened() throws Exception {
        String ruleset = NftablesExport.render("db-primary", InetAddress.getByName("127.0.0.20"),
                Rulesets.longWinded());

        String comment = ruleset.lines().filter(l -> l.contains("rule 1:")).findFirst().orElseThrow()
                .replaceFirst(".*comment \"", "").replaceFirst("\"$", "");
        assertThat(comment).startsWith("rule 1: accept tcp/1527 from 127.0.0.11, ").endsWith("...");
        assertThat(comment.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(128);
    }

    /**
     * What a learner would do with the file: {@code nft -c -f FILE} parses it and asks the kernel whether it would
     * load it, changing nothing. Every variant above must pass.
     */
    @Test
    void nftAcceptsEveryRulesetWritten() throws Exception {
        PacketFilterTool nft = PacketFilterTool.find("nft", "nftables");
        InetAddress server1 = InetAddress.getByName("127.0.0.11");
        List<String> rulesets = List.of(
                NftablesExport.render("server-1", server1, Rulesets.server1(Action.DROP)),
                NftablesExport.render("server-1", server1, Rulesets.server1(Action.REJECT)),
                NftablesExport.render("server-1", server1, Rulesets.server1(Action.ACCEPT)),
                NftablesExport.render("web.2", InetAddress.getByName("127.0.0.1"), Firewall.open("web.2")),
                NftablesExport.render("db-primary", InetAddress.getByName("127.0.0.20"), Rulesets.longWinded()));
        for (int i = 0; i < rulesets.size(); i++) {
            Path file = dir.resolve("firewall-" + i + ".nft");
            Files.writeString(file, rulesets.get(i), StandardCharsets.UTF_8);
            nft.accepts(file, "-c", "-f");
        }
    }
}
