package dev.ensemble.inference.models;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import ai.djl.util.PairList;
import dev.ensemble.inference.serving.Servable;
import dev.ensemble.inference.serving.Tensor;
import dev.ensemble.ml.Architecture;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A DJL model (ONNX Runtime or PyTorch) served whole-batch: each batch is one tensor in and the
 * first floating-point output out ({@link NoBatchifyTranslator}, which also works with ONNX
 * Runtime alone). Each worker gets its own {@link Predictor}.
 */
final class DjlServable implements Servable {

    private static final Pattern PARAMS = Pattern.compile("(.+?)(-\\d{4})?\\.params");

    private final Model model;
    private final String runtime;
    private final String inputName;
    private final long[] inputRowShape;
    /** What the network takes: float32, or int64 token ids (sent as whole floats and cast here). */
    private final DataType inputType;

    private DjlServable(Model model, String runtime) {
        this(model, runtime, null, DataType.FLOAT32);
    }

    private DjlServable(Model model, String runtime, long[] knownRowShape, DataType inputType) {
        this.model = model;
        this.runtime = runtime;
        this.inputType = inputType;
        String name = null;
        long[] row = null;
        try {
            PairList<String, Shape> inputs = model.describeInput();
            if (inputs != null && inputs.size() >= 1) {
                name = inputs.get(0).getKey();
                long[] full = inputs.get(0).getValue().getShape();
                if (full.length >= 1) {
                    row = Arrays.copyOfRange(full, 1, full.length);
                }
            }
        } catch (RuntimeException ignored) {
            // the engine cannot describe its inputs (TorchScript): the input shape stays unknown
        }
        this.inputName = name;
        this.inputRowShape = knownRowShape != null ? knownRowShape : row;
    }

    /** An ONNX graph or a TorchScript module from one file. */
    static DjlServable file(Path file, ModelFormat format, Device device) throws Exception {
        Criteria<Tensor, Tensor> criteria = Criteria.builder()
                .optDevice(device)
                .setTypes(Tensor.class, Tensor.class)
                .optModelPath(file)
                .optModelName(file.getFileName().toString())
                .optEngine(format.engine)
                .optOption("interOpNumThreads", "1")
                .optOption("intraOpNumThreads", "1")
                .optTranslator(new TensorTranslator(DataType.FLOAT32))
                .build();
        ZooModel<Tensor, Tensor> model = criteria.loadModel();
        return new DjlServable(model, format.runtime);
    }

    /** A DJL {@code .params} file loaded into the block its {@link Architecture} string names. */
    static DjlServable params(Path file, String architecture, Device device) throws Exception {
        Architecture arch = Architecture.parse(architecture);
        Path params = file;
        if (Files.isDirectory(file)) {
            try (var list = Files.list(file)) {
                params = list.filter(p -> p.getFileName().toString().endsWith(".params")).sorted().reduce((a, b) -> b)
                        .orElseThrow(() -> new IllegalArgumentException("no .params file in the model directory"));
            }
        }
        Matcher m = PARAMS.matcher(params.getFileName().toString());
        if (!m.matches()) {
            throw new IllegalArgumentException("a DJL parameter file ends in .params");
        }
        Model model = Model.newInstance(m.group(1), device, ModelFormat.DJL.engine);
        try {
            model.setBlock(arch.newBlock());
            model.load(params.getParent(), m.group(1));
        } catch (Exception | Error e) {
            model.close();
            throw e;
        }
        return new DjlServable(model, ModelFormat.DJL.runtime, arch.inputShape(), arch.inputType());
    }

    /** Whether the model sits on a GPU. */
    boolean onGpu() {
        return model.getNDManager().getDevice().isGpu();
    }

    String inputName() {
        return inputName;
    }

    long[] inputRowShape() {
        return inputRowShape;
    }

    @Override
    public String runtime() {
        return runtime;
    }

    @Override
    public Runner newRunner() {
        Predictor<Tensor, Tensor> predictor = model.newPredictor(new TensorTranslator(inputType));
        return new Runner() {
            @Override
            public Tensor run(Tensor batch) throws Exception {
                return predictor.predict(batch);
            }

            @Override
            public void close() {
                predictor.close();
            }
        };
    }

    @Override
    public void close() {
        model.close();
    }

    /** One tensor in, the first floating-point output out, copied off the engine's memory. */
    static final class TensorTranslator implements NoBatchifyTranslator<Tensor, Tensor> {
        private final DataType inputType;

        TensorTranslator(DataType inputType) {
            this.inputType = inputType;
        }

        @Override
        public NDList processInput(TranslatorContext ctx, Tensor input) {
            NDArray x = ctx.getNDManager().create(input.data(), new Shape(input.shape()));
            return new NDList(inputType == DataType.FLOAT32 ? x : x.toType(inputType, false));
        }

        @Override
        public Tensor processOutput(TranslatorContext ctx, NDList list) {
            NDArray out = null;
            for (NDArray a : list) {
                if (a.getDataType().isFloating()) {
                    out = a;
                    break;
                }
            }
            if (out == null) {
                out = list.get(0);
            }
            float[] data = out.getDataType() == DataType.FLOAT32 ? out.toFloatArray() : toFloats(out);
            long[] shape = out.getShape().getShape();
            if (shape.length == 0) {
                shape = new long[]{1};
            }
            return new Tensor(shape, data);
        }

        private static float[] toFloats(NDArray a) {
            Number[] values = a.toArray();
            float[] f = new float[values.length];
            for (int i = 0; i < values.length; i++) {
                f[i] = values[i].floatValue();
            }
            return f;
        }
    }
}
