package dev.ensemble.gpu;

import dev.ensemble.testing.EnsembleTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

/** The scheduled loop itself (the other tests trigger passes by hand): it runs and updates contracts. */
@QuarkusTest
@TestProfile(ScheduledReconcileTest.Every500ms.class)
@QuarkusTestResource(value = EnsembleTestResource.class, initArgs = @ResourceArg(name = "database", value = "gpu"))
@QuarkusTestResource(ProviderStubs.class)
class ScheduledReconcileTest {

    public static class Every500ms implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("gpu-broker.reconcile.enabled", "true", "gpu-broker.reconcile.every", "0.5s",
                    "gpu-broker.reconcile.delay", "0s");
        }
    }

    @Test
    void theLoopMarksCreatedInstancesRunning() {
        ProviderStubs.reset();
        String token = Api.newUser();
        String contract = Api.rentOk(token, "vastai", "1001");
        await().atMost(Duration.ofSeconds(20)).until(() -> "running".equals(given().auth().oauth2(token)
                .get("/api/v1/gpu/contracts/" + contract).then().statusCode(200).extract().path("status")));
    }
}
