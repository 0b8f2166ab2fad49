package org.foobarstack.dns;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Master;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Record;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Reads zone files (RFC 1035 §5 master format) with dnsjava's {@link Master}, validates them and
 * builds {@link AuthoritativeZone}s.
 *
 * <p>Steps for one file:
 * <ol>
 *   <li>read the text and replace the placeholders {@value #WEB_ADDRESS_PLACEHOLDER} and
 *       {@value #DNS_ADDRESS_PLACEHOLDER} (so the shipped zone can point at wherever the web tier
 *       and this server listen);</li>
 *   <li>let {@code Master} parse the records; its syntax errors already carry a line number;</li>
 *   <li>validate what {@code Master} does not: owner inside the zone, class IN, one SOA at the
 *       apex, NS at the apex, no CNAME beside other data, glue for in-zone name servers;</li>
 *   <li>build the name tree, adding the empty non-terminals.</li>
 * </ol>
 * A file named {@code <origin>.zone} holds the zone {@code <origin>}; relative names in it are
 * relative to that origin unless the file says {@code $ORIGIN}.
 */
public final class ZoneLoader {

    /** Replaced by {@link DnsServerConfig#webAddress()} before parsing. */
    public static final String WEB_ADDRESS_PLACEHOLDER = "${web.address}";
    /** Replaced by the server's own IPv4 bind address (127.0.0.1 if it binds a wildcard or IPv6). */
    public static final String DNS_ADDRESS_PLACEHOLDER = "${dns.address}";
    /** Suffix of zone files in a zones directory. */
    public static final String ZONE_FILE_SUFFIX = ".zone";
    /** Zones shipped in the jar, under {@code org/foobarstack/dns/zones/<variant>/}. */
    static final List<String> SHIPPED_ZONES = List.of("foobar.com");

    /** RFC 1034 §4.2.1 / RFC 2181 §10.3: we follow no chain of CNAMEs for name servers. */
    private final Map<String, String> substitutions;

    /** A zone file's text, where it came from and which origin it is for. */
    record ZoneSource(String name, Name origin, String text) {
    }

    ZoneLoader(InetAddress webAddress, InetAddress dnsAddress) {
        String dns = dnsAddress instanceof Inet4Address && !dnsAddress.isAnyLocalAddress()
                ? dnsAddress.getHostAddress() : "127.0.0.1";
        this.substitutions = Map.of(
                WEB_ADDRESS_PLACEHOLDER, webAddress.getHostAddress(),
                DNS_ADDRESS_PLACEHOLDER, dns);
    }

    /** The zone files this configuration serves, read fresh from disk or from the jar. */
    static List<ZoneSource> sources(DnsServerConfig config) {
        return config.zonesDirectory() == null
                ? shippedSources(config.wwwAsCname())
                : directorySources(config.zonesDirectory());
    }

    /** Resource path of a shipped zone: the variant decides whether www is an A record or a CNAME. */
    public static String shippedResource(String origin, boolean wwwAsCname) {
        return "org/foobarstack/dns/zones/" + (wwwAsCname ? "www-cname" : "www-a") + "/" + origin + ZONE_FILE_SUFFIX;
    }

    static List<ZoneSource> shippedSources(boolean wwwAsCname) {
        List<ZoneSource> sources = new ArrayList<>();
        for (String origin : SHIPPED_ZONES) {
            String resource = shippedResource(origin, wwwAsCname);
            try (InputStream in = ZoneLoader.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new ZoneLoadException(resource, 0, "shipped zone missing from the classpath");
                }
                sources.add(new ZoneSource(resource, absolute(origin), new String(in.readAllBytes(), StandardCharsets.UTF_8)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + resource, e);
            }
        }
        return sources;
    }

    static List<Path> zoneFiles(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(p -> p.getFileName().toString().endsWith(ZONE_FILE_SUFFIX))
                    .filter(Files::isRegularFile)
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list zones directory " + directory, e);
        }
    }

    static List<ZoneSource> directorySources(Path directory) {
        List<ZoneSource> sources = new ArrayList<>();
        for (Path file : zoneFiles(directory)) {
            String fileName = file.getFileName().toString();
            String origin = fileName.substring(0, fileName.length() - ZONE_FILE_SUFFIX.length());
            try {
                sources.add(new ZoneSource(file.toString(), absolute(origin), Files.readString(file)));
            } catch (IOException e) {
                throw new ZoneLoadException(file.toString(), 0, "cannot read: " + e.getMessage(), e);
            } catch (ZoneLoadException e) {
                throw new ZoneLoadException(file.toString(), 0, e.reason(), e);
            }
        }
        return sources;
    }

    private static Name absolute(String origin) {
        try {
            return Name.fromString(origin, Name.root);
        } catch (TextParseException e) {
            throw new ZoneLoadException(origin + ZONE_FILE_SUFFIX, 0, "file name is not a domain name: " + e.getMessage());
        }
    }

    /** The text after placeholder substitution: what is parsed (and what NSD can be given). */
    String substitute(String text) {
        String result = text;
        for (Map.Entry<String, String> e : substitutions.entrySet()) {
            result = result.replace(e.getKey(), e.getValue());
        }
        return result;
    }

    /** Steps 1 to 4 of the class comment, for one file. */
    AuthoritativeZone load(ZoneSource source) {
        String text = substitute(source.text());
        List<Integer> lines = ZoneFileLines.recordStartLines(text);
        List<Record> records = parse(source, text);
        Validation v = new Validation(source.name(), source.origin(), records, lines);
        return v.run();
    }

    private static List<Record> parse(ZoneSource source, String text) {
        List<Record> records = new ArrayList<>();
        InputStream in = new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
        try (Master master = new Master(in, source.origin())) {
            master.disableIncludes(true); // strict: $INCLUDE is an error, one file is one whole zone
            master.expandGenerate(false);
            Record record;
            while ((record = master.nextRecord()) != null) {
                records.add(record);
            }
            if (master.generators().hasNext()) {
                throw new ZoneLoadException(source.name(), 0, "$GENERATE is not supported; write the records out");
            }
        } catch (TextParseException e) {
            throw fromMasterError(source.name(), e);
        } catch (IOException e) {
            throw new ZoneLoadException(source.name(), 0, e.getMessage(), e);
        }
        return records;
    }

    /** Master reports "<none>:LINE: reason" for a stream; put our file name in front instead. */
    private static ZoneLoadException fromMasterError(String file, TextParseException e) {
        String message = String.valueOf(e.getMessage());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^[^:]*:(\\d+): (.*)$", java.util.regex.Pattern.DOTALL)
                .matcher(message);
        if (m.matches()) {
            return new ZoneLoadException(file, Integer.parseInt(m.group(1)), m.group(2), e);
        }
        return new ZoneLoadException(file, 0, message, e);
    }

    /** Step 3 and 4: the checks, each citing the rule it enforces, then the name tree. */
    private static final class Validation {
        private final String file;
        private final Name origin;
        private final List<Record> records;
        private final List<Integer> lines;
        private final Map<Name, Map<Integer, RRset>> nodes = new LinkedHashMap<>();
        private final Map<Record, Integer> lineOf = new java.util.IdentityHashMap<>();

        Validation(String file, Name origin, List<Record> records, List<Integer> lines) {
            this.file = file;
            this.origin = origin;
            this.records = records;
            this.lines = lines;
        }

        private int line(int index) {
            return index < lines.size() ? lines.get(index) : 0;
        }

        private ZoneLoadException refuse(int line, String reason) {
            return new ZoneLoadException(file, line, reason);
        }

        AuthoritativeZone run() {
            for (int i = 0; i < records.size(); i++) {
                Record r = records.get(i);
                int line = line(i);
                lineOf.put(r, line);
                if (r.getDClass() != DClass.IN) {
                    throw refuse(line, "class " + DClass.string(r.getDClass()) + " is not served, only IN (RFC 1035 §3.2.4)");
                }
                if (!r.getName().subdomain(origin)) {
                    throw refuse(line, r.getName() + " is outside the zone " + origin + " (RFC 1034 §4.2)");
                }
                if (r.getType() == Type.SOA && !r.getName().equals(origin)) {
                    throw refuse(line, "SOA at " + r.getName() + " but the zone apex is " + origin + " (RFC 1035 §5.2)");
                }
                if (r.getType() == Type.DNAME) {
                    throw refuse(line, "DNAME (RFC 6672) is not supported by this server");
                }
                Map<Integer, RRset> node = nodes.computeIfAbsent(r.getName(), n -> new LinkedHashMap<>());
                if (r.getType() == Type.CNAME && !node.isEmpty()) {
                    String what = node.containsKey(Type.CNAME) ? "a second CNAME" : "CNAME and other data";
                    throw refuse(line, what + " at " + r.getName() + " (RFC 1034 §3.6.2, RFC 2181 §10.1)");
                }
                if (r.getType() != Type.CNAME && node.containsKey(Type.CNAME)) {
                    throw refuse(line, "CNAME and other data at " + r.getName() + " (RFC 1034 §3.6.2, RFC 2181 §10.1)");
                }
                if (r.getType() == Type.SOA && node.containsKey(Type.SOA)) {
                    throw refuse(line, "a second SOA record at " + origin + " (RFC 1035 §5.2: exactly one SOA)");
                }
                node.computeIfAbsent(r.getType(), t -> new RRset()).addRR(r);
            }
            Map<Integer, RRset> apex = nodes.get(origin);
            if (apex == null || !apex.containsKey(Type.SOA)) {
                throw refuse(0, "no SOA record at the apex " + origin + " (RFC 1035 §5.2)");
            }
            if (!apex.containsKey(Type.NS)) {
                throw refuse(lineOf.get(apex.get(Type.SOA).first()),
                        "no NS records at the apex " + origin + " (RFC 1035 §5.2, RFC 1034 §4.2.1)");
            }
            checkGlue();
            addEmptyNonTerminals();
            return new AuthoritativeZone(file, origin, nodes, records);
        }

        /** RFC 1034 §4.2.1: a name server named inside the zone needs its address in the zone (glue). */
        private void checkGlue() {
            for (Record r : records) {
                if (r.getType() != Type.NS) {
                    continue;
                }
                Name target = r.getAdditionalName();
                if (!target.subdomain(origin)) {
                    continue;
                }
                Map<Integer, RRset> node = nodes.get(target);
                if (node == null || !(node.containsKey(Type.A) || node.containsKey(Type.AAAA))) {
                    throw refuse(lineOf.get(r), "name server " + target + " of " + r.getName()
                            + " is inside the zone but has no A or AAAA record (glue, RFC 1034 §4.2.1)");
                }
            }
        }

        /** RFC 8020 §2 / RFC 4592 §2.2.2: every ancestor of an owner name exists, even without data. */
        private void addEmptyNonTerminals() {
            for (Name owner : List.copyOf(nodes.keySet())) {
                for (int strip = 1; owner.labels() - strip > origin.labels(); strip++) {
                    nodes.computeIfAbsent(new Name(owner, strip), n -> new LinkedHashMap<>());
                }
            }
        }
    }

    /**
     * Loads every source; the good zones are returned, the refused ones reported. Used at start
     * (where any refusal stops the start) and at reload (where a refused zone keeps its old version).
     */
    record Outcome(List<AuthoritativeZone> loaded, List<ZoneLoadException> refused) {
    }

    Outcome loadAll(List<ZoneSource> sources) {
        List<AuthoritativeZone> loaded = new ArrayList<>();
        List<ZoneLoadException> refused = new ArrayList<>();
        for (ZoneSource source : sources) {
            try {
                loaded.add(load(source));
            } catch (ZoneLoadException e) {
                refused.add(e);
            } catch (RuntimeException e) {
                refused.add(new ZoneLoadException(source.name(), 0, String.valueOf(e.getMessage()), e));
            }
        }
        return new Outcome(loaded, refused);
    }
}
