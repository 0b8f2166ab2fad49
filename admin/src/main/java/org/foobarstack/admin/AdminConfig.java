package org.foobarstack.admin;

import java.time.Duration;
import java.util.Objects;
import org.foobarstack.httpcodec.parser.ParserLimits;

/**
 * Where the admin server listens and how long it keeps an idle connection.
 *
 * <pre>
 *   AdminConfig config = AdminConfig.builder().bindAddress("127.0.0.1").port(9090).build();
 * </pre>
 *
 * @param serverName  the instance name in logs and error messages ("admin-1")
 * @param bindAddress the address to listen on, as text ("127.0.0.1")
 * @param port        the TCP port; 0 asks the kernel for a free one ({@link AdminServer#address()} reports it)
 * @param idleTimeout how long a keep-alive connection may stay silent before the server closes it
 * @param limits      the request parser's size limits. The one route that reads a body, {@code PUT /api/demo},
 *                    has a smaller limit of its own (4 MiB, {@link DemoReport#MAX_BYTES}), so the defaults are ample
 */
public record AdminConfig(String serverName, String bindAddress, int port, Duration idleTimeout, ParserLimits limits) {

    public static final String DEFAULT_BIND_ADDRESS = "127.0.0.1";
    public static final int DEFAULT_PORT = 9090;
    /** Long enough for a dashboard that polls every 1.5 s to keep its connection. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);

    public AdminConfig {
        Objects.requireNonNull(serverName, "serverName");
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(limits, "limits");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("admin port must be between 0 and 65535: " + port);
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idle timeout must be positive: " + idleTimeout);
        }
    }

    /** 127.0.0.1:9090. */
    public static AdminConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().serverName(serverName).bindAddress(bindAddress).port(port).idleTimeout(idleTimeout)
                .limits(limits);
    }

    public static final class Builder {
        private String serverName = "admin-1";
        private String bindAddress = DEFAULT_BIND_ADDRESS;
        private int port = DEFAULT_PORT;
        private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
        private ParserLimits limits = ParserLimits.defaults();

        private Builder() {
        }

        public Builder serverName(String name) {
            this.serverName = name;
            return this;
        }

        public Builder bindAddress(String address) {
            this.bindAddress = address;
            return this;
        }

        /** 0 means any free port. */
        public Builder port(int value) {
            this.port = value;
            return this;
        }

        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = timeout;
            return this;
        }

        public Builder limits(ParserLimits value) {
            this.limits = value;
            return this;
        }

        public AdminConfig build() {
            return new AdminConfig(serverName, bindAddress, port, idleTimeout, limits);
        }
    }
}
