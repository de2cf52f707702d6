package dev.ensemble.gpu.balancer;

import dev.ensemble.gpu.instances.ContractService;
import dev.ensemble.gpu.instances.GpuContract;
import dev.ensemble.web.ApiException;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** Load balancing over the caller's running instances, in AIServe.Farm's shapes. */
@Path("/api/v1/loadbalancer")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed("user")
public class BalancerResource {

    @Inject
    BalancerService balancers;

    @Inject
    ContractService contracts;

    @Inject
    JsonWebToken jwt;

    public record StrategyRequest(@NotNull(message = "is required") String strategy,
                                  @Size(max = 100, message = "at most 100 weights") Map<String, Integer> weights) {
    }

    private UUID user() {
        return UUID.fromString(jwt.getSubject());
    }

    @GET
    @Path("/loads")
    public Uni<Map<String, Object>> loads() {
        UUID user = user();
        return balancers.settings(user).chain(s -> contracts.running(user).map(running -> {
            Map<String, Object> loads = new LinkedHashMap<>();
            for (GpuContract c : running) {
                loads.put(c.id.toString(), balancers.loadOf(c));
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("strategy", s.strategy());
            body.put("loads", loads);
            body.put("count", loads.size());
            return body;
        }));
    }

    @GET
    @Path("/load")
    public Uni<Map<String, Object>> load(@QueryParam("instance_id") String instanceId) {
        if (instanceId == null || instanceId.isBlank()) {
            throw ApiException.badRequest("instance_id", "is required");
        }
        if (instanceId.length() > 200) {
            throw ApiException.badRequest("instance_id", "must be at most 200 characters");
        }
        UUID user = user();
        return contracts.running(user).map(running -> {
            GpuContract c = running.stream()
                    .filter(r -> r.id.toString().equals(instanceId) || instanceId.equals(r.offerId)
                            || instanceId.equals(r.providerInstanceId))
                    .findFirst().orElseThrow(() -> ApiException.notFound("running instance " + instanceId));
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("instance_id", instanceId);
            body.putAll(balancers.loadOf(c));
            body.put("instance_id", instanceId);
            return body;
        });
    }

    @GET
    @Path("/strategy")
    public Uni<BalancerService.Settings> strategy() {
        return balancers.settings(user());
    }

    @PUT
    @Path("/strategy")
    public Uni<Map<String, Object>> setStrategy(@Valid @NotNull(message = "request body is required") StrategyRequest req) {
        if (!LoadBalancer.STRATEGIES.contains(req.strategy())) {
            throw ApiException.badRequest("strategy", "must be one of "
                    + String.join(", ", LoadBalancer.STRATEGIES.stream().sorted().toList()));
        }
        if (req.weights() != null) {
            for (var e : req.weights().entrySet()) {
                if (e.getValue() == null || e.getValue() < 1 || e.getValue() > 1000) {
                    throw ApiException.badRequest("weights", "each weight must be between 1 and 1000");
                }
                if (e.getKey().length() > 64 || e.getKey().contains(",") || e.getKey().contains("=")) {
                    throw ApiException.badRequest("weights", "keys are contract ids");
                }
            }
        }
        return balancers.save(user(), req.strategy(), req.weights()).map(s -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("strategy", s.strategy());
            body.put("message", "Load balancing strategy updated");
            if (!s.weights().isEmpty()) {
                body.put("weights", s.weights());
            }
            return body;
        });
    }
}
