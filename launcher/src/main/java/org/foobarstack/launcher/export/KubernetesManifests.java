package org.foobarstack.launcher.export;

import static org.foobarstack.launcher.export.YamlText.scalar;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.foobarstack.topology.HostSpec;
import org.foobarstack.topology.LbTier;
import org.foobarstack.topology.Role;
import org.foobarstack.topology.Topology;

/**
 * A design as Kubernetes manifests, one YAML document per object, for {@code kubectl apply -f}.
 *
 * <p>What the file holds, in the order {@code kubectl} must create it:
 * <ol>
 *   <li>The namespace {@code foobar-stack}, which every other object is in.</li>
 *   <li>The topology file as the ConfigMap {@code topology}, its text unchanged, which every pod mounts at
 *       {@code /etc/foobar-stack/topology.yaml}.</li>
 *   <li>Per host, in the design's order, a Service named as the host, whose fixed {@code clusterIP} keeps the
 *       host's last octet on the service network (127.0.0.11 becomes 10.96.18.11). The host runs with
 *       {@code --network} that network and {@code --listen-any}: it tells the other hosts its Service's address
 *       (the one in its renumbered design) and listens on every address of its pod, where the Service forwards.
 *       The Service exposes every port of the host's tiers ({@link HostPort}: a name server's on UDP and TCP).</li>
 *   <li>Per host, its workload: a Deployment for a host that keeps nothing (its data directory an
 *       {@code emptyDir}), a StatefulSet for a host with a database, whose data directory is a volume claimed for
 *       it and kept when the pod is replaced. One replica each: a pod is a host, and a host of the design is one
 *       machine. A Deployment's pod is replaced by stopping it first ({@code Recreate}), so that there are never two
 *       of one host. Its readiness probe ({@link Readiness}) decides when its Service sends it traffic; there is
 *       no liveness probe, which would restart a database that is still booting.</li>
 *   <li>Per balancer pair, a Service on the pair's virtual address that selects both balancers: where
 *       {@code www} points, the cluster sends the connections to whichever balancers are ready.</li>
 * </ol>
 */
public final class KubernetesManifests {

    /** The namespace every object is in. */
    public static final String NAMESPACE = "foobar-stack";
    /** The label every object carries, and its value. */
    public static final String NAME_LABEL = "app.kubernetes.io/name";
    public static final String APP = "foobar-stack";
    /** The label that says which host a pod is, and selects it. */
    public static final String HOST_LABEL = "foobar-stack/host";
    /** The label the members of a balancer pair carry: its router id. */
    public static final String PAIR_LABEL = "foobar-stack/vrrp-router-id";
    /** The ConfigMap that holds the topology file, and its key. */
    public static final String CONFIG_MAP = "topology";
    public static final String CONFIG_KEY = "topology.yaml";
    /** What a host with a database claims for its data. */
    static final String STORAGE = "1Gi";

    private final DesignSource source;
    private final String image;
    private final ContainerNetwork network;
    private final Topology placed;
    private final StringBuilder out = new StringBuilder();

    private KubernetesManifests(DesignSource source, String image, ContainerNetwork network) {
        this.source = source;
        this.image = image;
        this.network = network;
        this.placed = network.place(source.design());
    }

    /**
     * The manifests of {@code source}'s design.
     *
     * @param image          the image every pod runs
     * @param serviceNetwork the /24 of the hosts' Services' cluster IPs
     * @throws IllegalArgumentException if a host cannot move there, or its name cannot name a Service
     */
    public static String render(DesignSource source, String image, ContainerNetwork serviceNetwork) {
        return new KubernetesManifests(source, image, serviceNetwork).render();
    }

    /** The name of the Service on a balancer pair's virtual address: {@code vip-51}. */
    public static String pairServiceName(BalancerPair pair) {
        return "vip-" + pair.routerId();
    }

    private String render() {
        Topology design = source.design();
        checkNames(design);
        header(design);
        line(0, "apiVersion: v1");
        line(0, "kind: Namespace");
        line(0, "metadata:");
        line(1, "name: " + NAMESPACE);
        labels(1, Map.of());
        document();
        line(0, "# " + design.name() + "'s topology file as it was written; every host moves it to "
                + network.cidr() + " itself");
        line(0, "apiVersion: v1");
        line(0, "kind: ConfigMap");
        metadata(CONFIG_MAP, Map.of());
        line(0, "data:");
        line(1, CONFIG_KEY + ":" + YamlText.block(source.yaml(), 2));
        for (int i = 0; i < design.hosts().size(); i++) {
            HostSpec host = design.hosts().get(i);
            HostSpec moved = placed.hosts().get(i);
            document();
            service(host, moved);
            document();
            workload(host);
        }
        for (BalancerPair pair : BalancerPair.of(placed)) {
            document();
            pairService(pair);
        }
        return out.toString();
    }

