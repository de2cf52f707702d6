package dev.ensemble.job.ml;

/** The job's input (data, model, parameters) cannot work: failing again would not help, so it is never retried. */
public class JobInputException extends RuntimeException {
    public JobInputException(String message) {
        super(message);
    }

    public JobInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
