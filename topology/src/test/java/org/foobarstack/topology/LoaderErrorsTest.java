package org.foobarstack.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every rule of the topology format, broken once: the exact line a user reads, {@code file:line:column: message}.
 * Line 1 of each file is the first line of its text block.
 */
class LoaderErrorsTest {

    /** The problems reported for a file that must be refused, in the order they are printed. */
    static List<String> problems(String yaml) {
        TopologyException e = refusal("t.yaml", yaml);
        List<String> lines = e.problems().stream().map(Problem::toString).toList();
        assertThat(e.getMessage()).isEqualTo(String.join("\n", lines));
        return lines;
    }

    static TopologyException refusal(String source, String yaml) {
        try {
            TopologyLoader.load(source, yaml);
        } catch (TopologyException e) {
            return e;
        }
        throw new AssertionError("the topology was accepted:\n" + yaml);
    }

    // ---------------------------------------------------------------- keys

    @Test
    void unknownTopLevelKeyListsTheKnownOnes() {
        assertThat(problems("""
                name: t
                hosts:
                  s: { address: 127.0.0.11, tiers: { db: {} } }
                domian: example.com
                """)).containsExactly(
                "t.yaml:4:1: unknown key \"domian\" (known keys: name, description, domain, www, hosts)");
    }

    @Test
    void unknownKeysAreReportedAtEveryLevel() {
        assertThat(problems("""
                name: t
                hosts:
                  lb-1:
                    adress: 127.0.0.10
                    address: 127.0.0.10
                    tiers:
                      lb:
                        bind: 80
                        check: { interval: 2s }
                        timeout: { queue: 5s }
                        servers:
                          - { host: s, port: 8080 }
                  s:
                    address: 127.0.0.11
                    tiers:
                      web: { htps-port: 8443 }
                      app: { database: s }
                      db: {}
                """)).containsExactly(
                "t.yaml:4:5: unknown key \"adress\" in host lb-1 (known keys: address, description, tiers, firewall)",
                "t.yaml:8:9: unknown key \"bind\" in the lb tier of lb-1 (known keys: port, stats-port, mode,"
                        + " balance, check, retries, redispatch, retry-on, timeout, servers, https, vrrp)",
                "t.yaml:9:18: unknown key \"interval\" in the check of the lb tier of lb-1"
                        + " (known keys: type, path, inter, timeout, rise, fall)",
                "t.yaml:10:20: unknown key \"queue\" in the timeout of the lb tier of lb-1"
                        + " (known keys: connect, server, client)",
                "t.yaml:12:24: unknown key \"port\" in a server of the lb tier of lb-1"
                        + " (known keys: host, weight, backup, check)",
                "t.yaml:16:14: unknown key \"htps-port\" in the web tier of s (known keys: port, https-port, app)",
                "t.yaml:17:14: unknown key \"database\" in the app tier of s (known keys: port, db, version, capacity)");
    }

    @Test
    void missingRequiredKeysAreReportedWhereTheyBelong() {
        assertThat(problems("""
                description: no name
                hosts:
                  s:
                    tiers: { db: {} }
                  t:
                    address: 127.0.0.12
                """)).containsExactly(
                "t.yaml:1:1: missing required key \"name\"",
                "t.yaml:3:3: missing required key \"address\" in host s",
                "t.yaml:5:3: missing required key \"tiers\" in host t");
    }

    @Test
    void aTopologyWithoutHostsIsRefused() {
        assertThat(problems("""
                name: t
                """)).containsExactly("t.yaml:1:1: missing required key \"hosts\"");
        assertThat(problems("""
                name: t
                hosts: {}
                """)).containsExactly("t.yaml:2:8: a topology has at least one host");
    }

    @Test
    void aKeyGivenTwiceIsReportedAtTheSecond() {
        assertThat(problems("""
                name: t
                hosts:
                  s:
                    address: 127.0.0.11
                    tiers:
                      db: { port: 1527 }
                    address: 127.0.0.12
                """)).containsExactly("t.yaml:7:5: duplicate key \"address\" (first at line 4)");
    }

    // ---------------------------------------------------------------- values

