package dev.ensemble.billing.payments;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Stripe's webhook signature: {@code Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=...]} where
 * each {@code v1} is HMAC-SHA256 with the endpoint secret over {@code "<t>.<raw body>"}. A signature
 * is valid when one {@code v1} matches (compared in constant time) and {@code t} lies within the
 * tolerance of now, which stops replays of old deliveries.
 */
public final class StripeSignature {

    private StripeSignature() {
    }

    /** Why a signature was refused, or null when it is valid. */
    public static String verify(String header, byte[] body, String secret, long toleranceSeconds, long nowSeconds) {
        if (header == null || header.isBlank() || header.length() > 2048) {
            return "missing or malformed Stripe-Signature header";
        }
        Long timestamp = null;
        List<String> signatures = new ArrayList<>();
        for (String part : header.split(",")) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String key = part.substring(0, eq).trim();
            String value = part.substring(eq + 1).trim();
            if ("t".equals(key)) {
                try {
                    timestamp = Long.parseLong(value);
                } catch (NumberFormatException e) {
                    return "malformed timestamp in Stripe-Signature";
                }
            } else if ("v1".equals(key)) {
                signatures.add(value);
            }
        }
        if (timestamp == null || signatures.isEmpty()) {
            return "Stripe-Signature lacks t= or v1=";
        }
        if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) {
            return "Stripe-Signature timestamp outside the tolerance window";
        }
        byte[] expected = sign(secret, timestamp, body).getBytes(StandardCharsets.US_ASCII);
        for (String candidate : signatures) {
            if (MessageDigest.isEqual(expected, candidate.getBytes(StandardCharsets.US_ASCII))) {
                return null;
            }
        }
        return "no Stripe-Signature v1 matches";
    }

    /** The hex v1 signature of {@code body} sent at {@code timestamp}. */
    public static String sign(String secret, long timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
