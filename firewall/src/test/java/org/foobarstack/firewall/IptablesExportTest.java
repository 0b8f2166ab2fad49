package org.foobarstack.firewall;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A host's firewall in iptables-restore format: the exact text, and that iptables-restore --test accepts it. */
class IptablesExportTest {

    @TempDir
    Path dir;

    @Test
    void server1WithADroppingDefault() throws Exception {
        String rules = IptablesExport.render("server-1", InetAddress.getByName("127.0.0.11"),
                Rulesets.server1(Action.DROP));

        assertThat(rules).isEqualTo("""
                # The firewall of server-1 (127.0.0.11), exported from foobar-stack, for iptables (IPv4).
                # Load it as root with: iptables-restore < FILE. It replaces the whole filter table.
                #
                # Every rule says -d 127.0.0.11/32: in foobar-stack every host is an address on the loopback interface,
                # where the usual "-i lo -j ACCEPT" would let every host in. Only loopback traffic for other addresses
                # passes unjudged; on a real server the rules mean the same.
                *filter
                :INPUT DROP [0:0]
                :FORWARD ACCEPT [0:0]
                :OUTPUT ACCEPT [0:0]
                -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
                -A INPUT -i lo ! -d 127.0.0.11/32 -j ACCEPT
                -A INPUT -s 127.0.0.10/32 -d 127.0.0.11/32 -p tcp -m tcp --dport 8080 -m comment --comment "rule 1: accept tcp/8080 from 127.0.0.10 (the balancer)" -j ACCEPT
                -A INPUT -s 127.0.0.11/32 -d 127.0.0.11/32 -p tcp -m tcp --dport 1527 -m comment --comment "rule 2: accept tcp/1527 from 127.0.0.11, 127.0.0.12 (the app servers)" -j ACCEPT
                -A INPUT -s 127.0.0.12/32 -d 127.0.0.11/32 -p tcp -m tcp --dport 1527 -m comment --comment "rule 2: accept tcp/1527 from 127.0.0.11, 127.0.0.12 (the app servers)" -j ACCEPT
                -A INPUT -d 127.0.0.11/32 -p tcp -m tcp --dport 9000 -m comment --comment "rule 3: reject tcp/9000 from anywhere" -j REJECT --reject-with tcp-reset
                -A INPUT -s 127.0.0.0/24 -d 127.0.0.11/32 -p udp -m udp --dport 53 -m comment --comment "rule 4: drop udp/53 from 127.0.0.0/24 (no 'resolver')" -j DROP
                -A INPUT -s 127.0.0.99/32 -d 127.0.0.11/32 -p tcp -m comment --comment "rule 5: reject any from 127.0.0.99" -j REJECT --reject-with tcp-reset
                -A INPUT -s 127.0.0.99/32 -d 127.0.0.11/32 -p udp -m comment --comment "rule 5: reject any from 127.0.0.99" -j REJECT
                -A INPUT -d 127.0.0.11/32 -p tcp -m tcp --dport 53 -m comment --comment "rule 6: accept port 53 from anywhere" -j ACCEPT
                -A INPUT -d 127.0.0.11/32 -p udp -m udp --dport 53 -m comment --comment "rule 6: accept port 53 from anywhere" -j ACCEPT
                -A INPUT -m comment --comment "default policy: drop" -j DROP
                COMMIT
                """);
    }

    @Test
    void aRejectingDefaultIsWrittenAsLastRulesOverAPolicyOfDrop() throws Exception {
        String rules = IptablesExport.render("server-1", InetAddress.getByName("127.0.0.11"),
                Rulesets.server1(Action.REJECT));

        assertThat(rules).contains(":INPUT DROP [0:0]\n").endsWith("""
                -A INPUT -p tcp -m comment --comment "default policy: reject" -j REJECT --reject-with tcp-reset
                -A INPUT -m comment --comment "default policy: reject" -j REJECT
                COMMIT
                """);
    }

    @Test
    void anAcceptingDefault() throws Exception {
        String rules = IptablesExport.render("server-1", InetAddress.getByName("127.0.0.11"),
                Rulesets.server1(Action.ACCEPT));

        assertThat(rules).contains(":INPUT ACCEPT [0:0]\n")
                .contains("-A INPUT -m comment --comment \"default policy: accept\" -j ACCEPT\n");
    }

    @Test
    void longCommentsAndManySources() throws Exception {
        String rules = IptablesExport.render("db-primary", InetAddress.getByName("127.0.0.20"),
                Rulesets.longWinded());

        assertThat(rules.lines().filter(l -> l.contains("--dport 1527"))).hasSize(6);
    }

    /**
     * What a learner would do with the file: {@code iptables-restore --test FILE} parses it and tries it without
     * committing it. Every variant above must pass.
     */
    @Test
    void iptablesRestoreAcceptsEveryFileWritten() throws Exception {
        PacketFilterTool iptablesRestore = PacketFilterTool.find("iptables-restore", "iptables");
        InetAddress server1 = InetAddress.getByName("127.0.0.11");
        List<String> files = List.of(
                IptablesExport.render("server-1", server1, Rulesets.server1(Action.DROP)),
                IptablesExport.render("server-1", server1, Rulesets.server1(Action.REJECT)),
                IptablesExport.render("server-1", server1, Rulesets.server1(Action.ACCEPT)),
                IptablesExport.render("web-2", InetAddress.getByName("127.0.0.1"), Firewall.open("web-2")),
                IptablesExport.render("db-primary", InetAddress.getByName("127.0.0.20"), Rulesets.longWinded()));
        for (int i = 0; i < files.size(); i++) {
            Path file = dir.resolve("firewall-" + i + ".rules");
            Files.writeString(file, files.get(i), StandardCharsets.UTF_8);
            iptablesRestore.accepts(file, "--test");
        }
    }
}
