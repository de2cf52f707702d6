package dev.ensemble.billing.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** billing-service settings. */
@ConfigMapping(prefix = "ensemble.billing")
public interface BillingConfig {

    /** The currency new accounts are opened in (ISO 4217). */
    @WithDefault("USD")
    String defaultCurrency();

    /** The currencies accepted anywhere (ISO 4217); an account's ledger is kept in one of them. */
    @WithDefault("USD,EUR,GBP,JPY,CHF,CAD,AUD")
    List<String> currencies();

    /** The largest amount one payment, charge, reservation or limit may carry. */
    @WithDefault("1000000")
    BigDecimal maxAmount();

    /**
     * Prepaid mode: reservations and spend records need enough credit (balance minus holds), else
     * 402 {@code INSUFFICIENT_CREDITS}. Off by default (post-paid, self-hosted).
     */
    @WithDefault("false")
    boolean requireCredits();

    /** Where billing-service is reached (read by libs/billing-client; declared so it is a known key). */
    Optional<String> url();

    /** The billing client's timeout (libs/billing-client; declared so it is a known key). */
    @WithDefault("3000")
    long timeoutMs();

    Guardrails guardrails();

    /**
     * The price list, by usage kind and then by resource (model name, GPU model) with a
     * {@code default} entry per kind. Units: tokens per 1,000 tokens; prediction per prediction;
     * gpu_time per GPU-hour; storage per GB-hour; training per hour.
     */
    Map<String, Map<String, BigDecimal>> prices();

    Stripe stripe();

    Credits credits();

    /** Spending windows and reservations. */
    interface Guardrails {
        /** Default limits given to every new user (0 = no such default window). */
        @WithDefault("100")
        BigDecimal hourlyLimit();

        @WithDefault("500")
        BigDecimal dailyLimit();

        @WithDefault("1000")
        BigDecimal monthlyLimit();

        @WithDefault("900")
        long defaultTtlSeconds();

        @WithDefault("86400")
        long maxTtlSeconds();

        /** How often expired reservations are marked expired (they stop counting at expiry regardless). */
        @WithDefault("30s")
        String sweepInterval();
    }

    /** Stripe, through its HTTP API; without a secret key the provider answers 503. */
    interface Stripe {
        @WithDefault("https://api.stripe.com")
        String baseUrl();

        Optional<String> secretKey();

        Optional<String> webhookSecret();

        @WithDefault("300")
        long webhookToleranceSeconds();

        @WithDefault("10000")
        long timeoutMs();
    }

    /** The internal credits provider (self-hosted): grants credits without an outside payment. */
    interface Credits {
        /** Whether users may grant themselves credits; otherwise only admins may. */
        @WithDefault("false")
        boolean selfService();
    }
}
