package dev.ensemble.gpu.provider;

/** What a create asks the provider for: the offer, the label to find it again, the rental length. */
public record ProvisionSpec(GpuOffer offer, String label, int durationHours) {
}
