package dev.ensemble.inference.ai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ensemble.inference.rest.ModelViews;
import dev.ensemble.web.ApiException;
import dev.ensemble.web.Offload;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Ai-semble's NLP service ({@code /api/v2/ai/nlp/...} at the gateway): text analysis (sentiment,
 * entities, keywords, language) and summaries, computed by the classic algorithms of
 * {@link TextAnalysis}; each answer says which method produced it.
 */
@Path("/api/v1/nlp")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed("user")
public class NlpResource {

    static final int MAX_TEXT = 100_000;
    static final List<String> ANALYSES = List.of("sentiment", "entities", "keywords", "language");

    @POST
    @Path("/analyze")
    public Uni<Map<String, Object>> analyze(JsonNode body, @HeaderParam("X-Request-Id") String requestId) {
        String text = text(body, "text");
        Set<String> types = analysisTypes(body);
        String language = language(body);
        return Offload.blocking(() -> {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("request_id", AiRequests.id(requestId));
            r.put("text_length", text.length());
            // a language the caller names is taken as given, not detected
            Map<String, Object> detected = language == null ? TextAnalysis.language(text) : null;
            String lang = detected == null ? language : (String) detected.get("language");
            if (types.contains("language")) {
                r.put("detected_language", lang);
                r.put("language_confidence", detected == null ? 1.0 : detected.get("confidence"));
            }
            List<Map<String, Object>> unavailable = new ArrayList<>();
            boolean english = lang.equals("en") || lang.equals("und");
            if (types.contains("sentiment")) {
                if (english) {
                    r.put("sentiment", TextAnalysis.sentiment(text));
                } else {
                    unavailable.add(Map.of("type", "sentiment", "reason", "the sentiment lexicon is English only; "
                            + "detected language " + lang));
                }
            }
            if (types.contains("entities")) {
                r.put("entities", TextAnalysis.entities(text, 100));
            }
            if (types.contains("keywords")) {
                if (english) {
                    r.put("keywords", TextAnalysis.keywords(text, 10));
                } else {
                    unavailable.add(Map.of("type", "keywords", "reason", "keyword stop words are English only; "
                            + "detected language " + lang));
                }
            }
            if (!unavailable.isEmpty()) {
                r.put("unavailable", unavailable);
            }
            r.put("methods", Map.of("sentiment", "lexicon with negation and intensifiers",
                    "keywords", "RAKE", "entities", "patterns and capitalised runs", "language", "stop words"));
            return r;
        });
    }

    @POST
    @Path("/summarize")
    public Uni<Map<String, Object>> summarize(JsonNode body, @HeaderParam("X-Request-Id") String requestId) {
        String text = text(body, "text");
        int max = integer(body, "max_length", 100, 1, 5_000);
        int min = integer(body, "min_length", Math.min(30, max), 0, 5_000);
        if (min > max) {
            throw ApiException.badRequest("min_length", "must not exceed max_length (" + max + ")");
        }
        JsonNode model = body.get("model");
        if (model != null && !model.isNull() && !model.isTextual()) {
            throw ApiException.badRequest("model", "expected a string");
        }
        return Offload.blocking(() -> {
            TextAnalysis.Summary s = TextAnalysis.summarize(text, min, max);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("request_id", AiRequests.id(requestId));
            r.put("original_length", s.originalWords());
            r.put("summary", s.text());
            r.put("summary_length", s.summaryWords());
            r.put("compression_ratio", s.originalWords() == 0 ? 0.0
                    : ModelViews.round(s.summaryWords() / (double) s.originalWords()));
            r.put("min_length_met", s.summaryWords() >= min);
            r.put("sentences", s.sentences());
            r.put("sentences_selected", s.sentencesSelected());
            r.put("method", "extractive");
            r.put("model", "extractive-frequency");
            r.put("units", "words");
            return r;
        });
    }

    static String text(JsonNode body, String field) {
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest("body", "expected a JSON object with `" + field + "`");
        }
        JsonNode t = body.get(field);
        if (t == null || t.isNull()) {
            throw ApiException.badRequest(field, "required");
        }
        if (!t.isTextual()) {
            throw ApiException.badRequest(field, "expected a string");
        }
        String s = t.asText();
        if (s.isBlank()) {
            throw ApiException.badRequest(field, "must not be blank");
        }
        if (s.length() > MAX_TEXT) {
            throw ApiException.badRequest(field, "at most " + MAX_TEXT + " characters, got " + s.length());
        }
        return s;
    }

    private static Set<String> analysisTypes(JsonNode body) {
        JsonNode t = body.has("analysis_types") ? body.get("analysis_types") : body.get("analysis_type");
        if (t == null || t.isNull()) {
            return new LinkedHashSet<>(ANALYSES);
        }
        List<JsonNode> items = new ArrayList<>();
        if (t.isTextual()) {
            items.add(t);
        } else if (t.isArray()) {
            t.forEach(items::add);
        } else {
            throw ApiException.badRequest("analysis_types", "expected an array of " + ANALYSES);
        }
        Set<String> out = new LinkedHashSet<>();
        for (JsonNode i : items) {
            if (!i.isTextual() || !ANALYSES.contains(i.asText())) {
                throw ApiException.badRequest("analysis_types", "unknown analysis "
                        + AiRequests.shorten(i.toString()) + "; known: " + ANALYSES);
            }
            out.add(i.asText());
        }
        if (out.isEmpty()) {
            throw ApiException.badRequest("analysis_types", "name at least one of " + ANALYSES);
        }
        return out;
    }

    private static String language(JsonNode body) {
        JsonNode l = body.get("language");
        if (l == null || l.isNull() || l.isTextual() && l.asText().equalsIgnoreCase("auto")) {
            return null;
        }
        if (!l.isTextual() || !l.asText().matches("[A-Za-z]{2}")) {
            throw ApiException.badRequest("language", "expected \"auto\" or a two-letter code such as \"en\"");
        }
        return l.asText().toLowerCase(java.util.Locale.ROOT);
    }

    static int integer(JsonNode body, String field, int fallback, int min, int max) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isIntegralNumber() || v.asLong() < min || v.asLong() > max) {
            throw ApiException.badRequest(field, "expected a whole number from " + min + " to " + max);
        }
        return v.asInt();
    }
}
