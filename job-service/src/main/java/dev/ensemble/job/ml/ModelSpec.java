package dev.ensemble.job.ml;

import ai.djl.nn.Block;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.ensemble.ml.Architecture;

import java.util.List;
import java.util.Map;

/**
 * How to load and feed a trained model, written beside it as {@code spec.json} and kept in the
 * {@code trained_models} table. {@code task}: {@code tabular}, {@code image}, {@code text} (classifier)
 * or {@code chars} (next-character generator).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelSpec(
        String modelId,
        String modelType,
        String task,
        String architecture,
        String format,
        String engine,
        List<String> featureNames,
        List<String> labels,
        float[] mean,
        float[] std,
        List<Integer> hidden,
        Integer imageSize,
        Integer vocabSize,
        Integer maxLength,
        Integer embedding,
        Integer layers,
        Integer heads,
        String alphabet,
        Map<String, String> files) {

    /** A new block of this model's architecture (the one inference-service builds to serve it). */
    public Block newBlock() {
        try {
            return Architecture.parse(architecture).newBlock();
        } catch (IllegalArgumentException e) {
            throw new JobInputException("the model's architecture cannot be built: " + e.getMessage(), e);
        }
    }
}
