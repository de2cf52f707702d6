package dev.ensemble.llm.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class GeneratorTest {

    private static Generator generator() {
        return TinyModels.trained().model().generator();
    }

    private static GenerationParams sampled(int maxTokens, long seed) {
        return GenerationParams.defaults().withMaxTokens(maxTokens).withSeed(seed);
    }

    @Test
    void streamsOneTokenPerStepAndTheFirstArrivesBeforeTheEnd() {
        List<String> pieces = new ArrayList<>();
        List<Long> times = new ArrayList<>();
        GenerationResult r = generator().stream("The cat", sampled(40, 1), piece -> {
            pieces.add(piece);
            times.add(System.nanoTime());
        }, null);
        assertEquals(FinishReason.LENGTH, r.finishReason());
        assertEquals(40, r.usage().completionTokens());
        assertEquals(7, r.usage().promptTokens());
        assertEquals(40, pieces.size(), "one callback per token when there is no stop sequence");
        assertEquals(r.text(), String.join("", pieces));
        assertTrue(times.get(0) < times.get(times.size() - 1), "the first token came before the last was computed");
        assertTrue(r.timeToFirstTokenNanos() > 0 && r.timeToFirstTokenNanos() < r.durationNanos());
    }

    @Test
    void pullingComputesTokensOnDemand() {
        try (Generation g = generator().start("The dog", sampled(30, 2))) {
            assertEquals(0, g.usage().completionTokens(), "nothing computed before the first next()");
            String first = g.next();
            assertEquals(1, first.codePointCount(0, first.length()));
            assertEquals(1, g.usage().completionTokens());
            g.next();
            assertEquals(2, g.usage().completionTokens());
            assertNull(g.finishReason());
        }
    }

    @Test
    void sameSeedSameTextAndGreedyIsDeterministic() {
        String a = generator().complete("The ", sampled(50, 42)).text();
        String b = generator().complete("The ", sampled(50, 42)).text();
        String c = generator().complete("The ", sampled(50, 43)).text();
        assertEquals(a, b);
        assertFalse(a.equals(c), "another seed gives another text");
        GenerationParams greedy = GenerationParams.defaults().withMaxTokens(30).withTemperature(0);
        assertEquals(generator().complete("The cat", greedy).text(), generator().complete("The cat", greedy).text());
    }

    @Test
    void matchesTheModelsOwnGreedyContinuation() {
        // O(n) generation with carried state must equal re-reading the whole text each step
        LanguageModel model = TinyModels.trained().model();
        String prompt = "The cat";
        String generated = model.generator().complete(prompt, GenerationParams.defaults().withMaxTokens(12).withTemperature(0)).text();
        StringBuilder text = new StringBuilder(prompt);
        for (int i = 0; i < 12; i++) {
            float[][] logits = model.logits(text.toString());
            float[] last = logits[logits.length - 1];
            int best = 1;
            for (int j = 2; j < last.length; j++) {
                if (last[j] > last[best]) {
                    best = j;
                }
            }
            text.append(model.vocabulary().token(best));
        }
        assertEquals(text.substring(prompt.length()), generated);
    }

    @Test
    void stopsAtAStopSequenceWithoutReturningIt() {
        GenerationParams greedy = GenerationParams.defaults().withMaxTokens(200).withTemperature(0);
        String free = generator().complete("The cat", greedy).text();
        int at = free.indexOf("the");
        assertTrue(at >= 0, "the tiny model says 'the' quickly: " + free);
        List<String> pieces = new ArrayList<>();
        GenerationResult r = generator().stream("The cat", greedy.withStop(List.of("the", "zzz")), pieces::add, null);
        assertEquals(FinishReason.STOP, r.finishReason());
        assertEquals(free.substring(0, at), r.text());
        assertEquals(free.substring(0, at), String.join("", pieces));
        assertEquals(at + 3, r.usage().completionTokens(), "the stop sequence's tokens were computed and are counted");
    }

    @Test
    void countsExactlyWhatWasComputedWhenTheConsumerCancels() {
        List<String> pieces = new ArrayList<>();
        GenerationResult r = generator().stream("The", sampled(100, 5), pieces::add, () -> pieces.size() >= 7);
        assertEquals(FinishReason.CANCELLED, r.finishReason());
        assertEquals(7, pieces.size());
        assertEquals(7, r.usage().completionTokens());
        assertEquals(3, r.usage().promptTokens());

        Generation g = generator().start("The", sampled(100, 5));
        g.next();
        g.next();
        g.cancel();
        assertNull(g.next());
        assertEquals(2, g.result().usage().completionTokens());
        g.close();
    }

    @Test
    void honoursTopKTopPAndTemperatureAndRejectsBadParameters() {
        Vocabulary v = TinyModels.trained().model().vocabulary();
        String topOne = generator().complete("The c", GenerationParams.defaults().withMaxTokens(20).withTopK(1).withSeed(9L)).text();
        String greedy = generator().complete("The c", GenerationParams.defaults().withMaxTokens(20).withTemperature(0)).text();
        assertEquals(greedy, topOne, "top_k=1 is greedy");
        String nucleus = generator().complete("The c", GenerationParams.defaults().withMaxTokens(20).withTopK(0).withTopP(1e-6).withSeed(9L)).text();
        assertEquals(greedy, nucleus, "a tiny top_p keeps only the most likely token");
        assertFalse(greedy.contains(Vocabulary.UNKNOWN_TEXT));
        assertTrue(v.size() > 10);
        assertThrows(IllegalArgumentException.class, () -> new GenerationParams(0, 1, 0, 1, null, null));
        assertThrows(IllegalArgumentException.class, () -> new GenerationParams(10, 2.5, 0, 1, null, null));
        assertThrows(IllegalArgumentException.class, () -> new GenerationParams(10, Double.NaN, 0, 1, null, null));
        assertThrows(IllegalArgumentException.class, () -> new GenerationParams(10, 1, 0, 0, null, null));
        String tooLong = "a".repeat(TinyModels.trained().model().spec().contextLength() + 1);
        PromptTooLongException e = assertThrows(PromptTooLongException.class, () -> generator().start(tooLong, null));
        assertEquals(4097, e.promptTokens());
    }

    @Test
    void unknownCharactersAndEmptyPromptsStillGenerate() {
        GenerationResult r = generator().complete("\u2603\uD83D\uDE00 ", sampled(5, 1));
        assertEquals(3, r.usage().promptTokens(), "one token per code point, unknown ones included");
        assertEquals(5, r.usage().completionTokens());
        GenerationResult empty = generator().complete("", sampled(5, 1));
        assertEquals(0, empty.usage().promptTokens());
        assertEquals(5, empty.usage().completionTokens());
    }

    @Test
    void generatesConcurrentlyFromOneModel() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            String expected = generator().complete("The fox", sampled(30, 11)).text();
            List<Future<String>> futures = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                futures.add(pool.submit(() -> generator().complete("The fox", sampled(30, 11)).text()));
            }
            for (Future<String> f : futures) {
                assertEquals(expected, f.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void publisherHonoursDemandAndCancellation() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            GenerationPublisher publisher = generator().publisher("The", sampled(50, 3), pool);
            List<String> got = new CopyOnWriteArrayList<>();
            CountDownLatch three = new CountDownLatch(3);
            Flow.Subscription[] sub = new Flow.Subscription[1];
            publisher.subscribe(new Flow.Subscriber<>() {
                @Override public void onSubscribe(Flow.Subscription s) {
                    sub[0] = s;
                    s.request(3);
                }
                @Override public void onNext(String item) {
                    got.add(item);
                    three.countDown();
                }
                @Override public void onError(Throwable t) { }
                @Override public void onComplete() { }
            });
            assertTrue(three.await(30, TimeUnit.SECONDS));
            Thread.sleep(100);
            assertEquals(3, got.size(), "no token without demand");
            sub[0].cancel();
            GenerationResult r = publisher.result().get(30, TimeUnit.SECONDS);
            assertEquals(FinishReason.CANCELLED, r.finishReason());
            assertEquals(3, r.usage().completionTokens());

            GenerationPublisher full = generator().publisher("The", sampled(20, 3), pool);
            CountDownLatch done = new CountDownLatch(1);
            List<String> all = new CopyOnWriteArrayList<>();
            full.subscribe(new Flow.Subscriber<>() {
                @Override public void onSubscribe(Flow.Subscription s) { s.request(Long.MAX_VALUE); }
                @Override public void onNext(String item) { all.add(item); }
                @Override public void onError(Throwable t) { }
                @Override public void onComplete() { done.countDown(); }
            });
            assertTrue(done.await(30, TimeUnit.SECONDS));
            assertEquals(20, all.size());
            assertEquals(20, full.result().get().usage().completionTokens());
        } finally {
            pool.shutdownNow();
        }
    }
}
