package dev.ensemble.gateway;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/** The proxy alone: authentication and rate limits off, as the proxy tests were written. */
public class BareProxyProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("ensemble.gateway.auth.enabled", "false", "ensemble.gateway.rate-limit.enabled", "false");
    }
}
