package dev.ensemble.auth.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.ensemble.auth.User;
import dev.ensemble.auth.service.AuthService;
import dev.ensemble.auth.service.TokenIssuer;
import dev.ensemble.web.ApiException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.time.Instant;
import java.util.UUID;

/** Registration, password login and the current user, at {@code /api/v1/auth}. */
@Path("/api/v1/auth")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class AuthResource {

    @Inject
    AuthService auth;

    @Inject
    TokenIssuer tokens;

    @Inject
    JsonWebToken jwt;

    public record RegisterRequest(
            @NotBlank(message = "is required") @Email(message = "must be a valid email address")
            @Size(max = 254, message = "must be at most 254 characters") String email,
            @Size(min = 3, max = 64, message = "must be 3 to 64 characters")
            @Pattern(regexp = "[A-Za-z0-9_.-]+", message = "may contain letters, digits, '_', '.' and '-' only")
            String username,
            @Size(max = 200, message = "must be at most 200 characters") String name,
            @NotNull(message = "is required") @Size(min = 8, max = 128, message = "must be 8 to 128 characters")
            String password) {
    }

    public record LoginRequest(String email, String username,
                               @NotBlank(message = "is required") String password) {
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record UserView(UUID id, String email, String username, String name, boolean isActive,
                           boolean isAdmin, Instant createdAt, Instant lastLogin) {
        static UserView of(User u) {
            return new UserView(u.id, u.email, u.username, u.name, u.active, u.admin, u.createdAt, u.lastLogin);
        }
    }

    public record UserEnvelope(UserView user) {
    }

    public record Tokens(String accessToken, String refreshToken, String tokenType, long expiresIn) {
    }

    /** AIServe.Farm's {user, tokens} and, at the top level, the OAuth2 fields AIMOS and Ai-semble read. */
    public record LoginResponse(UserView user, Tokens tokens, String accessToken, String refreshToken,
                                String tokenType, long expiresIn) {
    }

    @POST
    @Path("/register")
    public Uni<Response> register(@Valid @NotNull(message = "request body is required") RegisterRequest req,
                                  HttpServerRequest http) {
        var reg = new AuthService.Registration(req.email(), req.username(), req.name(), req.password());
        // AIMOS answers the user object itself; AIServe.Farm wraps it in {"user": ...}.
        boolean flat = "aimos".equalsIgnoreCase(http.getHeader("X-Ensemble-Dialect"));
        return auth.register(reg, http.getHeader("X-Request-Id"))
                .map(user -> Response.status(201)
                        .entity(flat ? UserView.of(user) : new UserEnvelope(UserView.of(user))).build());
    }

    public record RefreshRequest(@NotBlank(message = "is required") String refreshToken) {
    }

    @POST
    @Path("/login")
    public Uni<LoginResponse> login(@Valid @NotNull(message = "request body is required") LoginRequest req,
                                    HttpServerRequest http) {
        String id = req.email() != null && !req.email().isBlank() ? req.email() : req.username();
        if (id == null || id.isBlank()) {
            throw ApiException.badRequest("email", "email or username is required");
        }
        return auth.login(id.trim(), req.password(), clientAddress(http)).map(this::tokens);
    }

    /** AIMOS's OAuth2-style form login: {@code username=...&password=...}. */
    @POST
    @Path("/login")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Uni<LoginResponse> formLogin(@FormParam("username") String username, @FormParam("password") String password,
                                        HttpServerRequest http) {
        if (username == null || username.isBlank()) {
            throw ApiException.badRequest("username", "is required");
        }
        if (password == null || password.isEmpty()) {
            throw ApiException.badRequest("password", "is required");
        }
        return auth.login(username.trim(), password, clientAddress(http)).map(this::tokens);
    }

    @POST
    @Path("/refresh")
    public Uni<LoginResponse> refresh(@Valid @NotNull(message = "request body is required") RefreshRequest req) {
        return auth.refresh(req.refreshToken()).map(this::tokens);
    }

    @POST
    @Path("/logout")
    public Uni<Response> logout(@Valid @NotNull(message = "request body is required") RefreshRequest req) {
        return auth.logout(req.refreshToken()).replaceWith(Response.noContent().build());
    }

    private LoginResponse tokens(AuthService.Session session) {
        String token = tokens.accessToken(session.user());
        long ttl = tokens.accessTokenSeconds();
        return new LoginResponse(UserView.of(session.user()),
                new Tokens(token, session.refreshToken(), "bearer", ttl),
                token, session.refreshToken(), "bearer", ttl);
    }

    /**
     * The client's address: the last X-Forwarded-For hop, which the gateway appends (the peer it
     * saw), else the peer. Earlier hops come from the client and could be forged to dodge the
     * per-address throttle.
     */
    static String clientAddress(HttpServerRequest http) {
        String forwarded = http.getHeader("X-Forwarded-For");
        if (forwarded != null && !forwarded.isBlank()) {
            String[] hops = forwarded.split(",");
            return hops[hops.length - 1].trim();
        }
        return http.remoteAddress() == null ? "unknown" : http.remoteAddress().hostAddress();
    }

    @GET
    @Path("/me")
    @RolesAllowed("user")
    public Uni<UserView> me() {
        return auth.findById(UUID.fromString(jwt.getSubject())).map(UserView::of);
    }
}
