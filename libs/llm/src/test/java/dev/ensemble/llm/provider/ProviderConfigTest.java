package dev.ensemble.llm.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProviderConfigTest {

    @Test
    void readsProvidersFromFlatProperties() {
        List<ProviderConfig> providers = ProviderConfig.parse(Map.of(
                "llm.providers.2-backup.base-url", "https://api.openai.com/v1/",
                "llm.providers.2-backup.api-key", "sk-secret",
                "llm.providers.2-backup.models", "gpt-4o-mini",
                "llm.providers.1-vllm.base-url", "http://gpu-1:8000/v1",
                "llm.providers.1-vllm.models", "llama-3.1-8b, qwen=Qwen/Qwen2.5-7B-Instruct",
                "llm.providers.1-vllm.connect-timeout", "500ms",
                "llm.providers.1-vllm.first-token-timeout", "PT10S",
                "llm.providers.1-vllm.total-timeout", "2m",
                "llm.providers.1-vllm.max-retries", "1",
                "llm.routing", "round-robin"), "llm.providers");
        assertEquals(2, providers.size());
        ProviderConfig vllm = providers.get(0);
        assertEquals("1-vllm", vllm.name());
        assertEquals(List.of("llama-3.1-8b", "qwen"), vllm.models());
        assertEquals("Qwen/Qwen2.5-7B-Instruct", vllm.upstreamModel("qwen"));
        assertEquals("llama-3.1-8b", vllm.upstreamModel("llama-3.1-8b"));
        assertEquals(Duration.ofMillis(500), vllm.connectTimeout());
        assertEquals(Duration.ofSeconds(10), vllm.firstTokenTimeout());
        assertEquals(Duration.ofMinutes(2), vllm.totalTimeout());
        assertEquals(1, vllm.maxRetries());
        assertNull(vllm.apiKey());
        ProviderConfig openai = providers.get(1);
        assertEquals("https://api.openai.com/v1", openai.baseUrl().toString(), "trailing slash dropped");
        assertEquals(2, openai.maxRetries());
        assertEquals(Duration.ofSeconds(30), openai.firstTokenTimeout());
        assertFalse(openai.toString().contains("sk-secret"), "the key is never printed");
    }

    @Test
    void rejectsBrokenConfiguration() {
        assertThrows(IllegalArgumentException.class, () -> ProviderConfig.parse(Map.of("p.x.models", "m"), "p"));
        assertThrows(IllegalArgumentException.class, () -> ProviderConfig.parse(Map.of("p.x.base-url", "http://h/v1"), "p"));
        assertThrows(IllegalArgumentException.class, () -> ProviderConfig.parse(Map.of("p.x.base-url", "ftp://h/v1", "p.x.models", "m"), "p"));
        assertThrows(IllegalArgumentException.class,
                () -> ProviderConfig.parse(Map.of("p.x.base-url", "http://h/v1", "p.x.models", "m", "p.x.total-timeout", "soon"), "p"));
        assertThrows(IllegalArgumentException.class,
                () -> ProviderConfig.parse(Map.of("p.x.base-url", "http://h/v1", "p.x.models", "m", "p.x.max-retries", "99"), "p"));
    }
}
