package org.foobarstack.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The dashboard's files (HTML, CSS, JavaScript), read once from this module's resources
 * ({@code org/foobarstack/admin/dashboard/}). Only the files named here are served: a request path is looked
 * up in a fixed table, never joined to a directory, so no path can reach anything else.
 */
public final class DashboardAssets {

    /** A file of the page and its media type. */
    public record Asset(String contentType, byte[] bytes) {
    }

    private static final String FOLDER = "dashboard/";

    private final Map<String, Asset> byPath = new LinkedHashMap<>();

    public DashboardAssets() {
        Asset index = load("index.html", "text/html; charset=utf-8");
        byPath.put("/", index);
        byPath.put("/index.html", index);
        byPath.put("/dashboard.css", load("dashboard.css", "text/css; charset=utf-8"));
        byPath.put("/dashboard.js", load("dashboard.js", "text/javascript; charset=utf-8"));
        byPath.put("/packets.css", load("packets.css", "text/css; charset=utf-8"));
        byPath.put("/packets.js", load("packets.js", "text/javascript; charset=utf-8"));
        byPath.put("/favicon.svg", load("favicon.svg", "image/svg+xml"));
    }

    /** The asset served at {@code path}, or null. */
    public Asset get(String path) {
        return byPath.get(path);
    }

    private static Asset load(String name, String contentType) {
        try (InputStream in = DashboardAssets.class.getResourceAsStream(FOLDER + name)) {
            if (in == null) {
                throw new IllegalStateException("dashboard file missing from the jar: " + FOLDER + name);
            }
            return new Asset(contentType, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read dashboard file " + name, e);
        }
    }
}
