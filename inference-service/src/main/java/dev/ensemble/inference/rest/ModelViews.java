package dev.ensemble.inference.rest;

import dev.ensemble.inference.Model;
import dev.ensemble.inference.models.ModelServing;
import dev.ensemble.inference.models.Shapes;
import dev.ensemble.inference.models.UsageRecorder;
import dev.ensemble.inference.serving.LatencyStats;
import dev.ensemble.inference.serving.ServingEngine;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The JSON shapes of a model: canonical (a superset of AIServe.Farm's) and Ai-semble's. */
@ApplicationScoped
public class ModelViews {

    public static final String DIALECT = "X-Ensemble-Dialect";

    @Inject
    ModelServing serving;

    @Inject
    UsageRecorder usage;

    /** Live status: the engine's while it knows the model, otherwise the row's. */
    public String status(Model m) {
        return serving.status(m.id).map(ServingEngine.Status::state)
                .filter(s -> !"unloaded".equals(s) || !Model.FAILED.equals(m.status))
                .orElse(m.status);
    }

    public int replicas(Model m) {
        return serving.status(m.id).map(ServingEngine.Status::workers).orElse(0);
    }

    public record Totals(long requests, long errors, double averageMs) {
        double errorRate() {
            return requests == 0 ? 0 : (double) errors / requests;
        }
    }

    public Totals totals(Model m) {
        long[] pending = usage.unflushed(m.id);
        long requests = m.totalRequests + pending[0];
        long errors = m.totalErrors + pending[1];
        double latency = m.totalLatencyMs + usage.unflushedLatency(m.id);
        return new Totals(requests, errors, requests == 0 ? 0 : round(latency / requests));
    }

    public Map<String, Object> canonical(Model m) {
        Totals t = totals(m);
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", m.id);
        v.put("model_id", m.id);
        v.put("name", m.name);
        v.put("format", m.format);
        v.put("version", m.version);
        v.put("framework", m.framework);
        v.put("status", status(m));
        v.put("error", serving.status(m.id).map(ServingEngine.Status::error).orElse(m.error));
        v.put("endpoint", endpoint(m));
        v.put("engine", m.engine);
        v.put("source", m.source);
        v.put("size_bytes", m.sizeBytes);
        v.put("gpu_required", m.gpuRequired);
        v.put("gpu_type", m.gpuType);
        v.put("input_shape", Shapes.list(serving.served(m.id).map(s -> s.inputRowShape())
                .orElseGet(() -> safeShape(m.inputShape))));
        v.put("replicas", replicas(m));
        v.put("total_requests", t.requests());
        v.put("average_latency", t.averageMs());
        v.put("error_rate", round(t.errorRate()));
        v.put("batching", Map.of("batch_size", m.batchSize, "max_batch_delay_ms", m.maxBatchDelayMs,
                "min_workers", m.minWorkers, "max_workers", m.maxWorkers));
        v.put("created_at", m.createdAt);
        v.put("updated_at", m.updatedAt);
        v.values().removeIf(java.util.Objects::isNull);
        return v;
    }

    /** Ai-semble's model entry: {@code status} is {@code loaded} for a ready model; times in seconds. */
    public Map<String, Object> aisemble(Model m) {
        Map<String, Object> v = canonical(m);
        String status = status(m);
        v.put("status", Model.READY.equals(status) ? "loaded" : status);
        v.put("type", "custom_model");
        v.put("capabilities", m.labels != null ? List.of("prediction", "classification") : List.of("prediction"));
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("format", m.format);
        params.put("input_shape", v.get("input_shape"));
        params.put("batch_size", m.batchSize);
        v.put("parameters", params);
        Optional<LatencyStats.Snapshot> s = serving.status(m.id).map(ServingEngine.Status::stats);
        Totals t = totals(m);
        v.put("performance", Map.of("avg_response_time", round(t.averageMs() / 1000.0),
                "requests_per_hour", s.map(ModelViews::perHour).orElse(0L)));
        return v;
    }

    static long perHour(LatencyStats.Snapshot s) {
        return Math.round(s.requests() / Math.max(1.0, s.upSeconds()) * 3600);
    }

    static String endpoint(Model m) {
        return "/api/v1/models/" + m.id + "/predict";
    }

    public static double round(double d) {
        return Math.round(d * 1000.0) / 1000.0;
    }

    private static long[] safeShape(String s) {
        try {
            return Shapes.parse(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
