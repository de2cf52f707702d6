package dev.ensemble.infra;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Stopping processes we started: politely first, then for good. */
public final class Processes {

    private Processes() {
    }

    /** Sends SIGTERM, waits up to {@code grace}, then SIGKILL. Children are stopped first. */
    public static void stop(ProcessHandle handle, Duration grace) {
        if (!handle.isAlive()) {
            return;
        }
        handle.destroy();
        try {
            handle.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            handle.descendants().forEach(ProcessHandle::destroyForcibly);
            handle.destroyForcibly();
        }
    }
}
