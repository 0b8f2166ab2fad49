package org.foobarstack.launcher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** What a user sees when a port is taken: which tier, which port, what to do; and nothing left running. */
class StackStartupErrorTest {

    @TempDir
    Path dataDir;

    @Test
    void aTakenWebPortNamesTheTierAndPortAndStopsTheTiersAlreadyStarted() throws Exception {
        try (ServerSocket squatter = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int taken = squatter.getLocalPort();
            Stack stack = new Stack(StackConfig.builder().dnsPort(0).httpPort(taken).httpsPort(0).appPort(0)
                    .dbPort(0).dataDir(dataDir).build());

            Stack.TierStartException error = catchThrowableOfType(Stack.TierStartException.class,
                    () -> stack.start(line -> { }));

            assertThat(error.tier()).isEqualTo("web server");
            assertThat(error.getMessage())
                    .contains("web server")
                    .contains(String.valueOf(taken))
                    .contains("already in use")
                    .doesNotContain("Exception");
            // the DNS and app servers had started; they must not outlive the failed start. The database's boot
            // waits for the tiers above it, so it never began.
            assertThat(stack.endpoints()).extracting(Stack.Endpoint::tier).containsExactly("DNS server", "app server");
            for (Stack.Endpoint endpoint : stack.endpoints()) {
                assertThat(PortProbe.accepts(endpoint.address())).as(endpoint + " still open").isFalse();
            }
        }
    }

    @Test
    void aTakenDatabasePortNamesStorageAndStopsTheTiersStartedMeanwhile() throws Exception {
        try (ServerSocket squatter = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int taken = squatter.getLocalPort();
            Stack stack = new Stack(StackConfig.builder().dnsPort(0).httpPort(0).httpsPort(0).appPort(0)
                    .adminPort(0).dbPort(taken).dataDir(dataDir).build());

            Stack.TierStartException error = catchThrowableOfType(Stack.TierStartException.class,
                    () -> stack.start(line -> { }));

            assertThat(error.tier()).isEqualTo("storage");
            assertThat(error.getMessage()).contains(String.valueOf(taken)).contains("already in use");
            // the tiers above storage started while the database booted; none may outlive the failed start
            assertThat(stack.endpoints()).extracting(Stack.Endpoint::tier)
                    .containsExactly("DNS server", "app server", "web server", "admin");
            for (Stack.Endpoint endpoint : stack.endpoints()) {
                assertThat(PortProbe.accepts(endpoint.address())).as(endpoint + " still open").isFalse();
            }
        }
    }
}
