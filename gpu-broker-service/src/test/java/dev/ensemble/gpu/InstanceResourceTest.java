package dev.ensemble.gpu;

import dev.ensemble.events.Topics;
import dev.ensemble.testing.EnsembleTestResource;
import dev.ensemble.testing.KafkaTestClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@QuarkusTestResource(value = EnsembleTestResource.class, initArgs = @ResourceArg(name = "database", value = "gpu"))
@QuarkusTestResource(ProviderStubs.class)
class InstanceResourceTest {

    @BeforeEach
    void reset() {
        ProviderStubs.reset();
    }

    @Test
    void rentsListsAndDestroysAnInstance() {
        String token = Api.newUser();
        String contract = Api.rent(token, "vastai", "1001", 2, false)
                .statusCode(201)
                .body("contract_id", notNullValue())
                .body("provider", is("vastai"))
                .body("instance_id", is("1001"))
                .body("status", is("provisioning"))
                .body("created_at", notNullValue())
                .body("expires_at", notNullValue())
                .body("price_per_hour", is(0.4f))
                .body("gpu_model", is("RTX 4090"))
                .extract().path("contract_id");
        // vast.ai was asked as documented, with our label, and billing held 0.40 x 2 h first.
        assertTrue(ProviderStubs.requests.stream().anyMatch(r -> r.equals("PUT /vast/api/v0/asks/1001/ Bearer test-vast-key")));
        assertTrue(ProviderStubs.vastInstances.values().stream()
                .anyMatch(i -> i.path("label").asText().equals("ensemble-" + contract)));
        assertEquals(1, ProviderStubs.reserves.size());
        assertEquals(0, new java.math.BigDecimal("0.80").compareTo(new java.math.BigDecimal(ProviderStubs.reserves.get(0).path("amount").asText())));
        assertEquals(contract, ProviderStubs.reserves.get(0).path("reference_id").asText());

        given().auth().oauth2(token).get("/api/v1/gpu/contracts")
                .then().statusCode(200).body("total", is(1)).body("instances[0].contract_id", is(contract));
        given().auth().oauth2(token).get("/api/v1/gpu/contracts/" + contract)
                .then().statusCode(200).body("provider_instance_id", notNullValue());

        // Another user sees none of it.
        String other = Api.newUser();
        given().auth().oauth2(other).get("/api/v1/gpu/contracts/" + contract).then().statusCode(404).body("code", is("NOT_FOUND"));
        given().auth().oauth2(other).delete("/api/v1/gpu/instances/vastai/" + contract).then().statusCode(404);
        given().auth().oauth2(other).get("/api/v1/gpu/contracts").then().statusCode(200).body("total", is(0));

        given().auth().oauth2(token).delete("/api/v1/gpu/instances/vastai/1001")
                .then().statusCode(200)
                .body("message", is("Instance destroyed successfully"))
                .body("instance_id", is("1001"))
                .body("contract_id", is(contract));
        assertTrue(ProviderStubs.vastInstances.isEmpty());
        given().auth().oauth2(token).delete("/api/v1/gpu/instances/vastai/1001").then().statusCode(404);
        given().auth().oauth2(token).get("/api/v1/gpu/contracts/" + contract)
                .then().statusCode(200).body("status", is("destroyed")).body("ended_at", notNullValue());

        var states = KafkaTestClient.await(Topics.GPU_EVENTS, r -> r.key().equals(contract)
                && r.value().contains("gpu.instance.destroyed"), Duration.ofSeconds(20));
        assertEquals(1, states.size());
    }

    @Test
    void otherProvidersAreAskedAsDocumented() {
        String token = Api.newUser();
        Api.rent(token, "ionet", "101@7", 3, true).statusCode(201).body("provider", is("ionet"))
                .body("instance_id", is("101@7")).body("gpu_model", is("H100 80GB"));
        assertEquals(101, ProviderStubs.ionetLastDeploy.path("hardware_id").asInt());
        assertEquals(7, ProviderStubs.ionetLastDeploy.path("location_ids").get(0).asInt());
        assertEquals(3, ProviderStubs.ionetLastDeploy.path("duration_hours").asInt());

        Api.rent(token, "kubernetes", "gpu-node-1", 1, false).statusCode(201).body("gpu_count", is(4));
        var pod = ProviderStubs.lastPod;
        assertEquals("gpu-node-1", pod.path("spec").path("nodeSelector").path("kubernetes.io/hostname").asText());
        assertEquals("4", pod.path("spec").path("containers").get(0).path("resources").path("limits").path("nvidia.com/gpu").asText());
        assertEquals("ensemble-gpu-broker", pod.path("metadata").path("labels").path("app.kubernetes.io/managed-by").asText());
    }