    @Test
    void aPortMustBeANumber() {
        assertThat(problems("""
                name: t
                hosts:
                  s:
                    address: 127.0.0.11
                    tiers:
                      db: { port: http }
                """)).containsExactly("t.yaml:6:19: expected a number for port, got \"http\"");
    }

    @Test
    void aQuotedNumberIsTextAndAFractionIsNotAPort() {
        assertThat(problems("""
                name: t
                hosts:
                  s:
                    address: 127.0.0.11
                    tiers:
                      db: { port: "1527" }
                      app: { port: 90.5 }
                """)).containsExactly(
                "t.yaml:6:19: expected a number for port, got \"1527\"",
                "t.yaml:7:20: expected a whole number for port, got \"90.5\"");
    }

    @Test
    void aPortIsOutOfRangeAbove65535OrBelowZero() {
        assertThat(problems("""
                name: t
                hosts:
                  s:
                    address: 127.0.0.11
                    tiers:
                      web: { port: 80800, https-port: -2 }
                      app: { port: -1 }
                      db: {}
                """)).containsExactly(
                "t.yaml:6:20: port 80800 is out of range 0..65535",
                "t.yaml:6:39: https-port -2 is out of range 0..65535 (or off)",
                "t.yaml:7:20: port -1 is out of range 0..65535");
    }

    @Test
    void httpsPortTakesANumberOrOff() {
        assertThat(problems("""
                name: t
                hosts:
                  s:
                    address: 127.0.0.11
                    tiers:
                      web: { https-port: none }
                      app: {}
                      db: {}
                """)).containsExactly("t.yaml:6:26: expected a number or off for https-port, got \"none\"");
    }

    @Test
    void aFlagIsTrueOrFalseOnly() {
        assertThat(problems("""
                name: t
                hosts:
                  lb-1:
                    address: 127.0.0.10
                    tiers:
                      lb:
                        redispatch: yes
                        servers: [ { host: s, backup: 1 } ]
                  s:
                    address: 127.0.0.11
                    tiers: { web: {}, app: {}, db: {} }
                """)).containsExactly(
                "t.yaml:7:21: expected true or false for redispatch, got \"yes\"",
                "t.yaml:8:39: expected true or false for backup, got \"1\"");
    }

    @Test
    void aMapIsExpectedWhereTheFormatHasOne() {
        assertThat(problems("""
                name: t
                hosts:
                  - s
                """)).containsExactly("t.yaml:3:3: expected a map for hosts (host name: host), got a list");
        assertThat(problems("""
                name: t
                hosts:
                  s:
                    address: 127.0.0.11
                    tiers:
                      db: 1527
                """)).containsExactly("t.yaml:6:11: expected a map for the db tier, got \"1527\"");
    }

    @Test
    void theTopologyAndItsDomainHaveNameRules() {
        assertThat(problems("""
                name: My_Stack
                domain: foobar
                www: mx
                hosts:
                  s: { address: 127.0.0.11, tiers: { db: {} } }
                """)).containsExactly(
                "t.yaml:1:7: topology name \"My_Stack\" must be a lower-case letter, then up to 30 lower-case"
                        + " letters, digits or '-'",
                "t.yaml:2:9: domain \"foobar\" is not a domain name: two or more labels of lower-case letters,"
                        + " digits and '-', separated by dots, as in foobar.com",
                "t.yaml:3:6: unknown www record \"mx\" (known: a, cname)");
    }

    @Test
    void hostNamesMustBeDnsLabels() {
        assertThat(problems("""
                name: t
                hosts:
                  Server_1:
                    address: 127.0.0.11
                    tiers: { db: {} }
                  a-very-long-host-name-of-32-chars:
                    address: 127.0.0.12
                    tiers: { db: {} }
                """)).containsExactly(
                "t.yaml:3:3: host name \"Server_1\" must be a lower-case letter, then up to 30 lower-case"
                        + " letters, digits or '-' (it becomes a DNS label, as in server-1.foobar.com)",
                "t.yaml:6:3: host name \"a-very-long-host-name-of-32-chars\" must be a lower-case letter, then up"
                        + " to 30 lower-case letters, digits or '-' (it becomes a DNS label, as in server-1.foobar.com)");
    }

