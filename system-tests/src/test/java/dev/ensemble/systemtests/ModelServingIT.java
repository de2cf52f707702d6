package dev.ensemble.systemtests;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Model serving through the gateway only: upload an ONNX classifier (written here, byte by byte,
 * as the ONNX protobuf), wait until it is ready, predict with the AIServe.Farm shape and with the
 * Open Inference Protocol V2, and check the answers against softmax(Wx + b) computed here.
 */
class ModelServingIT extends SystemTest {

    static final float[][] W = {{0.5f, -0.25f, 1.0f, 0.0f}, {-1.0f, 0.75f, 0.0f, 0.5f}, {0.25f, 0.25f, -0.5f, -1.0f}};
    static final float[] B = {0.1f, -0.2f, 0.3f};

    @Test
    void uploadAnOnnxModelAndPredictThroughTheGateway() {
        String email = uniqueEmail("serving");
        register(email, "Serving");
        String token = login(email);

        String id = gateway().header("Authorization", "Bearer " + token)
                .multiPart("model", "linear.onnx", onnxLinear()).multiPart("name", "it-linear")
                .post("/api/v1/models/upload")
                .then().statusCode(201).body("status", equalTo("loading")).body("model_id", notNullValue())
                .extract().path("model_id");

        await("model " + id + " ready").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> gateway().header("Authorization", "Bearer " + token)
                        .get("/api/v1/models/" + id).then().statusCode(200).body("status", equalTo("ready")));

        float[] x = {1, 2, 3, 4};
        JsonPath p = gateway().header("Authorization", "Bearer " + token).contentType(ContentType.JSON)
                .body(Map.of("inputs", Map.of("features", List.of(1, 2, 3, 4)), "parameters", Map.of()))
                .post("/api/v1/models/" + id + "/predict")
                .then().statusCode(200).body("metadata.format", equalTo("onnx"))
                .body("metadata.runtime", equalTo("onnxruntime")).extract().jsonPath();
        double[] expected = softmax(x);
        List<Number> got = p.getList("outputs.predictions");
        for (int i = 0; i < 3; i++) {
            assertEquals(expected[i], got.get(i).doubleValue(), 1e-5);
        }

        JsonPath oip = gateway().header("Authorization", "Bearer " + token).contentType(ContentType.JSON)
                .body(Map.of("inputs", List.of(Map.of("name", "features", "shape", List.of(1, 4), "datatype", "FP32",
                        "data", List.of(1, 2, 3, 4)))))
                .post("/v2/models/it-linear/infer").then().statusCode(200)
                .body("model_name", equalTo("it-linear")).extract().jsonPath();
        List<Number> data = oip.getList("outputs[0].data");
        for (int i = 0; i < 3; i++) {
            assertEquals(expected[i], data.get(i).doubleValue(), 1e-5);
        }

        gateway().header("Authorization", "Bearer " + token).get("/api/v1/models/" + id + "/metrics")
                .then().statusCode(200).body("status", equalTo("ready"));
        gateway().get("/api/v1/models/formats").then().statusCode(200);
        gateway().header("Authorization", "Bearer " + token).delete("/api/v1/models/" + id).then().statusCode(200);
    }

    static double[] softmax(float[] x) {
        double[] z = new double[3];
        double sum = 0;
        for (int o = 0; o < 3; o++) {
            double s = B[o];
            for (int i = 0; i < 4; i++) {
                s += (double) W[o][i] * x[i];
            }
            z[o] = Math.exp(s);
            sum += z[o];
        }
        for (int o = 0; o < 3; o++) {
            z[o] /= sum;
        }
        return z;
    }

    // --- a minimal protobuf writer for the ONNX ModelProto (no ONNX library on this class path) ---

    static byte[] onnxLinear() {
        float[] wt = new float[12];
        for (int i = 0; i < 4; i++) {
            for (int o = 0; o < 3; o++) {
                wt[i * 3 + o] = W[o][i];
            }
        }
        byte[] graph = concat(
                bytes(1, node("MatMul", List.of("features", "W"), "mm", null)),
                bytes(1, node("Add", List.of("mm", "B"), "logits", null)),
                bytes(1, node("Softmax", List.of("logits"), "probabilities", concat(str(1, "axis"), varint(3, 1), varint(20, 2)))),
                str(2, "linear"),
                bytes(5, tensor("W", new long[]{4, 3}, wt)),
                bytes(5, tensor("B", new long[]{3}, B)),
                bytes(11, valueInfo("features", 4)),
                bytes(12, valueInfo("probabilities", 3)));
        return concat(varint(1, 8), str(2, "ensemble-it"), bytes(7, graph), bytes(8, varint(2, 13)));
    }

    static byte[] node(String op, List<String> inputs, String output, byte[] attribute) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        inputs.forEach(i -> out.writeBytes(str(1, i)));
        out.writeBytes(str(2, output));
        out.writeBytes(str(4, op));
        if (attribute != null) {
            out.writeBytes(bytes(5, attribute));
        }
        return out.toByteArray();
    }

    static byte[] tensor(String name, long[] dims, float[] values) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (long d : dims) {
            out.writeBytes(varint(1, d));
        }
        out.writeBytes(varint(2, 1));
        out.writeBytes(str(8, name));
        ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            raw.putFloat(v);
        }
        out.writeBytes(bytes(9, raw.array()));
        return out.toByteArray();
    }

    static byte[] valueInfo(String name, int width) {
        byte[] shape = concat(bytes(1, str(2, "N")), bytes(1, varint(1, width)));
        byte[] tensorType = concat(varint(1, 1), bytes(2, shape));
        return concat(str(1, name), bytes(2, bytes(1, tensorType)));
    }

    static byte[] varint(int field, long value) {
        return concat(rawVarint((long) field << 3), rawVarint(value));
    }

    static byte[] str(int field, String s) {
        return bytes(field, s.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] bytes(int field, byte[] content) {
        return concat(rawVarint(((long) field << 3) | 2), rawVarint(content.length), content);
    }

    static byte[] rawVarint(long v) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
        return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
