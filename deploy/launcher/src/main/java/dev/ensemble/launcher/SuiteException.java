package dev.ensemble.launcher;

/** The suite could not start; the message names the component, the cause and the log to read. */
public class SuiteException extends RuntimeException {

    public SuiteException(String message) {
        super(message);
    }

    public SuiteException(String message, Throwable cause) {
        super(message, cause);
    }
}
