package dev.ensemble.events;

/** An event that can never be processed, however often it is retried: it belongs in the dead-letter topic. */
public class PoisonEventException extends RuntimeException {
    public PoisonEventException(String message) {
        super(message);
    }
}
