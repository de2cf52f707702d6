package dev.ensemble.inference.rest;

import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.util.Map;
import java.util.UUID;

/** AIServe.Farm's storage quota. */
@Path("/api/v1/quota")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed("user")
public class QuotaResource {

    @Inject
    JsonWebToken jwt;

    @Inject
    QuotaService quota;

    @GET
    public Uni<Map<String, Object>> quota() {
        UUID owner = UUID.fromString(jwt.getSubject());
        return quota.usage(owner).map(u -> quota.view(owner, u));
    }
}
