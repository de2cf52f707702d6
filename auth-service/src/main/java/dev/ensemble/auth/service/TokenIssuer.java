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
        Set<String> groups = new HashSet<>();
        groups.add("user");
        if (user.admin) {
            groups.add("admin");
        }
        return Jwt.issuer(config.issuer())
                .subject(user.id.toString())
                .upn(user.email)
                .claim("email", user.email)
                .groups(groups)
                .expiresIn(config.accessTokenTtl())
                .jws().keyId(keys.current().getKeyId()).algorithm(SignatureAlgorithm.RS256)
                .sign(keys.current().getPrivateKey());
    }

    public long accessTokenSeconds() {
        return config.accessTokenTtl().toSeconds();
    }
}
