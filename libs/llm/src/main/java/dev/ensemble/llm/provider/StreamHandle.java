package dev.ensemble.llm.provider;

import java.util.concurrent.CompletableFuture;

/** A running stream: cancel it, or wait for its end. */
public interface StreamHandle {

    /** Stops the stream (no more tokens are produced; the listener gets {@code onComplete} with {@code cancelled}). */
    void cancel();

    /** Completes with the stream's end, normal, cancelled or failed (never exceptionally). */
    CompletableFuture<StreamEnd> done();
}
