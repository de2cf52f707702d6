package dev.ensemble.billing.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** billing-service settings. */
@ConfigMapping(prefix = "ensemble.billing")
public interface BillingConfig {

    /** The currency new accounts are opened in (ISO 4217). */
    @WithDefault("USD")
    String defaultCurrency();
}
