package dev.ensemble.job.ml;

/** The run was told to stop (cancelled, or its lease lost) and stopped at an epoch or batch boundary. */
public class JobStoppedException extends RuntimeException {
    public JobStoppedException(String message) {
        super(message, null, false, false);
    }
}
