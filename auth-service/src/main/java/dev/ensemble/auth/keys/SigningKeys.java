package dev.ensemble.auth.keys;

import dev.ensemble.auth.config.AuthConfig;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.lang.JoseException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The RS256 key pairs that sign access tokens: the current one, generated on first start and kept
 * in {@code ensemble.auth.key-dir} (owner-only permissions) so tokens stay valid across restarts,
 * and the keys retired by {@link #rotate()}, whose public halves stay published in the JWKS until
 * every token they signed has expired (access-token lifetime plus a margin).
 */
@Startup
@ApplicationScoped
public class SigningKeys {

    private static final Logger LOG = Logger.getLogger(SigningKeys.class);
    static final String FILE = "signing-key.jwk.json";
    static final String RETIRED_PREFIX = "retired-";

    @Inject
    AuthConfig config;

    private volatile RsaJsonWebKey current;
    private volatile List<Retired> retired = List.of();
    private volatile long version;

    /** A retired public key and when it was retired. */
    public record Retired(PublicJsonWebKey key, Instant retiredAt) {
    }

    @PostConstruct
    void load() {
        Path dir = Path.of(config.keyDir());
        Path file = dir.resolve(FILE);
        try {
            if (Files.exists(file)) {
                current = (RsaJsonWebKey) JsonWebKey.Factory.newJwk(Files.readString(file));
            } else {
                Files.createDirectories(dir);
                current = generate();
                writePrivate(dir, file, current);
                LOG.infof("generated a new signing key %s in %s", current.getKeyId(), file);
            }
            retired = loadRetired(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write the signing key in " + dir, e);
        } catch (JoseException e) {
            throw new IllegalStateException("signing key in " + file + " is unreadable", e);
        }
    }

    public RsaJsonWebKey current() {
        return current;
    }

    /** Changes whenever the published keys change (rotation). */
    public long version() {
        return version;
    }

    /**
     * Makes a new current key. The old one signs nothing more but stays in the JWKS until the
     * tokens it signed have expired, so nobody is logged out by a rotation.
     */
    public synchronized RsaJsonWebKey rotate() {
        Path dir = Path.of(config.keyDir());
        try {
            RsaJsonWebKey next = generate();
            Instant now = Instant.now();
            RsaJsonWebKey old = current;
            Path retiredFile = dir.resolve(RETIRED_PREFIX + now.getEpochSecond() + "-" + old.getKeyId() + ".jwk.json");
            Files.writeString(retiredFile, old.toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY));
            writePrivate(dir, dir.resolve(FILE), next);
            List<Retired> list = new ArrayList<>(live(retired, now));
            list.add(new Retired((PublicJsonWebKey) JsonWebKey.Factory.newJwk(
                    old.toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY)), now));
            retired = List.copyOf(list);
            current = next;
            version++;
            LOG.infof("rotated the signing key: %s replaces %s", next.getKeyId(), old.getKeyId());
            return next;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the signing key in " + dir, e);
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The retired keys still published. */
    public List<Retired> retired() {
        return live(retired, Instant.now());
    }

    /** The public keys as a JWKS document: the current key first, then the retired ones still needed. */
    public String jwks() {
        List<JsonWebKey> keys = new ArrayList<>();
        keys.add(current);
        retired().forEach(r -> keys.add(r.key()));
        return new JsonWebKeySet(keys).toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY);
    }

    public Map<String, Object> jwksMap() {
        List<Map<String, Object>> keys = new ArrayList<>();
        keys.add(current.toParams(JsonWebKey.OutputControlLevel.PUBLIC_ONLY));
        retired().forEach(r -> keys.add(r.key().toParams(JsonWebKey.OutputControlLevel.PUBLIC_ONLY)));
        return Map.of("keys", keys);
    }

    private List<Retired> live(List<Retired> list, Instant now) {
        Instant cutoff = now.minus(config.accessTokenTtl()).minusSeconds(300);
        return list.stream().filter(r -> r.retiredAt().isAfter(cutoff)).toList();
    }

    private List<Retired> loadRetired(Path dir) throws IOException {
        List<Retired> list = new ArrayList<>();
        Instant cutoff = Instant.now().minus(config.accessTokenTtl()).minusSeconds(300);
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith(RETIRED_PREFIX)).toList()) {
                String name = f.getFileName().toString();
                try {
                    long epoch = Long.parseLong(name.substring(RETIRED_PREFIX.length(), name.indexOf('-', RETIRED_PREFIX.length())));
                    Instant at = Instant.ofEpochSecond(epoch);
                    if (at.isBefore(cutoff)) {
                        Files.deleteIfExists(f);
                        continue;
                    }
                    list.add(new Retired((PublicJsonWebKey) JsonWebKey.Factory.newJwk(Files.readString(f)), at));
                } catch (RuntimeException | JoseException e) {
                    LOG.warnf("ignoring unreadable retired key %s: %s", f, e.getMessage());
                }
            }
        }
        return List.copyOf(list);
    }

    private static RsaJsonWebKey generate() throws JoseException {
        RsaJsonWebKey key = RsaJwkGenerator.generateJwk(2048);
        key.setKeyId("ens-" + UUID.randomUUID().toString().substring(0, 8));
        key.setAlgorithm("RS256");
        key.setUse("sig");
        return key;
    }

    private static void writePrivate(Path dir, Path file, RsaJsonWebKey key) throws IOException {
        Path tmp = Files.createTempFile(dir, "key", ".tmp");
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system
        }
        Files.writeString(tmp, key.toJson(JsonWebKey.OutputControlLevel.INCLUDE_PRIVATE));
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
