package org.foobarstack.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every reason the README gives for refusing a zone at load ("A zone is refused at load, with file, line and
 * reason, when:"), one case each, with the whole message a user reads: file, line (0 when the fault is the
 * file as a whole), reason and the rule.
 */
class ZoneRefusalReasonsTest {

    private static final String GOOD = ZoneLoadingTest.GOOD;   // five lines: SOA on 2, NS on 3, ns1 on 4, www on 5

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of("syntax error, with Master's line",
                        GOOD + "bad  IN A   not-an-address\n",
                        "test.zone:6: Invalid address: not-an-address"),
                Arguments.of("a record owned outside the zone",
                        GOOD + "www.example.org. IN A 127.0.0.1\n",
                        "test.zone:6: www.example.org. is outside the zone foobar.com. (RFC 1034 §4.2)"),
                Arguments.of("class other than IN",
                        GOOD + "chaos CH TXT \"hello\"\n",
                        "test.zone:6: class CH is not served, only IN (RFC 1035 §3.2.4)"),
                Arguments.of("no SOA at the apex",
                        "$TTL 60\n@ IN NS ns1\nns1 IN A 127.0.0.1\n",
                        "test.zone:0: no SOA record at the apex foobar.com. (RFC 1035 §5.2)"),
                Arguments.of("a second SOA",
                        GOOD + "@    IN SOA ns1 hostmaster 2 7200 900 1209600 300\n",
                        "test.zone:6: a second SOA record at foobar.com. (RFC 1035 §5.2: exactly one SOA)"),
                Arguments.of("an SOA elsewhere than the apex",
                        GOOD + "sub  IN SOA ns1 hostmaster 1 7200 900 1209600 300\n",
                        "test.zone:6: SOA at sub.foobar.com. but the zone apex is foobar.com. (RFC 1035 §5.2)"),
                Arguments.of("no NS at the apex",
                        "$TTL 60\n@ IN SOA ns1 hostmaster 1 2 3 4 5\nns1 IN A 127.0.0.1\n",
                        "test.zone:2: no NS records at the apex foobar.com. (RFC 1035 §5.2, RFC 1034 §4.2.1)"),
                Arguments.of("a CNAME beside other data",
                        GOOD + "www  IN CNAME ns1\n",
                        "test.zone:6: CNAME and other data at www.foobar.com. (RFC 1034 §3.6.2, RFC 2181 §10.1)"),
                Arguments.of("two CNAMEs at one name",
                        GOOD + "alias IN CNAME www\nalias IN CNAME ns1\n",
                        "test.zone:7: a second CNAME at alias.foobar.com. (RFC 1034 §3.6.2, RFC 2181 §10.1)"),
                Arguments.of("a name server inside the zone without glue",
                        GOOD + "sub  IN NS ns.sub\n",
                        "test.zone:6: name server ns.sub.foobar.com. of sub.foobar.com. is inside the zone but has"
                                + " no A or AAAA record (glue, RFC 1034 §4.2.1)"),
                Arguments.of("$INCLUDE",
                        GOOD + "$INCLUDE /etc/passwd\n",
                        "test.zone:6: $INCLUDE encountered, but processing disabled in strict mode"),
                Arguments.of("$GENERATE",
                        GOOD + "$GENERATE 1-3 host$ A 127.0.0.$\n",
                        "test.zone:0: $GENERATE is not supported; write the records out"),
                Arguments.of("DNAME",
                        GOOD + "old  IN DNAME foobar.com.\n",
                        "test.zone:6: DNAME (RFC 6672) is not supported by this server"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void eachReasonIsRefusedWithFileLineAndRule(String why, String zone, String message) {
        assertThat(ZoneLoadingTest.refusal(zone).getMessage()).as(why).isEqualTo(message);
    }
}
