package dev.ensemble.llm.provider;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * One upstream OpenAI-compatible server (vLLM, TGI, Ollama, OpenAI, ...).
 *
 * @param name a short unique name
 * @param baseUrl the API root including {@code /v1}, as OpenAI clients take it
 *     (e.g. {@code http://gpu-1:8000/v1}, {@code http://localhost:11434/v1}, {@code https://api.openai.com/v1})
 * @param apiKey sent as {@code Authorization: Bearer}; null for none (never printed by {@link #toString()})
 * @param models the model ids clients may ask this provider for
 * @param upstreamModels where a served id has another name upstream: id to upstream name
 * @param connectTimeout to open the TCP/TLS connection
 * @param firstTokenTimeout from sending the request to the first token (streams) or the response
 *     headers (non-streamed calls)
 * @param totalTimeout for the whole answer
 * @param maxRetries extra attempts on this provider for retryable failures, before the first token only
 * @param retryBackoff the first retry's delay; doubled each time (with jitter), at most 5 s
 */
public record ProviderConfig(String name, URI baseUrl, String apiKey, List<String> models, Map<String, String> upstreamModels,
                             Duration connectTimeout, Duration firstTokenTimeout, Duration totalTimeout,
                             int maxRetries, Duration retryBackoff) {

    public ProviderConfig {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("provider name is required");
        }
        if (baseUrl == null || baseUrl.getScheme() == null
                || !(baseUrl.getScheme().equals("http") || baseUrl.getScheme().equals("https")) || baseUrl.getHost() == null) {
            throw new IllegalArgumentException("provider " + name + ": base-url must be an http(s) URL");
        }
        String s = baseUrl.toString();
        if (s.endsWith("/")) {
            baseUrl = URI.create(s.substring(0, s.length() - 1));
        }
        models = models == null ? List.of() : List.copyOf(models);
        if (models.isEmpty()) {
            throw new IllegalArgumentException("provider " + name + ": models must name at least one model");
        }
        upstreamModels = upstreamModels == null ? Map.of() : Map.copyOf(upstreamModels);
        connectTimeout = positive(connectTimeout, Duration.ofSeconds(5));
        firstTokenTimeout = positive(firstTokenTimeout, Duration.ofSeconds(30));
        totalTimeout = positive(totalTimeout, Duration.ofMinutes(5));
        if (maxRetries < 0 || maxRetries > 10) {
            throw new IllegalArgumentException("provider " + name + ": max-retries must be in 0..10");
        }
        retryBackoff = retryBackoff == null || retryBackoff.isNegative() ? Duration.ofMillis(200) : retryBackoff;
    }

    /** A provider with default timeouts (5 s connect, 30 s first token, 5 min total) and 2 retries. */
    public static ProviderConfig of(String name, String baseUrl, String apiKey, List<String> models) {
        return new ProviderConfig(name, URI.create(baseUrl), apiKey, models, null, null, null, null, 2, null);
    }

    public ProviderConfig withTimeouts(Duration connect, Duration firstToken, Duration total) {
        return new ProviderConfig(name, baseUrl, apiKey, models, upstreamModels, connect, firstToken, total, maxRetries, retryBackoff);
    }

    public ProviderConfig withRetries(int retries, Duration backoff) {
        return new ProviderConfig(name, baseUrl, apiKey, models, upstreamModels, connectTimeout, firstTokenTimeout, totalTimeout, retries, backoff);
    }

    /** The name to send upstream for a served model id. */
    public String upstreamModel(String model) {
        return upstreamModels.getOrDefault(model, model);
    }

    /**
     * Reads providers from flat properties, as a service's configuration holds them:
     *
     * <pre>
     * PREFIX.NAME.base-url=http://gpu-1:8000/v1          (required)
     * PREFIX.NAME.api-key=sk-...                          (optional)
     * PREFIX.NAME.models=llama-3.1-8b,qwen2.5-7b=Qwen/Qwen2.5-7B-Instruct   (required; id or id=upstream-name)
     * PREFIX.NAME.connect-timeout=2s                      (optional: 500ms, 2s, 1m, or ISO-8601 PT2S)
     * PREFIX.NAME.first-token-timeout=10s
     * PREFIX.NAME.total-timeout=120s
     * PREFIX.NAME.max-retries=2
     * PREFIX.NAME.retry-backoff=200ms
     * </pre>
     *
     * Providers come back sorted by name (the order the {@code first} strategy uses, so name them
     * {@code 1-primary}, {@code 2-backup} when order matters).
     */
    public static List<ProviderConfig> parse(Map<String, String> properties, String prefix) {
        String p = prefix.endsWith(".") ? prefix : prefix + ".";
        TreeSet<String> names = new TreeSet<>();
        for (String key : properties.keySet()) {
            if (key.startsWith(p)) {
                String rest = key.substring(p.length());
                int dot = rest.indexOf('.');
                if (dot > 0) {
                    names.add(rest.substring(0, dot));
                }
            }
        }
        List<ProviderConfig> out = new ArrayList<>();
        for (String n : names) {
            String at = p + n + ".";
            String url = properties.get(at + "base-url");
            if (url == null) {
                throw new IllegalArgumentException(at + "base-url is required");
            }
            List<String> models = new ArrayList<>();
            Map<String, String> aliases = new LinkedHashMap<>();
            for (String m : Arrays.stream(properties.getOrDefault(at + "models", "").split(",")).map(String::strip).filter(x -> !x.isEmpty()).toList()) {
                int eq = m.indexOf('=');
                if (eq > 0) {
                    models.add(m.substring(0, eq).strip());
                    aliases.put(m.substring(0, eq).strip(), m.substring(eq + 1).strip());
                } else {
                    models.add(m);
                }
            }
            String key = properties.get(at + "api-key");
            out.add(new ProviderConfig(n, URI.create(url.strip()), key == null || key.isBlank() ? null : key.strip(), models, aliases,
                    duration(properties.get(at + "connect-timeout")), duration(properties.get(at + "first-token-timeout")),
                    duration(properties.get(at + "total-timeout")),
                    Integer.parseInt(properties.getOrDefault(at + "max-retries", "2").strip()),
                    duration(properties.get(at + "retry-backoff"))));
        }
        return out;
    }

    /** {@code 250ms}, {@code 10s}, {@code 2m}, {@code 1h}, or ISO-8601 ({@code PT10S}); null for null. */
    public static Duration duration(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String t = text.strip().toLowerCase(Locale.ROOT);
        try {
            if (t.startsWith("pt") || t.startsWith("p")) {
                return Duration.parse(text.strip().toUpperCase(Locale.ROOT));
            }
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2).strip()));
            }
            long n = Long.parseLong(t.substring(0, t.length() - 1).strip());
            return switch (t.charAt(t.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> throw new IllegalArgumentException("bad duration: " + text);
            };
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("bad duration '" + text + "': use 500ms, 10s, 2m, 1h or PT10S", e);
        }
    }

    private static Duration positive(Duration d, Duration fallback) {
        return d == null || d.isZero() || d.isNegative() ? fallback : d;
    }

    @Override
    public String toString() {
        return "ProviderConfig[name=" + name + ", baseUrl=" + baseUrl + ", apiKey=" + (apiKey == null ? "none" : "***")
                + ", models=" + models + ", upstreamModels=" + upstreamModels + ", connectTimeout=" + connectTimeout
                + ", firstTokenTimeout=" + firstTokenTimeout + ", totalTimeout=" + totalTimeout + ", maxRetries=" + maxRetries
                + ", retryBackoff=" + retryBackoff + "]";
    }
}
