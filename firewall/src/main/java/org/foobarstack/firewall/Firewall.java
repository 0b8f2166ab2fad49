package org.foobarstack.firewall;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * A host's firewall: rules tried in order, the first that matches decides, and the default policy decides what
 * no rule matches. This is how an nftables chain ({@code type filter hook input}) or iptables' {@code INPUT} chain
 * walks its rules, with the chain's {@code policy} as the default.
 *
 * <p>It is asked once per connection (when the host accepts it) and once per datagram, from many event loop
 * threads at once. The rules never change after construction, so reading them needs no lock; the counters are
 * {@link LongAdder}s, which many threads can increment without contending for one memory word.
 *
 * <p>Every block is counted, handed to the {@link #onBlock listeners} and logged at WARN, but the log is rate
 * limited: at most one line per rule and source address every {@link #LOG_WINDOW_MILLIS} ms, the next line saying
 * how many were left out. A client retrying against a closed port would otherwise fill the log, which is why
 * iptables' {@code LOG} target is usually paired with {@code -m limit --limit 6/min}, and nftables' {@code log}
 * with {@code limit rate}.
 */
public final class Firewall {

    private static final Logger LOG = LoggerFactory.getLogger(Firewall.class);

    /** The rate limit of the log: one warning per rule and source address per 10 seconds. */
    public static final long LOG_WINDOW_MILLIS = 10_000;
    /** Past this many (rule, source) windows, the ones that have ended are forgotten, so a scan cannot grow it. */
    private static final int MAX_LOG_WINDOWS = 4096;

    private final String host;
    private final List<Rule> rules;
    private final Action defaultAction;
    private final Map<Integer, Integer> indexByNumber = new HashMap<>();
    /** matches[i] counts rule i; the default policy's count is kept apart. */
    private final LongAdder[] matches;
    private final LongAdder defaultMatches = new LongAdder();
    private final LongAdder warningsLogged = new LongAdder();
    private final List<Consumer<Block>> listeners = new CopyOnWriteArrayList<>();
    private final Map<LogKey, LogWindow> logWindows = new ConcurrentHashMap<>();
    private final LongSupplier clockMillis;
    private final Consumer<String> warn;

    /**
     * @param host          the host's name, for log lines ("server-1")
     * @param rules         tried in this order; their numbers must differ
     * @param defaultAction what happens to what no rule matches: the chain's policy
     */
    public Firewall(String host, List<Rule> rules, Action defaultAction) {
        this(host, rules, defaultAction, System::currentTimeMillis, LOG::warn);
    }

    /** For tests: a clock to move, and a place to write the warnings to. */
    Firewall(String host, List<Rule> rules, Action defaultAction, LongSupplier clockMillis, Consumer<String> warn) {
        this.host = Objects.requireNonNull(host, "host");
        this.rules = List.copyOf(rules);
        this.defaultAction = Objects.requireNonNull(defaultAction, "defaultAction");
        this.clockMillis = clockMillis;
        this.warn = warn;
        this.matches = new LongAdder[this.rules.size()];
        for (int i = 0; i < this.rules.size(); i++) {
            Integer previous = indexByNumber.put(this.rules.get(i).number(), i);
            if (previous != null) {
                throw new IllegalArgumentException(host + ": two rules are numbered " + this.rules.get(i).number());
            }
            matches[i] = new LongAdder();
        }
    }

    /** A host without a firewall: no rules, everything accepted. */
    public static Firewall open(String host) {
        return new Firewall(host, List.of(), Action.ACCEPT);
    }

    public String host() {
        return host;
    }

    public List<Rule> rules() {
        return rules;
    }

    public Action defaultAction() {
        return defaultAction;
    }

    /** Whether this firewall lets everything through: no rules and an accepting default. */
    public boolean isOpen() {
        return rules.isEmpty() && defaultAction == Action.ACCEPT;
    }

    /**
     * Decides one connection (TCP, when it is accepted) or one datagram (UDP): the first rule that matches, or
     * the default policy. A block is counted, logged (rate limited) and handed to the listeners.
     *
     * @param from the sender's address and port
     * @param to   this host's address and port the packet was sent to; the rules look at its port
     */
    public Verdict check(Protocol protocol, InetSocketAddress from, InetSocketAddress to) {
        Verdict verdict = null;
        for (int i = 0; i < rules.size(); i++) {
            Rule rule = rules.get(i);
            if (rule.matches(protocol, from, to.getPort())) {
                matches[i].increment();
                verdict = new Verdict(rule.action(), rule);
                break;
            }
        }
        if (verdict == null) {
            defaultMatches.increment();
            verdict = new Verdict(defaultAction, null);
        }
        if (!verdict.accepted()) {
            blocked(new Block(host, verdict, protocol, from, to, clockMillis.getAsLong()));
        }
        return verdict;
    }

    /** Calls {@code listener} with every block from now on, on the thread that checked the packet. */
    public void onBlock(Consumer<Block> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** How many connections and datagrams the rule numbered {@code ruleNumber} stopped (0 for an accept rule). */
    public long blocked(int ruleNumber) {
        Integer i = indexByNumber.get(ruleNumber);
        if (i == null) {
            throw new IllegalArgumentException(host + " has no rule " + ruleNumber);
        }
        return rules.get(i).action() == Action.ACCEPT ? 0 : matches[i].sum();
    }

    /** How many the default policy stopped (0 if it accepts). */
    public long blockedByDefault() {
        return defaultAction == Action.ACCEPT ? 0 : defaultMatches.sum();
    }

    /** Every rule's count, in order, then the default policy's: what {@code nft list chain} shows. */
    public List<RuleCount> counts() {
        List<RuleCount> counts = new ArrayList<>(rules.size() + 1);
        for (int i = 0; i < rules.size(); i++) {
            counts.add(new RuleCount(rules.get(i), rules.get(i).action(), matches[i].sum()));
        }
        counts.add(new RuleCount(null, defaultAction, defaultMatches.sum()));
        return counts;
    }

    /** How many warnings were written to the log: fewer than the blocks, because of the rate limit. */
    public long warningsLogged() {
        return warningsLogged.sum();
    }

    @Override
    public String toString() {
        return host + " firewall (" + rules.size() + " rules, default " + defaultAction.word() + ")";
    }

    private void blocked(Block block) {
        for (Consumer<Block> listener : listeners) {
            try {
                listener.accept(block);
            } catch (RuntimeException e) {
                LOG.warn("a firewall listener failed on {}", block.describe(), e); // the verdict stands all the same
            }
        }
        logRateLimited(block);
    }

    /** Which log line a block belongs to: the rule that decided (0: the default policy) and the sender. */
    private record LogKey(int rule, InetAddress source) {
    }

    /** A window of {@link #LOG_WINDOW_MILLIS} that opened with a logged line, and the blocks left out since. */
    private record LogWindow(long openedAt, long suppressed) {
    }

    private void logRateLimited(Block block) {
        long now = block.atMillis();
        LogKey key = new LogKey(block.verdict().rule() == null ? 0 : block.verdict().rule().number(),
                block.from().getAddress());
        long[] leftOutBefore = {-1}; // set when this block opens a new window, and so is logged
        logWindows.compute(key, (k, window) -> {
            if (window == null || now - window.openedAt() >= LOG_WINDOW_MILLIS) {
                leftOutBefore[0] = window == null ? 0 : window.suppressed();
                return new LogWindow(now, 0);
            }
            return new LogWindow(window.openedAt(), window.suppressed() + 1);
        });
        if (leftOutBefore[0] < 0) {
            return;
        }
        String line = block.describe();
        if (leftOutBefore[0] > 0) {
            line += " (" + leftOutBefore[0] + " more by " + block.verdict().decidedBy() + " from "
                    + key.source().getHostAddress() + " were not logged since the last warning)";
        }
        warningsLogged.increment();
        warn.accept(line);
        if (logWindows.size() > MAX_LOG_WINDOWS) {
            logWindows.values().removeIf(w -> now - w.openedAt() >= LOG_WINDOW_MILLIS);
        }
    }
}
