package dev.ensemble.gpu.instances;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.ensemble.gpu.config.GpuBrokerConfig;
import dev.ensemble.gpu.offers.OfferService;
import dev.ensemble.gpu.offers.Params;
import dev.ensemble.gpu.provider.GpuOffer;
import dev.ensemble.gpu.provider.Providers;
import dev.ensemble.web.ApiException;
import dev.ensemble.web.ErrorCode;
import dev.ensemble.web.Problem;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/** Renting, batch-renting, reserving and returning GPU instances, in AIServe.Farm's shapes. */
@Path("/api/v1/gpu")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed("user")
public class InstanceResource {

    @Inject
    ContractService contracts;

    @Inject
    FleetService fleet;

    @Inject
    Providers providers;

    @Inject
    GpuBrokerConfig config;

    @Inject
    JsonWebToken jwt;

    /** Rental terms: how long, and whether to renew at the end. */
    public record Terms(@NotNull(message = "is required") @Min(value = 1, message = "must be at least 1")
                        @Max(value = 8760, message = "must be at most 8760") Integer durationHours,
                        Boolean autoRenew) {
        int hours() {
            return durationHours;
        }

        boolean renew() {
            return Boolean.TRUE.equals(autoRenew);
        }
    }

    public record BatchRequest(@Min(value = 0, message = "must not be negative") @Max(value = 1000, message = "is too large") Integer vastaiCount,
                               @Min(value = 0, message = "must not be negative") @Max(value = 1000, message = "is too large") Integer ionetCount,
                               @Min(value = 0, message = "must not be negative") @Max(value = 1000, message = "is too large") Integer kubernetesCount,
                               @Min(value = 0, message = "must not be negative") @Max(value = 1000, message = "is too large") Integer sandboxCount,
                               @Valid Terms config) {
    }

    public record Filters(@Min(value = 0, message = "must not be negative") @Max(value = 4096, message = "is too large") Integer minVram,
                          @Size(max = 100, message = "must be at most 100 characters") String gpuModel,
                          @Size(max = 100, message = "must be at most 100 characters") String location,
                          @DecimalMin(value = "0", message = "must not be negative") @DecimalMax(value = "100000", message = "is too large") BigDecimal maxPrice,
                          @Size(max = 20, message = "must be at most 20 characters") String vendor) {
    }

    public record ReserveRequest(@NotNull(message = "is required") @Min(value = 1, message = "must be at least 1")
                                 @Max(value = 1000, message = "is too large") Integer count,
                                 @Valid Filters filters, @Valid Terms config) {
    }

    public record Destroyed(String message, String instanceId, UUID contractId, String status) {
    }

    public record Reserved(String instanceId, String provider, UUID contractId, String gpuModel, BigDecimal pricePerHour,
                           String status) {
    }

    public record ReserveResult(List<Reserved> reserved, int count, int requested, List<FleetService.Failure> errors,
                                int failovers) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ContractPage(List<ContractView> instances, int count, long total, int limit, int offset) {
    }

    private UUID user() {
        return UUID.fromString(jwt.getSubject());
    }

    private int checkedHours(Terms t) {
        Terms terms = t == null ? new Terms(1, false) : t;
        if (terms.hours() > config.maxDurationHours()) {
            throw ApiException.badRequest("duration_hours", "must be at most " + config.maxDurationHours());
        }
        return terms.hours();
    }

    @POST
    @Path("/instances/{provider}/{instanceId}")
    public Uni<Response> create(@PathParam("provider") String provider, @PathParam("instanceId") String instanceId,
                                @Valid Terms terms) {
        int hours = checkedHours(terms);
        checkId(instanceId);
        return contracts.create(user(), jwt.getRawToken(), provider, instanceId, hours, terms != null && terms.renew())
                .map(c -> Response.status(201).entity(ContractView.of(c)).build());
    }

    @DELETE
    @Path("/instances/{provider}/{instanceId}")
    public Uni<Destroyed> destroy(@PathParam("provider") String provider, @PathParam("instanceId") String instanceId) {
        checkId(instanceId);
        return contracts.destroy(user(), provider, instanceId).map(c -> new Destroyed("Instance destroyed successfully",
                instanceId, c.id, c.status));
    }

    private static void checkId(String instanceId) {
        if (instanceId == null || instanceId.length() > 200) {
            throw ApiException.badRequest("instanceId", "must be at most 200 characters");
        }
    }

