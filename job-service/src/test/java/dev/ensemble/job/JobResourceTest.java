package dev.ensemble.job;

import dev.ensemble.testing.EnsembleTestResource;
import dev.ensemble.testing.TestKeys;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.*;

@QuarkusTest
@QuarkusTestResource(value = EnsembleTestResource.class, initArgs = @ResourceArg(name = "database", value = "job"))
class JobResourceTest {

    @Test
    void listsTheCallersJobs() {
        given().auth().oauth2(TestKeys.user(UUID.randomUUID())).get("/api/v1/jobs?status=running&limit=10")
                .then().statusCode(200).body("jobs", empty()).body("total", is(0)).body("limit", is(10));
    }

    @Test
    void rejectsBadFiltersAndAnonymousCallers() {
        given().auth().oauth2(TestKeys.user(UUID.randomUUID())).get("/api/v1/jobs?status=bogus")
                .then().statusCode(400).body("errors[0].field", is("status"));
        given().auth().oauth2(TestKeys.user(UUID.randomUUID())).get("/api/v1/jobs?offset=-1")
                .then().statusCode(400).body("errors[0].field", is("offset"));
        given().get("/api/v1/jobs").then().statusCode(401);
    }

    @Test
    void readyWithDatabaseAndKafka() {
        given().get("/q/health/ready").then().statusCode(200);
    }
}
