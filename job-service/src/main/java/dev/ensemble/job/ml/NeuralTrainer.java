package dev.ensemble.job.ml;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.Batch;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The epoch loop every neural job shares: mini-batches with Adam and softmax cross-entropy, a stop
 * check per batch, evaluation on the held-out part, a checkpoint and a progress report per epoch,
 * and resumption from the last checkpoint when an earlier attempt died.
 */
public final class NeuralTrainer {

    private static final String CHECKPOINT = "checkpoint.params";
    private static final String CHECKPOINT_EPOCH = "checkpoint.epoch";

    private NeuralTrainer() {
    }

    /** Trains {@code model}'s block in place; labels are class indices as floats. Returns the final metrics. */
    public static Map<String, Object> train(Model model, NDArray trainX, NDArray trainY, NDArray testX, NDArray testY,
                                            int epochs, int batchSize, float learningRate, RunContext ctx) {
        Block block = model.getBlock();
        int start = resume(model, ctx);
        DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(learningRate)).build())
                .optDevices(Engine.getInstance().getDevices(1));
        Map<String, Object> metrics = new LinkedHashMap<>();
        long started = System.nanoTime();
        try (Trainer trainer = model.newTrainer(config)) {
            Shape one = new Shape(1).addAll(trainX.getShape().slice(1));
            trainer.initialize(one);
            ArrayDataset data = new ArrayDataset.Builder().setData(trainX).optLabels(trainY)
                    .setSampling(Math.min(batchSize, (int) trainX.getShape().get(0)), true).build();
            float trainLoss = Float.NaN;
            for (int epoch = start; epoch < epochs; epoch++) {
                double lossSum = 0;
                long seen = 0;
                for (Batch batch : batches(trainer, data)) {
                    try (batch; GradientCollector collector = trainer.newGradientCollector()) {
                        NDList prediction = trainer.forward(batch.getData());
                        NDArray loss = trainer.getLoss().evaluate(batch.getLabels(), prediction);
                        collector.backward(loss);
                        long n = batch.getSize();
                        lossSum += loss.getFloat() * n;
                        seen += n;
                    }
                    trainer.step();
                    ctx.checkStopped();
                }
                trainLoss = (float) (lossSum / Math.max(1, seen));
                float[] eval = evaluate(trainer, testX, testY);
                metrics.put("epoch", epoch + 1);
                metrics.put("loss", round(trainLoss));
                metrics.put("val_loss", round(eval[0]));
                metrics.put("accuracy", round(eval[1]));
                saveCheckpoint(block, ctx.checkpointDir(), epoch + 1);
                ctx.log("INFO", String.format("epoch %d/%d loss=%.4f val_loss=%.4f val_accuracy=%.4f",
                        epoch + 1, epochs, trainLoss, eval[0], eval[1]));
                ctx.progress(epoch + 1, epochs, Map.copyOf(metrics));
            }
            if (start >= epochs) {
                float[] eval = evaluate(trainer, testX, testY);
                metrics.put("epoch", epochs);
                metrics.put("val_loss", round(eval[0]));
                metrics.put("accuracy", round(eval[1]));
            }
        }
        metrics.put("epochs", epochs);
        metrics.put("train_rows", trainX.getShape().get(0));
        metrics.put("test_rows", testX.getShape().get(0));
        metrics.put("device", Engine.getInstance().getDevices(1)[0].toString());
        metrics.put("resumed_from_epoch", start);
        metrics.put("training_time", round((System.nanoTime() - started) / 1e9));
        return metrics;
    }

    private static Iterable<Batch> batches(Trainer trainer, ArrayDataset data) {
        try {
            return trainer.iterateDataset(data);
        } catch (IOException | ai.djl.translate.TranslateException e) {
            throw new IllegalStateException("cannot iterate the training data", e);
        }
    }

    /** Mean loss and accuracy over the held-out rows, in chunks. */
    static float[] evaluate(Trainer trainer, NDArray x, NDArray y) {
        long n = x.getShape().get(0);
        double loss = 0;
        long correct = 0;
        for (long from = 0; from < n; from += 256) {
            long to = Math.min(n, from + 256);
            NDArray xs = x.get(from + ":" + to);
            NDArray ys = y.get(from + ":" + to);
            NDList out = trainer.evaluate(new NDList(xs));
            loss += trainer.getLoss().evaluate(new NDList(ys), out).getFloat() * (to - from);
            correct += out.singletonOrThrow().argMax(1).toType(DataType.INT64, false)
                    .eq(ys.toType(DataType.INT64, false)).sum().getLong();
            out.close();
        }
        return new float[]{(float) (loss / n), (float) correct / n};
    }

    private static int resume(Model model, RunContext ctx) {
        Path params = ctx.checkpointDir().resolve(CHECKPOINT);
        Path epochFile = ctx.checkpointDir().resolve(CHECKPOINT_EPOCH);
        if (!Files.isRegularFile(params) || !Files.isRegularFile(epochFile)) {
            return 0;
        }
        try (DataInputStream in = new DataInputStream(Files.newInputStream(params))) {
            int epoch = Integer.parseInt(Files.readString(epochFile).trim());
            model.getBlock().loadParameters(model.getNDManager(), in);
            ctx.log("INFO", "resuming from the checkpoint after epoch " + epoch);
            return epoch;
        } catch (Exception e) {
            ctx.log("WARN", "checkpoint unreadable, starting over: " + e.getMessage());
            return 0;
        }
    }

    private static void saveCheckpoint(Block block, Path dir, int epoch) {
        try {
            Files.createDirectories(dir);
            Path tmp = dir.resolve(CHECKPOINT + ".tmp");
            try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(tmp))) {
                block.saveParameters(out);
            }
            Files.move(tmp, dir.resolve(CHECKPOINT), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Files.writeString(dir.resolve(CHECKPOINT_EPOCH), Integer.toString(epoch));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint", e);
        }
    }

    static double round(double v) {
        return Math.round(v * 10000.0) / 10000.0;
    }
}
