package dev.ensemble.gpu.instances;

import dev.ensemble.gpu.offers.OfferService;
import dev.ensemble.gpu.preferences.PreferenceService;
import dev.ensemble.gpu.preferences.Selection;
import dev.ensemble.gpu.provider.GpuOffer;
import dev.ensemble.gpu.provider.OfferGoneException;
import dev.ensemble.gpu.provider.Providers;
import dev.ensemble.web.ApiException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Many instances at once: batch (a count per provider) and reserve (the best offers across providers
 * by the user's preferences). Offers are tried best first; one that is gone by the time it is
 * rented is skipped for the next (failover). What could not be rented is reported in {@code errors}.
 */
@ApplicationScoped
public class FleetService {

    @Inject
    ContractService contracts;

    @Inject
    OfferService offers;

    @Inject
    PreferenceService preferences;

    @Inject
    Providers providers;

    /** One instance that could not be rented. */
    public record Failure(String provider, String code, String message) {
    }

    public record Outcome(List<GpuContract> created, List<Failure> errors, int failovers) {
    }

    /** Rents {@code count} of the {@code candidates} in order, failing over past offers that are gone. */
    public Uni<Outcome> rent(UUID userId, String token, List<GpuOffer> candidates, int count, int hours, boolean autoRenew) {
        return step(userId, token, candidates, 0, count, hours, autoRenew,
                new Outcome(new ArrayList<>(), new ArrayList<>(), 0));
    }

    private Uni<Outcome> step(UUID userId, String token, List<GpuOffer> candidates, int next, int wanted, int hours,
                              boolean autoRenew, Outcome acc) {
        if (acc.created().size() >= wanted) {
            return Uni.createFrom().item(acc);
        }
        if (next >= candidates.size()) {
            int missing = wanted - acc.created().size();
            // Name the provider when every candidate came from one (a batch asks per provider).
            String provider = candidates.stream().map(GpuOffer::provider).distinct().count() == 1
                    ? candidates.get(0).provider() : null;
            for (int i = 0; i < missing; i++) {
                acc.errors().add(new Failure(provider, "NO_CAPACITY", "no further offer matches"));
            }
            return Uni.createFrom().item(acc);
        }
        GpuOffer offer = candidates.get(next);
        return contracts.create(userId, token, providers.require(offer.provider()), offer, hours, autoRenew)
                .map(c -> {
                    acc.created().add(c);
                    return acc;
                })
                .onFailure(ApiException.class).recoverWithUni(e -> {
                    ApiException api = (ApiException) e;
                    if (api instanceof OfferGoneException || api.status() >= 500) {
                        // Gone, or this provider failed: fail over to the next offer.
                        Outcome moved = new Outcome(acc.created(), acc.errors(), acc.failovers() + 1);
                        if (!(api instanceof OfferGoneException)) {
                            moved.errors().add(new Failure(offer.provider(), api.code(), api.getMessage()));
                        }
                        return Uni.createFrom().item(moved);
                    }
                    // Refused for the user (402, 401...): nothing further will pass.
                    for (int i = acc.created().size(); i < wanted; i++) {
                        acc.errors().add(new Failure(offer.provider(), api.code(), api.getMessage()));
                    }
                    return Uni.createFrom().failure(new Stop(acc));
                })
                .chain(o -> step(userId, token, candidates, next + 1, wanted, hours, autoRenew, o))
                .onFailure(Stop.class).recoverWithItem(e -> ((Stop) e).outcome);
    }

    /** Ends the walk early with what was rented so far. */
    private static final class Stop extends RuntimeException {
        final Outcome outcome;

        Stop(Outcome outcome) {
            super(null, null, false, false);
            this.outcome = outcome;
        }
    }

    /** Offers of one provider ranked by the user's preferences (relaxed to vendor-agnostic if none fit). */
    public Uni<List<GpuOffer>> ranked(UUID userId, String provider, OfferService.Filter filter) {
        return preferences.find(userId).chain(prefs -> offers.search(provider, filter).map(r -> {
            List<GpuOffer> ranked = new ArrayList<>(Selection.rank(prefs, r.offers()).stream().map(Selection.Scored::offer).toList());
            // Offers outside the preferences follow, cheapest first, so an explicit count is still met.
            Set<String> seen = new HashSet<>();
            ranked.forEach(o -> seen.add(o.provider() + "/" + o.id()));
            r.offers().stream().filter(o -> o.available() && !seen.contains(o.provider() + "/" + o.id()))
                    .sorted(OfferService.order("price_per_hour", false)).forEach(ranked::add);
            return ranked;
        }));
    }

    /** The best offers across providers for reserve: only those within the user's preferences. */
    public Uni<List<GpuOffer>> best(UUID userId, OfferService.Filter filter) {
        return preferences.find(userId).chain(prefs -> offers.search(null, filter).map(r -> {
            PreferenceService.Preferences effective = prefs;
            if (filter.maxPrice() != null && filter.maxPrice().compareTo(prefs.maxPricePerHour()) > 0) {
                effective = new PreferenceService.Preferences(prefs.id(), prefs.userId(), prefs.preferredVendors(),
                        prefs.preferredTiers(), prefs.minVram(), filter.maxPrice(), prefs.priority(), prefs.isDefault(),
                        prefs.createdAt());
            }
            return Selection.rank(effective, r.offers()).stream().map(Selection.Scored::offer).toList();
        }));
    }

    static BigDecimal zeroIfNull(BigDecimal b) {
        return b == null ? BigDecimal.ZERO : b;
    }
}
