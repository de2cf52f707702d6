package dev.ensemble.auth.keys;

import dev.ensemble.auth.config.AuthConfig;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;

/**
 * auth-service verifies tokens against its own keys directly instead of fetching its own JWKS
 * over HTTP, which every other service does.
 */
public class OwnKeyVerification {

    @Produces
    @Alternative
    @Priority(1)
    @ApplicationScoped
    JWTAuthContextInfo contextInfo(SigningKeys keys, AuthConfig config) {
        JWTAuthContextInfo info = new JWTAuthContextInfo();
        info.setPublicKeyContent(keys.jwks());
        info.setIssuedBy(config.issuer());
        return info;
    }
}
