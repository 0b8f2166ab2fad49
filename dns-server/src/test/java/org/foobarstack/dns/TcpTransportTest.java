package org.foobarstack.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** RFC 7766: framing, several queries per connection, idle timeout. */
class TcpTransportTest {

    @Test
    void severalPipelinedQueriesOnOneConnectionAreAllAnsweredInOrder() throws IOException {
        try (DnsServer server = LabZone.start(LabZone.directory())) {
            Message a = DnsClient.query("www.foobar.com", Type.A);
            Message b = DnsClient.query("nope.foobar.com", Type.A);
            Message c = DnsClient.query("foobar.com", Type.SOA);
            List<Message> replies = DnsClient.tcpExchange(server.tcpAddress(),
                    List.of(a.toWire(), b.toWire(), c.toWire()), 3);

            assertThat(replies).extracting(m -> m.getHeader().getID())
                    .containsExactly(a.getHeader().getID(), b.getHeader().getID(), c.getHeader().getID());
            assertThat(replies).extracting(Message::getRcode)
                    .containsExactly(Rcode.NOERROR, Rcode.NXDOMAIN, Rcode.NOERROR);
        }
    }

    @Test
    void aQuerySplitAcrossWritesIsReassembled() throws IOException {
        try (DnsServer server = LabZone.start(LabZone.directory());
             Socket socket = new Socket()) {
            socket.connect(server.tcpAddress(), DnsClient.TIMEOUT_MILLIS);
            socket.setSoTimeout(DnsClient.TIMEOUT_MILLIS);
            socket.setTcpNoDelay(true);
            byte[] query = DnsClient.query("www.foobar.com", Type.A).toWire();
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.write(query.length >> 8);
            out.flush();
            out.write(query.length & 0xFF);
            out.write(query, 0, 5);
            out.flush();
            out.write(query, 5, query.length - 5);
            out.flush();

            Message reply = DnsClient.readFramed(new DataInputStream(socket.getInputStream()));
            assertThat(reply.getSection(Section.ANSWER)).hasSize(1);
        }
    }

    @Test
    void idleConnectionIsClosedByTheServer() throws IOException {
        DnsServerConfig config = DnsServerConfig.builder().port(0).zonesDirectory(LabZone.directory())
                .tcpIdleTimeout(Duration.ofMillis(300)).build();
        try (DnsServer server = new DnsServer(config);
             Socket socket = new Socket()) {
            server.start();
            socket.connect(server.tcpAddress(), DnsClient.TIMEOUT_MILLIS);
            socket.setSoTimeout(DnsClient.TIMEOUT_MILLIS);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            byte[] query = DnsClient.query("www.foobar.com", Type.A).toWire();
            out.writeShort(query.length);
            out.write(query);
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            assertThat(DnsClient.readFramed(in).getRcode()).isEqualTo(Rcode.NOERROR);

            // Then silence: the server closes, the blocking read sees end of stream well before
            // the 5 s socket timeout would fire.
            long started = System.nanoTime();
            assertThat(in.read()).isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(4000));
        }
    }
}
