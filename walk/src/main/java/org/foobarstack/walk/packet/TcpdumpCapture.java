package org.foobarstack.walk.packet;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * tcpdump writing the packets of one interface to a pcap file while a walk runs:
 *
 * <pre>
 * tcpdump -i lo -w FILE -U -s 0 -n -Z root 'udp port 5300 or tcp port 5300 or tcp port 8080'
 * </pre>
 * {@code -U} writes each packet to the file as it is captured, {@code -s 0} keeps whole packets, {@code -Z root}
 * keeps tcpdump from switching to its own user before it opens FILE (a file in a directory only root may
 * write). Capturing needs root (the capability CAP_NET_RAW, to open a packet socket) and tcpdump.
 *
 * <ol>
 *   <li>{@link #start}: run tcpdump and wait until it says "listening on lo": from then on the kernel hands
 *       it every packet that matches the filter.</li>
 *   <li>The walk runs.</li>
 *   <li>{@link #awaitPackets}: wait until the file holds what the caller expects (the last ACK of each
 *       connection's close), or a deadline passes.</li>
 *   <li>{@link #stop}: SIGINT, as Ctrl+C would; tcpdump writes what it has, prints its counts and exits.</li>
 * </ol>
 */
public final class TcpdumpCapture implements AutoCloseable {

    /** Where tcpdump is looked for besides PATH: root's sbin directories are not always on a user's PATH. */
    private static final List<String> PLACES = List.of("/usr/bin", "/usr/sbin", "/bin", "/sbin", "/usr/local/sbin");
    private static final Duration POLL = Duration.ofMillis(10);

    private final Process process;
    private final Path file;
    private final String filter;
    private final List<String> stderr;
    private final CompletableFuture<Void> stderrDone;

    private TcpdumpCapture(Process process, Path file, String filter, List<String> stderr,
                           CompletableFuture<Void> stderrDone) {
        this.process = process;
        this.file = file;
        this.filter = filter;
        this.stderr = stderr;
        this.stderrDone = stderrDone;
    }

    /**
     * Says in one line what is missing to capture packets, or returns the tcpdump to run.
     */
    public static Path requireCapture() throws CaptureUnavailableException {
        if (!isRoot()) {
            throw new CaptureUnavailableException("--packets needs root: capturing packets opens a packet socket"
                    + " (CAP_NET_RAW); run the walk as root, e.g. with sudo");
        }
        Path tcpdump = findTcpdump();
        if (tcpdump == null) {
            throw new CaptureUnavailableException("--packets needs tcpdump, which is not installed: apt-get install"
                    + " tcpdump (Debian, Ubuntu) or dnf install tcpdump");
        }
        return tcpdump;
    }

    /** The effective user id from /proc/self/status ("Uid: real effective saved fs"): 0 is root. */
    static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    String[] ids = line.substring(4).trim().split("\\s+");
                    return ids.length > 1 && ids[1].equals("0");
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    static Path findTcpdump() {
        List<String> directories = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            directories.addAll(List.of(path.split(":")));
        }
        directories.addAll(PLACES);
        for (String directory : directories) {
            if (directory.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(directory, "tcpdump");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /**
     * Starts tcpdump and returns once it is listening.
     *
     * @param tcpdump  the program ({@link #requireCapture()})
     * @param iface    the interface, "lo" for the loopback
     * @param filter   a BPF filter expression (pcap-filter(7))
     * @param file     the pcap file to write
     */
    public static TcpdumpCapture start(Path tcpdump, String iface, String filter, Path file, Duration timeout)
            throws CaptureUnavailableException, IOException {
        List<String> command = List.of(tcpdump.toString(), "-i", iface, "-w", file.toString(), "-U", "-s", "0",
                "-n", "-Z", "root", filter);
        Process process = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        List<String> stderr = java.util.Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Void> listening = new CompletableFuture<>();
        CompletableFuture<Void> stderrDone = CompletableFuture.runAsync(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getErrorStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    stderr.add(line);
                    if (line.contains("listening on")) {
                        listening.complete(null);
                    }
                }
            } catch (IOException e) {
                listening.completeExceptionally(e);
            }
            listening.completeExceptionally(new IOException("tcpdump ended before it was listening"));
        });
        try {
            listening.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            process.destroyForcibly();
            throw new CaptureUnavailableException("tcpdump did not start listening on " + iface + ": "
                    + String.join(" / ", List.copyOf(stderr)));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new CaptureUnavailableException("interrupted while tcpdump was starting");
        }
        return new TcpdumpCapture(process, file, filter, stderr, stderrDone);
    }

    public String filter() {
        return filter;
    }

    public Path file() {
        return file;
    }

    /**
     * Reads the file until {@code enough} holds for what it has captured so far, or {@code timeout} passes;
     * returns whether it held. tcpdump writes each packet as it comes ({@code -U}); the file is read again
     * every 10 ms.
     */
    public boolean awaitPackets(Predicate<PcapFile> enough, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            PcapFile captured = readSoFar();
            if (captured != null && enough.test(captured)) {
                return true;
            }
            if (System.nanoTime() - deadline > 0 || !process.isAlive()) {
                return false;
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    private PcapFile readSoFar() throws IOException {
        try {
            byte[] bytes = Files.readAllBytes(file);
            return bytes.length < PcapFile.FILE_HEADER_LENGTH ? null : PcapFile.read(bytes);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /**
     * Stops tcpdump with SIGINT and returns the file it wrote. Java can only send SIGTERM or SIGKILL to a
     * process, so {@code kill -INT PID} does it.
     */
    public PcapFile stop(Duration timeout) throws IOException, CaptureUnavailableException {
        try {
            if (process.isAlive()) {
                Process kill = new ProcessBuilder("kill", "-INT", Long.toString(process.pid()))
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                kill.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new CaptureUnavailableException("tcpdump did not stop within " + timeout.toMillis() + " ms");
            }
            stderrDone.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CaptureUnavailableException("interrupted while tcpdump was stopping");
        } catch (ExecutionException | TimeoutException e) {
            throw new CaptureUnavailableException("tcpdump's messages did not end: " + e.getMessage());
        }
        PcapFile captured = readSoFar();
        if (captured == null) {
            throw new CaptureUnavailableException("tcpdump wrote no pcap file: " + String.join(" / ", stderr()));
        }
        return captured;
    }

    /** What tcpdump printed: "listening on lo, link-type EN10MB ...", then its packet counts. */
    public List<String> stderr() {
        return List.copyOf(stderr);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
