package dev.ensemble.gateway;

import dev.ensemble.testing.EnsembleTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.core.json.JsonObject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.*;
import static org.junit.jupiter.api.Assertions.*;

@QuarkusTest
@io.quarkus.test.junit.TestProfile(BareProxyProfile.class)
@QuarkusTestResource(value = EnsembleTestResource.class, initArgs = @ResourceArg(name = "database", value = "gateway"))
@QuarkusTestResource(UpstreamStub.class)
class GatewayProxyTest {

    static final String REQUEST_ID = "req_[0-9a-f]{32}";

    @TestHTTPResource("/")
    URL gateway;

    @ConfigProperty(name = "ensemble.gateway.services.auth.url")
    String stub;

    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    URI uri(String pathAndQuery) {
        return URI.create(gateway.toString().replaceAll("/$", "") + pathAndQuery);
    }

    void release(String id) throws Exception {
        http.send(HttpRequest.newBuilder(URI.create(stub + "/__stub/release/" + id)).build(),
                HttpResponse.BodyHandlers.discarding());
    }

    @Test
    void forwardsMethodPathQueryHeadersAndBody() {
        given().urlEncodingEnabled(false)
                .header("X-Custom", "abc")
                .contentType(ContentType.JSON).body("{\"a\":1}")
                .put("/api/v1/auth/echo/some/thing?x=1&y=a%20b")
                .then().statusCode(200)
                .header("X-Upstream", "yes")
                .header("Proxy-Authenticate", nullValue())
                .header("Keep-Alive", nullValue())
                .body("method", is("PUT"))
                .body("uri", is("/api/v1/auth/echo/some/thing?x=1&y=a%20b"))
                .body("headers.x-custom", contains("abc"))
                .body("headers.content-type[0]", startsWith("application/json"))
                .body("body", is("{\"a\":1}"))
                .body("headers.x-forwarded-for", contains("127.0.0.1"))
                .body("headers.x-forwarded-proto", contains("http"))
                .body("headers.x-forwarded-host[0]", containsString(":" + gateway.getPort()))
                .body("headers.host", contains(URI.create(stub).getAuthority()));

        given().get("/api/v1/models/abc?limit=5").then().statusCode(200)
                .body("method", is("GET")).body("uri", is("/api/v1/models/abc?limit=5")).body("body", is(""));
        given().delete("/v1/models/x").then().statusCode(200).body("method", is("DELETE"));
        given().get("/api/v1/auth/echo?status=418").then().statusCode(418);
    }

