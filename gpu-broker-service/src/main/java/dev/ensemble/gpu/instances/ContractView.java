package dev.ensemble.gpu.instances;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/** A contract in the seed's create shape ({@code contract_id, provider, instance_id, status, created_at}) and more. */
public record ContractView(UUID contractId, String provider, String instanceId, String providerInstanceId,
                           String status, String gpuModel, String vendor, int gpuCount, int vramGb,
                           BigDecimal pricePerHour, String currency, String location, int durationHours,
                           boolean autoRenew, Instant createdAt, Instant startedAt, Instant expiresAt,
                           Instant endedAt, String error) {

    public static ContractView of(GpuContract c) {
        return new ContractView(c.id, c.provider, c.offerId, c.providerInstanceId, c.status, c.gpuModel, c.vendor,
                c.gpuCount, c.vramGb, c.pricePerHour, c.currency, c.location, c.durationHours, c.autoRenew,
                c.createdAt, c.startedAt, c.expiresAt, c.endedAt, c.error);
    }
}
