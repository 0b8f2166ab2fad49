package org.foobarstack.launcher;

import java.net.InetSocketAddress;
import java.nio.file.Path;

/** The text shown once the stack is up: where each tier listens, and commands to try against it. */
final class Banner {

    private Banner() {
    }

    static String of(Stack stack) {
        InetSocketAddress dns = stack.dns().udpAddress();
        InetSocketAddress http = stack.web().httpAddress();
        InetSocketAddress https = stack.web().httpsAddress();
        InetSocketAddress app = stack.app().address();
        InetSocketAddress db = stack.storage().address();
        String dnsHost = dns.getAddress().getHostAddress();
        String httpBase = "http://" + hostPort(http);

        StringBuilder b = new StringBuilder();
        b.append("foobar-stack is up. A request for www.foobar.com walks through:\n\n");
        b.append(line("DNS server", hostPort(dns) + "  (UDP and TCP, authoritative for foobar.com"
                + (stack.config().wwwAsCname() ? ", www is a CNAME)" : ", www is an A record)")));
        b.append(line("web server", httpBase + "/" + (https == null ? "" : "   https://" + hostPort(https) + "/")));
        b.append(line("app server", hostPort(app) + "  (FastCGI responder)"));
        b.append(line("database", hostPort(db) + "  (Derby Network Server, " + stack.storage().jdbcUrl() + ")"));
        b.append(line("admin", "http://" + hostPort(stack.admin().address())
                + "/  (dashboard; /metrics, /health, /api/traces)"));
        b.append(line("data", stack.config().dataDir().toString()));
        b.append("\nTry:\n");
        b.append("  dig @").append(dnsHost).append(" -p ").append(dns.getPort()).append(" www.foobar.com A\n");
        b.append("  curl -s ").append(httpBase).append("/\n");
        b.append("  curl -s -X POST -H 'Content-Type: application/json' -d '{\"author\":\"ada\",\"body\":\"hi\"}' ")
                .append(httpBase).append("/api/messages\n");
        b.append("  curl -s ").append(httpBase).append("/api/messages\n");
        if (https != null) {
            Path ca = stack.web().caCertificate();
            b.append("  curl --cacert ").append(ca).append(" --resolve www.foobar.com:").append(https.getPort())
                    .append(':').append(https.getAddress().getHostAddress())
                    .append(" https://www.foobar.com:").append(https.getPort()).append("/\n");
        }
        b.append("  java -jar launcher/target/foobar-stack.jar walk --dns ").append(hostPort(dns))
                .append(" --trace-api http://").append(hostPort(stack.admin().address()))
                .append(" http://www.foobar.com:").append(http.getPort()).append("/api/messages\n");
        b.append("  chromium --host-resolver-rules=\"MAP www.foobar.com ").append(hostPort(http))
                .append("\" http://www.foobar.com/\n");
        b.append("\nPress Ctrl+C to stop.\n");
        return b.toString();
    }

    private static String line(String tier, String where) {
        return String.format("  %-11s %s%n", tier, where);
    }

    private static String hostPort(InetSocketAddress address) {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }
}
