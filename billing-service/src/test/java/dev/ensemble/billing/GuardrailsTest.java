package dev.ensemble.billing;

import dev.ensemble.billing.support.Http;
import dev.ensemble.billing.support.StripeStub;
import dev.ensemble.testing.EnsembleTestResource;
import dev.ensemble.testing.TestKeys;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

@QuarkusTest
@QuarkusTestResource(value = EnsembleTestResource.class, initArgs = @ResourceArg(name = "database", value = "billing"))
@QuarkusTestResource(StripeStub.class)
class GuardrailsTest {

    static final String BASE = "/api/v1/guardrails/spending";

    static RequestSpecification as(UUID user) {
        return given().auth().oauth2(TestKeys.user(user)).contentType(ContentType.JSON);
    }

    static void limit(UUID user, String window, String limit) {
        as(user).body("{\"limit\":" + limit + "}").put(BASE + "/windows/" + window).then().statusCode(200);
    }

    @Test
    void spendingViewHasTheSeedShapeWithDefaultWindows() {
        UUID user = UUID.randomUUID();
        as(user).get(BASE).then().statusCode(200)
                .body("window_spent", is(0.0f))
                .body("window_limit", is(1000.0f))
                .body("window_name", is("monthly"))
                .body("percentage_used", is(0.0f))
                .body("violations", hasSize(0))
                .body("windows.name", equalTo(List.of("hourly", "daily", "monthly")))
                .body("windows[0].limit", is(100.0f))
                .body("windows[0].period_start", notNullValue())
                .body("windows[0].period_end", notNullValue());
    }

    @Test
    void recordCheckAndResetFollowTheSeed() {
        UUID user = UUID.randomUUID();
        as(user).body("{\"amount\": 150.50}").post(BASE + "/record").then().statusCode(402)
                .body("code", is("SPENDING_LIMIT")); // over the hourly default of 100
        limit(user, "hourly", "1000");
        limit(user, "daily", "1000");
        as(user).body("{\"amount\": 150.50}").post(BASE + "/record").then().statusCode(200);
        as(user).body("{\"amount\": 25.50}").post(BASE + "/record").then().statusCode(200)
                .body("message", is("Spending recorded successfully"))
                .body("new_total", is(176.0f));
        as(user).get(BASE).then().statusCode(200)
                .body("window_spent", is(176.0f)).body("window_limit", is(1000.0f))
                .body("percentage_used", is(17.6f));
        as(user).body("{\"estimated_cost\": 50.00}").post(BASE + "/check").then().statusCode(200)
                .body("allowed", is(true)).body("spent", is(176.0f)).body("limit", is(1000.0f));
        limit(user, "hourly", "100");
        as(user).body("{\"estimated_cost\": 50.00}").post(BASE + "/check").then().statusCode(402)
                .contentType("application/problem+json")
                .body("code", is("SPENDING_LIMIT"))
                .body("allowed", is(false))
                .body("violations", hasSize(1))
                .body("violations[0].window", is("hourly"))
                .body("violations[0].spent", is(226.0f))
                .body("violations[0].limit", is(100.0f))
                .body("spent", notNullValue());
        // a check records nothing
        as(user).get(BASE).then().body("windows.find { it.name == 'daily' }.spent", is(176.0f));
        as(user).body("{\"window_name\": \"hourly\"}").post(BASE + "/reset").then().statusCode(200)
                .body("message", is("Spending reset successfully"));
        as(user).get(BASE).then()
                .body("windows.find { it.name == 'hourly' }.spent", is(0.0f))
                .body("windows.find { it.name == 'monthly' }.spent", is(176.0f));
        as(user).body("{}").post(BASE + "/reset").then().statusCode(200);
        as(user).get(BASE).then().body("windows.spent", everyItem(is(0.0f)));
        as(user).body("{\"window_name\": \"weekly\"}").post(BASE + "/reset").then().statusCode(400)
                .body("code", is("VALIDATION_ERROR")).body("errors[0].field", is("window_name"));
    }

