package dev.ensemble.inference;

import ai.djl.Model;
import ai.djl.basicmodelzoo.basic.Mlp;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.loss.Loss;
import ai.onnx.proto.OnnxMl;
import org.tribuo.MutableDataset;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.sgd.linear.LogisticRegressionTrainer;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Real models built by the tests, each with an independent way to compute what it must answer:
 * an ONNX graph written with the ONNX protobuf classes, a DJL MLP trained here (its weights read
 * back for a plain-Java forward pass), a Tribuo classifier trained here, and the committed
 * TorchScript fixture (weights known from make_torchscript.py).
 */
final class TestModels {

    /** The 4-in, 3-out linear classifier shared by the ONNX graph and the TorchScript fixture. */
    static final float[][] W = {
            {0.5f, -0.25f, 1.0f, 0.0f},
            {-1.0f, 0.75f, 0.0f, 0.5f},
            {0.25f, 0.25f, -0.5f, -1.0f},
    };
    static final float[] B = {0.1f, -0.2f, 0.3f};

    private TestModels() {
    }

    /** softmax(W x + b) in doubles. */
    static double[] linearSoftmax(float[][] w, float[] b, float[] x) {
        double[] z = new double[w.length];
        double max = Double.NEGATIVE_INFINITY;
        for (int o = 0; o < w.length; o++) {
            double s = b[o];
            for (int i = 0; i < x.length; i++) {
                s += (double) w[o][i] * x[i];
            }
            z[o] = s;
            max = Math.max(max, s);
        }
        double sum = 0;
        for (int o = 0; o < z.length; o++) {
            z[o] = Math.exp(z[o] - max);
            sum += z[o];
        }
        for (int o = 0; o < z.length; o++) {
            z[o] /= sum;
        }
        return z;
    }

    /** An ONNX graph: probabilities = Softmax(features x W^T + b), features [N, 4]. */
    static byte[] onnxLinear(float[][] w, float[] b, int padBytes) {
        List<Float> wt = new ArrayList<>();
        for (int i = 0; i < w[0].length; i++) {
            for (float[] row : w) {
                wt.add(row[i]);
            }
        }
        OnnxMl.TensorProto weights = OnnxMl.TensorProto.newBuilder().setName("W")
                .setDataType(OnnxMl.TensorProto.DataType.FLOAT.getNumber())
                .addDims(w[0].length).addDims(w.length).addAllFloatData(wt).build();
        List<Float> bias = new ArrayList<>();
        for (float f : b) {
            bias.add(f);
        }
        OnnxMl.TensorProto biasT = OnnxMl.TensorProto.newBuilder().setName("B")
                .setDataType(OnnxMl.TensorProto.DataType.FLOAT.getNumber()).addDims(b.length).addAllFloatData(bias).build();
        OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName("linear")
                .addInitializer(weights).addInitializer(biasT)
                .addInput(valueInfo("features", w[0].length))
                .addOutput(valueInfo("probabilities", w.length))
                .addNode(OnnxMl.NodeProto.newBuilder().setOpType("MatMul").addInput("features").addInput("W").addOutput("mm"))
                .addNode(OnnxMl.NodeProto.newBuilder().setOpType("Add").addInput("mm").addInput("B").addOutput("logits"))
                .addNode(OnnxMl.NodeProto.newBuilder().setOpType("Softmax").addInput("logits").addOutput("probabilities")
                        .addAttribute(OnnxMl.AttributeProto.newBuilder().setName("axis").setI(1)
                                .setType(OnnxMl.AttributeProto.AttributeType.INT)));
        if (padBytes > 0) {
            // an unused initializer that only makes the file bigger (for quota tests)
            g.addInitializer(OnnxMl.TensorProto.newBuilder().setName("pad")
                    .setDataType(OnnxMl.TensorProto.DataType.UINT8.getNumber()).addDims(padBytes)
                    .setRawData(com.google.protobuf.ByteString.copyFrom(new byte[padBytes])));
        }
        return model(g.build());
    }

    /** A well-formed ONNX file whose graph uses an operator that does not exist: it cannot load. */
    static byte[] onnxBroken() {
        OnnxMl.GraphProto g = OnnxMl.GraphProto.newBuilder().setName("broken")
                .addInput(valueInfo("features", 4)).addOutput(valueInfo("out", 4))
                .addNode(OnnxMl.NodeProto.newBuilder().setOpType("NoSuchOperator").addInput("features").addOutput("out"))
                .build();
        return model(g);
    }

