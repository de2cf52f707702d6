package dev.ensemble.inference.ai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ensemble.events.Events;
import dev.ensemble.inference.Model;
import dev.ensemble.inference.models.ModelRegistry;
import dev.ensemble.inference.models.ModelServing;
import dev.ensemble.inference.models.ServedModel;
import dev.ensemble.inference.models.Shapes;
import dev.ensemble.inference.models.UsageRecorder;
import dev.ensemble.inference.rest.ModelViews;
import dev.ensemble.inference.rest.ServingErrors;
import dev.ensemble.inference.serving.Tensor;
import dev.ensemble.ml.Pixels;
import dev.ensemble.web.ApiException;
import dev.ensemble.web.ErrorCode;
import dev.ensemble.web.Offload;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Ai-semble's vision service ({@code /api/v2/ai/vision/...} at the gateway). Classification runs one
 * of the caller's own image models (trained by job-service or uploaded, input {@code [3, H, W]})
 * through the serving engine, on the image preprocessed as the model was trained; analysis reads the
 * image's header and colours, and classifies when a model is there. Ensemble downloads no models, so
 * object detection, OCR and scene analysis are answered as unavailable, with the reason, not guessed.
 */
@Path("/api/v1/vision")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed("user")
public class VisionResource {

    static final long MAX_IMAGE_BYTES = 20L * 1024 * 1024;
    static final List<String> AVAILABLE = List.of("image_info", "colors", "classification");
    static final Map<String, String> UNAVAILABLE = Map.of(
            "object_detection", "no object-detection model is installed (Ensemble downloads no models); upload a "
                    + "detector as ONNX and call it through /api/v1/models/{id}/predict",
            "text_extraction", "no OCR model is installed (Ensemble downloads no models)",
            "scene_analysis", "no scene model is installed; train an image classifier on scene folders "
                    + "(POST /jobs/training, model_type cnn) and ask for classification with it",
            "face_detection", "no face-detection model is installed (Ensemble downloads no models)");

    @Inject
    JsonWebToken jwt;

    @Inject
    ModelRegistry registry;

    @Inject
    ModelServing serving;

    @Inject
    UsageRecorder usage;

    @POST
    @Path("/classify")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    public Uni<Map<String, Object>> classify(@RestForm("image") FileUpload image, @RestForm("model") String model,
                                             @RestForm("top_k") String topK,
                                             @HeaderParam("X-Request-Id") String requestId) {
        long t0 = System.nanoTime();
        int k = topK(topK);
        UUID owner = owner();
        return read(image).chain(bytes -> imageModel(owner, model, true)
                .chain(sm -> classify(sm, bytes, k)).map(c -> {
                    Map<String, Object> r = new LinkedHashMap<>();
                    r.put("request_id", AiRequests.id(requestId));
                    r.put("model_id", c.get("model_id"));
                    r.put("model", c.get("model"));
                    r.put("predictions", c.get("predictions"));
                    r.put("processing_time", seconds(t0));
                    return r;
                }));
    }

    @POST
    @Path("/analyze")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    public Uni<Map<String, Object>> analyze(@RestForm("image") FileUpload image,
                                            @RestForm("analysis_type") List<String> analysisType,
                                            @RestForm("model") String model, @RestForm("top_k") String topK,
                                            @HeaderParam("X-Request-Id") String requestId) {
        long t0 = System.nanoTime();
        Set<String> types = analysisTypes(analysisType, model);
        int k = topK(topK);
        UUID owner = owner();
        return read(image).chain(bytes -> Offload.blocking(() -> {
            Pixels.Info info = info(bytes);
            Map<String, Object> results = new LinkedHashMap<>();
            if (types.contains("colors")) {
                results.put("colors", ImageStats.colors(Pixels.decode(bytes, ImageStats.SIZE, ImageStats.SIZE)));
            }
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("request_id", AiRequests.id(requestId));
            r.put("image_info", Map.of("width", info.width(), "height", info.height(),
                    "format", info.format().toUpperCase(Locale.ROOT), "size_bytes", bytes.length));
            r.put("analysis_results", results);
            return r;
        }).chain(r -> {
            List<Map<String, Object>> unavailable = new ArrayList<>();
            for (String t : types) {
                if (UNAVAILABLE.containsKey(t)) {
                    unavailable.add(Map.of("type", t, "reason", UNAVAILABLE.get(t)));
                }
            }
            Uni<Map<String, Object>> done = Uni.createFrom().item(r);
            if (types.contains("classification")) {
                done = imageModel(owner, model, model != null && !model.isBlank())
                        .chain(sm -> sm == null ? Uni.createFrom().nullItem() : classify(sm, bytes, k))
                        .map(c -> {
                            if (c == null) {
                                unavailable.add(Map.of("type", "classification", "reason",
                                        "you have no image model yet: train one (POST /jobs/training, model_type cnn) "
                                                + "or upload one with input_shape [3,H,W]"));
                            } else {
                                @SuppressWarnings("unchecked")
                                Map<String, Object> results = (Map<String, Object>) r.get("analysis_results");
                                results.put("classification", c);
                            }
                            return r;
                        });
            }
            return done.map(x -> {
                if (!unavailable.isEmpty()) {
                    x.put("unavailable", unavailable);
                }
                x.put("processing_time", seconds(t0));
                return x;
            });
        }));
    }

