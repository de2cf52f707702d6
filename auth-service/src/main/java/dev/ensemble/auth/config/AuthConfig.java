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

    /**
     * The plan of new accounts. {@code pro} (1,000 requests/hour at the gateway) suits a self-hosted
     * suite, whose users are the operator's own; a public deployment sets {@code free}.
     */
    @WithDefault("pro")
    String defaultPlan();

    /** Lifetime of the access token minted for an API-key request (the gateway caches it a few seconds). */
    @WithDefault("PT5M")
    Duration apiKeyTokenTtl();

    /** The shared secret the gateway presents on internal endpoints ({@code ENSEMBLE_INTERNAL_TOKEN}). */
    java.util.Optional<String> internalToken();

    /** Where the other services are, for the account export: name to base URL. */
    java.util.Map<String, String> services();

    /** How long each service may take to answer its part of the export. */
    @WithDefault("PT5S")
    Duration exportTimeout();

    /** Lifetime of a refresh token. */
    @WithDefault("P30D")
    Duration refreshTokenTtl();
}
