package dev.ensemble.job.rest;

import dev.ensemble.job.service.JobService;
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

/** The caller's jobs, datasets and trained models, for the account export auth-service gathers. */
@Path("/internal/v1/export")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed("user")
public class ExportResource {

    @Inject
    JsonWebToken jwt;

    @Inject
    JobService jobs;

    @GET
    public Uni<Map<String, Object>> export() {
        return jobs.export(UUID.fromString(jwt.getSubject()))
                .map(data -> Map.of("service", "job-service", "data", data));
    }
}
