package dev.ensemble.systemtests;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A model trained by job-service is served by inference-service, through the gateway only: train a
 * small CNN on an image folder and a bert-style text classifier on a CSV, wait for
 * {@code model.trained} to register each model, predict through {@code /api/v1/models/{id}/predict}
 * with an encoded image and with text, and check the answer against job-service's own inference job
 * on the same input (both services build the network from the same architecture string).
 */
class TrainAndServeIT extends SystemTest {

    static byte[] png(int rgb, long seed) throws Exception {
        BufferedImage img = new BufferedImage(12, 12, BufferedImage.TYPE_INT_RGB);
        Random r = new Random(seed);
        for (int y = 0; y < 12; y++) {
            for (int x = 0; x < 12; x++) {
                int noise = r.nextInt(40);
                int red = Math.min(255, ((rgb >> 16) & 0xff) + noise);
                int green = Math.min(255, ((rgb >> 8) & 0xff) + noise);
                int blue = Math.min(255, (rgb & 0xff) + noise);
                img.setRGB(x, y, red << 16 | green << 8 | blue);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    static byte[] imagesZip() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            int[] colours = {0xd01010, 0x1010d0};
            String[] names = {"red", "blue"};
            for (int c = 0; c < 2; c++) {
                for (int i = 0; i < 10; i++) {
                    zip.putNextEntry(new ZipEntry(names[c] + "/img" + i + ".png"));
                    zip.write(png(colours[c], c * 100L + i));
                    zip.closeEntry();
                }
            }
        }
        return bytes.toByteArray();
    }

    static String sentimentCsv() {
        String[] good = {"great product love it", "excellent quality works well", "really happy with this",
                "wonderful and fast", "love the design great value"};
        String[] bad = {"terrible waste of money", "broke after a day awful", "very poor quality",
                "awful experience never again", "bad product terrible support"};
        StringBuilder sb = new StringBuilder("text,label\n");
        for (int i = 0; i < 8; i++) {
            for (int k = 0; k < good.length; k++) {
                sb.append(good[k]).append(",positive\n").append(bad[k]).append(",negative\n");
            }
        }
        return sb.toString();
    }

    String upload(String auth, String name, byte[] content, String type) {
        return gateway().header("Authorization", auth).multiPart("file", name, content, type)
                .post("/api/v1/datasets").then().statusCode(201).extract().path("data_path");
    }

    String train(String auth, Map<String, Object> body) {
        return gateway().header("Authorization", auth).contentType(ContentType.JSON).body(body)
                .post("/jobs/training").then().statusCode(201).extract().path("job_id");
    }

    String infer(String auth, String modelId, String input) {
        return infer(auth, modelId, input, Map.of());
    }

    String infer(String auth, String modelId, String input, Map<String, Object> parameters) {
        return gateway().header("Authorization", auth).contentType(ContentType.JSON)
                .body(Map.of("model_id", modelId, "input_data", input, "parameters", parameters)).post("/jobs/inference")
                .then().statusCode(201).extract().path("job_id");
    }

    void awaitReady(String auth, String modelId) {
        await("model " + modelId + " ready").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> gateway().header("Authorization", auth).get("/api/v1/models/" + modelId)
                        .then().statusCode(200).body("status", equalTo("ready")));
    }

    JsonPath predict(String auth, String modelId, Object inputs) {
        return gateway().header("Authorization", auth).contentType(ContentType.JSON)
                .body(Map.of("inputs", inputs, "parameters", Map.of())).post("/api/v1/models/" + modelId + "/predict")
                .then().statusCode(200).extract().jsonPath();
    }

    /** The served answer's best class and its probability (softmax of logits; an ONNX export answers probabilities). */
    static Object[] top(JsonPath served) {
        List<Number> logits = served.getList("outputs.predictions");
        List<String> classes = served.getList("outputs.classes");
        double total = 0;
        boolean probabilities = true;
        for (Number n : logits) {
            probabilities &= n.doubleValue() >= 0 && n.doubleValue() <= 1;
            total += n.doubleValue();
        }
        if (probabilities && Math.abs(total - 1) < 1e-3) {
            int best = 0;
            for (int i = 1; i < logits.size(); i++) {
                best = logits.get(i).doubleValue() > logits.get(best).doubleValue() ? i : best;
            }
            return new Object[]{classes.get(best), logits.get(best).doubleValue()};
        }
        double max = Double.NEGATIVE_INFINITY;
        int best = 0;
        for (int i = 0; i < logits.size(); i++) {
            if (logits.get(i).doubleValue() > max) {
                max = logits.get(i).doubleValue();
                best = i;
            }
        }
        double sum = 0;
        for (Number n : logits) {
            sum += Math.exp(n.doubleValue() - max);
        }
        return new Object[]{classes.get(best), 1 / sum};
    }

