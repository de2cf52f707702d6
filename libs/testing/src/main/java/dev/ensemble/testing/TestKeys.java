package dev.ensemble.testing;

import io.smallrye.jwt.build.Jwt;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.lang.JoseException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;

/**
 * A test signing key, published as a JWKS file that services under test verify against, and
 * tokens signed with it the way auth-service signs them (RS256, issuer, subject, groups).
 */
public final class TestKeys {

    public static final String ISSUER = "https://ensemble.local/auth";
    private static RsaJsonWebKey key;
    private static Path jwksFile;

    private TestKeys() {
    }

    static synchronized Path jwksFile() {
        if (jwksFile == null) {
            try {
                key = RsaJwkGenerator.generateJwk(2048);
                key.setKeyId("test-" + UUID.randomUUID());
                key.setAlgorithm("RS256");
                key.setUse("sig");
                Path file = Files.createTempFile("ensemble-test-jwks", ".json");
                Files.writeString(file, new JsonWebKeySet(key).toJson());
                file.toFile().deleteOnExit();
                jwksFile = file;
            } catch (JoseException e) {
                throw new IllegalStateException(e);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return jwksFile;
    }

    /** An access token for a user with the role {@code user}. */
    public static String user(UUID userId) {
        return token(userId, Set.of("user"), Duration.ofMinutes(15));
    }

    /** An access token for an admin. */
    public static String admin(UUID userId) {
        return token(userId, Set.of("user", "admin"), Duration.ofMinutes(15));
    }

    public static String token(UUID userId, Set<String> groups, Duration lifetime) {
        jwksFile();
        return Jwt.issuer(ISSUER)
                .subject(userId.toString())
                .upn(userId.toString())
                .groups(groups)
                .expiresIn(lifetime)
                .jws().keyId(key.getKeyId()).algorithm(io.smallrye.jwt.algorithm.SignatureAlgorithm.RS256)
                .sign(key.getPrivateKey());
    }
}
