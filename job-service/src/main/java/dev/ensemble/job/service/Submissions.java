package dev.ensemble.job.service;

import dev.ensemble.job.dataset.DataPaths;
import dev.ensemble.job.routing.Router;
import dev.ensemble.web.ApiException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** Turns submission bodies into validated, routed drafts (checks that touch the file system run off the event loop). */
@ApplicationScoped
public class Submissions {

    static final int MAX_TEXT = 100_000;

    @Inject
    Router router;

    @Inject
    DataPaths dataPaths;

    @Inject
    JobService jobs;

    public Uni<JobService.Draft> training(UUID owner, JobRequests.Training body) {
        if (body == null) {
            throw ApiException.badRequest("body", "a JSON object is required");
        }
        String type = body.modelType() == null ? null : body.modelType().trim().toLowerCase(java.util.Locale.ROOT);
        if (type == null || type.isEmpty()) {
            throw ApiException.badRequest("model_type", "is required; one of " + router.modelTypes());
        }
        if (!router.modelTypes().contains(type)) {
            throw ApiException.badRequest("model_type", "unknown model type '" + clip(type) + "'; one of "
                    + router.modelTypes());
        }
        if (body.dataPath() == null || body.dataPath().isBlank()) {
            throw ApiException.badRequest("data_path", "is required");
        }
        checkLength("description", body.description(), 2000);
        int priority = JobService.priority(body.priority());
        var scheduled = JobService.scheduledAt(body.scheduledAt());
        boolean gpu = Boolean.TRUE.equals(body.requiresGpu());
        Router.Route route = router.route(type, gpu, body.frameworkOverride());
        Map<String, Object> hyper = body.hyperparameters() == null ? Map.of() : body.hyperparameters();
        checkJsonSize("hyperparameters", hyper);
        checkHyperparameters(hyper);
        return dev.ensemble.web.Offload.blocking(() -> {
            Path data = dataPaths.resolve(owner, body.dataPath(), "data_path");
            String family = JobService.modelFamily(type);
            if ("image".equals(family) && !Files.isDirectory(data)) {
                throw ApiException.badRequest("data_path", "a " + type + " model trains on a folder of class folders "
                        + "of images (upload a zip)");
            }
            if (!"image".equals(family) && !"chars".equals(family) && !Files.isRegularFile(data)) {
                throw ApiException.badRequest("data_path", "a " + type + " model trains on a CSV file");
            }
            Map<String, Object> request = new LinkedHashMap<>();
            request.put("model_type", type);
            request.put("data_path", body.dataPath().trim());
            request.put("hyperparameters", hyper);
            request.put("description", body.description());
            request.put("requires_gpu", gpu);
            request.put("framework_override", body.frameworkOverride());
            return new JobService.Draft("training", "training", null, null, route.queue(), route.framework(), type,
                    JobExecuteEstimates.modelIdFor(), body.description(), request, priority, scheduled,
                    JobExecuteEstimates.training(type, hyper));
        });
    }

    public Uni<JobService.Draft> inference(UUID owner, JobRequests.Inference body) {
        if (body == null) {
            throw ApiException.badRequest("body", "a JSON object is required");
        }
        if (body.modelId() == null || body.modelId().isBlank()) {
            throw ApiException.badRequest("model_id", "is required");
        }
        if (body.inputData() == null || body.inputData().isEmpty()) {
            throw ApiException.badRequest("input_data", "is required");
        }
        checkLength("model_id", body.modelId(), 100);
        checkLength("input_data", body.inputData(), MAX_TEXT);
        int priority = JobService.priority(body.priority());
        var scheduled = JobService.scheduledAt(body.scheduledAt());
        Map<String, Object> params = body.parameters() == null ? Map.of() : body.parameters();
        checkJsonSize("parameters", params);
        return jobs.model(owner, body.modelId().trim()).map(model -> {
            if (model == null) {
                throw new ApiException(404, dev.ensemble.web.ErrorCode.NOT_FOUND, "model " + clip(body.modelId())
                        + " not found; train one with POST /api/v1/jobs/training",
                        java.util.List.of(new dev.ensemble.web.Problem.FieldError("model_id", "no such model")));
            }
            Router.Route route = router.route(model.modelType, Boolean.TRUE.equals(params.get("requires_gpu")), null);
            Map<String, Object> request = new LinkedHashMap<>();
            request.put("model_id", model.id);
            request.put("input_data", body.inputData());
            request.put("parameters", params);
            return new JobService.Draft("inference", "inference", null, null, route.queue(), route.framework(),
                    model.modelType, model.id, null, request, priority, scheduled, 10);
        });
    }

    public JobService.Draft batch(JobRequests.Batch body) {
        if (body == null) {
            throw ApiException.badRequest("body", "a JSON object is required");
        }
        if (body.name() == null || body.name().isBlank()) {
            throw ApiException.badRequest("name", "is required");
        }
        if (body.type() == null || body.type().isBlank()) {
            throw ApiException.badRequest("type", "is required (e.g. batch_processing)");
        }
        checkLength("name", body.name(), 200);
        checkLength("type", body.type(), 100);
        checkLength("service", body.service(), 100);
        int priority = JobService.priority(body.priority());
        var scheduled = JobService.scheduledAt(body.scheduledAt());
        Map<String, Object> params = body.parameters() == null ? Map.of() : body.parameters();
        checkJsonSize("parameters", params);
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("name", body.name());
        request.put("type", body.type());
        request.put("service", body.service());
        request.put("parameters", params);
        String queue = router.route(null, false, "default").queue();
        Object modelId = params.get("model_id");
        return new JobService.Draft("batch", body.type().trim(), body.name().trim(), body.service(), queue,
                Router.framework(queue), null, modelId == null ? null : clip(modelId.toString()), null, request,
                priority, scheduled, 60);
    }

    /** The ranges the trainers accept, checked up front so that a bad value is a 400, not a failed job. */
    static void checkHyperparameters(Map<String, Object> hyper) {
        dev.ensemble.job.ml.RunContext probe = new dev.ensemble.job.ml.RunContext() {
            public Map<String, Object> parameters() {
                return hyper;
            }

            public void checkStopped() {
            }

            public void progress(int completed, int total, Map<String, Object> metrics) {
            }

            public void log(String level, String message) {
            }

            public java.nio.file.Path checkpointDir() {
                return null;
            }
        };
        String field = null;
        try {
            field = "epochs";
            probe.intParam("epochs", 1, 1, 500);
            field = "batch_size";
            probe.intParam("batch_size", 1, 1, 4096);
            field = "learning_rate";
            probe.doubleParam("learning_rate", 0.001, 1e-6, 1.0);
            field = "n_estimators";
            probe.intParam("n_estimators", 1, 1, 1000);
            field = "max_depth";
            probe.intParam("max_depth", 1, 1, 64);
            field = "random_state";
            probe.intParam("random_state", 0, 0, Integer.MAX_VALUE);
            field = "test_size";
            probe.doubleParam("test_size", 0.2, 0.05, 0.5);
            field = "image_size";
            probe.intParam("image_size", 32, 8, 64);
        } catch (dev.ensemble.job.ml.JobInputException e) {
            throw ApiException.badRequest("hyperparameters." + field, e.getMessage());
        }
    }

    static void checkLength(String field, String value, int max) {
        if (value != null && value.length() > max) {
            throw ApiException.badRequest(field, "must be at most " + max + " characters");
        }
    }

    static void checkJsonSize(String field, Map<String, Object> value) {
        if (JobService.json(value).length() > 64_000) {
            throw ApiException.badRequest(field, "is too large (64 kB at most)");
        }
    }

    static String clip(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }
}
