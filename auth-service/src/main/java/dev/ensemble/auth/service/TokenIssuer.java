package dev.ensemble.auth.service;

import dev.ensemble.auth.User;
import dev.ensemble.auth.config.AuthConfig;
import dev.ensemble.auth.keys.SigningKeys;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.build.Jwt;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.HashSet;
import java.util.Set;

/** Signs RS256 access tokens whose subject is the user id and whose groups are the roles. */
@ApplicationScoped
public class TokenIssuer {

    @Inject
    SigningKeys keys;

    @Inject
    AuthConfig config;

    public String accessToken(User user) {
        return sign(user, null, config.accessTokenTtl());
    }

    /** The short-lived token the gateway forwards for a request made with an API key. */
    public String apiKeyToken(User user, java.util.UUID keyId) {
        return sign(user, keyId, config.apiKeyTokenTtl());
    }

    private String sign(User user, java.util.UUID keyId, java.time.Duration ttl) {
        Set<String> groups = new HashSet<>();
        groups.add("user");
        if (user.admin) {
            groups.add("admin");
        }
        var builder = Jwt.issuer(config.issuer())
                .subject(user.id.toString())
                .upn(user.email)
                .claim("email", user.email)
                .claim("plan", user.plan == null ? config.defaultPlan() : user.plan)
                .groups(groups)
                .expiresIn(ttl);
        if (keyId != null) {
            builder.claim("api_key_id", keyId.toString());
        }
        return builder.jws().keyId(keys.current().getKeyId()).algorithm(SignatureAlgorithm.RS256)
                .sign(keys.current().getPrivateKey());
    }

    public long apiKeyTokenSeconds() {
        return config.apiKeyTokenTtl().toSeconds();
    }

    public String planOf(User user) {
        return user.plan == null ? config.defaultPlan() : user.plan;
    }

    public long accessTokenSeconds() {
        return config.accessTokenTtl().toSeconds();
    }
}
