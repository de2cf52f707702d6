package dev.ensemble.gpu.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.util.Map;
import java.util.UUID;

/** {@code POST /api/v1/gpu/proxy}: the instance's own answer, status and body as it gave them. */
@Path("/api/v1/gpu/proxy")
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed("user")
public class ProxyResource {

    @Inject
    ProxyService proxy;

    @Inject
    JsonWebToken jwt;

    public record ProxyRequest(String method, String target, String path, JsonNode payload, Map<String, String> headers) {
    }

    @POST
    @Produces(MediaType.WILDCARD)
    public Uni<Response> forward(@Valid @NotNull(message = "request body is required") ProxyRequest req) {
        return proxy.forward(UUID.fromString(jwt.getSubject()), req.method(), req.target(), req.path(), req.payload(),
                        req.headers())
                .map(a -> Response.status(a.status()).entity(a.body())
                        .type(a.contentType() == null ? MediaType.APPLICATION_OCTET_STREAM : a.contentType())
                        .header("X-Ensemble-Instance", a.contract().toString()).build());
    }
}