    /** Top-k classes of one image by one model: softmax over its outputs unless they already are probabilities. */
    private Uni<Map<String, Object>> classify(ServedModel sm, byte[] bytes, int k) {
        long[] row = sm.inputRowShape();
        if (row == null || row.length != 3 || row[0] != 3 || row[1] < 1 || row[2] < 1) {
            throw new ApiException(422, ErrorCode.VALIDATION_ERROR, "model " + sm.id + " does not take RGB images: its "
                    + "input is " + Shapes.show(row) + ", an image model takes [3, height, width]");
        }
        long t0 = System.nanoTime();
        return Offload.blocking(() -> {
            try {
                return Pixels.decode(bytes, (int) row[1], (int) row[2]);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("image", e.getMessage());
            }
        }).chain(pixels -> usage.metered(sm, 1, t0,
                        serving.predict(sm, new Tensor(new long[]{1, 3, row[1], row[2]}, pixels))))
                .onFailure().transform(ServingErrors::map)
                .map(out -> {
                    float[] p = probabilities(out.data(), out.rowSize());
                    List<String> labels = sm.labels();
                    Integer[] order = new Integer[p.length];
                    for (int i = 0; i < p.length; i++) {
                        order[i] = i;
                    }
                    java.util.Arrays.sort(order, (a, b) -> Float.compare(p[b], p[a]));
                    List<Map<String, Object>> predictions = new ArrayList<>();
                    for (int i = 0; i < Math.min(k, p.length); i++) {
                        int c = order[i];
                        Map<String, Object> e = new LinkedHashMap<>();
                        e.put("class", labels != null && labels.size() == p.length ? labels.get(c) : "class_" + c);
                        e.put("confidence", ModelViews.round(p[c]));
                        e.put("class_id", c);
                        predictions.add(e);
                    }
                    Map<String, Object> c = new LinkedHashMap<>();
                    c.put("model_id", sm.id);
                    c.put("model", sm.name);
                    c.put("predictions", predictions);
                    return c;
                });
    }