    // ---------------------------------------------------------------- tiers

    @Test
    void anUnknownRoleListsTheRoles() {
        assertThat(problems("""
                name: t
                hosts:
                  s:
                    address: 127.0.0.11
                    tiers:
                      wbe: {}
                      db: {}
                """)).containsExactly("t.yaml:6:7: unknown role \"wbe\" (roles: dns, lb, web, app, db, monitor)");
    }

    @Test
    void aHostRunsAtLeastOneTier() {
        assertThat(problems("""
                name: t
                hosts:
                  s:
                    address: 127.0.0.11
                    tiers: {}
                """)).containsExactly("t.yaml:5:12: a host runs at least one tier (roles: dns, lb, web, app, db, monitor)");
    }

    @Test
    void theZoneHasOneNameServer() {
        assertThat(problems("""
                name: t
                hosts:
                  ns1:
                    address: 127.0.0.2
                    tiers: { dns: {} }
                  ns2:
                    address: 127.0.0.3
                    tiers:
                      dns: {}
                """)).containsExactly(
                "t.yaml:9:7: a second dns tier: the zone has one name server here, on ns1 (line 5)");
    }

    // ---------------------------------------------------------------- addresses

    @Test
    void anAddressIsADottedQuadNeverAName() {
        assertThat(problems("""
                name: t
                hosts:
                  a: { address: localhost, tiers: { db: {} } }
                  b: { address: 127.0.0.011, tiers: { db: {} } }
                  c: { address: 127.0.0.256, tiers: { db: {} } }
                  d: { address: 127.0.11, tiers: { db: {} } }
                """)).containsExactly(
                "t.yaml:3:17: \"localhost\" is not an IPv4 address: write four numbers 0..255 without leading"
                        + " zeros, as in 127.0.0.11 (names are never looked up)",
                "t.yaml:4:17: \"127.0.0.011\" is not an IPv4 address: write four numbers 0..255 without leading"
                        + " zeros, as in 127.0.0.11 (names are never looked up)",
                "t.yaml:5:17: \"127.0.0.256\" is not an IPv4 address: write four numbers 0..255 without leading"
                        + " zeros, as in 127.0.0.11 (names are never looked up)",
                "t.yaml:6:17: \"127.0.11\" is not an IPv4 address: write four numbers 0..255 without leading"
                        + " zeros, as in 127.0.0.11 (names are never looked up)");
    }

    @Test
    void anAddressIsOnTheLoopbackNetwork() {
        assertThat(problems("""
                name: t
                hosts:
                  s:
                    address: 192.168.1.20
                    tiers: { db: {} }
                """)).containsExactly(
                "t.yaml:4:14: 192.168.1.20 is not on the loopback network 127.0.0.0/8, where every host of a"
                        + " topology lives");
    }

    @Test
    void twoHostsCannotShareAnAddress() {
        assertThat(problems("""
                name: t
                hosts:
                  ns1:
                    address: 127.0.0.2
                    tiers: { dns: {} }
                  server-1:
                    address: 127.0.0.11
                    tiers: { db: {} }
                  server-2:
                    address: 127.0.0.11
                    tiers: { db: {} }
                """)).containsExactly("t.yaml:10:14: 127.0.0.11 is already the address of server-1 (line 7)");
    }

    // ---------------------------------------------------------------- ports on one host

    @Test
    void twoTiersOfOneHostCannotShareAPort() {
        // lb and web both default to 8080: the clash is reported at the second tier's key
        assertThat(problems("""
                name: t
                hosts:
                  s:
                    address: 127.0.0.11
                    tiers:
                      lb: { servers: [ { host: s } ] }
                      web: {}
                      app: { port: 8404 }
                      db: {}
                """)).containsExactly(
                "t.yaml:7:7: port 8080/tcp of web is already taken by lb (line 6)",
                "t.yaml:8:20: port 8404/tcp of app is already taken by lb stats-port (line 6)");
    }

    @Test
    void aTiersSecondPortClashesToo() {
        assertThat(problems("""
                name: t
                hosts:
                  s:
                    address: 127.0.0.11
                    tiers:
                      web: { port: 8443 }
                      app: {}
                      db: {}
                """)).containsExactly("t.yaml:6:7: port 8443/tcp of web https-port is already taken by web (line 6)");
    }

