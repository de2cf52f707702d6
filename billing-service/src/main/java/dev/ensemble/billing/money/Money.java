package dev.ensemble.billing.money;

import dev.ensemble.billing.config.BillingConfig;
import dev.ensemble.web.ApiException;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Currency;
import java.util.Locale;
import java.util.regex.Pattern;

/** Validation and display of amounts and currencies; money is always a BigDecimal with a currency. */
public final class Money {

    /** Internal precision of amounts (the ledger's NUMERIC(19, 6)). */
    public static final int SCALE = 6;
    private static final Pattern CODE = Pattern.compile("[A-Za-z]{3}");

    private Money() {
    }

    /**
     * A positive amount of at most {@code maxScale} decimal places and at most the configured maximum;
     * anything else is a 400 naming {@code field}.
     */
    public static BigDecimal positive(BigDecimal value, String field, int maxScale, BillingConfig config) {
        if (value == null) {
            throw ApiException.badRequest(field, "is required");
        }
        if (value.signum() <= 0) {
            throw ApiException.badRequest(field, "must be greater than 0");
        }
        return bounded(value, field, maxScale, config);
    }

    /** Zero or a positive amount (a settled cost may be zero). */
    public static BigDecimal nonNegative(BigDecimal value, String field, int maxScale, BillingConfig config) {
        if (value == null) {
            throw ApiException.badRequest(field, "is required");
        }
        if (value.signum() < 0) {
            throw ApiException.badRequest(field, "must not be negative");
        }
        return bounded(value, field, maxScale, config);
    }

    private static BigDecimal bounded(BigDecimal value, String field, int maxScale, BillingConfig config) {
        if (value.compareTo(config.maxAmount()) > 0) {
            throw ApiException.badRequest(field, "must not exceed " + config.maxAmount().toPlainString());
        }
        BigDecimal stripped = value.stripTrailingZeros();
        if (stripped.scale() > maxScale) {
            throw ApiException.badRequest(field, "must have at most " + maxScale + " decimal places");
        }
        return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
    }

    /** The ISO 4217 code in upper case when it is accepted; {@code fallback} when absent. */
    public static String currency(String value, String field, String fallback, BillingConfig config) {
        if (value == null) {
            return fallback;
        }
        if (!CODE.matcher(value).matches()) {
            throw ApiException.badRequest(field, "must be a three-letter ISO 4217 code");
        }
        String code = value.toUpperCase(Locale.ROOT);
        boolean known;
        try {
            Currency.getInstance(code);
            known = true;
        } catch (IllegalArgumentException e) {
            known = false;
        }
        if (!known || !config.currencies().contains(code)) {
            throw ApiException.badRequest(field, "unsupported currency " + code + "; accepted: "
                    + String.join(", ", config.currencies()));
        }
        return code;
    }

    /** Decimal places of a currency's minor unit (2 for USD, 0 for JPY). */
    public static int minorDigits(String currency) {
        int digits = Currency.getInstance(currency).getDefaultFractionDigits();
        return Math.max(digits, 0);
    }

    /** An amount for a response: trailing zeros dropped, but at least two decimals (1.50, 0.000123). */
    public static BigDecimal display(BigDecimal value) {
        if (value == null) {
            return null;
        }
        BigDecimal v = value.stripTrailingZeros();
        return v.scale() < 2 ? v.setScale(2, RoundingMode.UNNECESSARY) : v;
    }

    /** Rounds a computed amount (a price times a quantity) to the ledger's precision. */
    public static BigDecimal round(BigDecimal value) {
        return value.setScale(SCALE, RoundingMode.HALF_UP);
    }
}
