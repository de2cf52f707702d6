package dev.ensemble.bench;

import dev.ensemble.launcher.Service;
import dev.ensemble.launcher.Suite;

import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * {@code guardrails}: billing-service's check-and-reserve path under load: reserve-then-release at
 * 1, 16 and 64 concurrent clients, all on one user (every request serialises on that user's
 * account row) and on many users (one per client). Tokens are RS256 JWTs signed by the bench with
 * its own key, which billing is told to trust ({@code MP_JWT_VERIFY_PUBLICKEY_LOCATION}).
 */
final class GuardrailBench {

    static final String ISSUER = "https://ensemble.local/auth";

    private GuardrailBench() {
    }

    static final class Options {
        List<Integer> clients = List.of(1, 16, 64);
        int duration = 10;
        int warmup = 3;
        int globalWarmup = 10;
        String billing;
        String out = "bench/results/guardrails.md";
        Path work = Path.of("bench/target/guardrails");
    }

    static void main(String[] args) throws Exception {
        Options o = new Options();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--clients" -> o.clients = java.util.Arrays.stream(args[++i].split(",")).map(String::trim)
                        .map(Integer::parseInt).toList();
                case "--duration" -> o.duration = Integer.parseInt(args[++i]);
                case "--warmup" -> o.warmup = Integer.parseInt(args[++i]);
                case "--global-warmup" -> o.globalWarmup = Integer.parseInt(args[++i]);
                case "--billing" -> o.billing = args[++i];
                case "--out" -> o.out = args[++i];
                case "--work" -> o.work = Path.of(args[++i]);
                case "--help" -> {
                    System.out.println("""
                            guardrails [options]
                              --clients 1,16,64     concurrent clients per step
                              --duration 10         seconds measured per step
                              --warmup 3            seconds of warm-up per step
                              --global-warmup 10    warm-up before the first step
                              --billing URL         measure a running billing-service started with
                                                    MP_JWT_VERIFY_PUBLICKEY_LOCATION=file:<work>/jwks.json
                                                    and MP_JWT_VERIFY_ISSUER=https://ensemble.local/auth
                              --work DIR            where the bench keeps its signing key (bench/target/guardrails)
                              --out PATH            results (bench/results/guardrails.md)""");
                    return;
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (try --help)");
            }
        }
        Files.createDirectories(o.work);
        Signer signer = Signer.load(o.work);
        String loadBefore = loadAverage();
        List<String> rows = new ArrayList<>();
        String setup;
        if (o.billing != null) {
            setup = "billing-service already running at " + o.billing + ".";
            measureAll(URI.create(o.billing), signer, o, rows);
        } else {
            Path root = Path.of("").toAbsolutePath();
            if (!Files.exists(Service.BILLING.jar(root))) {
                throw new IllegalStateException("build billing-service first: cd billing-service && ../mvnw -B -q package -DskipTests");
            }
            try (Suite suite = Suite.builder().home(o.work.resolve("home")).repositoryRoot(root).randomPorts()
                    .services(Set.of(Service.BILLING))
                    .env(Service.BILLING, "MP_JWT_VERIFY_PUBLICKEY_LOCATION", signer.jwks.toUri().toString())
                    .env(Service.BILLING, "MP_JWT_VERIFY_ISSUER", ISSUER)
                    .progress(line -> System.out.println("suite: " + line)).build()) {
                suite.start();
                setup = "Started by the bench with the launcher's `Suite` (embedded PostgreSQL, Kafka, the packaged "
                        + "billing-service; service JVMs `" + String.join(" ", Suite.SERVICE_JVM_OPTIONS) + "`).";
                measureAll(URI.create(suite.url(Service.BILLING)), signer, o, rows);
            }
        }
        String markdown = report(o, setup, rows, loadBefore, loadAverage());
        Path out = Path.of(o.out);
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        Files.writeString(out, markdown);
        System.out.println(markdown);
        System.out.println("written to " + out.toAbsolutePath());
    }

    private static void measureAll(URI billing, Signer signer, Options o, List<String> rows) throws Exception {
        awaitUp(billing, signer);
        int maxClients = o.clients.stream().mapToInt(Integer::intValue).max().orElse(1);
        List<String> one = List.of(signer.token(UUID.randomUUID()));
        List<String> many = new ArrayList<>();
        for (int i = 0; i < maxClients; i++) {
            many.add(signer.token(UUID.randomUUID()));
        }
        try (GuardrailLoad load = new GuardrailLoad()) {
            if (o.globalWarmup > 0) {
                System.out.println("warm-up " + o.globalWarmup + " s at 16 clients");
                load.run(billing, many, Math.min(16, maxClients), Duration.ZERO, Duration.ofSeconds(o.globalWarmup));
            }
            for (String scenario : List.of("one user", "many users")) {
                for (int clients : o.clients) {
                    GuardrailLoad.Result r = load.run(billing, scenario.equals("one user") ? one : many, clients,
                            Duration.ofSeconds(o.warmup), Duration.ofSeconds(o.duration));
                    String row = String.format(Locale.ROOT, "| %s | %d | %.0f | %.2f | %.2f | %.2f | %.2f | %.2f | %d | %d |",
                            scenario, clients, r.reservesPerSecond(), r.p50(), r.p99(), r.max(), r.releaseP50(),
                            r.releaseP99(), r.refused(), r.errors());
                    System.out.println(row);
                    rows.add(row);
                }
            }
        }
    }

    private static void awaitUp(URI billing, Signer signer) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        String token = signer.token(UUID.randomUUID());
        while (true) {
            try {
                int status = http.send(HttpRequest.newBuilder(billing.resolve("/api/v1/guardrails/spending"))
                        .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status == 200) {
                    return;
                }
                if (status == 401) {
                    throw new IllegalStateException("billing refuses the bench's tokens: start it with "
                            + "MP_JWT_VERIFY_PUBLICKEY_LOCATION=" + signer.jwks.toUri() + " MP_JWT_VERIFY_ISSUER=" + ISSUER);
                }
            } catch (IOException e) {
                // not up yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("billing-service at " + billing + " did not answer");
            }
            Thread.sleep(1_000);
        }
    }

    private static String report(Options o, String setup, List<String> rows, String loadBefore, String loadAfter) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Guardrails: check-and-reserve under load\n\n");
        sb.append("Measured ").append(ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_LOCAL_DATE_TIME))
                .append(" UTC on ").append(Runtime.getRuntime().availableProcessors()).append(" cores (")
                .append(cpuModel()).append("). Load average before: ").append(loadBefore).append("; after: ")
                .append(loadAfter).append(".\n\n");
        sb.append(setup).append("\n\n");
        sb.append("Each client owns a keep-alive connection and loops: `POST /api/v1/guardrails/spending/reserve` "
                + "(0.01 USD, measured) then `POST .../reservations/{id}/release` (measured separately). "
                + "**one user**: every client uses the same user, so every request serialises on that user's "
                + "account row lock (the worst case for contention); **many users**: one user per client. ")
                .append(o.warmup).append(" s warm-up and ").append(o.duration)
                .append(" s measured per step; closed loop, every latency recorded. Latencies in ms.\n\n");
        sb.append("| scenario | clients | reserves/s | reserve p50 | reserve p99 | reserve max | release p50 | release p99 | 402 | errors |\n");
        sb.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        rows.forEach(r -> sb.append(r).append('\n'));
        sb.append("\nReproduce: `./mvnw -B -f bench/pom.xml compile exec:exec -Dbench.args=\"guardrails\"` "
                + "(after `cd billing-service && ../mvnw -B -q package -DskipTests`).\n");
        return sb.toString();
    }

    static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " / " + parts[1] + " / " + parts[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static String cpuModel() {
        try (var lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst().orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }

    /** The bench's RS256 signing key (kept in the work directory) and its JWKS file. */
    static final class Signer {
        final PrivateKey key;
        final Path jwks;

        private Signer(PrivateKey key, Path jwks) {
            this.key = key;
            this.jwks = jwks;
        }

        static Signer load(Path dir) throws Exception {
            Path keyFile = dir.resolve("bench-signing-key.der");
            Path jwks = dir.resolve("jwks.json");
            PrivateKey key;
            RSAPublicKey pub;
            KeyFactory rsa = KeyFactory.getInstance("RSA");
            if (Files.exists(keyFile)) {
                key = rsa.generatePrivate(new PKCS8EncodedKeySpec(Files.readAllBytes(keyFile)));
                RSAPrivateCrtKey crt = (RSAPrivateCrtKey) key;
                pub = (RSAPublicKey) rsa.generatePublic(new RSAPublicKeySpec(crt.getModulus(), crt.getPublicExponent()));
            } else {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
                generator.initialize(2048);
                KeyPair pair = generator.generateKeyPair();
                key = pair.getPrivate();
                pub = (RSAPublicKey) pair.getPublic();
                Files.write(keyFile, key.getEncoded());
            }
            Files.writeString(jwks, "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"bench\",\"use\":\"sig\",\"alg\":\"RS256\",\"n\":\""
                    + b64(unsigned(pub.getModulus())) + "\",\"e\":\"" + b64(unsigned(pub.getPublicExponent())) + "\"}]}");
            return new Signer(key, jwks);
        }

        String token(UUID user) throws Exception {
            long now = System.currentTimeMillis() / 1000;
            String header = b64("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"bench\"}".getBytes(StandardCharsets.UTF_8));
            String payload = b64(("{\"iss\":\"" + ISSUER + "\",\"sub\":\"" + user + "\",\"upn\":\"" + user
                    + "\",\"groups\":[\"user\"],\"iat\":" + now + ",\"exp\":" + (now + 4 * 3600) + "}")
                    .getBytes(StandardCharsets.UTF_8));
            Signature s = Signature.getInstance("SHA256withRSA");
            s.initSign(key);
            s.update((header + "." + payload).getBytes(StandardCharsets.US_ASCII));
            return header + "." + payload + "." + b64(s.sign());
        }

        private static byte[] unsigned(BigInteger n) {
            byte[] bytes = n.toByteArray();
            return bytes[0] == 0 ? java.util.Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
        }

        private static String b64(byte[] bytes) {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        }
    }
}
