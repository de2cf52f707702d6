package dev.ensemble.job.worker;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.ensemble.events.Events;
import dev.ensemble.events.model.ModelTrained;
import dev.ensemble.job.TrainedModel;
import dev.ensemble.job.config.JobConfig;
import dev.ensemble.job.dataset.DataPaths;
import dev.ensemble.job.ml.JobInputException;
import dev.ensemble.job.ml.ModelFiles;
import dev.ensemble.job.ml.ModelSpec;
import dev.ensemble.job.ml.NeuralJobs;
import dev.ensemble.job.ml.Predictions;
import dev.ensemble.job.ml.RunContext;
import dev.ensemble.job.ml.TrainingOutput;
import dev.ensemble.job.ml.TribuoJobs;
import dev.ensemble.job.routing.Router;
import dev.ensemble.web.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/** What a claimed job does, on a worker thread: train, predict, or run a batch of predictions. */
@ApplicationScoped
public class JobExecutor {

    @Inject
    JobConfig config;

    @Inject
    DataPaths dataPaths;

    /** Model families by model type: which trainer runs it. */
    public static String family(String modelType) {
        return switch (modelType) {
            case "random_forest", "svm", "logistic_regression" -> "classical";
            case "mlp" -> "tabular";
            case "bert" -> "text";
            case "transformer", "gpt" -> "chars";
            default -> "image";
        };
    }

