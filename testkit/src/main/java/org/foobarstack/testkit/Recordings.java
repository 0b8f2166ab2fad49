package org.foobarstack.testkit;

import org.foobarstack.trace.Direction;
import org.foobarstack.trace.Hop;
import org.foobarstack.trace.Protocol;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * The four queues of a test stack, and which hop goes into which, each in its own tier's terms:
 * <ol>
 *   <li>an HTTP head a web server ({@code web} tier) received: {@link RecordedHttpRequest};</li>
 *   <li>the FastCGI records an app server received, joined per request: {@link RecordedFastCgiRequest};</li>
 *   <li>an SQL statement an app server sent to a database: {@link RecordedSql};</li>
 *   <li>a question a name server received: {@link RecordedDnsQuestion}.</li>
 * </ol>
 * Every other hop (TCP accepts, TLS handshakes, answers, the balancers' and firewalls' hops) stays in the trace
 * hub only. Called by the hop feed's one thread.
 */
final class Recordings implements Consumer<Hop> {

    private final RecordingQueue<RecordedHttpRequest> http;
    private final RecordingQueue<RecordedFastCgiRequest> fastCgi;
    private final RecordingQueue<RecordedSql> sql;
    private final RecordingQueue<RecordedDnsQuestion> dns;
    private final FastCgiAssembler assembler = new FastCgiAssembler();

    Recordings(Duration defaultWait) {
        http = new RecordingQueue<>("HTTP request at a web server", defaultWait);
        fastCgi = new RecordingQueue<>("FastCGI request at an app server", defaultWait);
        sql = new RecordingQueue<>("SQL statement sent to a database", defaultWait);
        dns = new RecordingQueue<>("DNS question at a name server", defaultWait);
    }

    @Override
    public void accept(Hop hop) {
        String tier = hop.tier();
        if (hop.protocol() == Protocol.HTTP && hop.direction() == Direction.RECEIVED && tier.equals("web")) {
            RecordedHttpRequest.of(hop).ifPresent(http::offer);
        } else if (hop.protocol() == Protocol.FASTCGI && tier.equals("app")) {
            assembler.accept(hop).ifPresent(fastCgi::offer);
        } else if (hop.protocol() == Protocol.SQL && hop.direction() == Direction.SENT) {
            sql.offer(RecordedSql.of(hop));
        } else if (hop.protocol() == Protocol.DNS && hop.direction() == Direction.RECEIVED && tier.equals("dns")) {
            dns.offer(RecordedDnsQuestion.of(hop));
        }
    }

    RecordingQueue<RecordedHttpRequest> http() {
        return http;
    }

    RecordingQueue<RecordedFastCgiRequest> fastCgi() {
        return fastCgi;
    }

    RecordingQueue<RecordedSql> sql() {
        return sql;
    }

    RecordingQueue<RecordedDnsQuestion> dns() {
        return dns;
    }
}
