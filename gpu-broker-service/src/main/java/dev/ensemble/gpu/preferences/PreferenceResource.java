package dev.ensemble.gpu.preferences;

import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.math.BigDecimal;
import java.util.List;
import java.util.UUID;

/** GPU selection preferences, in AIServe.Farm's shapes. */
@Path("/api/v1/gpu/preferences")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed("user")
public class PreferenceResource {

    @Inject
    PreferenceService preferences;

    @Inject
    JsonWebToken jwt;

    public record PreferencesRequest(
            @NotEmpty(message = "must name at least one vendor") @Size(max = 10, message = "at most 10 vendors")
            List<@Pattern(regexp = "NVIDIA|AMD|INTEL", message = "must be NVIDIA, AMD or INTEL") String> preferredVendors,
            @NotEmpty(message = "must name at least one tier") @Size(max = 10, message = "at most 10 tiers")
            List<@Pattern(regexp = "high-end|mid-range|entry", message = "must be high-end, mid-range or entry") String> preferredTiers,
            @NotNull(message = "is required") @Min(value = 0, message = "must not be negative")
            @Max(value = 1024, message = "must be at most 1024") Integer minVram,
            @NotNull(message = "is required") @DecimalMin(value = "0", message = "must not be negative")
            @DecimalMax(value = "1000", message = "must be at most 1000") BigDecimal maxPricePerHour,
            @NotNull(message = "is required")
            @Pattern(regexp = "performance|cost|balanced", message = "must be performance, cost or balanced") String priority) {
    }

    public record Saved(UUID id, String message, PreferenceService.Preferences preferences) {
    }

    @GET
    public Uni<PreferenceService.Preferences> get() {
        return preferences.find(UUID.fromString(jwt.getSubject()));
    }

    @POST
    public Uni<Saved> save(@Valid @NotNull(message = "request body is required") PreferencesRequest req) {
        return preferences.save(UUID.fromString(jwt.getSubject()), req.preferredVendors(), req.preferredTiers(),
                        req.minVram(), req.maxPricePerHour(), req.priority())
                .map(p -> new Saved(p.id(), "Preferences saved successfully", p));
    }
}
