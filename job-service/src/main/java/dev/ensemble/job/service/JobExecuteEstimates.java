package dev.ensemble.job.service;

import dev.ensemble.job.worker.JobExecutor;

import java.util.Map;

/** Rough duration estimates for the seeds' {@code estimated_duration}, from the model family and epochs. */
final class JobExecuteEstimates {

    private JobExecuteEstimates() {
    }

    /** Training jobs get their model id when the model is written; none is known at submit time. */
    static String modelIdFor() {
        return null;
    }

    static int training(String modelType, Map<String, Object> hyper) {
        int epochs = hyper.get("epochs") instanceof Number n ? Math.max(1, Math.min(500, n.intValue())) : 5;
        return switch (JobExecutor.family(modelType)) {
            case "classical" -> 30;
            case "tabular" -> 10 + epochs * 2;
            case "text", "chars" -> 15 + epochs * 10;
            default -> 20 + epochs * 15;
        };
    }
}
