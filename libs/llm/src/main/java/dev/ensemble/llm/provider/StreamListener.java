package dev.ensemble.llm.provider;

/**
 * Receives one streamed answer. Calls are serial (never two at once) but may come from different
 * threads. Exactly one of {@link #onComplete} or {@link #onError} ends every stream, also a
 * cancelled one ({@code onComplete} with finish reason {@code cancelled}).
 */
public interface StreamListener {

    /** A piece of content, in order, as soon as it is produced. */
    void onToken(String text);

    /** The stream ended normally (or was cancelled by the consumer). */
    void onComplete(StreamEnd end);

    /**
     * The stream failed. When {@code partial.pieces() > 0} the consumer already has tokens and the
     * error is {@link LlmException.Kind#STREAM_INTERRUPTED} (or a timeout): send a final error event.
     */
    void onError(LlmException error, StreamEnd partial);
}
