package org.foobarstack.launcher;

import org.foobarstack.dns.DnsServerConfig;
import org.foobarstack.http.tls.TlsContexts;

/**
 * Loads the two native libraries the tiers use while the command line is still being read: BoringSSL (the web
 * servers' and balancers' TLS engine, netty-tcnative) and Linux's epoll transport (the name server's). Each is
 * a shared library packed inside a jar, which Netty copies out to a temporary file and links on first use: about
 * 300 ms for BoringSSL on the machine of {@code bench/startup}, on the main thread, in the middle of the web
 * server's start. Here it happens on a thread of its own, beside picocli and the topology; the tier that needs a
 * library later finds it loaded, or waits for the load under way (class initialisation runs once, and
 * every other thread that needs the class waits for it). Whether each library loaded is decided exactly as
 * without this: a library that does not load leaves its tier on the pure-Java path, as it would anyway.
 */
final class NativeLibraries {

    private NativeLibraries() {
    }

    static void loadInBackground() {
        Thread loader = new Thread(() -> {
            TlsContexts.preferredEngine();
            boolean unused = DnsServerConfig.NATIVE_BY_DEFAULT; // its initialisation loads epoll
        }, "native-libraries");
        loader.setDaemon(true);
        loader.start();
    }
}