    @Test
    void dnsTakesItsPortOnTcpAsWell() {
        assertThat(problems("""
                name: t
                hosts:
                  s:
                    address: 127.0.0.11
                    tiers:
                      dns: { port: 1527 }
                      db: {}
                """)).containsExactly("t.yaml:7:7: port 1527/tcp of db is already taken by dns (line 6)");
    }

    @Test
    void portZeroNeverClashesAndOtherHostsMayUseTheSamePort() {
        Topology topology = TopologyLoader.load("t.yaml", """
                name: t
                hosts:
                  s:
                    address: 127.0.0.11
                    tiers:
                      web: { port: 0, https-port: 0 }
                      app: { port: 0 }
                      db: {}
                  u:
                    address: 127.0.0.12
                    tiers:
                      db: {}
                """);

        assertThat(topology.host("s").orElseThrow().tiers())
                .containsExactly(new WebTier(0, 0, "s"), new AppTier(0, "s"), new DbTier(1527));
        assertThat(topology.host("u").orElseThrow().tiers()).containsExactly(new DbTier(1527));
    }

    // ---------------------------------------------------------------- references

    @Test
    void aWebServerNeedsAnAppServerToReach() {
        assertThat(problems("""
                name: t
                hosts:
                  www-1:
                    address: 127.0.0.11
                    tiers:
                      web: {}
                """)).containsExactly("t.yaml:6:7: web server on www-1 has no app server to reach: no host runs an app tier");
        assertThat(problems("""
                name: t
                hosts:
                  www-1:
                    address: 127.0.0.11
                    tiers:
                      web: {}
                  app-1:
                    address: 127.0.0.21
                    tiers: { app: {}, db: {} }
                """)).containsExactly("t.yaml:6:7: web server on www-1 has no app server to reach: its host runs"
                + " none, so name one with app: (hosts that run one: app-1)");
    }

    @Test
    void appMustNameAHostThatRunsAnAppTier() {
        assertThat(problems("""
                name: t
                hosts:
                  www-1:
                    address: 127.0.0.11
                    tiers:
                      web: { app: app-9 }
                  www-2:
                    address: 127.0.0.12
                    tiers:
                      web: { app: www-1 }
                  app-1:
                    address: 127.0.0.21
                    tiers: { app: {}, db: {} }
                """)).containsExactly(
                "t.yaml:6:19: unknown host \"app-9\" (hosts: www-1, www-2, app-1)",
                "t.yaml:10:19: www-1 runs no app tier (hosts that do: app-1)");
    }

    @Test
    void dbMustNameAHostThatRunsADbTier() {
        assertThat(problems("""
                name: t
                hosts:
                  s:
                    address: 127.0.0.11
                    tiers:
                      app: { db: ns1 }
                      db: {}
                  ns1:
                    address: 127.0.0.2
                    tiers: { dns: {} }
                """)).containsExactly("t.yaml:6:18: ns1 runs no db tier (hosts that do: s)");
    }

    @Test
    void anAppServerNeedsADatabase() {
        assertThat(problems("""
                name: t
                hosts:
                  server-2:
                    address: 127.0.0.12
                    tiers:
                      app: {}
                """)).containsExactly(
                "t.yaml:6:7: app server on server-2 has no database to reach: no host runs a db tier");
    }

    @Test
    void withSeveralDatabasesAnAppServerMustNameOne() {
        assertThat(problems("""
                name: t
                hosts:
                  app-1:
                    address: 127.0.0.11
                    tiers:
                      app: {}
                  db-1: { address: 127.0.0.21, tiers: { db: {} } }
                  db-2: { address: 127.0.0.22, tiers: { db: {} } }
                """)).containsExactly("t.yaml:6:7: app server on app-1 has no database to reach: its host runs"
                + " none and 2 hosts do, so name one with db: (db-1, db-2)");
    }

    // ---------------------------------------------------------------- the load balancer

