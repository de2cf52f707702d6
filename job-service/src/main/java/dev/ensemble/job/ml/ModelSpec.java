package dev.ensemble.job.ml;

import com.fasterxml.jackson.annotation.JsonInclude;

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
}
