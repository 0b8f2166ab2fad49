package org.foobarstack.app;

/** The app server could not start: the message names the tier, the instance and the address. */
public class AppServerException extends RuntimeException {
    public AppServerException(String message, Throwable cause) {
        super(message, cause);
    }
}
