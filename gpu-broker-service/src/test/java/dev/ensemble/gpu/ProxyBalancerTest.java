package dev.ensemble.gpu;

import dev.ensemble.testing.EnsembleTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

@QuarkusTest
@QuarkusTestResource(value = EnsembleTestResource.class, initArgs = @ResourceArg(name = "database", value = "gpu"))
@QuarkusTestResource(ProviderStubs.class)
class ProxyBalancerTest {

    String token;
    List<String> contracts;
    Map<String, String> instanceOf = new HashMap<>();

    @BeforeEach
    void threeRunningInstances() {
        ProviderStubs.reset();
        token = Api.newUser();
        contracts = List.of(Api.rentOk(token, "vastai", "1001"), Api.rentOk(token, "vastai", "1002"),
                Api.rentOk(token, "vastai", "1004"));
        Api.reconcile(null);
        for (String c : contracts) {
            String providerId = given().auth().oauth2(token).get("/api/v1/gpu/contracts/" + c)
                    .then().body("status", is("running")).extract().path("provider_instance_id");
            instanceOf.put(providerId, c);
        }
    }

    private String proxyOnce(String target) {
        Map<String, Object> body = new HashMap<>();
        body.put("method", "POST");
        body.put("path", "/v1/inference");
        body.put("payload", Map.of("prompt", "Hello world"));
        if (target != null) {
            body.put("target", target);
        }
        String providerId = given().auth().oauth2(token).contentType(ContentType.JSON).body(body)
                .post("/api/v1/gpu/proxy").then().statusCode(200).extract().path("instance");
        return instanceOf.get(providerId);
    }

