package dev.ensemble.inference.rest;

import dev.ensemble.inference.config.InferenceConfig;
import dev.ensemble.inference.models.ModelRegistry;
import dev.ensemble.web.ApiException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** A user's model storage and upload limits: reported by {@code GET /api/v1/quota}, enforced on upload. */
@ApplicationScoped
public class QuotaService {

    public static final String QUOTA_EXCEEDED = "QUOTA_EXCEEDED";

    @Inject
    InferenceConfig config;

    @Inject
    ModelRegistry registry;

    public record Usage(long storageUsed, long lastHour, long lastDay) {
    }

    public Uni<Usage> usage(UUID owner) {
        Instant now = Instant.now();
        return registry.storageUsed(owner)
                .chain(used -> registry.uploadsSince(owner, now.minus(Duration.ofHours(1)))
                        .chain(hour -> registry.uploadsSince(owner, now.minus(Duration.ofDays(1)))
                                .map(day -> new Usage(used, hour, day))));
    }

    /** Fails with 413 (storage) or 429 (upload rate) when one more upload of {@code size} bytes is over quota. */
    public Uni<Void> check(UUID owner, long size) {
        InferenceConfig.Quota q = config.quota();
        return usage(owner).invoke(u -> {
            if (u.lastHour() >= q.uploadsPerHour()) {
                throw new ApiException(429, QUOTA_EXCEEDED, "upload limit reached: " + q.uploadsPerHour()
                        + " uploads per hour").withHeader("Retry-After", "3600");
            }
            if (u.lastDay() >= q.uploadsPerDay()) {
                throw new ApiException(429, QUOTA_EXCEEDED, "upload limit reached: " + q.uploadsPerDay()
                        + " uploads per day").withHeader("Retry-After", "86400");
            }
            long limit = q.storageLimit().asLongValue();
            if (u.storageUsed() + size > limit) {
                throw new ApiException(413, QUOTA_EXCEEDED, "storage quota exceeded: " + u.storageUsed()
                        + " of " + limit + " bytes used; this file needs " + size);
            }
        }).replaceWithVoid();
    }

    public Map<String, Object> view(UUID owner, Usage u) {
        InferenceConfig.Quota q = config.quota();
        long limit = q.storageLimit().asLongValue();
        Map<String, Object> storage = new LinkedHashMap<>();
        storage.put("used_bytes", u.storageUsed());
        storage.put("limit_bytes", limit);
        storage.put("used_pct", Math.round(1000.0 * u.storageUsed() / limit) / 10.0);
        Map<String, Object> rate = new LinkedHashMap<>();
        rate.put("uploads_last_hour", u.lastHour());
        rate.put("hourly_limit", q.uploadsPerHour());
        rate.put("uploads_last_day", u.lastDay());
        rate.put("daily_limit", q.uploadsPerDay());
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("user_id", owner);
        r.put("storage", storage);
        r.put("file_size", Map.of("max_bytes", q.maxFileSize().asLongValue()));
        r.put("rate_limits", rate);
        return r;
    }
}
