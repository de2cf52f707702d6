package dev.ensemble.gpu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Real HTTP servers standing in for the systems the broker talks to but we do not run, answering as
 * their documentation shows: vast.ai ({@code /vast/api/v0/...}), io.net IO Cloud VMaaS
 * ({@code /ionet/enterprise/v1/io-cloud/vmaas/...}), the Kubernetes API ({@code /k8s/api/v1/...}),
 * billing's spending guardrails ({@code /billing/...}), and one small workload server per rented
 * vast.ai instance (which answers who it is, for the proxy and balancing tests).
 */
public class ProviderStubs implements QuarkusTestResourceLifecycleManager {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String VAST_KEY = "test-vast-key";
    static final String IONET_KEY = "test-ionet-key";
    static final String K8S_TOKEN = "test-k8s-token";

    /** Daemon threads, so the stubs never keep the test JVM alive. */
    static final java.util.concurrent.ThreadFactory DAEMON = r -> {
        Thread t = new Thread(r, "provider-stub");
        t.setDaemon(true);
        return t;
    };

    static HttpServer server;
    static int port;

    /** Every request the stubs received: "METHOD path auth". */
    static final List<String> requests = new CopyOnWriteArrayList<>();

    // vast.ai
    static final Map<String, ObjectNode> vastOffers = new ConcurrentHashMap<>();
    static final Map<String, ObjectNode> vastInstances = new ConcurrentHashMap<>();
    static final Set<String> vastGone = ConcurrentHashMap.newKeySet();
    static final Map<String, HttpServer> workloads = new ConcurrentHashMap<>();
    static volatile String vastCreateMode = "ok"; // ok | fail_but_create | error
    static volatile int vastSearchStatus = 200;
    static volatile int vastDelayMs = 0;
    static volatile String vastInstanceHost = "127.0.0.1";
    static final AtomicInteger vastNext = new AtomicInteger(7000);

    // io.net
    static final Map<String, ObjectNode> ionetDeployments = new ConcurrentHashMap<>();
    static final List<String> ionetExtends = new CopyOnWriteArrayList<>();
    static volatile JsonNode ionetLastDeploy;

    // kubernetes
    static final Map<String, ObjectNode> pods = new ConcurrentHashMap<>();
    static volatile JsonNode lastPod;

