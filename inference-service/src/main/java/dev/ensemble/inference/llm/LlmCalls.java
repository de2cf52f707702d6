package dev.ensemble.inference.llm;

import dev.ensemble.billing.client.SpendingGuard;
import dev.ensemble.llm.provider.LlmException;
import dev.ensemble.llm.provider.LocalChatBackend;
import dev.ensemble.llm.provider.StreamEnd;
import dev.ensemble.llm.provider.StreamHandle;
import dev.ensemble.llm.provider.StreamListener;
import dev.ensemble.llm.wire.ChatChunks;
import dev.ensemble.llm.wire.ChatCompletionRequest;
import dev.ensemble.llm.wire.ChatMessage;
import dev.ensemble.llm.wire.CompletionRequest;
import dev.ensemble.llm.wire.WireValidationException;
import dev.ensemble.web.ApiException;
import dev.ensemble.web.ErrorCode;
import dev.ensemble.web.Offload;
import dev.ensemble.web.Problem;
import jakarta.enterprise.context.ApplicationScoped;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * Every generation of the service goes through here: the size checks, the backend (router over
 * the local model and the upstream providers), and the token accounting of {@link LlmUsage}, so
 * REST, SSE, WebSocket and swarm steps count tokens alike, also for a stream that was cancelled or
 * failed half-way. Generations always run as streams (non-streamed answers collect them), so a
 * client that goes away cancels the work it asked for.
 */
@ApplicationScoped
public class LlmCalls {

    private static final Logger LOG = Logger.getLogger(LlmCalls.class);

    /** How long billing holds a generation's estimate if it is never settled (a crash). */
    static final Duration HOLD_TTL = Duration.ofMinutes(15);

    @Inject
    LlmEngine engine;

    @Inject
    LlmUsage usage;

    @Inject
    SpendingGuard guard;

    /**
     * Billing's hold on a generation: the caller's bearer token, with or without its {@code Bearer }
     * prefix (billing acts as the caller), and the
     * reservation, or {@link #NONE} when nothing is held (guardrails off, a free model, no token).
     */
    public record Hold(String bearer, UUID reservation) {
    }

    public static final Hold NONE = new Hold(null, null);

    /**
     * Reserves the largest cost a generation can have (every prompt character and {@code maxTokens}
     * completion tokens at the model's price) before it starts; fails with billing's 402
     * ({@code SPENDING_LIMIT}, {@code INSUFFICIENT_CREDITS}) when a limit would be passed, or 503 when
     * billing cannot be asked (never let through unchecked). Checks that fail on their own (model
     * warming up, prompt too large, unknown model) come first and hold nothing. Completes on the
     * caller's Vert.x context.
     */
    public Uni<Hold> hold(String bearer, String promptField, String model, long promptChars, int maxTokens) {
        try {
            checkPromptChars(promptField, promptChars);
            if (!engine.config().guardrailsEnabled() || bearer == null || bearer.isBlank()
                    || !engine.backend().models().contains(model)) {
                return Uni.createFrom().item(NONE);
            }
        } catch (RuntimeException e) {
            return Uni.createFrom().failure(e);
        }
        BigDecimal estimate = engine.cost(model, promptChars + Math.max(0, maxTokens));
        if (estimate.signum() <= 0) {
            return Uni.createFrom().item(NONE);
        }
        return guard.reserve(bearer, estimate, engine.config().currency(), purpose(model), null, HOLD_TTL)
                .map(r -> new Hold(bearer, r.reservationId()));
    }

    /** Billing's {@code purpose} of a hold: {@code llm:<model>} in the characters billing accepts, at most 64. */
    static String purpose(String model) {
        String p = "llm:" + model.replaceAll("[^A-Za-z0-9_.:-]", "-");
        return p.length() <= 64 ? p : p.substring(0, 64);
    }

    /** The hold of a chat request (all messages, {@code max_tokens} or the chat default). */
    public Uni<Hold> hold(String bearer, ChatCompletionRequest request) {
        // the content, plus what the chat template adds around each message ("User: ", line breaks)
        long chars = contentChars(request) + (long) TEMPLATE_CHARS_PER_MESSAGE * request.messages().size();
        return hold(bearer, "messages", request.model(), chars, request.maxTokensOr(LocalChatBackend.DEFAULT_CHAT_MAX_TOKENS));
    }