    @Test
    void offerGoneBetweenSearchAndCreateIs409() {
        String token = Api.newUser();
        given().auth().oauth2(token).get("/api/v1/gpu/instances").then().statusCode(200)
                .body("instances.id", hasItem("1003"));
        ProviderStubs.vastGone.add("1003");
        Api.rent(token, "vastai", "1003", 1, false).statusCode(409).body("code", is("OFFER_UNAVAILABLE"));
        given().auth().oauth2(token).queryParam("status", "failed").get("/api/v1/gpu/contracts")
                .then().statusCode(200).body("total", is(1)).body("instances[0].error", containsString("no longer available"));
        assertEquals(1, ProviderStubs.releases.size(), "the spending hold is released");
    }

    @Test
    void providerFailureOnCreateIs502AndRecorded() {
        ProviderStubs.vastCreateMode = "error";
        String token = Api.newUser();
        Api.rent(token, "vastai", "1004", 1, false).statusCode(502).body("code", is("BAD_GATEWAY"));
        given().auth().oauth2(token).get("/api/v1/gpu/contracts")
                .then().statusCode(200).body("instances[0].status", is("failed"));
    }

    @Test
    void spendingGuardrailRefusalIs402AndNothingIsRented() {
        ProviderStubs.spendingLimit = new java.math.BigDecimal("0.50");
        String token = Api.newUser();
        Api.rent(token, "vastai", "1003", 2, false).statusCode(402).body("code", is("SPENDING_LIMIT"));
        assertEquals(0, ProviderStubs.count("PUT /vast/api/v0/asks/"));
        given().auth().oauth2(token).get("/api/v1/gpu/contracts").then().statusCode(200).body("total", is(0));
    }

    @Test
    void badInput() {
        String token = Api.newUser();
        Api.rent(token, "aws", "1001", 1, false).statusCode(404).body("code", is("NOT_FOUND"));
        Api.rent(token, "sandbox", "sbx-1", 1, false).statusCode(404);
        Api.rent(token, "vastai", "999999", 1, false).statusCode(404).body("code", is("NOT_FOUND"));
        for (Object hours : new Object[]{0, -3, 100000, 721, "two", 1.5e300}) {
            given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("duration_hours", hours))
                    .post("/api/v1/gpu/instances/vastai/1001")
                    .then().statusCode(400).body("code", is("VALIDATION_ERROR"))
                    .body("errors[0].field", is("duration_hours"));
        }
        given().auth().oauth2(token).contentType(ContentType.JSON).body("{\"duration_hours\": ")
                .post("/api/v1/gpu/instances/vastai/1001").then().statusCode(400).body("code", is("MALFORMED_JSON"));
        given().auth().oauth2(token).contentType(ContentType.JSON).body("{\"duration_hours\": 1, \"auto_renew\": \"maybe\"}")
                .post("/api/v1/gpu/instances/vastai/1001").then().statusCode(400).body("errors[0].field", is("auto_renew"));
        given().contentType(ContentType.JSON).body(Map.of("duration_hours", 1))
                .post("/api/v1/gpu/instances/vastai/1001").then().statusCode(401);
        given().delete("/api/v1/gpu/instances/vastai/1001").then().statusCode(401);
        given().auth().oauth2(token).get("/api/v1/gpu/contracts/not-a-uuid").then().statusCode(404);
        given().auth().oauth2(token).queryParam("status", "weird").get("/api/v1/gpu/contracts")
                .then().statusCode(400).body("errors[0].field", is("status"));
        assertEquals(0, ProviderStubs.count("PUT /vast/api/v0/asks/"));
    }

    @Test
    void exportHoldsTheUsersInstancesAndPreferences() {
        String token = Api.newUser();
        String contract = Api.rentOk(token, "vastai", "1004");
        given().auth().oauth2(token).get("/internal/v1/export")
                .then().statusCode(200)
                .body("service", is("gpu-broker-service"))
                .body("data.gpu_instances.contract_id", contains(contract))
                .body("data.preferences.priority", is("balanced"))
                .body("data.load_balancer.strategy", is("round_robin"));
        given().auth().oauth2(Api.newUser()).get("/internal/v1/export")
                .then().statusCode(200).body("data.gpu_instances", empty());
        given().get("/internal/v1/export").then().statusCode(401);
    }
}
