package dev.ensemble.gateway.health;

import java.util.Map;

/** {@code GET /readiness} (AI Orchestra): whether the gateway takes requests, and why. */
public record Readiness(boolean ready, Map<String, Boolean> checks) {
}
