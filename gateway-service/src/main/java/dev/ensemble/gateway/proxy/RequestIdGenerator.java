package dev.ensemble.gateway.proxy;

import java.util.concurrent.ThreadLocalRandom;

/**
 * New request ids in the format of {@link dev.ensemble.web.RequestIds#generate()}
 * ({@code req_} and 32 hex digits), made without {@code SecureRandom}: an id only has to be unique
 * enough to find a request in the logs, and the gateway makes one for nearly every request it proxies.
 */
final class RequestIdGenerator {

    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private RequestIdGenerator() {
    }

    static String next() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = random.nextLong();
        long low = random.nextLong();
        byte[] id = new byte[36];
        id[0] = 'r';
        id[1] = 'e';
        id[2] = 'q';
        id[3] = '_';
        for (int i = 0; i < 16; i++) {
            id[4 + i] = HEX[(int) (high >>> (60 - 4 * i)) & 0xf];
            id[20 + i] = HEX[(int) (low >>> (60 - 4 * i)) & 0xf];
        }
        return new String(id, java.nio.charset.StandardCharsets.US_ASCII);
    }
}
