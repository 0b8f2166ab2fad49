package org.foobarstack.topology;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The web server: it serves the site's static files itself and passes every {@code /api/*}
 * request on to an application server, over FastCGI.
 *
 * @param port the HTTP port; 8080 by default
 * @param httpsPort the HTTPS port, or {@link TierSpec#OFF} for a server that speaks plain HTTP only; 8443 by default
 * @param appHost the host whose app tier receives the {@code /api/*} requests; in a topology file it
 *     defaults to the web server's own host when that host runs an app tier
 */
public record WebTier(int port, int httpsPort, String appHost) implements TierSpec {

    public static final int DEFAULT_HTTPS_PORT = 8443;

    public WebTier {
        Ports.requireValid(port, "web port");
        Ports.requireValidOrOff(httpsPort, "web https-port");
        Objects.requireNonNull(appHost, "appHost");
    }

    /** Whether the server also listens for HTTPS. */
    public boolean hasHttps() {
        return httpsPort != OFF;
    }

    @Override
    public Role role() {
        return Role.WEB;
    }

    @Override
    public List<Listener> listeners() {
        List<Listener> listeners = new ArrayList<>();
        listeners.add(new Listener(Role.WEB, "port", port, Transport.TCP));
        if (hasHttps()) {
            listeners.add(new Listener(Role.WEB, "https-port", httpsPort, Transport.TCP));
        }
        return List.copyOf(listeners);
    }

    @Override
    public List<Reference> references() {
        return List.of(new Reference(appHost, Role.APP));
    }

    @Override
    public WebTier withEphemeralPorts() {
        return new WebTier(0, Ports.ephemeral(httpsPort), appHost);
    }
}
