package dev.ensemble.events;

import java.util.ArrayList;
import java.util.List;

/** Every Kafka topic of the suite: {@code <domain>.<what>}, with {@code <topic>.dlq} beside each consumed one. */
public final class Topics {

    public static final String USER_EVENTS = "user.events";
    public static final String JOB_EVENTS = "job.events";
    public static final String JOB_CONTROL = "job.control";
    public static final String MODEL_EVENTS = "model.events";
    public static final String USAGE_EVENTS = "usage.events";
    public static final String GPU_EVENTS = "gpu.events";
    public static final String BILLING_EVENTS = "billing.events";

    /** The framework queues of the job routing table; each is the topic {@code jobs.<queue>}. */
    public static final List<String> JOB_QUEUES = List.of(
            "pytorch-2.1-gpu", "pytorch-2.1-cpu", "pytorch-1.13-gpu", "tensorflow-2.13-gpu",
            "tensorflow-2.13-cpu", "sklearn-cpu", "default");

    private Topics() {
    }

    public static String jobQueue(String queue) {
        return "jobs." + queue;
    }

    public static String dlq(String topic) {
        return topic + ".dlq";
    }

    /** All topics the launcher and the tests create up front, dead-letter topics included. */
    public static List<String> all() {
        List<String> base = new ArrayList<>(List.of(USER_EVENTS, JOB_EVENTS, JOB_CONTROL, MODEL_EVENTS,
                USAGE_EVENTS, GPU_EVENTS, BILLING_EVENTS));
        JOB_QUEUES.forEach(q -> base.add(jobQueue(q)));
        List<String> all = new ArrayList<>(base);
        base.forEach(t -> all.add(dlq(t)));
        return List.copyOf(all);
    }
}
