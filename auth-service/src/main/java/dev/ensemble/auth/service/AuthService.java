package dev.ensemble.auth.service;

import dev.ensemble.auth.User;
import dev.ensemble.events.Topics;
import dev.ensemble.events.outbox.Outbox;
import dev.ensemble.events.user.UserRegistered;
import dev.ensemble.web.ApiException;
import dev.ensemble.web.ErrorCode;
import io.quarkus.elytron.security.common.BcryptUtil;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import dev.ensemble.web.Offload;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.wildfly.security.password.Password;
import org.wildfly.security.password.PasswordFactory;
import org.wildfly.security.password.interfaces.BCryptPassword;
import org.wildfly.security.password.util.ModularCrypt;

import java.time.Instant;
import java.util.UUID;

/** Registration and password login. Hashing runs on worker threads, never on the event loop. */
@ApplicationScoped
public class AuthService {

    /** Compared against when the account does not exist, so both paths cost one bcrypt check. */
    private static final String DUMMY_HASH = BcryptUtil.bcryptHash("not-a-real-password", 10);

    @Inject
    Outbox outbox;

    @Inject
    RefreshTokens refreshTokens;

    @Inject
    LoginThrottle throttle;

    @Inject
    dev.ensemble.auth.config.AuthConfig config;

    public record Registration(String email, String username, String name, String password) {
    }

    @WithTransaction
    public Uni<User> register(Registration r, String requestId) {
        // One session runs one query at a time: look the two up in turn.
        return User.findByEmail(r.email())
                .chain(byEmail -> {
                    if (byEmail != null) {
                        throw new ApiException(409, ErrorCode.CONFLICT, "email: already registered",
                                java.util.List.of(new dev.ensemble.web.Problem.FieldError("email", "already registered")));
                    }
                    return r.username() == null ? Uni.createFrom().<User>nullItem() : User.findByUsername(r.username());
                })
                .chain(byUsername -> {
                    if (byUsername != null) {
                        throw new ApiException(409, ErrorCode.CONFLICT, "username: already taken",
                                java.util.List.of(new dev.ensemble.web.Problem.FieldError("username", "already taken")));
                    }
                    return hash(r.password());
                })
                .chain(hash -> {
                    User user = new User();
                    user.id = UUID.randomUUID();
                    user.email = r.email().trim();
                    user.username = r.username();
                    user.name = r.name() != null ? r.name() : r.username();
                    user.passwordHash = hash;
                    user.plan = config.defaultPlan();
                    user.createdAt = Instant.now();
                    return user.<User>persist();
                })
                .call(user -> outbox.publish(Topics.USER_EVENTS, UserRegistered.TYPE, user.id.toString(),
                        UserRegistered.VERSION, requestId,
                        new UserRegistered(user.id, user.email, user.name, user.username)));
    }

    /** A signed-in user with the refresh token that was issued with the access token. */
    public record Session(User user, String refreshToken) {
    }

    /**
     * Checks the credentials and opens a session. A wrong password and an unknown account fail
     * alike; repeated failures for the account or from the address are throttled.
     */
    @WithTransaction
    public Uni<Session> login(String emailOrUsername, String password, String address) {
        String account = emailOrUsername.toLowerCase();
        throttle.check(account, address);
        Uni<User> lookup = emailOrUsername.contains("@")
                ? User.findByEmail(emailOrUsername) : User.findByUsername(emailOrUsername);
        return lookup.chain(user -> verify(password, user == null ? DUMMY_HASH : user.passwordHash)
                .chain(ok -> {
                    if (!ok || user == null || !user.active) {
                        throttle.failed(account, address);
                        throw new ApiException(401, "AUTH_INVALID", "invalid credentials");
                    }
                    throttle.succeeded(account);
                    user.lastLogin = Instant.now();
                    if (!user.admin && config.adminEmails().map(a -> a.stream()
                            .anyMatch(e -> e.equalsIgnoreCase(user.email))).orElse(false)) {
                        user.admin = true;
                    }
                    return refreshTokens.issue(user.id, null).map(rt -> new Session(user, rt.token()));
                }));
    }

    /** Spends a refresh token for a new session of the same family; a replayed token revokes the family. */
    public Uni<Session> refresh(String refreshToken) {
        return rotate(refreshToken).onItem().ifNull().failWith(() ->
                new ApiException(401, "AUTH_INVALID", "refresh token is invalid, expired or revoked"));
    }

    @WithTransaction
    Uni<Session> rotate(String refreshToken) {
        return refreshTokens.rotate(refreshToken).chain(rt -> rt == null ? Uni.createFrom().nullItem()
                : User.<User>findById(rt.userId()).map(user -> {
            if (user == null || !user.active) {
                throw new ApiException(401, "AUTH_INVALID", "account is disabled");
            }
            return new Session(user, rt.token());
        }));
    }

    @WithTransaction
    public Uni<Void> logout(String refreshToken) {
        return refreshTokens.revoke(refreshToken);
    }

    @WithSession
    public Uni<User> findById(UUID id) {
        return User.<User>findById(id).onItem().ifNull().failWith(() -> ApiException.notFound("user"));
    }

    private static Uni<String> hash(String password) {
        return Offload.blocking(() -> BcryptUtil.bcryptHash(password, 10));
    }

    private static Uni<Boolean> verify(String password, String hash) {
        return Offload.blocking(() -> matches(password, hash));
    }

    static boolean matches(String password, String hash) {
        try {
            Password stored = ModularCrypt.decode(hash);
            PasswordFactory factory = PasswordFactory.getInstance(BCryptPassword.ALGORITHM_BCRYPT);
            Password restored = factory.translate(stored);
            return factory.verify(restored, password.toCharArray());
        } catch (Exception e) {
            return false;
        }
    }
}
