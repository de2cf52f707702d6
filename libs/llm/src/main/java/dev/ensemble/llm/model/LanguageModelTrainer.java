package dev.ensemble.llm.model;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Adam;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Random;
import java.util.function.BooleanSupplier;

/**
 * Trains a character LSTM language model on a text with DJL (next-character prediction,
 * cross-entropy, Adam with a cosine-decayed learning rate and gradient clipping). Batches are random
 * windows of the text drawn from a seeded generator, and the network is initialised from the same
 * seed, so with one PyTorch thread the same text and options give the same model.
 *
 * <p>Cancellation is checked before every batch; a cancelled run returns the partly trained model
 * with {@code cancelled = true}. Progress reaches a {@link TrainingListener}.
 */
public final class LanguageModelTrainer {

    private final TrainingOptions options;
    private final int reportEvery;

    public LanguageModelTrainer(TrainingOptions options) {
        this(options, 10);
    }

    /** @param reportEvery call {@link TrainingListener#onStep} every this many steps */
    public LanguageModelTrainer(TrainingOptions options, int reportEvery) {
        this.options = options;
        this.reportEvery = Math.max(1, reportEvery);
    }

    /** Trains on {@code text}, which must be longer than two windows. */
    public TrainedModel train(String text, TrainingListener listener, BooleanSupplier cancelled) {
        TrainingListener l = listener == null ? TrainingListener.NONE : listener;
        BooleanSupplier stop = cancelled == null ? () -> false : cancelled;
        Vocabulary vocabulary = Vocabulary.fromText(text);
        int[] all = vocabulary.encode(text);
        int seq = options.sequenceLength();
        int heldOut = (int) (all.length * options.validationFraction());
        if (heldOut > 0 && heldOut < seq + 1) {
            heldOut = 0;
        }
        int trainLength = all.length - heldOut;
        if (trainLength < seq + 2) {
            throw new IllegalArgumentException("the training text must be longer than " + (seq + 2) + " characters");
        }
        LanguageModelSpec spec = new LanguageModelSpec(LanguageModelSpec.CHAR_LSTM, vocabulary.size(),
                options.hiddenSize(), options.layers(), options.layers() > 1 ? 0.1f : 0f, 4096);

        LlmRuntime.engine().setRandomSeed((int) options.seed());
        Model model = Model.newInstance("char-lstm", options.device(), LlmRuntime.ENGINE);
        model.setBlock(new CharLstmBlock(spec));
        boolean ok = false;
        try {
            TrainingResult result = run(model, all, trainLength, spec, vocabulary, l, stop);
            ok = true;
            return new TrainedModel(new LanguageModel(model, spec, vocabulary), result);
        } finally {
            if (!ok) {
                model.close();
            }
        }
    }

