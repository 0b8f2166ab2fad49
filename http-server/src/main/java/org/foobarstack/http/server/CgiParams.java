package org.foobarstack.http.server;

import org.foobarstack.httpcodec.parser.HttpFields;
import org.foobarstack.httpcodec.parser.HttpRequestHead;

import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Builds the CGI meta-variables of a request (RFC 3875 §4.1), the PARAMS stream of FastCGI: what a CGI program
 * would find in its environment.
 *
 * <p>Request header fields become {@code HTTP_*} variables (§4.1.18): upper case, "-" turned into "_". Three are
 * left out on purpose:
 * <ul>
 *   <li>{@code Proxy}: as HTTP_PROXY it would collide with the variable many HTTP libraries read to find their
 *       outgoing proxy, so one request header could redirect the application's own requests ("httpoxy",
 *       CVE-2016-5385);</li>
 *   <li>{@code Content-Type} and {@code Content-Length}: they have their own variables, CONTENT_TYPE and
 *       CONTENT_LENGTH (§4.1.2, §4.1.3);</li>
 *   <li>names with "_": "X_Forwarded_For" and "X-Forwarded-For" would become the same variable, letting one
 *       header pose as another (nginx drops them too).</li>
 * </ul>
 */
public final class CgiParams {

    public static final String GATEWAY_INTERFACE = "CGI/1.1";

    private CgiParams() {
    }

    /**
     * @param request        the request
     * @param scriptName     the path prefix that names the application, e.g. "/api"
     * @param exchangeInfo   addresses, TLS, id
     * @param contentLength  the body length to announce, or -1 for none
     * @param documentRoot   DOCUMENT_ROOT, may be null
     * @param scriptFilename SCRIPT_FILENAME, may be null
     */
    public static Map<String, String> build(HttpRequestHead request, String scriptName, ExchangeInfo exchangeInfo,
                                            long contentLength, String documentRoot, String scriptFilename) {
        Map<String, String> p = new LinkedHashMap<>();
        String path = request.target().path();
        String decodedPath = SafePath.percentDecode(path);
        if (decodedPath == null) {
            decodedPath = path;
        }
        String pathInfo = decodedPath.startsWith(scriptName) ? decodedPath.substring(scriptName.length()) : "";
        String query = request.target().query();

        p.put("GATEWAY_INTERFACE", GATEWAY_INTERFACE);
        p.put("SERVER_SOFTWARE", exchangeInfo.serverSoftware());
        p.put("SERVER_PROTOCOL", request.version().text());
        p.put("SERVER_NAME", exchangeInfo.serverName());
        p.put("SERVER_ADDR", exchangeInfo.local().getAddress().getHostAddress());
        p.put("SERVER_PORT", Integer.toString(exchangeInfo.local().getPort()));
        p.put("REMOTE_ADDR", exchangeInfo.remote().getAddress().getHostAddress());
        p.put("REMOTE_PORT", Integer.toString(exchangeInfo.remote().getPort()));
        p.put("REQUEST_METHOD", request.method());
        p.put("REQUEST_SCHEME", exchangeInfo.secure() ? "https" : "http");
        if (exchangeInfo.secure()) {
            p.put("HTTPS", "on");
        }
        p.put("REQUEST_URI", request.target().originForm());
        p.put("DOCUMENT_URI", decodedPath);
        p.put("SCRIPT_NAME", scriptName);
        p.put("PATH_INFO", pathInfo);
        p.put("QUERY_STRING", query == null ? "" : query);
        if (documentRoot != null) {
            p.put("DOCUMENT_ROOT", documentRoot);
        }
        if (scriptFilename != null) {
            p.put("SCRIPT_FILENAME", scriptFilename);
        }
        String contentType = request.fields().get("content-type");
        p.put("CONTENT_TYPE", contentType == null ? "" : contentType);
        p.put("CONTENT_LENGTH", contentLength >= 0 ? Long.toString(contentLength) : "");
        p.put("REQUEST_ID", exchangeInfo.requestId());
        p.put("WEB_SERVER_NAME", exchangeInfo.instanceName());

        for (HttpFields.Field field : request.fields().asList()) {
            String name = field.name();
            if (name.equals("proxy") || name.equals("content-type") || name.equals("content-length")
                    || name.indexOf('_') >= 0) {
                continue;
            }
            String variable = "HTTP_" + name.toUpperCase(Locale.ROOT).replace('-', '_');
            // repeated fields are joined as a list (RFC 9110 §5.3); cookies with "; " (RFC 6265 §5.4)
            p.merge(variable, field.value(), (a, b) -> a + (name.equals("cookie") ? "; " : ", ") + b);
        }
        // the trace goes on to the app tier as the CGI spelling of the traceparent header (§4.1.18), always: the
        // client's own traceparent (if any) is replaced by this tier's child context, same trace id, new parent id
        p.put("HTTP_TRACEPARENT", exchangeInfo.traceparent());
        return p;
    }

    /**
     * What CGI needs to know about the connection and the server.
     *
     * @param traceparent the W3C traceparent value passed to the app tier as HTTP_TRACEPARENT
     */
    public record ExchangeInfo(InetSocketAddress local, InetSocketAddress remote, boolean secure, String requestId,
                               String serverName, String serverSoftware, String instanceName, String traceparent) {
    }
}
