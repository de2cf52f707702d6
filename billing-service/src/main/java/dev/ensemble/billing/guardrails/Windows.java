package dev.ensemble.billing.guardrails;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Set;

/**
 * Period arithmetic of spending windows. {@code hourly}, {@code daily} and {@code monthly} are
 * calendar periods in UTC (the hour, day or month that contains now); {@code custom} windows are
 * consecutive periods of their duration, anchored at the window's creation or last reset. A
 * window's spend starts again from zero when a new period begins (tumbling, not rolling).
 */
public final class Windows {

    public static final String HOURLY = "hourly";
    public static final String DAILY = "daily";
    public static final String MONTHLY = "monthly";
    public static final String CUSTOM = "custom";
    public static final Set<String> CALENDAR = Set.of(HOURLY, DAILY, MONTHLY);

    private Windows() {
    }

    public static Instant periodStart(String kind, Long durationSeconds, Instant anchor, Instant now) {
        ZonedDateTime t = now.atZone(ZoneOffset.UTC);
        return switch (kind) {
            case HOURLY -> t.truncatedTo(ChronoUnit.HOURS).toInstant();
            case DAILY -> t.truncatedTo(ChronoUnit.DAYS).toInstant();
            case MONTHLY -> t.truncatedTo(ChronoUnit.DAYS).withDayOfMonth(1).toInstant();
            default -> {
                long period = durationSeconds * 1000L;
                long elapsed = now.toEpochMilli() - anchor.toEpochMilli();
                yield elapsed < 0 ? anchor : anchor.plusMillis(elapsed / period * period);
            }
        };
    }

    public static Instant periodEnd(String kind, Long durationSeconds, Instant periodStart) {
        ZonedDateTime t = periodStart.atZone(ZoneOffset.UTC);
        return switch (kind) {
            case HOURLY -> t.plusHours(1).toInstant();
            case DAILY -> t.plusDays(1).toInstant();
            case MONTHLY -> t.plusMonths(1).toInstant();
            default -> periodStart.plusSeconds(durationSeconds);
        };
    }

    /** Windows are reported from the shortest period to the longest. */
    public static long order(String kind, Long durationSeconds) {
        return switch (kind) {
            case HOURLY -> 3_600;
            case DAILY -> 86_400;
            case MONTHLY -> 2_678_400;
            default -> durationSeconds == null ? Long.MAX_VALUE : durationSeconds;
        };
    }
}
