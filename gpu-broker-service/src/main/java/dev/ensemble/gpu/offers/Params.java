package dev.ensemble.gpu.offers;

import dev.ensemble.web.ApiException;

import java.math.BigDecimal;
import java.util.Set;

/** Query parameters read as text and checked here, so a bad one is a 400 that names it. */
public final class Params {

    private Params() {
    }

    public static Integer integer(String name, String value, int min, int max) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            int v = Integer.parseInt(value.trim());
            if (v < min || v > max) {
                throw ApiException.badRequest(name, "must be between " + min + " and " + max);
            }
            return v;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(name, "must be an integer");
        }
    }

    public static BigDecimal decimal(String name, String value, BigDecimal max) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            if (value.length() > 32) {
                throw new NumberFormatException();
            }
            BigDecimal v = new BigDecimal(value.trim());
            if (v.signum() < 0 || v.compareTo(max) > 0) {
                throw ApiException.badRequest(name, "must be between 0 and " + max.toPlainString());
            }
            return v;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(name, "must be a number");
        }
    }

    public static String text(String name, String value, int maxLength) {
        if (value == null || value.isBlank()) {
            return null;
        }
        if (value.length() > maxLength) {
            throw ApiException.badRequest(name, "must be at most " + maxLength + " characters");
        }
        return value.trim();
    }

    public static String oneOf(String name, String value, Set<String> allowed, String fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        if (!allowed.contains(value)) {
            throw ApiException.badRequest(name, "must be one of " + String.join(", ", allowed.stream().sorted().toList()));
        }
        return value;
    }
}
