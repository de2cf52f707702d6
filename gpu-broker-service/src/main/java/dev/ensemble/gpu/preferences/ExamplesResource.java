package dev.ensemble.gpu.preferences;

import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Example preference sets: {@code GET /api/v1/gpu/examples}, public. */
@Path("/api/v1/gpu/examples")
@Produces(MediaType.APPLICATION_JSON)
public class ExamplesResource {

    public record Examples(Map<String, Map<String, Object>> examples, List<String> availableExamples) {
    }

    static final Map<String, Map<String, Object>> EXAMPLES = new LinkedHashMap<>();

    static {
        EXAMPLES.put("cost_optimized", example(List.of("NVIDIA", "AMD"), List.of("mid-range", "entry"), 8, "1.00", "cost",
                "The cheapest GPU that fits; good for development and batch jobs."));
        EXAMPLES.put("performance_focused", example(List.of("NVIDIA", "AMD"), List.of("high-end"), 40, "5.00", "performance",
                "Large, fast GPUs for training and big models."));
        EXAMPLES.put("nvidia_only", example(List.of("NVIDIA"), List.of("high-end", "mid-range"), 16, "3.00", "balanced",
                "CUDA workloads: NVIDIA GPUs only, balancing speed and price."));
        EXAMPLES.put("amd_preferred", example(List.of("AMD"), List.of("high-end", "mid-range"), 24, "3.00", "balanced",
                "ROCm workloads on AMD Instinct and Radeon GPUs."));
    }

    private static Map<String, Object> example(List<String> vendors, List<String> tiers, int minVram, String maxPrice,
                                               String priority, String description) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("preferred_vendors", vendors);
        m.put("preferred_tiers", tiers);
        m.put("min_vram", minVram);
        m.put("max_price_per_hour", new BigDecimal(maxPrice));
        m.put("priority", priority);
        m.put("description", description);
        return m;
    }

    /** Example preference sets; public. */
    @GET
    @PermitAll
    public Examples examples() {
        return new Examples(EXAMPLES, List.copyOf(EXAMPLES.keySet()));
    }
}
