package dev.ensemble.job.ml;

import java.util.List;
import java.util.Map;

/**
 * What a training run left in its model directory: the spec to serve it, the metrics, and the file
 * the model hand-off names ({@code mainFile}, relative to the model directory) in {@code format}.
 */
public record TrainingOutput(ModelSpec spec, Map<String, Object> metrics, String format, String mainFile,
                             List<Long> inputShape, String inputType, Map<String, Object> extra) {
}
