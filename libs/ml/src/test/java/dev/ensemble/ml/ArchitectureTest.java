package dev.ensemble.ml;

import ai.djl.Model;
import ai.djl.basicmodelzoo.basic.Mlp;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArchitectureTest {

    @TempDir
    Path dir;

    @Test
    void readsEveryFormAndWritesOneCanonicalString() {
        assertEquals(new Architecture.Mlp(4, List.of(16), 3), Architecture.parse("mlp:4-16-3"));
        assertEquals(new Architecture.Mlp(4, List.of(16, 8), 3), Architecture.parse("MLP(4, 16, 8, 3)"));
        assertEquals(new Architecture.Mlp(4, List.of(), 3), Architecture.parse("mlp-4-3"));
        assertEquals("mlp-4-64-32-3", Architecture.parse("mlp:4-64-32-3").id());

        assertEquals(new Architecture.Cnn(3, 32, 32, 10), Architecture.parse("small-cnn-3x32x32-10"));
        // job-service's spelling before the heads and vocabulary were written out
        assertEquals(new Architecture.TextTransformer(1, 32, 2, 32, 512, 3),
                Architecture.parse("text-transformer-1x32-len32-3"));
        assertEquals(new Architecture.CharTransformer(2, 64, 2, 16, 40),
                Architecture.parse("char-transformer-2x64-ctx16-vocab40"));

        for (Architecture a : List.of(new Architecture.Mlp(10, List.of(5, 5), 2), new Architecture.Cnn(1, 8, 12, 4),
                new Architecture.TextTransformer(2, 16, 4, 8, 100, 5), new Architecture.CharTransformer(1, 8, 1, 4, 7))) {
            assertEquals(a, Architecture.parse(a.id()), a.id());
        }
    }

    @Test
    void describesInputs() {
        Architecture cnn = Architecture.parse("small-cnn-3x16x16-2");
        assertArrayEquals(new long[]{3, 16, 16}, cnn.inputShape());
        assertEquals(DataType.FLOAT32, cnn.inputType());
        assertEquals(0, cnn.vocabulary());
        Architecture chars = Architecture.parse("char-transformer-1x8-ctx4-vocab7");
        assertArrayEquals(new long[]{4}, chars.inputShape());
        assertEquals(DataType.INT64, chars.inputType());
        assertEquals(8, chars.vocabulary());
        assertEquals(7, chars.outputs());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "resnet50", "mlp:4", "mlp:0-3", "mlp:4-99999999-3", "mlp:1234567890-3",
            "small-cnn-3x2x2-2", "small-cnn-9x32x32-2", "text-transformer-1x30-h4-len8-3",
            "text-transformer-100x32-len8-3", "char-transformer-1x8-ctx4-vocab1", "mlp:4-16-3; rm -rf /"})
    void refusesWhatItCannotBuildSafely(String s) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Architecture.parse(s));
        assertTrue(e.getMessage().length() < 600, e.getMessage());
    }

    @Test
    void refusesNull() {
        assertThrows(IllegalArgumentException.class, () -> Architecture.parse(null));
    }

    /** Train-side and serve-side build the block from the same string: saved parameters load and agree. */
    @ParameterizedTest
    @ValueSource(strings = {"mlp-6-8-3", "small-cnn-3x8x8-4", "text-transformer-1x8-h2-len6-vocab50-3",
            "char-transformer-2x8-h2-ctx5-vocab9"})
    void savedParametersLoadIntoTheParsedBlock(String id) throws Exception {
        Architecture arch = Architecture.parse(id);
        float[] expected;
        try (Model trained = Model.newInstance("m", "PyTorch")) {
            Block block = arch.newBlock();
            block.setInitializer(new NormalInitializer(), ai.djl.nn.Parameter.Type.WEIGHT);
            trained.setBlock(block);
            NDManager m = trained.getNDManager();
            NDArray x = input(m, arch, 2);
            // parameters are float whatever the input: token ids go through an embedding
            block.initialize(m, DataType.FLOAT32, x.getShape());
            expected = forward(trained, x);
            assertEquals(2L * arch.outputs(), expected.length);
            trained.save(dir, "model");
        }
        try (Model served = Model.newInstance("m", "PyTorch")) {
            served.setBlock(Architecture.parse(arch.id()).newBlock());
            served.load(dir, "model");
            assertArrayEquals(expected, forward(served, input(served.getNDManager(), arch, 2)), 1e-6f);
        }
    }

    @Test
    void loadsParametersSavedFromDjlsOwnMlp() throws Exception {
        float[] expected;
        try (Model m = Model.newInstance("mlp", "PyTorch")) {
            m.setBlock(new Mlp(5, 2, new int[]{7}));
            NDArray x = m.getNDManager().create(new float[]{1, 2, 3, 4, 5, 5, 4, 3, 2, 1}, new Shape(2, 5));
            m.getBlock().initialize(m.getNDManager(), DataType.FLOAT32, x.getShape());
            expected = forward(m, x);
            m.save(dir, "mlp");
        }
        Architecture a = Architecture.parse("mlp:5-7-2");
        try (Model m = Model.newInstance("mlp", "PyTorch")) {
            m.setBlock(a.newBlock());
            m.load(dir, "mlp");
            NDArray x = m.getNDManager().create(new float[]{1, 2, 3, 4, 5, 5, 4, 3, 2, 1}, new Shape(2, 5));
            assertArrayEquals(expected, forward(m, x), 1e-6f);
        }
    }

    @Test
    void aBlockOfAnotherArchitectureDoesNotLoad(@TempDir Path other) throws Exception {
        Architecture cnn = Architecture.parse("small-cnn-3x8x8-4");
        try (Model m = Model.newInstance("m", "PyTorch")) {
            m.setBlock(cnn.newBlock());
            m.getBlock().initialize(m.getNDManager(), DataType.FLOAT32, new Shape(1, 3, 8, 8));
            m.save(other, "model");
        }
        try (Model m = Model.newInstance("m", "PyTorch")) {
            m.setBlock(Architecture.parse("mlp:192-4").newBlock());
            Exception e = assertThrows(Exception.class, () -> m.load(other, "model"));
            assertInstanceOf(Exception.class, e);
        }
    }

    private static NDArray input(NDManager m, Architecture arch, int rows) {
        long[] row = arch.inputShape();
        long[] shape = new long[row.length + 1];
        shape[0] = rows;
        System.arraycopy(row, 0, shape, 1, row.length);
        int n = (int) new Shape(shape).size();
        Random r = new Random(7);
        if (arch.inputType() == DataType.INT64) {
            long[] ids = new long[n];
            for (int i = 0; i < n; i++) {
                ids[i] = r.nextInt(arch.vocabulary());
            }
            return m.create(ids, new Shape(shape));
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextFloat();
        }
        return m.create(v, new Shape(shape));
    }

    private static float[] forward(Model model, NDArray x) {
        return model.getBlock().forward(new ParameterStore(model.getNDManager(), false), new NDList(x), false)
                .singletonOrThrow().toFloatArray();
    }
}
