package dev.ensemble.inference.models;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The declared inputs of an ONNX graph (ONNX Runtime through DJL names them but leaves dynamic
 * shapes out). Streams the file and skips weights, so a large model is never read whole.
 */
final class OnnxInputs {

    record Input(String name, long[] shape, int elemType) {
    }

    private OnnxInputs() {
    }

    /** The graph's real inputs (initializers listed as inputs by older exporters left out); -1 for a dynamic dimension. */
    static List<Input> read(Path file) throws IOException {
        List<OnnxMl.ValueInfoProto> inputs = new ArrayList<>();
        Set<String> initializers = new HashSet<>();
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 65536)) {
            CodedInputStream in = CodedInputStream.newInstance(raw);
            in.setSizeLimit(Integer.MAX_VALUE);
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                if (WireFormat.getTagFieldNumber(tag) != 7) {
                    in.skipField(tag);
                    continue;
                }
                int graphLimit = in.pushLimit(in.readRawVarint32());
                for (int g = in.readTag(); g != 0; g = in.readTag()) {
                    int field = WireFormat.getTagFieldNumber(g);
                    if (field == 11) {
                        inputs.add(OnnxMl.ValueInfoProto.parseFrom(in.readBytes()));
                    } else if (field == 5) {
                        int limit = in.pushLimit(in.readRawVarint32());
                        for (int t = in.readTag(); t != 0; t = in.readTag()) {
                            if (WireFormat.getTagFieldNumber(t) == 8) {
                                initializers.add(in.readString());
                            } else {
                                in.skipField(t);
                            }
                        }
                        in.popLimit(limit);
                    } else {
                        in.skipField(g);
                    }
                }
                in.popLimit(graphLimit);
            }
        }
        List<Input> result = new ArrayList<>();
        for (OnnxMl.ValueInfoProto v : inputs) {
            if (initializers.contains(v.getName())) {
                continue;
            }
            OnnxMl.TypeProto.Tensor t = v.getType().getTensorType();
            long[] shape = new long[t.getShape().getDimCount()];
            for (int i = 0; i < shape.length; i++) {
                OnnxMl.TensorShapeProto.Dimension d = t.getShape().getDim(i);
                shape[i] = d.hasDimValue() && d.getDimValue() > 0 ? d.getDimValue() : -1;
            }
            result.add(new Input(v.getName(), shape, t.getElemType()));
        }
        return result;
    }
}
