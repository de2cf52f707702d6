package dev.ensemble.inference.serving;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The work-load manager on its own, without HTTP: batching, bounded queues, scaling, loading and
 * failure isolation. The servable is a plain-Java model (y = 2x + 1 per value) that records the
 * batches it is given; a row whose first value is -999 makes it throw.
 */
class ServingEngineTest {

    private final ServingEngine engine = new ServingEngine("test", 1);

    @AfterEach
    void close() {
        engine.close();
    }

    static final class Affine implements Servable {
        final List<Integer> batches = new CopyOnWriteArrayList<>();
        final AtomicInteger runners = new AtomicInteger();
        volatile CountDownLatch gate;
        volatile long sleepMs;
        volatile boolean closed;

        @Override
        public String runtime() {
            return "java";
        }

        @Override
        public Runner newRunner() {
            runners.incrementAndGet();
            return new Runner() {
                @Override
                public Tensor run(Tensor batch) throws Exception {
                    batches.add(batch.rows());
                    if (gate != null) {
                        gate.await(10, TimeUnit.SECONDS);
                    }
                    if (sleepMs > 0) {
                        Thread.sleep(sleepMs);
                    }
                    float[] out = new float[batch.data().length];
                    for (int r = 0; r < batch.rows(); r++) {
                        if (batch.data()[r * batch.rowSize()] == -999f) {
                            throw new IllegalArgumentException("bad row");
                        }
                    }
                    for (int i = 0; i < out.length; i++) {
                        out[i] = batch.data()[i] * 2 + 1;
                    }
                    return new Tensor(batch.shape(), out);
                }

                @Override
                public void close() {
                    runners.decrementAndGet();
                }
            };
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    static BatchPolicy policy(int batch, int delayMs, int min, int max, int queue, Duration idle) {
        return new BatchPolicy(batch, Duration.ofMillis(delayMs), min, max, queue, idle, Duration.ZERO);
    }

    static Tensor row(float... values) {
        return new Tensor(new long[]{1, values.length}, values);
    }

    @Test
    void concurrentRequestsShareBatchesAndEachGetsItsOwnRows() throws Exception {
        Affine model = new Affine();
        model.sleepMs = 2;
        engine.register("m", policy(16, 5, 1, 2, 1000, Duration.ofSeconds(60)), () -> model);
        engine.load("m").get(10, TimeUnit.SECONDS);
        List<CompletableFuture<Tensor>> answers = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            answers.add(engine.predict("m", row(i, -i)));
        }
        for (int i = 0; i < answers.size(); i++) {
            Tensor out = answers.get(i).get(10, TimeUnit.SECONDS);
            assertArrayEquals(new float[]{2f * i + 1, -2f * i + 1}, out.data(), "answer " + i);
            assertArrayEquals(new long[]{1, 2}, out.shape());
        }
        int largest = model.batches.stream().mapToInt(Integer::intValue).max().orElse(0);
        assertTrue(largest > 1, "requests were never batched: " + model.batches);
        assertTrue(largest <= 16, "a batch exceeded the batch size: " + largest);
        assertEquals(400, model.batches.stream().mapToInt(Integer::intValue).sum());
        ServingEngine.Status st = engine.status("m").orElseThrow();
        assertEquals(400, st.stats().requests());
        assertEquals(0, st.stats().errors());
        assertTrue(st.stats().p99Ms() >= st.stats().p50Ms());
    }

    @Test
    void withBatchingOffEachRunHasOneRequest() throws Exception {
        Affine model = new Affine();
        engine.register("m", policy(16, 5, 1, 2, 1000, Duration.ofSeconds(60)).unbatched(), () -> model);
        engine.load("m").get(10, TimeUnit.SECONDS);
        List<CompletableFuture<Tensor>> answers = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            answers.add(engine.predict("m", row(i)));
        }
        for (CompletableFuture<Tensor> a : answers) {
            a.get(10, TimeUnit.SECONDS);
        }
        assertTrue(model.batches.stream().allMatch(b -> b == 1), model.batches.toString());
    }

