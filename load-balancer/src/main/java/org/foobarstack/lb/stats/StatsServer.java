package org.foobarstack.lb.stats;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.foobarstack.httpcodec.parser.HttpRequestError;
import org.foobarstack.httpcodec.parser.HttpRequestHead;
import org.foobarstack.httpcodec.response.DateHeader;
import org.foobarstack.httpcodec.response.ErrorPage;
import org.foobarstack.httpcodec.response.HttpResponseHead;
import org.foobarstack.httpcodec.response.HttpStatus;

import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * The stats listener's handler (HAProxy's {@code listen stats} with {@code stats uri /stats}), after the shared
 * request parser:
 *
 * <pre>
 *   GET /stats        the HTML page (also at /)
 *   GET /stats;csv    the CSV, HAProxy's columns (also /;csv)
 * </pre>
 * Read-only: every other method is 405. One request per connection is plenty for a page that refreshes itself;
 * the connection is kept open as HTTP/1.1 says, and the parser's body parts are ignored.
 */
public final class StatsServer extends ChannelInboundHandlerAdapter {

    private final Supplier<StatsSnapshot> snapshot;
    private final int rise;
    private final int fall;
    private final DateHeader dates = new DateHeader();

    public StatsServer(Supplier<StatsSnapshot> snapshot, int rise, int fall) {
        this.snapshot = snapshot;
        this.rise = rise;
        this.fall = fall;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof HttpRequestHead head) {
                answer(ctx, head);
            } else if (msg instanceof HttpRequestError error) {
                write(ctx, HttpStatus.of(error.status()), "text/html; charset=utf-8",
                        ErrorPage.html(HttpStatus.of(error.status()), error.violation().description()
                                + (error.detail() == null ? "" : " (" + error.detail() + ")"), error.violation().rule(),
                                "foobar-stack load balancer stats"), false, false);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void answer(ChannelHandlerContext ctx, HttpRequestHead head) {
        String path = head.target().path() == null ? "" : head.target().path();
        boolean csv = path.equals("/stats;csv") || path.equals("/;csv");
        boolean html = path.equals("/stats") || path.equals("/");
        if (!csv && !html) {
            write(ctx, HttpStatus.NOT_FOUND, "text/html; charset=utf-8", ErrorPage.html(HttpStatus.NOT_FOUND,
                    "The stats are at /stats, and as CSV at /stats;csv.", null, "foobar-stack load balancer stats"),
                    head.keepAlive(), head.isHead());
            return;
        }
        if (!head.method().equals("GET") && !head.method().equals("HEAD")) {
            write(ctx, HttpStatus.METHOD_NOT_ALLOWED, "text/html; charset=utf-8",
                    ErrorPage.html(HttpStatus.METHOD_NOT_ALLOWED, "The stats page is read-only.", "RFC 9110 §15.5.6",
                            "foobar-stack load balancer stats"), head.keepAlive(), head.isHead());
            return;
        }
        StatsSnapshot stats = snapshot.get();
        if (csv) {
            write(ctx, HttpStatus.OK, "text/plain; charset=utf-8", StatsCsv.render(stats, rise, fall),
                    head.keepAlive(), head.isHead());
        } else {
            write(ctx, HttpStatus.OK, "text/html; charset=utf-8", StatsPage.render(stats), head.keepAlive(),
                    head.isHead());
        }
    }

    private void write(ChannelHandlerContext ctx, HttpStatus status, String type, String body, boolean keepAlive,
                       boolean headOnly) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        HttpResponseHead.Builder head = HttpResponseHead.builder(status)
                .add("Date", dates.now())
                .add("Server", "foobar-stack-lb")
                .add("Content-Type", type)
                .add("Content-Length", Integer.toString(bytes.length))
                .add("Cache-Control", "no-cache");
        if (status.code() == 405) {
            head.add("Allow", "GET, HEAD");
        }
        if (!keepAlive) {
            head.add("Connection", "close");
        }
        ctx.write(head.build());
        var done = ctx.writeAndFlush(headOnly ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes));
        if (!keepAlive) {
            done.addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
