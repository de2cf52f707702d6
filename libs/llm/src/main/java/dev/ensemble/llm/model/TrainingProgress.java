package dev.ensemble.llm.model;

/**
 * A progress report.
 *
 * @param epoch the current pass over the training text (fractional: steps x tokens per step / text length)
 * @param step the optimizer steps done
 * @param totalSteps the steps planned
 * @param loss the training loss (cross-entropy in nats per character), smoothed over recent steps
 * @param tokensPerSecond training throughput so far
 * @param elapsedMillis time since training started
 */
public record TrainingProgress(double epoch, int step, int totalSteps, double loss, double tokensPerSecond, long elapsedMillis) {

    /** Progress as a fraction 0..1. */
    public double fraction() {
        return totalSteps == 0 ? 1 : (double) step / totalSteps;
    }
}
