package dev.ensemble.llm.model;

/**
 * What a training run achieved.
 *
 * @param steps optimizer steps done
 * @param epochs passes over the training text
 * @param initialLoss loss of the first step (about ln(vocabulary size) for an untrained model)
 * @param finalLoss smoothed training loss at the end
 * @param validationLoss loss on the held-out tail of the text (NaN when none was held out)
 * @param tokensSeen characters trained on
 * @param durationMillis wall time of the run
 * @param tokensPerSecond training throughput
 * @param cancelled whether the run was stopped early (by the flag or the time limit)
 * @param vocabularySize ids in the vocabulary
 * @param parameters trainable parameters of the network
 */
public record TrainingResult(int steps, double epochs, double initialLoss, double finalLoss, double validationLoss,
                             long tokensSeen, long durationMillis, double tokensPerSecond, boolean cancelled,
                             int vocabularySize, long parameters) {
}
