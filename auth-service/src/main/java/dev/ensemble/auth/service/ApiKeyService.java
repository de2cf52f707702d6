package dev.ensemble.auth.service;

import dev.ensemble.auth.ApiKey;
import dev.ensemble.web.ApiException;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** API keys: created and shown once, listed by prefix, revoked; only a hash is stored. */
@ApplicationScoped
public class ApiKeyService {

    static final int MAX_KEYS_PER_USER = 100;

    public record Created(ApiKey key, String secret) {
    }

    @WithTransaction
    public Uni<Created> create(UUID userId, String name, Instant expiresAt) {
        if (expiresAt != null && !expiresAt.isAfter(Instant.now())) {
            throw ApiException.badRequest("expires_at", "must be in the future");
        }
        return ApiKey.count("userId = ?1 and revokedAt is null", userId).chain(count -> {
            if (count >= MAX_KEYS_PER_USER) {
                throw new ApiException(409, "CONFLICT", "at most " + MAX_KEYS_PER_USER + " active API keys per account");
            }
            String secret = "ak_live_" + Secrets.random(20);
            ApiKey key = new ApiKey();
            key.id = UUID.randomUUID();
            key.userId = userId;
            key.name = name;
            key.prefix = secret.substring(0, 12);
            key.keyHash = Secrets.sha256(secret);
            key.createdAt = Instant.now();
            key.expiresAt = expiresAt;
            return key.persist().replaceWith(new Created(key, secret));
        });
    }

    /** A usable key with its owner. */
    public record Resolved(ApiKey key, dev.ensemble.auth.User user) {
    }

    /**
     * The key whose secret is {@code secret} and its owner, or null when the key is unknown,
     * revoked or expired, or its owner is disabled. Marks the key as used.
     */
    @WithTransaction
    public Uni<Resolved> resolve(String secret) {
        if (secret == null || !secret.startsWith("ak_") || secret.length() > 200) {
            return Uni.createFrom().nullItem();
        }
        Instant now = Instant.now();
        return ApiKey.<ApiKey>find("keyHash", Secrets.sha256(secret)).firstResult().chain(key -> {
            if (key == null || !key.usableAt(now)) {
                return Uni.createFrom().nullItem();
            }
            return dev.ensemble.auth.User.<dev.ensemble.auth.User>findById(key.userId).map(user -> {
                if (user == null || !user.active) {
                    return null;
                }
                key.lastUsedAt = now;
                return new Resolved(key, user);
            });
        });
    }

    @WithSession
    public Uni<List<ApiKey>> list(UUID userId) {
        return ApiKey.list("userId", Sort.descending("createdAt"), userId);
    }

    /** Revokes the caller's key; another user's key is "not found". */
    @WithTransaction
    public Uni<ApiKey> revoke(UUID userId, UUID keyId) {
        return ApiKey.<ApiKey>find("id = ?1 and userId = ?2", keyId, userId).firstResult()
                .onItem().ifNull().failWith(() -> ApiException.notFound("API key"))
                .invoke(key -> {
                    if (key.revokedAt == null) {
                        key.revokedAt = Instant.now();
                    }
                });
    }
}