    /** The hold of a text completion. */
    public Uni<Hold> hold(String bearer, CompletionRequest request) {
        return hold(bearer, "prompt", request.model(), request.prompt() == null ? 0 : request.prompt().length(),
                request.maxTokensOr(CompletionRequest.DEFAULT_MAX_TOKENS));
    }

    /** Prompt tokens a chat template adds per message (the local model's "System: ", "User: ", "Assistant: " and line breaks). */
    static final int TEMPLATE_CHARS_PER_MESSAGE = 16;


    /** How a collected generation ended: {@code end} always, {@code error} when it failed. */
    public record Outcome(StreamEnd end, LlmException error, BigDecimal cost, long elapsedNanos) {
        public String text() {
            return end.text() == null ? "" : end.text();
        }

        public int promptTokens() {
            return end.usage() == null ? 0 : end.usage().promptTokens();
        }

        public int completionTokens() {
            return end.usage() == null ? 0 : end.usage().completionTokens();
        }

        public int totalTokens() {
            return promptTokens() + completionTokens();
        }
    }

    /** A started generation: cancel it, or wait for its outcome. */
    public record Running(StreamHandle handle, CompletableFuture<Outcome> outcome) {
    }

    /** Checks a chat request beyond the wire rules: prompt size. */
    public void checkSize(ChatCompletionRequest request) {
        checkPromptChars("messages", contentChars(request));
    }

    /** The characters of all the messages' content. */
    static long contentChars(ChatCompletionRequest request) {
        long chars = 0;
        for (ChatMessage m : request.messages()) {
            chars += m.content() == null ? 0 : m.content().length();
        }
        return chars;
    }

    public void checkPromptChars(String field, long chars) {
        int max = engine.config().maxPromptChars();
        if (chars > max) {
            throw new ApiException(413, ErrorCode.PAYLOAD_TOO_LARGE, field + ": the prompt has " + chars
                    + " characters; at most " + max + " are accepted", List.of(new Problem.FieldError(field,
                    "at most " + max + " characters")));
        }
    }

    /**
     * Starts a streamed chat; the listener gets the tokens and the end, after the usage is recorded.
     * Failures found before anything started (unknown model, prompt too long, busy) are thrown as
     * {@link LlmException}; the engine not being ready as a 503 {@link ApiException}.
     */
    public Running streamChat(UUID owner, ChatCompletionRequest request, String requestId, StreamListener listener) {
        return streamChat(owner, NONE, request, requestId, listener);
    }

    /** The same, under billing's hold (from {@link #hold}), which the usage settles or which is released. */
    public Running streamChat(UUID owner, Hold hold, ChatCompletionRequest request, String requestId,
                              StreamListener listener) {
        try {
            checkSize(request);
        } catch (RuntimeException e) {
            release(hold);
            throw e;
        }
        Accounting acc = new Accounting(owner, hold, request.model(), requestId, listener);
        StreamHandle h;
        try {
            h = engine.backend().streamChat(request, acc);
        } catch (RuntimeException e) {
            release(hold);
            throw e;
        }
        return new Running(h, acc.outcome);
    }

    /** Starts a streamed text completion. */
    public Running streamCompletion(UUID owner, CompletionRequest request, String requestId, StreamListener listener) {
        return streamCompletion(owner, NONE, request, requestId, listener);
    }

    /** The same, under billing's hold. */
    public Running streamCompletion(UUID owner, Hold hold, CompletionRequest request, String requestId,
                                    StreamListener listener) {
        try {
            checkPromptChars("prompt", request.prompt().length());
        } catch (RuntimeException e) {
            release(hold);
            throw e;
        }
        Accounting acc = new Accounting(owner, hold, request.model(), requestId, listener);
        StreamHandle h;
        try {
            h = engine.backend().streamCompletion(request, acc);
        } catch (RuntimeException e) {
            release(hold);
            throw e;
        }
        return new Running(h, acc.outcome);
    }

    /** A chat collected into one answer. */
    public Running chat(UUID owner, Hold hold, ChatCompletionRequest request, String requestId) {
        return streamChat(owner, hold, request, requestId, NOOP);
    }

    /** A text completion collected into one answer. */
    public Running complete(UUID owner, Hold hold, CompletionRequest request, String requestId) {
        return streamCompletion(owner, hold, request, requestId, NOOP);
    }

