package dev.ensemble.gateway;

import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;

/** A body of {@code size} pseudo-random bytes made on demand: never held in memory, digested as read. */
final class PatternStream extends InputStream {

    private final long size;
    private final AtomicLong produced = new AtomicLong();
    private final MessageDigest sha;
    private long state = 0x9E3779B97F4A7C15L;

    PatternStream(long size) {
        this.size = size;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        long left = size - produced.get();
        if (left <= 0) {
            return -1;
        }
        int n = (int) Math.min(len, left);
        for (int i = 0; i < n; i++) {
            state ^= state << 13;
            state ^= state >>> 7;
            state ^= state << 17;
            b[off + i] = (byte) state;
        }
        sha.update(b, off, n);
        produced.addAndGet(n);
        return n;
    }

    /** Bytes handed to the sender so far. */
    long produced() {
        return produced.get();
    }

    /** The digest of everything produced (call once, at the end). */
    String sha256() {
        return HexFormat.of().formatHex(sha.digest());
    }
}