    /** Host names become Service names, DNS labels that must end in a letter or digit; the design allows a hyphen. */
    private static void checkNames(Topology design) {
        for (HostSpec host : design.hosts()) {
            if (host.name().endsWith("-")) {
                throw new IllegalArgumentException("host " + host.name() + " cannot name a Kubernetes Service, "
                        + "which must end in a letter or a digit");
            }
        }
        for (BalancerPair pair : BalancerPair.of(design)) {
            if (design.host(pairServiceName(pair)).isPresent()) {
                throw new IllegalArgumentException("a host is named " + pairServiceName(pair) + ", the name of the "
                        + "Service of the balancer pair " + pair.names());
            }
        }
    }

    private void header(Topology design) {
        HostSpec first = design.hosts().get(0);
        line(0, "# The " + design.name() + " design on Kubernetes, one pod per host, each running `foobar-stack host"
                + " NAME`.");
        line(0, "# Apply it with `kubectl apply -f FILE`. The cluster's nodes must have the image " + image + ":");
        line(0, "# kind load docker-image " + image + ", or minikube image load " + image + ".");
        line(0, "#");
        line(0, "# - Addresses: each host's Service has a fixed cluster IP that keeps the host's last octet on");
        line(0, "#   " + network.cidr() + " (" + first.name() + ": " + first.address().getHostAddress() + " -> "
                + placed.hosts().get(0).address().getHostAddress() + "). The host is told --network "
                + network.network().getHostAddress() + " --listen-any: it");
        line(0, "#   gives the other hosts that address, and listens on every address of its pod. " + network.cidr()
                + " must lie");
        line(0, "#   inside the cluster's service range (--service-cluster-ip-range), with these addresses free;");
        line(0, "#   export again with --service-network otherwise.");
        line(0, "# - No start order: the pods start at once, and a Service sends a pod traffic once its readiness");
        line(0, "#   probe passes (GET " + Readiness.HEALTH + " on a web server, a connection to the first tier's port"
                + " on any other).");
        boolean byName = design.hosts().stream().flatMap(host -> host.firewall().stream())
                .flatMap(firewall -> firewall.rules().stream()).anyMatch(rule -> !rule.from().isEmpty());
        if (byName) {
            line(0, "# - Firewalls: a connection arrives from the sending pod's own address, not from its host's");
            line(0, "#   Service address, so a rule that accepts a host or a role by name (from: lb) does not match");
            line(0, "#   it, and one that accepts 127.0.0.1 (this machine's operator) matches nothing.");
        }
        for (BalancerPair pair : BalancerPair.of(design)) {
            line(0, "# - The balancer pair " + pair.names() + " shares the virtual address "
                    + pair.address().getHostAddress() + ", where www." + design.domain() + " points;");
            line(0, "#   here the Service " + pairServiceName(pair) + " has it (" + moved(pair) + ") and sends to every"
                    + " balancer that is ready,");
            line(0, "#   all at once. VRRP still elects a master over UDP, but no address moves.");
        }
        line(0, "");
    }

    private void service(HostSpec host, HostSpec moved) {
        line(0, "# " + host.name() + ", " + describe(host));
        line(0, "apiVersion: v1");
        line(0, "kind: Service");
        metadata(host.name(), Map.of(HOST_LABEL, host.name()));
        line(0, "spec:");
        line(1, "clusterIP: " + scalar(moved.address().getHostAddress()));
        line(1, "selector:");
        selector(2, host);
        line(1, "ports:");
        for (HostPort port : HostPort.of(host)) {
            line(2, "- name: " + scalar(port.name()));
            line(2, "  protocol: " + port.transport().name());
            line(2, "  port: " + port.port());
            line(2, "  targetPort: " + scalar(port.name()));
        }
    }

