package dev.ensemble.k8s;

import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The key the operator puts into the Secret ensemble-auth-signing-key is one auth-service can load and sign with. */
class GenerateSigningKeyTest {

    @Test
    void generatesAPrivateRs256JwkThatSignsAndVerifies() throws Exception {
        String json = GenerateSigningKey.generate(2048);
        RsaJsonWebKey jwk = (RsaJsonWebKey) JsonWebKey.Factory.newJwk(json);
        assertNotNull(jwk.getPrivateKey());
        assertEquals(2048, jwk.getRsaPublicKey().getModulus().bitLength());
        assertEquals("RS256", jwk.getAlgorithm());
        assertEquals("sig", jwk.getUse());
        assertTrue(jwk.getKeyId().matches("ens-[0-9a-f]{8}"), jwk.getKeyId());

        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload("{\"sub\":\"x\"}");
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        jws.setKey(jwk.getPrivateKey());
        String compact = jws.getCompactSerialization();

        JsonWebSignature verify = new JsonWebSignature();
        verify.setCompactSerialization(compact);
        verify.setKey(jwk.getPublicKey());
        assertTrue(verify.verifySignature());

        assertNotEquals(json, GenerateSigningKey.generate(2048));
        assertThrows(IllegalArgumentException.class, () -> GenerateSigningKey.generate(1024));
    }
}