    @Test
    void twoHundredConcurrentRecordsNeverExceedTheLimit() {
        UUID user = UUID.randomUUID();
        limit(user, "hourly", "10.00");
        List<Integer> statuses = Http.concurrentPosts(BASE + "/record", TestKeys.user(user), "{\"amount\":\"0.10\"}", 200);
        long ok = statuses.stream().filter(s -> s == 200).count();
        long refused = statuses.stream().filter(s -> s == 402).count();
        assertEquals(200, ok + refused, "every answer is 200 or 402: " + statuses);
        assertEquals(100, ok);
        as(user).get(BASE).then().body("windows.find { it.name == 'hourly' }.spent", is(10.0f))
                .body("windows.find { it.name == 'daily' }.spent", is(10.0f));
    }

    @Test
    void twoHundredConcurrentReservationsNeverExceedTheLimit() {
        UUID user = UUID.randomUUID();
        limit(user, "hourly", "5.00");
        List<Integer> statuses = Http.concurrentPosts(BASE + "/reserve", TestKeys.user(user),
                "{\"amount\":\"0.05\",\"currency\":\"USD\",\"purpose\":\"chat\"}", 200);
        assertEquals(100, statuses.stream().filter(s -> s == 201).count(), statuses.toString());
        assertEquals(100, statuses.stream().filter(s -> s == 402).count());
        as(user).get(BASE).then().body("held", is(5.0f)).body("windows[0].remaining", is(0.0f));
        as(user).body("{\"estimated_cost\": 0.01}").post(BASE + "/check").then().statusCode(402);
    }

    @Test
    void reserveSettleAndReleaseAreIdempotent() {
        UUID user = UUID.randomUUID();
        String id = as(user).body("{\"amount\":\"1.50\",\"currency\":\"USD\",\"purpose\":\"gpu_instance\","
                        + "\"reference_id\":\"inst-1\",\"ttl_seconds\":900}")
                .post(BASE + "/reserve").then().statusCode(201)
                .body("status", is("held")).body("amount", is(1.5f)).body("currency", is("USD"))
                .body("expires_at", notNullValue())
                .extract().path("reservation_id");
        // the same reference answers the same hold
        as(user).body("{\"amount\":\"1.50\",\"purpose\":\"gpu_instance\",\"reference_id\":\"inst-1\"}")
                .post(BASE + "/reserve").then().statusCode(200).body("reservation_id", is(id));
        as(user).get(BASE).then().body("held", is(1.5f));
        as(user).body("{\"amount\":\"1.20\"}").post(BASE + "/reservations/" + id + "/settle").then().statusCode(200)
                .body("status", is("settled")).body("amount", is(1.2f)).body("held_amount", is(1.5f));
        as(user).body("{\"amount\":\"9.99\"}").post(BASE + "/reservations/" + id + "/settle").then().statusCode(200)
                .body("status", is("settled")).body("amount", is(1.2f));
        as(user).post(BASE + "/reservations/" + id + "/release").then().statusCode(409).body("code", is("CONFLICT"));
        as(user).get(BASE).then().body("held", is(0.0f)).body("windows[0].spent", is(1.2f));
        // charged once to the ledger
        as(user).get("/api/v1/billing/transactions").then().statusCode(200)
                .body("transactions.findAll { it.reference == 'reservation:" + id + "' }", hasSize(1))
                .body("transactions[0].amount", is(-1.2f)).body("transactions[0].type", is("usage"));

        String other = as(user).body("{\"amount\":\"2\",\"purpose\":\"chat\"}").post(BASE + "/reserve")
                .then().statusCode(201).extract().path("reservation_id");
        as(user).post(BASE + "/reservations/" + other + "/release").then().statusCode(200).body("status", is("released"));
        as(user).post(BASE + "/reservations/" + other + "/release").then().statusCode(200).body("status", is("released"));
        as(user).body("{\"amount\":\"1\"}").post(BASE + "/reservations/" + other + "/settle").then().statusCode(409);
        as(user).get(BASE).then().body("held", is(0.0f));

        // another user's reservation does not exist for you
        UUID stranger = UUID.randomUUID();
        as(stranger).get(BASE + "/reservations/" + id).then().statusCode(404).body("code", is("NOT_FOUND"));
        as(stranger).body("{\"amount\":\"1\"}").post(BASE + "/reservations/" + id + "/settle").then().statusCode(404);
        as(stranger).post(BASE + "/reservations/" + id + "/release").then().statusCode(404);
        as(stranger).post(BASE + "/reservations/not-a-uuid/release").then().statusCode(404);
    }

