package dev.ensemble.inference.serving;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * One model's request counters since it was registered on this replica, and the latencies of its
 * most recent requests (a ring of {@value #WINDOW}) from which percentiles are read.
 */
public final class LatencyStats {

    static final int WINDOW = 4096;

    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final DoubleAdder latencyMs = new DoubleAdder();
    private final AtomicLong busyNanos = new AtomicLong();
    private final double[] ring = new double[WINDOW];
    private long written;
    private final long startedNanos = System.nanoTime();

    public record Snapshot(long requests, long errors, double averageMs, double p50Ms, double p95Ms, double p99Ms,
                           double busySeconds, double upSeconds) {
        public double errorRate() {
            return requests == 0 ? 0 : (double) errors / requests;
        }
    }

    public void record(double ms, boolean error) {
        requests.incrementAndGet();
        if (error) {
            errors.incrementAndGet();
        }
        latencyMs.add(ms);
        synchronized (ring) {
            ring[(int) (written++ % WINDOW)] = ms;
        }
    }

    void addBusy(long nanos) {
        busyNanos.addAndGet(nanos);
    }

    public Snapshot snapshot() {
        double[] recent;
        synchronized (ring) {
            recent = Arrays.copyOf(ring, (int) Math.min(written, WINDOW));
        }
        Arrays.sort(recent);
        long n = requests.get();
        return new Snapshot(n, errors.get(), n == 0 ? 0 : latencyMs.sum() / n, pct(recent, 0.50), pct(recent, 0.95),
                pct(recent, 0.99), busyNanos.get() / 1e9, (System.nanoTime() - startedNanos) / 1e9);
    }

    private static double pct(double[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }
}
