package dev.ensemble.gpu.export;

import dev.ensemble.gpu.balancer.BalancerService;
import dev.ensemble.gpu.instances.ContractService;
import dev.ensemble.gpu.instances.ContractView;
import dev.ensemble.gpu.preferences.PreferenceService;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** Everything this service holds for the caller, for the account export. */
@Path("/internal/v1/export")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed("user")
public class ExportResource {

    @Inject
    ContractService contracts;

    @Inject
    PreferenceService preferences;

    @Inject
    BalancerService balancers;

    @Inject
    JsonWebToken jwt;

    @GET
    public Uni<Map<String, Object>> export() {
        UUID user = UUID.fromString(jwt.getSubject());
        return contracts.list(user, null, 100_000, 0).chain(list -> preferences.find(user).chain(prefs ->
                balancers.settings(user).map(lb -> {
                    Map<String, Object> data = new LinkedHashMap<>();
                    data.put("gpu_instances", list.stream().map(ContractView::of).toList());
                    data.put("preferences", prefs);
                    data.put("load_balancer", lb);
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("service", "gpu-broker-service");
                    body.put("data", data);
                    return body;
                })));
    }
}
