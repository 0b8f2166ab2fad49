package org.foobarstack.launcher;

import java.net.BindException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A tier that could not start because its port was taken, told the way a learner can act on it: which tier,
 * which address and port, how to see what holds it, and the flag that moves the tier elsewhere.
 *
 * <pre>
 * foobar-stack could not start: the web server cannot listen on 127.0.0.1:8080: the port is already in use.
 *   what holds it:  ss -ltnp 'sport = :8080'   (another foobar-stack? bin/foobar-stack ctl status asks it)
 *   to move it:     run --http-port N   (0 picks a free port)
 * </pre>
 *
 * @param tier    the tier as the stack names it ("web server", "storage", ...)
 * @param address the address the tier tried to listen on, e.g. 127.0.0.1
 * @param port    the port it tried
 * @param udp     whether the port is (also) a UDP one: the DNS server listens on both
 * @param flag    the {@code run} flag that moves the tier, or null when a topology file places it
 */
record PortConflict(String tier, String address, int port, boolean udp, String flag) {

    /** The first IPv4 address and port in a tier's error, e.g. "cannot bind UDP 127.0.0.1:5300 (...)". */
    private static final Pattern ADDRESS_PORT = Pattern.compile("(\\d{1,3}(?:\\.\\d{1,3}){3}):(\\d{1,5})\\b");

    /**
     * The conflict behind a failed start, when it is one: somewhere in the causes a {@link BindException} or a
     * message saying "in use", and an address and port the tier named.
     *
     * @param simpleDesign whether the stack runs the simple design, whose ports {@code run}'s flags set
     */
    static Optional<PortConflict> of(Stack.TierStartException failure, boolean simpleDesign) {
        List<String> messages = new ArrayList<>();
        boolean inUse = false;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            messages.add(message);
            inUse |= t instanceof BindException || message.toLowerCase(Locale.ROOT).contains("in use");
        }
        if (!inUse) {
            return Optional.empty();
        }
        for (String message : messages) {
            Matcher m = ADDRESS_PORT.matcher(message);
            if (m.find()) {
                String tier = failure.tier();
                boolean https = String.join(" ", messages).contains("HTTPS");
                boolean anyDesign = tier.equals(Stack.TOXIPROXY_TIER); // its flag moves it in every design
                return Optional.of(new PortConflict(tier, m.group(1), Integer.parseInt(m.group(2)),
                        tier.startsWith("DNS server"), simpleDesign || anyDesign ? flagFor(tier, https) : null));
            }
        }
        return Optional.empty();
    }

    /** The {@code run} flag that sets a tier's port in the simple design. */
    private static String flagFor(String tier, boolean https) {
        return switch (tier) {
            case "DNS server" -> "--dns-port";
            case "web server" -> https ? "--https-port" : "--http-port";
            case "web server (HTTPS)" -> "--https-port";
            case "app server" -> "--app-port";
            case "storage" -> "--db-port";
            case "admin" -> "--admin-port";
            case Stack.TOXIPROXY_TIER -> "--toxiproxy-port";
            default -> null;
        };
    }

    /** The lines to print, the first one the error itself. */
    List<String> lines() {
        String sockets = udp ? "ss -ltunp" : "ss -ltnp";
        List<String> lines = new ArrayList<>();
        lines.add("foobar-stack could not start: the " + tier + " cannot listen on " + address + ":" + port
                + ": the port is already in use.");
        lines.add("  what holds it:  " + sockets + " 'sport = :" + port + "'   (another foobar-stack? "
                + "bin/foobar-stack ctl status asks it; Ctrl+C where it runs stops it)");
        lines.add(flag == null
                ? "  to move it:     change the " + tier + "'s port in the topology file"
                : "  to move it:     run " + flag + " N   (0 picks a free port)");
        return lines;
    }
}
