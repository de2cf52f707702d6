package dev.ensemble.systemtests;

import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.emptyOrNullString;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

/** Clean 4xx answers at the edge, in the shared error format. */
class EdgeIT extends SystemTest {

    @Test
    void unknownRouteIs404Json() {
        gateway().get("/api/v1/nope")
                .then().statusCode(404)
                .contentType(anyOf(startsWith("application/problem+json"), startsWith("application/json")))
                .body("code", notNullValue())
                .body("code", not(emptyOrNullString()));
    }

    @Test
    void malformedJsonIs400Problem() {
        gateway().contentType(ContentType.JSON)
                .body("{\"email\": \"broken@example.com\", \"password\": ")
                .post("/api/v1/auth/register")
                .then().statusCode(400)
                .contentType(startsWith("application/problem+json"))
                .body("code", notNullValue())
                .body("status", org.hamcrest.Matchers.equalTo(400));
    }
}