    /** A balancer on lb-1 with the given lines after {@code lb:}, over web servers s and u; lb settings start at line 7. */
    static String balancer(String lbSettings) {
        return """
                name: t
                hosts:
                  lb-1:
                    address: 127.0.0.10
                    tiers:
                      lb:
                """ + lbSettings.indent(8) + """
                  s:
                    address: 127.0.0.11
                    tiers: { web: {}, app: {}, db: {} }
                  u:
                    address: 127.0.0.12
                    tiers: { web: {}, app: {} }
                  ns1:
                    address: 127.0.0.2
                    tiers: { dns: {} }
                """;
    }

    @Test
    void aBalancerNeedsServers() {
        assertThat(problems(balancer("port: 8080"))).containsExactly(
                "t.yaml:6:7: load balancer on lb-1 has no servers: list at least one under servers:");
        assertThat(problems(balancer("servers: []"))).containsExactly(
                "t.yaml:7:18: load balancer on lb-1 has no servers: list at least one under servers:");
    }

    @Test
    void aServerNamesAHostThatRunsAWebTier() {
        assertThat(problems(balancer("""
                servers:
                  - { host: s }
                  - { host: ns1 }
                  - { host: x-9 }
                  - server-1
                  - { weight: 2 }
                """))).containsExactly(
                "t.yaml:9:21: ns1 runs no web tier (hosts that do: s, u)",
                "t.yaml:10:21: unknown host \"x-9\" (hosts: lb-1, s, u, ns1)",
                "t.yaml:11:13: expected a map for a server, as in { host: server-1 }, got \"server-1\"",
                "t.yaml:12:13: missing required key \"host\" in a server of the lb tier of lb-1");
    }

    @Test
    void aTcpBalancerAlsoForwardsToWebTiers() {
        assertThat(problems(balancer("""
                mode: tcp
                servers: [ { host: ns1 } ]
                """))).containsExactly("t.yaml:8:28: ns1 runs no web tier (hosts that do: s, u)");
    }

    @Test
    void aServerIsListedOnce() {
        assertThat(problems(balancer("""
                servers:
                  - { host: s }
                  - { host: u }
                  - { host: s, weight: 2 }
                """))).containsExactly("t.yaml:10:21: s is already a server of this load balancer (line 8)");
    }

    @Test
    void weightRetriesRiseAndFallHaveRanges() {
        assertThat(problems(balancer("""
                retries: -1
                check: { rise: 0, fall: 0 }
                servers:
                  - { host: s, weight: 257 }
                  - { host: u, weight: -1 }
                """))).containsExactly(
                "t.yaml:7:18: retries must be 0 or more, got -1",
                "t.yaml:8:24: rise must be 1 or more, got 0",
                "t.yaml:8:33: fall must be 1 or more, got 0",
                "t.yaml:10:32: weight 257 is out of range 0..256",
                "t.yaml:11:32: weight -1 is out of range 0..256");
    }

    @Test
    void modeBalanceAndCheckTypeListTheKnownWords() {
        assertThat(problems(balancer("""
                mode: udp
                balance: random
                check: { type: icmp }
                servers: [ { host: s } ]
                """))).containsExactly(
                "t.yaml:7:15: unknown mode \"udp\" (known: http, tcp)",
                "t.yaml:8:18: unknown balance \"random\" (known: roundrobin, leastconn, source, uri)",
                "t.yaml:9:24: unknown check type \"icmp\" (known: tcp, http)");
    }

    @Test
    void retryOnIsAList() {
        assertThat(problems(balancer("""
                retry-on: conn-failure
                servers: [ { host: s } ]
                """))).containsExactly(
                "t.yaml:7:19: expected a list for retry-on, as in [conn-failure, empty-response], got \"conn-failure\"");
        assertThat(problems(balancer("""
                retry-on:
                servers: [ { host: s } ]
                """))).containsExactly(
                "t.yaml:7:18: expected a list for retry-on, as in [conn-failure, empty-response], got nothing");
    }

    @Test
    void retryOnListsTheKnownConditions() {
        assertThat(problems(balancer("""
                retry-on: [conn-failure, response-timeout, { empty-response: true }]
                servers: [ { host: s } ]
                """))).containsExactly(
                "t.yaml:7:34: unknown retry-on condition \"response-timeout\" (known: conn-failure, empty-response)",
                "t.yaml:7:52: expected one of conn-failure, empty-response for retry-on, got a map");
    }

