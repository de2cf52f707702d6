package dev.ensemble.gpu.provider;

/** The provider accepted a create: its own id for the instance and the first status it reported. */
public record Provisioned(String providerInstanceId, String status) {
}
