package dev.ensemble.billing;

import dev.ensemble.billing.guardrails.Windows;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Window boundaries: calendar periods in UTC, custom periods anchored at creation. */
class WindowsTest {

    static Instant t(String s) {
        return Instant.parse(s);
    }

    @Test
    void calendarWindowsStartAtTheUtcHourDayAndMonth() {
        Instant now = t("2026-03-31T23:59:59.999Z");
        assertEquals(t("2026-03-31T23:00:00Z"), Windows.periodStart("hourly", null, now, now));
        assertEquals(t("2026-03-31T00:00:00Z"), Windows.periodStart("daily", null, now, now));
        assertEquals(t("2026-03-01T00:00:00Z"), Windows.periodStart("monthly", null, now, now));
        Instant next = t("2026-04-01T00:00:00Z");
        assertEquals(next, Windows.periodStart("hourly", null, next, next));
        assertEquals(next, Windows.periodStart("daily", null, next, next));
        assertEquals(next, Windows.periodStart("monthly", null, next, next));
    }

    @Test
    void periodsEndWhereTheNextBegins() {
        assertEquals(t("2026-02-01T00:00:00Z"), Windows.periodEnd("monthly", null, t("2026-01-01T00:00:00Z")));
        assertEquals(t("2026-03-01T00:00:00Z"), Windows.periodEnd("monthly", null, t("2026-02-01T00:00:00Z")));
        assertEquals(t("2028-03-01T00:00:00Z"), Windows.periodEnd("monthly", null, t("2028-02-01T00:00:00Z")));
        assertEquals(t("2027-01-01T00:00:00Z"), Windows.periodEnd("daily", null, t("2026-12-31T00:00:00Z")));
        assertEquals(t("2026-01-01T01:00:00Z"), Windows.periodEnd("hourly", null, t("2026-01-01T00:00:00Z")));
    }

    @Test
    void customWindowsAreConsecutivePeriodsFromTheirAnchor() {
        Instant anchor = t("2026-01-01T10:00:07Z");
        assertEquals(anchor, Windows.periodStart("custom", 600L, anchor, anchor));
        assertEquals(anchor, Windows.periodStart("custom", 600L, anchor, t("2026-01-01T10:10:06.999Z")));
        assertEquals(t("2026-01-01T10:10:07Z"), Windows.periodStart("custom", 600L, anchor, t("2026-01-01T10:10:07Z")));
        assertEquals(t("2026-01-02T10:00:07Z"), Windows.periodStart("custom", 600L, anchor, t("2026-01-02T10:05:00Z")));
        assertEquals(t("2026-01-01T10:10:07Z"), Windows.periodEnd("custom", 600L, anchor));
        // a clock that stepped back never yields a period before the anchor
        assertEquals(anchor, Windows.periodStart("custom", 600L, anchor, t("2026-01-01T09:00:00Z")));
    }
}
