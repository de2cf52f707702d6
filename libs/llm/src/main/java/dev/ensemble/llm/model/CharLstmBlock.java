package dev.ensemble.llm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.recurrent.LSTM;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The network: token ids (batch, time) are one-hot encoded over the vocabulary, run through stacked
 * LSTM layers and projected back to vocabulary logits.
 *
 * <p>Input: {@code (ids)} or {@code (ids, h, c)} where {@code h} and {@code c} are the LSTM states
 * of shape (layers, batch, hidden). Output: {@code (logits (batch, time, vocab), h, c)}, so a caller
 * can carry the state from one step to the next and generation stays O(n).
 *
 * <p>A one-hot input times the LSTM's input weights is exactly an embedding lookup, so no separate
 * embedding layer is needed for a vocabulary of a hundred or so characters.
 */
public final class CharLstmBlock extends AbstractBlock {

    private final int vocabularySize;
    private final LSTM lstm;
    private final Linear head;

    public CharLstmBlock(LanguageModelSpec spec) {
        super((byte) 1);
        this.vocabularySize = spec.vocabularySize();
        this.lstm = addChildBlock("lstm", LSTM.builder()
                .setStateSize(spec.hiddenSize())
                .setNumLayers(spec.layers())
                .optDropRate(spec.layers() > 1 ? spec.dropout() : 0f)
                .optBatchFirst(true)
                .optReturnState(true)
                .build());
        this.head = addChildBlock("head", Linear.builder().setUnits(vocabularySize).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray ids = inputs.get(0);
        long batch = ids.getShape().get(0);
        long time = ids.getShape().get(1);
        NDArray x = ids.oneHot(vocabularySize).toType(DataType.FLOAT32, false);
        NDList lstmIn = inputs.size() >= 3 ? new NDList(x, inputs.get(1), inputs.get(2)) : new NDList(x);
        NDList out = lstm.forward(ps, lstmIn, training, params);
        NDArray seq = out.get(0); // (batch, time, hidden)
        NDArray flat = seq.reshape(batch * time, seq.getShape().get(2));
        NDArray logits = head.forward(ps, new NDList(flat), training, params).singletonOrThrow()
                .reshape(batch, time, vocabularySize);
        return new NDList(logits, out.get(1), out.get(2));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape ids = inputShapes[0];
        Shape[] lstmOut = lstm.getOutputShapes(new Shape[] {new Shape(ids.get(0), ids.get(1), vocabularySize)});
        Shape[] result = new Shape[lstmOut.length];
        result[0] = new Shape(ids.get(0), ids.get(1), vocabularySize);
        System.arraycopy(lstmOut, 1, result, 1, lstmOut.length - 1);
        return result;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape ids = inputShapes[0];
        Shape x = new Shape(ids.get(0), ids.get(1), vocabularySize);
        lstm.initialize(manager, dataType, x);
        Shape[] lstmOut = lstm.getOutputShapes(new Shape[] {x});
        head.initialize(manager, dataType, new Shape(ids.get(0) * ids.get(1), lstmOut[0].get(2)));
    }
}
