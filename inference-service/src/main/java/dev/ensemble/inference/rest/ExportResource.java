package dev.ensemble.inference.rest;

import dev.ensemble.inference.models.ModelRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** The account export's part held here: the caller's models and quota. */
@Path("/internal/v1/export")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed("user")
public class ExportResource {

    @Inject
    JsonWebToken jwt;

    @Inject
    ModelRegistry registry;

    @Inject
    ModelViews views;

    @Inject
    QuotaService quota;

    @GET
    public Uni<Map<String, Object>> export() {
        UUID owner = UUID.fromString(jwt.getSubject());
        return registry.all(owner).chain(models -> quota.usage(owner).map(u -> {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("models", models.stream().map(views::canonical).toList());
            data.put("usage_quota", quota.view(owner, u));
            return Map.of("service", "inference-service", "data", data);
        }));
    }
}