    @Test
    void anUnsettledReservationExpiresAndStopsCounting() throws InterruptedException {
        UUID user = UUID.randomUUID();
        limit(user, "hourly", "10");
        String id = as(user).body("{\"amount\":\"8\",\"purpose\":\"training\",\"ttl_seconds\":1}")
                .post(BASE + "/reserve").then().statusCode(201).extract().path("reservation_id");
        as(user).body("{\"amount\":\"5\",\"purpose\":\"training\"}").post(BASE + "/reserve").then().statusCode(402)
                .body("code", is("SPENDING_LIMIT"));
        Thread.sleep(1_300);
        as(user).body("{\"amount\":\"5\",\"purpose\":\"training\",\"ttl_seconds\":60}").post(BASE + "/reserve")
                .then().statusCode(201);
        as(user).get(BASE + "/reservations/" + id).then().statusCode(200).body("status", is("expired"));
        // and the sweep records it as expired in the database
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(15)).untilAsserted(() ->
                as(user).get("/internal/v1/export").then().statusCode(200)
                        .body("data.reservations.find { it.reservation_id == '" + id + "' }.status", is("expired")));
    }

    @Test
    void aCustomWindowStartsAgainWhenItsPeriodEnds() throws InterruptedException {
        UUID user = UUID.randomUUID();
        as(user).body("{\"limit\": 1.00, \"duration_seconds\": 2}").put(BASE + "/windows/burst").then().statusCode(200)
                .body("name", is("burst")).body("kind", is("custom")).body("duration_seconds", is(2))
                .body("limit", is(1.0f));
        as(user).body("{\"amount\": 1.00}").post(BASE + "/record").then().statusCode(200);
        as(user).body("{\"amount\": 0.01}").post(BASE + "/record").then().statusCode(402)
                .body("violations[0].window", is("burst"));
        Thread.sleep(2_100);
        as(user).body("{\"amount\": 0.50}").post(BASE + "/record").then().statusCode(200);
        as(user).get(BASE).then().body("windows.find { it.name == 'burst' }.spent", is(0.5f))
                .body("windows.find { it.name == 'monthly' }.spent", is(1.5f))
                .body("windows.name", equalTo(List.of("burst", "hourly", "daily", "monthly")));
        as(user).delete(BASE + "/windows/burst").then().statusCode(204);
        as(user).delete(BASE + "/windows/burst").then().statusCode(404);
        as(user).get(BASE).then().body("windows.name", equalTo(List.of("hourly", "daily", "monthly")));
    }

    @Test
    void windowLimitsAreValidated() {
        UUID user = UUID.randomUUID();
        as(user).body("{\"limit\": 5}").put(BASE + "/windows/custom1").then().statusCode(400)
                .body("errors[0].field", is("duration_seconds"));
        as(user).body("{\"limit\": 5, \"duration_seconds\": 60}").put(BASE + "/windows/daily").then().statusCode(400)
                .body("errors[0].field", is("duration_seconds"));
        as(user).body("{\"limit\": -5}").put(BASE + "/windows/daily").then().statusCode(400)
                .body("errors[0].field", is("limit"));
        as(user).body("{\"limit\": 5, \"duration_seconds\": 60}").put(BASE + "/windows/Bad%20Name").then().statusCode(400)
                .body("errors[0].field", is("name"));
        as(user).body("{\"limit\": \"lots\"}").put(BASE + "/windows/daily").then().statusCode(400)
                .body("code", is("VALIDATION_ERROR")).body("errors[0].field", is("limit"));
    }

    @Test
    void badAmountsAreRefusedNamingTheField() {
        UUID user = UUID.randomUUID();
        for (String bad : List.of("-1", "0", "\"1e400\"", "1000000000", "0.0000001", "\"abc\"", "null", "true")) {
            as(user).body("{\"amount\": " + bad + "}").post(BASE + "/record").then().statusCode(400)
                    .contentType("application/problem+json")
                    .body("code", is("VALIDATION_ERROR")).body("errors[0].field", is("amount"));
            as(user).body("{\"amount\": " + bad + ", \"purpose\": \"chat\"}").post(BASE + "/reserve").then().statusCode(400)
                    .body("errors[0].field", is("amount"));
        }
        as(user).body("{\"estimated_cost\": -3}").post(BASE + "/check").then().statusCode(400)
                .body("errors[0].field", is("estimated_cost"));
        as(user).body("{\"amount\": 1, \"currency\": \"XYZ\"}").post(BASE + "/record").then().statusCode(400)
                .body("errors[0].field", is("currency"));
        as(user).body("{\"amount\": 1, \"currency\": \"EUR\"}").post(BASE + "/reserve").then().statusCode(400)
                .body("errors[0].field", is("currency")).body("detail", containsString("USD"));
        as(user).body("{\"amount\": 1, \"currency\": \"US\"}").post(BASE + "/reserve").then().statusCode(400)
                .body("errors[0].field", is("currency"));
        as(user).body("{\"amount\": 1, \"ttl_seconds\": 0}").post(BASE + "/reserve").then().statusCode(400)
                .body("errors[0].field", is("ttl_seconds"));
        as(user).body("{\"amount\": 1, \"purpose\": \"<script>\"}").post(BASE + "/reserve").then().statusCode(400)
                .body("errors[0].field", is("purpose"));
        as(user).body("{\"amount\": 1,").post(BASE + "/record").then().statusCode(400).body("code", is("MALFORMED_JSON"));
        as(user).body("[1,2]").post(BASE + "/record").then().statusCode(400);
        as(user).post(BASE + "/record").then().statusCode(400).body("errors[0].field", is("body"));
        as(user).body("{\"amount\": 1}").post(BASE + "/reservations/" + UUID.randomUUID() + "/settle").then().statusCode(404);
        as(user).get(BASE).then().body("windows.spent", everyItem(is(0.0f))).body("held", is(0.0f));
    }

    @Test
    void anonymousCallersAreRefused() {
        given().get(BASE).then().statusCode(401).body("code", is("AUTH_REQUIRED"));
        given().contentType(ContentType.JSON).body("{\"amount\":1}").post(BASE + "/record").then().statusCode(401);
        given().contentType(ContentType.JSON).body("{\"amount\":1}").post(BASE + "/reserve").then().statusCode(401);
        given().auth().oauth2("not-a-token").get(BASE).then().statusCode(401);
    }

    @Test
    void anotherUsersSpendingIsInvisible() {
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        limit(a, "hourly", "1000");
        as(a).body("{\"amount\": 42}").post(BASE + "/record").then().statusCode(200);
        as(b).get(BASE).then().body("window_spent", is(0.0f)).body("windows.spent", everyItem(is(0.0f)));
        as(b).get("/internal/v1/export").then().statusCode(200).body("data.spending_windows.spent", everyItem(is(0.0f)));
    }

    @Test
    void theSeedDialectHeaderChangesNothing() {
        UUID user = UUID.randomUUID();
        as(user).header("X-Ensemble-Dialect", "aiserve").body("{\"estimated_cost\": 1}").post(BASE + "/check")
                .then().statusCode(200).body("allowed", is(true)).body("limit", is(1000.0f));
    }
}
