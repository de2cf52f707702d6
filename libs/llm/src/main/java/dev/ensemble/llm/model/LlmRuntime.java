package dev.ensemble.llm.model;

import ai.djl.Device;
import ai.djl.engine.Engine;

/**
 * Process-wide DJL settings for the language model: offline mode (nothing is ever downloaded) and
 * the PyTorch thread counts. Call {@link #configure} before the first model is created; the
 * properties only take effect when the engine loads. CPU is the default device; a GPU is purely a
 * configuration choice ({@link #device(String)}).
 */
public final class LlmRuntime {

    /** The DJL engine this library runs on. */
    public static final String ENGINE = "PyTorch";

    private LlmRuntime() {
    }

    /**
     * Sets offline mode and, where not already set, the PyTorch intra-op and inter-op thread
     * counts ({@code ai.djl.pytorch.num_threads}, {@code ai.djl.pytorch.num_interop_threads}).
     *
     * @param intraOpThreads threads inside one operator (1 on small machines); 0 leaves the default
     * @param interOpThreads threads across operators (1 on small machines); 0 leaves the default
     */
    public static void configure(int intraOpThreads, int interOpThreads) {
        setIfAbsent("ai.djl.offline", "true");
        if (intraOpThreads > 0) {
            setIfAbsent("ai.djl.pytorch.num_threads", Integer.toString(intraOpThreads));
        }
        if (interOpThreads > 0) {
            setIfAbsent("ai.djl.pytorch.num_interop_threads", Integer.toString(interOpThreads));
        }
    }

    /** The PyTorch engine (loads the native library on first use). */
    public static Engine engine() {
        return Engine.getEngine(ENGINE);
    }

    /**
     * The device named by configuration: {@code cpu} (default, also for null/blank), {@code gpu} or
     * {@code gpu:N}. A GPU that the engine cannot see falls back to the CPU rather than failing.
     */
    public static Device device(String name) {
        if (name == null || name.isBlank() || name.equalsIgnoreCase("cpu")) {
            return Device.cpu();
        }
        Device wanted = Device.fromName(name.toLowerCase(java.util.Locale.ROOT));
        if (wanted.isGpu() && engine().getGpuCount() <= wanted.getDeviceId()) {
            return Device.cpu();
        }
        return wanted;
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
