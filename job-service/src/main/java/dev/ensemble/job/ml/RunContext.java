package dev.ensemble.job.ml;

import java.nio.file.Path;
import java.util.Map;

/** What a trainer or predictor sees of the job it runs for: its inputs, where to write, and how to report. */
public interface RunContext {

    /** The job's hyperparameters (training) or parameters (inference), never null. */
    Map<String, Object> parameters();

    /** Throws {@link JobStoppedException} when the job was cancelled or this worker lost it; call once per batch. */
    void checkStopped();

    /** Records that {@code completed} of {@code total} steps are done, with metrics so far; renews the lease. */
    void progress(int completed, int total, Map<String, Object> metrics);

    void log(String level, String message);

    /** Where this job keeps checkpoints; survives a worker's death, so a later attempt can resume. */
    Path checkpointDir();

    default int intParam(String name, int fallback, int min, int max) {
        Object v = parameters().get(name);
        if (v == null) {
            return fallback;
        }
        double d;
        if (v instanceof Number n) {
            d = n.doubleValue();
        } else {
            try {
                d = Double.parseDouble(v.toString().trim());
            } catch (NumberFormatException e) {
                throw new JobInputException(name + " must be a number");
            }
        }
        if (d < min || d > max || d != Math.rint(d)) {
            throw new JobInputException(name + " must be a whole number between " + min + " and " + max);
        }
        return (int) d;
    }

    default double doubleParam(String name, double fallback, double min, double max) {
        Object v = parameters().get(name);
        if (v == null) {
            return fallback;
        }
        double d;
        if (v instanceof Number n) {
            d = n.doubleValue();
        } else {
            try {
                d = Double.parseDouble(v.toString().trim());
            } catch (NumberFormatException e) {
                throw new JobInputException(name + " must be a number");
            }
        }
        if (!(d >= min && d <= max)) {
            throw new JobInputException(name + " must be between " + min + " and " + max);
        }
        return d;
    }

    default String stringParam(String name, String fallback) {
        Object v = parameters().get(name);
        return v == null ? fallback : v.toString();
    }
}
