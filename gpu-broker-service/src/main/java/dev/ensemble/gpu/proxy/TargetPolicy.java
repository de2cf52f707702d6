package dev.ensemble.gpu.proxy;

import dev.ensemble.web.ApiException;
import dev.ensemble.web.ErrorCode;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * The proxy's SSRF rules. A request only ever goes to the stored endpoint of an instance the caller
 * owns; that endpoint must resolve to public addresses only (no loopback, link-local, private,
 * unique-local, carrier-grade NAT, multicast or unspecified) unless an operator allows loopback or
 * private targets by configuration; the path is relative and cannot name another scheme or host.
 */
public final class TargetPolicy {

    public static final String CODE = "TARGET_NOT_ALLOWED";

    private TargetPolicy() {
    }

    /** A safe relative path (with optional query), or a 400 naming {@code path}. */
    public static String checkPath(String path) {
        if (path == null || path.isEmpty()) {
            throw ApiException.badRequest("path", "is required");
        }
        if (path.length() > 2048) {
            throw ApiException.badRequest("path", "must be at most 2048 characters");
        }
        if (!path.startsWith("/") || path.startsWith("//")) {
            throw ApiException.badRequest("path", "must be a relative path starting with a single /");
        }
        for (char ch : path.toCharArray()) {
            if (ch < 0x21 || ch == 0x7f || ch == '\\' || ch == '#') {
                throw ApiException.badRequest("path", "contains a character that is not allowed");
            }
        }
        String lower = path.toLowerCase(Locale.ROOT);
        if (lower.contains("/../") || lower.endsWith("/..") || lower.contains("%2e%2e") || lower.contains("%2f")
                || lower.contains("%5c") || lower.contains("@")) {
            throw ApiException.badRequest("path", "must not escape the instance's root");
        }
        try {
            URI uri = new URI(path);
            if (uri.getScheme() != null || uri.getHost() != null || uri.getRawAuthority() != null) {
                throw ApiException.badRequest("path", "must not name a scheme or host");
            }
        } catch (java.net.URISyntaxException e) {
            throw ApiException.badRequest("path", "is not a valid path");
        }
        return path;
    }

    /** Resolves {@code host} and returns the address to connect to, or 403 when it is not allowed. */
    public static InetAddress resolve(String host, boolean allowLoopback, boolean allowPrivate) {
        InetAddress[] all;
        try {
            all = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw new ApiException(502, ErrorCode.BAD_GATEWAY, "the instance's address cannot be resolved");
        }
        for (InetAddress a : all) {
            check(a, allowLoopback, allowPrivate);
        }
        return all[0];
    }

    static void check(InetAddress a, boolean allowLoopback, boolean allowPrivate) {
        if (a.isLoopbackAddress()) {
            if (!allowLoopback) {
                throw refused();
            }
            return;
        }
        if (a.isAnyLocalAddress() || a.isMulticastAddress()) {
            throw refused();
        }
        if (!allowPrivate && isPrivate(a)) {
            throw refused();
        }
    }

    static boolean isPrivate(InetAddress a) {
        if (a.isLinkLocalAddress() || a.isSiteLocalAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            return first == 0 || (first == 100 && second >= 64 && second <= 127) // carrier-grade NAT
                    || (first == 192 && second == 0 && (b[2] & 0xff) == 0)          // IETF protocol assignments
                    || (first == 198 && (second == 18 || second == 19))             // benchmarking
                    || first >= 240;                                                // reserved, broadcast
        }
        if (a instanceof Inet6Address) {
            int first = b[0] & 0xff;
            if ((first & 0xfe) == 0xfc) {
                return true; // unique local fc00::/7
            }
            boolean mapped = true; // ::ffff:a.b.c.d carries an IPv4 address: judge that one
            for (int i = 0; i < 10; i++) {
                mapped &= b[i] == 0;
            }
            if (mapped && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
                try {
                    InetAddress v4 = InetAddress.getByAddress(new byte[]{b[12], b[13], b[14], b[15]});
                    return v4.isLoopbackAddress() || v4.isAnyLocalAddress() || isPrivate(v4);
                } catch (UnknownHostException e) {
                    return true;
                }
            }
        }
        return false;
    }

    static ApiException refused() {
        return new ApiException(403, CODE, "the instance's endpoint is not an allowed proxy target");
    }
}