    private void workload(HostSpec host) {
        boolean stateful = host.runs(Role.DB);
        if (stateful) {
            line(0, "# a StatefulSet: " + host.name() + "'s database keeps its data on a volume claimed for it");
        }
        line(0, "apiVersion: apps/v1");
        line(0, "kind: " + (stateful ? "StatefulSet" : "Deployment"));
        metadata(host.name(), Map.of(HOST_LABEL, host.name()));
        line(0, "spec:");
        if (stateful) {
            line(1, "serviceName: " + scalar(host.name()));
        }
        line(1, "replicas: 1");
        if (!stateful) {
            line(1, "strategy:");
            line(2, "type: Recreate");
        }
        line(1, "selector:");
        line(2, "matchLabels:");
        selector(3, host);
        line(1, "template:");
        line(2, "metadata:");
        line(3, "labels:");
        selector(4, host);
        host.tier(LbTier.class).flatMap(LbTier::vrrp)
                .ifPresent(vrrp -> line(4, PAIR_LABEL + ": " + YamlText.quoted(String.valueOf(vrrp.routerId()))));
        line(2, "spec:");
        line(3, "containers:");
        line(4, "- name: foobar-stack");
        // the container's keys line up after "- "
        line(5, "image: " + scalar(image));
        line(5, "imagePullPolicy: IfNotPresent");
        line(5, "args: " + List.of("host", host.name(), "--topology", ComposeFile.TOPOLOGY_PATH, "--data-dir",
                        ComposeFile.DATA_DIR, "--network", network.network().getHostAddress(), "--listen-any")
                .stream().map(YamlText::scalar).collect(Collectors.joining(", ", "[", "]")));
        line(5, "ports:");
        for (HostPort port : HostPort.of(host)) {
            line(6, "- name: " + scalar(port.name()));
            line(6, "  containerPort: " + port.port());
            line(6, "  protocol: " + port.transport().name());
        }
        Readiness readiness = Readiness.of(host);
        line(5, "readinessProbe:");
        if (readiness.http()) {
            line(6, "httpGet:");
            line(7, "path: " + scalar(readiness.path()));
            line(7, "port: " + readiness.port());
        } else {
            line(6, "tcpSocket:");
            line(7, "port: " + readiness.port());
        }
        line(6, "periodSeconds: 2");
        line(5, "volumeMounts:");
        line(6, "- name: topology");
        line(6, "  mountPath: " + scalar(ComposeFile.TOPOLOGY_PATH.substring(0,
                ComposeFile.TOPOLOGY_PATH.lastIndexOf('/'))));
        line(6, "  readOnly: true");
        line(6, "- name: data");
        line(6, "  mountPath: " + scalar(ComposeFile.DATA_DIR));
        line(3, "volumes:");
        line(4, "- name: topology");
        line(4, "  configMap:");
        line(4, "    name: " + CONFIG_MAP);
        if (!stateful) {
            line(4, "- name: data");
            line(4, "  emptyDir: {}");
            return;
        }
        line(1, "volumeClaimTemplates:");
        line(2, "- metadata:");
        line(2, "    name: data");
        line(2, "  spec:");
        line(2, "    accessModes: [ReadWriteOnce]");
        line(2, "    resources:");
        line(2, "      requests:");
        line(2, "        storage: " + STORAGE);
    }

    private void pairService(BalancerPair pair) {
        line(0, "# the virtual address of the balancer pair " + pair.names() + ", on both of them");
        line(0, "apiVersion: v1");
        line(0, "kind: Service");
        metadata(pairServiceName(pair), Map.of());
        line(0, "spec:");
        line(1, "clusterIP: " + scalar(pair.address().getHostAddress()));
        line(1, "selector:");
        line(2, NAME_LABEL + ": " + APP);
        line(2, PAIR_LABEL + ": " + YamlText.quoted(String.valueOf(pair.routerId())));
        line(1, "ports:");
        // the front ports of the first member; each member's own numbers are found by the ports' names
        HostSpec first = pair.members().get(0);
        for (HostPort port : HostPort.of(first)) {
            if (port.name().equals("lb") || port.name().equals("lb-https")) {
                line(2, "- name: " + scalar(port.name()));
                line(2, "  protocol: " + port.transport().name());
                line(2, "  port: " + port.port());
                line(2, "  targetPort: " + scalar(port.name()));
            }
        }
    }

    private void metadata(String name, Map<String, String> extra) {
        line(0, "metadata:");
        line(1, "name: " + scalar(name));
        line(1, "namespace: " + NAMESPACE);
        labels(1, extra);
    }

    private void labels(int level, Map<String, String> extra) {
        line(level, "labels:");
        line(level + 1, NAME_LABEL + ": " + APP);
        extra.forEach((key, value) -> line(level + 1, key + ": " + scalar(value)));
    }

    /** The labels that select a host's pod: the stack's, and the host's. */
    private void selector(int level, HostSpec host) {
        line(level, NAME_LABEL + ": " + APP);
        line(level, HOST_LABEL + ": " + scalar(host.name()));
    }

    private String moved(BalancerPair pair) {
        return placed.hosts().stream().filter(h -> h.name().equals(pair.members().get(0).name())).findFirst()
                .flatMap(h -> h.tier(LbTier.class)).flatMap(LbTier::vrrp)
                .map(v -> v.address().getHostAddress()).orElseThrow();
    }

    private static String describe(HostSpec host) {
        String first = host.description().lines().findFirst().orElse("").strip();
        return host.address().getHostAddress() + " in the design" + (first.isEmpty() ? "" : ": " + first);
    }

    private void document() {
        line(0, "---");
    }

    /** One line, {@code level} times two spaces in. */
    private void line(int level, String text) {
        out.append(text.isEmpty() ? "" : "  ".repeat(level) + text).append('\n');
    }
}
