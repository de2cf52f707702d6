package dev.ensemble.inference.llm;

import dev.ensemble.testing.EnsembleTestResource;
import dev.ensemble.testing.TestKeys;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.*;
import static org.junit.jupiter.api.Assertions.*;

/** Ai-semble's generate/chat and AI Orchestra's chat with sessions, memory and swarms. */
@QuarkusTest
@QuarkusTestResource(value = EnsembleTestResource.class, initArgs = @ResourceArg(name = "database", value = "inference"))
@QuarkusTestResource(UpstreamStub.class)
class ChatApiTest {

    @BeforeEach
    void models() {
        LlmTestSupport.awaitModels();
    }

    @Test
    void aisembleGenerateAndChat() {
        String token = TestKeys.user(UUID.randomUUID());
        given().auth().oauth2(token).contentType("application/json")
                .body(Map.of("prompt", "The lion and the mouse", "max_tokens", 24, "temperature", 0.7,
                        "parameters", Map.of("top_p", 0.9, "frequency_penalty", 0.0, "presence_penalty", 0.0)))
                .post("/api/v1/llm/generate").then().statusCode(200)
                .body("request_id", not(emptyOrNullString())).body("model", is("ensemble-fables-lstm"))
                .body("generated_text", notNullValue()).body("status", is("completed"))
                .body("metadata.tokens_used", is(22 + 24)).body("metadata.processing_time", notNullValue())
                .body("metadata.cost", greaterThan(0f));
        given().auth().oauth2(token).contentType("application/json")
                .body(Map.of("model", "stub-model", "messages", List.of(Map.of("role", "system", "content", "Be brief."),
                        Map.of("role", "user", "content", "What is the capital of France?")), "max_tokens", 50))
                .post("/api/v1/llm/chat").then().statusCode(200)
                .body("choices[0].message.role", is("assistant"))
                .body("choices[0].message.content", is("Hello from the stub provider."))
                .body("choices[0].finish_reason", is("stop"))
                .body("usage.total_tokens", is(13)).body("metadata.tokens_used", is(13));
        given().auth().oauth2(token).contentType("application/json").body(Map.of("prompt", ""))
                .post("/api/v1/llm/generate").then().statusCode(400).body("code", is("VALIDATION_ERROR"));
        given().auth().oauth2(token).contentType("application/json").body(Map.of("prompt", "x", "model", "nope"))
                .post("/api/v1/llm/generate").then().statusCode(404).body("code", is("NOT_FOUND"));
        given().auth().oauth2(token).contentType("application/json").body(Map.of("messages", List.of()))
                .post("/api/v1/llm/chat").then().statusCode(400).body("errors[0].field", is("messages"));
        given().auth().oauth2(token).contentType("application/json").body("{\"prompt\": 12}")
                .post("/api/v1/llm/generate").then().statusCode(400).body("errors[0].field", is("prompt"));
        given().auth().oauth2(token).contentType("application/json").body("{\"prompt\": ")
                .post("/api/v1/llm/generate").then().statusCode(400);
    }

    @Test
    void orchestraChatWithMemoryAndOwnership() {
        UUID alice = UUID.randomUUID();
        String session = "user-" + alice + "-session-1";
        Response first = given().auth().oauth2(TestKeys.user(alice)).contentType("application/json")
                .body(Map.of("message", "My name is Alice.", "session_id", session, "optimization_mode", "lite",
                        "use_memory", true, "user_context", Map.of("language", "en")))
                .post("/api/v1/chat/v2/chat");
        first.then().statusCode(200).body("success", is(true)).body("error", nullValue())
                .body("metadata.version", is("v2")).body("metadata.request_id", notNullValue())
                .body("data.session_id", is(session)).body("data.execution_mode", is("single"))
                .body("data.quality_score", notNullValue()).body("data.execution_time", notNullValue())
                .body("data.metadata.model", is("ensemble-fables-lstm")).body("data.metadata.tokens_used", greaterThan(0))
                .body("data.metadata.processing_steps", hasSize(1));
        int firstPrompt = first.path("data.metadata.prompt_tokens");
        // The second message carries the first exchange as memory: a longer prompt.
        given().auth().oauth2(TestKeys.user(alice)).contentType("application/json")
                .body(Map.of("message", "My name is Alice.", "session_id", session, "use_memory", true))
                .post("/api/v1/chat/v2/chat").then().statusCode(200)
                .body("data.metadata.prompt_tokens", greaterThan(firstPrompt + "My name is Alice.".length()));
        given().auth().oauth2(TestKeys.user(alice)).get("/api/v1/chat/sessions/" + session).then().statusCode(200)
                .body("data.message_count", is(4)).body("data.messages", hasSize(4))
                .body("data.messages[0].role", is("user")).body("data.messages[0].content", is("My name is Alice."))
                .body("data.messages[1].role", is("assistant"));
        given().auth().oauth2(TestKeys.user(alice)).get("/api/v1/chat/sessions").then().statusCode(200)
                .body("data.sessions.session_id", hasItem(session));
        // Bob cannot see, use or delete Alice's session.
        String bob = TestKeys.user(UUID.randomUUID());
        given().auth().oauth2(bob).get("/api/v1/chat/sessions/" + session).then().statusCode(404).body("code", is("NOT_FOUND"));
        given().auth().oauth2(bob).contentType("application/json").body(Map.of("message", "hi", "session_id", session))
                .post("/api/v1/chat/v2/chat").then().statusCode(404);
        given().auth().oauth2(bob).delete("/api/v1/chat/sessions/" + session).then().statusCode(404);
        given().auth().oauth2(TestKeys.user(alice)).delete("/api/v1/chat/sessions/" + session).then().statusCode(200);
        given().auth().oauth2(TestKeys.user(alice)).get("/api/v1/chat/sessions/" + session).then().statusCode(404);
    }

