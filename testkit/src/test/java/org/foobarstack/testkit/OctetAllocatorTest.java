package org.foobarstack.testkit;

import org.foobarstack.topology.ShippedTopologies;
import org.foobarstack.topology.Topology;
import org.foobarstack.topology.TopologyLoader;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Octets are handed out once each, skip addresses another program holds, and come back when given back. */
class OctetAllocatorTest {

    private static final Topology SIMPLE = ShippedTopologies.load("simple");

    @Test
    void theSimpleDesignMovesWholeOntoTheLeasedOctet() {
        OctetAllocator allocator = new OctetAllocator(160, 161, design -> Optional.empty());

        try (OctetAllocator.Lease lease = allocator.lease(SIMPLE)) {
            assertThat(lease.octet()).isEqualTo(160);
            assertThat(lease.topology().hosts()).singleElement()
                    .satisfies(host -> assertThat(host.address().getHostAddress()).isEqualTo("127.0.160.1"));
        }
    }

    @Test
    void threadsLeasingAtOnceNeverGetTheSameOctet() throws Exception {
        OctetAllocator allocator = new OctetAllocator(150, 199, design -> Optional.empty());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Integer>> leases = new ArrayList<>();
        try {
            for (int i = 0; i < 50; i++) {
                leases.add(pool.submit(() -> {
                    go.await();
                    return allocator.lease(SIMPLE).octet();
                }));
            }
            go.countDown();
            Set<Integer> octets = ConcurrentHashMap.newKeySet();
            for (Future<Integer> lease : leases) {
                octets.add(lease.get(10, TimeUnit.SECONDS));
            }
            assertThat(octets).hasSize(50).allSatisfy(octet -> assertThat(octet).isBetween(150, 199));
            assertThatThrownBy(() -> allocator.lease(SIMPLE)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("no free octet in 127.0.150.x to 127.0.199.x");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aGivenBackOctetIsLeasedAgain() {
        OctetAllocator allocator = new OctetAllocator(170, 170, design -> Optional.empty());
        OctetAllocator.Lease first = allocator.lease(SIMPLE);
        assertThatThrownBy(() -> allocator.lease(SIMPLE)).hasMessageContaining("all leased in this JVM");

        first.close();
        first.close(); // once only: the second close gives back nothing

        try (OctetAllocator.Lease again = allocator.lease(SIMPLE)) {
            assertThat(again.octet()).isEqualTo(170);
            assertThat(allocator.leasedCount()).isEqualTo(1);
        }
        assertThat(allocator.leasedCount()).isZero();
    }

    @Test
    void anOctetWhoseAddressAnotherSocketHoldsIsSkipped() throws Exception {
        try (ServerSocket squatter = new ServerSocket()) {
            squatter.bind(new InetSocketAddress(InetAddress.getByName("127.0.241.1"), 0));
            int port = squatter.getLocalPort();
            Topology design = TopologyLoader.load("one-ns.yaml", """
                    name: one-ns
                    hosts:
                      ns1:
                        address: 127.0.0.1
                        tiers: { dns: { port: %d } }
                    """.formatted(port));
            OctetAllocator allocator = new OctetAllocator(241, 242, AddressProbe::firstTaken);

            try (OctetAllocator.Lease lease = allocator.lease(design)) {
                assertThat(lease.octet()).as("127.0.241.1:%d is held", port).isEqualTo(242);
            }
            assertThat(AddressProbe.firstTaken(design.relocated(241))).contains("127.0.241.1:" + port + "/tcp");
        }
    }
}
