package dev.ensemble.auth.rest;

import dev.ensemble.auth.keys.SigningKeys;
import dev.ensemble.web.Offload;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.List;

/** Signing-key rotation, for admins. */
@Path("/api/v1/auth/keys")
@Produces(MediaType.APPLICATION_JSON)
public class SigningKeyResource {

    @Inject
    SigningKeys signingKeys;

    public record Rotation(String kid, String previousKid, List<String> published) {
    }

    /**
     * Admins: a new signing key. Tokens signed by the old one keep verifying (it stays in the JWKS
     * until they expire); new tokens are signed by the new one.
     */
    @POST
    @Path("/rotate")
    @RolesAllowed("admin")
    public Uni<Rotation> rotate() {
        String previous = signingKeys.current().getKeyId();
        return Offload.blocking(() -> {
            var next = signingKeys.rotate();
            List<String> published = new java.util.ArrayList<>();
            published.add(next.getKeyId());
            signingKeys.retired().forEach(r -> published.add(r.key().getKeyId()));
            return new Rotation(next.getKeyId(), previous, published);
        });
    }
}
