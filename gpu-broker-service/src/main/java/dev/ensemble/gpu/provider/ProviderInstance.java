package dev.ensemble.gpu.provider;

/**
 * An instance as the provider itself lists it. {@code label} is the name Ensemble gave it at create
 * time ({@code ensemble-<contract id>}), which is how reconciliation ties it to a contract.
 * {@code status} is normalised: provisioning, running, stopped, failed.
 */
public record ProviderInstance(String id, String label, String status, String host, Integer port) {
}