    // billing
    static volatile BigDecimal spendingLimit;
    static final List<JsonNode> reserves = new CopyOnWriteArrayList<>();
    static final List<String> releases = new CopyOnWriteArrayList<>();

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.setExecutor(Executors.newCachedThreadPool(DAEMON));
        server.createContext("/", ProviderStubs::handle);
        server.start();
        port = server.getAddress().getPort();
        reset();
        String base = "http://127.0.0.1:" + port;
        return Map.ofEntries(
                Map.entry("gpu-broker.vastai.enabled", "true"),
                Map.entry("gpu-broker.vastai.base-url", base + "/vast"),
                Map.entry("gpu-broker.vastai.api-key", VAST_KEY),
                Map.entry("gpu-broker.vastai.timeout", "PT2S"),
                Map.entry("gpu-broker.ionet.enabled", "true"),
                Map.entry("gpu-broker.ionet.base-url", base + "/ionet"),
                Map.entry("gpu-broker.ionet.api-key", IONET_KEY),
                Map.entry("gpu-broker.ionet.timeout", "PT2S"),
                Map.entry("gpu-broker.kubernetes.enabled", "true"),
                Map.entry("gpu-broker.kubernetes.base-url", base + "/k8s"),
                Map.entry("gpu-broker.kubernetes.token", K8S_TOKEN),
                Map.entry("gpu-broker.kubernetes.price-per-gpu-hour", "0.30"),
                Map.entry("gpu-broker.guardrails.enabled", "true"),
                Map.entry("ensemble.billing.url", base + "/billing"),
                Map.entry("gpu-broker.proxy.allow-loopback", "true"),
                Map.entry("gpu-broker.proxy.timeout", "PT1S"),
                Map.entry("gpu-broker.proxy.max-response-bytes", "65536"),
                Map.entry("gpu-broker.proxy.max-request-bytes", "16384"));
    }

    @Override
    public void stop() {
        workloads.values().forEach(s -> s.stop(0));
        if (server != null) {
            server.stop(0);
        }
    }

    /** Back to the documented defaults: a handful of offers per provider, nothing rented. */
    static synchronized void reset() {
        requests.clear();
        vastOffers.clear();
        vastInstances.clear();
        vastGone.clear();
        workloads.values().forEach(s -> s.stop(0));
        workloads.clear();
        vastCreateMode = "ok";
        vastSearchStatus = 200;
        vastDelayMs = 0;
        vastInstanceHost = "127.0.0.1";
        addVastOffer("1001", "RTX_4090", 1, 24564, "0.40", "US, California", 0.99);
        addVastOffer("1002", "RTX_4090", 2, 24564, "0.85", "US, Texas", 0.98);
        addVastOffer("1003", "A100_SXM4", 1, 81920, "1.45", "Germany, DE", 0.995);
        addVastOffer("1004", "RTX_3090", 1, 24576, "0.22", "US, Oregon", 0.97);
        addVastOffer("1005", "RTX_3060", 1, 12288, "0.09", "Poland, PL", 0.95);
        ionetDeployments.clear();
        ionetExtends.clear();
        pods.clear();
        spendingLimit = null;
        reserves.clear();
        releases.clear();
    }

    static void addVastOffer(String id, String gpu, int count, int ramMb, String dph, String geo, double reliability) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", Long.parseLong(id));
        o.put("ask_contract_id", Long.parseLong(id));
        o.put("gpu_name", gpu);
        o.put("num_gpus", count);
        o.put("gpu_ram", ramMb);
        o.put("dph_total", new BigDecimal(dph));
        o.put("geolocation", geo);
        o.put("reliability2", reliability);
        o.put("rentable", true);
        o.put("machine_id", Long.parseLong(id) * 10);
        vastOffers.put(id, o);
    }

    static long count(String prefix) {
        return requests.stream().filter(r -> r.startsWith(prefix)).count();
    }

    private static void handle(HttpExchange ex) throws IOException {
        try {
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            String auth = ex.getRequestHeaders().getFirst(path.startsWith("/ionet") ? "x-api-key" : "Authorization");
            requests.add(method + " " + path + " " + auth);
            byte[] in = ex.getRequestBody().readAllBytes();
            JsonNode body = in.length == 0 ? JSON.createObjectNode() : JSON.readTree(in);
            if (path.startsWith("/vast/")) {
                vast(ex, method, path.substring("/vast/api/v0".length()), auth, body);
            } else if (path.startsWith("/ionet/")) {
                ionet(ex, method, path.substring("/ionet/enterprise/v1/io-cloud/vmaas".length()), auth, body);
            } else if (path.startsWith("/k8s/")) {
                kubernetes(ex, method, path.substring("/k8s".length()), auth, body);
            } else if (path.startsWith("/billing/")) {
                billing(ex, method, path.substring("/billing/api/v1/guardrails/spending".length()), body);
            } else {
                send(ex, 404, JSON.createObjectNode().put("error", "no stub"));
            }
        } catch (Exception e) {
            send(ex, 500, JSON.createObjectNode().put("error", String.valueOf(e)));
        }
    }

    private static void vast(HttpExchange ex, String method, String path, String auth, JsonNode body) throws Exception {
        if (vastDelayMs > 0) {
            Thread.sleep(vastDelayMs);
        }
        if (!("Bearer " + VAST_KEY).equals(auth)) {
            send(ex, 401, JSON.createObjectNode().put("success", false).put("error", "invalid_api_key"));
            return;
        }
        if (method.equals("GET") && path.equals("/bundles/")) {
            if (vastSearchStatus != 200) {
                send(ex, vastSearchStatus, JSON.createObjectNode().put("success", false).put("error", "server_error")
                        .put("msg", "search is down"));
                return;
            }
            String q = URLDecoder.decode(ex.getRequestURI().getRawQuery().substring(2), StandardCharsets.UTF_8);
            JsonNode query = JSON.readTree(q);
            if (!query.path("rentable").path("eq").asBoolean(false)) {
                send(ex, 400, JSON.createObjectNode().put("error", "query must ask for rentable offers"));
                return;
            }
            ObjectNode out = JSON.createObjectNode();
            ArrayNode offers = out.putArray("offers");
            vastOffers.values().forEach(offers::add);
            send(ex, 200, out);
        } else if (method.equals("PUT") && path.startsWith("/asks/")) {
            String id = path.substring("/asks/".length()).replace("/", "");
            if (!vastOffers.containsKey(id) || vastGone.contains(id)) {
                send(ex, 404, JSON.createObjectNode().put("success", false).put("error", "no_such_ask")
                        .put("msg", "Instance type by id " + id + " is not available."));
                return;
            }
            if ("error".equals(vastCreateMode)) {
                send(ex, 500, JSON.createObjectNode().put("success", false).put("error", "server_error"));
                return;
            }
            if (!body.hasNonNull("image") || !body.hasNonNull("label") || !"me".equals(body.path("client_id").asText())) {
                send(ex, 400, JSON.createObjectNode().put("success", false).put("error", "invalid_args"));
                return;
            }
            String instanceId = String.valueOf(vastNext.incrementAndGet());
            HttpServer workload = workload(instanceId);
            ObjectNode inst = JSON.createObjectNode();
            inst.put("id", Long.parseLong(instanceId));
            inst.put("label", body.path("label").asText());
            inst.put("actual_status", "running");
            inst.put("intended_status", "running");
            inst.put("gpu_name", vastOffers.get(id).path("gpu_name").asText());
            inst.put("public_ipaddr", vastInstanceHost);
            inst.putObject("ports").putArray("8080/tcp").addObject().put("HostIp", "0.0.0.0")
                    .put("HostPort", String.valueOf(workload.getAddress().getPort()));
            vastInstances.put(instanceId, inst);
            vastOffers.remove(id);
            if ("fail_but_create".equals(vastCreateMode)) {
                send(ex, 500, JSON.createObjectNode().put("success", false).put("error", "server_error")
                        .put("msg", "internal error"));
                return;
            }
            send(ex, 200, JSON.createObjectNode().put("success", true).put("new_contract", Long.parseLong(instanceId)));
        } else if (method.equals("GET") && path.equals("/instances/")) {
            ObjectNode out = JSON.createObjectNode();
            ArrayNode list = out.putArray("instances");
            vastInstances.values().forEach(list::add);
            send(ex, 200, out);
        } else if (method.equals("DELETE") && path.startsWith("/instances/")) {
            String id = path.substring("/instances/".length()).replace("/", "");
            if (vastInstances.remove(id) == null) {
                send(ex, 404, JSON.createObjectNode().put("success", false).put("error", "no_such_instance"));
                return;
            }
            HttpServer w = workloads.remove(id);
            if (w != null) {
                w.stop(0);
            }
            send(ex, 200, JSON.createObjectNode().put("success", true));
        } else {
            send(ex, 404, JSON.createObjectNode().put("error", "unknown vast path " + path));
        }
    }

    /** The workload of a rented instance: echoes who answered; /slow sleeps, /big is large. */
    private static HttpServer workload(String instanceId) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        s.setExecutor(Executors.newCachedThreadPool(DAEMON));
        s.createContext("/", ex -> {
            byte[] in = ex.getRequestBody().readAllBytes();
            String p = ex.getRequestURI().getPath();
            try {
                if (p.equals("/slow")) {
                    Thread.sleep(3000);
                }
                if (p.equals("/big")) {
                    byte[] big = new byte[200_000];
                    ex.getResponseHeaders().add("Content-Type", "application/octet-stream");
                    ex.sendResponseHeaders(200, big.length);
                    try (OutputStream os = ex.getResponseBody()) {
                        os.write(big);
                    }
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ObjectNode out = JSON.createObjectNode();
            out.put("instance", instanceId);
            out.put("method", ex.getRequestMethod());
            out.put("path", p);
            out.put("query", ex.getRequestURI().getRawQuery());
            out.put("authorization", ex.getRequestHeaders().getFirst("Authorization"));
            out.put("x_custom", ex.getRequestHeaders().getFirst("X-Custom"));
            out.set("payload", in.length == 0 ? null : JSON.readTree(in));
            send(ex, p.equals("/teapot") ? 418 : 200, out);
        });
        s.start();
        workloads.put(instanceId, s);
        return s;
    }

    private static void ionet(HttpExchange ex, String method, String path, String auth, JsonNode body) throws IOException {
        if (!IONET_KEY.equals(auth)) {
            send(ex, 401, JSON.createObjectNode().put("detail", "Invalid API key"));
            return;
        }
        if (method.equals("GET") && path.equals("/hardware")) {
            ObjectNode out = JSON.createObjectNode();
            ArrayNode data = out.putArray("data");
            ObjectNode h100 = data.addObject();
            h100.put("hardware_id", 101).put("hardware_name", "NVIDIA H100 80GB").put("brand_name", "NVIDIA")
                    .put("gpu_memory", 80).put("available", 5).put("price_per_gpu_hour_usd", new BigDecimal("2.10"));
            h100.putArray("locations").addObject().put("id", 7).put("iso2", "US").put("name", "East");
            ObjectNode mi = data.addObject();
            mi.put("hardware_id", 205).put("hardware_name", "AMD MI300X").put("brand_name", "AMD")
                    .put("gpu_memory", 192).put("available", 0).put("price_per_gpu_hour_usd", new BigDecimal("2.90"));
            mi.putArray("locations").addObject().put("id", 9).put("iso2", "SG").put("name", "Singapore");
            ObjectNode a10 = data.addObject();
            a10.put("hardware_id", 150).put("hardware_name", "NVIDIA A10").put("brand_name", "NVIDIA")
                    .put("gpu_memory", 24).put("available", 12).put("price_per_gpu_hour_usd", new BigDecimal("0.55"));
            a10.putArray("locations").addObject().put("id", 7).put("iso2", "US").put("name", "East");
            send(ex, 200, out);
        } else if (method.equals("POST") && path.equals("/deploy")) {
            ionetLastDeploy = body;
            if (!body.hasNonNull("resource_private_name") || !body.path("location_ids").isArray()) {
                send(ex, 422, JSON.createObjectNode().put("detail", "validation error"));
                return;
            }
            String id = UUID.randomUUID().toString();
            ObjectNode d = JSON.createObjectNode();
            d.put("id", id).put("name", body.path("resource_private_name").asText()).put("status", "running")
                    .put("hardware_id", body.path("hardware_id").asInt());
            ionetDeployments.put(id, d);
            send(ex, 200, JSON.createObjectNode().put("status", "success").put("deployment_id", id));
        } else if (method.equals("GET") && path.equals("/deployments")) {
            ObjectNode out = JSON.createObjectNode();
            ArrayNode list = out.putObject("data").putArray("deployments");
            ionetDeployments.values().forEach(list::add);
            send(ex, 200, out);
        } else if (method.equals("POST") && path.endsWith("/extend")) {
            String id = path.substring("/deployment/".length(), path.length() - "/extend".length());
            ionetExtends.add(id + ":" + body.path("duration_hours").asInt());
            send(ex, ionetDeployments.containsKey(id) ? 200 : 404, JSON.createObjectNode().putObject("data").put("id", id));
        } else if (method.equals("DELETE") && path.startsWith("/deployment/")) {
            String id = path.substring("/deployment/".length());
            send(ex, ionetDeployments.remove(id) == null ? 404 : 200, JSON.createObjectNode().put("status", "success"));
        } else {
            send(ex, 404, JSON.createObjectNode().put("detail", "Not Found"));
        }
    }

    private static void kubernetes(HttpExchange ex, String method, String path, String auth, JsonNode body) throws IOException {
        if (!("Bearer " + K8S_TOKEN).equals(auth)) {
            send(ex, 401, status(401, "Unauthorized"));
            return;
        }
        String podsPath = "/api/v1/namespaces/ensemble-gpu/pods";
        if (method.equals("GET") && path.equals("/api/v1/nodes")) {
            ObjectNode out = JSON.createObjectNode().put("kind", "NodeList").put("apiVersion", "v1");
            ArrayNode items = out.putArray("items");
            items.add(node("gpu-node-1", "4", "NVIDIA-A100-SXM4-80GB", "81920", true));
            items.add(node("cpu-node-1", null, null, null, true));
            send(ex, 200, out);
        } else if (method.equals("POST") && path.equals(podsPath)) {
            lastPod = body;
            String name = body.path("metadata").path("name").asText();
            if (pods.containsKey(name)) {
                send(ex, 409, status(409, "AlreadyExists"));
                return;
            }
            ObjectNode pod = body.deepCopy();
            pod.putObject("status").put("phase", "Running").put("podIP", "10.244.1.17");
            pods.put(name, pod);
            send(ex, 201, pod);
        } else if (method.equals("GET") && path.equals(podsPath)) {
            String selector = URLDecoder.decode(String.valueOf(ex.getRequestURI().getRawQuery()), StandardCharsets.UTF_8);
            ObjectNode out = JSON.createObjectNode().put("kind", "PodList");
            ArrayNode items = out.putArray("items");
            if (selector.contains("app.kubernetes.io/managed-by=ensemble-gpu-broker")) {
                pods.values().forEach(items::add);
            }
            send(ex, 200, out);
        } else if (method.equals("DELETE") && path.startsWith(podsPath + "/")) {
            String name = path.substring(podsPath.length() + 1);
            send(ex, pods.remove(name) == null ? 404 : 200, status(200, "Success"));
        } else {
            send(ex, 404, status(404, "NotFound"));
        }
    }

    private static ObjectNode node(String name, String gpus, String product, String memory, boolean ready) {
        ObjectNode n = JSON.createObjectNode();
        ObjectNode meta = n.putObject("metadata");
        meta.put("name", name);
        ObjectNode labels = meta.putObject("labels");
        labels.put("kubernetes.io/hostname", name).put("topology.kubernetes.io/zone", "eu-west-1a");
        if (product != null) {
            labels.put("nvidia.com/gpu.product", product).put("nvidia.com/gpu.memory", memory);
        }
        ObjectNode status = n.putObject("status");
        ObjectNode alloc = status.putObject("allocatable").put("cpu", "16").put("memory", "64Gi");
        ObjectNode cap = status.putObject("capacity").put("cpu", "16");
        if (gpus != null) {
            alloc.put("nvidia.com/gpu", gpus);
            cap.put("nvidia.com/gpu", gpus);
        }
        status.putArray("conditions").addObject().put("type", "Ready").put("status", ready ? "True" : "False");
        return n;
    }

    private static ObjectNode status(int code, String reason) {
        return JSON.createObjectNode().put("kind", "Status").put("apiVersion", "v1").put("code", code).put("reason", reason);
    }

    private static void billing(HttpExchange ex, String method, String path, JsonNode body) throws IOException {
        if (path.equals("/reserve")) {
            reserves.add(body);
            BigDecimal amount = new BigDecimal(body.path("amount").asText("0"));
            if (spendingLimit != null && amount.compareTo(spendingLimit) > 0) {
                ObjectNode p = JSON.createObjectNode().put("status", 402).put("code", "SPENDING_LIMIT")
                        .put("detail", "the daily spending limit would be exceeded");
                p.putArray("violations").addObject().put("window", "daily").put("limit", spendingLimit);
                send(ex, 402, p);
                return;
            }
            send(ex, 201, JSON.createObjectNode().put("reservation_id", UUID.randomUUID().toString())
                    .put("amount", amount).put("currency", body.path("currency").asText()).put("status", "held"));
        } else if (path.startsWith("/reservations/") && path.endsWith("/release")) {
            releases.add(path);
            send(ex, 200, JSON.createObjectNode().put("status", "released"));
        } else {
            send(ex, 404, JSON.createObjectNode().put("code", "NOT_FOUND"));
        }
    }

    private static void send(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] out = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, out.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(out);
        }
    }

    static URI base() {
        return URI.create("http://127.0.0.1:" + port);
    }
}
