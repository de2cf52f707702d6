package dev.ensemble.gateway.rest;

import dev.ensemble.gateway.health.HealthAggregator;
import dev.ensemble.gateway.health.HealthReport;
import dev.ensemble.gateway.health.Readiness;
import dev.ensemble.web.ApiException;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.LinkedHashMap;
import java.util.Map;

/** The suite's health as clients see it: {@code /health}, {@code /health/{dependency}}, {@code /readiness}. */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "operations")
public class HealthResource {

    @Inject
    HealthAggregator health;

    @GET
    @Path("health")
    @Operation(summary = "Health of the gateway and every service: 200 when healthy or degraded, 503 when unhealthy")
    public Uni<Response> health() {
        return health.report().map(r -> Response.status(r.servesTraffic() ? 200 : 503).entity(r).build());
    }

    @GET
    @Path("health/{dependency}")
    @Operation(summary = "One dependency's check (database, kafka, or a service name)")
    public Uni<Response> dependency(@PathParam("dependency") String dependency) {
        return health.report().map(r -> {
            HealthReport.Check check = r.checks().get(dependency);
            if (check == null) {
                throw ApiException.notFound("dependency " + dependency);
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", check.healthy() ? HealthReport.HEALTHY : HealthReport.UNHEALTHY);
            body.put("dependency", dependency);
            body.put("healthy", check.healthy());
            body.put("response_time_ms", check.responseTimeMs());
            if (check.error() != null) {
                body.put("error", check.error());
            }
            body.put("timestamp", r.timestamp());
            return Response.status(check.healthy() ? 200 : 503).entity(body).build();
        });
    }

    @GET
    @Path("readiness")
    @Operation(summary = "Whether the gateway takes requests: its database and Kafka are up (200), or not (503)")
    public Uni<Response> readiness() {
        return health.report().map(r -> {
            boolean database = r.checks().get("database").healthy();
            boolean kafka = r.checks().get("kafka").healthy();
            boolean services = r.checks().entrySet().stream()
                    .filter(e -> !e.getKey().equals("database") && !e.getKey().equals("kafka"))
                    .allMatch(e -> e.getValue().healthy());
            Map<String, Boolean> checks = new LinkedHashMap<>();
            checks.put("database", database);
            checks.put("kafka", kafka);
            // The gateway's caches are in-process: they are up whenever the gateway is.
            checks.put("cache", true);
            checks.put("external_services", services);
            boolean ready = database && kafka;
            return Response.status(ready ? 200 : 503).entity(new Readiness(ready, checks)).build();
        });
    }
}
