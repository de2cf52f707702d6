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
            graph.addNode(node("Gemm", "gemm" + i, List.of(current, "W" + i, "b" + i), out).toBuilder()
                    .addAttribute(OnnxMl.AttributeProto.newBuilder().setName("transB")
                            .setType(OnnxMl.AttributeProto.AttributeType.INT).setI(1)));
            current = out;
            if (i < weights.size() - 1) {
                graph.addNode(node("Relu", "relu" + i, List.of(out), "r" + i));
                current = "r" + i;
            }
        }
        graph.addNode(node("Softmax", "softmax", List.of(current), "probabilities").toBuilder()
                .addAttribute(OnnxMl.AttributeProto.newBuilder().setName("axis")
                        .setType(OnnxMl.AttributeProto.AttributeType.INT).setI(1)));
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

    private static OnnxMl.ValueInfoProto valueInfo(String name, long width) {
        OnnxMl.TensorShapeProto shape = OnnxMl.TensorShapeProto.newBuilder()
                .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("batch"))
                .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(width))
                .build();
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
