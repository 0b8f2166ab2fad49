package org.foobarstack.launcher.hosts;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.foobarstack.topology.AppTier;
import org.foobarstack.topology.HostSpec;
import org.foobarstack.topology.Role;
import org.foobarstack.topology.Topology;
import org.foobarstack.topology.WwwRecord;

/**
 * What the site's home page says about the stack that serves it, written as {@code stack.json} next to the page
 * each time a web server starts: the design, how the zone publishes www (an A record and its addresses, or a
 * CNAME and its target), the name server's address, and the ports and addresses of the web, app and database
 * tiers behind this web server. The page reads it, so it names the real ports under {@code --http-port} or a
 * topology, and the real record under {@code --www-cname}; without it (a web server run on its own) the page
 * keeps its default text.
 */
final class SiteFacts {

    /** The file's name in the document root, and so its path on the site: {@code /stack.json}. */
    static final String FILE = "stack.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private SiteFacts() {
    }

    /**
     * @param web   the web tier whose page this is, started (its ports are bound)
     * @param https its HTTPS address, or null
     */
    static String json(StackContext stack, WebTierRuntime web, InetSocketAddress https, String appHost) {
        Topology topology = stack.topology();
        ObjectNode root = JSON.createObjectNode();
        root.put("design", topology.name());
        ObjectNode www = root.putObject("www");
        www.put("name", "www." + topology.domain());
        www.put("type", topology.www().name());
        if (topology.www() == WwwRecord.CNAME) {
            www.put("target", topology.domain());
        }
        List<InetAddress> addresses = topology.wwwAddresses();
        addresses.forEach(a -> www.withArray("addresses").add(a.getHostAddress()));
        stack.nameServer().ifPresent(dns -> endpoint(root.putObject("dns"), dns.address()));
        ObjectNode webNode = root.putObject("web");
        webNode.put("instance", web.instance());
        endpoint(webNode, web.address());
        if (https != null) {
            webNode.put("httpsPort", https.getPort());
        }
        TierRuntime app = stack.tier(appHost, Role.APP);
        ObjectNode appNode = root.putObject("app");
        appNode.put("instance", app.instance());
        endpoint(appNode, app.address());
        HostSpec appSpec = topology.host(appHost).orElseThrow();
        appSpec.tier(AppTier.class).ifPresent(tier -> {
            TierRuntime db = stack.tier(tier.dbHost(), Role.DB);
            ObjectNode dbNode = root.putObject("db");
            dbNode.put("instance", db.instance());
            endpoint(dbNode, db.address());
        });
        try {
            return JSON.writeValueAsString(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code json} into {@code documentRoot} whole (a reader never sees half a file). */
    static void write(Path documentRoot, String json) {
        try {
            Files.createDirectories(documentRoot);
            Path partial = documentRoot.resolve(FILE + ".partial");
            Files.writeString(partial, json);
            Files.move(partial, documentRoot.resolve(FILE), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + documentRoot.resolve(FILE), e);
        }
    }

    private static void endpoint(ObjectNode node, InetSocketAddress address) {
        node.put("address", address.getAddress().getHostAddress());
        node.put("port", address.getPort());
    }
}
