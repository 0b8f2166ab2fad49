package org.foobarstack.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** Zone validation at load (file, line, reason) and reload without restart. */
class ZoneLoadingTest {

    static final String GOOD = """
            $TTL 3600
            @    IN SOA ns1 hostmaster 1 7200 900 1209600 300
                 IN NS  ns1
            ns1  IN A   127.0.0.1
            www  IN A   127.0.0.1
            """;

    static ZoneLoadException refusal(String zoneText) {
        ZoneLoader loader = new ZoneLoader(DnsServerConfig.loopback(), DnsServerConfig.loopback());
        try {
            loader.load(new ZoneLoader.ZoneSource("test.zone", Name.fromConstantString("foobar.com."), zoneText));
        } catch (ZoneLoadException e) {
            return e;
        }
        throw new AssertionError("zone was accepted:\n" + zoneText);
    }

    @Test
    void cnameBesideOtherDataIsRefusedWithItsLine() {
        ZoneLoadException e = refusal(GOOD + "www  IN CNAME ns1\n");
        assertThat(e.file()).isEqualTo("test.zone");
        assertThat(e.line()).isEqualTo(6);
        assertThat(e.reason()).contains("CNAME and other data at www.foobar.com.").contains("RFC 2181 §10.1");
        assertThat(e.getMessage()).startsWith("test.zone:6: ");
    }

    @Test
    void dataBesideACnameIsRefusedToo() {
        ZoneLoadException e = refusal(GOOD + "alias IN CNAME www\nalias IN TXT \"x\"\n");
        assertThat(e.line()).isEqualTo(7);
        assertThat(e.reason()).contains("CNAME and other data at alias.foobar.com.");
    }

    @Test
    void missingSoaIsRefused() {
        ZoneLoadException e = refusal("$TTL 60\n@ IN NS ns1\nns1 IN A 127.0.0.1\n");
        assertThat(e.reason()).contains("no SOA record at the apex foobar.com.");
    }

    @Test
    void missingApexNsIsRefused() {
        ZoneLoadException e = refusal("$TTL 60\n@ IN SOA ns1 hostmaster 1 2 3 4 5\nns1 IN A 127.0.0.1\n");
        assertThat(e.line()).isEqualTo(2);
        assertThat(e.reason()).contains("no NS records at the apex");
    }

    @Test
    void inZoneNameServerWithoutGlueIsRefused() {
        ZoneLoadException e = refusal(GOOD + "sub  IN NS ns.sub\n");
        assertThat(e.line()).isEqualTo(6);
        assertThat(e.reason()).contains("name server ns.sub.foobar.com.").contains("glue");
    }

    @Test
    void recordOutsideTheZoneIsRefused() {
        ZoneLoadException e = refusal(GOOD + "\n; a comment line\nwww.example.org. IN A 127.0.0.1\n");
        assertThat(e.line()).isEqualTo(8);
        assertThat(e.reason()).contains("outside the zone");
    }

    @Test
    void syntaxErrorsCarryMastersLineNumber() {
        ZoneLoadException e = refusal(GOOD + "bad  IN A   not-an-address\n");
        assertThat(e.file()).isEqualTo("test.zone");
        assertThat(e.line()).isEqualTo(6);
        assertThat(e.reason()).containsIgnoringCase("invalid address");
    }

    @Test
    void multiLineRecordsAreCountedOnce() {
        String zone = """
                $TTL 3600
                @ IN SOA ns1 hostmaster (
                        1 ; serial
                        7200 900 1209600 300 )
                  IN NS ns1
                ns1 IN A 127.0.0.1
                txt IN TXT "a ; not a comment" ( "and (not) a paren" )
                www IN A 127.0.0.1
                www IN CNAME txt
                """;
        assertThat(refusal(zone).line()).isEqualTo(9);
        assertThat(ZoneFileLines.recordStartLines(zone)).containsExactly(2, 5, 6, 7, 8, 9);
    }

    @Test
    void includeAndGenerateAreRefused() {
        assertThat(refusal(GOOD + "$INCLUDE /etc/passwd\n").line()).isEqualTo(6);
        assertThat(refusal(GOOD + "$GENERATE 1-3 host$ A 127.0.0.$\n").reason()).contains("$GENERATE");
    }

    @Test
    void badZoneStopsTheStartNamingFileAndLine(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("foobar.com.zone"), GOOD + "www IN CNAME ns1\n");
        DnsServer server = new DnsServer(DnsServerConfig.builder().port(0).zonesDirectory(dir).build());
        assertThatThrownBy(server::start)
                .isInstanceOf(ZoneLoadException.class)
                .hasMessageContaining("foobar.com.zone:6: CNAME and other data");
        server.close();
    }

    @Test
    void emptyZonesDirectoryStopsTheStart(@TempDir Path dir) {
        DnsServer server = new DnsServer(DnsServerConfig.builder().port(0).zonesDirectory(dir).build());
        assertThatThrownBy(server::start).isInstanceOf(ZoneLoadException.class).hasMessageContaining("no zone files");
        server.close();
    }

    static long servedSerial(DnsServer server) throws IOException {
        Message reply = DnsClient.udp(server.udpAddress(), DnsClient.query("foobar.com", Type.SOA).toWire());
        return ((SOARecord) reply.getSection(Section.ANSWER).get(0)).getSerial();
    }

    @Test
    void reloadServesTheNewVersionAndABadFileKeepsTheOldOne(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("foobar.com.zone");
        Files.writeString(file, GOOD);
        DnsServerConfig config = DnsServerConfig.builder().port(0).zonesDirectory(dir)
                .zoneCheckInterval(Duration.ZERO).build();
        try (DnsServer server = new DnsServer(config)) {
            server.start();
            assertThat(servedSerial(server)).isEqualTo(1);

            Files.writeString(file, GOOD.replace(" 1 7200", " 2 7200") + "new  IN A 127.0.0.9\n");
            server.reload();
            assertThat(servedSerial(server)).isEqualTo(2);
            assertThat(server.zoneSerials()).containsEntry("foobar.com.", 2L);
            assertThat(DnsClient.udp(server.udpAddress(), DnsClient.query("new.foobar.com", Type.A).toWire())
                    .getRcode()).isEqualTo(Rcode.NOERROR);

            Files.writeString(file, GOOD.replace(" 1 7200", " 3 7200") + "www IN CNAME ns1\n");
            assertThatThrownBy(server::reload).isInstanceOf(ZoneLoadException.class)
                    .hasMessageContaining("foobar.com.zone:6:");
            assertThat(servedSerial(server)).as("old version keeps serving").isEqualTo(2);
        }
    }

    @Test
    void changedFileIsReloadedWithoutAdminCommand(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("foobar.com.zone");
        Files.writeString(file, GOOD);
        DnsServerConfig config = DnsServerConfig.builder().port(0).zonesDirectory(dir)
                .zoneCheckInterval(Duration.ofMillis(50)).build();
        try (DnsServer server = new DnsServer(config)) {
            server.start();
            CountDownLatch reloaded = new CountDownLatch(1);
            server.addReloadListener(reloaded::countDown);

            Files.writeString(file, GOOD.replace(" 1 7200", " 5 7200"));
            // Make the change visible even on file systems with coarse timestamps.
            Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 5000));

            assertThat(reloaded.await(10, TimeUnit.SECONDS)).as("watcher reloaded the zone").isTrue();
            assertThat(servedSerial(server)).isEqualTo(5);
        }
    }
}
