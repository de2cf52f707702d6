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
class OfferResourceTest {

    @BeforeEach
    void reset() {
        ProviderStubs.reset();
    }

    @Test
    void listsOffersOfEveryProviderInTheSeedShape() {
        given().auth().oauth2(Api.newUser()).get("/api/v1/gpu/instances")
                .then().statusCode(200)
                .body("provider", is("all"))
                // 5 vast.ai + 2 available io.net (the MI300X has none left) + 1 Kubernetes GPU node
                .body("count", is(8)).body("total", is(8))
                .body("instances.provider", hasItems("vastai", "ionet", "kubernetes"))
                .body("instances[0].id", notNullValue())
                .body("instances[0].gpu_model", notNullValue())
                .body("instances[0].vram_gb", notNullValue())
                .body("instances[0].price_per_hour", notNullValue())
                .body("instances[0].location", notNullValue())
                .body("instances[0].available", is(true))
                // cheapest first by default
                .body("instances[0].id", is("1005")).body("instances[0].price_per_hour", is(0.09f))
                .body("instances.find { it.id == '1001' }.gpu_model", is("RTX 4090"))
                .body("instances.find { it.id == '1001' }.vram_gb", is(24))
                .body("instances.find { it.id == '1001' }.location", is("US, California"))
                .body("instances.find { it.id == 'gpu-node-1' }.gpu_count", is(4))
                .body("instances.find { it.id == 'gpu-node-1' }.vram_gb", is(80))
                .body("instances.find { it.id == 'gpu-node-1' }.price_per_hour", is(1.2f))
                .body("instances.find { it.id == '101@7' }.vendor", is("NVIDIA"));
        // The API keys went in the documented headers.
        org.junit.jupiter.api.Assertions.assertTrue(ProviderStubs.requests.stream()
                .anyMatch(r -> r.startsWith("GET /vast/api/v0/bundles/ Bearer test-vast-key")));
        org.junit.jupiter.api.Assertions.assertTrue(ProviderStubs.requests.stream()
                .anyMatch(r -> r.startsWith("GET /ionet/enterprise/v1/io-cloud/vmaas/hardware test-ionet-key")));
    }

    @Test
    void filtersSortsAndPages() {
        String token = Api.newUser();
        given().auth().oauth2(token).queryParam("provider", "vastai").queryParam("min_vram", 16)
                .queryParam("max_price", "0.9").get("/api/v1/gpu/instances")
                .then().statusCode(200).body("provider", is("vastai"))
                .body("instances.id", contains("1004", "1001", "1002"));
        given().auth().oauth2(token).queryParam("gpu_model", "RTX 4090").queryParam("location", "texas")
                .get("/api/v1/gpu/instances")
                .then().statusCode(200).body("instances.id", contains("1002"));
        given().auth().oauth2(token).queryParam("sort", "vram_gb").queryParam("order", "desc")
                .queryParam("limit", 2).queryParam("offset", 1).get("/api/v1/gpu/instances")
                .then().statusCode(200).body("count", is(2)).body("total", is(8)).body("limit", is(2))
                .body("offset", is(1)).body("instances[0].vram_gb", is(80));
    }

    @Test
    void badQueriesAre400NamingTheField() {
        String token = Api.newUser();
        given().auth().oauth2(token).queryParam("provider", "aws").get("/api/v1/gpu/instances")
                .then().statusCode(400).body("code", is("VALIDATION_ERROR")).body("errors[0].field", is("provider"));
        given().auth().oauth2(token).queryParam("provider", "sandbox").get("/api/v1/gpu/instances")
                .then().statusCode(400).body("errors[0].field", is("provider"));
        given().auth().oauth2(token).queryParam("min_vram", "lots").get("/api/v1/gpu/instances")
                .then().statusCode(400).body("errors[0].field", is("min_vram"));
        given().auth().oauth2(token).queryParam("min_vram", "-4").get("/api/v1/gpu/instances")
                .then().statusCode(400).body("errors[0].field", is("min_vram"));
        given().auth().oauth2(token).queryParam("max_price", "1e999999").get("/api/v1/gpu/instances")
                .then().statusCode(400).body("errors[0].field", is("max_price"));
        given().auth().oauth2(token).queryParam("sort", "id; drop table").get("/api/v1/gpu/instances")
                .then().statusCode(400).body("errors[0].field", is("sort"));
        given().auth().oauth2(token).queryParam("limit", "0").get("/api/v1/gpu/instances")
                .then().statusCode(400).body("errors[0].field", is("limit"));
        given().get("/api/v1/gpu/instances").then().statusCode(401).body("code", is("AUTH_REQUIRED"));
    }