    private TrainingResult run(Model model, int[] all, int trainLength, LanguageModelSpec spec, Vocabulary vocabulary,
                               TrainingListener listener, BooleanSupplier cancelled) {
        int batch = options.batchSize();
        int seq = options.sequenceLength();
        int v = spec.vocabularySize();
        Tracker lr = options.steps() > 1
                ? Tracker.cosine().setBaseValue(options.learningRate()).optFinalValue(options.learningRate() / 10)
                        .setMaxUpdates(options.steps()).build()
                : Tracker.fixed(options.learningRate());
        DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                .optOptimizer(Adam.builder().optLearningRateTracker(lr).optClipGrad(options.clipGradient()).build())
                .optDevices(new ai.djl.Device[] {options.device()});
        Random random = new Random(options.seed());
        long start = System.nanoTime();
        long deadline = options.maxDuration() == null ? Long.MAX_VALUE : start + options.maxDuration().toNanos();
        double tokensPerEpoch = trainLength;
        long tokensPerStep = (long) batch * seq;
        double initialLoss = Double.NaN;
        double smoothed = Double.NaN;
        int step = 0;
        boolean stopped = false;
        int lastEpoch = 0;
        try (Trainer trainer = model.newTrainer(config)) {
            trainer.initialize(new Shape(batch, seq));
            long[] xs = new long[batch * seq];
            long[] ys = new long[batch * seq];
            while (step < options.steps()) {
                if (cancelled.getAsBoolean() || System.nanoTime() > deadline) {
                    stopped = true;
                    break;
                }
                for (int b = 0; b < batch; b++) {
                    int offset = random.nextInt(trainLength - seq - 1);
                    for (int t = 0; t < seq; t++) {
                        xs[b * seq + t] = all[offset + t];
                        ys[b * seq + t] = all[offset + t + 1];
                    }
                }
                float lossValue;
                try (NDManager bm = trainer.getManager().newSubManager()) {
                    NDArray x = bm.create(xs, new Shape(batch, seq));
                    NDArray y = bm.create(ys, new Shape((long) batch * seq));
                    try (GradientCollector gc = trainer.newGradientCollector()) {
                        NDList out = trainer.forward(new NDList(x));
                        NDArray logits = out.get(0).reshape((long) batch * seq, v);
                        NDArray loss = trainer.getLoss().evaluate(new NDList(y), new NDList(logits));
                        gc.backward(loss);
                        lossValue = loss.getFloat();
                    }
                    trainer.step();
                }
                step++;
                if (Double.isNaN(initialLoss)) {
                    initialLoss = lossValue;
                    smoothed = lossValue;
                } else {
                    smoothed = 0.9 * smoothed + 0.1 * lossValue;
                }
                long elapsed = System.nanoTime() - start;
                double epoch = step * tokensPerStep / tokensPerEpoch;
                TrainingProgress progress = new TrainingProgress(epoch, step, options.steps(), smoothed,
                        step * tokensPerStep * 1e9 / Math.max(1, elapsed), elapsed / 1_000_000);
                if (step % reportEvery == 0 || step == options.steps()) {
                    listener.onStep(progress);
                }
                if ((int) epoch > lastEpoch) {
                    lastEpoch = (int) epoch;
                    listener.onEpoch(progress);
                }
                if (options.checkpointEvery() > 0 && options.checkpointDir() != null && step % options.checkpointEvery() == 0
                        && step < options.steps()) {
                    checkpoint(new LanguageModel(model, spec, vocabulary), progress, listener);
                }
            }
            double validation = validationLoss(trainer, all, trainLength, seq, v);
            long elapsed = System.nanoTime() - start;
            long seen = step * tokensPerStep;
            long parameters = 0;
            for (Pair<String, Parameter> p : model.getBlock().getParameters()) {
                if (p.getValue().getArray() != null) {
                    parameters += p.getValue().getArray().size();
                }
            }
            return new TrainingResult(step, seen / tokensPerEpoch, initialLoss, smoothed, validation, seen,
                    elapsed / 1_000_000, seen * 1e9 / Math.max(1, elapsed), stopped, v, parameters);
        }
    }

    private void checkpoint(LanguageModel model, TrainingProgress progress, TrainingListener listener) {
        try {
            model.save(options.checkpointDir());
            listener.onCheckpoint(progress, options.checkpointDir());
        } catch (IOException e) {
            throw new UncheckedIOException("checkpoint to " + options.checkpointDir() + " failed", e);
        }
    }

    /** Mean loss over up to 16 windows of the held-out tail, without recording gradients. */
    private static double validationLoss(Trainer trainer, int[] all, int trainLength, int seq, int v) {
        int windows = Math.min(16, (all.length - trainLength - 1) / seq);
        if (windows <= 0) {
            return Double.NaN;
        }
        long[] xs = new long[windows * seq];
        long[] ys = new long[windows * seq];
        for (int w = 0; w < windows; w++) {
            int offset = trainLength + w * seq;
            for (int t = 0; t < seq; t++) {
                xs[w * seq + t] = all[offset + t];
                ys[w * seq + t] = all[offset + t + 1];
            }
        }
        boolean grad = LanguageModel.GradMode.disable();
        try (NDManager m = trainer.getManager().newSubManager()) {
            NDArray x = m.create(xs, new Shape(windows, seq));
            NDArray y = m.create(ys, new Shape((long) windows * seq));
            NDArray logits = trainer.evaluate(new NDList(x)).get(0).reshape((long) windows * seq, v);
            return trainer.getLoss().evaluate(new NDList(y), new NDList(logits)).getFloat();
        } finally {
            LanguageModel.GradMode.restore(grad);
        }
    }
}
