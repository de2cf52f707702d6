package dev.ensemble.gpu.offers;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.ensemble.gpu.provider.GpuCatalog;
import dev.ensemble.gpu.provider.GpuOffer;
import dev.ensemble.gpu.provider.Providers;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Offers across providers ({@code GET /api/v1/gpu/instances}) and GPU models on offer. */
@Path("/api/v1/gpu")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed("user")
public class OfferResource {

    static final BigDecimal MAX_PRICE = new BigDecimal("100000");
    static final Set<String> SORTS = Set.of("price_per_hour", "vram_gb", "reliability", "gpu_model", "gpu_count");

    @Inject
    OfferService offers;

    @Inject
    Providers providers;

    /** One offer in the seed's shape, plus the normalised extras. */
    public record OfferView(String id, String provider, String gpuModel, String vendor, int gpuCount, int vramGb,
                            BigDecimal pricePerHour, String currency, String location, double reliability,
                            boolean available, String tier) {
        static OfferView of(GpuOffer o) {
            return new OfferView(o.id(), o.provider(), o.gpuModel(), o.vendor(), o.gpuCount(), o.vramGb(),
                    o.pricePerHour(), "USD", o.location(), o.reliability(), o.available(), o.tier());
        }
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record OfferPage(List<OfferView> instances, int count, String provider, int total, int limit, int offset,
                            List<OfferService.ProviderError> errors) {
    }

    @GET
    @Path("/instances")
    public Uni<OfferPage> list(@QueryParam("provider") String provider, @QueryParam("min_vram") String minVram,
                               @QueryParam("max_price") String maxPrice, @QueryParam("gpu_model") String gpuModel,
                               @QueryParam("location") String location, @QueryParam("vendor") String vendor,
                               @QueryParam("sort") String sort, @QueryParam("order") String order,
                               @QueryParam("limit") String limit, @QueryParam("offset") String offset) {
        String p = provider == null || provider.isBlank() ? "all" : provider;
        if (!"all".equals(p) && !Providers.KNOWN.contains(p)) {
            throw dev.ensemble.web.ApiException.badRequest("provider",
                    "must be all or one of " + String.join(", ", Providers.KNOWN.stream().sorted().toList()));
        }
        if (!"all".equals(p) && providers.find(p).isEmpty()) {
            throw dev.ensemble.web.ApiException.badRequest("provider", p + " is not enabled on this server");
        }
        OfferService.Filter filter = new OfferService.Filter(Params.integer("min_vram", minVram, 0, 4096),
                Params.decimal("max_price", maxPrice, MAX_PRICE), Params.text("gpu_model", gpuModel, 100),
                Params.text("location", location, 100), Params.text("vendor", vendor, 20), null, null);
        String sortBy = Params.oneOf("sort", sort, SORTS, "price_per_hour");
        boolean desc = "desc".equals(Params.oneOf("order", order, Set.of("asc", "desc"), "asc"));
        int lim = java.util.Objects.requireNonNullElse(Params.integer("limit", limit, 1, 500), 50);
        int off = java.util.Objects.requireNonNullElse(Params.integer("offset", offset, 0, 1_000_000), 0);
        return offers.search("all".equals(p) ? null : p, filter).map(r -> {
            List<GpuOffer> sorted = new ArrayList<>(r.offers());
            sorted.sort(OfferService.order(sortBy, desc));
            List<OfferView> page = sorted.stream().skip(off).limit(lim).map(OfferView::of).toList();
            return new OfferPage(page, page.size(), p, sorted.size(), lim, off, r.errors());
        });
    }

    public record AvailableGpu(String name, String vendor, int vramGb, String tier, BigDecimal avgPricePerHour,
                               BigDecimal minPricePerHour, int offers, List<String> providers) {
    }

    public record AvailableList(List<AvailableGpu> gpus, int count) {
    }

    /** GPU models currently on offer, with their average price per GPU hour. */
    @GET
    @Path("/available")
    public Uni<AvailableList> available(@QueryParam("vendor") String vendor, @QueryParam("tier") String tier) {
        String v = Params.oneOf("vendor", vendor == null ? null : vendor.toUpperCase(), Set.of("NVIDIA", "AMD", "INTEL"), null);
        String t = Params.oneOf("tier", tier, Set.of("high-end", "mid-range", "entry"), null);
        return offers.search(null, new OfferService.Filter(null, null, null, null, v, t, null)).map(r -> {
            Map<String, List<GpuOffer>> byModel = new TreeMap<>();
            for (GpuOffer o : r.offers()) {
                byModel.computeIfAbsent(o.gpuModel(), k -> new ArrayList<>()).add(o);
            }
            List<AvailableGpu> gpus = new ArrayList<>();
            byModel.forEach((model, list) -> {
                BigDecimal sum = BigDecimal.ZERO;
                BigDecimal min = null;
                for (GpuOffer o : list) {
                    BigDecimal perGpu = o.pricePerHour().divide(BigDecimal.valueOf(o.gpuCount()), 4, RoundingMode.HALF_UP);
                    sum = sum.add(perGpu);
                    min = min == null || perGpu.compareTo(min) < 0 ? perGpu : min;
                }
                GpuOffer first = list.get(0);
                gpus.add(new AvailableGpu(model, first.vendor(), first.vramGb(), GpuCatalog.tierOf(model, first.vramGb()),
                        sum.divide(BigDecimal.valueOf(list.size()), 4, RoundingMode.HALF_UP), min, list.size(),
                        list.stream().map(GpuOffer::provider).distinct().sorted().toList()));
            });
            return new AvailableList(gpus, gpus.size());
        });
    }
}
