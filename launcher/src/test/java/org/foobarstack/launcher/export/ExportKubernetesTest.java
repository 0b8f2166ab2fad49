package org.foobarstack.launcher.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.foobarstack.launcher.export.ExportedYaml.documents;
import static org.foobarstack.launcher.export.ExportedYaml.placed;
import static org.foobarstack.launcher.export.ExportedYaml.strings;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.StreamSupport;
import org.foobarstack.topology.HostSpec;
import org.foobarstack.topology.LbTier;
import org.foobarstack.topology.Role;
import org.foobarstack.topology.ShippedTopologies;
import org.foobarstack.topology.TierSpec;
import org.foobarstack.topology.TopologyLoader;
import org.foobarstack.topology.WebTier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code export kubernetes}: every shipped design as manifests, read back and held against the design. */
class ExportKubernetesTest {

    static List<String> designs() {
        return ShippedTopologies.names();
    }

    private static List<JsonNode> manifests(String design, String serviceNetwork) {
        return documents(KubernetesManifests.render(DesignSource.resolve(design), "foobar-stack:latest",
                ContainerNetwork.parse(serviceNetwork)));
    }

    private static List<JsonNode> manifests(String design) {
        return manifests(design, "10.96.18.0");
    }

    private static Optional<JsonNode> find(List<JsonNode> docs, String kind, String name) {
        return docs.stream().filter(d -> d.path("kind").asText().equals(kind)
                && d.path("metadata").path("name").asText().equals(name)).findFirst();
    }

    @ParameterizedTest
    @MethodSource("designs")
    void theNamespaceComesFirstThenTheTopologyAndEveryObjectIsInIt(String name) {
        List<JsonNode> docs = manifests(name);

        assertThat(docs.get(0).path("kind").asText()).isEqualTo("Namespace");
        assertThat(docs.get(0).path("metadata").path("name").asText()).isEqualTo("foobar-stack");
        assertThat(docs.get(1).path("kind").asText()).isEqualTo("ConfigMap");
        for (JsonNode doc : docs.subList(1, docs.size())) {
            assertThat(doc.path("metadata").path("namespace").asText()).isEqualTo("foobar-stack");
            assertThat(doc.path("metadata").path("labels").path("app.kubernetes.io/name").asText())
                    .isEqualTo("foobar-stack");
        }
    }

    @ParameterizedTest
    @MethodSource("designs")
    void theConfigMapHoldsTheDesignsFileAsWrittenAndItLoadsToTheSameDesign(String name) {
        String mounted = manifests(name).get(1).path("data").path("topology.yaml").asText();

        assertThat(mounted).isEqualTo(DesignSource.resolve(name).yaml());
        assertThat(TopologyLoader.load("topology.yaml", mounted)).isEqualTo(ShippedTopologies.load(name));
    }

    @ParameterizedTest
    @MethodSource("designs")
    void eachHostsServiceHasItsRenumberedAddressAndEveryPortOfItsTiers(String name) {
        List<JsonNode> docs = manifests(name);

        for (HostSpec host : placed(name, "10.96.18.0").hosts()) {
            JsonNode service = find(docs, "Service", host.name()).orElseThrow();
            assertThat(service.path("spec").path("clusterIP").asText()).as(host.name())
                    .isEqualTo(host.address().getHostAddress()).startsWith("10.96.18.");
            List<String> exposed = new ArrayList<>();
            service.path("spec").path("ports").forEach(p -> exposed.add(p.path("port").asInt() + "/"
                    + p.path("protocol").asText()));
            for (TierSpec tier : host.tiers()) {
                for (TierSpec.Listener listener : tier.listeners()) {
                    assertThat(exposed).as(host.name() + " " + listener.label())
                            .contains(listener.port() + "/" + listener.transport().name());
                }
            }
            host.tier(LbTier.class).flatMap(LbTier::vrrp).ifPresent(vrrp ->
                    assertThat(exposed).as("the pair's advertisements").contains(vrrp.port() + "/UDP"));
            assertThat(labels(service.path("spec").path("selector")))
                    .containsEntry("foobar-stack/host", host.name());
        }
    }

    @Test
    void theNameServerIsExposedOverUdpAndTcp() {
        JsonNode ports = find(manifests("distributed"), "Service", "ns1").orElseThrow().path("spec").path("ports");

        assertThat(ports).hasSize(2);
        assertThat(ports.get(0).path("protocol").asText()).isEqualTo("UDP");
        assertThat(ports.get(0).path("port").asInt()).isEqualTo(5300);
        assertThat(ports.get(1).path("protocol").asText()).isEqualTo("TCP");
        assertThat(ports.get(1).path("port").asInt()).isEqualTo(5300);
    }

    @ParameterizedTest
    @MethodSource("designs")
    void aHostWithADatabaseIsAStatefulSetWithAVolumeAndEveryOtherADeployment(String name) {
        List<JsonNode> docs = manifests(name);

        for (HostSpec host : ShippedTopologies.load(name).hosts()) {
            boolean db = host.runs(Role.DB);
            assertThat(find(docs, "StatefulSet", host.name()).isPresent()).as(host.name()).isEqualTo(db);
            assertThat(find(docs, "Deployment", host.name()).isPresent()).as(host.name()).isEqualTo(!db);
            JsonNode workload = find(docs, db ? "StatefulSet" : "Deployment", host.name()).orElseThrow();
            assertThat(workload.path("spec").path("replicas").asInt()).isEqualTo(1);
            if (db) {
                JsonNode claim = workload.path("spec").path("volumeClaimTemplates").get(0);
                assertThat(claim.path("metadata").path("name").asText()).isEqualTo("data");
                assertThat(claim.path("spec").path("resources").path("requests").path("storage").asText())
                        .isEqualTo("1Gi");
            }
            assertThat(mountPaths(container(workload))).containsEntry("data", "/var/lib/foobar-stack")
                    .containsEntry("topology", "/etc/foobar-stack");
        }
    }

