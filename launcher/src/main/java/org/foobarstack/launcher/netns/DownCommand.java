package org.foobarstack.launcher.netns;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code down}: removes whatever {@code up --netns} made, found by name: every network namespace named
 * {@code fbs-*}, any {@code fbs-*} interface left in this namespace, and the bridge {@code fbs0}. It needs no record
 * of a run, so it also cleans up after an {@code up} that was killed with SIGKILL or crashed.
 *
 * <p>Lifecycle: 1. the namespaces, links and bridge are listed ({@link Leftovers}); 2. a process still running
 * in a namespace (a host whose supervisor died without stopping it) gets SIGTERM, and SIGKILL if it has not exited
 * after {@value #GRACE_SECONDS} s: a namespace lives on, with its interfaces, as long as a process is in it, even once
 * its name is deleted (ip-netns(8)); 3. each namespace is deleted, which frees its end of its veth pair and with it
 * the other end; 4. any {@code fbs-*} interface still here is deleted, then the bridge. Exits 0, also when there
 * was nothing to remove.
 */
@Command(name = "down", mixinStandardHelpOptions = true,
        description = {"Remove every network namespace named fbs-*, the bridge fbs0 and any leftover fbs-* veth, "
                + "as up --netns made them; also after a crash (they are found by name). Needs root.",
                "Example: sudo bin/foobar-stack down"})
public final class DownCommand implements Callable<Integer> {

    static final int GRACE_SECONDS = 15;
    /** Deleting a namespace frees its interfaces in the kernel's own time (a work queue): this long at most. */
    private static final long FREED_WITHIN_MILLIS = 3_000;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        Optional<String> refusal = UpCommand.refusal(false);
        if (refusal.isPresent()) {
            err.println("foobar-stack down: " + refusal.get());
            err.flush();
            return 1;
        }
        PrintStream out = System.out;
        IpRunner ip = IpRunner.echoingTo(out);
        Leftovers found = Leftovers.find(ip);
        if (found.none()) {
            out.println("Nothing to remove: no namespace named fbs-*, no bridge fbs0, no fbs-* interface.");
            return 0;
        }
        out.println("Found " + found.describe() + ".");
        List<String> removed = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (String namespace : found.namespaces()) {
            stopProcessesIn(namespace, ip, out);
            remove(new NetObject(NetObject.Kind.NAMESPACE, namespace), ip, removed, failed);
        }
        long deadline = System.currentTimeMillis() + FREED_WITHIN_MILLIS;
        Leftovers links = Leftovers.find(ip);
        while (links.links().stream().anyMatch(name -> !name.equals(NetnsPlan.BRIDGE))
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
            links = Leftovers.find(ip);
        }
        for (String link : links.links()) {
            // deleting one end of a veth pair deletes the other: a peer named fbs-* too may be gone by now
            if (!link.equals(NetnsPlan.BRIDGE) && Leftovers.find(ip).links().contains(link)) {
                remove(new NetObject(NetObject.Kind.VETH, link), ip, removed, failed);
            }
        }
        if (links.links().contains(NetnsPlan.BRIDGE)) {
            remove(new NetObject(NetObject.Kind.BRIDGE, NetnsPlan.BRIDGE), ip, removed, failed);
        }
        out.println("Removed " + (removed.isEmpty() ? "nothing" : String.join(", ", removed)) + ".");
        if (!failed.isEmpty()) {
            failed.forEach(line -> err.println("foobar-stack down: " + line));
            err.flush();
            return 1;
        }
        return 0;
    }

    private static void remove(NetObject object, IpRunner ip, List<String> removed, List<String> failed) {
        try {
            ip.run(object.removal());
            removed.add(object.toString());
        } catch (IpRunner.CommandFailed e) {
            failed.add(e.getMessage());
        }
    }

    /** SIGTERM to every process in the namespace ({@code ip netns pids}), then SIGKILL to those still there. */
    static void stopProcessesIn(String namespace, IpRunner ip, PrintStream out) throws InterruptedException {
        List<ProcessHandle> inside = new ArrayList<>();
        for (String pid : ip.query(List.of("ip", "netns", "pids", namespace)).split("\\s+")) {
            if (!pid.isBlank()) {
                ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(inside::add);
            }
        }
        if (inside.isEmpty()) {
            return;
        }
        out.println("  " + namespace + " still has processes: " + String.join(", ", inside.stream()
                .map(p -> p.pid() + " (" + p.info().command().map(c -> c.replaceAll(".*/", "")).orElse("?") + ")")
                .toList()) + "; SIGTERM");
        inside.forEach(ProcessHandle::destroy);
        for (ProcessHandle process : inside) {
            try {
                process.onExit().get(GRACE_SECONDS, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                out.println("  " + process.pid() + " did not exit within " + GRACE_SECONDS + " s: SIGKILL");
                process.destroyForcibly();
                process.onExit().join();
            }
        }
    }
}
