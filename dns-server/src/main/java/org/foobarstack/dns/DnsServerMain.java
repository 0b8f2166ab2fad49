package org.foobarstack.dns;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Runs the DNS tier alone: {@code java org.foobarstack.dns.DnsServerMain [--bind ADDR] [--port N]
 * [--zones DIR] [--www-cname] [--web-address ADDR] [--threads N] [--native] [--rrl N [--rrl-slip N]
 * [--rrl-window S]] [--print-zone ORIGIN]}.
 * {@code --help} lists the options; the defaults are {@link DnsServerConfig}'s. Stops on SIGINT/SIGTERM.
 */
@Command(name = "DnsServerMain", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs the DNS tier alone: authoritative DNS for foobar.com over UDP and TCP.",
                "Once listening it prints 'dns-server listening on udp ... and tcp ...'; SIGINT or SIGTERM stop it."})
public final class DnsServerMain implements Callable<Integer> {

    @Option(names = "--bind", paramLabel = "ADDR", defaultValue = "127.0.0.1",
            description = "Address to listen on, UDP and TCP (default: ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--port", paramLabel = "N", defaultValue = "" + DnsServerConfig.DEFAULT_PORT,
            description = "Port for UDP and TCP, 0 for any free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--zones", paramLabel = "DIR",
            description = "Directory of <origin>.zone files (default: the zone shipped in the jar).")
    Path zones;

    @Option(names = "--www-cname", description = "Shipped zone only: www as a CNAME to the apex instead of an A record.")
    boolean wwwCname;

    @Option(names = "--web-address", paramLabel = "ADDR", defaultValue = "127.0.0.1",
            description = "IPv4 address written for $${web.address} (apex and www) (default: ${DEFAULT-VALUE}).")
    String webAddress;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "1",
            description = "Event loop threads; more than one adds UDP sockets (SO_REUSEPORT) (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--native", description = "Linux's epoll transport (the default where it loads); a warning "
            + "and NIO where it does not.")
    boolean nativeTransport;

    @Option(names = "--nio", description = "Java NIO instead of the epoll transport: one system call per datagram.")
    boolean nio;

    @Option(names = "--rrl", paramLabel = "N", defaultValue = "0",
            description = "Response Rate Limiting over UDP: at most N identical replies a second to one client "
                    + "network (/24, /56); 0 is off (default: ${DEFAULT-VALUE}).")
    int rrl;

    @Option(names = "--rrl-slip", paramLabel = "N", defaultValue = "" + ResponseRateLimit.DEFAULT_SLIP,
            description = "With --rrl: every N-th limited reply is sent truncated (TC) instead of dropped; 0 drops "
                    + "them all (default: ${DEFAULT-VALUE}).")
    int rrlSlip;

    @Option(names = "--rrl-window", paramLabel = "S", defaultValue = "" + ResponseRateLimit.DEFAULT_WINDOW,
            description = "With --rrl: seconds over which a flooding client's excess is remembered "
                    + "(default: ${DEFAULT-VALUE}).")
    int rrlWindow;

    @Option(names = "--print-zone", paramLabel = "ORIGIN",
            description = "Print the zone as it would be served, placeholders filled in, and exit.")
    String printZone;

    @Spec
    CommandLine.Model.CommandSpec spec;

    private DnsServerMain() {
    }

    public static void main(String[] args) {
        int code = commandLine().execute(args);
        // 0 after a stop by signal: the JVM is already shutting down, and exit() would wait on its own hooks
        if (code != 0) {
            System.exit(code);
        }
    }

    static CommandLine commandLine() {
        return new CommandLine(new DnsServerMain());
    }

    /** The config these options describe. */
    DnsServerConfig config() {
        DnsServerConfig.Builder config = DnsServerConfig.builder()
                .bindAddress(bind)
                .port(port)
                .wwwAsCname(wwwCname)
                .webAddress(webAddress)
                .ioThreads(threads)
                .nativeTransport(!nio && (nativeTransport || DnsServerConfig.NATIVE_BY_DEFAULT))
                .responseRateLimit(ResponseRateLimit.perSecond(rrl).withSlip(rrlSlip).withWindow(rrlWindow));
        if (zones != null) {
            config.zonesDirectory(zones);
        }
        return config.build();
    }

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        DnsServerConfig config;
        try {
            config = config();
        } catch (IllegalArgumentException e) {
            // a value out of range (--rrl-slip 11): a usage error, exit 2 with the usage, like a malformed one
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        DnsServer server = new DnsServer(config);
        if (printZone != null) {
            out.print(server.zoneText(printZone));
            out.flush();
            return 0;
        }
        server.start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "dns-shutdown"));
        out.println("dns-server listening on udp " + server.udpAddress() + " and tcp " + server.tcpAddress()
                + ", zones " + server.zoneSerials());
        out.flush();
        stopped.await();
        return 0;
    }
}
