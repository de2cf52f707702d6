package dev.ensemble.k8s;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * The fabric8 Kubernetes model, read strictly: an unknown field anywhere in an object fails (the
 * model would otherwise keep it in {@code additionalProperties}), and so does a value of the wrong
 * type (a number where a string belongs, a string where a number or boolean belongs).
 */
final class KubernetesModel {

    private static final KubernetesSerialization LOOKUP = new KubernetesSerialization();

    private static final ObjectMapper STRICT = strictMapper();

    private KubernetesModel() {
    }

    private static ObjectMapper strictMapper() {
        JsonMapper mapper = JsonMapper.builder()
                .annotationIntrospector(new JacksonAnnotationIntrospector() {
                    @Override
                    public Boolean hasAnySetter(Annotated a) {
                        // The model's @JsonAnySetter swallows unknown fields; without it they fail.
                        return Boolean.FALSE;
                    }
                })
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .build();
        for (LogicalType scalar : new LogicalType[] {LogicalType.Textual, LogicalType.Integer, LogicalType.Float,
                LogicalType.Boolean}) {
            mapper.coercionConfigFor(scalar)
                    .setCoercion(CoercionInputShape.Integer, scalar == LogicalType.Integer || scalar == LogicalType.Float ? CoercionAction.TryConvert : CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, scalar == LogicalType.Float ? CoercionAction.TryConvert : CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, scalar == LogicalType.Boolean ? CoercionAction.TryConvert : CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.String, scalar == LogicalType.Textual ? CoercionAction.TryConvert : CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.EmptyString, scalar == LogicalType.Textual ? CoercionAction.TryConvert : CoercionAction.Fail);
        }
        return mapper;
    }

    /** The model class fabric8 knows for the object's apiVersion and kind, or null for a kind it does not know. */
    static Class<? extends HasMetadata> modelClass(JsonNode object) {
        KubernetesResource r = LOOKUP.convertValue(minimal(object), KubernetesResource.class);
        if (r == null || r instanceof GenericKubernetesResource || !(r instanceof HasMetadata)) {
            return null;
        }
        return ((HasMetadata) r).getClass();
    }

    private static JsonNode minimal(JsonNode object) {
        var n = JsonMapper.builder().build().createObjectNode();
        n.set("apiVersion", object.get("apiVersion"));
        n.set("kind", object.get("kind"));
        n.putObject("metadata").put("name", "x");
        return n;
    }

    /** Reads the object into its model class; throws with the offending field's path when it does not fit. */
    static <T extends HasMetadata> T read(JsonNode object, Class<T> type) {
        try {
            return STRICT.treeToValue(object, type);
        } catch (Exception e) {
            throw new IllegalArgumentException(e.getMessage().replaceAll("\\s+", " "), e);
        }
    }
}
