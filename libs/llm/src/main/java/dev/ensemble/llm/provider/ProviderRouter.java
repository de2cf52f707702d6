package dev.ensemble.llm.provider;

import dev.ensemble.llm.wire.ChatCompletion;
import dev.ensemble.llm.wire.ChatCompletionRequest;
import dev.ensemble.llm.wire.Completion;
import dev.ensemble.llm.wire.CompletionRequest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Routes each request to the backends serving its model: orders them by the {@link Strategy} and
 * fails over to the next one when a backend fails before the first token with a failure that
 * allows it ({@link LlmException#failover()}: connection errors, 429, 5xx, timeouts, upstream
 * credential problems; never the client's own bad request). Once a token was delivered, a failure
 * goes to the listener as it is. Each backend does its own retries first.
 *
 * <p>Thread-safe. Latency for {@link Strategy#LOWEST_LATENCY} is an exponentially weighted mean of
 * the time to the first token (streams) or to the answer (non-streamed calls); a failure counts as
 * a 10 s sample, and a backend not measured yet sorts first so that every one gets measured.
 */
public final class ProviderRouter implements ChatBackend {

    /** How to order several backends that serve one model. */
    public enum Strategy {
        /** Always in configuration order; the others are fallbacks. */
        FIRST,
        /** Rotate the starting backend per model. */
        ROUND_ROBIN,
        /** The lowest observed latency first. */
        LOWEST_LATENCY;

        /** {@code first}, {@code round-robin}, {@code lowest-latency} (any case, - or _). */
        public static Strategy parse(String s) {
            try {
                return valueOf(s.strip().toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("unknown routing strategy '" + s + "': use first, round-robin or lowest-latency");
            }
        }
    }

    private static final double ALPHA = 0.3;
    private static final long FAILURE_SAMPLE_NANOS = 10_000_000_000L;

    private final List<ChatBackend> backends;
    private final Strategy strategy;
    private final Map<String, AtomicInteger> turns = new ConcurrentHashMap<>();
    private final Map<String, Double> latency = new ConcurrentHashMap<>();

    public ProviderRouter(List<? extends ChatBackend> backends, Strategy strategy) {
        this.backends = List.copyOf(backends);
        this.strategy = strategy == null ? Strategy.FIRST : strategy;
    }

    /** Upstream providers from configuration, plus any extra backends (e.g. the local model) first. */
    public static ProviderRouter of(List<ProviderConfig> providers, Strategy strategy, ChatBackend... extra) {
        List<ChatBackend> all = new ArrayList<>(List.of(extra));
        providers.forEach(p -> all.add(new OpenAiProvider(p)));
        return new ProviderRouter(all, strategy);
    }

    @Override
    public String name() {
        return "router";
    }

    @Override
    public List<String> models() {
        LinkedHashSet<String> all = new LinkedHashSet<>();
        backends.forEach(b -> all.addAll(b.models()));
        return List.copyOf(all);
    }

    public Strategy strategy() {
        return strategy;
    }

    /** The backends for {@code model}, in the order they would be tried now (advances round robin). */
    public List<ChatBackend> candidates(String model) {
        List<ChatBackend> serving = backends.stream().filter(b -> b.serves(model)).toList();
        if (serving.isEmpty()) {
            throw new LlmException(LlmException.Kind.UNKNOWN_MODEL, null, "the model '" + model + "' does not exist or is not served here");
        }
        if (serving.size() == 1) {
            return serving;
        }
        return switch (strategy) {
            case FIRST -> serving;
            case ROUND_ROBIN -> {
                int start = Math.floorMod(turns.computeIfAbsent(model, k -> new AtomicInteger()).getAndIncrement(), serving.size());
                List<ChatBackend> rotated = new ArrayList<>(serving.subList(start, serving.size()));
                rotated.addAll(serving.subList(0, start));
                yield rotated;
            }
            case LOWEST_LATENCY -> serving.stream()
                    .sorted(Comparator.comparingDouble(b -> latency.getOrDefault(b.name(), 0.0)))
                    .toList();
        };
    }

    /** The smoothed latency of a backend in milliseconds, or -1 when not measured. */
    public double latencyMillis(String backend) {
        Double l = latency.get(backend);
        return l == null ? -1 : l / 1e6;
    }

    @Override
    public ChatCompletion chat(ChatCompletionRequest request) {
        return call(request.model(), b -> b.chat(request));
    }

    @Override
    public Completion complete(CompletionRequest request) {
        return call(request.model(), b -> b.complete(request));
    }

    @Override
    public StreamHandle streamChat(ChatCompletionRequest request, StreamListener listener) {
        return new RoutedStream(candidates(request.model()), listener, b -> l -> b.streamChat(request, l)).start();
    }

    @Override
    public StreamHandle streamCompletion(CompletionRequest request, StreamListener listener) {
        return new RoutedStream(candidates(request.model()), listener, b -> l -> b.streamCompletion(request, l)).start();
    }

    @Override
    public void close() {
        backends.forEach(ChatBackend::close);
    }

    private <T> T call(String model, Function<ChatBackend, T> fn) {
        List<ChatBackend> candidates = candidates(model);
        LlmException last = null;
        for (ChatBackend b : candidates) {
            long start = System.nanoTime();
            try {
                T result = fn.apply(b);
                record(b, System.nanoTime() - start);
                return result;
            } catch (LlmException e) {
                if (!e.failover()) {
                    throw e;
                }
                record(b, FAILURE_SAMPLE_NANOS);
                last = e;
            }
        }
        throw last;
    }

    private void record(ChatBackend b, long nanos) {
        latency.merge(b.name(), (double) nanos, (old, sample) -> old * (1 - ALPHA) + sample * ALPHA);
    }

    /** Starts a stream on one backend. */
    @FunctionalInterface
    private interface Starter {
        StreamHandle start(StreamListener listener);
    }

    /** One stream over the candidates: the next one is started when the current fails before its first token. */
    private final class RoutedStream implements StreamHandle, StreamListener {
        private final List<ChatBackend> candidates;
        private final StreamListener listener;
        private final Function<ChatBackend, Starter> starter;
        private final CompletableFuture<StreamEnd> done = new CompletableFuture<>();
        private int index;
        private long startNanos;
        private boolean gotToken;
        private boolean cancelled;
        private StreamHandle current;

        RoutedStream(List<ChatBackend> candidates, StreamListener listener, Function<ChatBackend, Starter> starter) {
            this.candidates = candidates;
            this.listener = listener;
            this.starter = starter;
        }

        /**
         * Starts on the first candidate that accepts the call; a failure found before anything
         * started (a prompt too long, a busy local model) is thrown to the caller, unless another
         * candidate may take it.
         */
        RoutedStream start() {
            while (true) {
                ChatBackend b = candidates.get(index);
                startNanos = System.nanoTime();
                try {
                    StreamHandle h = starter.apply(b).start(this);
                    boolean cancelNow;
                    synchronized (this) {
                        if (current == null) {
                            current = h;
                        }
                        cancelNow = cancelled;
                    }
                    if (cancelNow) {
                        h.cancel();
                    }
                    return this;
                } catch (LlmException e) {
                    if (!e.failover() || index + 1 >= candidates.size()) {
                        throw e;
                    }
                    record(b, FAILURE_SAMPLE_NANOS);
                    index++;
                }
            }
        }

        private void attempt() {
            ChatBackend b;
            synchronized (this) {
                if (cancelled) {
                    return;
                }
                b = candidates.get(index);
                startNanos = System.nanoTime();
            }
            try {
                StreamHandle h = starter.apply(b).start(this);
                boolean cancelNow;
                synchronized (this) {
                    current = h;
                    cancelNow = cancelled;
                }
                if (cancelNow) {
                    h.cancel();
                }
            } catch (LlmException e) {
                onError(e, new StreamEnd(b.name(), null, "error", null, false, 0, "", -1));
            }
        }

        @Override
        public synchronized void onToken(String text) {
            if (!gotToken) {
                gotToken = true;
                record(candidates.get(index), System.nanoTime() - startNanos);
            }
            listener.onToken(text);
        }

        @Override
        public void onComplete(StreamEnd end) {
            try {
                listener.onComplete(end);
            } finally {
                done.complete(end);
            }
        }

        @Override
        public void onError(LlmException error, StreamEnd partial) {
            boolean next;
            synchronized (this) {
                next = !gotToken && !cancelled && error.failover() && partial.pieces() == 0 && index + 1 < candidates.size();
                if (!gotToken) {
                    record(candidates.get(index), FAILURE_SAMPLE_NANOS);
                }
                if (next) {
                    index++;
                }
            }
            if (next) {
                attempt();
                return;
            }
            try {
                listener.onError(error, partial);
            } finally {
                done.complete(partial);
            }
        }

        @Override
        public void cancel() {
            StreamHandle h;
            synchronized (this) {
                cancelled = true;
                h = current;
            }
            if (h != null) {
                h.cancel();
            }
        }

        @Override
        public CompletableFuture<StreamEnd> done() {
            return done;
        }
    }
}
