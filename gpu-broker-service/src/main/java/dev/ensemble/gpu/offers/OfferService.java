package dev.ensemble.gpu.offers;

import dev.ensemble.gpu.config.GpuBrokerConfig;
import dev.ensemble.gpu.provider.GpuCatalog;
import dev.ensemble.gpu.provider.GpuOffer;
import dev.ensemble.gpu.provider.GpuProvider;
import dev.ensemble.gpu.provider.Providers;
import dev.ensemble.web.ApiException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Offers from every enabled provider, cached briefly per provider, filtered and sorted. */
@ApplicationScoped
public class OfferService {

    @Inject
    Providers providers;

    @Inject
    GpuBrokerConfig config;

    private record Cached(Instant at, List<GpuOffer> offers) {
    }

    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    /** Search criteria; null means "any". */
    public record Filter(Integer minVram, BigDecimal maxPrice, String gpuModel, String location, String vendor,
                         String tier, Integer minCount) {
        public static final Filter ANY = new Filter(null, null, null, null, null, null, null);

        public boolean matches(GpuOffer o) {
            return o.available()
                    && (minVram == null || o.vramGb() >= minVram)
                    && (maxPrice == null || o.pricePerHour().compareTo(maxPrice) <= 0)
                    && (gpuModel == null || GpuCatalog.normalise(o.gpuModel()).contains(GpuCatalog.normalise(gpuModel)))
                    && (location == null || o.location().toUpperCase(Locale.ROOT).contains(location.toUpperCase(Locale.ROOT)))
                    && (vendor == null || o.vendor().equalsIgnoreCase(vendor))
                    && (tier == null || o.tier().equalsIgnoreCase(tier))
                    && (minCount == null || o.gpuCount() >= minCount);
        }
    }

    /** One provider's failure during a search over several. */
    public record ProviderError(String provider, String code, String message) {
    }

    public record Result(List<GpuOffer> offers, List<ProviderError> errors) {
    }

    /** Offers of one provider (or all when {@code provider} is null) matching {@code filter}. */
    public Uni<Result> search(String provider, Filter filter) {
        List<GpuProvider> targets = provider == null ? providers.enabled() : List.of(providers.require(provider));
        if (targets.isEmpty()) {
            return Uni.createFrom().item(new Result(List.of(), List.of()));
        }
        List<Uni<Object>> calls = new ArrayList<>();
        for (GpuProvider p : targets) {
            calls.add(offersOf(p).map(list -> (Object) list).onFailure().recoverWithItem(e -> e));
        }
        return Uni.join().all(calls).andFailFast().map(results -> {
            List<GpuOffer> offers = new ArrayList<>();
            List<ProviderError> errors = new ArrayList<>();
            for (int i = 0; i < results.size(); i++) {
                Object r = results.get(i);
                if (r instanceof Throwable t) {
                    ApiException api = t instanceof ApiException a ? a
                            : new ApiException(502, "BAD_GATEWAY", targets.get(i).name() + " failed");
                    if (targets.size() == 1) {
                        throw api;
                    }
                    errors.add(new ProviderError(targets.get(i).name(), api.code(), api.getMessage()));
                } else {
                    @SuppressWarnings("unchecked")
                    List<GpuOffer> list = (List<GpuOffer>) r;
                    list.stream().filter(filter::matches).forEach(offers::add);
                }
            }
            if (offers.isEmpty() && errors.size() == targets.size()) {
                ProviderError first = errors.get(0);
                throw new ApiException("UPSTREAM_TIMEOUT".equals(first.code()) ? 504 : 502, first.code(),
                        "no provider answered: " + first.message());
            }
            return new Result(offers, errors);
        });
    }

    Uni<List<GpuOffer>> offersOf(GpuProvider p) {
        Cached c = cache.get(p.name());
        Instant now = Instant.now();
        if (c != null && c.at().plus(config.offerCacheTtl()).isAfter(now)) {
            return Uni.createFrom().item(c.offers());
        }
        return p.offers().invoke(list -> cache.put(p.name(), new Cached(now, List.copyOf(list))));
    }

    /** Forget a provider's cached offers (after a create took one, or one was found gone). */
    public void invalidate(String provider) {
        cache.remove(provider);
    }

    /** Sorts by a field of the seed's shape; unknown fields are refused by the resource. */
    public static Comparator<GpuOffer> order(String sort, boolean descending) {
        Comparator<GpuOffer> c = switch (sort) {
            case "vram_gb" -> Comparator.comparingInt(GpuOffer::vramGb);
            case "reliability" -> Comparator.comparingDouble(GpuOffer::reliability);
            case "gpu_model" -> Comparator.comparing(GpuOffer::gpuModel);
            case "gpu_count" -> Comparator.comparingInt(GpuOffer::gpuCount);
            default -> Comparator.comparing(GpuOffer::pricePerHour);
        };
        c = descending ? c.reversed() : c;
        return c.thenComparing(GpuOffer::provider).thenComparing(GpuOffer::id);
    }
}
