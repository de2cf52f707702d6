package dev.ensemble.llm.provider;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Records what a stream delivered, with arrival times. */
final class RecordingListener implements StreamListener {

    final List<String> tokens = new CopyOnWriteArrayList<>();
    final List<Long> tokenNanos = new CopyOnWriteArrayList<>();
    volatile StreamEnd end;
    volatile LlmException error;
    volatile long endNanos;
    final CountDownLatch finished = new CountDownLatch(1);
    volatile int terminalCalls;

    @Override
    public void onToken(String text) {
        tokens.add(text);
        tokenNanos.add(System.nanoTime());
    }

    @Override
    public void onComplete(StreamEnd e) {
        terminalCalls++;
        end = e;
        endNanos = System.nanoTime();
        finished.countDown();
    }

    @Override
    public void onError(LlmException e, StreamEnd partial) {
        terminalCalls++;
        error = e;
        end = partial;
        endNanos = System.nanoTime();
        finished.countDown();
    }

    RecordingListener await() throws InterruptedException {
        if (!finished.await(30, TimeUnit.SECONDS)) {
            throw new AssertionError("the stream did not end in 30 s; tokens so far: " + tokens);
        }
        return this;
    }

    String text() {
        return String.join("", tokens);
    }
}
