package dev.ensemble.billing.support;

import io.restassured.RestAssured;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Fires many requests at once (real concurrency, one connection each) and collects the statuses. */
public final class Http {

    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private Http() {
    }

    public static URI url(String path) {
        return URI.create("http://localhost:" + RestAssured.port + path);
    }

    /** POSTs {@code body} to {@code path} {@code n} times concurrently; answers each status code. */
    public static List<Integer> concurrentPosts(String path, String token, String body, int n) {
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            calls.add(CLIENT.sendAsync(HttpRequest.newBuilder(url(path))
                    .timeout(Duration.ofSeconds(60))
                    .header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        return calls.stream().map(c -> c.join().statusCode()).toList();
    }
}
