package org.foobarstack.launcher.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.foobarstack.launcher.export.ExportedYaml.document;
import static org.foobarstack.launcher.export.ExportedYaml.placed;
import static org.foobarstack.launcher.export.ExportedYaml.strings;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.foobarstack.topology.HostSpec;
import org.foobarstack.topology.Role;
import org.foobarstack.topology.ShippedTopologies;
import org.foobarstack.topology.TierSpec;
import org.foobarstack.topology.Topology;
import org.foobarstack.topology.TopologyLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code export compose}: every shipped design as a Compose file, read back and held against the design. */
class ExportComposeTest {

    static List<String> designs() {
        return ShippedTopologies.names();
    }

    private static String compose(String design) {
        return ComposeFile.render(DesignSource.resolve(design), "foobar-stack:latest",
                ContainerNetwork.parse("198.18.0.0"));
    }

    @ParameterizedTest
    @MethodSource("designs")
    void everyHostIsAServiceRunningTheHostCommandAtItsAddressOnTheNetwork(String name) {
        Topology design = ShippedTopologies.load(name);
        Topology placed = placed(name, "198.18.0.0");
        JsonNode file = document(compose(name));

        assertThat(file.path("name").asText()).isEqualTo("foobar-stack-" + name);
        assertThat(strings(fieldNames(file.path("services")))).containsExactlyElementsOf(
                design.hosts().stream().map(HostSpec::name).toList());
        for (HostSpec host : placed.hosts()) {
            JsonNode service = file.path("services").path(host.name());
            assertThat(service.path("image").asText()).isEqualTo("foobar-stack:latest");
            assertThat(strings(service.path("command"))).containsExactly("host", host.name(), "--topology",
                    "/etc/foobar-stack/topology.yaml", "--data-dir", "/var/lib/foobar-stack",
                    "--network", "198.18.0.0");
            assertThat(service.path("networks").path("foobar").path("ipv4_address").asText())
                    .as(host.name()).isEqualTo(host.address().getHostAddress()).startsWith("198.18.0.");
            assertThat(service.path("configs").get(0).path("source").asText()).isEqualTo("topology");
            assertThat(service.path("configs").get(0).path("target").asText())
                    .isEqualTo("/etc/foobar-stack/topology.yaml");
            assertThat(service.has("healthcheck")).as("no command in the image can probe").isFalse();
        }
    }

    @ParameterizedTest
    @MethodSource("designs")
    void theNetworkIsTheBenchmarkingSlash24WithItsGatewayOnAnAddressNoHostHas(String name) {
        JsonNode ipam = document(compose(name)).path("networks").path("foobar").path("ipam").path("config").get(0);

        assertThat(ipam.path("subnet").asText()).isEqualTo("198.18.0.0/24");
        Set<String> used = new HashSet<>();
        placed(name, "198.18.0.0").hosts().forEach(host -> ContainerNetwork.usedBy(host)
                .forEach(address -> used.add(address.getHostAddress())));
        assertThat(ipam.path("gateway").asText()).startsWith("198.18.0.").isNotIn(used);
    }

    @Test
    void theSimpleDesignsServerOneIsNotGivenTheAddressDockerTakesForItsGatewayByDefault() {
        JsonNode file = document(compose("simple"));

        assertThat(file.path("services").path("server-1").path("networks").path("foobar").path("ipv4_address")
                .asText()).isEqualTo("198.18.0.1");
        assertThat(file.path("networks").path("foobar").path("ipam").path("config").get(0).path("gateway").asText())
                .isEqualTo("198.18.0.254");
    }

    @ParameterizedTest
    @MethodSource("designs")
    void theHostsWithADatabaseShareOneNamedVolumeAndNoOtherHostHasOne(String name) {
        JsonNode file = document(compose(name));

        for (HostSpec host : ShippedTopologies.load(name).hosts()) {
            JsonNode volumes = file.path("services").path(host.name()).path("volumes");
            if (host.runs(Role.DB)) {
                assertThat(strings(volumes)).as(host.name())
                        .containsExactly("databases:/var/lib/foobar-stack");
            } else {
                assertThat(volumes.isMissingNode()).as(host.name()).isTrue();
            }
        }
        assertThat(file.path("volumes").fieldNames()).toIterable().containsExactly("databases");
    }

    @ParameterizedTest
    @MethodSource("designs")
    void theMountedTopologyIsTheDesignsFileAsWrittenAndLoadsToTheSameDesign(String name) {
        String content = document(compose(name)).path("configs").path("topology").path("content").asText();
        // Compose turns $$ back into $ when it reads the file
        String mounted = content.replace("$$", "$");

        assertThat(mounted).isEqualTo(DesignSource.resolve(name).yaml());
        assertThat(TopologyLoader.load("topology.yaml", mounted)).isEqualTo(ShippedTopologies.load(name));
    }