    @Test
    void aRetryOnConditionIsGivenOnce() {
        assertThat(problems(balancer("""
                retry-on:
                  - conn-failure
                  - empty-response
                  - conn-failure
                servers: [ { host: s } ]
                """))).containsExactly(
                "t.yaml:10:13: duplicate retry-on condition \"conn-failure\" (first at line 8)");
    }

    @Test
    void retryOnNeedsAtLeastOneCondition() {
        assertThat(problems(balancer("""
                retry-on: []
                servers: [ { host: s } ]
                """))).containsExactly(
                "t.yaml:7:19: retry-on needs at least one condition; to never retry set retries: 0");
    }

    @Test
    void balanceUriNeedsModeHttp() {
        assertThat(problems(balancer("""
                mode: tcp
                balance: uri
                servers: [ { host: s } ]
                """))).containsExactly("t.yaml:8:18: balance uri needs mode http: a tcp balancer never reads the URI");
    }

    @Test
    void aCheckPathIsForHttpChecksAndStartsWithASlash() {
        assertThat(problems(balancer("""
                check: { path: health }
                servers: [ { host: s } ]
                """))).containsExactly("t.yaml:7:24: check path must start with /, got \"health\"");
        assertThat(problems(balancer("""
                check: { type: tcp, path: /health }
                servers: [ { host: s } ]
                """))).containsExactly("t.yaml:7:35: path is for http checks; a tcp check only connects");
    }

    @Test
    void durationsAreAWholeNumberAndAUnit() {
        String rule = ": a positive whole number and a unit (ms, s or m), as in 500ms, 2s or 1m";
        assertThat(problems(balancer("""
                check: { inter: 2, timeout: 1.5s }
                timeout: { connect: 0s, server: 10 s, client: 1h }
                servers: [ { host: s } ]
                """))).containsExactly(
                "t.yaml:7:25: malformed duration \"2\" for inter" + rule,
                "t.yaml:7:37: malformed duration \"1.5s\" for timeout" + rule,
                "t.yaml:8:29: malformed duration \"0s\" for connect" + rule,
                "t.yaml:8:41: malformed duration \"10 s\" for server" + rule,
                "t.yaml:8:55: malformed duration \"1h\" for client" + rule);
    }

    // ---------------------------------------------------------------- YAML itself

    @Test
    void aSyntaxErrorIsOneProblemWithItsPlace() {
        assertThat(problems("""
                name: t
                hosts:
                  s:
                    address: 127.0.0.11
                   tiers: { db: {} }
                """)).containsExactly(
                "t.yaml:5:4: YAML syntax: expected <block end>, but found '<block mapping start>'"
                        + " (while parsing a block mapping)");
        assertThat(problems("""
                name: t
                hosts: { s: { address: 127.0.0.11, tiers: [ db }
                """)).containsExactly(
                "t.yaml:2:48: YAML syntax: expected ',' or ']', but got } (while parsing a flow sequence)");
    }

    @Test
    void tabsCannotIndent() {
        assertThat(problems("name: t\nhosts:\n\ts: {}\n")).containsExactly(
                "t.yaml:3:1: YAML syntax: found character '\\t(TAB)' that cannot start any token. (Do not use"
                        + " \\t(TAB) for indentation) (while scanning for the next token)");
    }

    @Test
    void anchorsAliasesAndTagsAreNotPartOfTheFormat() {
        assertThat(problems("""
                name: t
                hosts:
                  s:
                    address: 127.0.0.11
                    tiers: &all { web: {}, app: {}, db: {} }
                  u:
                    address: 127.0.0.12
                    tiers: *all
                    description: !!str plain
                """)).containsExactly(
                "t.yaml:5:12: YAML anchors (&name) are not part of the topology format: write each value out",
                "t.yaml:8:12: YAML aliases (*name) are not part of the topology format: write each value out",
                "t.yaml:9:18: YAML tags (!!type) are not part of the topology format: each key decides its"
                        + " value's type");
    }

