package dev.ensemble.auth.keys;

import dev.ensemble.auth.config.AuthConfig;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;
import org.eclipse.microprofile.jwt.JsonWebToken;

import javax.crypto.SecretKey;
import java.security.PrivateKey;
import java.security.PublicKey;

/**
 * auth-service verifies tokens against its own keys directly instead of fetching its own JWKS
 * over HTTP, which every other service does. The parser is rebuilt when the keys rotate, so the
 * new key verifies at once and the retired ones keep verifying until their tokens expire.
 */
public class OwnKeyVerification {

    @Produces
    @Alternative
    @Priority(1)
    @ApplicationScoped
    JWTAuthContextInfo contextInfo(SigningKeys keys, AuthConfig config) {
        return info(keys, config);
    }

    @Produces
    @Alternative
    @Priority(1)
    @ApplicationScoped
    JWTParser parser(SigningKeys keys, AuthConfig config) {
        return new RotatingParser(keys, config);
    }

    static JWTAuthContextInfo info(SigningKeys keys, AuthConfig config) {
        JWTAuthContextInfo info = new JWTAuthContextInfo();
        info.setPublicKeyContent(keys.jwks());
        info.setIssuedBy(config.issuer());
        return info;
    }

    /** Delegates to a parser over the keys of the current rotation. */
    static final class RotatingParser implements JWTParser {
        private final SigningKeys keys;
        private final AuthConfig config;
        private volatile long version = -1;
        private volatile DefaultJWTParser delegate;

        RotatingParser(SigningKeys keys, AuthConfig config) {
            this.keys = keys;
            this.config = config;
        }

        private JWTParser parser() {
            long v = keys.version();
            DefaultJWTParser d = delegate;
            if (d == null || v != version) {
                synchronized (this) {
                    if (delegate == null || v != version) {
                        delegate = new DefaultJWTParser(info(keys, config));
                        version = v;
                    }
                    d = delegate;
                }
            }
            return d;
        }

        @Override
        public JsonWebToken parse(String token) throws ParseException {
            return parser().parse(token);
        }

        @Override
        public JsonWebToken parse(String token, JWTAuthContextInfo context) throws ParseException {
            return parser().parse(token, context);
        }

        @Override
        public JsonWebToken verify(String token, PublicKey key) throws ParseException {
            return parser().verify(token, key);
        }

        @Override
        public JsonWebToken verify(String token, SecretKey key) throws ParseException {
            return parser().verify(token, key);
        }

        @Override
        public JsonWebToken verify(String token, String secret) throws ParseException {
            return parser().verify(token, secret);
        }

        @Override
        public JsonWebToken decrypt(String token, PrivateKey key) throws ParseException {
            return parser().decrypt(token, key);
        }

        @Override
        public JsonWebToken decrypt(String token, SecretKey key) throws ParseException {
            return parser().decrypt(token, key);
        }

        @Override
        public JsonWebToken decrypt(String token, String secret) throws ParseException {
            return parser().decrypt(token, secret);
        }

        @Override
        public JsonWebToken parseOnly(String token) throws ParseException {
            return parser().parseOnly(token);
        }
    }
}
