package dev.ensemble.llm.model;

import java.nio.file.Path;

/** Callbacks from {@link LanguageModelTrainer}; called on the training thread, so keep them quick. */
public interface TrainingListener {

    /** After every {@code reportEvery}-th step and after the last one. */
    default void onStep(TrainingProgress progress) {
    }

    /** Each time the step count crosses a whole pass over the training text. */
    default void onEpoch(TrainingProgress progress) {
    }

    /** After a checkpoint was written. */
    default void onCheckpoint(TrainingProgress progress, Path dir) {
    }

    TrainingListener NONE = new TrainingListener() { };
}
