package dev.ensemble.inference.serving;

import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One model inside the engine: its bounded queue, its workers (each owning a runner) and its
 * state. Workers take a first request, gather more up to the batch size within the batch delay,
 * run them as one tensor and hand each request its own rows of the answer.
 */
final class ModelWorkers {

    private static final Logger LOG = Logger.getLogger(ModelWorkers.class);
    private static final long POLL_SLICE_MS = 250;

    enum State { UNLOADED, LOADING, READY, FAILED }

    private record Job(Tensor input, CompletableFuture<Tensor> result, long enqueuedNanos) {
    }

    final String key;
    final LatencyStats stats = new LatencyStats();
    private final Callable<Servable> loader;
    private final ExecutorService threads;
    private volatile BatchPolicy policy;
    private volatile BlockingQueue<Job> queue;
    private volatile State state = State.UNLOADED;
    private volatile String error;
    private volatile Servable servable;
    private volatile CompletableFuture<Void> loading;
    private volatile long generation;
    private final AtomicInteger workers = new AtomicInteger();
    private final AtomicInteger pending = new AtomicInteger();
    volatile long lastUsedNanos = System.nanoTime();

    ModelWorkers(String key, BatchPolicy policy, Callable<Servable> loader, ExecutorService threads) {
        this.key = key;
        this.policy = policy;
        this.loader = loader;
        this.threads = threads;
        this.queue = new ArrayBlockingQueue<>(policy.queueCapacity());
    }

    State state() {
        return state;
    }

    String error() {
        return error;
    }

    BatchPolicy policy() {
        return policy;
    }

    int workers() {
        return workers.get();
    }

    int queued() {
        return queue.size();
    }

    String runtime() {
        Servable s = servable;
        return s == null ? null : s.runtime();
    }

    /** Changes batching and scaling; takes effect for the next batch (queue capacity on reload). */
    void policy(BatchPolicy policy) {
        this.policy = policy;
    }

