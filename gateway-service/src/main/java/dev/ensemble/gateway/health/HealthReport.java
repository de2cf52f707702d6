package dev.ensemble.gateway.health;

import java.time.Instant;
import java.util.Map;

/**
 * The gateway's {@code GET /health} body: one answer that holds the fields of every seed's health
 * document (Ai-semble {@code services}, AI Orchestra {@code components}, AIServe.Farm
 * {@code checks}, AI Job Queue {@code status/timestamp/version}).
 */
public record HealthReport(
        String status,
        Instant timestamp,
        String version,
        long uptime,
        Map<String, ServiceHealth> services,
        Map<String, String> components,
        Map<String, Check> checks) {

    public static final String HEALTHY = "healthy";
    public static final String DEGRADED = "degraded";
    public static final String UNHEALTHY = "unhealthy";

    /** One service as the gateway sees it: response time in seconds, uptime in seconds (null: unknown). */
    public record ServiceHealth(String status, double responseTime, Long uptime) {
    }

    /** One dependency check; {@code error} says briefly why it failed. */
    public record Check(boolean healthy, long responseTimeMs, String error) {
    }

    public boolean servesTraffic() {
        return !UNHEALTHY.equals(status);
    }
}
