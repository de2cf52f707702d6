package dev.ensemble.auth.service;

import dev.ensemble.auth.RefreshToken;
import dev.ensemble.auth.config.AuthConfig;
import dev.ensemble.web.ApiException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Instant;
import java.util.UUID;

/**
 * Rotating refresh tokens. A token is good for one use: using it marks it used and issues its
 * successor in the same family. A used or revoked token presented again revokes the family, so a
 * stolen token stops working for the thief and the owner alike (the owner logs in again).
 * Callers run these inside a transaction.
 */
@ApplicationScoped
public class RefreshTokens {

    static final String INVALID = "refresh token is invalid, expired or revoked";

    @Inject
    AuthConfig config;

    public record Issued(String token, UUID userId) {
    }

    public Uni<Issued> issue(UUID userId, UUID familyId) {
        String secret = "rt_" + Secrets.random(32);
        RefreshToken row = new RefreshToken();
        row.id = UUID.randomUUID();
        row.userId = userId;
        row.familyId = familyId != null ? familyId : UUID.randomUUID();
        row.tokenHash = Secrets.sha256(secret);
        row.createdAt = Instant.now();
        row.expiresAt = row.createdAt.plus(config.refreshTokenTtl());
        return row.persist().replaceWith(new Issued(secret, userId));
    }

    /**
     * Spends {@code secret} and returns its successor, or null when the token had already been
     * used or revoked: then the whole family is revoked, and that must commit, so the caller
     * answers 401 after its transaction rather than failing inside it.
     */
    public Uni<Issued> rotate(String secret) {
        return find(secret).chain(row -> {
            Instant now = Instant.now();
            if (row.usedAt != null || row.revokedAt != null) {
                return revokeFamily(row.familyId).replaceWith((Issued) null);
            }
            if (!row.expiresAt.isAfter(now)) {
                throw new ApiException(401, "AUTH_INVALID", INVALID);
            }
            row.usedAt = now;
            return issue(row.userId, row.familyId);
        });
    }

    /** Revokes the family of {@code secret} (logout). Unknown tokens are ignored. */
    public Uni<Void> revoke(String secret) {
        return RefreshToken.<RefreshToken>find("tokenHash", Secrets.sha256(secret)).firstResult()
                .chain(row -> row == null ? Uni.createFrom().voidItem() : revokeFamily(row.familyId));
    }

    private Uni<RefreshToken> find(String secret) {
        if (secret == null || secret.isBlank() || secret.length() > 200) {
            throw ApiException.badRequest("refresh_token", "is required");
        }
        return RefreshToken.<RefreshToken>find("tokenHash", Secrets.sha256(secret)).firstResult()
                .onItem().ifNull().failWith(() -> new ApiException(401, "AUTH_INVALID", INVALID));
    }

    private Uni<Void> revokeFamily(UUID familyId) {
        return RefreshToken.update("revokedAt = ?1 where familyId = ?2 and revokedAt is null", Instant.now(), familyId)
                .replaceWithVoid();
    }
}
