package dev.ensemble.events.model;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@code model.trained} on {@code model.events}, data version 1: job-service finished training and
 * wrote a model to model storage; inference-service registers it for its owner (idempotently, by
 * {@code modelId}). The subject is the model id.
 *
 * <ul>
 *   <li>{@code path}: the model file or directory, relative to the shared model storage root
 *   ({@code ENSEMBLE_MODEL_DIR}, default {@code .ensemble/models}).</li>
 *   <li>{@code format}: {@code onnx}, {@code torchscript}, {@code djl} (a {@code .params} file with
 *   a block named by {@code architecture}) or {@code classical} (the project's classical format).</li>
 *   <li>{@code inputShape}: the shape of one input row, e.g. {@code [4]}; {@code labels}: class
 *   names for classifiers, index order.</li>
 * </ul>
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelTrained(
        UUID modelId,
        UUID ownerId,
        UUID jobId,
        String name,
        String version,
        String modelType,
        String framework,
        String engine,
        String format,
        String architecture,
        String path,
        List<Long> inputShape,
        String inputType,
        List<String> labels,
        Map<String, Object> metrics) {

    public static final String TYPE = "model.trained";
    public static final int VERSION = 1;
}
