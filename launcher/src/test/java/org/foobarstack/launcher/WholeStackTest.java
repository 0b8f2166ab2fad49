package org.foobarstack.launcher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The walking skeleton, end to end: a client that knows only the DNS server's address resolves www.foobar.com,
 * connects to the answer, and posts and reads a guestbook message through the web tier, the FastCGI app tier and
 * the database.
 */
class WholeStackTest {

    @TempDir
    Path dataDir;

    @Test
    void aMessageWalksThroughDnsHttpFastCgiAndDerby() throws Exception {
        try (Stack stack = new Stack(StackConfig.ephemeral(dataDir))) {
            stack.start(line -> { });

            // 1. DNS: ask our server, and only our server, for www.foobar.com.
            InetAddress web = resolveWww(stack);
            assertThat(web).isEqualTo(stack.web().httpAddress().getAddress());
            InetSocketAddress target = new InetSocketAddress(web, stack.web().httpAddress().getPort());

            // 2. HTTP: the home page is there.
            RawHttp home = RawHttp.send(target, "GET / HTTP/1.1\r\nHost: www.foobar.com\r\n"
                    + "Connection: close\r\n\r\n");
            assertThat(home.status()).isEqualTo(200);
            assertThat(home.header("content-type")).startsWith("text/html");
            assertThat(home.body()).contains("foobar.com");

            // 3. HTTP -> FastCGI -> Derby: post a message ...
            String body = "hello from " + UUID.randomUUID();
            String json = "{\"author\":\"ada\",\"body\":\"" + body + "\"}";
            RawHttp created = RawHttp.send(target, "POST /api/messages HTTP/1.1\r\n"
                    + "Host: www.foobar.com\r\nContent-Type: application/json\r\nContent-Length: "
                    + json.getBytes(StandardCharsets.UTF_8).length + "\r\nConnection: close\r\n\r\n" + json);
            assertThat(created.status()).isEqualTo(201);
            assertThat(created.header("content-type")).startsWith("application/json");
            assertThat(created.body()).contains("\"author\":\"ada\"").contains(body);

            // ... it was stored in the database tier, read back over Derby's own network protocol ...
            assertThat(authorsInDatabase(stack, body)).containsExactly("ada");

            // ... and the list, served by the app tier from the database, shows it.
            RawHttp listed = RawHttp.send(target, "GET /api/messages HTTP/1.1\r\n"
                    + "Host: www.foobar.com\r\nConnection: close\r\n\r\n");
            assertThat(listed.status()).isEqualTo(200);
            assertThat(listed.body()).contains(body);

            // 4. The request passport names the web server, the app server and the database that served it.
            RawHttp whoami = RawHttp.send(target, "GET /api/whoami HTTP/1.1\r\n"
                    + "Host: www.foobar.com\r\nConnection: close\r\n\r\n");
            assertThat(whoami.status()).isEqualTo(200);
            assertThat(whoami.body())
                    .contains("\"webServer\":{\"instance\":\"web-1\"")
                    .contains("\"appServer\":{\"instance\":\"app-1\"")
                    .contains(String.valueOf(stack.app().address().getPort()))
                    .contains(String.valueOf(stack.storage().address().getPort()));
        }
    }

    @Test
    void aStoredMessageSurvivesARestartOfTheWholeStack() throws Exception {
        String body = "still here " + UUID.randomUUID();
        String json = "{\"author\":\"grace\",\"body\":\"" + body + "\"}";
        try (Stack stack = new Stack(StackConfig.ephemeral(dataDir))) {
            stack.start(line -> { });
            RawHttp created = RawHttp.send(stack.web().httpAddress(), "POST /api/messages HTTP/1.1\r\n"
                    + "Host: www.foobar.com\r\nContent-Type: application/json\r\nContent-Length: "
                    + json.length() + "\r\nConnection: close\r\n\r\n" + json);
            assertThat(created.status()).isEqualTo(201);
        }
        try (Stack again = new Stack(StackConfig.ephemeral(dataDir))) {
            again.start(line -> { });
            RawHttp listed = RawHttp.send(again.web().httpAddress(), "GET /api/messages HTTP/1.1\r\n"
                    + "Host: www.foobar.com\r\nConnection: close\r\n\r\n");
            assertThat(listed.status()).isEqualTo(200);
            assertThat(listed.body()).contains(body);
        }
    }

