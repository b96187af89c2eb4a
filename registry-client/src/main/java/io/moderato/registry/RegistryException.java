package io.moderato.registry;

import java.io.IOException;

/**
 * A schema registry call that failed: either the registry answered with an error
 * ({@link #status()} is its HTTP status, {@link #errorCode()} Confluent's error code, e.g. 40403
 * "schema not found") or it could not be reached at all ({@link #status()} is -1).
 */
public final class RegistryException extends IOException {

    private static final long serialVersionUID = 1L;

    /** Status used when no HTTP answer was received. */
    public static final int UNREACHABLE = -1;

    private final int status;
    private final int errorCode;

    RegistryException(String message, Throwable cause, int status, int errorCode) {
        super(message, cause);
        this.status = status;
        this.errorCode = errorCode;
    }

    static RegistryException from(String action, Throwable cause, int status, int errorCode) {
        return new RegistryException(
                "Schema registry could not " + action + ": " + cause.getMessage(), cause, status, errorCode);
    }

    static RegistryException unreachable(String action, Throwable cause) {
        // The relocated client's own exception type stays inside; only the text crosses.
        return new RegistryException(
                "Schema registry unreachable, could not " + action + ": " + cause, cause, UNREACHABLE, -1);
    }

    /** HTTP status of the registry's answer, or {@link #UNREACHABLE}. */
    public int status() {
        return status;
    }

    /** Confluent error code of the registry's answer (e.g. 40403), or -1. */
    public int errorCode() {
        return errorCode;
    }

    /** The registry answered that the schema (id, subject or version) does not exist. */
    public boolean isNotFound() {
        return status == 404;
    }

    /** The registry could not be reached, or answered with a server-side error: worth a retry. */
    public boolean isTransient() {
        return status == UNREACHABLE || status >= 500 || status == 429 || status == 408;
    }
}
