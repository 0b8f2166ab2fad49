package org.foobarstack.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HealthCheckTest {

    @TempDir
    Path dir;

    @Test
    void aRunningServerIsHealthyAndAStoppedOneIsNot() {
        StorageServer server = new StorageServer(StorageConfig.builder().port(0).dataDir(TemplateDatabase.copyInto(dir)).build());
        assertThat(server.healthy()).as("not started yet").isFalse();
        server.start();
        HealthCheck check = server.healthCheck();

        HealthCheck.Health health = check.check();
        assertThat(health.healthy()).isTrue();
        assertThat(health.detail()).isEqualTo("ok");
        assertThat(health.roundTrip()).isPositive();

        server.close();
        HealthCheck.Health after = check.check();
        assertThat(after.healthy()).isFalse();
        assertThat(after.detail()).contains("SQLState");
        assertThat(server.healthy()).isFalse();
    }

    @Test
    void wrongCredentialsAreUnhealthyWithTheReason() {
        try (StorageServer server = new StorageServer(StorageConfig.builder().port(0).dataDir(TemplateDatabase.copyInto(dir)).build())) {
            server.start();
            HealthCheck.Health health = new HealthCheck(server.jdbcUrl(), server.appUser(), "wrong").check();
            assertThat(health.healthy()).isFalse();
            assertThat(health.detail()).contains("08004");
        }
    }

    @Test
    void aServerThatAcceptsButNeverAnswersIsUnhealthyAfterTheTimeoutInsteadOfHanging() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            // the kernel completes the TCP handshake from the backlog: nobody ever reads or writes
            HealthCheck check = new HealthCheck("jdbc:derby://127.0.0.1:" + silent.getLocalPort() + "/foobar",
                    "foobar_app", "x", java.time.Duration.ofSeconds(1));
            HealthCheck.Health health = check.check();
            assertThat(health.healthy()).isFalse();
            assertThat(health.detail()).contains("XBDA0"); // Derby: login timeout exceeded
            assertThat(health.roundTrip()).isLessThan(java.time.Duration.ofSeconds(30));
        }
    }

    @Test
    void onlyDerbyClientUrlsAreAccepted() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> new HealthCheck("jdbc:derby:/embedded/path", "u", "p"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jdbc:derby://host:port/database");
        // an IPv6 literal and an absolute database path both parse
        assertThat(new HealthCheck("jdbc:derby://[::1]:1527//data/storage/foobar", "u", "p")).isNotNull();
    }

    @Test
    void aPortThatAcceptsButIsNotDerbyIsUnhealthy() throws Exception {
        // A port probe would call this healthy: it accepts TCP connections. The round trip does not.
        try (ServerSocket notDerby = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            notDerby.setSoTimeout(10_000); // never wait forever for a client that did not come
            Thread closer = new Thread(() -> {
                try (var s = notDerby.accept()) {
                    s.getOutputStream().write("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes());
                } catch (Exception ignored) {
                    // the check reports what the client saw
                }
            });
            closer.start();
            HealthCheck.Health health = new HealthCheck("jdbc:derby://127.0.0.1:" + notDerby.getLocalPort() + "/foobar",
                    "foobar_app", "x").check();
            assertThat(health.healthy()).isFalse();
            closer.join();
        }
    }
}
