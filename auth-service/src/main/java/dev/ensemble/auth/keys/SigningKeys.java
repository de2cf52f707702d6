package dev.ensemble.auth.keys;

import dev.ensemble.auth.config.AuthConfig;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.lang.JoseException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.UUID;

/**
 * The RS256 key pair that signs every access token: generated on first start and kept in
 * {@code ensemble.auth.key-dir} (owner-only permissions), so tokens stay valid across restarts.
 * The public half is published as JWKS.
 */
@Startup
@ApplicationScoped
public class SigningKeys {

    private static final Logger LOG = Logger.getLogger(SigningKeys.class);
    static final String FILE = "signing-key.jwk.json";

    @Inject
    AuthConfig config;

    private RsaJsonWebKey current;

    @PostConstruct
    void load() {
        Path dir = Path.of(config.keyDir());
        Path file = dir.resolve(FILE);
        try {
            if (Files.exists(file)) {
                current = (RsaJsonWebKey) JsonWebKey.Factory.newJwk(Files.readString(file));
            } else {
                Files.createDirectories(dir);
                current = RsaJwkGenerator.generateJwk(2048);
                current.setKeyId("ens-" + UUID.randomUUID().toString().substring(0, 8));
                current.setAlgorithm("RS256");
                current.setUse("sig");
                Path tmp = Files.createTempFile(dir, "key", ".tmp");
                try {
                    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException ignored) {
                    // not a POSIX file system
                }
                Files.writeString(tmp, current.toJson(JsonWebKey.OutputControlLevel.INCLUDE_PRIVATE));
                Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                LOG.infof("generated a new signing key %s in %s", current.getKeyId(), file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write the signing key in " + dir, e);
        } catch (JoseException e) {
            throw new IllegalStateException("signing key in " + file + " is unreadable", e);
        }
    }

    public RsaJsonWebKey current() {
        return current;
    }

    /** The public keys as a JWKS document. */
    public String jwks() {
        return new JsonWebKeySet(current).toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY);
    }

    public Map<String, Object> jwksMap() {
        return Map.of("keys", java.util.List.of(current.toParams(JsonWebKey.OutputControlLevel.PUBLIC_ONLY)));
    }
}
