package dev.ensemble.llm.model;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A single-subscriber {@link Flow.Publisher} over one {@link Generation}: it computes a token only
 * when there is demand, on the given executor, one drain loop at a time.
 */
public final class GenerationPublisher implements Flow.Publisher<String> {

    private final Generation generation;
    private final Executor executor;
    private final CompletableFuture<GenerationResult> result = new CompletableFuture<>();
    private final AtomicBoolean subscribed = new AtomicBoolean();

    GenerationPublisher(Generation generation, Executor executor) {
        this.generation = generation;
        this.executor = executor;
    }

    /** Completes when the generation ends (normally, cancelled, or with the error). */
    public CompletableFuture<GenerationResult> result() {
        return result;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super String> subscriber) {
        if (!subscribed.compareAndSet(false, true)) {
            subscriber.onSubscribe(new Flow.Subscription() {
                @Override public void request(long n) { }
                @Override public void cancel() { }
            });
            subscriber.onError(new IllegalStateException("this publisher allows one subscriber"));
            return;
        }
        subscriber.onSubscribe(new Subscription(subscriber));
    }

    private final class Subscription implements Flow.Subscription {
        private final Flow.Subscriber<? super String> subscriber;
        private final AtomicLong demand = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean();
        private volatile boolean done;

        Subscription(Flow.Subscriber<? super String> subscriber) {
            this.subscriber = subscriber;
        }

        @Override
        public void request(long n) {
            if (done) {
                return;
            }
            if (n <= 0) {
                fail(new IllegalArgumentException("request must be positive (rule 3.9)"));
                return;
            }
            demand.getAndAccumulate(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
            schedule();
        }

        @Override
        public void cancel() {
            if (!done) {
                done = true;
                generation.cancel();
                // finish on the executor so that the native state is released by one thread only
                executor.execute(this::closeCancelled);
            }
        }

        private void closeCancelled() {
            generation.close();
            result.complete(generation.result());
        }

        private void schedule() {
            if (running.compareAndSet(false, true)) {
                executor.execute(this::drain);
            }
        }

        private void drain() {
            try {
                while (!done && demand.get() > 0) {
                    String piece = generation.next();
                    if (piece == null) {
                        done = true;
                        GenerationResult r = generation.result();
                        generation.close();
                        subscriber.onComplete();
                        result.complete(r);
                        return;
                    }
                    demand.decrementAndGet();
                    subscriber.onNext(piece);
                }
            } catch (RuntimeException e) {
                fail(e);
                return;
            } finally {
                running.set(false);
            }
            if (!done && demand.get() > 0) {
                schedule();
            }
        }

        private void fail(Throwable e) {
            done = true;
            generation.close();
            subscriber.onError(e);
            result.completeExceptionally(e);
        }
    }
}
