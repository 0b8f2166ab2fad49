package org.foobarstack.vrrp;

import org.junit.jupiter.api.Test;

import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The life of one instance: start, stop, and what it says when it cannot start. */
class VrrpInstanceTest {

    private final TestNet net = new TestNet();

    private VrrpConfig config() {
        return VrrpConfig.builder("VI_1").virtualRouterId(51).priority(100).advertInterval(Duration.ofMillis(100))
                .local(net.udpEndpoint(net.lb1())).peer(net.udpEndpoint(net.lb2()))
                .virtualAddress(net.virtualAddress()).build();
    }

    @Test
    void aStartedInstanceIsABackupListeningOnItsAddressAndClosesBackToInitialize() {
        VrrpConfig config = config();
        VrrpInstance instance = new VrrpInstance(config);
        assertThat(instance.state()).isEqualTo(State.INITIALIZE);

        instance.start();
        assertThat(instance.state()).isEqualTo(State.BACKUP);
        assertThat(instance.localAddress()).isEqualTo(config.local());

        instance.close();
        instance.close();   // a second close does nothing
        assertThat(instance.state()).isEqualTo(State.INITIALIZE);
        assertThat(instance.counters().transitions()).isEqualTo(2);
    }

    @Test
    void anInstanceRunsOnce() {
        try (VrrpInstance instance = new VrrpInstance(config())) {
            instance.start();
            assertThatThrownBy(instance::start).isInstanceOf(IllegalStateException.class)
                    .hasMessage("VRRP_Instance(VI_1) was started before");
        }
    }

    @Test
    void anAddressAlreadyTakenIsReportedWithTheAddress() throws Exception {
        VrrpConfig config = config();
        try (DatagramSocket squatter = new DatagramSocket(config.local());
             VrrpInstance instance = new VrrpInstance(config)) {
            assertThatThrownBy(instance::start).isInstanceOf(UncheckedIOException.class)
                    .hasMessageStartingWith("VRRP_Instance(VI_1) cannot listen on " + config.local());
            assertThat(instance.state()).isEqualTo(State.INITIALIZE);
            assertThat(squatter.isBound()).isTrue();
        }
    }

    @Test
    void closingAnInstanceNeverStartedDoesNothingAndItCannotStartAfterwards() {
        VrrpInstance instance = new VrrpInstance(config());
        instance.close();
        instance.kill();
        assertThat(instance.state()).isEqualTo(State.INITIALIZE);
        assertThatThrownBy(instance::start).isInstanceOf(IllegalStateException.class)
                .hasMessage("VRRP_Instance(VI_1) was closed");
    }
}
