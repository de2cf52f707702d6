package dev.ensemble.gpu.admin;

import dev.ensemble.gpu.instances.Reconciler;
import dev.ensemble.web.ApiException;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/** Operators: run a reconciliation pass now, optionally as of a given time (to preview expiries). */
@Path("/api/v1/gpu/admin")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed("admin")
public class AdminResource {

    @Inject
    Reconciler reconciler;

    @POST
    @Path("/reconcile")
    public Uni<Reconciler.Report> reconcile(@QueryParam("at") String at) {
        Instant when;
        try {
            when = at == null || at.isBlank() ? Instant.now() : Instant.parse(at);
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest("at", "must be an ISO-8601 instant");
        }
        return reconciler.reconcile(when);
    }
}
