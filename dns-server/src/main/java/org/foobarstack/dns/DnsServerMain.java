package org.foobarstack.dns;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the DNS tier alone: {@code java org.foobarstack.dns.DnsServerMain [--bind ADDR] [--port N]
 * [--zones DIR] [--www-cname] [--web-address ADDR] [--threads N] [--native] [--print-zone ORIGIN]}. Stops on SIGINT/SIGTERM.
 */
public final class DnsServerMain {

    private DnsServerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        DnsServerConfig.Builder config = DnsServerConfig.builder();
        String printZone = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--bind" -> config.bindAddress(value(args, ++i));
                case "--port" -> config.port(Integer.parseInt(value(args, ++i)));
                case "--zones" -> config.zonesDirectory(Path.of(value(args, ++i)));
                case "--www-cname" -> config.wwwAsCname(true);
                case "--web-address" -> config.webAddress(value(args, ++i));
                case "--native" -> config.nativeTransport(true);
                case "--threads" -> config.ioThreads(Integer.parseInt(value(args, ++i)));
                case "--print-zone" -> printZone = value(args, ++i);
                default -> {
                    System.err.println("unknown argument " + args[i] + "; usage: [--bind ADDR] [--port N] "
                            + "[--zones DIR] [--www-cname] [--web-address ADDR] [--threads N] [--native] [--print-zone ORIGIN]");
                    System.exit(2);
                }
            }
        }
        DnsServer server = new DnsServer(config.build());
        if (printZone != null) {
            System.out.print(server.zoneText(printZone));
            return;
        }
        server.start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "dns-shutdown"));
        System.out.println("dns-server listening on udp " + server.udpAddress() + " and tcp " + server.tcpAddress()
                + ", zones " + server.zoneSerials());
        stopped.await();
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value");
        }
        return args[i];
    }
}
