package dev.ensemble.inference.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ensemble.events.Events;
import dev.ensemble.inference.Model;
import dev.ensemble.inference.config.InferenceConfig;
import dev.ensemble.inference.models.FormatDetector;
import dev.ensemble.inference.models.ModelFormat;
import dev.ensemble.inference.models.ModelRegistry;
import dev.ensemble.inference.models.ModelServing;
import dev.ensemble.inference.models.ModelStorage;
import dev.ensemble.inference.models.Shapes;
import dev.ensemble.ml.Architecture;
import dev.ensemble.web.ApiException;
import dev.ensemble.web.ErrorCode;
import dev.ensemble.web.Offload;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.resteasy.reactive.multipart.FileUpload;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/** Validates an upload, enforces the quota, stores the file and starts loading it. */
@ApplicationScoped
public class ModelUploads {

    private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,49}");

    @Inject
    InferenceConfig config;

    @Inject
    ModelRegistry registry;

    @Inject
    ModelServing serving;

    @Inject
    ModelStorage storage;

    @Inject
    QuotaService quota;

    /** The multipart fields as sent. */
    public record Form(FileUpload file, String name, String format, String framework, String version,
                       String gpuRequired, String gpuType, String inputShape, String architecture, String labels,
                       String batchSize, String maxBatchDelayMs, String minWorkers, String maxWorkers) {
    }

    public Uni<Model> upload(UUID owner, Form f) {
        if (f.file() == null || f.file().uploadedFile() == null) {
            throw ApiException.badRequest("model", "required: the model file as multipart field `model`");
        }
        Path temp = f.file().uploadedFile();
        long size = f.file().size();
        if (size > config.quota().maxFileSize().asLongValue()) {
            throw new ApiException(413, ErrorCode.PAYLOAD_TOO_LARGE, "model: the file is " + size
                    + " bytes; the largest allowed is " + config.quota().maxFileSize().asLongValue() + " bytes");
        }
        if (size == 0) {
            throw ApiException.badRequest("model", "the file is empty");
        }
        String fileName = f.file().fileName() == null ? "" : f.file().fileName();
        String name = text("name", f.name(), 200);
        if (name == null) {
            name = fileName.isBlank() ? "model" : stem(fileName);
            name = name.length() > 200 ? name.substring(0, 200) : name;
        }
        String version = text("version", f.version(), 50);
        if (version == null) {
            version = "1.0.0";
        } else if (!VERSION.matcher(version).matches()) {
            throw ApiException.badRequest("version", "letters, digits and . _ + - only, e.g. 1.0.0");
        }
        Optional<ModelFormat> declared = Optional.empty();
        String formatText = text("format", f.format(), 50);
        if (formatText != null) {
            declared = ModelFormat.named(formatText);
            if (declared.isEmpty()) {
                throw ApiException.badRequest("format", "unknown format; supported: " + ids());
            }
        }
        boolean gpu = bool("gpu_required", f.gpuRequired());
        long[] shape;
        try {
            shape = Shapes.parse(text("input_shape", f.inputShape(), 200));
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("input_shape", "expected the shape of one row, e.g. 4 or [3, 32, 32]");
        }
        List<String> labels = null;
        String labelText = text("labels", f.labels(), 100_000);
        if (labelText != null) {
            try {
                labels = Arrays.asList(Events.JSON.readValue(labelText, String[].class));
            } catch (IOException e) {
                throw ApiException.badRequest("labels", "expected a JSON array of class names");
            }
        }
        Model m = new Model();
        m.id = UUID.randomUUID();
        m.ownerId = owner;
        m.name = name;
        m.version = version;
        m.framework = text("framework", f.framework(), 50);
        m.gpuRequired = gpu;
        m.gpuType = text("gpu_type", f.gpuType(), 100);
        m.inputShape = Shapes.format(shape);
        m.architecture = text("architecture", f.architecture(), 200);
        m.batchSize = orDefault(intForm("batch_size", f.batchSize(), 1, config.serving().maxBatchSize()),
                config.serving().batchSize());
        m.maxBatchDelayMs = orDefault(intForm("max_batch_delay_ms", f.maxBatchDelayMs(), 0, 1000),
                (int) config.serving().maxBatchDelay().toMillis());
        m.maxWorkers = orDefault(intForm("max_workers", f.maxWorkers(), 1, config.serving().maxWorkersLimit()),
                config.serving().maxWorkers());
        m.minWorkers = orDefault(intForm("min_workers", f.minWorkers(), 0, config.serving().maxWorkersLimit()),
                Math.min(config.serving().minWorkers(), m.maxWorkers));
        if (m.minWorkers > m.maxWorkers) {
            throw ApiException.badRequest("min_workers", "must not exceed max_workers");
        }
        m.labels = labels == null ? null : writeJson(labels);
        m.sizeBytes = size;
        m.source = "upload";
        m.status = Model.LOADING;
        m.inputType = "float32";
        m.createdAt = Instant.now();
        m.updatedAt = m.createdAt;
        Optional<ModelFormat> declaredFormat = declared;
        return quota.check(owner, size)
                .chain(() -> Offload.blocking(() -> {
                    ModelFormat format = detect(temp, fileName, declaredFormat);
                    if (format == ModelFormat.DJL) {
                        try {
                            Architecture net = Architecture.parse(m.architecture);
                            m.inputType = net.inputType() == ai.djl.ndarray.types.DataType.INT64 ? "int64" : "float32";
                        } catch (IllegalArgumentException e) {
                            throw ApiException.badRequest("architecture", e.getMessage());
                        }
                    }
                    m.format = format.id;
                    m.engine = format.engine;
                    if (m.framework == null) {
                        m.framework = format.framework;
                    }
                    m.storagePath = storage.storeUpload(owner, m.id, temp, format);
                    return m;
                }))
                .chain(registry::createUpload)
                .invoke(saved -> {
                    serving.register(saved);
                    serving.load(saved.id);
                })
                .onFailure(e -> !(e instanceof ApiException)).invoke(e -> storage.delete(m.storagePath));
    }

    /** The format the content shows, checked against the declared one. */
    static ModelFormat detect(Path file, String fileName, Optional<ModelFormat> declared) {
        Optional<ModelFormat> seen;
        try {
            seen = FormatDetector.detect(file);
        } catch (IOException e) {
            throw ApiException.badRequest("model", "the file cannot be read");
        }
        if (declared.isPresent()) {
            if (seen.isEmpty()) {
                throw ApiException.badRequest("model", "the file is not a valid " + declared.get().id + " model");
            }
            if (seen.get() != declared.get()) {
                throw ApiException.badRequest("format", "the file is a " + seen.get().id + " model, not "
                        + declared.get().id);
            }
            return seen.get();
        }
        if (seen.isPresent()) {
            return seen.get();
        }
        String hint = ModelFormat.byExtension(fileName).map(f -> "; its extension suggests " + f.id
                + " but the content is not a valid " + f.id + " model").orElse("");
        throw ApiException.badRequest("model", "unrecognised model format" + hint + "; supported: " + ids());
    }

    private static String ids() {
        return String.join(", ", Arrays.stream(ModelFormat.values()).map(f -> f.id).toList());
    }

    static String text(String field, String value, int max) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.strip();
        if (v.length() > max) {
            throw ApiException.badRequest(field, "at most " + max + " characters");
        }
        if (v.chars().anyMatch(c -> c < 0x20 && c != '\t')) {
            throw ApiException.badRequest(field, "must not contain control characters");
        }
        return v;
    }

    static boolean bool(String field, String value) {
        if (value == null || value.isBlank()) {
            return false;
        }
        return switch (value.strip().toLowerCase()) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> throw ApiException.badRequest(field, "expected true or false");
        };
    }

    static Integer intForm(String field, String value, int min, int max) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            int v = Integer.parseInt(value.strip());
            if (v < min || v > max) {
                throw ApiException.badRequest(field, "must be between " + min + " and " + max);
            }
            return v;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(field, "expected an integer");
        }
    }

    static Integer intField(JsonNode body, String field, int min, int max) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < min || n.asInt() > max) {
            throw ApiException.badRequest(field, "expected an integer between " + min + " and " + max);
        }
        return n.asInt();
    }

    private static int orDefault(Integer v, int fallback) {
        return v == null ? fallback : v;
    }

    private static String stem(String fileName) {
        String base = Path.of(fileName.replace('\\', '/')).getFileName().toString();
        int dot = base.lastIndexOf('.');
        return dot > 0 ? base.substring(0, dot) : base;
    }

    private static String writeJson(Object o) {
        try {
            return Events.JSON.writeValueAsString(o);
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static Duration retryAfter(Duration window) {
        return window;
    }
}
