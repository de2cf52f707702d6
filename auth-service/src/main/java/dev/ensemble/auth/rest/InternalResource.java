package dev.ensemble.auth.rest;

import dev.ensemble.auth.service.ApiKeyService;
import dev.ensemble.auth.service.TokenIssuer;
import dev.ensemble.web.ApiException;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.List;
import java.util.UUID;

/**
 * What the gateway asks auth-service (guarded by {@link InternalTokenFilter}): the owner of an API
 * key, with a short-lived access token minted for that owner, so services only ever see JWTs.
 */
@Path("/internal/v1/api-keys")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class InternalResource {

    @Inject
    ApiKeyService keys;

    @Inject
    TokenIssuer tokens;

    public record ResolveRequest(String apiKey) {
    }

    public record Resolution(UUID userId, UUID keyId, List<String> roles, String plan, String accessToken,
                             String tokenType, long expiresIn) {
    }

    /** 200 with the owner, or 404 for a key that is unknown, revoked or expired. */
    @POST
    @Path("/resolve")
    public Uni<Resolution> resolve(ResolveRequest req) {
        if (req == null || req.apiKey() == null || req.apiKey().isBlank()) {
            throw ApiException.badRequest("api_key", "is required");
        }
        return keys.resolve(req.apiKey().trim()).map(r -> {
            if (r == null) {
                throw ApiException.notFound("API key");
            }
            List<String> roles = r.user().admin ? List.of("user", "admin") : List.of("user");
            return new Resolution(r.user().id, r.key().id, roles, tokens.planOf(r.user()),
                    tokens.apiKeyToken(r.user(), r.key().id), "bearer", tokens.apiKeyTokenSeconds());
        });
    }
}
