package dev.ensemble.job.rest;

import dev.ensemble.job.Job;
import dev.ensemble.job.config.JobConfig;
import dev.ensemble.job.service.JobIds;
import dev.ensemble.job.service.JobRequests;
import dev.ensemble.job.service.JobService;
import dev.ensemble.job.service.JobViews;
import dev.ensemble.job.service.Submissions;
import dev.ensemble.job.service.TrainingGuard;
import dev.ensemble.web.ApiException;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Jobs: submit training, inference and batch jobs; read, list, cancel. Canonical paths; the gateway
 * maps seed 003 ({@code /jobs/...}) and Ai-semble ({@code /api/v2/jobs...}) here, naming the seed in
 * {@code X-Ensemble-Dialect}.
 */
@Path("/api/v1/jobs")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed("user")
public class JobResource {

    static final Set<String> STATUSES = Set.of("pending", "queued", "running", "completed", "failed", "cancelled");
    static final String DIALECT = "X-Ensemble-Dialect";
    static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    @Inject
    JsonWebToken jwt;

    @Inject
    JobConfig config;

    @Inject
    JobService jobs;

    @Inject
    Submissions submissions;

    @Inject
    TrainingGuard guard;

    /**
     * A training job. Under spending guardrails its estimated cost is held with billing (the caller's
     * own token) before the job exists: billing's 402 ({@code SPENDING_LIMIT}, {@code INSUFFICIENT_CREDITS})
     * or 503 (billing unreachable) is the answer and no job is created.
     */
    @POST
    @Path("/training")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> submitTraining(JobRequests.Training body, @HeaderParam(IDEMPOTENCY_KEY) String key) {
        UUID owner = owner();
        String k = key(key);
        String bearer = jwt.getRawToken();
        return submissions.training(owner, body).chain(draft -> submitHeld(owner, k, bearer, draft));
    }

