package dev.ensemble.inference.models;

import dev.ensemble.inference.Model;

import java.util.List;
import java.util.UUID;

/**
 * What the predict path needs about a registered model, kept in memory so a prediction checks
 * ownership and input shape without a database round trip. Filled from the row and completed by
 * the loader (input shape, labels) once the model has loaded.
 */
public final class ServedModel {
    public final UUID id;
    public final UUID ownerId;
    public final String name;
    public final String version;
    public final ModelFormat format;
    public final String path;
    public final String architecture;
    public final boolean gpuRequired;
    volatile long[] inputRowShape;
    volatile String inputName;
    volatile List<String> labels;
    /** Named features in row order (Tribuo models), for inputs sent as {@code {name: value}}. */
    volatile List<String> featureNames;

    ServedModel(Model m, ModelFormat format, long[] inputRowShape, List<String> labels) {
        this.id = m.id;
        this.ownerId = m.ownerId;
        this.name = m.name;
        this.version = m.version;
        this.format = format;
        this.path = m.storagePath;
        this.architecture = m.architecture;
        this.gpuRequired = m.gpuRequired;
        this.inputRowShape = inputRowShape;
        this.inputName = m.inputName;
        this.labels = labels;
    }

    public long[] inputRowShape() {
        return inputRowShape;
    }

    public String inputName() {
        return inputName;
    }

    public List<String> featureNames() {
        return featureNames;
    }

    public List<String> labels() {
        return labels;
    }

    String key() {
        return id.toString();
    }
}
