package dev.ensemble.llm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One generation, pulled token by token: each {@link #next()} runs the network for exactly one more
 * token (the prompt is read once, on the first call) and returns the text that became final, so
 * tokens reach the consumer as they are computed and nothing is computed ahead of the consumer. The
 * LSTM state is carried from step to step, so a generation of n tokens costs n single-token steps.
 *
 * <p>Stop sequences: text that could still turn into a stop sequence is held back until it cannot;
 * the stop sequence itself is never returned. Counting: see {@link TokenUsage}.
 *
 * <p>Thread-safety: one consumer thread at a time calls {@link #next()}; {@link #cancel()} may be
 * called from any thread and takes effect before the next token is sampled. Always close it (or
 * run it to the end, which releases its native memory too).
 */
public final class Generation implements AutoCloseable {

    private final LanguageModel model;
    private final GenerationParams params;
    private final Vocabulary vocabulary;
    private final Sampler sampler;
    private final int[] promptIds;
    private final long startNanos = System.nanoTime();

    private NDManager manager;
    private NDArray h;
    private NDArray c;
    private float[] logits;
    private int pendingId = -1;
    private int sampled;
    private final StringBuilder text = new StringBuilder();
    private final StringBuilder returned = new StringBuilder();
    private int delivered;
    private volatile boolean cancelRequested;
    private FinishReason finishReason;
    private long firstTokenNanos = -1;
    private long endNanos = -1;

    Generation(LanguageModel model, String prompt, GenerationParams params) {
        this.model = model;
        this.params = params == null ? GenerationParams.defaults() : params;
        this.vocabulary = model.vocabulary();
        this.promptIds = vocabulary.encode(prompt == null ? "" : prompt);
        if (promptIds.length > model.spec().contextLength()) {
            throw new PromptTooLongException(promptIds.length, model.spec().contextLength());
        }
        long seed = this.params.seed() != null ? this.params.seed() : ThreadLocalRandom.current().nextLong();
        this.sampler = new Sampler(this.params, seed);
    }

    /**
     * Computes the next piece of text; null once the generation has ended (then see
     * {@link #finishReason()} and {@link #usage()}). Usually one token; more when held-back text
     * turned out not to be a stop sequence; the final call may return the held-back rest.
     */
    public synchronized String next() {
        if (finishReason != null) {
            return null;
        }
        try {
            if (manager == null) {
                manager = model.newManager();
                int[] first = promptIds.length > 0 ? promptIds : new int[] {startId()};
                advance(first);
            }
            while (true) {
                if (cancelRequested) {
                    finish(FinishReason.CANCELLED);
                    return null;
                }
                if (sampled >= params.maxTokens()) {
                    String rest = text.substring(delivered);
                    delivered = text.length();
                    finish(FinishReason.LENGTH);
                    return rest.isEmpty() ? null : emit(rest);
                }
                if (pendingId >= 0) {
                    advance(new int[] {pendingId});
                    pendingId = -1;
                }
                int id = sampler.sample(logits);
                sampled++;
                pendingId = id;
                text.append(vocabulary.token(id));

                int stopAt = stopIndex();
                if (stopAt >= 0) {
                    String rest = text.substring(delivered, stopAt);
                    delivered = text.length();
                    finish(FinishReason.STOP);
                    return rest.isEmpty() ? null : emit(rest);
                }
                int end = text.length() - heldBack();
                if (end > delivered) {
                    String piece = text.substring(delivered, end);
                    delivered = end;
                    return emit(piece);
                }
            }
        } catch (RuntimeException e) {
            release();
            throw e;
        }
    }

    /** Asks the generation to stop before it samples another token (any thread). */
    public void cancel() {
        cancelRequested = true;
    }

    /** Why it ended, or null while it runs. */
    public synchronized FinishReason finishReason() {
        return finishReason;
    }

    /** Tokens so far (final once ended). */
    public synchronized TokenUsage usage() {
        return new TokenUsage(promptIds.length, sampled);
    }

    /** The text returned so far. */
    public synchronized String text() {
        return returned.toString();
    }

    /** The result; call after {@link #next()} returned null (or after cancelling). */
    public synchronized GenerationResult result() {
        if (finishReason == null) {
            finish(FinishReason.CANCELLED);
        }
        return new GenerationResult(returned.toString(), finishReason, usage(),
                firstTokenNanos < 0 ? -1 : firstTokenNanos - startNanos, endNanos - startNanos);
    }

    /** Runs to the end, handing each piece to {@code onToken}. */
    public GenerationResult drain(java.util.function.Consumer<String> onToken) {
        try (this) {
            for (String piece = next(); piece != null; piece = next()) {
                onToken.accept(piece);
            }
            return result();
        }
    }

    @Override
    public synchronized void close() {
        if (finishReason == null) {
            finish(FinishReason.CANCELLED);
        }
        release();
    }

    private String emit(String piece) {
        if (firstTokenNanos < 0) {
            firstTokenNanos = System.nanoTime();
        }
        returned.append(piece);
        return piece;
    }

    private void finish(FinishReason reason) {
        finishReason = reason;
        endNanos = System.nanoTime();
        release();
    }

    private void release() {
        if (manager != null) {
            manager.close();
            manager = null;
            h = null;
            c = null;
        }
    }

    private int startId() {
        int nl = vocabulary.id('\n');
        return nl != Vocabulary.UNKNOWN ? nl : 1;
    }

    /** Runs the network over {@code ids}, keeping the state and the last position's logits. */
    private void advance(int[] ids) {
        boolean grad = LanguageModel.GradMode.disable();
        try (NDManager step = manager.newSubManager()) {
            NDList out = model.forward(step, ids, h, c);
            logits = out.get(0).get(0, ids.length - 1).toFloatArray();
            NDArray nh = out.get(1);
            NDArray nc = out.get(2);
            nh.attach(manager);
            nc.attach(manager);
            if (h != null) {
                h.close();
                c.close();
            }
            h = nh;
            c = nc;
        } finally {
            LanguageModel.GradMode.restore(grad);
        }
    }

    /** The start of the earliest complete stop sequence in the undelivered text, or -1. */
    private int stopIndex() {
        int best = -1;
        List<String> stops = params.stop();
        for (String s : stops) {
            int i = text.indexOf(s, delivered);
            if (i >= 0 && (best < 0 || i < best)) {
                best = i;
            }
        }
        return best;
    }

    /** How many trailing characters could still begin a stop sequence. */
    private int heldBack() {
        int held = 0;
        int undelivered = text.length() - delivered;
        for (String s : params.stop()) {
            for (int k = Math.min(s.length() - 1, undelivered); k > held; k--) {
                if (endsWith(s, k)) {
                    held = k;
                    break;
                }
            }
        }
        return held;
    }

    private boolean endsWith(String stop, int k) {
        int start = text.length() - k;
        for (int i = 0; i < k; i++) {
            if (text.charAt(start + i) != stop.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
