package dev.ensemble.ml;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.nn.transformer.IdEmbedding;
import ai.djl.nn.transformer.TransformerEncoderBlock;

import java.util.List;

/** The blocks behind each {@link Architecture}; use {@link Architecture#newBlock()} rather than these. */
public final class Networks {

    private Networks() {
    }

    /**
     * Flatten to {@code inputs} values, then Linear layers with ReLU between them: the same children,
     * in the same order, as DJL's {@code ai.djl.basicmodelzoo.basic.Mlp}, so its saved parameters load here.
     */
    public static Block mlp(int inputs, List<Integer> hidden, int outputs) {
        SequentialBlock net = new SequentialBlock().add(Blocks.batchFlattenBlock(inputs));
        for (int units : hidden) {
            net.add(Linear.builder().setUnits(units).build()).add(Activation::relu);
        }
        return net.add(Linear.builder().setUnits(outputs).build());
    }

    /**
     * The MLP as job-service built it before 2026-12-02 (no flatten block in front), so parameters
     * saved then still load: their child blocks differ from {@link #mlp}'s and DJL refuses them there.
     */
    public static Block legacyMlp(List<Integer> hidden, int outputs) {
        SequentialBlock net = new SequentialBlock();
        for (int units : hidden) {
            net.add(Linear.builder().setUnits(units).build()).add(Activation::relu);
        }
        return net.add(Linear.builder().setUnits(outputs).build());
    }

    /** A small convolutional classifier over {@code [channels, height, width]} images scaled to 0..1. */
    public static Block cnn(int classes) {
        return new SequentialBlock()
                .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(8).build())
                .add(Activation::relu)
                .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(16).build())
                .add(Activation::relu)
                .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(64).build())
                .add(Activation::relu)
                .add(Linear.builder().setUnits(classes).build());
    }

    /**
     * Token ids {@code [batch, length]} through an embedding and transformer encoder layers; the
     * per-position outputs are flattened (which keeps their order) into one logit per class (or per
     * next character).
     */
    public static Block textTransformer(int vocab, int embedding, int heads, int layers, int classes) {
        SequentialBlock net = new SequentialBlock()
                .add(new IdEmbedding.Builder().setDictionarySize(vocab).setEmbeddingSize(embedding).build());
        for (int i = 0; i < layers; i++) {
            net.add(new TransformerEncoderBlock(embedding, heads, embedding * 2, 0f, Activation::relu));
        }
        return net.add(Blocks.batchFlattenBlock()).add(Linear.builder().setUnits(classes).build());
    }
}
