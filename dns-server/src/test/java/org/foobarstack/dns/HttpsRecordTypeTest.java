package org.foobarstack.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * A browser asks for HTTPS records (type 65, RFC 9460) beside A and AAAA: for a site on port 8080
 * it asks {@code _8080._https.www.foobar.com} (RFC 9460 §9.1, port-prefix naming), on 443 the host
 * name itself. The shipped zones have none, so both must be clean negative answers with the SOA
 * (RFC 2308), or the browser waits, retries, or gives up on the name.
 */
class HttpsRecordTypeTest {

    private static DnsServer shipped(boolean wwwAsCname) {
        DnsServer server = new DnsServer(DnsServerConfig.builder().port(0).wwwAsCname(wwwAsCname).build());
        server.start();
        return server;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void portPrefixedNameIsNxdomainWithTheSoa(boolean wwwAsCname) throws IOException {
        try (DnsServer server = shipped(wwwAsCname)) {
            for (Transport transport : Transport.values()) {
                Message reply = DnsClient.send(transport, server.udpAddress(),
                        DnsClient.queryWithEdns("_8080._https.www.foobar.com", Type.HTTPS, 1232));
                // nothing exists below www (an A record, or a CNAME that owns no children): NXDOMAIN
                assertThat(reply.getRcode()).isEqualTo(Rcode.NXDOMAIN);
                assertThat(reply.getHeader().getFlag(Flags.AA)).isTrue();
                assertThat(reply.getSection(Section.ANSWER)).isEmpty();
                assertSoaWithNegativeTtl(reply);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void hostNameItselfIsNodataWithTheSoa(boolean wwwAsCname) throws IOException {
        try (DnsServer server = shipped(wwwAsCname)) {
            Message reply = DnsClient.send(Transport.UDP, server.udpAddress(),
                    DnsClient.queryWithEdns("www.foobar.com", Type.HTTPS, 1232));
            assertThat(reply.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(reply.getHeader().getFlag(Flags.AA)).isTrue();
            if (wwwAsCname) {
                // the alias is followed to the apex, which has no HTTPS record either (RFC 1034 §4.3.2 step 3a)
                assertThat(reply.getSection(Section.ANSWER)).extracting(Record::getType).containsExactly(Type.CNAME);
            } else {
                assertThat(reply.getSection(Section.ANSWER)).isEmpty();
            }
            assertSoaWithNegativeTtl(reply);
        }
    }

    private static void assertSoaWithNegativeTtl(Message reply) {
        assertThat(reply.getSection(Section.AUTHORITY)).singleElement().satisfies(soa -> {
            assertThat(soa.getType()).isEqualTo(Type.SOA);
            // RFC 2308 §3: min(SOA TTL 3600, MINIMUM 300)
            assertThat(soa.getTTL()).isEqualTo(300);
        });
    }
}
