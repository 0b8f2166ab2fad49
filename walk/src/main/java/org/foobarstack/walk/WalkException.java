package org.foobarstack.walk;

/** A step of the walk failed; carries which kind of failure, for the exit code. */
final class WalkException extends Exception {
    private final WalkFailure failure;

    WalkException(WalkFailure failure, String message) {
        super(message);
        this.failure = failure;
    }

    WalkException(WalkFailure failure, String message, Throwable cause) {
        super(message, cause);
        this.failure = failure;
    }

    WalkFailure failure() {
        return failure;
    }
}
