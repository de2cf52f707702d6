package dev.ensemble.auth.rest;

import dev.ensemble.auth.config.AuthConfig;
import dev.ensemble.web.ApiException;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Guards the internal endpoints that only the gateway may call ({@code /internal/v1/api-keys/...}):
 * the caller must present {@code X-Internal-Token} equal to {@code ENSEMBLE_INTERNAL_TOKEN}. With no
 * token configured they are closed. The gateway never routes {@code /internal/...} from outside,
 * and this makes them useless to a client that reaches auth-service directly.
 * ({@code /internal/v1/export} is the per-user export contract and takes the user's JWT instead.)
 */
public class InternalTokenFilter {

    static final String HEADER = "X-Internal-Token";

    @Inject
    AuthConfig config;

    @ServerRequestFilter(preMatching = true)
    public void check(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (!path.startsWith("/internal/") || path.startsWith("/internal/v1/export")) {
            return;
        }
        String expected = config.internalToken().filter(t -> !t.isBlank()).orElse(null);
        String given = request.getHeaderString(HEADER);
        if (expected == null || given == null || !MessageDigest.isEqual(
                expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8))) {
            // The same answer as an unknown path: nothing tells an outsider the endpoint exists.
            throw ApiException.notFound("resource");
        }
    }
}
