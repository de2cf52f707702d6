package dev.ensemble.billing.metering;

import dev.ensemble.billing.config.BillingConfig;
import dev.ensemble.billing.money.Money;
import dev.ensemble.events.usage.UsageRecorded;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.math.BigDecimal;
import java.util.Map;
import java.util.Optional;

/**
 * Prices usage from {@code ensemble.billing.prices.<kind>.<resource>} (a {@code default} entry per
 * kind). Units: tokens per 1,000 tokens; prediction per prediction; gpu_time per GPU-hour (the
 * quantity is GPU seconds); storage per GB-hour (the quantity is byte-hours); training per hour
 * (the quantity is seconds).
 */
@ApplicationScoped
public class PriceList {

    private static final Map<String, BigDecimal> UNIT = Map.of(
            UsageRecorded.TOKENS, BigDecimal.valueOf(1_000),
            UsageRecorded.PREDICTION, BigDecimal.ONE,
            UsageRecorded.GPU_TIME, BigDecimal.valueOf(3_600),
            UsageRecorded.STORAGE, BigDecimal.valueOf(1_000_000_000L),
            UsageRecorded.TRAINING, BigDecimal.valueOf(3_600));

    @Inject
    BillingConfig config;

    /** The unit price for {@code kind} and {@code resource}, falling back to the kind's default. */
    public Optional<BigDecimal> unitPrice(String kind, String resource) {
        Map<String, BigDecimal> prices = config.prices().get(kind);
        if (prices == null || !UNIT.containsKey(kind)) {
            return Optional.empty();
        }
        BigDecimal price = resource == null ? null : prices.get(resource);
        return Optional.ofNullable(price != null ? price : prices.get("default"));
    }

    /** The cost of {@code quantity} of {@code kind}, or empty when it cannot be priced. */
    public Optional<BigDecimal> price(String kind, String resource, BigDecimal quantity) {
        return unitPrice(kind, resource).map(p -> Money.round(p.multiply(quantity)
                .divide(UNIT.get(kind), Money.SCALE + 6, java.math.RoundingMode.HALF_UP)));
    }
}