    @Test
    void twoStacksRunSideBySideInOneJvm(@TempDir Path otherDataDir) throws Exception {
        try (Stack first = new Stack(StackConfig.ephemeral(dataDir));
             Stack second = new Stack(StackConfig.ephemeral(otherDataDir))) {
            first.start(line -> { });
            second.start(line -> { });
            assertThat(first.web().httpAddress()).isNotEqualTo(second.web().httpAddress());
            String json = "{\"author\":\"ada\",\"body\":\"only in the first\"}";
            RawHttp created = RawHttp.send(first.web().httpAddress(), "POST /api/messages HTTP/1.1\r\n"
                    + "Host: www.foobar.com\r\nContent-Type: application/json\r\nContent-Length: " + json.length()
                    + "\r\nConnection: close\r\n\r\n" + json);
            assertThat(created.status()).isEqualTo(201);
            RawHttp other = RawHttp.send(second.web().httpAddress(), "GET /api/messages HTTP/1.1\r\n"
                    + "Host: www.foobar.com\r\nConnection: close\r\n\r\n");
            assertThat(other.status()).isEqualTo(200);
            assertThat(other.body()).doesNotContain("only in the first");
        }
    }

    @Test
    void theAdminServerReportsEveryTierUpAndDownAgain() throws Exception {
        try (Stack stack = new Stack(StackConfig.ephemeral(dataDir))) {
            stack.start(line -> { });
            RawHttp health = RawHttp.get(stack.admin().address(), "/health");
            assertThat(health.status()).as(health.body()).isEqualTo(200);
            RawHttp topology = RawHttp.get(stack.admin().address(), "/api/topology");
            assertThat(topology.body())
                    .contains("\"dns\"", "\"web\"", "\"app\"", "\"db\"")
                    .contains(String.valueOf(stack.web().httpAddress().getPort()))
                    .contains(String.valueOf(stack.storage().address().getPort()));

            // a tier that stops shows as down at once: the probe is real, not remembered
            stack.app().close();
            RawHttp unhealthy = RawHttp.get(stack.admin().address(), "/health");
            assertThat(unhealthy.status()).isEqualTo(503);
            java.util.regex.Matcher appEntry = java.util.regex.Pattern
                    .compile("\\{[^{}]*\"tier\"\\s*:\\s*\"app\"[^{}]*}").matcher(unhealthy.body());
            assertThat(appEntry.find()).as(unhealthy.body()).isTrue();
            assertThat(appEntry.group()).containsPattern("\"up\"\\s*:\\s*false");
            assertThat(unhealthy.body().split("\"up\"\\s*:\\s*false", -1)).as("only the app tier is down").hasSize(2);
        }
    }

    private static InetAddress resolveWww(Stack stack) throws IOException {
        SimpleResolver resolver = new SimpleResolver(stack.dns().udpAddress());
        resolver.setTimeout(Duration.ofSeconds(5));
        Message query = Message.newQuery(Record.newRecord(Name.fromString("www.foobar.com."), Type.A, DClass.IN));
        Message answer = resolver.send(query);
        assertThat(answer.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(answer.getHeader().getFlag(Flags.AA)).as("authoritative answer").isTrue();
        List<Record> records = answer.getSection(Section.ANSWER);
        return records.stream()
                .filter(ARecord.class::isInstance)
                .map(r -> ((ARecord) r).getAddress())
                .findFirst()
                .orElseThrow(() -> new AssertionError("no A record in " + answer));
    }

    private static List<String> authorsInDatabase(Stack stack, String body) throws SQLException {
        try (Connection c = DriverManager.getConnection(stack.storage().jdbcUrl(), stack.storage().appUser(),
                stack.storage().appPassword());
             PreparedStatement s = c.prepareStatement("SELECT AUTHOR FROM MESSAGES WHERE BODY = ?")) {
            s.setString(1, body);
            try (ResultSet rs = s.executeQuery()) {
                java.util.ArrayList<String> authors = new java.util.ArrayList<>();
                while (rs.next()) {
                    authors.add(rs.getString(1));
                }
                return authors;
            }
        }
    }
}
