package dev.ensemble.job.worker;

import dev.ensemble.events.Topics;
import dev.ensemble.job.TrainedModel;
import dev.ensemble.job.config.JobConfig;
import dev.ensemble.job.ml.JobInputException;
import dev.ensemble.job.ml.JobStoppedException;
import dev.ensemble.job.ml.RunContext;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The worker role: claims due jobs of its queues from the database (highest priority first, then
 * oldest), runs them on its own threads (never an event loop), renews their leases while they run,
 * and puts back jobs whose worker died. Kafka dispatches ({@code jobs.<queue>}) and a timer wake it;
 * the conditional claim makes a redelivered or duplicated dispatch harmless.
 */
@ApplicationScoped
public class JobWorker {

    private static final Logger LOG = Logger.getLogger(JobWorker.class);

    @Inject
    JobConfig config;

    @Inject
    JobStore store;

    @Inject
    JobExecutor executor;

    @Inject
    Vertx vertx;

    private final String workerId = host() + "/" + UUID.randomUUID().toString().substring(0, 8);
    private final Map<UUID, Running> running = new ConcurrentHashMap<>();
    private final AtomicBoolean wakeQueued = new AtomicBoolean();
    private ExecutorService runners;
    private ExecutorService dispatcher;
    private ScheduledExecutorService timer;
    private Semaphore slots;
    private List<String> queues;
    private volatile boolean stopped;

    /** A job this worker runs now. */
    static final class Running {
        final JobRun run;
        final AtomicBoolean stop = new AtomicBoolean();
        volatile boolean crashed;
        volatile String reason;

        Running(JobRun run) {
            this.run = run;
        }
    }

