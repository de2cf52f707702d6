package dev.ensemble.k8s;

import java.math.BigInteger;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateCrtKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.security.SecureRandom;

/**
 * Prints a new RS256 signing key for auth-service as a JWK with its private part, in the form
 * auth-service keeps in {@code signing-key.jwk.json} (kid {@code ens-xxxxxxxx}, use {@code sig}).
 * It needs nothing but a JDK, so an operator runs it straight from the source file:
 *
 * <pre>
 * java k8s/src/main/java/dev/ensemble/k8s/GenerateSigningKey.java &gt; signing-key.jwk.json
 * kubectl -n ensemble create secret generic ensemble-auth-signing-key --from-file=signing-key.jwk.json
 * </pre>
 */
public final class GenerateSigningKey {

    private GenerateSigningKey() {
    }

    public static void main(String[] args) throws NoSuchAlgorithmException {
        System.out.println(generate(args.length > 0 ? Integer.parseInt(args[0]) : 2048));
    }

    /** A fresh RSA key pair of {@code bits} bits as a private JWK (JSON text). */
    public static String generate(int bits) throws NoSuchAlgorithmException {
        if (bits < 2048) {
            throw new IllegalArgumentException("RS256 keys have at least 2048 bits");
        }
        SecureRandom random = new SecureRandom();
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(bits, random);
        RSAPrivateCrtKey key = (RSAPrivateCrtKey) generator.generateKeyPair().getPrivate();
        byte[] id = new byte[4];
        random.nextBytes(id);
        return "{\"kty\":\"RSA\""
                + ",\"kid\":\"ens-" + HexFormat.of().formatHex(id) + "\""
                + ",\"use\":\"sig\",\"alg\":\"RS256\""
                + member("n", key.getModulus())
                + member("e", key.getPublicExponent())
                + member("d", key.getPrivateExponent())
                + member("p", key.getPrimeP())
                + member("q", key.getPrimeQ())
                + member("dp", key.getPrimeExponentP())
                + member("dq", key.getPrimeExponentQ())
                + member("qi", key.getCrtCoefficient())
                + "}";
    }

    /** RFC 7518 6.3: base64url (no padding) of the unsigned big-endian value, without leading zeros. */
    private static String member(String name, BigInteger value) {
        byte[] bytes = value.toByteArray();
        if (bytes.length > 1 && bytes[0] == 0) {
            bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
        }
        return ",\"" + name + "\":\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes) + "\"";
    }
}
