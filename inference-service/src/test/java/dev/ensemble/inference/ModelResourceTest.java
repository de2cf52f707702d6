package dev.ensemble.inference;

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
@QuarkusTestResource(value = EnsembleTestResource.class, initArgs = @ResourceArg(name = "database", value = "inference"))
class ModelResourceTest {

    @Test
    void listsTheCallersModels() {
        given().auth().oauth2(TestKeys.user(UUID.randomUUID())).get("/api/v1/models")
                .then().statusCode(200).body("models", empty()).body("total", is(0));
    }

    @Test
    void validatesPagingAndNeedsAToken() {
        given().auth().oauth2(TestKeys.user(UUID.randomUUID())).get("/api/v1/models?limit=0")
                .then().statusCode(400).body("code", is("VALIDATION_ERROR")).body("errors[0].field", is("limit"));
        given().auth().oauth2(TestKeys.user(UUID.randomUUID())).get("/api/v1/models?limit=abc")
                .then().statusCode(anyOf(is(400), is(404)));
        given().get("/api/v1/models").then().statusCode(401);
    }

    @Test
    void unknownModelIs404() {
        given().auth().oauth2(TestKeys.user(UUID.randomUUID())).get("/api/v1/models/" + UUID.randomUUID())
                .then().statusCode(404).body("code", is("NOT_FOUND"));
        given().auth().oauth2(TestKeys.user(UUID.randomUUID())).get("/api/v1/models/not-a-uuid")
                .then().statusCode(404);
    }

    @Test
    void readyWithDatabaseAndKafka() {
        given().get("/q/health/ready").then().statusCode(200);
    }
}
