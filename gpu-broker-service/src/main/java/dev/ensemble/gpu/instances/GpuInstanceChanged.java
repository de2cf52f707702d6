package dev.ensemble.gpu.instances;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/**
 * {@code gpu.instance.<status>} on {@code gpu.events}, data version 1: a GPU instance changed state
 * (provisioning, running, failed, destroyed, expired, renewed, orphan_destroyed, lost). Subject and
 * key: the contract id.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GpuInstanceChanged(UUID contractId, UUID userId, String provider, String instanceId,
                                 String providerInstanceId, String status, String previousStatus,
                                 String gpuModel, int gpuCount, BigDecimal pricePerHour, String currency,
                                 Instant expiresAt, String reason) {

    public static final int VERSION = 1;

    public static String type(String status) {
        return "gpu.instance." + status;
    }
}
