package dev.ensemble.gpu.provider;

import io.smallrye.mutiny.Uni;

import java.util.List;

/**
 * A place GPUs are rented from. Failures are {@link dev.ensemble.web.ApiException}s: 502
 * {@code BAD_GATEWAY} when the provider failed or answered nonsense, 504 {@code UPSTREAM_TIMEOUT}
 * when it did not answer in time, {@link OfferGoneException} (409) when the offer is gone.
 */
public interface GpuProvider {

    /** The name used in paths and filters: vastai, ionet, kubernetes, sandbox. */
    String name();

    boolean enabled();

    /** Current offers, normalised. */
    Uni<List<GpuOffer>> offers();

    /** Rents the offer; the instance carries {@code spec.label()} so it can be found again. */
    Uni<Provisioned> create(ProvisionSpec spec);

    /** Every instance the provider lists for this account (only those labelled by Ensemble matter). */
    Uni<List<ProviderInstance>> instances();

    /** Destroys an instance; one that is already gone counts as destroyed. */
    Uni<Void> destroy(String providerInstanceId);

    /** Extends a prepaid rental (io.net); providers billed by the hour need nothing. */
    default Uni<Void> extend(String providerInstanceId, int hours) {
        return Uni.createFrom().voidItem();
    }
}
