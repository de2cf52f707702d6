package dev.ensemble.gpu.preferences;

import dev.ensemble.gpu.offers.OfferService;
import dev.ensemble.gpu.provider.GpuOffer;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.math.BigDecimal;
import java.util.List;
import java.util.UUID;

/** Previewing GPU selection: {@code POST /api/v1/gpu/preferences/test}. */
@Path("/api/v1/gpu/preferences/test")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class SelectionResource {

    @Inject
    PreferenceService preferences;

    @Inject
    OfferService offers;

    @Inject
    JsonWebToken jwt;

    public record SelectedGpu(String name, String vendor, int vramGb, String tier, double score, String provider,
                              String instanceId, int gpuCount, BigDecimal pricePerHour, String location) {
        static SelectedGpu of(Selection.Scored s) {
            GpuOffer o = s.offer();
            return new SelectedGpu(o.gpuModel(), o.vendor(), o.vramGb(), o.tier(), s.score(), o.provider(), o.id(),
                    o.gpuCount(), o.pricePerHour(), o.location());
        }
    }

    public record TestResult(SelectedGpu selectedGpu, List<SelectedGpu> alternatives, int candidates,
                             PreferenceService.Preferences preferences, String message) {
    }

    /** Which GPU the saved preferences (or those in the body, unsaved) would choose now. */
    @POST
    @RolesAllowed("user")
    public Uni<TestResult> test(@Valid PreferenceResource.PreferencesRequest override) {
        UUID user = UUID.fromString(jwt.getSubject());
        Uni<PreferenceService.Preferences> prefs = override == null ? preferences.find(user)
                : Uni.createFrom().item(new PreferenceService.Preferences(null, user, override.preferredVendors(),
                override.preferredTiers(), override.minVram(), override.maxPricePerHour(), override.priority(), false, null));
        return prefs.chain(p -> offers.search(null, OfferService.Filter.ANY).map(r -> {
            List<Selection.Scored> ranked = Selection.rank(p, r.offers());
            if (ranked.isEmpty()) {
                return new TestResult(null, List.of(), 0, p, "No available GPU matches these preferences");
            }
            return new TestResult(SelectedGpu.of(ranked.get(0)),
                    ranked.stream().skip(1).limit(5).map(SelectedGpu::of).toList(), ranked.size(), p,
                    "GPU selected by " + p.priority() + " priority");
        }));
    }

}
