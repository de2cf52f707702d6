package dev.ensemble.gateway;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.List;
import java.util.Map;

/** The edge with authentication on, small rate-limit plans and windows, CORS and HSTS configured. */
public class EdgeProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.ofEntries(
                Map.entry("ensemble.gateway.auth.api-key-cache-ttl", "1s"),
                Map.entry("ensemble.gateway.auth.api-key-negative-ttl", "1s"),
                Map.entry("ensemble.gateway.auth.jwks-min-refresh", "0s"),
                Map.entry("ensemble.gateway.rate-limit.plans.tiny.limit", "3"),
                Map.entry("ensemble.gateway.rate-limit.plans.tiny.window", "2s"),
                Map.entry("ensemble.gateway.rate-limit.plans.tiny.per-minute", "6000"),
                Map.entry("ensemble.gateway.rate-limit.plans.tiny.burst", "100"),
                Map.entry("ensemble.gateway.rate-limit.plans.bursty.limit", "1000"),
                Map.entry("ensemble.gateway.rate-limit.plans.bursty.per-minute", "6"),
                Map.entry("ensemble.gateway.rate-limit.plans.bursty.burst", "2"),
                Map.entry("ensemble.gateway.dialects.\"/api/v2/billing-test\".canonical", "/api/v1/billing"),
                Map.entry("ensemble.gateway.dialects.\"/api/v2/billing-test\".dialect", "aisemble"),
                Map.entry("ensemble.gateway.cors.origins", "https://app.example.com"),
                Map.entry("ensemble.gateway.security-headers.hsts-max-age", "365d"));
    }

    /** The stub JWKS and API-key resolver ({@link EdgeStub}), for this profile's application only. */
    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(EdgeStub.class));
    }
}
