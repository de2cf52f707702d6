package dev.ensemble.auth.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.ensemble.auth.ApiKey;
import dev.ensemble.auth.service.ApiKeyService;
import dev.ensemble.web.ApiException;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** API keys of the signed-in user: create (shown once), list (prefix only), revoke. */
@Path("/api/v1/auth")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed("user")
public class ApiKeyResource {

    @Inject
    ApiKeyService keys;

    @Inject
    JsonWebToken jwt;

    public record CreateRequest(
            @Size(max = 100, message = "must be at most 100 characters")
            @Pattern(regexp = "[\\p{L}\\p{N} _.:-]*", message = "may contain letters, digits, spaces and _ . : - only")
            String name,
            Instant expiresAt) {
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record CreatedKey(UUID id, String apiKey, String prefix, String name, String message, Instant createdAt,
                             Instant expiresAt) {
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record KeyView(UUID id, String name, String prefix, Instant createdAt, Instant expiresAt,
                          Instant revokedAt, Instant lastUsedAt, boolean active) {
        static KeyView of(ApiKey k) {
            return new KeyView(k.id, k.name, k.prefix, k.createdAt, k.expiresAt, k.revokedAt, k.lastUsedAt,
                    k.usableAt(Instant.now()));
        }
    }

    public record KeyList(List<KeyView> apiKeys, int count) {
    }

    @POST
    @Path("/apikey")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> create(@Valid CreateRequest req) {
        CreateRequest r = req == null ? new CreateRequest(null, null) : req;
        return keys.create(userId(), r.name(), r.expiresAt()).map(c -> Response.status(201).entity(new CreatedKey(
                c.key().id, c.secret(), c.key().prefix, c.key().name,
                "Save this API key securely. It will not be shown again.", c.key().createdAt, c.key().expiresAt))
                .build());
    }

    @GET
    @Path("/apikeys")
    public Uni<KeyList> list() {
        return keys.list(userId()).map(l -> new KeyList(l.stream().map(KeyView::of).toList(), l.size()));
    }

    @DELETE
    @Path("/apikeys/{id}")
    public Uni<KeyView> revoke(@PathParam("id") String id) {
        UUID keyId;
        try {
            keyId = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound("API key");
        }
        return keys.revoke(userId(), keyId).map(KeyView::of);
    }

    private UUID userId() {
        return UUID.fromString(jwt.getSubject());
    }
}