    void start(@Observes StartupEvent event) {
        if (!config.worker().enabled()) {
            LOG.info("job worker role disabled");
            return;
        }
        List<String> configured = config.worker().queues();
        queues = configured.contains("all") ? Topics.JOB_QUEUES : List.copyOf(configured);
        for (String q : queues) {
            if (!Topics.JOB_QUEUES.contains(q)) {
                throw new IllegalStateException("ensemble.jobs.worker.queues names an unknown queue: " + q);
            }
        }
        int concurrency = Math.max(1, config.worker().concurrency());
        slots = new Semaphore(concurrency);
        AtomicInteger n = new AtomicInteger();
        runners = Executors.newFixedThreadPool(concurrency, r -> daemon(r, "job-runner-" + n.incrementAndGet()));
        dispatcher = Executors.newSingleThreadExecutor(r -> daemon(r, "job-dispatcher"));
        timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "job-timer"));
        long poll = config.worker().pollInterval().toMillis();
        timer.scheduleWithFixedDelay(this::tick, poll, poll, TimeUnit.MILLISECONDS);
        long beat = Math.max(200, config.worker().lease().toMillis() / 3);
        timer.scheduleWithFixedDelay(this::heartbeats, beat, beat, TimeUnit.MILLISECONDS);
        LOG.infof("job worker %s on queues %s, %d at a time", workerId, queues, concurrency);
    }

    void stop(@Observes ShutdownEvent event) {
        stopped = true;
        if (runners != null) {
            running.values().forEach(r -> {
                r.reason = "worker shutting down";
                r.stop.set(true);
            });
            timer.shutdownNow();
            dispatcher.shutdownNow();
            runners.shutdown();
            try {
                runners.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public boolean enabled() {
        return runners != null;
    }

    public String workerId() {
        return workerId;
    }

    /** Looks for claimable jobs soon (a dispatch arrived, a slot freed). Coalesces bursts. */
    public void wake() {
        if (dispatcher == null || stopped) {
            return;
        }
        if (wakeQueued.compareAndSet(false, true)) {
            dispatcher.execute(() -> {
                wakeQueued.set(false);
                fill();
            });
        }
    }

    /** Asks the run of {@code jobId} on this worker, if any, to stop at its next batch. */
    public void stopJob(UUID jobId, String reason) {
        Running r = running.get(jobId);
        if (r != null) {
            r.reason = reason;
            r.stop.set(true);
        }
    }

    /**
     * Behaves as if this worker died while running {@code jobId}: the run stops without touching the
     * job row and its lease is no longer renewed, so recovery must hand the job on. For recovery tests.
     */
    public boolean crash(UUID jobId) {
        Running r = running.get(jobId);
        if (r == null) {
            return false;
        }
        r.crashed = true;
        r.stop.set(true);
        return true;
    }

    public boolean isRunning(UUID jobId) {
        return running.containsKey(jobId);
    }

    private void tick() {
        try {
            int requeued = Blocking.await(vertx, store::requeueExpired);
            if (requeued > 0) {
                LOG.infof("requeued %d job(s) whose worker stopped renewing its lease", requeued);
            }
        } catch (RuntimeException e) {
            LOG.warnf("lease sweep failed: %s", e.getMessage());
        }
        wake();
    }

    private void heartbeats() {
        for (Running r : running.values()) {
            if (r.crashed) {
                continue;
            }
            try {
                int n = Blocking.await(vertx, () -> store.heartbeat(r.run.jobId(), workerId, config.worker().lease()));
                if (n == 0) {
                    r.reason = "the job was cancelled or handed to another worker";
                    r.stop.set(true);
                }
            } catch (RuntimeException e) {
                LOG.warnf("heartbeat for job %s failed: %s", r.run.jobId(), e.getMessage());
            }
        }
    }

    private void fill() {
        while (!stopped && slots.tryAcquire()) {
            JobRun run;
            try {
                run = Blocking.await(vertx, () -> store.claimNext(queues, workerId, config.worker().lease()));
            } catch (RuntimeException e) {
                slots.release();
                LOG.warnf("claiming a job failed: %s", e.getMessage());
                return;
            }
            if (run == null) {
                slots.release();
                return;
            }
            Running r = new Running(run);
            running.put(run.jobId(), r);
            runners.execute(() -> {
                try {
                    execute(r);
                } finally {
                    running.remove(run.jobId());
                    slots.release();
                    wake();
                }
            });
        }
    }

    private void execute(Running r) {
        JobRun run = r.run;
        RunContext ctx = context(r);
        try {
            JobStore.Outcome outcome = executor.execute(run, ctx, id -> model(id, run.ownerId()));
            if (r.crashed) {
                return;
            }
            boolean done = Blocking.await(vertx, () -> store.complete(run.jobId(), workerId, outcome));
            if (!done) {
                LOG.infof("job %s finished but was no longer this worker's; result dropped", run.jobId());
            }
        } catch (JobStoppedException e) {
            LOG.infof("job %s stopped: %s", run.jobId(), r.crashed ? "simulated worker death" : r.reason);
        } catch (JobInputException e) {
            if (!r.crashed) {
                finish(run, e.getMessage(), null);
            }
        } catch (RuntimeException | LinkageError e) {
            if (r.crashed) {
                return;
            }
            LOG.warnf(e, "job %s attempt %d failed", run.jobId(), run.attempt());
            String error = e.getClass().getSimpleName() + ": " + e.getMessage();
            Duration retry = run.attempt() < run.maxAttempts()
                    ? config.worker().retryBackoff().multipliedBy(1L << Math.min(10, run.attempt() - 1)) : null;
            finish(run, error, retry);
        }
    }

    private void finish(JobRun run, String error, Duration retry) {
        try {
            Blocking.await(vertx, () -> store.fail(run.jobId(), workerId, error, retry));
        } catch (RuntimeException e) {
            LOG.warnf("recording the failure of job %s failed: %s", run.jobId(), e.getMessage());
        }
    }

    private TrainedModel model(String modelId, UUID owner) {
        if (modelId == null) {
            return null;
        }
        return Blocking.await(vertx, () -> store.model(modelId, owner));
    }

    private RunContext context(Running r) {
        JobRun run = r.run;
        Map<String, Object> request = JobExecutor.readRequest(run.request());
        Object p = "training".equals(run.kind()) ? request.get("hyperparameters") : request.get("parameters");
        @SuppressWarnings("unchecked")
        Map<String, Object> params = p instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
        Path checkpoints = executor.checkpointDir(run);
        return new RunContext() {
            @Override
            public Map<String, Object> parameters() {
                return params;
            }

            @Override
            public void checkStopped() {
                if (r.stop.get() || stopped) {
                    throw new JobStoppedException(r.reason == null ? "stopped" : r.reason);
                }
            }

            @Override
            public void progress(int completed, int total, Map<String, Object> metrics) {
                if (r.crashed) {
                    checkStopped();
                }
                int n = Blocking.await(vertx, () -> store.progress(run.jobId(), workerId, config.worker().lease(),
                        completed, total, metrics));
                if (n == 0) {
                    r.reason = "the job was cancelled or handed to another worker";
                    r.stop.set(true);
                    checkStopped();
                }
            }

            @Override
            public void log(String level, String message) {
                if (!r.crashed) {
                    Blocking.await(vertx, () -> store.log(run.jobId(), level, message));
                }
            }

            @Override
            public Path checkpointDir() {
                return checkpoints;
            }
        };
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "worker";
        }
    }
}
