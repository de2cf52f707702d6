package dev.ensemble.auth.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** auth-service settings. */
@ConfigMapping(prefix = "ensemble.auth")
public interface AuthConfig {

    /** Where the signing key pair is generated on first start and kept (never committed). */
    String keyDir();

    /** The {@code iss} of every token; services verify it. */
    String issuer();

    /**
     * Accounts made admins when they sign in: how an operator creates the first admin (register the
     * account, set ENSEMBLE_ADMIN_EMAILS, restart, log in). There is no built-in admin password.
     */
    java.util.Optional<java.util.Set<String>> adminEmails();

    /** Lifetime of an access token. */
    @WithDefault("PT1H")
    Duration accessTokenTtl();

    /** Lifetime of a refresh token. */
    @WithDefault("P30D")
    Duration refreshTokenTtl();
}
