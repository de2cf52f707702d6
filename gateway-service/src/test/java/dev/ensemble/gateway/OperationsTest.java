package dev.ensemble.gateway;

import dev.ensemble.testing.EnsembleTestResource;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.*;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@io.quarkus.test.junit.TestProfile(BareProxyProfile.class)
@QuarkusTestResource(value = EnsembleTestResource.class, initArgs = @ResourceArg(name = "database", value = "gateway"))
@QuarkusTestResource(UpstreamStub.class)
class OperationsTest {

    @Inject
    AgroalDataSource dataSource;

    @Test
    void healthAggregatesEveryServiceAndReportsOneDownAsDegraded() throws Exception {
        given().get("/health").then()
                .statusCode(200)
                .contentType("application/json")
                .body("status", is("degraded"))
                .body("timestamp", notNullValue())
                .body("version", notNullValue())
                .body("uptime", greaterThanOrEqualTo(0))
                .body("services.keySet()", hasItems("auth", "inference", "job", "gpu-broker", "billing", "gateway"))
                .body("services.auth.status", is("healthy"))
                .body("services.auth.response_time", isA(Number.class))
                .body("services.auth.uptime", greaterThanOrEqualTo(0))
                .body("services.billing.status", is("unhealthy"))
                .body("services.gateway.status", is("healthy"))
                .body("components.auth", is("healthy"))
                .body("components.billing", is("unhealthy"))
                .body("components.database", is("healthy"))
                .body("checks.database.healthy", is(true))
                .body("checks.database.response_time_ms", greaterThanOrEqualTo(0))
                .body("checks.kafka.healthy", is(true))
                .body("checks.billing.healthy", is(false))
                .body("checks.billing.error", is("unreachable"))
                .body("checks.job.healthy", is(true));

        // the gateway wrote down what it saw
        try (Connection c = dataSource.getConnection();
             ResultSet rs = c.createStatement().executeQuery(
                     "SELECT count(*) FROM ops_logs WHERE service = 'billing' AND event = 'service.down'")) {
            rs.next();
            assertTrue(rs.getInt(1) >= 1, "billing going down was not logged");
        }
    }

    @Test
    void readinessAndSingleDependencyChecks() {
        given().get("/readiness").then().statusCode(200)
                .body("ready", is(true))
                .body("checks.database", is(true))
                .body("checks.kafka", is(true))
                .body("checks.cache", is(true))
                .body("checks.external_services", is(false));
        given().get("/health/database").then().statusCode(200)
                .body("healthy", is(true)).body("status", is("healthy"));
        given().get("/health/billing").then().statusCode(503).body("healthy", is(false));
        given().get("/health/nothing").then().statusCode(404).body("code", is("NOT_FOUND"));
    }

    @Test
    void metricsCountProxiedRequestsByServiceAndStatus() {
        given().get("/api/v1/auth/echo").then().statusCode(200);
        given().get("/api/v1/billing/x").then().statusCode(503);
        String text = given().accept("text/plain").get("/metrics").then().statusCode(200)
                .contentType(startsWith("text/plain")).extract().asString();
        assertTrue(text.contains("ensemble_gateway_proxy_requests_seconds_count{status=\"200\",upstream=\"auth\""), text);
        assertTrue(text.contains("ensemble_gateway_proxy_requests_seconds_bucket{status=\"200\",upstream=\"auth\""), text);
        assertTrue(text.contains("ensemble_gateway_proxy_requests_seconds_count{status=\"503\",upstream=\"billing\""), text);
        assertTrue(text.contains("ensemble_gateway_proxy_failures_total{reason=\"connect\",upstream=\"billing\""), text);
        assertTrue(text.contains("ensemble_gateway_proxy_active{upstream=\"auth\""), text);
    }

    @Test
    void publishesOpenApiAndSwaggerUi() {
        given().get("/q/openapi").then().statusCode(200).body(containsString("/health"));
        given().get("/q/swagger-ui/").then().statusCode(200);
        given().get("/q/health/ready").then().statusCode(200);
    }
}
