package dev.ensemble.llm.wire;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON mapper for the OpenAI wire types, and reading that turns every malformed body into a
 * {@link WireValidationException} naming the field, so no input becomes a 500.
 */
public final class Json {

    /** Shared, thread-safe; the wire records carry their own snake_case names. */
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(DeserializationFeature.ACCEPT_FLOAT_AS_INT, false)
            .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true)
            .configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true);

    private Json() {
    }

    /** Reads a body into {@code type}; bad JSON or wrong types become a {@link WireValidationException}. */
    public static <T> T read(String body, Class<T> type) {
        if (body == null || body.isBlank()) {
            throw new WireValidationException(null, "the request body is empty; it must be a JSON object", "invalid_json");
        }
        try {
            T value = MAPPER.readValue(body, type);
            if (value == null) {
                throw new WireValidationException(null, "the request body must be a JSON object", "invalid_json");
            }
            return value;
        } catch (WireValidationException e) {
            throw e;
        } catch (JsonMappingException e) {
            String path = path(e);
            Throwable cause = e.getCause();
            if (cause instanceof WireValidationException w) {
                throw new WireValidationException(path != null ? path : w.param(), w.getMessage(), w.code());
            }
            if (e instanceof InvalidFormatException || e instanceof MismatchedInputException) {
                throw new WireValidationException(path, path == null
                        ? "the request body must be a JSON object"
                        : "'" + path + "' has the wrong type", "invalid_type");
            }
            throw new WireValidationException(path, "the request body could not be read" + (path == null ? "" : " at '" + path + "'"), "invalid_json");
        } catch (JsonProcessingException e) {
            throw new WireValidationException(null, "the request body is not valid JSON", "invalid_json");
        }
    }

    /** Serialises a wire object. */
    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.length() == 0 ? null : sb.toString();
    }

    /** A message {@code content}: a string, null, or an array of parts whose {@code text} members are joined. */
    static final class ContentDeserializer extends JsonDeserializer<String> {
        @Override
        public String deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
            JsonToken t = p.currentToken();
            if (t == JsonToken.VALUE_STRING) {
                return p.getText();
            }
            if (t == JsonToken.START_ARRAY) {
                JsonNode parts = ctx.readTree(p);
                StringBuilder sb = new StringBuilder();
                for (JsonNode part : parts) {
                    if (part.isTextual()) {
                        sb.append(part.asText());
                    } else if (part.isObject() && part.path("text").isTextual()
                            && (part.path("type").isMissingNode() || "text".equals(part.path("type").asText()))) {
                        sb.append(part.path("text").asText());
                    } else {
                        throw new WireValidationException(null, "only text content parts are supported", "invalid_value");
                    }
                }
                return sb.toString();
            }
            throw MismatchedInputException.from(p, String.class, "content must be a string or an array of text parts");
        }
    }

    /** {@code stop}: a string or an array of strings. */
    static final class StopDeserializer extends JsonDeserializer<List<String>> {
        @Override
        public List<String> deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
            JsonToken t = p.currentToken();
            if (t == JsonToken.VALUE_STRING) {
                return List.of(p.getText());
            }
            if (t == JsonToken.START_ARRAY) {
                List<String> out = new ArrayList<>();
                for (JsonToken n = p.nextToken(); n != JsonToken.END_ARRAY; n = p.nextToken()) {
                    if (n != JsonToken.VALUE_STRING) {
                        throw MismatchedInputException.from(p, String.class, "stop must hold strings");
                    }
                    out.add(p.getText());
                }
                return out;
            }
            throw MismatchedInputException.from(p, List.class, "stop must be a string or an array of strings");
        }
    }

    /** {@code prompt}: a string or an array with one string. */
    static final class PromptDeserializer extends JsonDeserializer<String> {
        @Override
        public String deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
            JsonToken t = p.currentToken();
            if (t == JsonToken.VALUE_STRING) {
                return p.getText();
            }
            if (t == JsonToken.START_ARRAY) {
                JsonNode arr = ctx.readTree(p);
                if (arr.size() == 1 && arr.get(0).isTextual()) {
                    return arr.get(0).asText();
                }
                throw new WireValidationException("prompt", "prompt must be a string or an array of exactly one string", "invalid_value");
            }
            throw MismatchedInputException.from(p, String.class, "prompt must be a string");
        }
    }
}