    @Test
    void passesEmptyAnswersAndHeadRequests() throws Exception {
        HttpResponse<String> noContent = http.send(HttpRequest.newBuilder(uri("/api/v1/auth/echo?status=204"))
                .DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(204, noContent.statusCode());
        assertEquals("", noContent.body());
        assertEquals("yes", noContent.headers().firstValue("X-Upstream").orElse(null));

        HttpResponse<String> get = http.send(HttpRequest.newBuilder(uri("/api/v1/auth/echo")).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> head = http.send(HttpRequest.newBuilder(uri("/api/v1/auth/echo"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());
        // the connection stays usable after a HEAD
        assertEquals(200, http.send(HttpRequest.newBuilder(uri("/api/v1/auth/echo")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        assertTrue(get.body().contains("\"method\":\"GET\""));
    }

    @Test
    void answers502WhenTheServiceDropsTheConnection() {
        given().get("/api/v1/auth/close").then().statusCode(502)
                .contentType("application/problem+json")
                .body("code", is("BAD_GATEWAY"))
                .body("detail", containsString("auth"));
    }

    @Test
    void relaysAnEarlyAnswerWhileTheClientIsStillSending() throws Exception {
        PatternStream body = new PatternStream(5L * 1024 * 1024);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/api/v1/models/upload/early"))
                        .POST(HttpRequest.BodyPublishers.fromPublisher(
                                HttpRequest.BodyPublishers.ofInputStream(() -> body), 5L * 1024 * 1024)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, r.statusCode(), r.body());
        assertTrue(r.body().contains("AUTH_REQUIRED"), r.body());
        // and the gateway still serves new connections
        given().get("/api/v1/auth/echo").then().statusCode(200);
    }

    @Test
    void routesAddedInConfigurationAndTheLongestPrefixWin() {
        given().get("/test-extra/thing").then().statusCode(200).body("uri", is("/test-extra/thing"));
        given().get("/.well-known/jwks.json").then().statusCode(200).body("uri", is("/.well-known/jwks.json"));
        // a prefix matches whole segments only
        given().get("/api/v1/authority").then().statusCode(404).body("code", is("NOT_FOUND"));
    }

    @Test
    void dotSegmentsAreResolvedBeforeRouting() throws Exception {
        // /api/v1/auth/../billing/x is billing's path, and billing is down in these tests.
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/api/v1/auth/../billing/x")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(503, r.statusCode(), r.body());
        assertTrue(r.body().contains("billing"), r.body());
    }

    @Test
    void hopByHopHeadersStayOnTheirHop() throws Exception {
        String raw = "GET /api/v1/auth/echo HTTP/1.1\r\n"
                + "Host: localhost\r\n"
                + "Connection: keep-alive, X-Hop\r\n"
                + "X-Hop: secret\r\n"
                + "Keep-Alive: timeout=5\r\n"
                + "Proxy-Authorization: Basic abc\r\n"
                + "TE: trailers\r\n"
                + "X-Forwarded-For: 10.1.2.3\r\n"
                + "X-Keep: yes\r\n\r\n";
        String response = rawExchange(raw);
        String body = response.substring(response.indexOf("\r\n\r\n") + 4);
        JsonObject headers = new JsonObject(body).getJsonObject("headers");
        assertEquals("yes", headers.getJsonArray("x-keep").getString(0));
        assertEquals("10.1.2.3, 127.0.0.1", headers.getJsonArray("x-forwarded-for").getString(0));
        for (String hop : new String[]{"x-hop", "keep-alive", "proxy-authorization", "te"}) {
            assertNull(headers.getValue(hop), hop + " was forwarded: " + body);
        }
        assertFalse(headers.getJsonArray("connection") != null
                && headers.getJsonArray("connection").getString(0).contains("X-Hop"), body);
    }

    @Test
    void requestIdIsGeneratedOrKeptAndPropagated() {
        var generated = given().get("/api/v1/auth/echo").then().statusCode(200)
                .header("X-Request-Id", matchesRegex(REQUEST_ID)).extract();
        assertEquals(generated.header("X-Request-Id"), generated.path("headers.x-request-id[0]"));

        given().header("X-Request-Id", "client-id_123").get("/api/v1/auth/echo").then().statusCode(200)
                .header("X-Request-Id", is("client-id_123"))
                .body("headers.x-request-id", contains("client-id_123"));

        var replaced = given().header("X-Request-Id", "not a safe id <script>").get("/api/v1/auth/echo")
                .then().statusCode(200).header("X-Request-Id", matchesRegex(REQUEST_ID)).extract();
        assertEquals(replaced.header("X-Request-Id"), replaced.path("headers.x-request-id[0]"));
    }

    @Test
    void streamsALargeUploadWithAndWithoutContentLength() throws Exception {
        long size = 50L * 1024 * 1024;
        PatternStream sized = new PatternStream(size);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/api/v1/models/upload"))
                        .POST(HttpRequest.BodyPublishers.fromPublisher(
                                HttpRequest.BodyPublishers.ofInputStream(() -> sized), size))
                        .header("Content-Type", "application/octet-stream").build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        JsonObject digest = new JsonObject(r.body());
        assertEquals(size, digest.getLong("bytes"));
        assertEquals(sized.sha256(), digest.getString("sha256"));

        long chunkedSize = 20L * 1024 * 1024 + 17;
        PatternStream chunked = new PatternStream(chunkedSize);
        r = http.send(HttpRequest.newBuilder(uri("/api/v1/datasets/upload"))
                        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> chunked)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        digest = new JsonObject(r.body());
        assertEquals(chunkedSize, digest.getLong("bytes"));
        assertEquals(chunked.sha256(), digest.getString("sha256"));
    }

    @Test
    void aSlowServiceHoldsBackTheClientInsteadOfTheGatewayBuffering() throws Exception {
        long size = 512L * 1024 * 1024;
        String gate = UUID.randomUUID().toString();
        PatternStream body = new PatternStream(size);
        CompletableFuture<HttpResponse<String>> upload = http.sendAsync(
                HttpRequest.newBuilder(uri("/api/v1/models/upload?stall=" + gate))
                        .POST(HttpRequest.BodyPublishers.fromPublisher(
                                HttpRequest.BodyPublishers.ofInputStream(() -> body), size)).build(),
                HttpResponse.BodyHandlers.ofString());
        // While the service reads nothing, the client can only fill the socket buffers on both hops.
        long plateau = plateau(body);
        assertTrue(plateau < 128L * 1024 * 1024,
                "the gateway took " + plateau + " bytes while the service read nothing");
        release(gate);
        HttpResponse<String> r = upload.get(120, TimeUnit.SECONDS);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(size, new JsonObject(r.body()).getLong("bytes"));
    }

    /** Waits until the client stops producing (or 20 s), and returns how much it produced. */
    private static long plateau(PatternStream body) throws InterruptedException {
        long last = -1;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            Thread.sleep(500);
            long now = body.produced();
            if (now == last && now > 0) {
                return now;
            }
            last = now;
        }
        return body.produced();
    }

    @Test
    void streamsALargeDownload() throws Exception {
        long size = 64L * 1024 * 1024;
        HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(uri("/api/v1/jobs/x/download?bytes=" + size))
                .build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        long total = 0;
        try (InputStream in = r.body()) {
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) >= 0; ) {
                total += n;
            }
        }
        assertEquals(size, total);
    }

    @Test
    void streamsServerSentEventsAsTheyCome() throws Exception {
        String gate = UUID.randomUUID().toString();
        HttpResponse<InputStream> r = http.sendAsync(HttpRequest.newBuilder(uri("/api/v1/chat/sse?id=" + gate))
                        .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofInputStream())
                .get(10, TimeUnit.SECONDS);
        assertEquals(200, r.statusCode());
        assertEquals("text/event-stream", r.headers().firstValue("Content-Type").orElse(""));
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            // The second event is only sent once this one arrived: a buffering gateway would hang here.
            String first = CompletableFuture.supplyAsync(() -> readLine(lines)).get(10, TimeUnit.SECONDS);
            assertEquals("data: one", first);
            release(gate);
            assertEquals("", readLine(lines));
            assertEquals("data: two", readLine(lines));
        }
    }

    private static String readLine(BufferedReader reader) {
        try {
            return reader.readLine();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void relaysWebSockets() throws Exception {
        java.util.concurrent.BlockingQueue<String> received = new java.util.concurrent.LinkedBlockingQueue<>();
        CompletableFuture<Integer> closed = new CompletableFuture<>();
        java.net.http.WebSocket ws = http.newWebSocketBuilder()
                .header("X-Request-Id", "ws-1")
                .buildAsync(URI.create(uri("/api/v1/chat/ws/client-1/session-1").toString().replace("http:", "ws:")),
                        new java.net.http.WebSocket.Listener() {
                            @Override
                            public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket w,
                                                                                   CharSequence data, boolean last) {
                                received.add(data.toString());
                                w.request(1);
                                return null;
                            }

                            @Override
                            public java.util.concurrent.CompletionStage<?> onClose(java.net.http.WebSocket w,
                                                                                    int status, String reason) {
                                closed.complete(status);
                                return null;
                            }
                        }).get(10, TimeUnit.SECONDS);
        assertEquals("request-id: ws-1", received.poll(10, TimeUnit.SECONDS));
        ws.sendText("hello", true).get(5, TimeUnit.SECONDS);
        assertEquals("echo: hello", received.poll(10, TimeUnit.SECONDS));
        ws.sendClose(1000, "bye").get(5, TimeUnit.SECONDS);
        assertEquals(1000, closed.get(10, TimeUnit.SECONDS));

        // A refusal by the service reaches the client as it was.
        var refused = assertThrows(java.util.concurrent.ExecutionException.class, () -> http.newWebSocketBuilder()
                .buildAsync(URI.create(uri("/api/v1/chat/ws/reject").toString().replace("http:", "ws:")),
                        new java.net.http.WebSocket.Listener() {
                        }).get(10, TimeUnit.SECONDS));
        assertEquals(403, ((java.net.http.WebSocketHandshakeException) refused.getCause()).getResponse().statusCode());
    }

    @Test
    void passesCredentialsThroughForTheServiceToJudge() {
        given().header("Authorization", "Bearer not-a-real-token").get("/api/v1/billing/../auth/me").then()
                .statusCode(200)
                .body("headers.authorization", contains("Bearer not-a-real-token"));
    }

    @Test
    void answers503NamingTheServiceWhenItIsDown() {
        var r = given().header("X-Request-Id", "down-1").get("/api/v1/billing/transactions").then()
                .statusCode(503)
                .contentType("application/problem+json")
                .header("X-Request-Id", "down-1")
                .body("code", is("SERVICE_UNAVAILABLE"))
                .body("status", is(503))
                .body("detail", containsString("billing"))
                .body("request_id", is("down-1"))
                .body("instance", is("/api/v1/billing/transactions"));
        given().contentType(ContentType.JSON).body("{\"amount\":1}").post("/api/v1/guardrails/spending/check")
                .then().statusCode(503).body("code", is("SERVICE_UNAVAILABLE"));
    }

    @Test
    void aClientThatGoesAwayCancelsTheRequestToTheService() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", gateway.getPort())) {
            socket.getOutputStream().write(("GET /api/v1/jobs/hang?gone=1 HTTP/1.1\r\nHost: localhost\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            Thread.sleep(200);
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            String metrics = given().accept("text/plain").get("/metrics").then().extract().asString();
            assertTrue(metrics.contains("ensemble_gateway_proxy_failures_total{reason=\"client_gone\",upstream=\"job\""),
                    "no client_gone recorded");
            assertTrue(metrics.contains("ensemble_gateway_proxy_active{upstream=\"job\",} 0.0"), "exchange still active");
        });
    }

    @Test
    void answers504WhenTheServiceDoesNotAnswerInTime() {
        long t0 = System.nanoTime();
        given().get("/api/v1/jobs/hang").then()
                .statusCode(504)
                .contentType("application/problem+json")
                .body("code", is("UPSTREAM_TIMEOUT"))
                .body("detail", containsString("job"))
                .body("request_id", matchesRegex(REQUEST_ID));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(ms >= 900 && ms < 10_000, "timed out after " + ms + " ms");
    }

    @Test
    void rejectsBodiesOverTheRouteLimit() throws Exception {
        byte[] twoMb = new byte[2 * 1024 * 1024];
        HttpResponse<String> sized = http.send(HttpRequest.newBuilder(uri("/api/v1/auth/register"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(twoMb)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(413, sized.statusCode(), sized.body());
        assertEquals("application/problem+json", sized.headers().firstValue("Content-Type").orElse(""));
        JsonObject problem = new JsonObject(sized.body());
        assertEquals("PAYLOAD_TOO_LARGE", problem.getString("code"));
        assertEquals(sized.headers().firstValue("X-Request-Id").orElse(null), problem.getString("request_id"));
        // Without Content-Length the limit is enforced while streaming.
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/api/v1/auth/register"))
                        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new PatternStream(3L * 1024 * 1024)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(413, r.statusCode(), r.body());
        assertTrue(r.body().contains("PAYLOAD_TOO_LARGE"), r.body());

        // The same size is fine on an upload route.
        HttpResponse<String> upload = http.send(HttpRequest.newBuilder(uri("/api/v1/models/upload"))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(twoMb)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, upload.statusCode(), upload.body());
        assertEquals(twoMb.length, new JsonObject(upload.body()).getLong("bytes"));
    }

    @Test
    void unknownRoutesAreProblem404s() {
        given().get("/nothing/here").then().statusCode(404)
                .contentType("application/problem+json")
                .body("code", is("NOT_FOUND"))
                .body("status", is(404))
                .body("request_id", matchesRegex(REQUEST_ID));
        given().post("/api/v1/nothing").then().statusCode(404).body("code", is("NOT_FOUND"));
    }

    @Test
    void keepsConnectionsToTheServiceAlive() {
        for (int i = 0; i < 50; i++) {
            given().get("/api/v1/auth/echo?i=" + i).then().statusCode(200);
        }
    }

    /** Sends a hand-written request and reads one response framed by Content-Length. */
    private String rawExchange(String request) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", gateway.getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int c = in.read();
                assertTrue(c >= 0, "connection closed in the head: " + head);
                head.append((char) c);
            }
            int length = 0;
            for (String line : head.toString().split("\r\n")) {
                if (line.toLowerCase().startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(15).trim());
                }
            }
            return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
        }
    }
}
