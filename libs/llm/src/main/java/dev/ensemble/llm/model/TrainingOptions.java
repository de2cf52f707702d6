package dev.ensemble.llm.model;

import ai.djl.Device;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How to train a character model.
 *
 * @param hiddenSize LSTM units per layer
 * @param layers stacked LSTM layers
 * @param steps optimizer steps (each one batch of {@code batchSize} windows of {@code sequenceLength})
 * @param batchSize windows per batch
 * @param sequenceLength characters per window (truncated back-propagation length)
 * @param learningRate Adam's learning rate (decays by cosine to a tenth over the run)
 * @param clipGradient gradient clipping value
 * @param seed the seed for initialisation and batch order; the same seed, text and options give
 *     the same model
 * @param validationFraction the tail of the text held out to measure validation loss (0..0.5)
 * @param checkpointEvery save a checkpoint to {@code checkpointDir} every this many steps (0: never)
 * @param checkpointDir where checkpoints go (null: no checkpoints)
 * @param maxDuration stop early after this long (null: no limit); a run cut short this way is not
 *     deterministic any more
 * @param device where to train (CPU unless configured)
 */
public record TrainingOptions(int hiddenSize, int layers, int steps, int batchSize, int sequenceLength,
                              float learningRate, float clipGradient, long seed, double validationFraction,
                              int checkpointEvery, Path checkpointDir, Duration maxDuration, Device device) {

    public TrainingOptions {
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be positive");
        }
        if (batchSize < 1 || sequenceLength < 2) {
            throw new IllegalArgumentException("batch size must be positive and sequence length at least 2");
        }
        if (!(learningRate > 0)) {
            throw new IllegalArgumentException("learning rate must be positive");
        }
        if (validationFraction < 0 || validationFraction > 0.5) {
            throw new IllegalArgumentException("validation fraction must be in [0, 0.5]");
        }
        if (device == null) {
            device = Device.cpu();
        }
    }

    /** Small defaults: 128 units, one layer, 200 steps of 32 x 64 characters. */
    public static TrainingOptions defaults() {
        return new TrainingOptions(128, 1, 200, 32, 64, 0.005f, 1f, 42L, 0.05, 0, null, null, Device.cpu());
    }

    public TrainingOptions withSize(int hidden, int numLayers) {
        return new TrainingOptions(hidden, numLayers, steps, batchSize, sequenceLength, learningRate, clipGradient, seed,
                validationFraction, checkpointEvery, checkpointDir, maxDuration, device);
    }

    public TrainingOptions withSteps(int n) {
        return new TrainingOptions(hiddenSize, layers, n, batchSize, sequenceLength, learningRate, clipGradient, seed,
                validationFraction, checkpointEvery, checkpointDir, maxDuration, device);
    }

    public TrainingOptions withBatch(int batch, int sequence) {
        return new TrainingOptions(hiddenSize, layers, steps, batch, sequence, learningRate, clipGradient, seed,
                validationFraction, checkpointEvery, checkpointDir, maxDuration, device);
    }

    public TrainingOptions withLearningRate(float lr) {
        return new TrainingOptions(hiddenSize, layers, steps, batchSize, sequenceLength, lr, clipGradient, seed,
                validationFraction, checkpointEvery, checkpointDir, maxDuration, device);
    }

    public TrainingOptions withSeed(long s) {
        return new TrainingOptions(hiddenSize, layers, steps, batchSize, sequenceLength, learningRate, clipGradient, s,
                validationFraction, checkpointEvery, checkpointDir, maxDuration, device);
    }

    public TrainingOptions withCheckpoints(int every, Path dir) {
        return new TrainingOptions(hiddenSize, layers, steps, batchSize, sequenceLength, learningRate, clipGradient, seed,
                validationFraction, every, dir, maxDuration, device);
    }

    public TrainingOptions withMaxDuration(Duration d) {
        return new TrainingOptions(hiddenSize, layers, steps, batchSize, sequenceLength, learningRate, clipGradient, seed,
                validationFraction, checkpointEvery, checkpointDir, d, device);
    }

    public TrainingOptions withDevice(Device d) {
        return new TrainingOptions(hiddenSize, layers, steps, batchSize, sequenceLength, learningRate, clipGradient, seed,
                validationFraction, checkpointEvery, checkpointDir, maxDuration, d);
    }
}