    /** Loads the model unless it is loaded or loading; the future completes when it is ready or failed. */
    synchronized CompletableFuture<Void> load(ExecutorService loaders) {
        if (state == State.READY || state == State.LOADING) {
            return loading != null ? loading : CompletableFuture.completedFuture(null);
        }
        state = State.LOADING;
        error = null;
        long gen = ++generation;
        if (queue.remainingCapacity() + queue.size() != policy.queueCapacity()) {
            queue = new ArrayBlockingQueue<>(policy.queueCapacity());
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        loading = done;
        loaders.execute(() -> {
            try {
                Servable loaded = loader.call();
                synchronized (this) {
                    if (gen != generation || state != State.LOADING) {
                        loaded.close();
                        done.complete(null);
                        return;
                    }
                    servable = loaded;
                    state = State.READY;
                }
                int start = Math.max(1, Math.min(policy.minWorkers(), policy.maxWorkers()));
                for (int i = 0; i < start; i++) {
                    spawn(gen, true);
                }
                done.complete(null);
            } catch (Throwable e) {
                String reason = describe(e);
                LOG.warnf("model %s failed to load: %s", key, reason);
                synchronized (this) {
                    if (gen == generation) {
                        state = State.FAILED;
                        error = reason;
                    }
                }
                failQueued(new ServingException(ServingException.Reason.NOT_LOADED, "model failed to load: " + reason));
                done.complete(null);
            }
        });
        return done;
    }

    /** Stops the workers, fails what waits, and closes the model once the last worker is done. */
    void unload() {
        Servable toClose = null;
        synchronized (this) {
            generation++;
            state = State.UNLOADED;
            if (workers.get() == 0) {
                toClose = servable;
                servable = null;
            }
        }
        failQueued(new ServingException(ServingException.Reason.NOT_LOADED, "model was unloaded"));
        if (toClose != null) {
            toClose.close();
        }
    }

    /** Queues a request; loads the model first when it is unloaded (lazy loading). */
    CompletableFuture<Tensor> submit(Tensor input, ExecutorService loaders) {
        State s = state;
        if (s == State.FAILED) {
            throw new ServingException(ServingException.Reason.NOT_LOADED, "model failed to load: " + error);
        }
        if (s == State.UNLOADED) {
            load(loaders);
        }
        lastUsedNanos = System.nanoTime();
        CompletableFuture<Tensor> result = new CompletableFuture<>();
        pending.incrementAndGet();
        if (!queue.offer(new Job(input, result, System.nanoTime()))) {
            pending.decrementAndGet();
            throw new ServingException(ServingException.Reason.OVERLOADED,
                    "model " + key + " has " + policy.queueCapacity() + " requests waiting; retry shortly");
        }
        if (state == State.READY) {
            int w = workers.get();
            if (w == 0 || (queue.size() > 1 && w < policy.maxWorkers())) {
                spawn(generation, false);
            }
        }
        return result;
    }

    private void spawn(long gen, boolean force) {
        while (true) {
            int w = workers.get();
            if (w >= policy.maxWorkers() && !(force && w == 0)) {
                return;
            }
            if (workers.compareAndSet(w, w + 1)) {
                break;
            }
        }
        try {
            threads.execute(() -> work(gen));
        } catch (RuntimeException e) {
            workers.decrementAndGet();
        }
    }

    private void work(long gen) {
        Servable model = servable;
        Servable.Runner runner = null;
        boolean retired = false;
        try {
            if (model == null) {
                return;
            }
            runner = model.newRunner();
            long lastWork = System.nanoTime();
            Job carry = null;
            while (gen == generation) {
                BatchPolicy p = policy;
                Job first = carry != null ? carry : queue.poll(POLL_SLICE_MS, TimeUnit.MILLISECONDS);
                carry = null;
                if (first == null) {
                    if (System.nanoTime() - lastWork > p.workerIdle().toNanos() && retire(p)) {
                        retired = true;
                        return;
                    }
                    continue;
                }
                List<Job> batch = new ArrayList<>();
                batch.add(first);
                int rows = first.input.rows();
                long deadline = System.nanoTime() + p.maxBatchDelay().toNanos();
                while (rows < p.batchSize()) {
                    Job next = queue.poll();
                    if (next == null && pending.get() > batch.size()) {
                        // Others are in flight: a short wait fills the batch.
                        long left = deadline - System.nanoTime();
                        if (left > 0) {
                            next = queue.poll(left, TimeUnit.NANOSECONDS);
                        }
                    }
                    if (next == null) {
                        break;
                    }
                    if (rows + next.input.rows() > p.batchSize() || !sameRowShape(first, next)) {
                        carry = next;
                        break;
                    }
                    batch.add(next);
                    rows += next.input.rows();
                }
                run(runner, batch);
                lastWork = System.nanoTime();
            }
            if (carry != null) {
                carry.result.completeExceptionally(new ServingException(ServingException.Reason.NOT_LOADED,
                        "model was unloaded"));
                pending.decrementAndGet();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable e) {
            LOG.warnf("worker of %s stopped: %s", key, describe(e));
        } finally {
            if (runner != null) {
                try {
                    runner.close();
                } catch (RuntimeException ignored) {
                    // nothing more to do for a runner that fails to close
                }
            }
            exited(retired);
        }
    }

    private static boolean sameRowShape(Job a, Job b) {
        return java.util.Arrays.equals(a.input.rowShape(), b.input.rowShape());
    }

    /** Gives up this worker's slot if more than the minimum are running; true when it did. */
    private boolean retire(BatchPolicy p) {
        int w = workers.get();
        return w > Math.max(1, p.minWorkers()) && workers.compareAndSet(w, w - 1);
    }

    private void exited(boolean alreadyCounted) {
        Servable toClose = null;
        synchronized (this) {
            int left = alreadyCounted ? workers.get() : workers.decrementAndGet();
            if (left == 0 && state == State.UNLOADED && servable != null) {
                toClose = servable;
                servable = null;
            }
        }
        if (toClose != null) {
            toClose.close();
        }
    }

    private void run(Servable.Runner runner, List<Job> batch) {
        long t0 = System.nanoTime();
        try {
            Tensor out = runner.run(Tensor.concat(batch.stream().map(Job::input).toList()));
            int expected = batch.stream().mapToInt(j -> j.input.rows()).sum();
            if (out.rows() != expected) {
                throw new ServingException(ServingException.Reason.FAILED,
                        "model answered " + out.rows() + " rows for " + expected);
            }
            int at = 0;
            for (Job job : batch) {
                int n = job.input.rows();
                complete(job, out.slice(at, at + n), null);
                at += n;
            }
        } catch (Throwable e) {
            if (batch.size() > 1) {
                // One bad request must not fail its neighbours: run them one by one.
                for (Job job : batch) {
                    run(runner, List.of(job));
                }
                return;
            }
            complete(batch.get(0), null, e);
        } finally {
            stats.addBusy(System.nanoTime() - t0);
        }
    }

    private void complete(Job job, Tensor out, Throwable error) {
        pending.decrementAndGet();
        double ms = (System.nanoTime() - job.enqueuedNanos) / 1e6;
        if (error == null) {
            stats.record(ms, false);
            job.result.complete(out);
        } else {
            stats.record(ms, true);
            job.result.completeExceptionally(error instanceof ServingException se ? se
                    : new ServingException(ServingException.Reason.FAILED, describe(error), error));
        }
    }

    private void failQueued(ServingException e) {
        for (Job job; (job = queue.poll()) != null; ) {
            pending.decrementAndGet();
            job.result.completeExceptionally(e);
        }
    }

    static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage() != null ? root.getMessage() : e.getMessage();
        if (m == null || m.isBlank()) {
            m = root.getClass().getSimpleName();
        }
        m = m.strip();
        return m.length() > 500 ? m.substring(0, 500) : m;
    }
}