    private static byte[] model(OnnxMl.GraphProto g) {
        return OnnxMl.ModelProto.newBuilder().setIrVersion(8).setProducerName("ensemble-test")
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setVersion(13)).setGraph(g).build().toByteArray();
    }

    private static OnnxMl.ValueInfoProto valueInfo(String name, int width) {
        OnnxMl.TypeProto type = OnnxMl.TypeProto.newBuilder().setTensorType(OnnxMl.TypeProto.Tensor.newBuilder()
                .setElemType(OnnxMl.TensorProto.DataType.FLOAT.getNumber())
                .setShape(OnnxMl.TensorShapeProto.newBuilder()
                        .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("N"))
                        .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(width)))).build();
        return OnnxMl.ValueInfoProto.newBuilder().setName(name).setType(type).build();
    }

    /** A DJL MLP (4-8-3) trained a few epochs, its .params file, and its weights for a Java forward pass. */
    record TrainedMlp(Path params, float[][] w1, float[] b1, float[][] w2, float[] b2) {
        double[] forward(float[] x) {
            double[] h = new double[b1.length];
            for (int j = 0; j < h.length; j++) {
                double s = b1[j];
                for (int i = 0; i < x.length; i++) {
                    s += (double) w1[j][i] * x[i];
                }
                h[j] = Math.max(0, s);
            }
            double[] o = new double[b2.length];
            for (int k = 0; k < o.length; k++) {
                double s = b2[k];
                for (int j = 0; j < h.length; j++) {
                    s += (double) w2[k][j] * h[j];
                }
                o[k] = s;
            }
            return o;
        }
    }

    static TrainedMlp trainMlp(Path dir) throws Exception {
        Files.createDirectories(dir);
        try (Model model = Model.newInstance("mlp", "PyTorch")) {
            model.setBlock(new Mlp(4, 3, new int[]{8}));
            NDManager m = model.getNDManager();
            Random rnd = new Random(7);
            int n = 256;
            float[] xs = new float[n * 4];
            float[] ys = new float[n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < 4; j++) {
                    xs[i * 4 + j] = (float) rnd.nextGaussian();
                }
                ys[i] = xs[i * 4] > 0.5 ? 2 : xs[i * 4] > -0.5 ? 1 : 0;
            }
            ArrayDataset data = new ArrayDataset.Builder().setData(m.create(xs, new Shape(n, 4)))
                    .optLabels(m.create(ys, new Shape(n))).setSampling(32, true).build();
            try (Trainer trainer = model.newTrainer(new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss()))) {
                trainer.initialize(new Shape(1, 4));
                EasyTrain.fit(trainer, 3, data, null);
            }
            model.save(dir, "mlp");
            List<float[]> arrays = new ArrayList<>();
            List<long[]> shapes = new ArrayList<>();
            for (var p : model.getBlock().getParameters()) {
                Parameter param = p.getValue();
                arrays.add(param.getArray().toFloatArray());
                shapes.add(param.getArray().getShape().getShape());
            }
            return new TrainedMlp(dir.resolve("mlp-0000.params"), matrix(arrays.get(0), shapes.get(0)), arrays.get(1),
                    matrix(arrays.get(2), shapes.get(2)), arrays.get(3));
        }
    }

    private static float[][] matrix(float[] flat, long[] shape) {
        float[][] m = new float[(int) shape[0]][(int) shape[1]];
        for (int r = 0; r < shape[0]; r++) {
            System.arraycopy(flat, (int) (r * shape[1]), m[r], 0, (int) shape[1]);
        }
        return m;
    }

    /** A Tribuo logistic regression over f0..f3 (label "yes" when f0 + f1 > 0), and the model for reference. */
    static org.tribuo.Model<Label> trainTribuo(Path file) throws Exception {
        LabelFactory lf = new LabelFactory();
        MutableDataset<Label> ds = new MutableDataset<>(new SimpleDataSourceProvenance("test", lf), lf);
        Random r = new Random(3);
        String[] names = {"f0", "f1", "f2", "f3"};
        for (int i = 0; i < 300; i++) {
            double[] v = new double[4];
            for (int j = 0; j < 4; j++) {
                v[j] = r.nextGaussian();
            }
            ds.add(new ArrayExample<>(new Label(v[0] + v[1] > 0 ? "yes" : "no"), names, v));
        }
        org.tribuo.Model<Label> model = new LogisticRegressionTrainer().train(ds);
        model.serializeToFile(file);
        return model;
    }

    static Prediction<Label> tribuoPredict(org.tribuo.Model<Label> model, float[] x) {
        double[] v = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            v[i] = x[i];
        }
        return model.predict(new ArrayExample<>(LabelFactory.UNKNOWN_LABEL, new String[]{"f0", "f1", "f2", "f3"}, v));
    }
}
