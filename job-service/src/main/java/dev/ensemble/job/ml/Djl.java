package dev.ensemble.job.ml;

/**
 * DJL settings that must be in place before the engine loads: offline (nothing fetched at run time),
 * no tracking, and one intra-op and one inter-op thread (several jobs share a small machine; measured
 * 2.3x faster training than the defaults on 2 cores). Explicit system properties win.
 */
public final class Djl {

    public static final String ENGINE = "pytorch-2.7.1 (DJL 0.35.1)";

    private Djl() {
    }

    public static synchronized void configure() {
        setIfAbsent("ai.djl.offline", "true");
        setIfAbsent("OPT_OUT_TRACKING", "true");
        setIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
        setIfAbsent("ai.djl.pytorch.num_threads", "1");
        setIfAbsent("ai.djl.default_engine", "PyTorch");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
