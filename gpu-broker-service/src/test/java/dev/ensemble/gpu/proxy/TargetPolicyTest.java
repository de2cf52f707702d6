package dev.ensemble.gpu.proxy;

import dev.ensemble.web.ApiException;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TargetPolicyTest {

    static void refused(String address, boolean loopback, boolean priv) {
        ApiException e = assertThrows(ApiException.class,
                () -> TargetPolicy.check(InetAddress.getByName(address), loopback, priv), address);
        assertEquals(403, e.status());
        assertEquals(TargetPolicy.CODE, e.code());
    }

    static void allowed(String address, boolean loopback, boolean priv) {
        assertDoesNotThrow(() -> TargetPolicy.check(InetAddress.getByName(address), loopback, priv), address);
    }

    @Test
    void refusesLoopbackPrivateLinkLocalAndSpecialRanges() {
        for (String a : new String[]{"127.0.0.1", "127.8.9.10", "::1", "10.0.0.5", "172.16.3.4", "192.168.1.1",
                "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1", "fd00::1", "fe80::1", "::ffff:10.0.0.1",
                "::ffff:127.0.0.1", "255.255.255.255"}) {
            refused(a, false, false);
        }
        allowed("8.8.8.8", false, false);
        allowed("2001:4860:4860::8888", false, false);
    }

    @Test
    void operatorsMayAllowLoopbackOrPrivateTargets() {
        allowed("127.0.0.1", true, false);
        refused("10.0.0.5", true, false);
        allowed("10.0.0.5", false, true);
        refused("127.0.0.1", false, true);
        refused("0.0.0.0", true, true);
    }

    @Test
    void pathsStayRelative() {
        assertEquals("/v1/inference?x=1", TargetPolicy.checkPath("/v1/inference?x=1"));
        for (String p : new String[]{"http://evil", "//evil/x", "evil", "/a/../../b", "/..", "/%2e%2e/x", "/a%2fb",
                "/a\\b", "/a#b", "/a b", "/a\r\nHost: x", "/u@h", "/" + "a".repeat(3000)}) {
            assertThrows(ApiException.class, () -> TargetPolicy.checkPath(p), p);
        }
    }
}
