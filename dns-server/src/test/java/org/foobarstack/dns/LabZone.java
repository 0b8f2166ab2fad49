package org.foobarstack.dns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The laboratory zone (src/test/resources/zones-lab), the one the interop script and NSD use too. */
final class LabZone {

    private LabZone() {
    }

    static Path directory() {
        try {
            return Path.of(LabZone.class.getResource("/zones-lab").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A writable copy in {@code dir}, for tests that change the zone. */
    static Path copyTo(Path dir) {
        try {
            Files.copy(directory().resolve("foobar.com.zone"), dir.resolve("foobar.com.zone"));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static DnsServer start(Path zones) {
        DnsServer server = new DnsServer(DnsServerConfig.builder().port(0).zonesDirectory(zones).build());
        server.start();
        return server;
    }
}
