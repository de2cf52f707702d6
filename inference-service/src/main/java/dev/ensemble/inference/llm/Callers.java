package dev.ensemble.inference.llm;

import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.util.Set;
import java.util.UUID;

/**
 * Who calls a Vert.x route (the OpenAI API and the chat WebSocket are plain routes): the identity
 * Quarkus established from the {@code Authorization} header, or, for a WebSocket whose browser
 * cannot set headers, a token in the {@code access_token} (or {@code token}) query parameter,
 * verified here against the same keys. Only users and admins count.
 */
@ApplicationScoped
public class Callers {

    private static final Set<String> ROLES = Set.of("user", "admin");

    @Inject
    JWTParser parser;

    /** The caller's user id from the request's established identity, or null when anonymous. */
    public UUID fromIdentity(RoutingContext ctx) {
        if (!(ctx.user() instanceof QuarkusHttpUser user)) {
            return null;
        }
        SecurityIdentity identity = user.getSecurityIdentity();
        if (identity == null || identity.isAnonymous() || identity.getRoles().stream().noneMatch(ROLES::contains)) {
            return null;
        }
        return subject(identity.getPrincipal() instanceof JsonWebToken jwt ? jwt.getSubject() : identity.getPrincipal().getName());
    }

    /** The user id of a raw token (verified signature, issuer, expiry), or null when it is not valid. Blocking. */
    public UUID fromToken(String token) {
        if (token == null || token.isBlank()) {
            return null;
        }
        try {
            JsonWebToken jwt = parser.parse(token.trim());
            if (jwt.getGroups() == null || jwt.getGroups().stream().noneMatch(ROLES::contains)) {
                return null;
            }
            return subject(jwt.getSubject());
        } catch (ParseException | RuntimeException e) {
            return null;
        }
    }

    private static UUID subject(String sub) {
        try {
            return sub == null ? null : UUID.fromString(sub);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
