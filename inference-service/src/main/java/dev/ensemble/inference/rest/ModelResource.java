package dev.ensemble.inference.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ensemble.inference.Model;
import dev.ensemble.inference.config.InferenceConfig;
import dev.ensemble.inference.models.Inputs;
import dev.ensemble.inference.models.ModelFormat;
import dev.ensemble.inference.models.ModelRegistry;
import dev.ensemble.inference.models.ModelServing;
import dev.ensemble.inference.models.ModelStorage;
import dev.ensemble.inference.models.ServedModel;
import dev.ensemble.inference.models.UsageRecorder;
import dev.ensemble.inference.serving.LatencyStats;
import dev.ensemble.inference.serving.ServingEngine;
import dev.ensemble.web.ApiException;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** AIServe.Farm's model serving and Ai-semble's model management, on the caller's own models. */
@Path("/api/v1/models")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed("user")
public class ModelResource {

    @Inject
    JsonWebToken jwt;

    @Inject
    InferenceConfig config;

    @Inject
    ModelRegistry registry;

    @Inject
    ModelServing serving;

    @Inject
    ModelStorage storage;

    @Inject
    ModelUploads uploads;

    @Inject
    ModelViews views;

    @Inject
    UsageRecorder usage;

    @GET
    public Uni<Map<String, Object>> list(@QueryParam("limit") @DefaultValue("50") int limit,
                                         @QueryParam("offset") @DefaultValue("0") int offset,
                                         @HeaderParam(ModelViews.DIALECT) String dialect) {
        if (limit < 1 || limit > config.maxPageSize()) {
            throw ApiException.badRequest("limit", "must be between 1 and " + config.maxPageSize());
        }
        if (offset < 0) {
            throw ApiException.badRequest("offset", "must not be negative");
        }
        boolean aisemble = "aisemble".equalsIgnoreCase(dialect);
        return registry.list(owner(), limit, offset).map(page -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("models", page.models().stream().map(m -> aisemble ? views.aisemble(m) : views.canonical(m)).toList());
            body.put("count", page.total());
            body.put("total", page.total());
            body.put("limit", limit);
            body.put("offset", offset);
            return body;
        });
    }

    @GET
    @Path("/formats")
    @PermitAll
    public Map<String, Object> formats() {
        List<Map<String, Object>> formats = Arrays.stream(ModelFormat.values()).map(f -> {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("format", f.id);
            v.put("extensions", f.extensions);
            v.put("framework", f.framework);
            v.put("engine", f.engine);
            v.put("runtime", f.runtime);
            v.put("aliases", f.aliases);
            v.put("description", f.description);
            return v;
        }).toList();
        return Map.of("formats", formats, "count", formats.size());
    }

    @POST
    @Path("/upload")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    public Uni<Response> upload(@RestForm("model") FileUpload file, @RestForm("name") String name,
                                @RestForm("format") String format, @RestForm("framework") String framework,
                                @RestForm("version") String version, @RestForm("gpu_required") String gpuRequired,
                                @RestForm("gpu_type") String gpuType, @RestForm("input_shape") String inputShape,
                                @RestForm("architecture") String architecture, @RestForm("labels") String labels,
                                @RestForm("batch_size") String batchSize,
                                @RestForm("max_batch_delay_ms") String maxBatchDelayMs,
                                @RestForm("min_workers") String minWorkers, @RestForm("max_workers") String maxWorkers) {
        ModelUploads.Form form = new ModelUploads.Form(file, name, format, framework, version, gpuRequired, gpuType,
                inputShape, architecture, labels, batchSize, maxBatchDelayMs, minWorkers, maxWorkers);
        return uploads.upload(owner(), form).map(m -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("model_id", m.id);
            body.put("id", m.id);
            body.put("name", m.name);
            body.put("format", m.format);
            body.put("version", m.version);
            body.put("endpoint", ModelViews.endpoint(m));
            body.put("status", Model.LOADING);
            body.put("size_bytes", m.sizeBytes);
            body.put("message", "Model uploaded successfully and loading");
            return Response.status(201).entity(body).build();
        });
    }

    @GET
    @Path("/{id}")
    public Uni<Map<String, Object>> get(@PathParam("id") String id, @HeaderParam(ModelViews.DIALECT) String dialect) {
        return registry.findOwned(owner(), parse(id))
                .map(m -> "aisemble".equalsIgnoreCase(dialect) ? views.aisemble(m) : views.canonical(m));
    }

    @DELETE
    @Path("/{id}")
    public Uni<Map<String, Object>> delete(@PathParam("id") String id) {
        UUID modelId = parse(id);
        UUID owner = owner();
        return registry.findOwned(owner, modelId)
                .call(m -> registry.delete(owner, modelId))
                .call(m -> dev.ensemble.web.Offload.blocking(() -> {
                    serving.remove(modelId);
                    storage.delete(m.storagePath);
                    return true;
                }))
                .map(m -> Map.of("message", "Model deleted successfully", "model_id", modelId));
    }

    @POST
    @Path("/{id}/predict")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Map<String, Object>> predict(@PathParam("id") String id, JsonNode body) {
        long t0 = System.nanoTime();
        UUID modelId = parse(id);
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest("inputs", "expected a JSON object {\"inputs\": ..., \"parameters\": ...}");
        }
        JsonNode parameters = body.get("parameters");
        if (parameters != null && !parameters.isNull() && !parameters.isObject()) {
            throw ApiException.badRequest("parameters", "expected an object");
        }
        return servedModel(modelId).chain(sm -> {
            Inputs.Parsed in = Inputs.parse(body.get("inputs"), sm, config.serving().maxRowsPerRequest());
            return usage.metered(sm, in.tensor().rows(), t0, serving.predict(sm, in.tensor()))
                    .onFailure().transform(ServingErrors::map)
                    .map(out -> {
                        double ms = (System.nanoTime() - t0) / 1e6;
                        ObjectNode outputs = Inputs.outputs(out, in.single(), sm.labels());
                        Map<String, Object> r = new LinkedHashMap<>();
                        r.put("model_id", sm.id);
                        r.put("outputs", outputs);
                        r.put("latency_ms", ModelViews.round(ms));
                        r.put("metadata", Map.of("format", sm.format.id, "runtime", sm.format.runtime,
                                "version", sm.version, "used_gpu", sm.onGpu()));
                        return r;
                    });
        });
    }

    @GET
    @Path("/{id}/metrics")
    public Uni<Map<String, Object>> metrics(@PathParam("id") String id) {
        return registry.findOwned(owner(), parse(id)).map(m -> {
            ModelViews.Totals t = views.totals(m);
            LatencyStats.Snapshot s = serving.status(m.id).map(ServingEngine.Status::stats).orElse(null);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("model_id", m.id);
            r.put("name", m.name);
            r.put("total_requests", t.requests());
            r.put("average_latency", t.averageMs());
            r.put("p50_latency", s == null ? 0.0 : ModelViews.round(s.p50Ms()));
            r.put("p95_latency", s == null ? 0.0 : ModelViews.round(s.p95Ms()));
            r.put("p99_latency", s == null ? 0.0 : ModelViews.round(s.p99Ms()));
            r.put("error_rate", ModelViews.round(t.errorRate()));
            r.put("status", views.status(m));
            r.put("replicas", views.replicas(m));
            serving.status(m.id).ifPresent(st -> {
                r.put("queued", st.queued());
                r.put("batch_size", st.policy().batchSize());
                r.put("max_batch_delay_ms", st.policy().maxBatchDelay().toMillis());
            });
            return r;
        });
    }

    @POST
    @Path("/{id}/load")
    public Uni<Map<String, Object>> load(@PathParam("id") String id, JsonNode body) {
        boolean force = false;
        if (body != null && !body.isNull()) {
            if (!body.isObject()) {
                throw ApiException.badRequest("body", "expected an object {\"force_reload\": false, \"gpu_device\": 0}");
            }
            JsonNode f = body.get("force_reload");
            if (f != null && !f.isNull() && !f.isBoolean()) {
                throw ApiException.badRequest("force_reload", "expected a boolean");
            }
            force = f != null && f.asBoolean(false);
            JsonNode g = body.get("gpu_device");
            if (g != null && !g.isNull() && (!g.canConvertToInt() || !g.isIntegralNumber() || g.asInt() < 0)) {
                throw ApiException.badRequest("gpu_device", "expected a non-negative integer");
            }
        }
        boolean reload = force;
        return registry.findOwned(owner(), parse(id)).chain(m -> dev.ensemble.web.Offload.blocking(() -> {
            serving.register(m);
            String before = views.status(m);
            boolean already = Model.READY.equals(before) && !reload;
            if (reload) {
                serving.unload(m.id);
            }
            if (!already) {
                serving.load(m.id);
            }
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("model_id", m.id);
            r.put("status", already ? "loaded" : Model.LOADING);
            r.put("estimated_time", already ? 0 : Math.max(1, m.sizeBytes / (100L << 20) + 1));
            r.put("message", already ? "Model already loaded" : "Model loading initiated");
            return r;
        }));
    }

    @POST
    @Path("/{id}/unload")
    public Uni<Map<String, Object>> unload(@PathParam("id") String id) {
        return registry.findOwned(owner(), parse(id)).chain(m -> dev.ensemble.web.Offload.blocking(() -> {
            serving.register(m);
            serving.unload(m.id);
            return Map.<String, Object>of("model_id", m.id, "status", Model.UNLOADED, "message", "Model unloaded");
        }));
    }

    /** Batching and scaling of one model, changed without a reload. */
    @PUT
    @Path("/{id}/config")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Map<String, Object>> configure(@PathParam("id") String id, JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest("body", "expected an object with batch_size, max_batch_delay_ms, min_workers, max_workers");
        }
        Integer batch = ModelUploads.intField(body, "batch_size", 1, config.serving().maxBatchSize());
        Integer delay = ModelUploads.intField(body, "max_batch_delay_ms", 0, 1000);
        Integer min = ModelUploads.intField(body, "min_workers", 0, config.serving().maxWorkersLimit());
        Integer max = ModelUploads.intField(body, "max_workers", 1, config.serving().maxWorkersLimit());
        return registry.updateBatching(owner(), parse(id), batch, delay, min, max).map(m -> {
            serving.policy(m);
            return views.canonical(m);
        });
    }

    @GET
    @Path("/{id}/performance")
    public Uni<Map<String, Object>> performance(@PathParam("id") String id) {
        return registry.findOwned(owner(), parse(id)).map(m -> {
            ModelViews.Totals t = views.totals(m);
            LatencyStats.Snapshot s = serving.status(m.id).map(ServingEngine.Status::stats).orElse(null);
            Map<String, Object> perf = new LinkedHashMap<>();
            perf.put("requests_total", t.requests());
            perf.put("avg_response_time", ModelViews.round(t.averageMs() / 1000.0));
            perf.put("p95_response_time", s == null ? 0.0 : ModelViews.round(s.p95Ms() / 1000.0));
            perf.put("success_rate", ModelViews.round(100.0 * (1 - t.errorRate())));
            perf.put("error_rate", ModelViews.round(100.0 * t.errorRate()));
            perf.put("throughput_per_hour", s == null ? 0 : ModelViews.perHour(s));
            int cores = Runtime.getRuntime().availableProcessors();
            double cpu = s == null ? 0 : 100.0 * s.busySeconds() / Math.max(1e-9, s.upSeconds()) / cores;
            Map<String, Object> resources = new LinkedHashMap<>();
            boolean loaded = Model.READY.equals(views.status(m));
            resources.put("memory_mb", loaded ? ModelViews.round(m.sizeBytes / 1048576.0) : 0.0);
            resources.put("gpu_memory_mb", 0);
            resources.put("cpu_percent", ModelViews.round(cpu));
            resources.put("process_cpu_percent", ModelViews.round(processCpu()));
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("model_id", m.id);
            r.put("status", views.status(m));
            r.put("performance_metrics", perf);
            r.put("resource_usage", resources);
            return r;
        });
    }

    private static double processCpu() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            double load = os.getProcessCpuLoad();
            return load < 0 ? 0 : load * 100;
        }
        return 0;
    }

    /** The model from the serving cache (ownership checked there) or, first time, from the database. */
    private Uni<ServedModel> servedModel(UUID modelId) {
        UUID owner = owner();
        var cached = serving.served(modelId);
        if (cached.isPresent()) {
            if (!cached.get().ownerId.equals(owner)) {
                throw ApiException.notFound("model " + modelId);
            }
            return Uni.createFrom().item(cached.get());
        }
        return registry.findOwned(owner, modelId).map(m -> serving.register(ServingErrors.servable(m)));
    }

    private UUID owner() {
        return UUID.fromString(jwt.getSubject());
    }

    static UUID parse(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound("model " + id.substring(0, Math.min(id.length(), 64)));
        }
    }
}