    @Test
    void aCnnATextClassifierAndACharacterModelTrainedByJobsAreServed() throws Exception {
        String email = uniqueEmail("train-serve");
        register(email, "Train Serve");
        String auth = "Bearer " + login(email);

        String images = upload(auth, "colours.zip", imagesZip(), "application/zip");
        String texts = upload(auth, "reviews.csv", sentimentCsv().getBytes(StandardCharsets.UTF_8), "text/csv");
        String cnnJob = train(auth, Map.of("model_type", "cnn", "data_path", images,
                "hyperparameters", Map.of("epochs", 4, "learning_rate", 0.01, "batch_size", 8, "image_size", 12)));
        String bertJob = train(auth, Map.of("model_type", "bert", "data_path", texts,
                "hyperparameters", Map.of("epochs", 3, "learning_rate", 0.005, "batch_size", 16, "max_length", 8)));
        String corpus = upload(auth, "fox.txt", ("the quick brown fox jumps over the lazy dog. ".repeat(20))
                .getBytes(StandardCharsets.UTF_8), "text/plain");
        String gptJob = train(auth, Map.of("model_type", "gpt", "data_path", corpus,
                "hyperparameters", Map.of("epochs", 1, "batch_size", 32, "max_length", 8, "hidden_size", 16)));

        JsonPath cnn = JobsIT.awaitCompleted(auth.substring(7), cnnJob);
        String cnnModel = cnn.getString("result.model_id");
        assertEquals("onnx", cnn.getString("result.format")); // served by ONNX Runtime, no training engine
        JsonPath bert = JobsIT.awaitCompleted(auth.substring(7), bertJob);
        String bertModel = bert.getString("result.model_id");

        // the CNN: an encoded image to inference-service, the same file to a job-service inference job
        awaitReady(auth, cnnModel);
        gateway().header("Authorization", auth).get("/api/v1/models/" + cnnModel).then()
                .body("input_shape", equalTo(List.of(3, 12, 12))).body("source", equalTo("training"));
        byte[] red = png(0xd01010, 3);
        Object[] served = top(predict(auth, cnnModel, Base64.getEncoder().encodeToString(png(0xd01010, 0))));
        JsonPath job = JobsIT.awaitCompleted(auth.substring(7), infer(auth, cnnModel, images + "/red/img0.png"));
        assertEquals(job.getString("result.predictions[0].label"), served[0]);
        assertEquals(job.getDouble("result.predictions[0].confidence"), (Double) served[1], 1e-3);
        // Ai-semble's vision path classifies with the same model (the caller's newest image model)
        JsonPath classified = gateway().header("Authorization", auth)
                .multiPart("image", "red.png", png(0xd01010, 0), "image/png").multiPart("top_k", "2")
                .post("/api/v2/ai/vision/classify").then().statusCode(200).extract().jsonPath();
        assertEquals(cnnModel, classified.getString("model_id"));
        gateway().header("Authorization", auth).contentType(ContentType.JSON)
                .body(Map.of("inputs", Base64.getEncoder().encodeToString(red))).post("/api/v1/models/" + cnnModel + "/predict")
                .then().statusCode(200).body("metadata.format", equalTo("onnx")).body("metadata.runtime", equalTo("onnxruntime"));
        assertEquals(served[0], classified.getString("predictions[0].class"));
        assertEquals((Double) served[1], classified.getDouble("predictions[0].confidence"), 1e-3);
        // an image it has not seen, in a batch with another
        JsonPath batch = predict(auth, cnnModel, List.of(Base64.getEncoder().encodeToString(red),
                Base64.getEncoder().encodeToString(png(0x1010d0, 4))));
        assertEquals(2, batch.getList("outputs.label").size());

        // the text classifier: text to inference-service, the same text to a job-service inference job
        awaitReady(auth, bertModel);
        String review = "love it great value";
        Object[] text = top(predict(auth, bertModel, review));
        JsonPath textJob = JobsIT.awaitCompleted(auth.substring(7), infer(auth, bertModel, review));
        assertEquals(textJob.getString("result.predictions[0].label"), text[0]);
        assertEquals(textJob.getDouble("result.predictions[0].confidence"), (Double) text[1], 1e-3);

        // the character model: its next character for a prompt, greedy, against a one-character job
        String gptModel = JobsIT.awaitCompleted(auth.substring(7), gptJob).getString("result.model_id");
        awaitReady(auth, gptModel);
        String prompt = "the quick brown f";
        JsonPath next = predict(auth, gptModel, prompt);
        JsonPath generated = JobsIT.awaitCompleted(auth.substring(7), infer(auth, gptModel, prompt,
                Map.of("max_length", 1, "temperature", 0)));
        assertEquals(generated.getString("result.generated_text"), next.getString("outputs.label"));

        // Ai-semble's NLP path
        gateway().header("Authorization", auth).contentType(ContentType.JSON)
                .body(Map.of("text", "I love this product! It's amazing and works perfectly."))
                .post("/api/v2/ai/nlp/analyze").then().statusCode(200).body("sentiment.label", equalTo("positive"))
                .body("detected_language", equalTo("en"));

        // another user cannot use them
        String otherEmail = uniqueEmail("train-serve-other");
        register(otherEmail, "Other");
        String other = "Bearer " + login(otherEmail);
        gateway().header("Authorization", other).contentType(ContentType.JSON).body(Map.of("inputs", review))
                .post("/api/v1/models/" + bertModel + "/predict").then().statusCode(404);
    }
}
