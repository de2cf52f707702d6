package dev.ensemble.gateway.auth;

/**
 * Who a request comes from, as the edge established it. {@code forwardToken} is the JWT the
 * services receive: the caller's own token, or the short-lived one auth-service minted for an
 * API key. {@code limitKey} is what the rate limiter counts ({@code u:<user>} or {@code k:<key id>}).
 */
public record Principal(String userId, boolean admin, String plan, String limitKey, String forwardToken,
                        boolean viaApiKey, long expiresAtMillis) {
}
