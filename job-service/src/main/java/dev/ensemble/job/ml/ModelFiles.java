package dev.ensemble.job.ml;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code spec.json} beside each trained model. */
public final class ModelFiles {

    public static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private ModelFiles() {
    }

    public static void writeSpec(Path modelDir, ModelSpec spec) {
        try {
            Files.createDirectories(modelDir);
            Files.writeString(modelDir.resolve("spec.json"), JSON.writeValueAsString(spec));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write spec.json", e);
        }
    }

    public static String toJson(ModelSpec spec) {
        try {
            return JSON.writeValueAsString(spec);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ModelSpec fromJson(String json) {
        try {
            return JSON.readValue(json, ModelSpec.class);
        } catch (IOException e) {
            throw new JobInputException("the model's spec is unreadable", e);
        }
    }
}
