package org.foobarstack.walk.packet;

/** Packets cannot be captured here: the message is one line saying what is needed. */
public final class CaptureUnavailableException extends Exception {
    public CaptureUnavailableException(String message) {
        super(message);
    }
}
