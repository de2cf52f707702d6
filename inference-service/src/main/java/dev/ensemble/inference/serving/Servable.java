package dev.ensemble.inference.serving;

/**
 * A loaded model the engine can serve: shared, read-only state (weights, a native session) from
 * which each worker thread takes a {@link Runner} of its own.
 */
public interface Servable extends AutoCloseable {

    /** The runtime that executes it ({@code onnxruntime}, {@code pytorch}, {@code tribuo}). */
    String runtime();

    /** A runner for one worker thread; called on that thread. */
    Runner newRunner() throws Exception;

    @Override
    void close();

    /** One worker's predictor: runs whole batches, one tensor in and one tensor out. */
    interface Runner extends AutoCloseable {
        Tensor run(Tensor batch) throws Exception;

        @Override
        void close();
    }
}
