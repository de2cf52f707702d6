package dev.ensemble.llm.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WireTypesTest {

    private static ChatCompletionRequest chat(String json) {
        return Json.read(json, ChatCompletionRequest.class);
    }

    private static WireValidationException invalid(String json) {
        return assertThrows(WireValidationException.class, () -> chat(json).validate());
    }

    @Test
    void readsTheRequestOpenAiClientsSend() {
        ChatCompletionRequest r = chat("""
                {"model":"m","messages":[{"role":"system","content":"be brief"},
                 {"role":"user","content":[{"type":"text","text":"Hello "},{"type":"text","text":"there"}]}],
                 "stream":true,"stream_options":{"include_usage":true},"max_tokens":50,"temperature":0.7,
                 "top_p":0.9,"n":1,"stop":"\\n","seed":3,"user":"u1","logprobs":false,"tools":[]}""").validate();
        assertEquals("Hello there", r.messages().get(1).content());
        assertTrue(r.isStream());
        assertTrue(r.includeUsage());
        assertEquals(50, r.maxTokensOr(16));
        assertEquals(List.of("\n"), r.stop());
        assertEquals(3L, r.seed());
        assertEquals(List.of("a", "b"), chat("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stop\":[\"a\",\"b\"]}").stop());
        assertEquals(7, chat("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":3,\"max_completion_tokens\":7}")
                .maxTokensOr(1), "max_completion_tokens wins");
    }

    @Test
    void rejectsBadRequestsNamingTheField() {
        assertEquals("messages", invalid("{\"model\":\"m\",\"messages\":[]}").param());
        assertEquals("messages", invalid("{\"model\":\"m\"}").param());
        assertEquals("missing_required_parameter", invalid("{\"model\":\"m\"}").code());
        assertEquals("model", invalid("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}").param());
        WireValidationException role = invalid("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"},{\"role\":\"wizard\",\"content\":\"x\"}]}");
        assertEquals("messages[1].role", role.param());
        assertTrue(role.getMessage().contains("wizard"));
        assertEquals("messages[0].content", invalid("{\"model\":\"m\",\"messages\":[{\"role\":\"user\"}]}").param());
        String base = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],";
        assertEquals("max_tokens", invalid(base + "\"max_tokens\":0}").param());
        assertEquals("max_tokens", invalid(base + "\"max_tokens\":100000}").param());
        assertEquals("temperature", invalid(base + "\"temperature\":2.5}").param());
        assertEquals("temperature", invalid(base + "\"temperature\":-1}").param());
        assertEquals("top_p", invalid(base + "\"top_p\":0}").param());
        assertEquals("n", invalid(base + "\"n\":2}").param());
        assertEquals("stop", invalid(base + "\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}").param());
        assertEquals("stop[0]", invalid(base + "\"stop\":[\"\"]}").param());
        assertEquals("stream_options", invalid(base + "\"stream_options\":{\"include_usage\":true}}").param());
        assertThrows(WireValidationException.class, () -> chat(base + "\"max_tokens\":10}").validate(5));
    }

    @Test
    void malformedBodiesBecomeValidationErrorsNotCrashes() {
        List<String> bodies = List.of("", "   ", "null", "[]", "42", "{", "{\"model\":", "{\"model\":\"m\"} trailing",
                "{\"model\":\"m\",\"messages\":\"hi\"}", "{\"model\":\"m\",\"messages\":[42]}",
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":{\"x\":1}}]}",
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{}}]}]}",
                "{\"model\":\"m\",\"messages\":[],\"temperature\":\"hot\"}", "{\"model\":\"m\",\"messages\":[],\"max_tokens\":1.5}",
                "{\"model\":\"m\",\"messages\":[],\"max_tokens\":99999999999999}", "{\"model\":\"m\",\"messages\":[],\"stop\":[1]}",
                "{\"model\":\"m\",\"messages\":[],\"stream\":\"yes please\"}", "{\"model\":[],\"messages\":[]}");
        List<String> params = new ArrayList<>();
        for (String body : bodies) {
            WireValidationException e = assertThrows(WireValidationException.class, () -> chat(body).validate(), body);
            assertFalse(e.getMessage().isBlank());
            params.add(e.param());
        }
        assertEquals("temperature", params.get(12));
        assertEquals("max_tokens", params.get(13));
        assertEquals("max_tokens", params.get(14));
        assertEquals("messages", params.get(8));
        assertEquals("model", params.get(17));
    }

    @Test
    void writesSnakeCaseShapesLikeOpenAi() throws Exception {
        ChatChunks chunks = ChatChunks.start("tiny");
        JsonNode role = Json.MAPPER.readTree(Json.write(chunks.role()));
        assertEquals("chat.completion.chunk", role.path("object").asText());
        assertTrue(role.path("id").asText().startsWith("chatcmpl-"));
        assertEquals("assistant", role.path("choices").get(0).path("delta").path("role").asText());
        assertTrue(role.path("choices").get(0).has("finish_reason"), "finish_reason is present, as null");
        assertTrue(role.path("choices").get(0).path("finish_reason").isNull());
        assertFalse(role.has("usage"));
        JsonNode finish = Json.MAPPER.readTree(Json.write(chunks.finish("length")));
        assertEquals("length", finish.path("choices").get(0).path("finish_reason").asText());
        JsonNode usage = Json.MAPPER.readTree(Json.write(chunks.usage(Usage.of(3, 4))));
        assertEquals(0, usage.path("choices").size());
        assertEquals(7, usage.path("usage").path("total_tokens").asInt());
        assertEquals(3, usage.path("usage").path("prompt_tokens").asInt());
        assertEquals(4, usage.path("usage").path("completion_tokens").asInt());

        JsonNode done = Json.MAPPER.readTree(Json.write(chunks.completion("hi", "stop", Usage.of(1, 2))));
        assertEquals("chat.completion", done.path("object").asText());
        assertEquals(chunks.id(), done.path("id").asText());
        assertEquals("hi", done.path("choices").get(0).path("message").path("content").asText());

        JsonNode completion = Json.MAPPER.readTree(Json.write(Completion.of("cmpl-1", 1, "tiny", "x", "stop", Usage.of(1, 1))));
        assertEquals("text_completion", completion.path("object").asText());
        assertTrue(completion.path("choices").get(0).has("logprobs"));

        JsonNode models = Json.MAPPER.readTree(Json.write(ModelList.of(List.of(Model.of("tiny", 5, "ensemble")))));
        assertEquals("list", models.path("object").asText());
        assertEquals("model", models.path("data").get(0).path("object").asText());
        assertEquals("ensemble", models.path("data").get(0).path("owned_by").asText());

        JsonNode error = Json.MAPPER.readTree(Json.write(new WireValidationException("temperature", "too hot").toError()));
        assertEquals("too hot", error.path("error").path("message").asText());
        assertEquals("invalid_request_error", error.path("error").path("type").asText());
        assertEquals("temperature", error.path("error").path("param").asText());
        assertEquals("invalid_value", error.path("error").path("code").asText());
        JsonNode noParam = Json.MAPPER.readTree(Json.write(ErrorResponse.of("x", "server_error", null, null)));
        assertTrue(noParam.path("error").has("param") && noParam.path("error").path("param").isNull());
    }

    @Test
    void sseEventsRoundTripThroughTheParser() {
        ChatChunks chunks = new ChatChunks("chatcmpl-1", 1, "tiny");
        String stream = Sse.event(chunks.role()) + Sse.event(chunks.content("Hel")) + Sse.event(chunks.content("lo\n"))
                + Sse.event(chunks.finish("stop")) + Sse.DONE;
        assertTrue(stream.startsWith("data: {"));
        assertTrue(stream.endsWith("data: [DONE]\n\n"));
        List<String> data = new ArrayList<>();
        Sse.Parser parser = new Sse.Parser(data::add);
        stream.lines().forEach(parser::line);
        parser.line(": a comment");
        parser.line("event: ignored");
        parser.line("data:no-space");
        parser.line("data: second line");
        parser.end();
        assertEquals(6, data.size());
        assertEquals("[DONE]", data.get(4));
        assertEquals("no-space\nsecond line", data.get(5));
        StringBuilder content = new StringBuilder();
        for (String d : data.subList(0, 4)) {
            ChatCompletionChunk c = Json.read(d, ChatCompletionChunk.class);
            if (c.content() != null) {
                content.append(c.content());
            }
        }
        assertEquals("Hello\n", content.toString());
        assertTrue(Sse.error("boom", "server_error", "stream_interrupted").contains("\"code\":\"stream_interrupted\""));
    }

    @Test
    void completionRequestsAcceptAStringOrOneStringArray() {
        CompletionRequest r = Json.read("{\"model\":\"m\",\"prompt\":[\"Once\"],\"max_tokens\":5}", CompletionRequest.class).validate();
        assertEquals("Once", r.prompt());
        assertEquals(16, Json.read("{\"model\":\"m\",\"prompt\":\"x\"}", CompletionRequest.class).maxTokensOr(CompletionRequest.DEFAULT_MAX_TOKENS));
        assertEquals("prompt", assertThrows(WireValidationException.class,
                () -> Json.read("{\"model\":\"m\",\"prompt\":[\"a\",\"b\"]}", CompletionRequest.class)).param());
        assertEquals("prompt", assertThrows(WireValidationException.class,
                () -> Json.read("{\"model\":\"m\"}", CompletionRequest.class).validate()).param());
        assertNull(Json.read("{\"model\":\"m\",\"prompt\":\"x\"}", CompletionRequest.class).stream());
    }
}