    public static UUID modelIdFor(UUID jobId) {
        return UUID.nameUUIDFromBytes(("model:" + jobId).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    public Path modelRoot() {
        return Path.of(config.modelRoot()).toAbsolutePath().normalize();
    }

    public Path checkpointDir(JobRun run) {
        return modelRoot().resolve(run.ownerId().toString()).resolve(modelIdFor(run.jobId()).toString())
                .resolve("checkpoints");
    }

    public JobStore.Outcome execute(JobRun run, RunContext ctx, Function<String, TrainedModel> models) {
        Map<String, Object> request = readRequest(run.request());
        return switch (run.kind()) {
            case "training" -> train(run, request, ctx);
            case "inference" -> infer(run, request, ctx, models);
            case "batch" -> batch(run, request, ctx, models);
            default -> throw new JobInputException("unknown job kind " + run.kind());
        };
    }

    private JobStore.Outcome train(JobRun run, Map<String, Object> request, RunContext ctx) {
        String modelType = run.modelType();
        Path data = path(run.ownerId(), (String) request.get("data_path"));
        UUID modelId = modelIdFor(run.jobId());
        String rel = run.ownerId() + "/" + modelId;
        Path modelDir = modelRoot().resolve(rel);
        long started = System.nanoTime();
        TrainingOutput out = switch (family(modelType)) {
            case "classical" -> TribuoJobs.train(modelId.toString(), modelType, data, modelDir, ctx);
            case "tabular" -> NeuralJobs.tabular(modelId.toString(), modelType, data, modelDir, ctx);
            case "text" -> NeuralJobs.text(modelId.toString(), modelType, data, modelDir, ctx);
            case "chars" -> NeuralJobs.chars(modelId.toString(), modelType, data, modelDir, ctx);
            default -> NeuralJobs.images(modelId.toString(), modelType, data, modelDir, ctx);
        };
        BigDecimal seconds = BigDecimal.valueOf((System.nanoTime() - started) / 1e9).setScale(3, RoundingMode.HALF_UP);
        String framework = Router.framework(run.queue());
        String engine = out.spec().engine();
        Map<String, Object> metrics = new LinkedHashMap<>(out.metrics());
        metrics.put("training_time", seconds.doubleValue());
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("model_id", modelId.toString());
        result.put("model_path", rel);
        result.put("model_file", rel + "/" + out.mainFile());
        result.put("files", out.spec().files());
        result.put("format", out.format());
        result.put("framework", framework);
        result.put("queue", run.queue());
        result.put("engine", engine);
        result.put("architecture", out.spec().architecture());
        result.put("labels", out.spec().labels());
        result.put("metrics", metrics);
        result.putAll(out.extra());
        TrainedModel model = new TrainedModel();
        model.id = modelId.toString();
        model.ownerId = run.ownerId();
        model.jobId = run.jobId();
        model.modelType = modelType;
        model.format = out.format();
        model.architecture = out.spec().architecture();
        model.relPath = rel;
        model.spec = ModelFiles.toJson(out.spec());
        model.createdAt = Instant.now();
        String name = run.description() != null && !run.description().isBlank() ? run.description()
                : modelType + " model";
        ModelTrained announcement = new ModelTrained(modelId, run.ownerId(), run.jobId(),
                name.length() > 200 ? name.substring(0, 200) : name, "1", modelType, framework, engine, out.format(),
                out.spec().architecture(), rel + "/" + out.mainFile(), out.inputShape(), out.inputType(),
                out.spec().labels(), metrics);
        return new JobStore.Outcome(result, model, announcement, seconds);
    }

    private JobStore.Outcome infer(JobRun run, Map<String, Object> request, RunContext ctx,
                                   Function<String, TrainedModel> models) {
        TrainedModel model = models.apply((String) request.get("model_id"));
        Object input = request.get("input_data");
        Map<String, Object> result = predict(run, model, input == null ? "" : input.toString(), ctx);
        ctx.progress(1, 1, Map.of());
        return new JobStore.Outcome(result, null, null, null);
    }

    private Map<String, Object> predict(JobRun run, TrainedModel model, String input, RunContext ctx) {
        if (model == null) {
            throw new JobInputException("model_id names no model of yours");
        }
        ModelSpec spec = ModelFiles.fromJson(model.spec);
        long started = System.nanoTime();
        Map<String, Object> out = Predictions.run(spec, modelRoot().resolve(model.relPath), input,
                p -> path(run.ownerId(), p), ctx);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("model_id", model.id);
        result.put("model_type", model.modelType);
        result.put("engine", spec.engine());
        result.putAll(out);
        result.put("inference_time_ms", Math.round((System.nanoTime() - started) / 1e4) / 100.0);
        return result;
    }

    /**
     * A batch job: {@code parameters.model_id} over {@code parameters.inputs} (a list) or over the rows
     * of {@code parameters.input_source} (a CSV data path), with progress per item.
     */
    private JobStore.Outcome batch(JobRun run, Map<String, Object> request, RunContext ctx,
                                   Function<String, TrainedModel> models) {
        Map<String, Object> params = ctx.parameters();
        Object modelId = params.get("model_id");
        if (modelId == null) {
            throw new JobInputException("a batch job needs parameters.model_id (a model trained by a training job)");
        }
        TrainedModel model = models.apply(modelId.toString());
        List<String> inputs = new ArrayList<>();
        if (params.get("inputs") instanceof List<?> list) {
            list.forEach(o -> inputs.add(String.valueOf(o)));
        } else if (params.get("input_source") != null) {
            Path source = path(run.ownerId(), params.get("input_source").toString());
            var table = dev.ensemble.job.ml.Csv.read(source, 100_000);
            inputs.add(String.join(",", table.header()));
            table.rows().forEach(r -> inputs.add(String.join(",", r)));
            if (!inputs.isEmpty() && inputs.get(0).chars().anyMatch(Character::isLetter)) {
                inputs.remove(0);
            }
        } else {
            throw new JobInputException("a batch job needs parameters.inputs (a list) or parameters.input_source "
                    + "(a data path of yours)");
        }
        List<Object> outputs = new ArrayList<>();
        int total = inputs.size();
        int chunk = Math.max(1, total / 10);
        for (int i = 0; i < total; i += chunk) {
            ctx.checkStopped();
            List<String> part = inputs.subList(i, Math.min(total, i + chunk));
            Map<String, Object> out = predict(run, model, String.join("\n", part), ctx);
            Object preds = out.get("predictions");
            if (preds instanceof List<?> l) {
                outputs.addAll(l);
            } else {
                outputs.add(out);
            }
            ctx.progress(Math.min(total, i + chunk), total, Map.of());
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("model_id", model == null ? null : model.id);
        result.put("items", total);
        result.put("outputs", outputs);
        return new JobStore.Outcome(result, null, null, null);
    }

    private Path path(UUID owner, String dataPath) {
        try {
            return dataPaths.resolve(owner, dataPath, "data_path");
        } catch (ApiException e) {
            throw new JobInputException(e.getMessage());
        }
    }

    static Map<String, Object> readRequest(String json) {
        try {
            return Events.JSON.readValue(json, new TypeReference<Map<String, Object>>() { });
        } catch (Exception e) {
            throw new JobInputException("the job's request is unreadable");
        }
    }
}
