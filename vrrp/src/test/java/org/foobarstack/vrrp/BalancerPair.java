package org.foobarstack.vrrp;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The scaled design's two balancers, each a VRRP instance on a loopback address of its own, sharing a virtual
 * address: lb-1 (priority 150) and lb-2 (priority 100), advertising every 100 ms. Whichever is MASTER listens on
 * the virtual address, so {@link #whoAnswers()} tells, as a client would see it, who holds the address.
 */
final class BalancerPair implements AutoCloseable {

    static final Duration INTERVAL = Duration.ofMillis(100);
    /** Long enough for anything a test waits for, even on a slow machine. */
    static final Duration PATIENCE = Duration.ofSeconds(10);

    final TestNet net = new TestNet();
    final TransitionLog log = new TransitionLog();
    final InetSocketAddress lb1Endpoint = net.udpEndpoint(net.lb1());
    final InetSocketAddress lb2Endpoint = net.udpEndpoint(net.lb2());
    /** The service on the virtual address: where clients connect. */
    final InetSocketAddress service = new InetSocketAddress(net.virtualAddress(), net.freeTcpPort(net.virtualAddress()));
    private final List<VrrpInstance> started = new ArrayList<>();

    VrrpConfig.Builder lb1Config() {
        return VrrpConfig.builder("VI_1").virtualRouterId(51).priority(150).advertInterval(INTERVAL)
                .local(lb1Endpoint).peer(lb2Endpoint).virtualAddress(net.virtualAddress());
    }

    VrrpConfig.Builder lb2Config() {
        return VrrpConfig.builder("VI_1").virtualRouterId(51).priority(100).advertInterval(INTERVAL)
                .local(lb2Endpoint).peer(lb1Endpoint).virtualAddress(net.virtualAddress());
    }

    /** Starts lb-1 with a listener on the virtual address as its hooks. */
    VrrpInstance startLb1(VrrpConfig config) {
        return start("lb-1", config);
    }

    VrrpInstance startLb2(VrrpConfig config) {
        return start("lb-2", config);
    }

    /** Starts {@code host} with a listener that answers with its name while it holds the address. */
    VrrpInstance start(String host, VrrpConfig config) {
        VirtualAddressListener listener = new VirtualAddressListener(host, service.getPort());
        return start(host, new VrrpInstance(config, listener::acquire, listener::release));
    }

    /** Starts {@code instance}, logging its changes as {@code host}'s. */
    VrrpInstance start(String host, VrrpInstance instance) {
        log.listenTo(host, instance);
        started.add(instance);
        instance.start();
        return instance;
    }

    /** Who answers a client on the virtual address: "lb-1", "lb-2" or "nobody". */
    String whoAnswers() {
        return VirtualAddressListener.whoAnswers(service);
    }

    /** Waits until {@code host} answers on the virtual address. */
    void awaitAnswerFrom(String host) {
        Eventually.until(PATIENCE, host + " answers on " + service, () -> whoAnswers().equals(host),
                () -> "answered by " + whoAnswers());
    }

    /** Waits until {@code instance} has received {@code count} more datagrams than it had. */
    static void awaitAdvertisements(VrrpInstance instance, int count) {
        long target = instance.counters().advertisementsReceived() + count;
        Eventually.until(PATIENCE, count + " more advertisements", () ->
                instance.counters().advertisementsReceived() >= target, () -> instance.counters().toString());
    }

    @Override
    public void close() {
        started.forEach(VrrpInstance::close);
    }
}