    @ParameterizedTest
    @MethodSource("designs")
    void eachHostStartsAfterTheNameServerAndWhatItsTiersCallAndTheMonitoringServerLast(String name) {
        Topology design = ShippedTopologies.load(name);
        JsonNode services = document(compose(name)).path("services");
        List<String> order = startOrder(services);

        assertThat(order).as("Compose can start every service").hasSize(design.hosts().size());
        for (HostSpec host : design.hosts()) {
            design.nameServer().map(ns -> ns.host().name()).filter(ns -> !ns.equals(host.name()))
                    .ifPresent(ns -> assertThat(order.indexOf(ns)).as(host.name() + " after " + ns)
                            .isLessThan(order.indexOf(host.name())));
            for (TierSpec tier : host.tiers()) {
                for (TierSpec.Reference reference : tier.references()) {
                    if (!reference.host().equals(host.name())) {
                        assertThat(order.indexOf(reference.host()))
                                .as(host.name() + "'s " + tier.role().key() + " after " + reference.host())
                                .isLessThan(order.indexOf(host.name()));
                    }
                }
            }
            if (host.runs(Role.MONITOR)) {
                assertThat(order).last().isEqualTo(host.name());
            }
        }
    }

    @Test
    void theDistributedDesignStartsTheNameServerThenThePrimaryThenTheReplicaThenTheBalancer() {
        JsonNode services = document(compose("distributed")).path("services");

        assertThat(services.path("ns1").has("depends_on")).isFalse();
        assertThat(strings(services.path("server-1").path("depends_on"))).containsExactly("ns1");
        assertThat(strings(services.path("server-2").path("depends_on"))).containsExactly("ns1", "server-1");
        assertThat(strings(services.path("lb-1").path("depends_on"))).containsExactly("ns1", "server-1", "server-2");
    }

    @Test
    void theDistributedDesignPublishesItsNameServerAndItsBalancerOnTheMachinesLoopback() {
        JsonNode services = document(compose("distributed")).path("services");

        assertThat(strings(services.path("ns1").path("ports")))
                .containsExactly("127.0.0.1:5300:5300/udp", "127.0.0.1:5300:5300/tcp");
        assertThat(strings(services.path("lb-1").path("ports"))).containsExactly("127.0.0.1:8080:8080/tcp");
        assertThat(services.path("server-1").has("ports")).as("the servers are behind the balancer").isFalse();
    }

    @Test
    void theSimpleDesignsOneServerPublishesDnsHttpAndHttps() {
        JsonNode server = document(compose("simple")).path("services").path("server-1");

        assertThat(strings(server.path("ports"))).containsExactly("127.0.0.1:5300:5300/udp",
                "127.0.0.1:5300:5300/tcp", "127.0.0.1:8080:8080/tcp", "127.0.0.1:8443:8443/tcp");
    }

    @Test
    void theSecondBalancerOfThePairIsPublishedOnItsDesignAddressSinceTheFirstHas127001() {
        String text = compose("scaled");
        JsonNode services = document(text).path("services");

        assertThat(strings(services.path("lb-1").path("ports")))
                .containsExactly("127.0.0.1:8080:8080/tcp", "127.0.0.1:8443:8443/tcp");
        assertThat(strings(services.path("lb-2").path("ports")))
                .containsExactly("127.0.0.20:8080:8080/tcp", "127.0.0.20:8443:8443/tcp");
        assertThat(text).contains("# - The balancer pair lb-1 and lb-2 shares the virtual address 127.0.0.100"
                + " (here 198.18.0.100),", "No container can take it");
    }

    @Test
    void aTopologyFileWithADollarSignReachesTheContainerUnchanged() {
        String yaml = DesignSource.resolve("simple").yaml().replace("description: >", "description: >\n  costs $5 a month, ${HOME} not expanded.\n");
        DesignSource source = new DesignSource(TopologyLoader.load("mine.yaml", yaml), yaml);

        String content = document(ComposeFile.render(source, "foobar-stack:latest",
                ContainerNetwork.parse("198.18.0.0"))).path("configs").path("topology").path("content").asText();

        assertThat(content).contains("costs $$5 a month, $${HOME} not expanded.");
        assertThat(content.replace("$$", "$")).isEqualTo(yaml);
    }

    @Test
    void twoHostsThatCallEachOtherStillGetAnOrderComposeCanStart() {
        // a's web server calls b's app server, whose database is a's: the database starts first, so b waits for a
        String yaml = "name: crossed\nhosts:\n"
                + "  a: { address: 127.0.0.11, tiers: { web: { app: b }, db: {} } }\n"
                + "  b: { address: 127.0.0.12, tiers: { app: { db: a } } }\n";
        DesignSource source = new DesignSource(TopologyLoader.load("crossed.yaml", yaml), yaml);

        JsonNode services = document(ComposeFile.render(source, "foobar-stack:latest",
                ContainerNetwork.parse("198.18.0.0"))).path("services");

        assertThat(services.path("a").has("depends_on")).isFalse();
        assertThat(strings(services.path("b").path("depends_on"))).containsExactly("a");
    }

    /** The services in an order Compose can start them in, from the file's depends_on; a loop leaves some out. */
    private static List<String> startOrder(JsonNode services) {
        List<String> started = new ArrayList<>();
        boolean progress = true;
        while (progress) {
            progress = false;
            for (String name : strings(fieldNames(services))) {
                if (!started.contains(name) && started.containsAll(strings(services.path(name).path("depends_on")))) {
                    started.add(name);
                    progress = true;
                }
            }
        }
        return started;
    }

    private static JsonNode fieldNames(JsonNode mapping) {
        var names = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
        mapping.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
