package dev.ensemble.inference.serving;

import org.jboss.logging.Logger;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The work-load manager: models by key, each with its bounded queue and workers, apart from HTTP
 * and from any one kind of model (a {@link Servable} can wrap DJL, Tribuo or a language model).
 * Workers and loads run on the engine's own threads, never on an event loop or the common pool.
 */
public final class ServingEngine implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ServingEngine.class);

    /** What the engine knows about one model right now. */
    public record Status(String state, String error, String runtime, int workers, int queued, BatchPolicy policy,
                         LatencyStats.Snapshot stats) {
        public boolean ready() {
            return "ready".equals(state);
        }
    }

    private final Map<String, ModelWorkers> models = new ConcurrentHashMap<>();
    private final ExecutorService workers;
    private final ExecutorService loaders;
    private final ScheduledExecutorService janitor;

    public ServingEngine(String name, int loadThreads) {
        this.workers = Executors.newCachedThreadPool(threads(name + "-worker", true));
        this.loaders = Executors.newFixedThreadPool(Math.max(1, loadThreads), threads(name + "-loader", true));
        this.janitor = Executors.newSingleThreadScheduledExecutor(threads(name + "-janitor", true));
        janitor.scheduleWithFixedDelay(this::unloadIdle, 5, 5, TimeUnit.SECONDS);
    }

    /**
     * Registers a model (idempotent for a key already present) without loading it; the loader
     * runs on {@link #load} or on the first request.
     */
    public void register(String key, BatchPolicy policy, Callable<Servable> loader) {
        models.computeIfAbsent(key, k -> new ModelWorkers(k, policy, loader, workers));
    }

    public boolean registered(String key) {
        return models.containsKey(key);
    }

    /** Loads a registered model in the background; the future completes once it is ready or failed. */
    public CompletableFuture<Void> load(String key) {
        return find(key).load(loaders);
    }

    /** Unloads a model but keeps it registered; its next request loads it again. */
    public void unload(String key) {
        ModelWorkers m = models.get(key);
        if (m != null) {
            m.unload();
        }
    }

    /** Unloads and forgets a model. */
    public void remove(String key) {
        ModelWorkers m = models.remove(key);
        if (m != null) {
            m.unload();
        }
    }

    public void policy(String key, BatchPolicy policy) {
        find(key).policy(policy);
    }

    /**
     * Queues rows for prediction. Fails fast with {@link ServingException} when the model is
     * unknown, failed, or its queue is full; the future fails when the run fails.
     */
    public CompletableFuture<Tensor> predict(String key, Tensor input) {
        return find(key).submit(input, loaders);
    }

    public Optional<Status> status(String key) {
        ModelWorkers m = models.get(key);
        if (m == null) {
            return Optional.empty();
        }
        return Optional.of(new Status(m.state().name().toLowerCase(), m.error(), m.runtime(), m.workers(), m.queued(),
                m.policy(), m.stats.snapshot()));
    }

    public int loadedCount() {
        return (int) models.values().stream().filter(m -> m.state() == ModelWorkers.State.READY).count();
    }

    private ModelWorkers find(String key) {
        ModelWorkers m = models.get(key);
        if (m == null) {
            throw new ServingException(ServingException.Reason.UNKNOWN_MODEL, "model " + key + " is not registered");
        }
        return m;
    }

    private void unloadIdle() {
        long now = System.nanoTime();
        for (ModelWorkers m : models.values()) {
            long idle = m.policy().unloadIdle().toNanos();
            if (idle > 0 && m.state() == ModelWorkers.State.READY && m.queued() == 0 && now - m.lastUsedNanos > idle) {
                LOG.infof("unloading idle model %s", m.key);
                m.unload();
            }
        }
    }

    @Override
    public void close() {
        janitor.shutdownNow();
        models.values().forEach(ModelWorkers::unload);
        models.clear();
        workers.shutdown();
        // Queued loads are dropped; a load in progress finishes and closes what it opened, so no
        // native engine is still working while the JVM exits.
        loaders.shutdownNow();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
            loaders.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ThreadFactory threads(String prefix, boolean daemon) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(daemon);
            return t;
        };
    }
}
