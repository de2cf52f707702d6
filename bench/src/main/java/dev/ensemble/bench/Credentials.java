package dev.ensemble.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A bench user made through the gateway: registered, logged in (an access token) and given an
 * API key, so the gateway scenarios can measure authenticated requests.
 */
record Credentials(String jwt, String apiKey) {

    private static final Pattern ACCESS = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern KEY = Pattern.compile("\"api_key\"\\s*:\\s*\"([^\"]+)\"");

    static Credentials create(String gateway) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String email = "bench-" + UUID.randomUUID() + "@example.com";
        String password = "bench-password-" + UUID.randomUUID();
        post(http, gateway + "/api/v1/auth/register", null,
                "{\"email\":\"" + email + "\",\"password\":\"" + password + "\",\"name\":\"bench\"}", 201);
        String login = post(http, gateway + "/api/v1/auth/login", null,
                "{\"email\":\"" + email + "\",\"password\":\"" + password + "\"}", 200);
        String jwt = find(ACCESS, login, "access_token");
        String created = post(http, gateway + "/api/v1/auth/apikey", jwt, "{\"name\":\"bench\"}", 201);
        return new Credentials(jwt, find(KEY, created, "api_key"));
    }

    private static String post(HttpClient http, String url, String bearer, String json, int expected) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != expected) {
            throw new IllegalStateException("POST " + url + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    private static String find(Pattern p, String body, String what) {
        Matcher m = p.matcher(body);
        if (!m.find()) {
            throw new IllegalStateException("no " + what + " in " + body);
        }
        return m.group(1);
    }
}