    @Test
    void swarmRunsEachRoleAsARealGeneration() {
        given().auth().oauth2(TestKeys.user(UUID.randomUUID())).contentType("application/json")
                .body(Map.of("message", "Explain the moon.", "swarm_type", "research-team", "optimization_mode", "lite"))
                .post("/api/v1/chat/v2/chat").then().statusCode(200)
                .body("data.execution_mode", is("swarm:research-team"))
                .body("data.metadata.processing_steps", hasSize(3))
                .body("data.metadata.processing_steps.role", contains("researcher", "critic", "writer"))
                .body("data.metadata.processing_steps[2].tokens_used", greaterThan(0));
    }

    @Test
    void legacyV1AndCanonicalChat() {
        String token = TestKeys.user(UUID.randomUUID());
        given().auth().oauth2(token).contentType("application/json").body(Map.of("text", "Hello", "sessionId", "legacy-" + UUID.randomUUID()))
                .post("/api/v1/chat/v1/chat").then().statusCode(200).body("success", is(true))
                .body("metadata.version", is("v1")).body("data.sessionId", startsWith("legacy-"));
        given().auth().oauth2(token).contentType("application/json").body(Map.of("message", "Hello", "optimization_mode", "balanced",
                        "model", "stub-model"))
                .post("/api/v1/chat").then().statusCode(200).body("data.response", is("Hello from the stub provider."))
                .body("data.metadata.model", is("stub-model"));
    }

    @Test
    void orchestraBadInput() {
        String token = TestKeys.user(UUID.randomUUID());
        given().auth().oauth2(token).contentType("application/json").body(Map.of("message", "  "))
                .post("/api/v1/chat/v2/chat").then().statusCode(400).body("errors[0].field", is("message"));
        given().auth().oauth2(token).contentType("application/json").body(Map.of("session_id", "s"))
                .post("/api/v1/chat/v2/chat").then().statusCode(400).body("errors[0].field", is("message"));
        given().auth().oauth2(token).contentType("application/json").body(Map.of("message", "x", "optimization_mode", "turbo"))
                .post("/api/v1/chat/v2/chat").then().statusCode(400).body("errors[0].field", is("optimization_mode"));
        given().auth().oauth2(token).contentType("application/json").body(Map.of("message", "x", "swarm_type", "army"))
                .post("/api/v1/chat/v2/chat").then().statusCode(400).body("errors[0].field", is("swarm_type"));
        given().auth().oauth2(token).contentType("application/json").body(Map.of("message", "x", "use_memory", "yes"))
                .post("/api/v1/chat/v2/chat").then().statusCode(400).body("errors[0].field", is("use_memory"));
        given().auth().oauth2(token).contentType("application/json").body(Map.of("message", 5))
                .post("/api/v1/chat/v2/chat").then().statusCode(400).body("errors[0].field", is("message"));
        given().auth().oauth2(token).contentType("application/json").body(Map.of("message", "x", "session_id", "bad id!"))
                .post("/api/v1/chat/v2/chat").then().statusCode(400).body("errors[0].field", is("session_id"));
        given().auth().oauth2(token).contentType("application/json").body(Map.of("message", "x", "model", "nope"))
                .post("/api/v1/chat/v2/chat").then().statusCode(404);
        given().auth().oauth2(token).contentType("application/json").body(Map.of("message", "x".repeat(17000)))
                .post("/api/v1/chat/v2/chat").then().statusCode(413);
        given().auth().oauth2(token).contentType("application/json").body("{\"message\":")
                .post("/api/v1/chat/v2/chat").then().statusCode(400);
        given().contentType("application/json").body(Map.of("message", "x")).post("/api/v1/chat/v2/chat").then().statusCode(401);
        assertTrue(true);
    }
}
