package org.foobarstack.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The admin server's token for host actions: fresh and random for each run, written where only this user can read
 * it. Any program of this user can then use {@code ctl}, and a web page cannot (it can neither read the file nor
 * send the header without the admin server's consent).
 */
public final class AdminToken {

    private AdminToken() {
    }

    /** A new token, written to {@code file} (mode 600, replacing the last run's), and returned. */
    public static String write(Path file) {
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String token = HexFormat.of().formatHex(random);
        try {
            Files.createDirectories(file.getParent());
            Files.deleteIfExists(file);
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException notPosix) {
                Files.createFile(file);
            }
            Files.writeString(file, token + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the admin token to " + file, e);
        }
        return token;
    }
}
