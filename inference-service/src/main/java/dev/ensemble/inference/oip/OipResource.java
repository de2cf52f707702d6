package dev.ensemble.inference.oip;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ensemble.inference.Model;
import dev.ensemble.inference.config.InferenceConfig;
import dev.ensemble.inference.models.Inputs;
import dev.ensemble.inference.models.ModelRegistry;
import dev.ensemble.inference.models.ModelServing;
import dev.ensemble.inference.models.ServedModel;
import dev.ensemble.inference.models.UsageRecorder;
import dev.ensemble.inference.rest.ServingErrors;
import dev.ensemble.inference.serving.ServingEngine;
import dev.ensemble.inference.serving.ServingException;
import dev.ensemble.inference.serving.Tensor;
import dev.ensemble.web.ApiException;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The Open Inference Protocol V2 (KServe/Triton REST): health, server and model metadata, model
 * readiness and inference with typed tensors. A model is named by its id or by its name (the
 * newest version unless {@code /versions/{v}} picks one); every version of a name coexists.
 */
@Path("/v2")
@Produces(MediaType.APPLICATION_JSON)
public class OipResource {

    @Inject
    JsonWebToken jwt;

    @Inject
    ModelRegistry registry;

    @Inject
    ModelServing serving;

    @Inject
    UsageRecorder usage;

    @Inject
    InferenceConfig config;

    @GET
    @PermitAll
    public Map<String, Object> server() {
        return Map.of("name", "ensemble-inference", "version", "0.1.0", "extensions", List.of());
    }

    @GET
    @Path("/health/live")
    @PermitAll
    public Map<String, Object> live() {
        return Map.of("live", true);
    }

    @GET
    @Path("/health/ready")
    @PermitAll
    public Map<String, Object> ready() {
        return Map.of("ready", true);
    }

    @GET
    @Path("/models/{model}")
    @RolesAllowed("user")
    public Uni<Map<String, Object>> metadata(@PathParam("model") String model) {
        return resolve(model, null).chain(m -> registry.all(owner()).map(all -> metadata(m, all)));
    }

    @GET
    @Path("/models/{model}/versions/{version}")
    @RolesAllowed("user")
    public Uni<Map<String, Object>> metadata(@PathParam("model") String model, @PathParam("version") String version) {
        return resolve(model, version).chain(m -> registry.all(owner()).map(all -> metadata(m, all)));
    }

    @GET
    @Path("/models/{model}/ready")
    @RolesAllowed("user")
    public Uni<Response> modelReady(@PathParam("model") String model) {
        return resolve(model, null).map(this::readiness);
    }

    @GET
    @Path("/models/{model}/versions/{version}/ready")
    @RolesAllowed("user")
    public Uni<Response> modelReady(@PathParam("model") String model, @PathParam("version") String version) {
        return resolve(model, version).map(this::readiness);
    }

    @POST
    @Path("/models/{model}/infer")
    @RolesAllowed("user")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Map<String, Object>> infer(@PathParam("model") String model, JsonNode body) {
        return infer(model, null, body);
    }

