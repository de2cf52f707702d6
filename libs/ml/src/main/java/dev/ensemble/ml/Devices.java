package dev.ensemble.ml;

import ai.djl.Device;
import ai.djl.engine.Engine;

import java.util.Locale;

/** Where a model runs: the configured device when the engine has it, the CPU otherwise. */
public final class Devices {

    private Devices() {
    }

    /**
     * @param configured {@code cpu} (or blank), {@code gpu} or {@code gpu:N}
     * @param engine     a DJL engine name ({@code PyTorch}, {@code OnnxRuntime})
     * @return the GPU asked for when {@code engine} sees it (a CUDA build of its native library on a
     * GPU node), the CPU otherwise
     * @throws IllegalArgumentException when {@code configured} names no device
     */
    public static Device resolve(String configured, String engine) {
        String name = configured == null ? "" : configured.trim().toLowerCase(Locale.ROOT);
        if (name.isEmpty() || name.equals("cpu")) {
            return Device.cpu();
        }
        if (!name.matches("gpu(:\\d{1,3})?")) {
            throw new IllegalArgumentException("device must be cpu, gpu or gpu:N, got '" + configured + "'");
        }
        Device wanted = Device.gpu(name.equals("gpu") ? 0 : Integer.parseInt(name.substring(4)));
        int gpus;
        try {
            gpus = Engine.getEngine(engine).getGpuCount();
        } catch (RuntimeException e) {
            return Device.cpu(); // the engine is not on the class path or cannot start: nothing to place on a GPU
        }
        return gpus > wanted.getDeviceId() ? wanted : Device.cpu();
    }
}