    static float[] probabilities(float[] out, int n) {
        float[] p = new float[n];
        double sum = 0;
        boolean distribution = true;
        for (int i = 0; i < n; i++) {
            distribution &= out[i] >= 0 && out[i] <= 1;
            sum += out[i];
        }
        if (distribution && Math.abs(sum - 1) < 1e-3) {
            System.arraycopy(out, 0, p, 0, n);
            return p;
        }
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, out[i]);
        }
        double z = 0;
        for (int i = 0; i < n; i++) {
            z += Math.exp(out[i] - max);
        }
        for (int i = 0; i < n; i++) {
            p[i] = (float) (Math.exp(out[i] - max) / z);
        }
        return p;
    }

    /**
     * The model named by id or name, or (unnamed) the caller's newest ready image model; null when
     * unnamed and the caller has none and {@code required} is false.
     */
    private Uni<ServedModel> imageModel(UUID owner, String model, boolean required) {
        Uni<Model> found;
        if (model == null || model.isBlank()) {
            found = registry.all(owner).map(list -> list.stream()
                    .filter(m -> Model.READY.equals(m.status) && takesImages(m)).findFirst()
                    .orElseGet(() -> {
                        if (required) {
                            throw new ApiException(404, ErrorCode.NOT_FOUND, "no image model: you have no ready model "
                                    + "that takes images; train one (POST /jobs/training, model_type cnn) or upload one "
                                    + "with input_shape [3,H,W], then name it in `model`");
                        }
                        return null;
                    }));
        } else if (model.length() > 200) {
            throw ApiException.badRequest("model", "at most 200 characters");
        } else {
            UUID id = uuid(model.trim());
            found = id != null ? registry.findOwned(owner, id)
                    : registry.findByName(owner, model.trim(), null).onItem().ifNull()
                    .failWith(() -> ApiException.notFound("model " + AiRequests.shorten(model.trim())));
        }
        return found.map(m -> m == null ? null : serving.register(ServingErrors.servable(m)));
    }

    static boolean takesImages(Model m) {
        long[] shape = ServedModel.rowShape(m);
        return shape != null && shape.length == 3 && shape[0] == 3;
    }

    private static Uni<byte[]> read(FileUpload image) {
        if (image == null) {
            throw ApiException.badRequest("image", "required: the image file (multipart field `image`)");
        }
        if (image.size() > MAX_IMAGE_BYTES) {
            throw new ApiException(413, ErrorCode.PAYLOAD_TOO_LARGE, "the image is larger than "
                    + MAX_IMAGE_BYTES / (1024 * 1024) + " MB");
        }
        if (image.size() == 0) {
            throw ApiException.badRequest("image", "the file is empty");
        }
        return Offload.blocking(() -> {
            try {
                return Files.readAllBytes(image.uploadedFile());
            } catch (IOException e) {
                throw new IllegalStateException("cannot read the upload", e);
            }
        });
    }

    private static Pixels.Info info(byte[] bytes) {
        try {
            return Pixels.info(bytes);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("image", e.getMessage());
        }
    }

    static Set<String> analysisTypes(List<String> raw, String model) {
        List<String> names = new ArrayList<>();
        if (raw != null) {
            for (String r : raw) {
                if (r == null || r.isBlank()) {
                    continue;
                }
                String t = r.trim();
                if (t.startsWith("[")) {
                    try {
                        JsonNode a = Events.JSON.readTree(t);
                        if (!a.isArray()) {
                            throw new IllegalArgumentException();
                        }
                        a.forEach(n -> names.add(n.asText()));
                    } catch (Exception e) {
                        throw ApiException.badRequest("analysis_type", "expected a name, a comma-separated list or a "
                                + "JSON array of names");
                    }
                } else {
                    for (String p : t.split(",")) {
                        names.add(p.trim().replace("\"", ""));
                    }
                }
            }
        }
        Set<String> types = new LinkedHashSet<>();
        types.add("image_info");
        if (names.isEmpty()) {
            types.add("colors");
            types.add("classification");
            return types;
        }
        for (String n : names) {
            String t = n.toLowerCase(Locale.ROOT);
            if (!AVAILABLE.contains(t) && !UNAVAILABLE.containsKey(t)) {
                throw ApiException.badRequest("analysis_type", "unknown analysis '" + AiRequests.shorten(n) + "'; known: "
                        + AVAILABLE + " and, not installed here, " + UNAVAILABLE.keySet().stream().sorted().toList());
            }
            types.add(t);
        }
        if (model != null && !model.isBlank()) {
            types.add("classification");
        }
        return types;
    }

    private static int topK(String raw) {
        if (raw == null || raw.isBlank()) {
            return 5;
        }
        try {
            int k = Integer.parseInt(raw.trim());
            if (k >= 1 && k <= 1000) {
                return k;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw ApiException.badRequest("top_k", "expected a whole number from 1 to 1000");
    }

    private static UUID uuid(String s) {
        try {
            return UUID.fromString(s);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static double seconds(long t0) {
        return Math.round((System.nanoTime() - t0) / 1e6) / 1000.0;
    }

    private UUID owner() {
        return UUID.fromString(jwt.getSubject());
    }
}
