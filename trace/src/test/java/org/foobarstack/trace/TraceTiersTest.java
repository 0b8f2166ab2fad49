package org.foobarstack.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The tiers a request crossed, as the dashboard's request list shows them. */
class TraceTiersTest {

    private static final String ID = "0af7651916cd43dd8448eb211c80319c";

    @Test
    void aRequestThatReadTheDatabaseCrossedDbRightAfterTheAppServer() {
        TraceRecorder web = new TraceRecorder("web", "web-1");
        TraceRecorder app = new TraceRecorder("app", "app-1");
        Trace trace = new Trace(ID, List.of(
                web.hop(ID, Protocol.HTTP, Direction.RECEIVED).summary("GET /api/messages").timing(100, 900).build(),
                app.hop(ID, Protocol.FASTCGI, Direction.RECEIVED).summary("BEGIN_REQUEST").timing(200, 800).build(),
                app.hop(ID, Protocol.SQL, Direction.SENT).summary("SELECT ...").timing(300, 400).build(),
                app.hop(ID, Protocol.FASTCGI, Direction.SENT).summary("END_REQUEST").timing(700, 750).build()));

        assertThat(trace.tiers()).containsExactly("web", "app", "db");
        assertThat(TraceSummary.newestFirst(trace.hops(), 1).get(0).tiers()).as("the request list's column")
                .containsExactly("web", "app", "db");
    }

    @Test
    void aStaticFileNeverReachedTheDatabase() {
        TraceRecorder web = new TraceRecorder("web", "web-1");
        Trace trace = new Trace(ID, List.of(
                web.hop(ID, Protocol.HTTP, Direction.RECEIVED).summary("GET /style.css").timing(100, 200).build()));

        assertThat(trace.tiers()).containsExactly("web");
    }
}
