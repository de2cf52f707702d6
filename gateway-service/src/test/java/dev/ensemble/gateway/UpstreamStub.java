package dev.ensemble.gateway;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A tiny HTTP service on a free loopback port that stands in for every upstream (billing points at
 * a closed port, so it is "down"). It echoes what it received, streams uploads through a digest,
 * streams server-sent events, hangs, or stalls until the test releases it with
 * {@code GET /__stub/release/{id}} (called directly, not through the gateway).
 */
public class UpstreamStub implements QuarkusTestResourceLifecycleManager {

    private Vertx vertx;
    private final Map<String, Promise<Void>> gates = new ConcurrentHashMap<>();

    @Override
    public Map<String, String> start() {
        vertx = Vertx.vertx();
        HttpServer server = vertx.createHttpServer().requestHandler(this::handle);
        int port;
        try {
            port = server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture()
                    .get(10, TimeUnit.SECONDS).actualPort();
        } catch (Exception e) {
            throw new IllegalStateException("stub upstream did not start", e);
        }
        String url = "http://127.0.0.1:" + port;
        Map<String, String> config = new HashMap<>();
        for (String service : new String[]{"auth", "inference", "job", "gpu-broker"}) {
            config.put("ensemble.gateway.services." + service + ".url", url);
        }
        config.put("ensemble.gateway.services.billing.url", "http://127.0.0.1:" + closedPort());
        config.put("ensemble.gateway.max-body-size", "1M");
        config.put("ensemble.gateway.max-upload-size", "600M");
        config.put("ensemble.gateway.routes.\"/api/v1/jobs\".timeout", "1s");
        config.put("ensemble.gateway.routes.\"/test-extra\".service", "auth");
        config.put("ensemble.gateway.health.timeout", "1s");
        config.put("ensemble.gateway.health.cache-ttl", "0s");
        return config;
    }

    @Override
    public void stop() {
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
    }

    private static int closedPort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private Promise<Void> gate(String id) {
        return gates.computeIfAbsent(id, k -> Promise.promise());
    }

    private void handle(HttpServerRequest req) {
        String path = req.path();
        // Upgrades are taken here rather than by a webSocketHandler, which did not always see them
        // once an earlier application of the same test JVM had used a stub of its own.
        if (req.headers().contains("Upgrade", "websocket", true)) {
            if (path.endsWith("/reject")) {
                req.response().setStatusCode(403).end();
                return;
            }
            String requestId = req.getHeader("X-Request-Id");
            req.toWebSocket().onSuccess(ws -> {
                ws.writeTextMessage("request-id: " + requestId);
                ws.textMessageHandler(text -> ws.writeTextMessage("echo: " + text));
                ws.binaryMessageHandler(bytes -> ws.writeBinaryMessage(bytes));
            });
            return;
        }
        if (path.startsWith("/__stub/release/")) {
            gate(path.substring("/__stub/release/".length())).tryComplete();
            req.response().end("released");
        } else if (path.equals("/q/health/ready")) {
            req.response().putHeader("Content-Type", "application/json")
                    .end("{\"status\":\"UP\",\"checks\":[]}");
        } else if (path.endsWith("/problem")) {
            // a service's canonical error, which the gateway translates on seed paths
            int status = Integer.parseInt(req.getParam("status", "404"));
            JsonObject problem = new JsonObject().put("type", "https://ensemble.dev/problems/x").put("title", "t")
                    .put("status", status).put("detail", "thing 42 not found").put("code", req.getParam("code", "NOT_FOUND"))
                    .put("request_id", req.getHeader("X-Request-Id")).put("error", "thing 42 not found");
            if (status == 400) {
                problem.put("errors", new JsonArray().add(new JsonObject().put("field", "name").put("message", "is required")));
            }
            req.response().setStatusCode(status).putHeader("Content-Type", "application/problem+json")
                    .putHeader("X-Upstream", "yes").end(problem.encode());
        } else if (path.endsWith("/early")) {
            // answers before reading the body, as a service refusing an upload does
            req.response().setStatusCode(401).putHeader("Content-Type", "application/json")
                    .end("{\"code\":\"AUTH_REQUIRED\"}");
        } else if (path.endsWith("/close")) {
            req.connection().close(); // no answer at all
        } else if (path.endsWith("/hang")) {
            req.pause(); // never answers; the gateway must give up on its own
        } else if (path.endsWith("/sse")) {
            var resp = req.response().setChunked(true).putHeader("Content-Type", "text/event-stream");
            resp.write("data: one\n\n");
            gate(req.getParam("id")).future().onComplete(v -> resp.end("data: two\n\n"));
        } else if (path.contains("/upload")) {
            digest(req, req.getParam("stall"));
        } else if (path.endsWith("/download")) {
            download(req, Long.parseLong(req.getParam("bytes")));
        } else {
            echo(req);
        }
    }

    private void echo(HttpServerRequest req) {
        req.body().onSuccess(body -> {
            JsonObject headers = new JsonObject();
            req.headers().forEach(e -> {
                String name = e.getKey().toLowerCase();
                JsonArray values = headers.getJsonArray(name);
                if (values == null) {
                    headers.put(name, values = new JsonArray());
                }
                values.add(e.getValue());
            });
            String status = req.getParam("status");
            if ("204".equals(status) || "304".equals(status)) {
                req.response().setStatusCode(Integer.parseInt(status)).putHeader("X-Upstream", "yes").end();
                return;
            }
            JsonObject echo = new JsonObject()
                    .put("method", req.method().name())
                    .put("uri", req.uri())
                    .put("headers", headers)
                    .put("body", body.toString());
            req.response()
                    .putHeader("Content-Type", "application/json")
                    .putHeader("X-Upstream", "yes")
                    .putHeader("Keep-Alive", "timeout=5")
                    .putHeader("Proxy-Authenticate", "Basic realm=upstream")
                    .setStatusCode(req.getParam("status") == null ? 200 : Integer.parseInt(req.getParam("status")))
                    .end(echo.encode());
        });
    }

    /** Reads the body as it streams, optionally stalling after the first chunk until released. */
    private void digest(HttpServerRequest req, String stall) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        long[] bytes = {0};
        boolean[] stalled = {false};
        req.handler(chunk -> {
            bytes[0] += chunk.length();
            sha.update(chunk.getBytes());
            if (stall != null && !stalled[0]) {
                stalled[0] = true;
                req.pause();
                gate(stall).future().onComplete(v -> req.resume());
            }
        });
        req.endHandler(v -> req.response().putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("bytes", bytes[0])
                        .put("sha256", HexFormat.of().formatHex(sha.digest())).encode()));
    }

    /** Streams {@code total} bytes of a known pattern, honouring backpressure. */
    private void download(HttpServerRequest req, long total) {
        var resp = req.response().setChunked(true).putHeader("Content-Type", "application/octet-stream");
        Buffer block = Buffer.buffer(new byte[64 * 1024]);
        long[] sent = {0};
        Runnable[] pump = new Runnable[1];
        pump[0] = () -> {
            while (sent[0] < total && !resp.writeQueueFull()) {
                int n = (int) Math.min(block.length(), total - sent[0]);
                resp.write(n == block.length() ? block : block.slice(0, n));
                sent[0] += n;
            }
            if (sent[0] >= total) {
                resp.end();
            } else {
                resp.drainHandler(v -> pump[0].run());
            }
        };
        pump[0].run();
    }
}
