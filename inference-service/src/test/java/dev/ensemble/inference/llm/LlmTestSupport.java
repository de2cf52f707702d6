package dev.ensemble.inference.llm;

import io.restassured.RestAssured;

import java.net.URI;
import java.time.Duration;

import static org.awaitility.Awaitility.await;

/** Shared by the LLM tests: waits for the language models (the first run trains the tiny test model). */
final class LlmTestSupport {

    private LlmTestSupport() {
    }

    static void awaitModels() {
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(500)).until(() ->
                RestAssured.given().get("/q/health/group/llm").statusCode() == 200);
    }

    static URI uri(String path) {
        return URI.create("http://localhost:" + RestAssured.port + path);
    }
}