    @Test
    void aFileHoldsOneDocument() {
        assertThat(problems("""
                name: t
                hosts: { s: { address: 127.0.0.11, tiers: { db: {} } } }
                ---
                name: u
                """)).containsExactly(
                "t.yaml:4:1: a second YAML document (after ---): a topology file holds one");
    }

    @Test
    void anEmptyFileOrAListIsNotATopology() {
        assertThat(problems("# nothing yet\n")).containsExactly(
                "t.yaml:1:1: the file is empty: a topology needs at least name and hosts");
        assertThat(problems("- name: t\n")).containsExactly(
                "t.yaml:1:1: expected a map with name: and hosts: at the top of the file, got a list");
    }

    // ---------------------------------------------------------------- replication

    @Test
    void aReplicaNamesAPrimaryThatIsNotItselfAReplicaAndThereIsANameServer() {
        assertThat(problems("""
                name: t
                hosts:
                  a: { address: 127.0.0.11, tiers: { db: { replica-of: a } } }
                  b: { address: 127.0.0.12, tiers: { db: { replica-of: c } } }
                  c: { address: 127.0.0.13, tiers: { db: { replica-of: a } } }
                """)).containsExactly(
                "t.yaml:3:56: a database cannot be a replica of itself",
                "t.yaml:4:56: c is itself a replica (of a): a replica follows a primary",
                "t.yaml:4:56: a replica needs a dns tier in the topology: the app servers find the primary and the "
                        + "replicas through DNS names (db.<domain>, replicas.db.<domain>)",
                "t.yaml:5:56: only one primary may have replicas here, and c has: the zone names it db.<domain>");
    }

    @Test
    void failoverIsForAReplicaAndItsWordsAreManualAndAuto() {
        assertThat(problems("""
                name: t
                hosts:
                  ns: { address: 127.0.0.2, tiers: { dns: {} } }
                  a: { address: 127.0.0.11, tiers: { db: { failover: auto } } }
                  b: { address: 127.0.0.12, tiers: { db: { replica-of: a, failover: sometimes, failover-after: 0 } } }
                  c: { address: 127.0.0.13, tiers: { db: { replica-of: web } } }
                """)).containsExactly(
                "t.yaml:4:54: failover is for a replica (with replica-of:): it says when a replica takes over from "
                        + "its primary",
                "t.yaml:5:69: unknown failover mode \"sometimes\" (known: manual, auto)",
                "t.yaml:5:96: failover-after must be 1 or more, got 0",
                "t.yaml:6:56: unknown host \"web\" (hosts: ns, a, b, c)");
    }

    // ---------------------------------------------------------------- several problems

    @Test
    void everyProblemIsReportedInFileOrder() {
        TopologyException refused = refusal("distributed.yaml", """
                name: distributed
                hosts:
                  lb-1:
                    address: 127.0.0.10
                    tiers:
                      lb:
                        servers: [ { host: server-2 }, { host: server-3 } ]
                  server-1:
                    address: 127.0.0.11
                    tiers:
                      web: {}
                      app: { port: http }
                      db: {}
                  server-2:
                    address: 127.0.0.11
                    tiers:
                      wbe: {}
                """);

        assertThat(refused.getMessage()).isEqualTo("""
                distributed.yaml:7:28: server-2 runs no web tier (hosts that do: server-1)
                distributed.yaml:7:48: unknown host "server-3" (hosts: lb-1, server-1, server-2)
                distributed.yaml:12:20: expected a number for port, got "http"
                distributed.yaml:15:14: 127.0.0.11 is already the address of server-1 (line 9)
                distributed.yaml:17:7: unknown role "wbe" (roles: dns, lb, web, app, db, monitor)""");
        assertThat(refused.problems()).first()
                .isEqualTo(new Problem("distributed.yaml", 7, 28, "server-2 runs no web tier (hosts that do: server-1)"));
    }

    @Test
    void aProblemAboutTheWholeFileHasNoLine() {
        assertThat(new Problem("mine.yaml", 0, 0, "cannot read").toString()).isEqualTo("mine.yaml: cannot read");
        assertThatThrownBy(() -> new TopologyException(List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
