package dev.ensemble.llm.model;

/** A trained model (still in memory; save it with {@link LanguageModel#save}) and its metrics. */
public record TrainedModel(LanguageModel model, TrainingResult result) implements AutoCloseable {

    @Override
    public void close() {
        model.close();
    }
}
