package dev.ensemble.gpu;

import dev.ensemble.testing.EnsembleTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.*;

@QuarkusTest
@QuarkusTestResource(value = EnsembleTestResource.class, initArgs = @ResourceArg(name = "database", value = "gpu"))
@QuarkusTestResource(ProviderStubs.class)
class FleetResourceTest {

    static final String PERFORMANCE = "{\"preferred_vendors\":[\"NVIDIA\"],\"preferred_tiers\":[\"high-end\"],"
            + "\"min_vram\":24,\"max_price_per_hour\":3.0,\"priority\":\"performance\"}";

    @BeforeEach
    void reset() {
        ProviderStubs.reset();
    }

    @Test
    void batchCreatesPerProvider() {
        String token = Api.newUser();
        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body("{\"vastai_count\":2,\"ionet_count\":1,\"config\":{\"duration_hours\":4,\"auto_renew\":false}}")
                .post("/api/v1/gpu/instances/batch")
                .then().statusCode(201)
                .body("vastai_instances.size()", is(2))
                .body("ionet_instances.size()", is(1))
                .body("total_created", is(3))
                .body("errors", empty());
        given().auth().oauth2(token).get("/api/v1/gpu/contracts").then().body("total", is(3))
                .body("instances.duration_hours", everyItem(is(4)));
    }

    @Test
    void batchReportsWhatCouldNotBeCreated() {
        String token = Api.newUser();
        // io.net has two hardware offers available; the third instance cannot be had.
        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body("{\"vastai_count\":1,\"ionet_count\":3,\"sandbox_count\":1,\"config\":{\"duration_hours\":1}}")
                .post("/api/v1/gpu/instances/batch")
                .then().statusCode(201)
                .body("total_created", is(3))
                .body("ionet_instances.size()", is(2))
                .body("errors.size()", is(2))
                .body("errors.code", hasItems("NO_CAPACITY", "NOT_FOUND"))
                .body("errors.provider", hasItems("ionet", "sandbox"));
    }

    @Test
    void batchValidation() {
        String token = Api.newUser();
        given().auth().oauth2(token).contentType(ContentType.JSON).body("{\"vastai_count\":-1}")
                .post("/api/v1/gpu/instances/batch").then().statusCode(400).body("errors[0].field", is("vastai_count"));
        given().auth().oauth2(token).contentType(ContentType.JSON).body("{\"vastai_count\":0,\"ionet_count\":0}")
                .post("/api/v1/gpu/instances/batch").then().statusCode(400).body("code", is("VALIDATION_ERROR"));
        given().auth().oauth2(token).contentType(ContentType.JSON).body("{\"vastai_count\":500}")
                .post("/api/v1/gpu/instances/batch").then().statusCode(400);
        given().auth().oauth2(token).contentType(ContentType.JSON).body("{\"vastai_count\":1,\"config\":{\"duration_hours\":0}}")
                .post("/api/v1/gpu/instances/batch").then().statusCode(400).body("errors[0].field", containsString("duration_hours"));
        given().auth().oauth2(token).contentType(ContentType.JSON).body("[1,2]")
                .post("/api/v1/gpu/instances/batch").then().statusCode(400);
        given().contentType(ContentType.JSON).body("{\"vastai_count\":1}").post("/api/v1/gpu/instances/batch").then().statusCode(401);
    }

    @Test
    void reserveChoosesTheBestOffersByPreferences() {
        String token = Api.newUser();
        given().auth().oauth2(token).contentType(ContentType.JSON).body(PERFORMANCE).post("/api/v1/gpu/preferences")
                .then().statusCode(200);
        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body("{\"count\":2,\"filters\":{\"min_vram\":24,\"gpu_model\":\"RTX 4090\",\"location\":\"US\"},"
                        + "\"config\":{\"duration_hours\":8,\"auto_renew\":true}}")
                .post("/api/v1/gpu/instances/reserve")
                .then().statusCode(201)
                .body("count", is(2)).body("requested", is(2)).body("errors", empty())
                .body("reserved.instance_id", contains("1001", "1002"))
                .body("reserved[0].provider", is("vastai"))
                .body("reserved[0].contract_id", notNullValue());
    }

    @Test
    void reserveFailsOverWhenTheBestOfferIsGone() {
        String token = Api.newUser();
        ProviderStubs.vastGone.add("1001");
        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body("{\"count\":1,\"filters\":{\"gpu_model\":\"RTX 4090\"}}")
                .post("/api/v1/gpu/instances/reserve")
                .then().statusCode(201)
                .body("reserved.instance_id", contains("1002"))
                .body("failovers", is(1)).body("errors", empty());
    }

    @Test
    void reserveAcrossProvidersWithPartialSuccess() {
        String token = Api.newUser();
        given().auth().oauth2(token).contentType(ContentType.JSON).body(PERFORMANCE).post("/api/v1/gpu/preferences")
                .then().statusCode(200);
        // High-end NVIDIA with 80 GB: vast.ai's A100, io.net's H100 and the cluster's A100 node.
        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body("{\"count\":4,\"filters\":{\"min_vram\":80}}")
                .post("/api/v1/gpu/instances/reserve")
                .then().statusCode(201)
                .body("count", is(3)).body("requested", is(4))
                .body("reserved.provider", containsInAnyOrder("vastai", "ionet", "kubernetes"))
                .body("errors.size()", is(1)).body("errors[0].code", is("NO_CAPACITY"));
    }

    @Test
    void reserveRefusals() {
        String token = Api.newUser();
        given().auth().oauth2(token).contentType(ContentType.JSON).body("{\"count\":1,\"filters\":{\"gpu_model\":\"TPU v5\"}}")
                .post("/api/v1/gpu/instances/reserve").then().statusCode(409).body("code", is("NO_CAPACITY"));
        ProviderStubs.spendingLimit = new java.math.BigDecimal("0.01");
        given().auth().oauth2(token).contentType(ContentType.JSON).body("{\"count\":2}")
                .post("/api/v1/gpu/instances/reserve").then().statusCode(402).body("code", is("SPENDING_LIMIT"));
        for (String body : new String[]{"{\"count\":0}", "{\"count\":-2}", "{}", "{\"count\":\"many\"}",
                "{\"count\":1,\"filters\":{\"min_vram\":-1}}", "{\"count\":1,\"config\":{\"duration_hours\":99999}}"}) {
            given().auth().oauth2(token).contentType(ContentType.JSON).body(body)
                    .post("/api/v1/gpu/instances/reserve").then().statusCode(400).body("code", is("VALIDATION_ERROR"));
        }
    }
}
