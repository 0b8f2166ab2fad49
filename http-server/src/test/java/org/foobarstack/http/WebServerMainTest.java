package org.foobarstack.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The web tier's command line: the README's options and defaults. */
class WebServerMainTest {

    private static WebServerConfig parse(String... args) {
        CommandLine commandLine = WebServerMain.commandLine();
        commandLine.parseArgs(args);
        return commandLine.<WebServerMain>getCommand().config();
    }

    @Test
    void defaultsAreTheConfigsDefaults() {
        WebServerConfig config = parse();
        WebServerConfig defaults = WebServerConfig.builder().build();

        assertThat(config.bindAddress()).isEqualTo(defaults.bindAddress()).isEqualTo("127.0.0.1");
        assertThat(config.httpPort()).isEqualTo(defaults.httpPort()).isEqualTo(8080);
        assertThat(config.httpsPort()).isEqualTo(defaults.httpsPort()).isEqualTo(8443);
        assertThat(config.httpsEnabled()).isTrue();
        assertThat(config.dataDirectory()).isEqualTo(defaults.dataDirectory());
        assertThat(config.appServerAddress()).isEqualTo(defaults.appServerAddress());
        assertThat(config.serverName()).isEqualTo(defaults.serverName());
        assertThat(config.tracingEnabled()).isTrue();
    }

    @Test
    void everyOptionReachesTheConfig() {
        WebServerConfig config = parse("--bind", "127.0.0.2", "--port", "0", "--https-port", "off", "--root", "site",
                "--data-dir", "d", "--app", "127.0.0.3:9001", "--app-script", "/srv/index.php", "--name", "web-2",
                "--redirect-apex", "--directory-listing", "--io-threads", "2", "--no-trace");

        assertThat(config.bindAddress()).isEqualTo("127.0.0.2");
        assertThat(config.httpPort()).isZero();
        assertThat(config.httpsEnabled()).isFalse();
        assertThat(config.documentRoot()).isEqualTo(Path.of("site"));
        assertThat(config.dataDirectory()).isEqualTo(Path.of("d"));
        assertThat(config.appServerAddress()).isEqualTo(new InetSocketAddress("127.0.0.3", 9001));
        assertThat(config.appScriptFilename()).isEqualTo("/srv/index.php");
        assertThat(config.serverName()).isEqualTo("web-2");
        assertThat(config.redirectApexToWww()).isTrue();
        assertThat(config.directoryListing()).isTrue();
        assertThat(config.ioThreads()).isEqualTo(2);
        assertThat(config.tracingEnabled()).isFalse();
    }

    @Test
    void malformedValuesAreNamed() {
        assertThatThrownBy(() -> parse("--app", "nowhere")).hasMessage("--app expects HOST:PORT, got nowhere");
        assertThatThrownBy(() -> parse("--https-port", "on")).hasMessage("--https-port needs a number or off, got 'on'");

        StringWriter err = new StringWriter();
        CommandLine commandLine = WebServerMain.commandLine();
        commandLine.setErr(new PrintWriter(err, true));
        assertThat(commandLine.execute("--app", "nowhere")).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("web server: --app expects HOST:PORT, got nowhere" + System.lineSeparator());
    }
}
