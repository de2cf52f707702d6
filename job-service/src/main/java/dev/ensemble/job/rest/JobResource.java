package dev.ensemble.job.rest;

import dev.ensemble.job.Job;
import dev.ensemble.web.ApiException;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** The caller's jobs, filtered by status and paged. */
@Path("/api/v1/jobs")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed("user")
public class JobResource {

    static final Set<String> STATUSES = Set.of("pending", "queued", "running", "completed", "failed", "cancelled");

    @Inject
    JsonWebToken jwt;

    @Inject
    dev.ensemble.job.config.JobConfig config;

    public record JobView(UUID jobId, String type, String status, String queue, String modelType,
                          double progress, Instant createdAt, Instant startedAt, Instant completedAt) {
        static JobView of(Job j) {
            return new JobView(j.id, j.kind, j.status, j.queue, j.modelType, j.progress, j.createdAt,
                    j.startedAt, j.completedAt);
        }
    }

    public record JobPage(List<JobView> jobs, long total, int limit, int offset) {
    }

    @GET
    @WithSession
    public Uni<JobPage> list(@QueryParam("status") String status,
                             @QueryParam("limit") @DefaultValue("50") int limit,
                             @QueryParam("offset") @DefaultValue("0") int offset) {
        if (limit < 1 || limit > config.maxPageSize()) {
            throw ApiException.badRequest("limit", "must be between 1 and " + config.maxPageSize());
        }
        if (offset < 0) {
            throw ApiException.badRequest("offset", "must not be negative");
        }
        if (status != null && !STATUSES.contains(status)) {
            throw ApiException.badRequest("status", "must be one of " + STATUSES);
        }
        Parameters params = Parameters.with("owner", UUID.fromString(jwt.getSubject()));
        String where = "ownerId = :owner";
        if (status != null) {
            where += " and status = :status";
            params.and("status", status);
        }
        var query = Job.<Job>find(where, Sort.descending("createdAt"), params);
        return Uni.combine().all().unis(query.range(offset, offset + limit - 1).list(), query.count()).asTuple()
                .map(t -> new JobPage(t.getItem1().stream().map(JobView::of).toList(), t.getItem2(), limit, offset));
    }
}