    @Test
    void aFailingProviderIsReportedWhileTheOthersAnswer() {
        ProviderStubs.vastSearchStatus = 500;
        String token = Api.newUser();
        given().auth().oauth2(token).get("/api/v1/gpu/instances")
                .then().statusCode(200).body("count", is(3))
                .body("errors[0].provider", is("vastai")).body("errors[0].code", is("BAD_GATEWAY"));
        given().auth().oauth2(token).queryParam("provider", "vastai").get("/api/v1/gpu/instances")
                .then().statusCode(502).body("code", is("BAD_GATEWAY")).body("detail", containsString("vastai"));
    }

    @Test
    void aSlowProviderIs504() {
        ProviderStubs.vastDelayMs = 3000;
        given().auth().oauth2(Api.newUser()).queryParam("provider", "vastai").get("/api/v1/gpu/instances")
                .then().statusCode(504).body("code", is("UPSTREAM_TIMEOUT"));
    }

    @Test
    void availableGpuModels() {
        String token = Api.newUser();
        given().auth().oauth2(token).get("/api/v1/gpu/available")
                .then().statusCode(200)
                .body("count", is(7))
                .body("gpus.name", hasItems("RTX 4090", "H100 80GB", "A10", "A100 SXM4 80GB"))
                .body("gpus.find { it.name == 'RTX 4090' }.vendor", is("NVIDIA"))
                .body("gpus.find { it.name == 'RTX 4090' }.tier", is("high-end"))
                .body("gpus.find { it.name == 'RTX 4090' }.vram_gb", is(24))
                // 0.40 per GPU hour and 0.85 for two GPUs: 0.425 per GPU hour
                .body("gpus.find { it.name == 'RTX 4090' }.avg_price_per_hour", is(0.4125f));
        given().auth().oauth2(token).queryParam("vendor", "NVIDIA").queryParam("tier", "entry")
                .get("/api/v1/gpu/available")
                .then().statusCode(200).body("gpus.name", contains("RTX 3060"));
        given().auth().oauth2(token).queryParam("tier", "legendary").get("/api/v1/gpu/available")
                .then().statusCode(400).body("errors[0].field", is("tier"));
    }

    @Test
    void examplesArePublic() {
        given().get("/api/v1/gpu/examples")
                .then().statusCode(200)
                .body("available_examples", contains("cost_optimized", "performance_focused", "nvidia_only", "amd_preferred"))
                .body("examples.cost_optimized.priority", is("cost"))
                .body("examples.nvidia_only.preferred_vendors", contains("NVIDIA"));
    }

    @Test
    void preferencesTestSelectsTheBestFittingGpu() {
        String token = Api.newUser();
        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body("{\"preferred_vendors\":[\"NVIDIA\"],\"preferred_tiers\":[\"high-end\"],\"min_vram\":40,"
                        + "\"max_price_per_hour\":3.0,\"priority\":\"performance\"}")
                .post("/api/v1/gpu/preferences").then().statusCode(200);
        given().auth().oauth2(token).contentType(ContentType.JSON).post("/api/v1/gpu/preferences/test")
                .then().statusCode(200)
                // All three fit and are equally fast per GPU: the cheapest (the cluster's own node) wins.
                .body("selected_gpu.name", is("A100 SXM4 80GB"))
                .body("selected_gpu.provider", is("kubernetes"))
                .body("selected_gpu.vendor", is("NVIDIA"))
                .body("selected_gpu.vram_gb", is(80))
                .body("selected_gpu.tier", is("high-end"))
                .body("selected_gpu.score", greaterThan(50f))
                .body("alternatives.name", contains("A100 SXM4", "H100 80GB"))
                .body("alternatives.size()", is(2));
        // Preferences in the body are previewed without being saved.
        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body("{\"preferred_vendors\":[\"NVIDIA\"],\"preferred_tiers\":[\"entry\",\"mid-range\",\"high-end\"],"
                        + "\"min_vram\":8,\"max_price_per_hour\":1.0,\"priority\":\"cost\"}")
                .post("/api/v1/gpu/preferences/test")
                .then().statusCode(200).body("selected_gpu.name", is("RTX 3060"));
        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body("{\"preferred_vendors\":[\"AMD\"],\"preferred_tiers\":[\"high-end\"],"
                        + "\"min_vram\":8,\"max_price_per_hour\":1.0,\"priority\":\"cost\"}")
                .post("/api/v1/gpu/preferences/test")
                .then().statusCode(200).body("selected_gpu", nullValue()).body("alternatives", empty());
        given().contentType(ContentType.JSON).post("/api/v1/gpu/preferences/test").then().statusCode(401);
    }
}
