package org.foobarstack.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.nio.file.Path;
import io.netty.channel.epoll.Epoll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The DNS tier's command line: the README's options and defaults. */
class DnsServerMainTest {

    private static DnsServerConfig parse(String... args) {
        CommandLine commandLine = DnsServerMain.commandLine();
        commandLine.parseArgs(args);
        return commandLine.<DnsServerMain>getCommand().config();
    }

    @Test
    void defaultsAreTheConfigsDefaults() throws Exception {
        DnsServerConfig config = parse();
        DnsServerConfig defaults = DnsServerConfig.builder().build();

        assertThat(config.port()).isEqualTo(5300).isEqualTo(defaults.port());
        assertThat(config.bindAddress()).isEqualTo(InetAddress.getByName("127.0.0.1")).isEqualTo(defaults.bindAddress());
        assertThat(config.webAddress()).isEqualTo(defaults.webAddress());
        assertThat(config.ioThreads()).isEqualTo(defaults.ioThreads());
        assertThat(config.zonesDirectory()).isNull();
        assertThat(config.wwwAsCname()).isFalse();
        assertThat(config.nativeTransport()).isEqualTo(defaults.nativeTransport())
                .as("epoll is the default on Linux").isEqualTo(Epoll.isAvailable());
    }

    @Test
    void nioChoosesJavaNioEvenWhereEpollLoads() throws Exception {
        assertThat(parse("--nio").nativeTransport()).isFalse();
    }

    @Test
    void everyOptionReachesTheConfig() throws Exception {
        DnsServerConfig config = parse("--bind", "127.0.0.2", "--port", "0", "--zones", "zones", "--www-cname",
                "--web-address", "127.0.0.10", "--threads", "2", "--native");

        assertThat(config.bindAddress()).isEqualTo(InetAddress.getByName("127.0.0.2"));
        assertThat(config.port()).isZero();
        assertThat(config.zonesDirectory()).isEqualTo(Path.of("zones"));
        assertThat(config.wwwAsCname()).isTrue();
        assertThat(config.webAddress()).isEqualTo(InetAddress.getByName("127.0.0.10"));
        assertThat(config.ioThreads()).isEqualTo(2);
        assertThat(config.nativeTransport()).isTrue();
    }

    @Test
    void printZonePrintsTheZoneAndExits() {
        StringWriter out = new StringWriter();
        CommandLine commandLine = DnsServerMain.commandLine();
        commandLine.setOut(new PrintWriter(out, true));

        assertThat(commandLine.execute("--www-cname", "--print-zone", "foobar.com")).isZero();
        assertThat(out.toString()).contains("SOA").contains("CNAME");
    }

    @Test
    void anUnknownOptionIsAUsageError() {
        StringWriter err = new StringWriter();
        CommandLine commandLine = DnsServerMain.commandLine();
        commandLine.setErr(new PrintWriter(err, true));

        assertThat(commandLine.execute("--colour", "red")).isEqualTo(2);
        assertThat(err.toString()).contains("--colour").contains("--print-zone");
    }
}
