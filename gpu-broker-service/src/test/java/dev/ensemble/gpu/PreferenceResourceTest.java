package dev.ensemble.gpu;

import dev.ensemble.testing.EnsembleTestResource;
import dev.ensemble.testing.TestKeys;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.*;

@QuarkusTest
@QuarkusTestResource(value = EnsembleTestResource.class, initArgs = @ResourceArg(name = "database", value = "gpu"))
@QuarkusTestResource(ProviderStubs.class)
class PreferenceResourceTest {

    static final String BODY = "{\"preferred_vendors\":[\"NVIDIA\"],\"preferred_tiers\":[\"high-end\"],"
            + "\"min_vram\":24,\"max_price_per_hour\":3.0,\"priority\":\"performance\"}";

    @Test
    void defaultsThenSavedPreferences() {
        String token = TestKeys.user(UUID.randomUUID());
        given().auth().oauth2(token).get("/api/v1/gpu/preferences")
                .then().statusCode(200).body("is_default", is(true)).body("priority", is("balanced"));
        given().auth().oauth2(token).contentType(ContentType.JSON).body(BODY).post("/api/v1/gpu/preferences")
                .then().statusCode(200).body("message", is("Preferences saved successfully"))
                .body("preferences.min_vram", is(24)).body("id", notNullValue());
        given().auth().oauth2(token).get("/api/v1/gpu/preferences")
                .then().statusCode(200).body("is_default", is(false)).body("preferred_vendors", contains("NVIDIA"))
                .body("max_price_per_hour", is(3.0f));
    }

    @Test
    void preferencesArePerUser() {
        String alice = TestKeys.user(UUID.randomUUID());
        given().auth().oauth2(alice).contentType(ContentType.JSON).body(BODY).post("/api/v1/gpu/preferences")
                .then().statusCode(200);
        given().auth().oauth2(TestKeys.user(UUID.randomUUID())).get("/api/v1/gpu/preferences")
                .then().statusCode(200).body("is_default", is(true));
    }

    @Test
    void validationNamesTheField() {
        String token = TestKeys.user(UUID.randomUUID());
        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(BODY.replace("24", "-1").replace("performance", "fastest"))
                .post("/api/v1/gpu/preferences")
                .then().statusCode(400).body("errors.field", hasItems("min_vram", "priority"));
        given().auth().oauth2(token).contentType(ContentType.JSON).body(BODY.replace("24", "\"lots\""))
                .post("/api/v1/gpu/preferences")
                .then().statusCode(400).body("errors[0].field", is("min_vram"));
        given().contentType(ContentType.JSON).body(BODY).post("/api/v1/gpu/preferences").then().statusCode(401);
    }
}
