package dev.ensemble.billing.rest;

import dev.ensemble.billing.guardrails.GuardrailService;
import dev.ensemble.web.ApiException;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The seed's spending guardrails (check, record, reset, the spending view), window limits, and
 * reserve-then-settle for costly work. Refusals are 402 {@code SPENDING_LIMIT} or
 * {@code INSUFFICIENT_CREDITS}.
 */
@Path("/api/v1/guardrails/spending")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed({"user", "admin"})
public class GuardrailResource {

    @Inject
    GuardrailService guardrails;

    @Inject
    JsonWebToken jwt;

    public record CheckRequest(BigDecimal estimatedCost) {
    }

    public record RecordRequest(BigDecimal amount, String currency) {
    }

    public record ResetRequest(String windowName) {
    }

    public record WindowRequest(BigDecimal limit, Long durationSeconds) {
    }

    public record ReserveRequest(BigDecimal amount, String currency, String purpose, String referenceId,
                                 Long ttlSeconds) {
    }

    public record SettleRequest(BigDecimal amount) {
    }

    @GET
    public Uni<GuardrailService.SpendingView> spending() {
        return guardrails.view(user());
    }

    @POST
    @Path("/check")
    public Uni<GuardrailService.CheckResult> check(CheckRequest body) {
        return guardrails.check(user(), required(body).estimatedCost());
    }

    @POST
    @Path("/record")
    public Uni<GuardrailService.RecordResult> record(RecordRequest body) {
        return guardrails.record(user(), required(body).amount(), body.currency());
    }

    @POST
    @Path("/reset")
    public Uni<Map<String, Object>> reset(ResetRequest body) {
        String name = body == null ? null : body.windowName();
        return guardrails.reset(user(), name).map(windows -> Map.of("message", "Spending reset successfully",
                "windows", windows));
    }

    @GET
    @Path("/windows")
    public Uni<List<GuardrailService.WindowView>> windows() {
        return guardrails.view(user()).map(GuardrailService.SpendingView::windows);
    }

    @PUT
    @Path("/windows/{name}")
    public Uni<GuardrailService.WindowView> putWindow(@PathParam("name") String name, WindowRequest body) {
        return guardrails.putWindow(user(), name, required(body).limit(), body.durationSeconds());
    }

    @DELETE
    @Path("/windows/{name}")
    public Uni<Response> deleteWindow(@PathParam("name") String name) {
        return guardrails.deleteWindow(user(), name).map(v -> Response.noContent().build());
    }

    @POST
    @Path("/reserve")
    public Uni<Response> reserve(ReserveRequest body) {
        ReserveRequest r = required(body);
        return guardrails.reserve(user(), r.amount(), r.currency(), r.purpose(), r.referenceId(), r.ttlSeconds())
                .map(reserved -> Response.status(reserved.created() ? 201 : 200).entity(reserved.reservation()).build());
    }

    @GET
    @Path("/reservations/{id}")
    public Uni<GuardrailService.ReservationView> reservation(@PathParam("id") String id) {
        return guardrails.reservation(user(), reservationId(id));
    }

    @POST
    @Path("/reservations/{id}/settle")
    public Uni<GuardrailService.ReservationView> settle(@PathParam("id") String id, SettleRequest body) {
        return guardrails.settle(user(), reservationId(id), required(body).amount());
    }

    @POST
    @Path("/reservations/{id}/release")
    @Consumes(MediaType.WILDCARD)
    public Uni<GuardrailService.ReservationView> release(@PathParam("id") String id) {
        return guardrails.release(user(), reservationId(id));
    }

    private UUID user() {
        return UUID.fromString(jwt.getSubject());
    }

    private static UUID reservationId(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound("reservation");
        }
    }

    private static <T> T required(T body) {
        if (body == null) {
            throw ApiException.badRequest("body", "a JSON body is required");
        }
        return body;
    }
}
