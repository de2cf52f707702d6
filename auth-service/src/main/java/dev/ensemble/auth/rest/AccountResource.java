package dev.ensemble.auth.rest;

import dev.ensemble.auth.service.ApiKeyService;
import dev.ensemble.auth.service.AuthService;
import dev.ensemble.auth.service.ExportService;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The account export (gathered from every service) and auth's part of it. */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class AccountResource {

    @Inject
    AuthService auth;

    @Inject
    ApiKeyService keys;

    @Inject
    ExportService export;

    @Inject
    JsonWebToken jwt;

    /** AIServe.Farm's export: {user, api_keys, ...each service's data..., services}. */
    @GET
    @Path("api/v1/user/export")
    @RolesAllowed("user")
    public Uni<Map<String, Object>> exportAccount() {
        String token = jwt.getRawToken();
        return own().chain(own -> export.gather(token).map(parts -> export.document(own, parts)));
    }

    /** auth-service's part of the export contract: {"service": "auth", "data": {...}}. */
    @GET
    @Path("internal/v1/export")
    @RolesAllowed("user")
    public Uni<Map<String, Object>> internalExport() {
        return own().map(data -> Map.of("service", "auth", "data", data));
    }

    private Uni<Map<String, Object>> own() {
        UUID id = UUID.fromString(jwt.getSubject());
        return auth.findById(id).chain(user -> keys.list(id).map(list -> {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("user", AuthResource.UserView.of(user));
            data.put("api_keys", list.stream().map(ApiKeyResource.KeyView::of).toList());
            return data;
        }));
    }
}
