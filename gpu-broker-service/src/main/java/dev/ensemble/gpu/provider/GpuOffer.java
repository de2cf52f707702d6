package dev.ensemble.gpu.provider;

import java.math.BigDecimal;

/**
 * One rentable machine, normalised across providers. {@code pricePerHour} is the price of the whole
 * offer (all its GPUs) per hour; {@code vramGb} is per GPU; {@code reliability} is 0..1.
 */
public record GpuOffer(String provider, String id, String gpuModel, String vendor, int gpuCount, int vramGb,
                       BigDecimal pricePerHour, String location, double reliability, boolean available) {

    public String tier() {
        return GpuCatalog.tierOf(gpuModel, vramGb);
    }
}
