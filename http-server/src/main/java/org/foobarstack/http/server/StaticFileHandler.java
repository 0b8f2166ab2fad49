package org.foobarstack.http.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.foobarstack.httpcodec.parser.HttpFields;
import org.foobarstack.httpcodec.parser.HttpRequestHead;
import org.foobarstack.httpcodec.response.ErrorPage;
import org.foobarstack.httpcodec.response.HttpDates;
import org.foobarstack.httpcodec.response.HttpResponseHead;
import org.foobarstack.httpcodec.response.HttpStatus;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Serves files from a document root, answering the questions a browser and a cache ask (RFC 9110 §13, §14):
 *
 * <ol>
 *   <li>Method: GET and HEAD read, OPTIONS lists them, anything else is 405 with Allow.</li>
 *   <li>Path: decoded and checked by {@link SafePath}; hidden names (".git", ".env") are not served; a directory
 *       without its trailing slash is redirected to it, so that relative links inside work; a directory is served
 *       by its index.html.</li>
 *   <li>Confinement: the real path, after symbolic links, must still be inside the root.</li>
 *   <li>What was learnt about a path is kept for a second ({@link FileInfoCache}).</li>
 *   <li>Validators: an ETag built from modification time and size, and Last-Modified. If-None-Match is evaluated
 *       first and, when present, If-Modified-Since is ignored (RFC 9110 §13.2.2); a match is 304.</li>
 *   <li>Range: one byte range gives 206 with Content-Range; a range past the end gives 416 with
 *       {@code bytes *}{@code /length}; If-Range sends the whole file when the validator no longer matches.
 *       Several ranges would need multipart/byteranges: the server may ignore Range instead (RFC 9110 §14.2), and
 *       does.</li>
 *   <li>Body: a small file from memory (kept by {@link OpenFile}) with its head in one write; a larger one with
 *       zero copy on plain TCP, in chunks under TLS ({@link HttpExchange#sendFile}).</li>
 * </ol>
 */
public final class StaticFileHandler implements RequestHandler, AutoCloseable {

    private static final String ALLOW = "GET, HEAD, OPTIONS";
    private static final String INDEX = "index.html";

    private final Path root;
    private final boolean directoryListing;
    private final FileInfoCache cache;

    /** @param root an existing directory; its real path is taken, so symbolic links in it are judged by target */
    public StaticFileHandler(Path root, boolean directoryListing) throws IOException {
        this.root = root.toRealPath();
        this.directoryListing = directoryListing;
        this.cache = new FileInfoCache(this.root);
    }

    public Path root() {
        return root;
    }

    /** Closes the descriptors kept open for hot files. */
    @Override
    public void close() {
        cache.clear();
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        HttpRequestHead request = exchange.request();
        String method = request.method();
        if (method.equals("OPTIONS")) {
            exchange.respond(HttpResponseHead.builder(HttpStatus.NO_CONTENT).add("Allow", ALLOW),
                    Unpooled.EMPTY_BUFFER);
            return;
        }
        if (!method.equals("GET") && !method.equals("HEAD")) {
            HttpResponseHead.Builder head = errorHead(HttpStatus.METHOD_NOT_ALLOWED).add("Allow", ALLOW);
            respondPage(exchange, head, HttpStatus.METHOD_NOT_ALLOWED,
                    method + " is not allowed on a static file; allowed: " + ALLOW, "RFC 9110 §15.5.6");
            return;
        }
        SafePath.Result path = SafePath.resolve(request.target().path());
        if (!path.ok()) {
            exchange.sendError(HttpStatus.of(path.refusal().status()), path.refusal().reason(),
                    path.refusal().rule());
            return;
        }
        for (String segment : path.segments()) {
            if (segment.startsWith(".")) {
                notFound(exchange);
                return;
            }
        }
        Path file = root.resolve(String.join("/", path.segments()));
        FileInfoCache.FileInfo info = cache.get(file);
        if (!info.exists()) {
            notFound(exchange);
            return;
        }
        if (info.directory()) {
            if (!path.trailingSlash()) {
                // RFC 9110 §15.4.2: the directory's URL ends with a slash, so that relative links resolve inside it
                String query = request.target().query();
                String location = request.target().path() + "/" + (query == null ? "" : "?" + query);
                redirect(exchange, location);
                return;
            }
            Path index = file.resolve(INDEX);
            FileInfoCache.FileInfo indexInfo = cache.get(index);
            if (indexInfo.regularFile()) {
                file = index;
                info = indexInfo;
            } else if (directoryListing && info.insideRoot()) {
                listDirectory(exchange, file, request.target().path());
                return;
            } else {
                exchange.sendError(HttpStatus.FORBIDDEN, "this directory has no index.html and listings are off",
                        null);
                return;
            }
        }
        if (!info.regularFile() || !info.insideRoot()) {
            notFound(exchange);
            return;
        }
        serveFile(exchange, file, info);
    }

    private void serveFile(HttpExchange exchange, Path file, FileInfoCache.FileInfo info) throws IOException {
        HttpFields fields = exchange.request().fields();
        long size = info.size();
        Instant modified = info.modified();
        String etag = info.etag();
        String lastModified = info.lastModified();
        String name = file.getFileName().toString();
        HttpResponseHead.Builder head = HttpResponseHead.builder(HttpStatus.OK)
                .add("Content-Type", MimeTypes.forFileName(name))
                .add("Last-Modified", lastModified)
                .add("ETag", etag)
                .add("Accept-Ranges", "bytes")
                .add("Cache-Control", name.endsWith(".html") ? "no-cache" : "public, max-age=3600");

        // conditional requests (RFC 9110 §13.2.2): If-None-Match wins over If-Modified-Since
        String ifNoneMatch = fields.get("if-none-match");
        boolean notModified;
        if (ifNoneMatch != null) {
            notModified = EntityTags.matchesWeakly(ifNoneMatch, etag);
        } else {
            Instant since = HttpDates.parse(fields.get("if-modified-since"));
            notModified = since != null && !modified.isAfter(since);
        }
        if (notModified) {
            exchange.sendHead(head.status(HttpStatus.NOT_MODIFIED).remove("Content-Type"), 0);
            exchange.end();
            return;
        }

        long offset = 0;
        long length = size;
        String range = fields.get("range");
        if (range != null && exchange.request().method().equals("GET") && ifRangeHolds(fields, etag, lastModified)) {
            ByteRange byteRange = ByteRange.parse(range, size);
            if (byteRange == ByteRange.UNSATISFIABLE) {
                HttpResponseHead.Builder h = errorHead(HttpStatus.RANGE_NOT_SATISFIABLE)
                        .add("Content-Range", "bytes */" + size);
                respondPage(exchange, h, HttpStatus.RANGE_NOT_SATISFIABLE,
                        "the range " + range + " starts beyond the file's " + size + " bytes", "RFC 9110 §14.4");
                return;
            }
            if (byteRange != null) {
                offset = byteRange.first();
                length = byteRange.length();
                head.status(HttpStatus.PARTIAL_CONTENT)
                        .add("Content-Range", "bytes " + byteRange.first() + "-" + byteRange.last() + "/" + size);
            }
        }
        OpenFile shared = cache.descriptor(file, info);
        if (shared != null) {
            ByteBuf small = shared.content(offset, length);
            if (small != null) {
                // a small file kept in memory: head and body leave in one write (under TLS, in one record)
                shared.release();
                exchange.sendHead(head, length);
                exchange.sendBody(small);
                exchange.end();
                return;
            }
            if (!exchange.isSecure()) {
                // plain TCP and a cached descriptor: sendfile(2) from it, no open or close
                exchange.sendHead(head, length);
                exchange.sendFileRegion(shared.region(offset, length), length);
                exchange.end();
                return;
            }
            // under TLS a large file passes through the cipher: it is read in chunks, from a descriptor of its own
            shared.release();
        }
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        if (channel.size() != size) {
            // the file changed since it was looked at: look again rather than send a wrong Content-Length
            channel.close();
            cache.invalidate(file);
            handle(exchange);
            return;
        }
        try {
            exchange.sendHead(head, length);
            exchange.sendFile(channel, offset, length);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        exchange.end();
    }

    /** If-Range (RFC 9110 §13.1.5): a strong entity-tag or the exact Last-Modified date that must still match. */
    private static boolean ifRangeHolds(HttpFields fields, String etag, String lastModified) {
        String ifRange = fields.get("if-range");
        if (ifRange == null) {
            return true;
        }
        if (ifRange.startsWith("\"") || ifRange.startsWith("W/")) {
            return ifRange.equals(etag);
        }
        return ifRange.equals(lastModified);
    }

    private void listDirectory(HttpExchange exchange, Path dir, String urlPath) throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String n = entry.getFileName().toString();
                if (!n.startsWith(".")) {
                    names.add(Files.isDirectory(entry) ? n + "/" : n);
                }
            }
        }
        names.sort(String::compareTo);
        StringBuilder html = new StringBuilder("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Index of ")
                .append(ErrorPage.escape(urlPath)).append("</title></head><body><h1>Index of ")
                .append(ErrorPage.escape(urlPath)).append("</h1><ul>\n");
        for (String n : names) {
            String href = URLEncoder.encode(n.endsWith("/") ? n.substring(0, n.length() - 1) : n,
                    StandardCharsets.UTF_8).replace("+", "%20") + (n.endsWith("/") ? "/" : "");
            html.append("<li><a href=\"").append(href).append("\">").append(ErrorPage.escape(n))
                    .append("</a></li>\n");
        }
        html.append("</ul></body></html>\n");
        exchange.respond(HttpResponseHead.builder(HttpStatus.OK).add("Content-Type", "text/html; charset=utf-8")
                .add("Cache-Control", "no-cache"), Unpooled.copiedBuffer(html, StandardCharsets.UTF_8));
    }

    private static void redirect(HttpExchange exchange, String location) {
        respondPage(exchange, errorHead(HttpStatus.MOVED_PERMANENTLY).add("Location", location),
                HttpStatus.MOVED_PERMANENTLY, "moved to " + location, null);
    }

    private static void notFound(HttpExchange exchange) {
        exchange.sendError(HttpStatus.NOT_FOUND, "no file at " + exchange.request().target().path(), null);
    }

    private static HttpResponseHead.Builder errorHead(HttpStatus status) {
        return HttpResponseHead.builder(status).add("Content-Type", "text/html; charset=utf-8")
                .add("Cache-Control", "no-store");
    }

    private static void respondPage(HttpExchange exchange, HttpResponseHead.Builder head, HttpStatus status,
                                    String detail, String rule) {
        exchange.respond(head, Unpooled.copiedBuffer(ErrorPage.html(status, detail, rule), StandardCharsets.UTF_8));
    }
}