    @POST
    @Path("/models/{model}/versions/{version}/infer")
    @RolesAllowed("user")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Map<String, Object>> infer(@PathParam("model") String model, @PathParam("version") String version,
                                          JsonNode body) {
        long t0 = System.nanoTime();
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest("inputs", "expected an inference request object with `inputs`");
        }
        JsonNode inputs = body.get("inputs");
        if (inputs == null || !inputs.isArray() || inputs.size() != 1) {
            throw ApiException.badRequest("inputs", "expected an array with exactly one input tensor");
        }
        JsonNode id = body.get("id");
        return resolve(model, version).chain(m -> {
            ServedModel sm = serving.register(ServingErrors.servable(m));
            Tensor in = OipTensors.read(inputs.get(0), sm.inputRowShape(), config.serving().maxRowsPerRequest());
            Inputs.checkIds(in, sm, "inputs[0].data");
            String outputName = outputName(body);
            return usage.metered(sm, in.rows(), t0, serving.predict(sm, in))
                    .onFailure().transform(OipResource::mapError)
                    .map(out -> {
                        Map<String, Object> r = new LinkedHashMap<>();
                        r.put("model_name", m.name);
                        r.put("model_version", m.version);
                        if (id != null && id.isTextual()) {
                            r.put("id", id.asText());
                        }
                        r.put("outputs", List.of(OipTensors.write(outputName, out)));
                        return r;
                    });
        });
    }

    private static String outputName(JsonNode body) {
        JsonNode outputs = body.get("outputs");
        if (outputs != null && outputs.isArray() && outputs.size() > 0 && outputs.get(0).path("name").isTextual()) {
            return outputs.get(0).get("name").asText();
        }
        return "output0";
    }

    private static Throwable mapError(Throwable e) {
        Throwable t = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        if (t instanceof ServingException se) {
            return switch (se.reason()) {
                case OVERLOADED -> new ApiException(503, "SERVICE_UNAVAILABLE", se.getMessage())
                        .withHeader("Retry-After", "1");
                case NOT_LOADED -> new ApiException(422, "MODEL_NOT_LOADED", se.getMessage());
                case UNKNOWN_MODEL -> ApiException.notFound("model");
                default -> new ApiException(422, "MODEL_ERROR", "the model could not run this input: " + se.getMessage());
            };
        }
        return t;
    }

    private Response readiness(Model m) {
        boolean ready = serving.status(m.id).map(ServingEngine.Status::ready).orElse(false);
        return Response.status(ready ? 200 : 503).entity(Map.of("name", m.name, "ready", ready)).build();
    }

    private Map<String, Object> metadata(Model m, List<Model> all) {
        List<String> versions = new ArrayList<>();
        for (Model other : all) {
            if (other.name.equals(m.name) && !versions.contains(other.version)) {
                versions.add(other.version);
            }
        }
        ServedModel sm = serving.register(m);
        long[] row = sm.inputRowShape();
        List<Long> inShape = new ArrayList<>();
        inShape.add(-1L);
        if (row != null) {
            for (long d : row) {
                inShape.add(d);
            }
        }
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("name", sm.inputName() != null ? sm.inputName() : "input0");
        input.put("datatype", sm.network() != null && sm.network().vocabulary() > 0 ? "INT64" : "FP32");
        input.put("shape", inShape);
        Map<String, Object> output = new LinkedHashMap<>();
        output.put("name", "output0");
        output.put("datatype", "FP32");
        output.put("shape", sm.labels() != null ? List.of(-1L, (long) sm.labels().size()) : List.of(-1L, -1L));
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("name", m.name);
        r.put("versions", versions);
        r.put("platform", platform(m.format));
        r.put("inputs", List.of(input));
        r.put("outputs", List.of(output));
        return r;
    }

    static String platform(String format) {
        return switch (format) {
            case "onnx" -> "onnxruntime_onnx";
            case "torchscript" -> "pytorch_libtorch";
            case "djl" -> "djl_pytorch";
            default -> "tribuo";
        };
    }

    /** The caller's model by id, or by name and optional version (newest first). */
    private Uni<Model> resolve(String model, String version) {
        UUID owner = owner();
        if (model.length() > 200 || (version != null && version.length() > 50)) {
            throw ApiException.notFound("model");
        }
        Uni<Model> found;
        try {
            UUID id = UUID.fromString(model);
            found = registry.findOwned(owner, id).onFailure(ApiException.class).recoverWithNull()
                    .map(m -> m != null && (version == null || version.equals(m.version)) ? m : null);
        } catch (IllegalArgumentException notAnId) {
            found = registry.findByName(owner, model, version);
        }
        return found.onItem().ifNull().failWith(() -> ApiException.notFound("model " + model
                + (version == null ? "" : " version " + version)));
    }

    private UUID owner() {
        return UUID.fromString(jwt.getSubject());
    }
}
