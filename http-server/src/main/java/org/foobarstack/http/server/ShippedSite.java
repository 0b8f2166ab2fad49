package org.foobarstack.http.server;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The foobar.com site shipped inside this module (classpath {@code site/}). At first start it is copied into the
 * data directory ({@code <dataDir>/www}), so that learners can open, edit and add files and see the server pick
 * them up; files already there are left alone, so edits survive restarts.
 */
public final class ShippedSite {

    /** Every file of the site; a jar has no directory listing, so the list is kept here. */
    public static final List<String> FILES = List.of("index.html", "style.css", "stack.js", "guestbook.js", "favicon.svg");

    private ShippedSite() {
    }

    /** Copies missing files into {@code target} and returns it. */
    public static Path install(Path target) throws IOException {
        Files.createDirectories(target);
        for (String name : FILES) {
            Path file = target.resolve(name);
            if (Files.exists(file)) {
                continue;
            }
            try (InputStream in = ShippedSite.class.getClassLoader().getResourceAsStream("site/" + name)) {
                if (in == null) {
                    throw new IOException("site/" + name + " is missing from the classpath");
                }
                Files.copy(in, file);
            }
        }
        return target;
    }
}
