package org.foobarstack.trace.faults;

/**
 * WHAT a {@link Fault} does to the connection when it fires. Each is one thing a real server, kernel or network
 * can do, named after the socket call that does it, so that a test reads like the incident it reproduces.
 *
 * <p>On UDP (DNS) there is no connection: {@link #DELAY} delays the answer and every other effect drops it,
 * which is what a client sees of a server that stalls or goes away.
 */
public enum Effect {

    CLOSE("close the connection (a FIN): nothing more is sent, the peer reads the end of the stream"),
    SHUTDOWN_INPUT("shut down the server's receiving side (shutdown(SHUT_RD)): it reads nothing more from the "
            + "peer, and still sends"),
    SHUTDOWN_OUTPUT("shut down the server's sending side (shutdown(SHUT_WR)): the peer reads the end of the stream "
            + "at once, and whatever the server would still send is dropped"),
    STALL("stop: nothing more is sent for the request (the web and name servers serve nothing more on the "
            + "connection either), which stays open until the peer gives up or the server stops, as a hung worker "
            + "looks from outside"),
    DELAY("wait the fault's delay, then carry on as if nothing happened: a slow disk, a long garbage collection, "
            + "a congested link"),
    RESET("reset the connection (SO_LINGER 0, then close: an RST): the peer's next read fails with 'connection "
            + "reset', and what it had not read yet is lost");

    private final String description;

    Effect(String description) {
        this.description = description;
    }

    /** What the server does, and what the peer sees of it. */
    public String description() {
        return description;
    }

    /** Whether the server stops working on the request after this effect (close, reset, stall). */
    public boolean endsTheExchange() {
        return this == CLOSE || this == RESET || this == STALL;
    }
}