    @ParameterizedTest
    @MethodSource("designs")
    void eachPodRunsItsHostOnTheServiceNetworkListeningOnAnyAddressAndItsServiceSelectsIt(String name) {
        List<JsonNode> docs = manifests(name);

        for (HostSpec host : ShippedTopologies.load(name).hosts()) {
            JsonNode workload = find(docs, "Deployment", host.name())
                    .or(() -> find(docs, "StatefulSet", host.name())).orElseThrow();
            JsonNode container = container(workload);
            assertThat(container.path("image").asText()).isEqualTo("foobar-stack:latest");
            assertThat(strings(container.path("args"))).containsExactly("host", host.name(), "--topology",
                    "/etc/foobar-stack/topology.yaml", "--data-dir", "/var/lib/foobar-stack",
                    "--network", "10.96.18.0", "--listen-any");
            Map<String, String> podLabels = labels(workload.path("spec").path("template").path("metadata")
                    .path("labels"));
            assertThat(podLabels).containsEntry("app.kubernetes.io/name", "foobar-stack")
                    .containsEntry("foobar-stack/host", host.name());
            assertThat(podLabels).containsAllEntriesOf(labels(workload.path("spec").path("selector")
                    .path("matchLabels")));
            JsonNode service = find(docs, "Service", host.name()).orElseThrow();
            assertThat(podLabels).containsAllEntriesOf(labels(service.path("spec").path("selector")));
            // every Service port forwards to a port of the container by its name
            List<String> containerPorts = new ArrayList<>();
            container.path("ports").forEach(p -> containerPorts.add(p.path("name").asText()));
            service.path("spec").path("ports").forEach(p ->
                    assertThat(containerPorts).contains(p.path("targetPort").asText()));
        }
    }

    @ParameterizedTest
    @MethodSource("designs")
    void aWebServerIsReadyWhenHealthAnswersAnyOtherHostWhenItsFirstTiersPortAccepts(String name) {
        List<JsonNode> docs = manifests(name);

        for (HostSpec host : ShippedTopologies.load(name).hosts()) {
            JsonNode probe = container(find(docs, "Deployment", host.name())
                    .or(() -> find(docs, "StatefulSet", host.name())).orElseThrow()).path("readinessProbe");
            Optional<WebTier> web = host.tier(WebTier.class);
            if (web.isPresent()) {
                assertThat(probe.path("httpGet").path("path").asText()).isEqualTo("/health");
                assertThat(probe.path("httpGet").path("port").asInt()).isEqualTo(web.get().port());
            } else {
                assertThat(probe.path("tcpSocket").path("port").asInt()).as(host.name())
                        .isEqualTo(host.tiers().get(0).port());
            }
        }
    }

    @Test
    void theBalancerPairsVirtualAddressIsAServiceOnBothBalancers() {
        List<JsonNode> docs = manifests("scaled");

        JsonNode vip = find(docs, "Service", "vip-51").orElseThrow();
        assertThat(vip.path("spec").path("clusterIP").asText()).isEqualTo("10.96.18.100");
        Map<String, String> selector = labels(vip.path("spec").path("selector"));
        List<String> selected = docs.stream().filter(d -> d.path("kind").asText().equals("Deployment")
                        || d.path("kind").asText().equals("StatefulSet"))
                .filter(d -> labels(d.path("spec").path("template").path("metadata").path("labels"))
                        .entrySet().containsAll(selector.entrySet()))
                .map(d -> d.path("metadata").path("name").asText()).toList();
        assertThat(selected).containsExactly("lb-1", "lb-2");
        List<Integer> ports = new ArrayList<>();
        vip.path("spec").path("ports").forEach(p -> ports.add(p.path("port").asInt()));
        assertThat(ports).containsExactly(8080, 8443);
    }

    @Test
    void anotherServiceNetworkMovesEveryClusterIp() {
        List<JsonNode> docs = manifests("distributed", "10.100.5.0");

        assertThat(find(docs, "Service", "server-2").orElseThrow().path("spec").path("clusterIP").asText())
                .isEqualTo("10.100.5.12");
        assertThat(strings(container(find(docs, "Deployment", "lb-1").orElseThrow()).path("args")))
                .containsSequence("--network", "10.100.5.0");
    }

    @Test
    void aBalancerOnItsOwnGetsNoVirtualAddressService() {
        assertThat(manifests("secured")).noneMatch(d -> d.path("metadata").path("name").asText().startsWith("vip-"));
    }

    private static JsonNode container(JsonNode workload) {
        return workload.path("spec").path("template").path("spec").path("containers").get(0);
    }

    private static Map<String, String> mountPaths(JsonNode container) {
        Map<String, String> mounts = new TreeMap<>();
        container.path("volumeMounts").forEach(m -> mounts.put(m.path("name").asText(), m.path("mountPath").asText()));
        return mounts;
    }

    private static Map<String, String> labels(JsonNode mapping) {
        Map<String, String> labels = new TreeMap<>();
        StreamSupport.stream(((Iterable<Map.Entry<String, JsonNode>>) mapping::fields).spliterator(), false)
                .forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
        return labels;
    }
}
