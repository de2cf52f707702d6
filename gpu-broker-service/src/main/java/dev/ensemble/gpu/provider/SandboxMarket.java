package dev.ensemble.gpu.provider;

import dev.ensemble.web.ApiException;
import dev.ensemble.web.ErrorCode;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * SANDBOX: a simulated GPU marketplace, so the API can be tried without credentials. Offers come
 * and go each time the market is looked at, creates take a while and sometimes fail (and, like real
 * marketplaces, a failed create sometimes leaves an instance behind that reconciliation must
 * destroy). With a fixed seed everything is reproducible. Nothing here is ever rented.
 */
public final class SandboxMarket {

    private static final String[] LOCATIONS = {"US-WEST", "US-EAST", "EU-CENTRAL", "EU-NORTH", "ASIA-EAST"};

    private final Random random;
    private final double failureRate;
    private final Duration provisioningDelay;
    private final int offerCount;
    private final double churn;
    private final Map<String, GpuOffer> offers = new LinkedHashMap<>();
    private final Map<String, SandboxInstance> instances = new LinkedHashMap<>();
    private long nextOffer = 1;
    private long nextInstance = 1;

    private record SandboxInstance(String id, String label, Instant readyAt) {
    }

    public SandboxMarket(long seed, double failureRate, Duration provisioningDelay, int offerCount, double churn) {
        this.random = new Random(seed);
        this.failureRate = failureRate;
        this.provisioningDelay = provisioningDelay;
        this.offerCount = Math.max(1, offerCount);
        this.churn = Math.max(0, Math.min(1, churn));
        refill();
    }

    /** The market now: some offers were taken by others, new ones appeared. */
    public synchronized List<GpuOffer> offers() {
        int leaving = (int) Math.floor(offers.size() * churn);
        List<String> ids = new ArrayList<>(offers.keySet());
        for (int i = 0; i < leaving && !ids.isEmpty(); i++) {
            offers.remove(ids.remove(random.nextInt(ids.size())));
        }
        refill();
        return List.copyOf(offers.values());
    }

    private void refill() {
        while (offers.size() < offerCount) {
            GpuCatalog.Model m = GpuCatalog.MODELS.get(random.nextInt(GpuCatalog.MODELS.size()));
            int count = 1 << random.nextInt(4);
            BigDecimal factor = BigDecimal.valueOf(0.8 + random.nextInt(41) / 100.0);
            BigDecimal price = m.typicalPrice().multiply(factor).multiply(BigDecimal.valueOf(count))
                    .setScale(4, RoundingMode.HALF_UP);
            String id = "sbx-" + (nextOffer++);
            double reliability = 0.90 + random.nextInt(100) / 1000.0;
            offers.put(id, new GpuOffer("sandbox", id, m.name(), m.vendor(), count, m.vramGb(), price,
                    LOCATIONS[random.nextInt(LOCATIONS.length)], reliability, true));
        }
    }

    /** Rents an offer; it is gone from the market afterwards. */
    public synchronized Provisioned create(String offerId, String label, Instant now) {
        if (offers.remove(offerId) == null) {
            throw new OfferGoneException("sandbox", offerId);
        }
        if (random.nextDouble() < failureRate) {
            if (random.nextBoolean()) {
                // The marketplace says it failed, yet the machine was allocated (and would bill).
                String id = "sbx-i-" + (nextInstance++);
                instances.put(id, new SandboxInstance(id, label, now.plus(provisioningDelay)));
            }
            throw new ApiException(502, ErrorCode.BAD_GATEWAY, "sandbox: simulated provisioning failure");
        }
        String id = "sbx-i-" + (nextInstance++);
        instances.put(id, new SandboxInstance(id, label, now.plus(provisioningDelay)));
        return new Provisioned(id, provisioningDelay.isZero() ? "running" : "provisioning");
    }

    public synchronized List<ProviderInstance> instances(Instant now) {
        List<ProviderInstance> out = new ArrayList<>();
        for (SandboxInstance i : instances.values()) {
            out.add(new ProviderInstance(i.id(), i.label(), now.isBefore(i.readyAt()) ? "provisioning" : "running",
                    null, null));
        }
        return out;
    }

    public synchronized void destroy(String id) {
        instances.remove(id);
    }
}