    @POST
    @Path("/inference")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> submitInference(JobRequests.Inference body, @HeaderParam(IDEMPOTENCY_KEY) String key) {
        UUID owner = owner();
        String k = key(key);
        return submissions.inference(owner, body).chain(draft -> submit(owner, k, draft));
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> submitBatch(JobRequests.Batch body, @HeaderParam(IDEMPOTENCY_KEY) String key) {
        UUID owner = owner();
        String k = key(key);
        return submit(owner, k, submissions.batch(body));
    }

    private Uni<Response> submit(UUID owner, String key, JobService.Draft draft) {
        return stored(owner, key, jobs.submit(owner, key, draft)).map(JobResource::answer);
    }

    /**
     * Holds the job's estimated cost with billing, then stores the job with the hold. A replayed
     * Idempotency-Key answers its job without holding anything more; a hold whose job was not stored
     * (a failure, or a concurrent first use of the key that won with another hold) is released.
     */
    private Uni<Response> submitHeld(UUID owner, String key, String bearer, JobService.Draft draft) {
        if (!guard.enabled()) {
            return submit(owner, key, draft);
        }
        Uni<Job> earlier = key == null ? Uni.createFrom().nullItem() : jobs.findByKey(owner, key);
        return earlier.chain(found -> {
            if (found != null) {
                return Uni.createFrom().item(new JobService.Submitted(found, false));
            }
            UUID jobId = UUID.randomUUID();
            return guard.hold(bearer, owner, jobId, key, draft).chain(reservation -> {
                Uni<JobService.Submitted> submitted = jobs.submit(owner, key, draft, jobId, reservation)
                        // not stored: drop the hold (but not a winner's, which a lost race on the key shares)
                        .onFailure(e -> !(key != null && isUniqueViolation(e)))
                        .call(e -> guard.release(bearer, reservation));
                return stored(owner, key, submitted).call(s -> s.created() || reservation == null
                        || reservation.equals(s.job().reservationId)
                        ? Uni.createFrom().voidItem() : guard.release(bearer, reservation));
            });
        }).map(JobResource::answer);
    }

    /** Two concurrent first uses of one key: the loser's insert hits the unique index; answer its winner. */
    private Uni<JobService.Submitted> stored(UUID owner, String key, Uni<JobService.Submitted> submitted) {
        return submitted.onFailure(e -> key != null && isUniqueViolation(e))
                .recoverWithUni(() -> jobs.findByKey(owner, key).map(j -> new JobService.Submitted(j, false)));
    }

    private static Response answer(JobService.Submitted s) {
        return Response.status(s.created() ? 201 : 200).entity(JobViews.submitted(s.job()))
                .header("Location", "/api/v1/jobs/" + JobIds.format(s.job().id))
                .header("Idempotent-Replayed", s.created() ? null : "true").build();
    }

    @GET
    public Uni<Map<String, Object>> list(@QueryParam("status") String status,
                                         @QueryParam("limit") @DefaultValue("100") String limitParam,
                                         @QueryParam("offset") @DefaultValue("0") String offsetParam,
                                         @HeaderParam(DIALECT) String dialect) {
        int limit = intParam("limit", limitParam);
        int offset = intParam("offset", offsetParam);
        if (limit < 1 || limit > config.maxPageSize()) {
            throw ApiException.badRequest("limit", "must be between 1 and " + config.maxPageSize());
        }
        if (offset < 0) {
            throw ApiException.badRequest("offset", "must not be negative");
        }
        if (status != null && !STATUSES.contains(status)) {
            throw ApiException.badRequest("status", "must be one of " + new java.util.TreeSet<>(STATUSES));
        }
        return jobs.list(owner(), status, limit, offset).map(t -> {
            Map<String, Object> page = new LinkedHashMap<>();
            page.put("jobs", t.getItem1().stream().map(j -> JobViews.summary(j, dialect)).toList());
            page.put("total", t.getItem2());
            page.put("limit", limit);
            page.put("offset", offset);
            Map<String, Object> pagination = new LinkedHashMap<>();
            pagination.put("limit", limit);
            pagination.put("offset", offset);
            pagination.put("total", t.getItem2());
            pagination.put("has_more", offset + t.getItem1().size() < t.getItem2());
            page.put("pagination", pagination);
            return page;
        });
    }

    @GET
    @Path("/{id}")
    public Uni<Map<String, Object>> get(@PathParam("id") String id, @HeaderParam(DIALECT) String dialect) {
        return jobs.find(owner(), JobIds.parse(id), 50).map(t -> JobViews.detail(t.getItem1(), t.getItem2(), dialect));
    }

    /** Seed 003's {@code GET /jobs/{id}/status}. */
    @GET
    @Path("/{id}/status")
    public Uni<Map<String, Object>> status(@PathParam("id") String id, @HeaderParam(DIALECT) String dialect) {
        return get(id, dialect);
    }

    @GET
    @Path("/{id}/logs")
    public Uni<Map<String, Object>> logs(@PathParam("id") String id,
                                         @QueryParam("limit") @DefaultValue("200") String limitParam,
                                         @QueryParam("offset") @DefaultValue("0") String offsetParam) {
        int limit = intParam("limit", limitParam);
        int offset = intParam("offset", offsetParam);
        if (limit < 1 || limit > 1000) {
            throw ApiException.badRequest("limit", "must be between 1 and 1000");
        }
        if (offset < 0) {
            throw ApiException.badRequest("offset", "must not be negative");
        }
        UUID jobId = JobIds.parse(id);
        return jobs.logs(owner(), jobId, limit, offset).map(list -> {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("job_id", JobIds.format(jobId));
            out.put("logs", list.stream().map(JobViews::log).toList());
            out.put("limit", limit);
            out.put("offset", offset);
            return out;
        });
    }

    @DELETE
    @Path("/{id}")
    public Uni<Map<String, Object>> cancel(@PathParam("id") String id) {
        return jobs.cancel(owner(), JobIds.parse(id)).map(JobViews::cancelled);
    }

    private UUID owner() {
        return UUID.fromString(jwt.getSubject());
    }

    static String key(String key) {
        if (key == null) {
            return null;
        }
        if (key.isBlank() || key.length() > 200) {
            throw ApiException.badRequest("Idempotency-Key", "must be 1 to 200 characters");
        }
        return key;
    }

    static int intParam(String name, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(name, "must be a whole number");
        }
    }

    static boolean isUniqueViolation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage());
            if (m.contains("jobs_idempotency") || m.contains("23505")) {
                return true;
            }
        }
        return false;
    }

    static boolean isJob(Job j) {
        return j != null;
    }
}
