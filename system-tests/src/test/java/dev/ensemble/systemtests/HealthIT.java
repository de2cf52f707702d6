package dev.ensemble.systemtests;

import dev.ensemble.launcher.Service;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The gateway's aggregate health and its metrics. */
class HealthIT extends SystemTest {

    @Test
    void healthShowsAllSixServicesUp() {
        await("all six services healthy in GET /health")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> {
                    Response response = gateway().get("/health");
                    response.then().statusCode(200).body("status", equalTo("healthy"));
                    Map<String, Object> services = response.path("services");
                    assertNotNull(services, "services object in " + response.asString());
                    for (Service s : Service.values()) {
                        Map<?, ?> entry = find(services, s);
                        assertNotNull(entry, s.module() + " missing from /health services " + services.keySet());
                        String status = String.valueOf(entry.get("status")).toLowerCase(Locale.ROOT);
                        assertTrue(status.equals("healthy") || status.equals("up"),
                                s.module() + " is " + entry.get("status") + " in " + response.asString());
                    }
                });
    }

    /** The entry for a service, whether keyed {@code auth-service}, {@code auth_service} or {@code auth}. */
    private static Map<?, ?> find(Map<String, Object> services, Service s) {
        String wanted = normalise(s.module());
        for (var e : services.entrySet()) {
            if (normalise(e.getKey()).equals(wanted) && e.getValue() instanceof Map<?, ?> m) {
                return m;
            }
        }
        return null;
    }

    private static String normalise(String key) {
        return key.toLowerCase(Locale.ROOT).replace('_', '-').replaceAll("-service$", "");
    }

    @Test
    void metricsArePrometheusText() {
        // What a Prometheus scraper asking for the classic text format gets.
        gateway().accept("text/plain").get("/metrics")
                .then().statusCode(200)
                .contentType(startsWith("text/plain"))
                .body(containsString("# TYPE "))
                .body(containsString("# HELP "));
        // And a client that accepts anything (curl): Prometheus text or OpenMetrics text.
        gateway().accept("*/*").get("/metrics")
                .then().statusCode(200)
                .contentType(anyOf(startsWith("text/plain"), startsWith("application/openmetrics-text")))
                .body(containsString("# TYPE "));
    }
}
