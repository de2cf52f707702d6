package dev.ensemble.gpu.provider;

import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;

/** Known GPU models: vendor, memory, tier and a typical hourly price (the sandbox's market). */
public final class GpuCatalog {

    public record Model(String name, String vendor, int vramGb, String tier, BigDecimal typicalPrice) {
    }

    public static final List<Model> MODELS = List.of(
            new Model("H100 SXM", "NVIDIA", 80, "high-end", new BigDecimal("2.49")),
            new Model("A100 80GB", "NVIDIA", 80, "high-end", new BigDecimal("1.60")),
            new Model("A100 40GB", "NVIDIA", 40, "high-end", new BigDecimal("1.10")),
            new Model("L40S", "NVIDIA", 48, "high-end", new BigDecimal("0.95")),
            new Model("RTX 4090", "NVIDIA", 24, "high-end", new BigDecimal("0.45")),
            new Model("RTX 3090", "NVIDIA", 24, "mid-range", new BigDecimal("0.25")),
            new Model("A10", "NVIDIA", 24, "mid-range", new BigDecimal("0.60")),
            new Model("RTX A4000", "NVIDIA", 16, "mid-range", new BigDecimal("0.20")),
            new Model("T4", "NVIDIA", 16, "entry", new BigDecimal("0.15")),
            new Model("RTX 3060", "NVIDIA", 12, "entry", new BigDecimal("0.10")),
            new Model("MI300X", "AMD", 192, "high-end", new BigDecimal("3.00")),
            new Model("MI250", "AMD", 128, "high-end", new BigDecimal("1.80")),
            new Model("RX 7900 XTX", "AMD", 24, "mid-range", new BigDecimal("0.35")),
            new Model("Data Center GPU Max 1100", "INTEL", 48, "mid-range", new BigDecimal("0.70")));

    private GpuCatalog() {
    }

    /** Vendor from a marketplace's GPU name. */
    public static String vendorOf(String gpuName) {
        String n = gpuName == null ? "" : gpuName.toUpperCase(Locale.ROOT);
        if (n.contains("AMD") || n.contains("RADEON") || n.startsWith("MI") || n.contains(" MI") || n.contains("RX ")) {
            return "AMD";
        }
        if (n.contains("INTEL") || n.contains("ARC") || n.contains("GAUDI") || n.contains("MAX 1")) {
            return "INTEL";
        }
        return "NVIDIA";
    }

    /** Tier from the catalog, else from memory: 40 GB and more high-end, 16 GB and more mid-range. */
    public static String tierOf(String gpuModel, int vramGb) {
        String n = normalise(gpuModel);
        for (Model m : MODELS) {
            if (normalise(m.name()).equals(n)) {
                return m.tier();
            }
        }
        return vramGb >= 40 ? "high-end" : vramGb >= 16 ? "mid-range" : "entry";
    }

    /** Case and separator insensitive form of a model name ("RTX_4090" and "rtx 4090" match). */
    public static String normalise(String s) {
        return s == null ? "" : s.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "");
    }
}
