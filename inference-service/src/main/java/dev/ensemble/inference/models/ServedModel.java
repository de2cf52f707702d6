package dev.ensemble.inference.models;

import dev.ensemble.inference.Model;
import dev.ensemble.ml.Architecture;

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
    /** The network the model was built as (its {@code architecture}); null when none or unknown. */
    private final Architecture network;
    volatile long[] inputRowShape;
    volatile String inputName;
    volatile List<String> labels;
    /** Named features in row order (Tribuo models), for inputs sent as {@code {name: value}}. */
    volatile List<String> featureNames;
    /** Whether the loaded model runs on a GPU. */
    volatile boolean onGpu;

    ServedModel(Model m, ModelFormat format, List<String> labels) {
        this.id = m.id;
        this.ownerId = m.ownerId;
        this.name = m.name;
        this.version = m.version;
        this.format = format;
        this.path = m.storagePath;
        this.architecture = m.architecture;
        this.gpuRequired = m.gpuRequired;
        // For a .params file the network is what loads; for an exported graph (job-service's ONNX CNN)
        // it says how the inputs are preprocessed.
        this.network = network(m.architecture);
        this.inputRowShape = rowShape(m.inputShape, network);
        this.inputName = m.inputName;
        this.labels = labels;
    }

    /** A model row's input row shape: as stored, else its architecture's; null when neither says. */
    public static long[] rowShape(Model m) {
        return rowShape(m.inputShape, network(m.architecture));
    }

    private static long[] rowShape(String stored, Architecture network) {
        try {
            long[] shape = Shapes.parse(stored);
            if (shape != null) {
                return shape;
            }
        } catch (NumberFormatException ignored) {
            // validated when written
        }
        return network == null ? null : network.inputShape();
    }

    private static Architecture network(String architecture) {
        if (architecture == null) {
            return null;
        }
        try {
            return Architecture.parse(architecture);
        } catch (IllegalArgumentException e) {
            return null; // the load fails with the reason
        }
    }

    public Architecture network() {
        return network;
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

    public boolean onGpu() {
        return onGpu;
    }

    public List<String> labels() {
        return labels;
    }

    String key() {
        return id.toString();
    }
}
