package org.foobarstack.launcher;

import org.foobarstack.topology.AppTier;
import org.foobarstack.topology.DbTier;
import org.foobarstack.topology.DnsTier;
import org.foobarstack.topology.HostSpec;
import org.foobarstack.topology.ShippedTopologies;
import org.foobarstack.topology.TierSpec;
import org.foobarstack.topology.Topology;
import org.foobarstack.topology.WebTier;
import org.foobarstack.topology.WwwRecord;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What one stack runs and where it keeps its data: a topology (by default the {@code simple} design, one server
 * whose tiers listen on the ports below), the admin server's port, and the data directory. Port 0 means "any free
 * port"; the running {@link Stack} reports the real one.
 *
 * @param bindAddress the loopback address every tier of this stack binds to
 * @param dnsPort     UDP and TCP port of the DNS server
 * @param httpPort    plain-HTTP port of the web server
 * @param httpsPort   HTTPS port of the web server, or -1 for no HTTPS
 * @param appPort     FastCGI port of the app server
 * @param dbPort      Derby Network Server port
 * @param adminPort   admin server port: dashboard, /metrics, /health
 * @param dataDir     directory holding the database, the certificates and the site
 * @param wwwAsCname  serve the zone variant in which {@code www} is a CNAME for the apex
 * @param topology    what runs: the hosts and their tiers; the {@code simple} design made from the settings above
 *                    unless another was given
 */
public record StackConfig(InetAddress bindAddress, int dnsPort, int httpPort, int httpsPort, int appPort,
                          int dbPort, int adminPort, Path dataDir, boolean wwwAsCname, Topology topology) {

    public static final int DEFAULT_DNS_PORT = 5300;
    public static final int DEFAULT_HTTP_PORT = 8080;
    public static final int DEFAULT_HTTPS_PORT = 8443;
    public static final int DEFAULT_APP_PORT = 9000;
    public static final int DEFAULT_DB_PORT = 1527;
    public static final int DEFAULT_ADMIN_PORT = 9090;
    public static final int HTTPS_DISABLED = -1;

    public StackConfig {
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(topology, "topology");
    }

    /** Where the admin server listens: the bind address (127.0.0.1 by default). */
    public InetAddress adminAddress() {
        return bindAddress;
    }

    /**
     * The shipped {@code simple} design with this stack's address and ports: one host, {@code server-1}, running
     * the name server, the web server, the app server and the database.
     */
    static Topology simpleTopology(InetAddress bind, int dnsPort, int httpPort, int httpsPort, int appPort,
                                   int dbPort, boolean wwwAsCname) {
        Topology shipped = ShippedTopologies.load("simple");
        HostSpec server = shipped.hosts().get(0);
        List<TierSpec> tiers = List.of(
                new DnsTier(dnsPort),
                new WebTier(httpPort, httpsPort == HTTPS_DISABLED ? TierSpec.OFF : httpsPort, server.name()),
                new AppTier(appPort, server.name()),
                new DbTier(dbPort));
        return new Topology(shipped.name(), shipped.description(), shipped.domain(),
                wwwAsCname ? WwwRecord.CNAME : WwwRecord.A,
                List.of(new HostSpec(server.name(), bind, server.description(), tiers)));
    }

    public boolean httpsEnabled() {
        return httpsPort != HTTPS_DISABLED;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A stack on free ports under {@code dataDir}: what tests use, so that they never collide. */
    public static StackConfig ephemeral(Path dataDir) {
        return builder().dnsPort(0).httpPort(0).httpsPort(0).appPort(0).dbPort(0).adminPort(0).dataDir(dataDir)
                .build();
    }

    public static final class Builder {
        private InetAddress bindAddress = loopback();
        private int dnsPort = DEFAULT_DNS_PORT;
        private int httpPort = DEFAULT_HTTP_PORT;
        private int httpsPort = DEFAULT_HTTPS_PORT;
        private int appPort = DEFAULT_APP_PORT;
        private int dbPort = DEFAULT_DB_PORT;
        private int adminPort = DEFAULT_ADMIN_PORT;
        private Path dataDir = Path.of("data");
        private boolean wwwAsCname;
        private Topology topology;

        public Builder bindAddress(InetAddress value) {
            bindAddress = value;
            return this;
        }

        public Builder dnsPort(int value) {
            dnsPort = value;
            return this;
        }

        public Builder httpPort(int value) {
            httpPort = value;
            return this;
        }

        public Builder httpsPort(int value) {
            httpsPort = value;
            return this;
        }

        public Builder appPort(int value) {
            appPort = value;
            return this;
        }

        public Builder dbPort(int value) {
            dbPort = value;
            return this;
        }

        public Builder adminPort(int value) {
            adminPort = value;
            return this;
        }

        public Builder dataDir(Path value) {
            dataDir = value;
            return this;
        }

        public Builder wwwAsCname(boolean value) {
            wwwAsCname = value;
            return this;
        }

        /** Runs this topology instead of the simple one the port settings describe. */
        public Builder topology(Topology value) {
            topology = value;
            return this;
        }

        public StackConfig build() {
            Topology running = topology != null ? topology
                    : simpleTopology(bindAddress, dnsPort, httpPort, httpsPort, appPort, dbPort, wwwAsCname);
            return new StackConfig(bindAddress, dnsPort, httpPort, httpsPort, appPort, dbPort, adminPort,
                    dataDir.toAbsolutePath().normalize(), wwwAsCname, running);
        }

        private static InetAddress loopback() {
            try {
                return InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1});
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
