package dev.ensemble.inference.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ensemble.events.Events;
import dev.ensemble.events.Topics;
import dev.ensemble.testing.EnsembleTestResource;
import dev.ensemble.testing.KafkaTestClient;
import dev.ensemble.testing.TestKeys;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.*;
import static org.junit.jupiter.api.Assertions.*;

/** The OpenAI-compatible API over the local model and stubbed upstream providers. */
@QuarkusTest
@QuarkusTestResource(value = EnsembleTestResource.class, initArgs = @ResourceArg(name = "database", value = "inference"))
@QuarkusTestResource(UpstreamStub.class)
class OpenAiApiTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String LOCAL = "ensemble-fables-lstm";
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void models() {
        LlmTestSupport.awaitModels();
    }

    @Test
    void listsModels() {
        String token = TestKeys.user(UUID.randomUUID());
        given().auth().oauth2(token).get("/v1/models").then().statusCode(200)
                .body("object", is("list")).body("data.id", hasItems(LOCAL, "stub-model", "failover-model"))
                .body("data[0].object", is("model"));
        given().get("/v1/models").then().statusCode(401).body("error.code", is("invalid_api_key"))
                .body("error.type", is("invalid_request_error"));
        given().auth().oauth2(token).get("/api/v1/llm/models").then().statusCode(200)
                .body("models.find { it.id == 'ensemble-fables-lstm' }.status", is("available"))
                .body("models.find { it.id == 'ensemble-fables-lstm' }.max_tokens", greaterThan(0))
                .body("models.find { it.id == 'ensemble-fables-lstm' }.cost_per_token", notNullValue())
                .body("models.find { it.id == 'ensemble-fables-lstm' }.capabilities", hasItem("chat"));
    }

    @Test
    void chatCompletionNonStreamedFromTheLocalModel() {
        UUID user = UUID.randomUUID();
        String body = "{\"model\":\"" + LOCAL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Tell me a story.\"}],"
                + "\"max_tokens\":20,\"seed\":7}";
        given().auth().oauth2(TestKeys.user(user)).contentType("application/json").body(body).post("/v1/chat/completions")
                .then().statusCode(200).body("object", is("chat.completion")).body("model", is(LOCAL))
                .body("choices[0].message.role", is("assistant")).body("choices[0].finish_reason", anyOf(is("stop"), is("length")))
                .body("usage.prompt_tokens", greaterThan(10)).body("usage.total_tokens", greaterThan(10));
    }

    @Test
    void streamsTokensIncrementallyAndRecordsUsage() throws Exception {
        UUID user = UUID.randomUUID();
        String body = "{\"model\":\"" + LOCAL + "\",\"prompt\":\"The fox and the\",\"max_tokens\":150,\"stream\":true,"
                + "\"stream_options\":{\"include_usage\":true},\"seed\":3}";
        HttpResponse<InputStream> r = http.send(post("/v1/completions", user, body), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
        List<Long> arrivals = new ArrayList<>();
        List<String> data = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.startsWith("data: ")) {
                    arrivals.add(System.nanoTime());
                    data.add(line.substring(6));
                }
            }
        }
        assertEquals("[DONE]", data.get(data.size() - 1));
        JsonNode usage = JSON.readTree(data.get(data.size() - 2)).get("usage");
        assertEquals(150, usage.get("completion_tokens").asInt());
        StringBuilder text = new StringBuilder();
        for (String d : data.subList(0, data.size() - 2)) {
            text.append(JSON.readTree(d).at("/choices/0/text").asText());
        }
        assertTrue(text.length() > 50, text.toString());
        // Tokens arrive as they are computed: the first one long before the last.
        long spread = arrivals.get(arrivals.size() - 3) - arrivals.get(0);
        assertTrue(spread > Duration.ofMillis(50).toNanos(), "all events arrived within " + spread / 1e6 + " ms");
        long distinct = arrivals.stream().map(t -> t / 2_000_000).distinct().count();
        assertTrue(distinct > 10, "events arrived in only " + distinct + " bursts");

        var records = KafkaTestClient.await(Topics.USAGE_EVENTS, rec -> user.toString().equals(rec.key()), Duration.ofSeconds(30));
        assertFalse(records.isEmpty());
        var event = Events.read(records.get(0).value());
        assertEquals("usage.recorded", event.type());
        JsonNode d = event.data();
        assertEquals("tokens", d.get("kind").asText());
        assertEquals(LOCAL, d.get("resource").asText());
        assertEquals(150, d.get("completion_tokens").asInt());
        assertEquals("The fox and the".length(), d.get("prompt_tokens").asInt());
        assertTrue(d.get("cost").decimalValue().signum() > 0);
    }

    @Test
    void chatStreamEndsWithFinishUsageAndDone() throws Exception {
        UUID user = UUID.randomUUID();
        String body = "{\"model\":\"" + LOCAL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}],\"max_tokens\":30,"
                + "\"stream\":true,\"stream_options\":{\"include_usage\":true},\"seed\":11}";
        List<String> data = sse(post("/v1/chat/completions", user, body));
        JsonNode first = JSON.readTree(data.get(0));
        assertEquals("chat.completion.chunk", first.get("object").asText());
        assertEquals("assistant", first.at("/choices/0/delta/role").asText());
        assertEquals("[DONE]", data.get(data.size() - 1));
        JsonNode usage = JSON.readTree(data.get(data.size() - 2));
        assertEquals(0, usage.get("choices").size());
        assertTrue(usage.at("/usage/total_tokens").asInt() > 0);
        JsonNode finish = JSON.readTree(data.get(data.size() - 3));
        assertFalse(finish.at("/choices/0/finish_reason").isNull());
    }

    @Test
    void cancelledStreamCountsTheTokensComputed() throws Exception {
        UUID user = UUID.randomUUID();
        String body = "{\"model\":\"" + LOCAL + "\",\"prompt\":\"Once upon a time\",\"max_tokens\":4000,\"stream\":true}";
        HttpResponse<InputStream> r = http.send(post("/v1/completions", user, body), HttpResponse.BodyHandlers.ofInputStream());
        int received = 0;
        BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null && received < 10; line = in.readLine()) {
            if (line.startsWith("data: ")) {
                received++;
            }
        }
        r.body().close();
        var records = KafkaTestClient.await(Topics.USAGE_EVENTS, rec -> user.toString().equals(rec.key()), Duration.ofSeconds(30));
        JsonNode d = Events.read(records.get(0).value()).data();
        int completion = d.get("completion_tokens").asInt();
        assertTrue(completion >= 10 && completion < 4000, "completion tokens " + completion);
    }

    @Test
    void failsOverToTheNextProvider() throws Exception {
        UUID user = UUID.randomUUID();
        int before = UpstreamStub.calls("flaky/failover-model");
        String body = "{\"model\":\"failover-model\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
        given().auth().oauth2(TestKeys.user(user)).contentType("application/json").body(body).post("/v1/chat/completions")
                .then().statusCode(200).body("choices[0].message.content", is("Hello from the stub provider."))
                .body("usage.total_tokens", is(13));
        assertTrue(UpstreamStub.calls("flaky/failover-model") > before, "the first provider was not tried");
        List<String> data = sse(post("/v1/chat/completions", user, body.replace("}]}", "}],\"stream\":true}")));
        StringBuilder text = new StringBuilder();
        for (String d : data) {
            if (!d.equals("[DONE]")) {
                text.append(JSON.readTree(d).at("/choices/0/delta/content").asText(""));
            }
        }
        assertEquals("Hello from the stub provider.", text.toString());
    }

    @Test
    void midStreamFailureEndsWithAnErrorEvent() throws Exception {
        UUID user = UUID.randomUUID();
        String body = "{\"model\":\"broken-model\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"stream\":true}";
        List<String> data = sse(post("/v1/chat/completions", user, body));
        StringBuilder text = new StringBuilder();
        JsonNode error = null;
        for (String d : data) {
            if (d.equals("[DONE]")) {
                continue;
            }
            JsonNode n = JSON.readTree(d);
            if (n.has("error")) {
                error = n.get("error");
            } else {
                text.append(n.at("/choices/0/delta/content").asText(""));
            }
        }
        assertEquals("Hello from the", text.toString());
        assertNotNull(error, "no error event in " + data);
        assertEquals("stream_interrupted", error.get("code").asText());
        assertEquals("server_error", error.get("type").asText());
    }

    @Test
    void upstreamTimeoutIs504() {
        given().auth().oauth2(TestKeys.user(UUID.randomUUID())).contentType("application/json")
                .body("{\"model\":\"slow-model\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}")
                .post("/v1/chat/completions").then().statusCode(504).body("error.code", is("timeout"));
    }

    @Test
    void badInputIsAClearOpenAiError() {
        String token = TestKeys.user(UUID.randomUUID());
        given().auth().oauth2(token).contentType("application/json").body("{\"model\":\"nope\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")
                .post("/v1/chat/completions").then().statusCode(404).body("error.code", is("model_not_found"))
                .body("error.param", is("model")).body("error.type", is("invalid_request_error"));
        given().auth().oauth2(token).contentType("application/json").body("{\"model\":\"" + LOCAL + "\",\"messages\":[]}")
                .post("/v1/chat/completions").then().statusCode(400).body("error.param", is("messages"));
        given().auth().oauth2(token).contentType("application/json").body("{\"model\":\"" + LOCAL + "\",\"messages\":[{\"role\":\"user\"")
                .post("/v1/chat/completions").then().statusCode(400).body("error.type", is("invalid_request_error"));
        given().auth().oauth2(token).contentType("application/json")
                .body("{\"model\":\"" + LOCAL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":\"many\"}")
                .post("/v1/chat/completions").then().statusCode(400).body("error.param", is("max_tokens"));
        given().auth().oauth2(token).contentType("application/json")
                .body("{\"model\":\"" + LOCAL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"temperature\":9}")
                .post("/v1/chat/completions").then().statusCode(400).body("error.param", is("temperature"));
        // longer than the local model's context: 400 context_length_exceeded; longer than the service takes: 413
        given().auth().oauth2(token).contentType("application/json")
                .body("{\"model\":\"" + LOCAL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "a".repeat(6000) + "\"}]}")
                .post("/v1/chat/completions").then().statusCode(400).body("error.code", is("context_length_exceeded"));
        given().auth().oauth2(token).contentType("application/json")
                .body("{\"model\":\"" + LOCAL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "a".repeat(30000) + "\"}],\"stream\":true}")
                .post("/v1/chat/completions").then().statusCode(413).body("error.param", is("messages"));
        given().auth().oauth2(token).contentType("application/json").body("[1,2]")
                .post("/v1/completions").then().statusCode(400).body("error.type", is("invalid_request_error"));
    }

    static HttpRequest post(String path, UUID user, String body) {
        return HttpRequest.newBuilder(LlmTestSupport.uri(path)).header("Authorization", "Bearer " + TestKeys.user(user))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    List<String> sse(HttpRequest request) throws Exception {
        HttpResponse<java.util.stream.Stream<String>> r = http.send(request, HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, r.statusCode());
        return r.body().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
    }
}
