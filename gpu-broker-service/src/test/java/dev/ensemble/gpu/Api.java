package dev.ensemble.gpu;

import dev.ensemble.testing.TestKeys;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;

import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;

/** Small helpers shared by the broker's tests. */
final class Api {

    private Api() {
    }

    static String newUser() {
        return TestKeys.user(UUID.randomUUID());
    }

    static String admin() {
        return TestKeys.admin(UUID.randomUUID());
    }

    static ValidatableResponse rent(String token, String provider, String offer, int hours, boolean autoRenew) {
        return given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("duration_hours", hours, "auto_renew", autoRenew))
                .post("/api/v1/gpu/instances/" + provider + "/" + offer).then();
    }

    static String rentOk(String token, String provider, String offer) {
        return rent(token, provider, offer, 2, false).statusCode(201).extract().path("contract_id");
    }

    static ValidatableResponse reconcile(String at) {
        var req = given().auth().oauth2(admin());
        if (at != null) {
            req = req.queryParam("at", at);
        }
        return req.post("/api/v1/gpu/admin/reconcile").then().statusCode(200);
    }
}
