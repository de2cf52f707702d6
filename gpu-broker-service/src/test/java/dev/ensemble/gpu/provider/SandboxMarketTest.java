package dev.ensemble.gpu.provider;

import dev.ensemble.web.ApiException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

class SandboxMarketTest {

    @Test
    void sameSeedSameMarket() {
        SandboxMarket one = new SandboxMarket(7, 0.2, Duration.ofSeconds(5), 10, 0.3);
        SandboxMarket two = new SandboxMarket(7, 0.2, Duration.ofSeconds(5), 10, 0.3);
        for (int i = 0; i < 5; i++) {
            assertEquals(one.offers(), two.offers());
        }
    }

    @Test
    void offersComeAndGo() {
        SandboxMarket m = new SandboxMarket(1, 0, Duration.ZERO, 10, 0.3);
        Set<String> first = m.offers().stream().map(GpuOffer::id).collect(Collectors.toSet());
        Set<String> second = m.offers().stream().map(GpuOffer::id).collect(Collectors.toSet());
        assertEquals(10, second.size());
        assertNotEquals(first, second);
        assertTrue(second.stream().anyMatch(first::contains));
        assertTrue(m.offers().stream().allMatch(o -> o.provider().equals("sandbox") && o.pricePerHour().signum() > 0));
    }

    @Test
    void provisioningTakesTimeAndRentedOffersAreGone() {
        SandboxMarket m = new SandboxMarket(3, 0, Duration.ofSeconds(30), 5, 0);
        GpuOffer offer = m.offers().get(0);
        Instant now = Instant.parse("2026-01-13T12:00:00Z");
        Provisioned p = m.create(offer.id(), "ensemble-x", now);
        assertEquals("provisioning", p.status());
        assertEquals("provisioning", m.instances(now.plusSeconds(10)).get(0).status());
        assertEquals("running", m.instances(now.plusSeconds(31)).get(0).status());
        assertThrows(OfferGoneException.class, () -> m.create(offer.id(), "ensemble-y", now));
        m.destroy(p.providerInstanceId());
        assertTrue(m.instances(now).isEmpty());
    }

    @Test
    void failuresSometimesLeaveABillableInstanceBehind() {
        SandboxMarket m = new SandboxMarket(11, 1.0, Duration.ZERO, 40, 0);
        List<GpuOffer> offers = m.offers();
        int failures = 0;
        for (GpuOffer o : offers) {
            ApiException e = assertThrows(ApiException.class, () -> m.create(o.id(), "ensemble-" + o.id(), Instant.now()));
            assertEquals(502, e.status());
            failures++;
        }
        int leftBehind = m.instances(Instant.now()).size();
        assertEquals(40, failures);
        assertTrue(leftBehind > 5 && leftBehind < 35, "some, not all, failed creates leave an instance: " + leftBehind);
    }
}