    private Map<String, Integer> distribution(int requests) {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < requests; i++) {
            counts.merge(proxyOnce("pool"), 1, Integer::sum);
        }
        return counts;
    }

    private void strategy(String body) {
        given().auth().oauth2(token).contentType(ContentType.JSON).body(body).put("/api/v1/loadbalancer/strategy")
                .then().statusCode(200).body("message", is("Load balancing strategy updated"));
    }

    @Test
    void forwardsToTheNamedInstanceOnly() {
        String c = contracts.get(0);
        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("method", "POST", "target", c, "path", "/v1/inference?stream=false",
                        "payload", Map.of("model", "llama-2-70b", "prompt", "Hello world"),
                        "headers", Map.of("Authorization", "Bearer stolen", "X-Custom", "x", "Accept", "application/json")))
                .post("/api/v1/gpu/proxy")
                .then().statusCode(200)
                .header("X-Ensemble-Instance", c)
                .body("path", is("/v1/inference")).body("query", is("stream=false"))
                .body("payload.prompt", is("Hello world"))
                .body("authorization", nullValue()).body("x_custom", nullValue());
        // By the seed's instance id (the offer) too, and the instance's own status passes through.
        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("method", "GET", "target", "1002", "path", "/teapot"))
                .post("/api/v1/gpu/proxy").then().statusCode(418).header("X-Ensemble-Instance", contracts.get(1));
    }

    @Test
    void roundRobinAndWeightedDistributions() {
        Map<String, Integer> rr = distribution(30);
        assertEquals(Map.of(contracts.get(0), 10, contracts.get(1), 10, contracts.get(2), 10), rr);

        strategy("{\"strategy\":\"weighted_round_robin\",\"weights\":{\"" + contracts.get(0) + "\":3,\""
                + contracts.get(1) + "\":1,\"" + contracts.get(2) + "\":1}}");
        Map<String, Integer> weighted = distribution(50);
        assertEquals(Map.of(contracts.get(0), 30, contracts.get(1), 10, contracts.get(2), 10), weighted);

        strategy("{\"strategy\":\"least_connections\"}");
        Map<String, Integer> least = distribution(30);
        assertEquals(3, least.size());
        least.values().forEach(n -> assertEquals(10, n));

        strategy("{\"strategy\":\"equal_weighted\"}");
        Map<String, Integer> equal = distribution(90);
        assertEquals(90, equal.values().stream().mapToInt(Integer::intValue).sum());
        equal.values().forEach(n -> org.junit.jupiter.api.Assertions.assertTrue(n > 10, equal.toString()));

        strategy("{\"strategy\":\"least_response_time\"}");
        assertEquals(20, distribution(20).values().stream().mapToInt(Integer::intValue).sum());

        given().auth().oauth2(token).get("/api/v1/loadbalancer/strategy")
                .then().statusCode(200).body("strategy", is("least_response_time"));
    }

    @Test
    void loadsInTheSeedShape() {
        distribution(6);
        given().auth().oauth2(token).get("/api/v1/loadbalancer/loads")
                .then().statusCode(200)
                .body("strategy", is("round_robin"))
                .body("count", is(3))
                .body("loads." + contracts.get(0) + ".connections", is(0))
                .body("loads." + contracts.get(0) + ".load", is(0.0f))
                .body("loads." + contracts.get(0) + ".response_time_ms", greaterThanOrEqualTo(0))
                .body("loads." + contracts.get(0) + ".requests", is(2));
        given().auth().oauth2(token).queryParam("instance_id", contracts.get(1)).get("/api/v1/loadbalancer/load")
                .then().statusCode(200)
                .body("instance_id", is(contracts.get(1)))
                .body("connections", is(0)).body("load", notNullValue()).body("response_time_ms", notNullValue());
        given().auth().oauth2(Api.newUser()).queryParam("instance_id", contracts.get(1)).get("/api/v1/loadbalancer/load")
                .then().statusCode(404);
        given().auth().oauth2(token).get("/api/v1/loadbalancer/load").then().statusCode(400)
                .body("errors[0].field", is("instance_id"));
        given().auth().oauth2(token).contentType(ContentType.JSON).body("{\"strategy\":\"fastest\"}")
                .put("/api/v1/loadbalancer/strategy").then().statusCode(400).body("errors[0].field", is("strategy"));
        given().auth().oauth2(token).contentType(ContentType.JSON).body("{\"strategy\":\"weighted_round_robin\",\"weights\":{\"x\":-1}}")
                .put("/api/v1/loadbalancer/strategy").then().statusCode(400).body("errors[0].field", is("weights"));
        given().get("/api/v1/loadbalancer/loads").then().statusCode(401);
        given().auth().oauth2(Api.newUser()).get("/api/v1/loadbalancer/loads")
                .then().statusCode(200).body("count", is(0)).body("strategy", is("round_robin"));
    }

    @Test
    void refusesWhatItMustNotForward() {
        String other = Api.newUser();
        given().auth().oauth2(other).contentType(ContentType.JSON)
                .body(Map.of("target", contracts.get(0), "path", "/x")).post("/api/v1/gpu/proxy")
                .then().statusCode(404).body("code", is("NOT_FOUND"));
        given().auth().oauth2(other).contentType(ContentType.JSON).body(Map.of("path", "/x")).post("/api/v1/gpu/proxy")
                .then().statusCode(409).body("code", is("NO_RUNNING_INSTANCE"));
        for (String path : new String[]{"http://169.254.169.254/latest/meta-data", "//evil.example/x", "/../../etc/passwd",
                "/a/%2e%2e/b", "relative", "/x y", "/user@host", ""}) {
            given().auth().oauth2(token).contentType(ContentType.JSON)
                    .body(Map.of("target", contracts.get(0), "path", path)).post("/api/v1/gpu/proxy")
                    .then().statusCode(400).body("errors[0].field", is("path"));
        }
        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("target", contracts.get(0), "path", "/x", "method", "TRACE")).post("/api/v1/gpu/proxy")
                .then().statusCode(400).body("errors[0].field", is("method"));
        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("target", contracts.get(0), "path", "/x", "payload", Map.of("blob", "x".repeat(20_000))))
                .post("/api/v1/gpu/proxy").then().statusCode(413).body("code", is("PAYLOAD_TOO_LARGE"));
        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("target", contracts.get(0), "path", "/slow")).post("/api/v1/gpu/proxy")
                .then().statusCode(504).body("code", is("UPSTREAM_TIMEOUT"));
        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("target", contracts.get(0), "path", "/big")).post("/api/v1/gpu/proxy")
                .then().statusCode(502).body("code", is("BAD_GATEWAY"));
        given().contentType(ContentType.JSON).body(Map.of("path", "/x")).post("/api/v1/gpu/proxy").then().statusCode(401);

        // A destroyed instance is no target any more.
        given().auth().oauth2(token).delete("/api/v1/gpu/instances/vastai/" + contracts.get(2)).then().statusCode(200);
        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("target", contracts.get(2), "path", "/x")).post("/api/v1/gpu/proxy")
                .then().statusCode(409).body("code", is("INSTANCE_NOT_RUNNING"));
    }

    @Test
    void privateEndpointsAreRefused() {
        // The cluster's pods have private addresses; loopback is allowed in tests, private ranges are not.
        String pod = Api.rentOk(token, "kubernetes", "gpu-node-1");
        ProviderStubs.vastInstanceHost = "10.1.2.3";
        String privateVast = Api.rentOk(token, "vastai", "1003");
        Api.reconcile(null);
        for (String target : new String[]{pod, privateVast}) {
            given().auth().oauth2(token).contentType(ContentType.JSON)
                    .body(Map.of("target", target, "path", "/x")).post("/api/v1/gpu/proxy")
                    .then().statusCode(403).body("code", is("TARGET_NOT_ALLOWED"));
        }
    }
}
