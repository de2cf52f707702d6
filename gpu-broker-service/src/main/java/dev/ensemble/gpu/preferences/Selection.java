package dev.ensemble.gpu.preferences;

import dev.ensemble.gpu.provider.GpuOffer;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Comparator;
import java.util.List;

/**
 * Scores offers against a user's preferences (0..100): offers outside the preferences (vendor,
 * tier, memory, price) are left out; the rest are ranked by performance (tier and memory per GPU),
 * cost (price against the user's ceiling) and reliability, weighted by the user's priority.
 */
public final class Selection {

    public record Scored(GpuOffer offer, double score) {
    }

    private Selection() {
    }

    public static boolean fits(PreferenceService.Preferences p, GpuOffer o) {
        return o.available()
                && (p.preferredVendors().isEmpty() || p.preferredVendors().stream().anyMatch(v -> v.equalsIgnoreCase(o.vendor())))
                && (p.preferredTiers().isEmpty() || p.preferredTiers().contains(o.tier()))
                && o.vramGb() >= p.minVram()
                && o.pricePerHour().compareTo(p.maxPricePerHour()) <= 0;
    }

    public static double score(PreferenceService.Preferences p, GpuOffer o) {
        double tier = switch (o.tier()) {
            case "high-end" -> 1.0;
            case "mid-range" -> 0.6;
            default -> 0.3;
        };
        double performance = 0.6 * tier + 0.4 * Math.min(1.0, o.vramGb() / 80.0);
        double ceiling = p.maxPricePerHour().signum() > 0 ? p.maxPricePerHour().doubleValue() : 1.0;
        double cost = Math.max(0, 1.0 - o.pricePerHour().doubleValue() / Math.max(ceiling, 0.0001));
        double reliability = Math.max(0, Math.min(1, o.reliability()));
        double[] w = switch (p.priority()) {
            case "performance" -> new double[]{0.7, 0.2, 0.1};
            case "cost" -> new double[]{0.2, 0.7, 0.1};
            default -> new double[]{0.45, 0.45, 0.1};
        };
        double s = 100 * (w[0] * performance + w[1] * cost + w[2] * reliability);
        return BigDecimal.valueOf(s).setScale(1, RoundingMode.HALF_UP).doubleValue();
    }

    /** The offers that fit, best first (ties: cheaper, then provider and id for a stable order). */
    public static List<Scored> rank(PreferenceService.Preferences p, List<GpuOffer> offers) {
        return offers.stream().filter(o -> fits(p, o)).map(o -> new Scored(o, score(p, o)))
                .sorted(Comparator.comparingDouble(Scored::score).reversed()
                        .thenComparing(s -> s.offer().pricePerHour())
                        .thenComparing(s -> s.offer().provider())
                        .thenComparing(s -> s.offer().id()))
                .toList();
    }
}
