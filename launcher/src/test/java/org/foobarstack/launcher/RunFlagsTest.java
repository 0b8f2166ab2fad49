package org.foobarstack.launcher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code run} flags the top-level README names beside the ports, as a user would pass them: {@code --bind},
 * {@code --no-https} and {@code --www-cname}, on a stack started in a child JVM with the launcher's own command.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)   // the child's 90 s to come up, with room for its answers
class RunFlagsTest {

    private static final String BIND = "127.0.0.2";

    @TempDir
    Path dataDir;

    @Test
    void bindNoHttpsAndWwwCnameShapeTheRunningStack() throws Exception {
        try (ChildStack child = ChildStack.start(dataDir, "--bind", BIND, "--no-https", "--www-cname")) {
            String banner = child.output();

            // --bind: every tier of the simple design listens on that address, and answers there
            assertThat(child.dns().getAddress().getHostAddress()).as("DNS server in:%n%s", banner).isEqualTo(BIND);
            assertThat(child.web().getAddress().getHostAddress()).as("web server in:%n%s", banner).isEqualTo(BIND);
            assertThat(child.database().getAddress().getHostAddress()).as("database in:%n%s", banner).isEqualTo(BIND);
            assertThat(banner).containsPattern("app server\\s+" + BIND.replace(".", "\\.") + ":\\d+");
            RawHttp home = RawHttp.get(child.web(), "/");
            assertThat(home.status()).isEqualTo(200);
            assertThat(home.body()).contains("Guestbook");

            // --no-https: an HTTP URL alone, no HTTPS port, and no certificate authority made for it
            assertThat(banner).containsPattern("web server\\s+http://" + BIND.replace(".", "\\.") + ":\\d+/\\R")
                    .doesNotContain("https://").doesNotContain("--cacert");
            try (Stream<Path> files = Files.walk(dataDir)) {
                assertThat(files.map(p -> p.getFileName().toString())).doesNotContain("ca.pem");
            }

            // --www-cname: www is an alias of the apex, whose address is the bound one; ns1 is the DNS server's
            SimpleResolver resolver = new SimpleResolver(child.dns());
            resolver.setTimeout(Duration.ofSeconds(5));
            Message www = resolver.send(Message.newQuery(
                    Record.newRecord(Name.fromConstantString("www.foobar.com."), Type.A, DClass.IN)));
            assertThat(www.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(answers(www)).containsExactly(
                    "www.foobar.com. CNAME foobar.com.", "foobar.com. A " + BIND);
            Message ns1 = resolver.send(Message.newQuery(
                    Record.newRecord(Name.fromConstantString("ns1.foobar.com."), Type.A, DClass.IN)));
            assertThat(answers(ns1)).containsExactly("ns1.foobar.com. A " + BIND);
            assertThat(banner).contains("authoritative for foobar.com, www is a CNAME)");
        }
    }

    private static List<String> answers(Message reply) {
        return reply.getSection(Section.ANSWER).stream()
                .map(r -> r.getName() + " " + Type.string(r.getType()) + " " + r.rdataToString())
                .toList();
    }
}
