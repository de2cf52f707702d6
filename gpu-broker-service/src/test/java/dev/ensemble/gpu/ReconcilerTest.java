package dev.ensemble.gpu;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ensemble.events.Events;
import dev.ensemble.events.Topics;
import dev.ensemble.testing.EnsembleTestResource;
import dev.ensemble.testing.KafkaTestClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@QuarkusTestResource(value = EnsembleTestResource.class, initArgs = @ResourceArg(name = "database", value = "gpu"))
@QuarkusTestResource(ProviderStubs.class)
class ReconcilerTest {

    @BeforeEach
    void reset() {
        ProviderStubs.reset();
    }

    private static List<JsonNode> usageOf(String contract, Duration wait) {
        return KafkaTestClient.await(Topics.USAGE_EVENTS, r -> r.value().contains(contract), wait).stream()
                .map(r -> Events.read(r.value()).data()).toList();
    }

    @Test
    void aCreateThatFailedButLeftAnInstanceIsFoundAndDestroyed() {
        ProviderStubs.vastCreateMode = "fail_but_create";
        String token = Api.newUser();
        Api.rent(token, "vastai", "1004", 1, false).statusCode(502);
        String contract = given().auth().oauth2(token).get("/api/v1/gpu/contracts")
                .then().statusCode(200).body("instances[0].status", is("failed")).extract().path("instances[0].contract_id");
        assertEquals(1, ProviderStubs.vastInstances.size(), "vast.ai kept a billable instance");

        Api.reconcile(null).body("providers.vastai.orphans_destroyed", is(1));
        assertTrue(ProviderStubs.vastInstances.isEmpty());
        var events = KafkaTestClient.await(Topics.GPU_EVENTS, r -> r.key().equals(contract)
                && r.value().contains("gpu.instance.orphan_destroyed"), Duration.ofSeconds(20));
        assertEquals(1, events.size());
        // Nothing is billed for a rental that failed.
        assertTrue(usageOf(contract, Duration.ofSeconds(2)).isEmpty());
    }

    @Test
    void instancesLabelledByUsButUnknownAreDestroyedOthersAreLeftAlone() {
        var mapper = ProviderStubs.JSON;
        ProviderStubs.vastInstances.put("555", mapper.createObjectNode().put("id", 555)
                .put("label", "ensemble-" + UUID.randomUUID()).put("actual_status", "running"));
        ProviderStubs.vastInstances.put("556", mapper.createObjectNode().put("id", 556)
                .put("label", "my-own-notebook").put("actual_status", "running"));
        Api.reconcile(null);
        assertEquals(List.of("556"), List.copyOf(ProviderStubs.vastInstances.keySet()));
    }

    @Test
    void provisioningBecomesRunningAndLostInstancesAreMarkedFailed() {
        String token = Api.newUser();
        String running = Api.rentOk(token, "vastai", "1001");
        String lost = Api.rentOk(token, "vastai", "1004");
        ProviderStubs.vastInstances.values().removeIf(i -> i.path("label").asText().equals("ensemble-" + lost));
        Api.reconcile(null);
        given().auth().oauth2(token).get("/api/v1/gpu/contracts/" + running).then().body("status", is("running"));
        given().auth().oauth2(token).get("/api/v1/gpu/contracts/" + lost)
                .then().body("status", is("failed")).body("error", containsString("no longer lists"));
    }

    @Test
    void expiresAtTheEndOfTheRentalAndBillsGpuTimeOnce() {
        String token = Api.newUser();
        String contract = Api.rent(token, "vastai", "1002", 1, false).statusCode(201).extract().path("contract_id");
        Api.reconcile(Instant.now().plus(Duration.ofHours(2)).toString());
        given().auth().oauth2(token).get("/api/v1/gpu/contracts/" + contract)
                .then().body("status", is("expired"));
        assertTrue(ProviderStubs.vastInstances.isEmpty(), "the instance was destroyed at the provider");

        List<JsonNode> usage = usageOf(contract, Duration.ofSeconds(20));
        assertEquals(1, usage.size());
        JsonNode u = usage.get(0);
        assertEquals("gpu_time", u.path("kind").asText());
        // One hour on two GPUs, at 0.85 per hour for the machine.
        assertEquals(0, new BigDecimal("7200").compareTo(u.path("quantity").decimalValue()));
        assertEquals(0, new BigDecimal("0.85").compareTo(u.path("cost").decimalValue()));
        assertEquals("USD", u.path("currency").asText());
        assertTrue(u.hasNonNull("reservation_id"));

        // Later passes, and destroying it again, add nothing.
        Api.reconcile(Instant.now().plus(Duration.ofHours(5)).toString());
        given().auth().oauth2(token).delete("/api/v1/gpu/instances/vastai/" + contract).then().statusCode(404);
        KafkaTestClient.await(Topics.USAGE_EVENTS, r -> false, Duration.ofSeconds(3));
        assertEquals(1, usageOf(contract, Duration.ofSeconds(5)).size());
    }

    @Test
    void autoRenewExtendsTheRentalAndBillsThePeriod() {
        String token = Api.newUser();
        String contract = Api.rent(token, "ionet", "150@7", 1, true).statusCode(201).extract().path("contract_id");
        String firstEnd = given().auth().oauth2(token).get("/api/v1/gpu/contracts/" + contract).then()
                .extract().path("expires_at");
        String report = Api.reconcile(Instant.now().plus(Duration.ofMinutes(90)).toString()).extract().asString();
        assertEquals(1, ProviderStubs.ionetExtends.size(), report);
        String secondEnd = given().auth().oauth2(token).get("/api/v1/gpu/contracts/" + contract).then()
                .body("status", is("running")).extract().path("expires_at");
        assertEquals(Duration.ofHours(1), Duration.between(Instant.parse(firstEnd), Instant.parse(secondEnd)));
        List<JsonNode> usage = usageOf(contract, Duration.ofSeconds(20));
        assertEquals(1, usage.size());
        assertEquals(0, new BigDecimal("3600").compareTo(usage.get(0).path("quantity").decimalValue()));
    }

    @Test
    void onlyAdminsTriggerAPass() {
        given().auth().oauth2(Api.newUser()).post("/api/v1/gpu/admin/reconcile").then().statusCode(403);
        given().post("/api/v1/gpu/admin/reconcile").then().statusCode(401);
        given().auth().oauth2(Api.admin()).queryParam("at", "yesterday").post("/api/v1/gpu/admin/reconcile")
                .then().statusCode(400).body("errors[0].field", is("at"));
    }
}