    @Test
    void aFullQueueIsRefusedInsteadOfGrowing() throws Exception {
        Affine model = new Affine();
        model.gate = new CountDownLatch(1);
        engine.register("m", policy(1, 0, 1, 1, 4, Duration.ofSeconds(60)), () -> model);
        engine.load("m").get(10, TimeUnit.SECONDS);
        List<CompletableFuture<Tensor>> accepted = new ArrayList<>();
        accepted.add(engine.predict("m", row(1)));
        await().atMost(Duration.ofSeconds(5)).until(() -> model.batches.size() == 1);
        for (int i = 0; i < 4; i++) {
            accepted.add(engine.predict("m", row(i)));
        }
        ServingException e = assertThrows(ServingException.class, () -> engine.predict("m", row(9)));
        assertEquals(ServingException.Reason.OVERLOADED, e.reason());
        model.gate.countDown();
        for (CompletableFuture<Tensor> a : accepted) {
            a.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void oneBadRequestDoesNotFailItsBatch() throws Exception {
        Affine model = new Affine();
        model.gate = new CountDownLatch(1);
        engine.register("m", policy(8, 50, 1, 1, 100, Duration.ofSeconds(60)), () -> model);
        engine.load("m").get(10, TimeUnit.SECONDS);
        CompletableFuture<Tensor> first = engine.predict("m", row(0));
        await().atMost(Duration.ofSeconds(5)).until(() -> model.batches.size() == 1);
        CompletableFuture<Tensor> good = engine.predict("m", row(3));
        CompletableFuture<Tensor> bad = engine.predict("m", row(-999));
        CompletableFuture<Tensor> good2 = engine.predict("m", row(4));
        model.gate.countDown();
        first.get(10, TimeUnit.SECONDS);
        assertArrayEquals(new float[]{7}, good.get(10, TimeUnit.SECONDS).data());
        assertArrayEquals(new float[]{9}, good2.get(10, TimeUnit.SECONDS).data());
        ExecutionException e = assertThrows(ExecutionException.class, () -> bad.get(10, TimeUnit.SECONDS));
        assertEquals(ServingException.Reason.FAILED, ((ServingException) e.getCause()).reason());
        assertEquals(1, engine.status("m").orElseThrow().stats().errors());
    }

    @Test
    void workersGrowUnderLoadAndRetireWhenIdle() throws Exception {
        Affine model = new Affine();
        model.gate = new CountDownLatch(1);
        engine.register("m", policy(1, 0, 1, 3, 100, Duration.ofMillis(300)), () -> model);
        engine.load("m").get(10, TimeUnit.SECONDS);
        List<CompletableFuture<Tensor>> answers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            answers.add(engine.predict("m", row(i)));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> engine.status("m").orElseThrow().workers() == 3);
        model.gate.countDown();
        for (CompletableFuture<Tensor> a : answers) {
            a.get(10, TimeUnit.SECONDS);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> engine.status("m").orElseThrow().workers() == 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> model.runners.get() == 1);
    }

    @Test
    void aFailedLoadIsReportedAndRefusesRequests() throws Exception {
        engine.register("m", policy(4, 0, 1, 1, 10, Duration.ofSeconds(60)), () -> {
            throw new IllegalStateException("corrupt weights");
        });
        engine.load("m").get(10, TimeUnit.SECONDS);
        ServingEngine.Status st = engine.status("m").orElseThrow();
        assertEquals("failed", st.state());
        assertEquals("corrupt weights", st.error());
        ServingException e = assertThrows(ServingException.class, () -> engine.predict("m", row(1)));
        assertEquals(ServingException.Reason.NOT_LOADED, e.reason());
        assertEquals(ServingException.Reason.UNKNOWN_MODEL,
                assertThrows(ServingException.class, () -> engine.predict("other", row(1))).reason());
    }

    @Test
    void anUnloadedModelClosesAndLoadsAgainOnItsNextRequest() throws Exception {
        List<Affine> loaded = new CopyOnWriteArrayList<>();
        engine.register("m", policy(4, 0, 1, 1, 10, Duration.ofSeconds(60)), () -> {
            Affine a = new Affine();
            loaded.add(a);
            return a;
        });
        // lazy: nothing loads until the first request, which waits for the load
        assertEquals("unloaded", engine.status("m").orElseThrow().state());
        assertArrayEquals(new float[]{3}, engine.predict("m", row(1)).get(10, TimeUnit.SECONDS).data());
        assertEquals("ready", engine.status("m").orElseThrow().state());
        engine.unload("m");
        assertEquals("unloaded", engine.status("m").orElseThrow().state());
        await().atMost(Duration.ofSeconds(5)).until(() -> loaded.get(0).closed);
        assertArrayEquals(new float[]{5}, engine.predict("m", row(2)).get(10, TimeUnit.SECONDS).data());
        assertEquals(2, loaded.size());
    }
}
