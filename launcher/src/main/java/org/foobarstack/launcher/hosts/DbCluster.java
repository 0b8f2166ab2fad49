package org.foobarstack.launcher.hosts;

import org.foobarstack.topology.Topology;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The databases of a topology that replicate: one primary and its replicas, and which host is the primary now. The
 * topology file says who is the primary at first; a promotion changes it, and the stack writes the new primary's
 * host into {@code <design dir>/db-primary}, so that a stack started again later still knows. That file is the
 * stack's memory of the failover; the databases keep their own (their stored role), and a former primary that
 * comes back is fenced by its own database even if this file were lost.
 *
 * <p>What it decides:
 * <ul>
 *   <li>the role each db tier starts in: the current primary as PRIMARY, every other member as a REPLICA of it
 *       (a former primary then finds itself fenced: see the storage module's {@code StartingRole});</li>
 *   <li>what DNS says: {@code db.<domain>} is a CNAME of the primary's host, {@code replicas.db.<domain>} has an A
 *       record for each member that is a replica now.</li>
 * </ul>
 */
public final class DbCluster {

    /** The file that remembers a promotion, in the design's data directory. */
    public static final String PRIMARY_FILE = "db-primary";

    private final List<String> members;
    private final Path stateFile;
    private final Set<String> fenced = new LinkedHashSet<>();
    private String primary;

    private DbCluster(List<String> members, String primary, Path stateFile) {
        this.members = List.copyOf(members);
        this.primary = primary;
        this.stateFile = stateFile;
    }

    /** The topology's replicated databases, if it has any; the current primary read back from {@code designDir}. */
    public static Optional<DbCluster> of(Topology topology, Path designDir) {
        for (var host : topology.hosts()) {
            List<String> replicas = topology.replicasOf(host.name());
            if (!replicas.isEmpty()) {
                List<String> members = new ArrayList<>();
                members.add(host.name());
                members.addAll(replicas);
                Path file = designDir.resolve(PRIMARY_FILE);
                String primary = host.name();
                if (Files.isRegularFile(file)) {
                    try {
                        String stored = Files.readString(file).strip();
                        if (members.contains(stored)) {
                            primary = stored;
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot read " + file, e);
                    }
                }
                return Optional.of(new DbCluster(members, primary, file));
            }
        }
        return Optional.empty();
    }

    /** Every host of the cluster: the topology's primary first, then its replicas. */
    public List<String> members() {
        return members;
    }

    public boolean contains(String host) {
        return members.contains(host);
    }

    /** The host whose database is the primary now. */
    public synchronized String primary() {
        return primary;
    }

    /** The hosts whose databases should follow the primary now: every member but the primary and the fenced. */
    public synchronized List<String> replicas() {
        return members.stream().filter(m -> !m.equals(primary) && !fenced.contains(m)).toList();
    }

    /** The hosts known to be fenced (a former primary since a promotion, until re-attached). */
    public synchronized Set<String> fenced() {
        return Set.copyOf(fenced);
    }

    /** {@code host} is the primary from now on; the one before is fenced. Written to disk at once. */
    public synchronized void promoted(String host) {
        if (!members.contains(host)) {
            throw new IllegalArgumentException(host + " is not in the cluster " + members);
        }
        if (!host.equals(primary)) {
            fenced.add(primary);
        }
        fenced.remove(host);
        primary = host;
        try {
            Files.createDirectories(stateFile.getParent());
            Files.writeString(stateFile, host + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + stateFile, e);
        }
    }

    /** A fenced host was re-attached from a fresh copy: a replica again. */
    public synchronized void reattached(String host) {
        fenced.remove(host);
    }

    /** A database that started fenced (a former primary that was down during the promotion). */
    public synchronized void fencedAtStart(String host) {
        if (!host.equals(primary)) {
            fenced.add(host);
        }
    }
}
