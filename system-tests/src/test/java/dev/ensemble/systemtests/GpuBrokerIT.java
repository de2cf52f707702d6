package dev.ensemble.systemtests;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.hamcrest.Matchers.*;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The GPU broker through the gateway, in AIServe.Farm's shapes. The embedded default offers only
 * the SANDBOX marketplace (simulated: offers come and go, creates take a few seconds and sometimes
 * fail), and every rental asks billing's guardrails first, so a new account may be refused (402).
 */
class GpuBrokerIT extends SystemTest {

    private static String newAccount(String prefix) {
        String email = uniqueEmail(prefix);
        register(email, "GPU Tester");
        return login(email);
    }

    @Test
    void offersPreferencesAndBalancerThroughTheGateway() {
        String token = newAccount("gpu");
        gateway().get("/api/v1/gpu/examples")
                .then().statusCode(200)
                .body("available_examples", hasItems("cost_optimized", "performance_focused", "nvidia_only", "amd_preferred"));
        gateway().get("/api/v1/gpu/instances").then().statusCode(401);

        gateway().auth().oauth2(token).queryParam("provider", "all").queryParam("min_vram", 8)
                .get("/api/v1/gpu/instances")
                .then().statusCode(200)
                .body("provider", is("all"))
                .body("count", greaterThan(0))
                .body("instances[0].provider", is("sandbox"))
                .body("instances[0].id", notNullValue())
                .body("instances[0].gpu_model", notNullValue())
                .body("instances[0].vram_gb", greaterThanOrEqualTo(8))
                .body("instances[0].price_per_hour", notNullValue())
                .body("instances[0].available", is(true));
        gateway().auth().oauth2(token).get("/api/v1/gpu/available")
                .then().statusCode(200).body("count", greaterThan(0)).body("gpus[0].avg_price_per_hour", notNullValue());

        gateway().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("preferred_vendors", new String[]{"NVIDIA", "AMD"}, "preferred_tiers",
                        new String[]{"high-end", "mid-range", "entry"}, "min_vram", 8, "max_price_per_hour", 50,
                        "priority", "cost"))
                .post("/api/v1/gpu/preferences")
                .then().statusCode(200).body("message", is("Preferences saved successfully"));
        gateway().auth().oauth2(token).get("/api/v1/gpu/preferences")
                .then().statusCode(200).body("priority", is("cost")).body("is_default", is(false));
        gateway().auth().oauth2(token).contentType(ContentType.JSON).post("/api/v1/gpu/preferences/test")
                .then().statusCode(200).body("selected_gpu.name", notNullValue()).body("selected_gpu.score", notNullValue());

        gateway().auth().oauth2(token).get("/api/v1/loadbalancer/strategy")
                .then().statusCode(200).body("strategy", is("round_robin"));
        gateway().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("strategy", "least_connections"))
                .put("/api/v1/loadbalancer/strategy")
                .then().statusCode(200).body("strategy", is("least_connections"))
                .body("message", is("Load balancing strategy updated"));
        gateway().auth().oauth2(token).get("/api/v1/loadbalancer/loads")
                .then().statusCode(200).body("strategy", is("least_connections")).body("count", is(0));
        gateway().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("path", "/v1/inference"))
                .post("/api/v1/gpu/proxy").then().statusCode(409).body("code", is("NO_RUNNING_INSTANCE"));
        gateway().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("strategy", "fastest"))
                .put("/api/v1/loadbalancer/strategy").then().statusCode(400);
    }

    @Test
    void reserveAndDestroyAnInstanceThroughTheGateway() {
        String token = newAccount("gpu-rent");
        Response reserved = gateway().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("count", 1, "config", Map.of("duration_hours", 1, "auto_renew", false)))
                .post("/api/v1/gpu/instances/reserve");
        int status = reserved.statusCode();
        assertTrue(status == 201 || status == 402, "reserve answered " + status + ": " + reserved.asString());
        if (status == 402) {
            // Billing's guardrails refused the estimated cost: a new account without credits.
            reserved.then().body("code", anyOf(is("SPENDING_LIMIT"), is("INSUFFICIENT_CREDITS")));
            return;
        }
        reserved.then().body("count", is(1)).body("requested", is(1))
                .body("reserved[0].provider", is("sandbox")).body("reserved[0].contract_id", notNullValue());
        String contract = reserved.path("reserved[0].contract_id");
        gateway().auth().oauth2(token).get("/api/v1/gpu/contracts/" + contract)
                .then().statusCode(200).body("status", anyOf(is("provisioning"), is("running")));
        String other = newAccount("gpu-other");
        gateway().auth().oauth2(other).get("/api/v1/gpu/contracts/" + contract).then().statusCode(404);
        gateway().auth().oauth2(other).delete("/api/v1/gpu/instances/sandbox/" + contract).then().statusCode(404);
        gateway().auth().oauth2(token).delete("/api/v1/gpu/instances/sandbox/" + contract)
                .then().statusCode(200).body("message", is("Instance destroyed successfully"));
        gateway().auth().oauth2(token).get("/api/v1/gpu/contracts/" + contract)
                .then().statusCode(200).body("status", is("destroyed"));
    }
}
