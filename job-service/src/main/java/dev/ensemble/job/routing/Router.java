package dev.ensemble.job.routing;

import dev.ensemble.events.Topics;
import dev.ensemble.job.config.JobConfig;
import dev.ensemble.web.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The routing table of seed 003, from configuration: (1) {@code framework_override}, (2) model type
 * and whether a GPU is required, (3) the default queue.
 */
@ApplicationScoped
public class Router {

    @Inject
    JobConfig config;

    public record Route(String queue, String framework, String engine) {
    }

    public Set<String> modelTypes() {
        return new TreeSet<>(config.routing().cpu().keySet());
    }

    public Route route(String modelType, boolean gpu, String override) {
        String queue;
        if (override != null && !override.isBlank()) {
            String target = config.routing().overrides().get(override.trim().toLowerCase(Locale.ROOT));
            if (target == null) {
                throw ApiException.badRequest("framework_override", "must be one of "
                        + new TreeSet<>(config.routing().overrides().keySet()));
            }
            queue = target.replace("{device}", gpu ? "gpu" : "cpu");
        } else {
            queue = (gpu ? config.routing().gpu() : config.routing().cpu()).get(modelType);
            if (queue == null) {
                queue = config.routing().defaultQueue();
            }
        }
        if (!Topics.JOB_QUEUES.contains(queue)) {
            throw new IllegalStateException("routing names an unknown queue " + queue);
        }
        return new Route(queue, framework(queue), engine(modelType));
    }

    /** The framework a queue stands for, as the seed names it. */
    public static String framework(String queue) {
        if (queue.startsWith("pytorch")) {
            return "pytorch";
        }
        if (queue.startsWith("tensorflow")) {
            return "tensorflow";
        }
        if (queue.startsWith("sklearn")) {
            return "sklearn";
        }
        return "default";
    }

    /** What actually runs the model type: Java engines stand in for the seed's Python frameworks. */
    public static String engine(String modelType) {
        return switch (modelType == null ? "" : modelType) {
            case "random_forest", "svm", "logistic_regression" -> dev.ensemble.job.ml.TribuoJobs.ENGINE;
            default -> dev.ensemble.job.ml.Djl.ENGINE;
        };
    }
}
