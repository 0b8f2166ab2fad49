package org.foobarstack.launcher.netns;

import java.util.ArrayList;
import java.util.List;

/**
 * What of {@code up --netns}'s making exists in the kernel now, found by name ({@code fbs0}, {@code fbs-*}) rather
 * than from a record of what was made: after a crash, or a SIGKILL of {@code up}, the names are all there is.
 *
 * @param namespaces the network namespaces named {@code fbs-*}, as {@code ip netns list} lists them
 * @param links      the interfaces in this namespace named {@code fbs0} or {@code fbs-*}, as {@code ip link} does
 */
public record Leftovers(List<String> namespaces, List<String> links) {

    public Leftovers {
        namespaces = List.copyOf(namespaces);
        links = List.copyOf(links);
    }

    /** Asks the kernel, through {@code ip}. */
    public static Leftovers find(IpRunner ip) {
        return parse(ip.query(List.of("ip", "netns", "list")), ip.query(List.of("ip", "-o", "link", "show")));
    }

    /**
     * Reads {@code ip netns list} ("fbs-ns1 (id: 3)", one a line) and {@code ip -o link show}
     * ("7: fbs-ns1@if2: &lt;BROADCAST,...", one interface a line; after the @ is the peer's index, for a veth).
     */
    static Leftovers parse(String netnsList, String linkList) {
        List<String> namespaces = new ArrayList<>();
        for (String line : netnsList.split("\n")) {
            String name = line.strip().split("\\s+")[0];
            if (!name.isEmpty() && name.startsWith(NetnsPlan.PREFIX)) {
                namespaces.add(name);
            }
        }
        List<String> links = new ArrayList<>();
        for (String line : linkList.split("\n")) {
            String[] fields = line.strip().split("\\s+");
            if (fields.length < 2) {
                continue;
            }
            String name = fields[1].replaceAll(":$", "").replaceAll("@.*$", "");
            if (NetnsPlan.ours(name)) {
                links.add(name);
            }
        }
        return new Leftovers(namespaces, links);
    }

    public boolean none() {
        return namespaces.isEmpty() && links.isEmpty();
    }

    /** "namespaces fbs-ns1, fbs-lb-1; interfaces fbs0, fbs-ns1". */
    public String describe() {
        List<String> parts = new ArrayList<>();
        if (!namespaces.isEmpty()) {
            parts.add((namespaces.size() == 1 ? "namespace " : "namespaces ") + String.join(", ", namespaces));
        }
        if (!links.isEmpty()) {
            parts.add((links.size() == 1 ? "interface " : "interfaces ") + String.join(", ", links));
        }
        return parts.isEmpty() ? "nothing" : String.join("; ", parts);
    }
}
