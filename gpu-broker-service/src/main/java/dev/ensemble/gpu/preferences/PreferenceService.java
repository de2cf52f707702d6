package dev.ensemble.gpu.preferences;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/** Reads and saves GPU preferences; a user without saved ones gets the defaults. */
@ApplicationScoped
public class PreferenceService {

    public record Preferences(UUID id, UUID userId, List<String> preferredVendors, List<String> preferredTiers,
                              int minVram, BigDecimal maxPricePerHour, String priority, boolean isDefault,
                              Instant createdAt) {
    }

    public static Preferences defaults(UUID userId) {
        return new Preferences(null, userId, List.of("NVIDIA", "AMD"), List.of("high-end", "mid-range"), 8,
                new BigDecimal("5.00"), "balanced", true, null);
    }

    @WithSession
    public Uni<Preferences> find(UUID userId) {
        return GpuPreference.<GpuPreference>find("userId", userId).firstResult()
                .map(p -> p == null ? defaults(userId) : view(p));
    }

    @WithTransaction
    public Uni<Preferences> save(UUID userId, List<String> vendors, List<String> tiers, int minVram,
                                 BigDecimal maxPrice, String priority) {
        return GpuPreference.<GpuPreference>find("userId", userId).firstResult().chain(existing -> {
            GpuPreference p = existing != null ? existing : new GpuPreference();
            Instant now = Instant.now();
            if (existing == null) {
                p.id = UUID.randomUUID();
                p.userId = userId;
                p.createdAt = now;
            }
            p.preferredVendors = String.join(",", vendors);
            p.preferredTiers = String.join(",", tiers);
            p.minVram = minVram;
            p.maxPricePerHour = maxPrice;
            p.priority = priority;
            p.updatedAt = now;
            return p.<GpuPreference>persist().map(PreferenceService::view);
        });
    }

    static Preferences view(GpuPreference p) {
        return new Preferences(p.id, p.userId, split(p.preferredVendors), split(p.preferredTiers), p.minVram,
                p.maxPricePerHour, p.priority, false, p.createdAt);
    }

    private static List<String> split(String s) {
        return s == null || s.isEmpty() ? List.of() : Arrays.asList(s.split(","));
    }
}
