package dev.ensemble.gateway.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ensemble.gateway.config.GatewayConfig;
import io.vertx.core.Future;
import jakarta.annotation.PostConstruct;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Verifies access tokens at the edge: RS256 only (no {@code none}, no HS*, so the public key can
 * never serve as an HMAC secret), a signature by a key of auth-service's JWKS (fetched again when
 * a token names an unknown kid), {@code exp} required, {@code nbf} honoured, and the configured
 * issuer. A verified token is remembered until it expires, so a client that sends the same token
 * on every request pays for the RSA check once.
 */
@Singleton
public class JwtVerifier {

    private static final int CACHE_MAX = 20_000;
    private static final ThreadLocal<Signature> RS256 = ThreadLocal.withInitial(() -> {
        try {
            return Signature.getInstance("SHA256withRSA");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    });

    @Inject
    JwksKeys keys;

    @Inject
    GatewayConfig config;

    @Inject
    ObjectMapper json;

    private final ConcurrentHashMap<String, Principal> verified = new ConcurrentHashMap<>();
    private String issuer;
    private long skewMillis;

    @PostConstruct
    void init() {
        issuer = config.auth().issuer();
        skewMillis = config.auth().clockSkew().toMillis();
    }

    /** The principal of {@code token}, or a failed future with an {@link AuthFailure}. */
    public Future<Principal> verify(String token) {
        Principal cached = verified.get(token);
        long now = System.currentTimeMillis();
        if (cached != null) {
            if (cached.expiresAtMillis() + skewMillis > now) {
                return Future.succeededFuture(cached);
            }
            verified.remove(token);
        }
        Parsed parsed;
        try {
            parsed = parse(token);
        } catch (AuthFailure e) {
            return Future.failedFuture(e);
        }
        PublicKey key = parsed.kid == null ? keys.onlyKey() : keys.key(parsed.kid);
        if (key != null) {
            return complete(token, parsed, key);
        }
        // Unknown kid: auth-service may have rotated its key since the last fetch.
        return keys.refreshForUnknownKid().transform(ar -> {
            PublicKey k = parsed.kid == null ? keys.onlyKey() : keys.key(parsed.kid);
            return k == null ? Future.failedFuture(AuthFailure.invalid("token is signed by an unknown key"))
                    : complete(token, parsed, k);
        });
    }

    private Future<Principal> complete(String token, Parsed parsed, PublicKey key) {
        try {
            Principal p = check(parsed, key);
            if (verified.size() >= CACHE_MAX) {
                verified.clear();
            }
            verified.put(token, p);
            return Future.succeededFuture(p);
        } catch (AuthFailure e) {
            return Future.failedFuture(e);
        }
    }

    private record Parsed(String kid, byte[] signingInput, byte[] signature, JsonNode claims) {
    }

    private Parsed parse(String token) {
        int a = token.indexOf('.');
        int b = a < 0 ? -1 : token.indexOf('.', a + 1);
        if (a <= 0 || b < 0 || token.indexOf('.', b + 1) >= 0 || token.length() > 16_384) {
            throw AuthFailure.invalid("token is not a JWS");
        }
        Base64.Decoder decoder = Base64.getUrlDecoder();
        JsonNode header;
        JsonNode claims;
        byte[] signature;
        try {
            header = json.readTree(decoder.decode(token.substring(0, a)));
            claims = json.readTree(decoder.decode(token.substring(a + 1, b)));
            signature = decoder.decode(token.substring(b + 1));
        } catch (Exception e) {
            throw AuthFailure.invalid("token is malformed");
        }
        if (header == null || !header.isObject() || claims == null || !claims.isObject()) {
            throw AuthFailure.invalid("token is malformed");
        }
        if (!"RS256".equals(header.path("alg").asText(null))) {
            throw AuthFailure.invalid("token algorithm is not accepted");
        }
        if (signature.length == 0) {
            throw AuthFailure.invalid("token is not signed");
        }
        String kid = header.hasNonNull("kid") ? header.get("kid").asText() : null;
        return new Parsed(kid, token.substring(0, b).getBytes(StandardCharsets.US_ASCII), signature, claims);
    }

    private Principal check(Parsed parsed, PublicKey key) {
        try {
            Signature sig = RS256.get();
            sig.initVerify(key);
            sig.update(parsed.signingInput);
            if (!sig.verify(parsed.signature)) {
                throw AuthFailure.invalid("token signature is invalid");
            }
        } catch (GeneralSecurityException e) {
            throw AuthFailure.invalid("token signature is invalid");
        }
        JsonNode c = parsed.claims;
        long now = System.currentTimeMillis();
        if (!c.path("exp").isNumber()) {
            throw AuthFailure.invalid("token has no expiry");
        }
        long exp = c.path("exp").asLong() * 1000;
        if (exp + skewMillis <= now) {
            throw new AuthFailure(401, "TOKEN_EXPIRED", "token has expired");
        }
        if (c.path("nbf").isNumber() && c.path("nbf").asLong() * 1000 - skewMillis > now) {
            throw AuthFailure.invalid("token is not valid yet");
        }
        if (!issuer.equals(c.path("iss").asText(null))) {
            throw AuthFailure.invalid("token issuer is not accepted");
        }
        String sub = c.path("sub").asText(null);
        if (sub == null || sub.isBlank()) {
            throw AuthFailure.invalid("token has no subject");
        }
        boolean admin = false;
        for (JsonNode g : c.path("groups")) {
            if ("admin".equals(g.asText())) {
                admin = true;
            }
        }
        String plan = c.path("plan").asText(null);
        String keyId = c.path("api_key_id").asText(null);
        return new Principal(sub, admin, plan, keyId != null ? "k:" + keyId : "u:" + sub, null, keyId != null, exp);
    }
}
