package dev.ensemble.inference.models;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The model formats that really load here, with the engine that runs each. */
public enum ModelFormat {
    ONNX("onnx", List.of(".onnx"), List.of(), "OnnxRuntime", "onnxruntime", "ONNX Runtime",
            "Open Neural Network Exchange graph, run by ONNX Runtime through DJL"),
    TORCHSCRIPT("torchscript", List.of(".pt", ".pth", ".torchscript"), List.of("pytorch"), "PyTorch", "pytorch",
            "PyTorch", "TorchScript module saved with torch.jit.save (scripted or traced), run by LibTorch through DJL"),
    DJL("djl", List.of(".params"), List.of("djl-params"), "PyTorch", "pytorch", "DJL",
            "DJL parameters (.params) of a known block named by `architecture`: " + dev.ensemble.ml.Architecture.KNOWN),
    CLASSICAL("classical", List.of(".tribuo"), List.of("tribuo"), "Tribuo", "tribuo", "Tribuo",
            "Classical model (random forest, tree, SVM, logistic regression) serialized by Tribuo 4.3");

    public final String id;
    public final List<String> extensions;
    public final List<String> aliases;
    /** The DJL engine name, or {@code Tribuo}. */
    public final String engine;
    /** The runtime named in prediction metadata. */
    public final String runtime;
    public final String framework;
    public final String description;

    ModelFormat(String id, List<String> extensions, List<String> aliases, String engine, String runtime,
                String framework, String description) {
        this.id = id;
        this.extensions = extensions;
        this.aliases = aliases;
        this.engine = engine;
        this.runtime = runtime;
        this.framework = framework;
        this.description = description;
    }

    /** The format named by an id or alias, case-insensitively. */
    public static Optional<ModelFormat> named(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String n = name.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(f -> f.id.equals(n) || f.aliases.contains(n)).findFirst();
    }

    /** The format a file name's extension suggests. */
    public static Optional<ModelFormat> byExtension(String fileName) {
        if (fileName == null) {
            return Optional.empty();
        }
        String n = fileName.toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(f -> f.extensions.stream().anyMatch(n::endsWith)).findFirst();
    }

    /** The file name a model of this format is stored under. */
    public String storedFileName() {
        return switch (this) {
            case ONNX -> "model.onnx";
            case TORCHSCRIPT -> "model.pt";
            case DJL -> "model-0000.params";
            case CLASSICAL -> "model.tribuo";
        };
    }
}
