package dev.ensemble.inference.llm;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import dev.ensemble.testing.EnsembleTestResource;
import dev.ensemble.testing.TestKeys;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.*;

/** The official OpenAI Java client (com.openai:openai-java) against /v1, streamed and not. */
@QuarkusTest
@QuarkusTestResource(value = EnsembleTestResource.class, initArgs = @ResourceArg(name = "database", value = "inference"))
@QuarkusTestResource(UpstreamStub.class)
class OpenAiClientTest {

    OpenAIClient client;

    @BeforeEach
    void setUp() {
        LlmTestSupport.awaitModels();
        client = OpenAIOkHttpClient.builder().baseUrl("http://localhost:" + RestAssured.port + "/v1")
                .apiKey(TestKeys.user(UUID.randomUUID())).maxRetries(0).build();
    }

    ChatCompletionCreateParams params(String model, boolean usage) {
        ChatCompletionCreateParams.Builder b = ChatCompletionCreateParams.builder().model(model)
                .addSystemMessage("You tell fables.").addUserMessage("Tell me a story.").maxCompletionTokens(40).seed(5L);
        if (usage) {
            b.streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build());
        }
        return b.build();
    }

    @Test
    void nonStreamed() {
        ChatCompletion c = client.chat().completions().create(params("ensemble-fables-lstm", false));
        assertEquals("ensemble-fables-lstm", c.model());
        assertTrue(c.choices().get(0).message().content().isPresent());
        assertTrue(c.usage().orElseThrow().promptTokens() > 10);
        assertTrue(c.usage().orElseThrow().completionTokens() > 0);
    }

    @Test
    void streamedWithUsage() {
        List<String> pieces = new ArrayList<>();
        long[] usage = {-1};
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(params("ensemble-fables-lstm", true))) {
            s.stream().forEach(chunk -> {
                chunk.choices().forEach(ch -> ch.delta().content().ifPresent(pieces::add));
                chunk.usage().ifPresent(u -> usage[0] = u.completionTokens());
            });
        }
        assertFalse(pieces.isEmpty());
        assertTrue(usage[0] >= pieces.stream().filter(p -> !p.isEmpty()).count(), "usage " + usage[0] + " for " + pieces);
    }

    @Test
    void streamedFromAnUpstreamProvider() {
        StringBuilder text = new StringBuilder();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(params("stub-model", false))) {
            s.stream().forEach(chunk -> chunk.choices().forEach(ch -> ch.delta().content().ifPresent(text::append)));
        }
        assertEquals("Hello from the stub provider.", text.toString());
    }

    @Test
    void unknownModelRaisesNotFound() {
        NotFoundException e = assertThrows(NotFoundException.class, () -> client.chat().completions().create(params("no-such-model", false)));
        assertEquals(404, e.statusCode());
    }
}
