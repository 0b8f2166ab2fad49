package org.foobarstack.admin;

import java.util.List;
import java.util.function.Supplier;

/**
 * What the admin server asks of the stack it serves: the topology's state, and the host actions of
 * {@code foobar-stack ctl}. The launcher implements it; the admin module knows nothing of how hosts run.
 */
public interface StackControl {

    /** The topology, every host and tier probed now. */
    TopologyStatus topology();

    /**
     * Carries out an action on a host and says what happened in a sentence.
     *
     * @throws ControlException with the HTTP status to answer: 404 for an unknown host, 409 for an action that
     *                          does not apply now (starting a running host)
     */
    String act(String host, HostAction action);

    /**
     * Starts deploying version {@code version} of the application with {@code strategy} ("all-at-once", "rolling",
     * "blue-green"), in the background; its progress is read with {@link #operation()}.
     *
     * @throws ControlException 400 for an unknown version or strategy, 409 while another operation runs
     */
    default Operation deploy(String version, String strategy) {
        throw new ControlException(409, "this admin server controls no hosts");
    }

    /**
     * Starts bringing the servers of {@code role} to {@code count}, in the background: new hosts start, pass their
     * health check and join the balancer; removed ones drain first.
     *
     * @throws ControlException 400 for a role that cannot scale or a bad count, 409 while another operation runs
     */
    default Operation scale(String role, int count) {
        throw new ControlException(409, "this admin server controls no hosts");
    }

    /**
     * The monitoring server's HTTP address, when the design has a monitor tier and it runs: the dashboard's
     * monitoring panel reads its {@code /api/summary}, {@code /api/hosts} and {@code /api/alerts} through the admin
     * server. Empty otherwise.
     */
    default java.util.Optional<java.net.InetSocketAddress> monitoringServer() {
        return java.util.Optional.empty();
    }

    /** What the link routes answer a stack whose tiers connect to each other direct. */
    String LINKS_DIRECT = "this stack connects its tiers direct, without a proxy on each link, so it takes no "
            + "toxics: start it with `foobar-stack run --toxics`";

    /**
     * Every link between two tiers that runs through a proxy, with its toxics, in the order first used.
     *
     * @throws ControlException 404 when the stack runs its links direct (started without {@code --toxics})
     */
    default List<LinkStatus> links() {
        throw new ControlException(404, LINKS_DIRECT);
    }

    /**
     * Adds a toxic to the link from {@code from} to {@code to}; it acts on the link's open connections at once.
     *
     * @return the link, with its toxics now
     * @throws ControlException 404 for a link that does not exist (the message names those that do), 409 for a
     *                          name the link has a toxic of already
     */
    default LinkStatus addToxic(String from, String to, org.foobarstack.toxics.Toxic toxic) {
        throw new ControlException(404, LINKS_DIRECT);
    }

    /**
     * Removes the toxic named {@code name} from the link from {@code from} to {@code to}.
     *
     * @return the link, with the toxics left
     * @throws ControlException 404 for an unknown link or toxic
     */
    default LinkStatus removeToxic(String from, String to, String name) {
        throw new ControlException(404, LINKS_DIRECT);
    }

    /** The operation running now, or the last one; empty when there was none. */
    default java.util.Optional<Operation.Snapshot> operation() {
        return java.util.Optional.empty();
    }

    /** A stack that only reports a fixed list of tiers and refuses every action: for admin servers in tests. */
    static StackControl readOnly(Supplier<List<TierStatus>> tiers) {
        return new StackControl() {
            @Override
            public TopologyStatus topology() {
                return TopologyStatus.ofTiers(tiers.get());
            }

            @Override
            public String act(String host, HostAction action) {
                throw new ControlException(409, "this admin server controls no hosts");
            }
        };
    }

    /** An action that could not be carried out, with the status the admin server answers. */
    final class ControlException extends RuntimeException {
        private final int status;

        public ControlException(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }
}
