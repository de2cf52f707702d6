package dev.ensemble.job.ml;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a trained MLP as an ONNX graph (opset 13) from its parameters: standardization
 * ({@code Sub}, {@code Div}), then {@code Gemm} layers with {@code Relu} between, then {@code Softmax}.
 * Input {@code input} {@code float[batch, features]} (raw, unscaled features), output
 * {@code probabilities} {@code float[batch, classes]}. Served by any ONNX runtime, without the training engine.
 */
public final class OnnxExport {

    private OnnxExport() {
    }

    public static void mlp(Block block, float[] mean, float[] std, String name, Path file) throws IOException {
        List<float[]> weights = new ArrayList<>();
        List<long[]> shapes = new ArrayList<>();
        List<float[]> biases = new ArrayList<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            NDArray array = p.getValue().getArray();
            if (p.getValue().getType() == Parameter.Type.WEIGHT) {
                weights.add(array.toFloatArray());
                shapes.add(array.getShape().getShape());
            } else if (p.getValue().getType() == Parameter.Type.BIAS) {
                biases.add(array.toFloatArray());
            }
        }
        if (weights.isEmpty() || weights.size() != biases.size()) {
            throw new IllegalStateException("not an MLP: " + weights.size() + " weights, " + biases.size() + " biases");
        }
        int features = mean.length;
        long classes = shapes.get(shapes.size() - 1)[0];
        OnnxMl.GraphProto.Builder graph = OnnxMl.GraphProto.newBuilder().setName(name)
                .addInput(valueInfo("input", features))
                .addOutput(valueInfo("probabilities", classes))
                .addInitializer(tensor("mean", new long[]{features}, mean))
                .addInitializer(tensor("std", new long[]{features}, std))
                .addNode(node("Sub", "centre", List.of("input", "mean"), "centred"))
                .addNode(node("Div", "scale", List.of("centred", "std"), "h0"));
        String current = "h0";
        for (int i = 0; i < weights.size(); i++) {
            graph.addInitializer(tensor("W" + i, shapes.get(i), weights.get(i)));
            graph.addInitializer(tensor("b" + i, new long[]{shapes.get(i)[0]}, biases.get(i)));
            String out = "g" + i;
            graph.addNode(gemm("gemm" + i, current, "W" + i, "b" + i, out));
            current = out;
            if (i < weights.size() - 1) {
                graph.addNode(node("Relu", "relu" + i, List.of(out), "r" + i));
                current = "r" + i;
            }
        }
        graph.addNode(node("Softmax", "softmax", List.of(current), "probabilities").toBuilder()
                .addAttribute(OnnxMl.AttributeProto.newBuilder().setName("axis")
                        .setType(OnnxMl.AttributeProto.AttributeType.INT).setI(1)));
        write(graph, file);
    }

    /**
     * Writes the small CNN ({@link dev.ensemble.ml.Networks#cnn}) as an ONNX graph (opset 13): two
     * {@code Conv} (3x3, padding 1) + {@code Relu} + {@code MaxPool} (2x2, stride 2), {@code Flatten},
     * {@code Gemm} + {@code Relu}, {@code Gemm}, {@code Softmax}. Input {@code input}
     * {@code float[batch, 3, size, size]} (pixels 0..1, as trained), output {@code probabilities}.
     */
    public static void cnn(Block block, int channels, int height, int width, String name, Path file) throws IOException {
        List<float[]> values = new ArrayList<>();
        List<long[]> shapes = new ArrayList<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            NDArray array = p.getValue().getArray();
            values.add(array.toFloatArray());
            shapes.add(array.getShape().getShape());
        }
        if (values.size() != 8 || shapes.get(0).length != 4 || shapes.get(2).length != 4) {
            throw new IllegalStateException("not the small CNN: " + values.size() + " parameters");
        }
        long classes = shapes.get(6)[0];
        OnnxMl.GraphProto.Builder graph = OnnxMl.GraphProto.newBuilder().setName(name)
                .addInput(valueInfo("input", channels, height, width))
                .addOutput(valueInfo("probabilities", classes));
        String[] names = {"conv0_w", "conv0_b", "conv1_w", "conv1_b", "fc0_w", "fc0_b", "fc1_w", "fc1_b"};
        for (int i = 0; i < names.length; i++) {
            graph.addInitializer(tensor(names[i], shapes.get(i), values.get(i)));
        }
        String current = "input";
        for (int c = 0; c < 2; c++) {
            graph.addNode(node("Conv", "conv" + c, List.of(current, "conv" + c + "_w", "conv" + c + "_b"), "c" + c).toBuilder()
                    .addAttribute(ints("kernel_shape", 3, 3)).addAttribute(ints("pads", 1, 1, 1, 1))
                    .addAttribute(ints("strides", 1, 1)));
            graph.addNode(node("Relu", "conv_relu" + c, List.of("c" + c), "cr" + c));
            graph.addNode(node("MaxPool", "pool" + c, List.of("cr" + c), "p" + c).toBuilder()
                    .addAttribute(ints("kernel_shape", 2, 2)).addAttribute(ints("strides", 2, 2)));
            current = "p" + c;
        }
        graph.addNode(node("Flatten", "flatten", List.of(current), "flat").toBuilder()
                .addAttribute(OnnxMl.AttributeProto.newBuilder().setName("axis")
                        .setType(OnnxMl.AttributeProto.AttributeType.INT).setI(1)));
        graph.addNode(gemm("fc0", "flat", "fc0_w", "fc0_b", "f0"));
        graph.addNode(node("Relu", "fc_relu0", List.of("f0"), "fr0"));
        graph.addNode(gemm("fc1", "fr0", "fc1_w", "fc1_b", "logits"));
        graph.addNode(node("Softmax", "softmax", List.of("logits"), "probabilities").toBuilder()
                .addAttribute(OnnxMl.AttributeProto.newBuilder().setName("axis")
                        .setType(OnnxMl.AttributeProto.AttributeType.INT).setI(1)));
        write(graph, file);
    }

    private static OnnxMl.NodeProto gemm(String name, String x, String w, String b, String out) {
        return node("Gemm", name, List.of(x, w, b), out).toBuilder()
                .addAttribute(OnnxMl.AttributeProto.newBuilder().setName("transB")
                        .setType(OnnxMl.AttributeProto.AttributeType.INT).setI(1)).build();
    }

    private static OnnxMl.AttributeProto ints(String name, long... values) {
        OnnxMl.AttributeProto.Builder a = OnnxMl.AttributeProto.newBuilder().setName(name)
                .setType(OnnxMl.AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    private static void write(OnnxMl.GraphProto.Builder graph, Path file) throws IOException {
        OnnxMl.ModelProto model = OnnxMl.ModelProto.newBuilder()
                .setIrVersion(7)
                .setProducerName("ensemble-job-service")
                .setProducerVersion("1")
                .setDomain("dev.ensemble")
                .setModelVersion(1)
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .setGraph(graph)
                .build();
        try (OutputStream out = Files.newOutputStream(file)) {
            model.writeTo(out);
        }
    }

    private static OnnxMl.NodeProto node(String op, String name, List<String> inputs, String output) {
        return OnnxMl.NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(inputs).addOutput(output).build();
    }

    /** A float tensor {@code [batch, dims...]}. */
    private static OnnxMl.ValueInfoProto valueInfo(String name, long... dims) {
        OnnxMl.TensorShapeProto.Builder b = OnnxMl.TensorShapeProto.newBuilder()
                .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("batch"));
        for (long d : dims) {
            b.addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        OnnxMl.TensorShapeProto shape = b.build();
        return OnnxMl.ValueInfoProto.newBuilder().setName(name)
                .setType(OnnxMl.TypeProto.newBuilder().setTensorType(OnnxMl.TypeProto.Tensor.newBuilder()
                        .setElemType(OnnxMl.TensorProto.DataType.FLOAT.getNumber()).setShape(shape)))
                .build();
    }

    private static OnnxMl.TensorProto tensor(String name, long[] dims, float[] data) {
        ByteBuffer buf = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : data) {
            buf.putFloat(f);
        }
        buf.flip();
        OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder().setName(name)
                .setDataType(OnnxMl.TensorProto.DataType.FLOAT.getNumber())
                .setRawData(ByteString.copyFrom(buf));
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }
}