    /** Drops a hold whose generation never started or used nothing; billing's answer does not matter. */
    void release(Hold hold) {
        if (hold == null || hold.reservation() == null) {
            return;
        }
        guard.release(hold.bearer(), hold.reservation()).subscribe().with(r -> {
        }, e -> LOG.debugf("releasing hold %s: %s (it expires on its own)", hold.reservation(), e.getMessage()));
    }

    /**
     * The outcome as a Uni delivered on the caller's Vert.x context (where the resource's request
     * lives); cancelling the Uni cancels the generation.
     */
    public static Uni<Outcome> await(Running run) {
        return Offload.onCaller(Uni.createFrom().completionStage(run.outcome())
                .onCancellation().invoke(() -> run.handle().cancel()));
    }

    /** A new completion id for usage references. */
    public static String newReference() {
        return ChatChunks.newId("gen-");
    }

    /** The problem a library failure is answered with on the canonical API. */
    public static ApiException toApi(RuntimeException e) {
        if (e instanceof ApiException a) {
            return a;
        }
        if (e instanceof WireValidationException w) {
            String field = w.param() == null ? "body" : w.param();
            return new ApiException(400, "invalid_json".equals(w.code()) ? ErrorCode.MALFORMED_JSON : ErrorCode.VALIDATION_ERROR,
                    w.getMessage(), List.of(new Problem.FieldError(field, w.getMessage())));
        }
        if (e instanceof LlmException l) {
            String code = switch (l.kind()) {
                case UNKNOWN_MODEL -> ErrorCode.NOT_FOUND;
                case INVALID_REQUEST, PROMPT_TOO_LONG -> ErrorCode.VALIDATION_ERROR;
                case RATE_LIMITED -> ErrorCode.RATE_LIMITED;
                case TIMEOUT -> ErrorCode.UPSTREAM_TIMEOUT;
                case UNAVAILABLE, CANCELLED -> ErrorCode.SERVICE_UNAVAILABLE;
                default -> ErrorCode.BAD_GATEWAY;
            };
            int status = l.httpStatus() == 499 ? 503 : l.httpStatus();
            ApiException a = new ApiException(status, code, l.getMessage());
            if (status == 503 || status == 429) {
                a.withHeader("Retry-After", "1");
            }
            return a;
        }
        return new ApiException(500, ErrorCode.INTERNAL_ERROR, "the generation failed");
    }

    private static final StreamListener NOOP = new StreamListener() {
        @Override
        public void onToken(String text) {
        }

        @Override
        public void onComplete(StreamEnd end) {
        }

        @Override
        public void onError(LlmException error, StreamEnd partial) {
        }
    };

    /** Records the usage of the stream it wraps before passing its end on. */
    private final class Accounting implements StreamListener {
        final UUID owner;
        final Hold hold;
        final String model;
        final String requestId;
        final StreamListener next;
        final String reference = newReference();
        final long start = System.nanoTime();
        final CompletableFuture<Outcome> outcome = new CompletableFuture<>();

        Accounting(UUID owner, Hold hold, String model, String requestId, StreamListener next) {
            this.owner = owner;
            this.hold = hold == null ? NONE : hold;
            this.model = model;
            this.requestId = requestId;
            this.next = next;
        }

        @Override
        public void onToken(String text) {
            next.onToken(text);
        }

        /** Records the usage (whose event settles the hold); a generation that used nothing releases it. */
        BigDecimal account(StreamEnd end) {
            BigDecimal cost = usage.record(owner, model, end.provider(), end.usage(), reference, hold.reservation(),
                    requestId);
            if (end.usage() == null || end.usage().promptTokens() + end.usage().completionTokens() == 0) {
                release(hold);
            }
            return cost;
        }

        @Override
        public void onComplete(StreamEnd end) {
            BigDecimal cost = account(end);
            try {
                next.onComplete(end);
            } finally {
                outcome.complete(new Outcome(end, null, cost, System.nanoTime() - start));
            }
        }

        @Override
        public void onError(LlmException error, StreamEnd partial) {
            BigDecimal cost = account(partial);
            try {
                next.onError(error, partial);
            } finally {
                outcome.complete(new Outcome(partial, error, cost, System.nanoTime() - start));
            }
        }
    }
}