    @POST
    @Path("/instances/batch")
    public Uni<Response> batch(@Valid @NotNull(message = "request body is required") BatchRequest req) {
        int hours = checkedHours(req.config());
        boolean renew = req.config() != null && req.config().renew();
        Map<String, Integer> counts = new LinkedHashMap<>();
        counts.put("vastai", Objects.requireNonNullElse(req.vastaiCount(), 0));
        counts.put("ionet", Objects.requireNonNullElse(req.ionetCount(), 0));
        counts.put("kubernetes", Objects.requireNonNullElse(req.kubernetesCount(), 0));
        counts.put("sandbox", Objects.requireNonNullElse(req.sandboxCount(), 0));
        int total = counts.values().stream().mapToInt(Integer::intValue).sum();
        if (total < 1) {
            throw ApiException.badRequest("vastai_count", "at least one instance must be requested");
        }
        if (total > config.maxInstancesPerRequest()) {
            throw ApiException.badRequest("vastai_count", "at most " + config.maxInstancesPerRequest()
                    + " instances per request");
        }
        UUID user = user();
        String token = jwt.getRawToken();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("vastai_instances", new ArrayList<String>());
        body.put("ionet_instances", new ArrayList<String>());
        List<FleetService.Failure> errors = new ArrayList<>();
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (var e : counts.entrySet()) {
            String provider = e.getKey();
            int count = e.getValue();
            if (count == 0) {
                continue;
            }
            chain = chain.chain(() -> {
                if (providers.find(provider).isEmpty()) {
                    for (int i = 0; i < count; i++) {
                        errors.add(new FleetService.Failure(provider, ErrorCode.NOT_FOUND, "provider " + provider + " is not enabled"));
                    }
                    return Uni.createFrom().voidItem();
                }
                return fleet.ranked(user, provider, OfferService.Filter.ANY)
                        .chain(offers -> fleet.rent(user, token, offers, count, hours, renew))
                        .onFailure(ApiException.class).recoverWithItem(ex -> {
                            ApiException api = (ApiException) ex;
                            List<FleetService.Failure> f = new ArrayList<>();
                            for (int i = 0; i < count; i++) {
                                f.add(new FleetService.Failure(provider, api.code(), api.getMessage()));
                            }
                            return new FleetService.Outcome(List.of(), f, 0);
                        })
                        .invoke(outcome -> {
                            @SuppressWarnings("unchecked")
                            List<String> ids = (List<String>) body.computeIfAbsent(provider + "_instances", k -> new ArrayList<String>());
                            outcome.created().forEach(c -> ids.add(c.id.toString()));
                            errors.addAll(outcome.errors());
                        }).replaceWithVoid();
            });
        }
        return chain.map(v -> {
            int created = 0;
            for (var e : body.values()) {
                created += ((List<?>) e).size();
            }
            body.put("total_created", created);
            body.put("errors", errors);
            if (created == 0) {
                throw nothingRented(errors);
            }
            return Response.status(201).entity(body).build();
        });
    }

    @POST
    @Path("/instances/reserve")
    public Uni<Response> reserve(@Valid @NotNull(message = "request body is required") ReserveRequest req) {
        int hours = checkedHours(req.config());
        if (req.count() > config.maxInstancesPerRequest()) {
            throw ApiException.badRequest("count", "must be at most " + config.maxInstancesPerRequest());
        }
        boolean renew = req.config() != null && req.config().renew();
        Filters f = req.filters() == null ? new Filters(null, null, null, null, null) : req.filters();
        OfferService.Filter filter = new OfferService.Filter(f.minVram(), f.maxPrice(), blank(f.gpuModel()),
                blank(f.location()), blank(f.vendor()), null, null);
        UUID user = user();
        return fleet.best(user, filter)
                .chain(offers -> fleet.rent(user, jwt.getRawToken(), offers, req.count(), hours, renew))
                .map(o -> {
                    if (o.created().isEmpty()) {
                        throw nothingRented(o.errors());
                    }
                    List<Reserved> reserved = o.created().stream().map(c -> new Reserved(c.offerId, c.provider, c.id,
                            c.gpuModel, c.pricePerHour, c.status)).toList();
                    return Response.status(201).entity(new ReserveResult(reserved, reserved.size(), req.count(),
                            o.errors(), o.failovers())).build();
                });
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    /** Nothing could be rented: answer with the most telling reason, every failure listed. */
    static ApiException nothingRented(List<FleetService.Failure> errors) {
        List<Problem.FieldError> fields = errors.stream()
                .map(e -> new Problem.FieldError(e.provider() == null ? "offers" : e.provider(), e.code() + ": " + e.message()))
                .distinct().toList();
        for (FleetService.Failure e : errors) {
            if (ErrorCode.SPENDING_LIMIT.equals(e.code()) || ErrorCode.INSUFFICIENT_CREDITS.equals(e.code())) {
                return new ApiException(402, e.code(), e.message(), fields);
            }
        }
        for (FleetService.Failure e : errors) {
            if (ErrorCode.SERVICE_UNAVAILABLE.equals(e.code()) || ErrorCode.AUTH_REQUIRED.equals(e.code())) {
                return new ApiException(ErrorCode.AUTH_REQUIRED.equals(e.code()) ? 401 : 503, e.code(), e.message(), fields);
            }
        }
        for (FleetService.Failure e : errors) {
            if (ErrorCode.UPSTREAM_TIMEOUT.equals(e.code()) || ErrorCode.BAD_GATEWAY.equals(e.code())) {
                return new ApiException(ErrorCode.UPSTREAM_TIMEOUT.equals(e.code()) ? 504 : 502, e.code(),
                        "no instance could be rented: " + e.message(), fields);
            }
        }
        return new ApiException(409, "NO_CAPACITY", "no offer matches the request", fields);
    }

    /** The caller's rentals, newest first (not in the seed: the seed's list is of offers). */
    @GET
    @Path("/contracts")
    public Uni<ContractPage> contracts(@QueryParam("status") String status, @QueryParam("limit") String limit,
                                       @QueryParam("offset") String offset) {
        String s = Params.oneOf("status", status, Set.of(GpuContract.PROVISIONING, GpuContract.RUNNING,
                GpuContract.FAILED, GpuContract.DESTROYED, GpuContract.EXPIRED), null);
        int lim = Objects.requireNonNullElse(Params.integer("limit", limit, 1, 500), 50);
        int off = Objects.requireNonNullElse(Params.integer("offset", offset, 0, 1_000_000), 0);
        UUID user = user();
        return contracts.list(user, s, lim, off).chain(list -> contracts.count(user, s).map(total ->
                new ContractPage(list.stream().map(ContractView::of).toList(), list.size(), total, lim, off)));
    }

    @GET
    @Path("/contracts/{contractId}")
    public Uni<ContractView> contract(@PathParam("contractId") String contractId) {
        return contracts.get(user(), contractId).map(ContractView::of);
    }

}
