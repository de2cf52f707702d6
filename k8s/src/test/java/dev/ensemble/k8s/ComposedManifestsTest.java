package dev.ensemble.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ensemble.events.Topics;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Builds k8s/base and every overlay and checks the result: valid Kubernetes objects (see
 * {@link ManifestValidator}) that run the suite as docs/conventions.md describes it.
 * The built output is written to target/kustomize/&lt;name&gt;.yaml for review.
 */
class ComposedManifestsTest {

    static Stream<Path> kustomizations() {
        return Suite.kustomizations().stream();
    }

    static List<ObjectNode> build(Path dir) {
        List<ObjectNode> objects = Kustomize.build(dir);
        try {
            Files.createDirectories(Suite.rendered());
            Files.writeString(Suite.rendered().resolve(dir.getFileName() + ".yaml"), Yaml.write(objects));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return objects;
    }

    /** The secrets of base/secrets/*.template.yaml and the other documented external secrets. */
    static List<ManifestValidator.External> externals() {
        List<ManifestValidator.External> out = new ArrayList<>();
        for (Path template : SecretTemplatesTest.templates()) {
            JsonNode secret = Yaml.readOne(template);
            Set<String> keys = new TreeSet<>();
            secret.path("stringData").fieldNames().forEachRemaining(keys::add);
            secret.path("data").fieldNames().forEachRemaining(keys::add);
            out.add(new ManifestValidator.External("Secret", Kustomize.name(secret), keys.isEmpty() ? null : keys,
                    "created by the operator from " + template.getFileName()));
        }
        Suite.OTHER_EXTERNAL_SECRETS.forEach((name, why) -> out.add(new ManifestValidator.External("Secret", name, null, why)));
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kustomizations")
    void buildsIntoValidKubernetesObjects(Path dir) {
        List<ObjectNode> objects = build(dir);
        assertFalse(objects.isEmpty());
        List<String> problems = ManifestValidator.validate(objects, externals());
        assertTrue(problems.isEmpty(), dir + " builds into invalid objects:\n  " + String.join("\n  ", problems));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kustomizations")
    void buildsWhatKubectlKustomizeBuilds(Path dir) {
        Assumptions.assumeTrue(KubectlKustomize.available(), "no kubectl on the PATH");
        List<String> differences = KubectlKustomize.differences(KubectlKustomize.build(dir).orElseThrow(), build(dir));
        assertTrue(differences.isEmpty(), "kubectl kustomize " + dir + " differs:\n  " + String.join("\n  ", differences));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kustomizations")
    void runsEveryServiceWithItsConfigurationAndProbes(Path dir) {
        Objects o = new Objects(build(dir));
        assertNotNull(o.get("", "Namespace", Suite.NAMESPACE), "Namespace " + Suite.NAMESPACE);
        for (ObjectNode each : o.all) {
            if (!Kustomize.CLUSTER_SCOPED.contains(Kustomize.text(each, "kind"))) {
                assertEquals(Suite.NAMESPACE, Kustomize.namespace(each), Kustomize.id(each));
            }
        }
        for (Suite.Service s : Suite.SERVICES) {
            ObjectNode service = o.require("", "Service", s.name());
            JsonNode http = null;
            for (JsonNode p : service.path("spec").path("ports")) {
                if ("http".equals(p.path("name").asText())) {
                    http = p;
                }
            }
            assertNotNull(http, s.name() + ": Service port http");
            assertEquals(s.port(), http.path("port").asInt(), s.name() + ": Service port");
            assertEquals(s.port(), http.path("targetPort").asInt(), s.name() + ": target port");

            JsonNode c = o.container(s.name());
            assertEquals(s.port(), c.path("ports").path(0).path("containerPort").asInt(), s.name() + ": container port");
            assertTrue(c.path("image").asText().startsWith("registry.example.com/ensemble/" + s.name() + ":"), c.path("image").asText());
            Set<String> envFrom = new HashSet<>();
            c.path("envFrom").forEach(e -> {
                envFrom.add("ConfigMap/" + e.path("configMapRef").path("name").asText());
                envFrom.add("Secret/" + e.path("secretRef").path("name").asText());
            });
            assertTrue(envFrom.containsAll(Set.of("ConfigMap/" + Suite.CONFIG_MAP, "Secret/" + Suite.SECRET)),
                    s.name() + ": envFrom " + envFrom);
            assertEquals(Suite.POSTGRES + "-app/username", secretKey(c, "ENSEMBLE_DB_USER"), s.name());
            assertEquals(Suite.POSTGRES + "-app/password", secretKey(c, "ENSEMBLE_DB_PASSWORD"), s.name());
            assertEquals("/q/health/live", c.path("livenessProbe").path("httpGet").path("path").asText(), s.name());
            assertEquals("/q/health/ready", c.path("readinessProbe").path("httpGet").path("path").asText(), s.name());
            assertEquals("/q/health/started", c.path("startupProbe").path("httpGet").path("path").asText(), s.name());
            for (String r : List.of("cpu", "memory")) {
                assertTrue(c.path("resources").path("requests").has(r), s.name() + ": requests " + r);
            }
            assertTrue(c.path("resources").path("limits").has("memory"), s.name() + ": memory limit");
            assertTrue(o.require("apps", "Deployment", s.name()).path("spec").path("template").path("spec")
                    .path("securityContext").path("runAsNonRoot").asBoolean(), s.name() + ": runAsNonRoot");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kustomizations")
    void configMapNamesTheServicesKafkaAndPostgresInTheCluster(Path dir) {
        Objects o = new Objects(build(dir));
        JsonNode data = o.require("", "ConfigMap", Suite.CONFIG_MAP).path("data");
        for (Suite.Service s : Suite.SERVICES) {
            int port = 0;
            for (JsonNode p : o.require("", "Service", s.name()).path("spec").path("ports")) {
                if ("http".equals(p.path("name").asText())) {
                    port = p.path("port").asInt();
                }
            }
            assertEquals("http://" + s.name() + ":" + port, data.path(s.urlVariable()).asText(), s.urlVariable());
        }
        ObjectNode kafka = o.require("kafka.strimzi.io", "Kafka", Suite.KAFKA);
        int plain = 0;
        for (JsonNode l : kafka.path("spec").path("kafka").path("listeners")) {
            if (!l.path("tls").asBoolean() && "internal".equals(l.path("type").asText())) {
                plain = l.path("port").asInt();
            }
        }
        assertEquals(Suite.KAFKA + "-kafka-bootstrap:" + plain, data.path("KAFKA_BOOTSTRAP_SERVERS").asText());
        assertEquals("ensemble-kafka-kafka-bootstrap:9092", data.path("KAFKA_BOOTSTRAP_SERVERS").asText());
        o.require("postgresql.cnpg.io", "Cluster", Suite.POSTGRES);
        assertEquals(Suite.POSTGRES + "-rw", data.path("ENSEMBLE_DB_HOST").asText());
        assertEquals("5432", data.path("ENSEMBLE_DB_PORT").asText());
        assertEquals("true", data.path("DJL_OFFLINE").asText());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kustomizations")
    void declaresEveryTopicOfTopicsAll(Path dir) {
        Objects o = new Objects(build(dir));
        Set<String> declared = new TreeSet<>();
        for (ObjectNode t : o.all("kafka.strimzi.io", "KafkaTopic")) {
            declared.add(ManifestValidator.topicName(t));
            assertEquals(Suite.KAFKA, t.path("metadata").path("labels").path("strimzi.io/cluster").asText(), Kustomize.name(t));
        }
        assertEquals(new TreeSet<>(Topics.all()), declared, "KafkaTopic objects vs libs/events Topics.all()");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kustomizations")
    void declaresEachServicesDatabase(Path dir) throws IOException {
        Objects o = new Objects(build(dir));
        Set<String> declared = new TreeSet<>();
        for (ObjectNode d : o.all("postgresql.cnpg.io", "Database")) {
            declared.add(d.path("spec").path("name").asText());
            assertEquals(Suite.POSTGRES, d.path("spec").path("cluster").path("name").asText());
            assertEquals("present", d.path("spec").path("ensure").asText("present"));
        }
        Set<String> expected = new TreeSet<>();
        for (Suite.Service s : Suite.SERVICES) {
            expected.add(s.database());
            Path props = Suite.root().resolve(s.name()).resolve("src/main/resources/application.properties");
            if (Files.isRegularFile(props)) {
                Properties p = new Properties();
                try (var in = Files.newBufferedReader(props)) {
                    p.load(in);
                }
                Matcher m = Pattern.compile("\\$\\{ENSEMBLE_DB_NAME:([a-z_0-9]+)}").matcher(p.getProperty("ensemble.db.name", ""));
                assertTrue(m.matches(), props + ": ensemble.db.name=${ENSEMBLE_DB_NAME:<database>}");
                assertEquals(s.database(), m.group(1), props + ": the database of docs/conventions.md");
                assertEquals(String.valueOf(s.port()), p.getProperty("quarkus.http.port"), props + ": the port of docs/conventions.md");
            }
        }
        assertEquals(expected, declared);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kustomizations")
    void sharesTheSigningKeyAndGivesDjlACache(Path dir) {
        Objects o = new Objects(build(dir));
        ObjectNode auth = o.require("apps", "Deployment", "auth-service");
        JsonNode c = o.container("auth-service");
        String keyDir = env(c, "ENSEMBLE_AUTH_KEY_DIR");
        String volume = mountedVolume(c, keyDir);
        assertNotNull(volume, "ENSEMBLE_AUTH_KEY_DIR is a mount");
        JsonNode v = volumeNamed(auth, volume);
        assertEquals(Suite.SIGNING_KEY_SECRET, v.path("secret").path("secretName").asText());
        String djlCache = o.require("", "ConfigMap", Suite.CONFIG_MAP).path("data").path("DJL_CACHE_DIR").asText();
        for (String s : Suite.GPU_SERVICES) {
            String cache = mountedVolume(o.container(s), djlCache);
            assertNotNull(cache, s + " mounts DJL_CACHE_DIR");
            assertTrue(volumeNamed(o.require("apps", "Deployment", s), cache).has("emptyDir"), s);
        }
    }

    @Test
    void baseRunsWithoutGpusOrAutoscalers() {
        Objects o = new Objects(build(Suite.base()));
        for (ObjectNode d : o.all("apps", "Deployment")) {
            for (ObjectNode c : Kustomize.containers(d)) {
                assertFalse(c.path("resources").path("limits").has("nvidia.com/gpu"), Kustomize.name(d));
            }
            assertEquals(1, d.path("spec").path("replicas").asInt(1), Kustomize.name(d));
        }
        assertTrue(o.all("autoscaling", "HorizontalPodAutoscaler").isEmpty());
        assertTrue(o.all("keda.sh", "ScaledObject").isEmpty());
    }

    @Test
    void productionPutsGpuWorkloadsOnGpuNodes() {
        Objects o = new Objects(build(Suite.dir().resolve("overlays/production")));
        for (ObjectNode d : o.all("apps", "Deployment")) {
            String name = Kustomize.name(d);
            boolean gpu = Suite.GPU_SERVICES.contains(name);
            JsonNode limits = o.container(name).path("resources").path("limits");
            JsonNode pod = Kustomize.podSpec(d);
            if (gpu) {
                assertTrue(ManifestValidator.amount(limits.path("nvidia.com/gpu")).intValue() >= 1, name + ": nvidia.com/gpu limit");
                assertEquals("true", pod.path("nodeSelector").path("nvidia.com/gpu.present").asText(), name + ": nodeSelector");
                boolean tolerates = false;
                for (JsonNode t : pod.path("tolerations")) {
                    tolerates |= "nvidia.com/gpu".equals(t.path("key").asText()) && "NoSchedule".equals(t.path("effect").asText());
                }
                assertTrue(tolerates, name + ": tolerates the nvidia.com/gpu taint");
            } else {
                assertFalse(limits.has("nvidia.com/gpu"), name);
                assertFalse(pod.path("nodeSelector").has("nvidia.com/gpu.present"), name);
            }
        }
    }

    @Test
    void productionScalesOnLoadAndQueueLag() {
        Objects o = new Objects(build(Suite.dir().resolve("overlays/production")));
        Map<String, String> expected = Map.of(
                "gateway-service", "HorizontalPodAutoscaler",
                "inference-service", "HorizontalPodAutoscaler",
                "job-service", "ScaledObject");
        expected.forEach((service, kind) -> {
            List<ObjectNode> scalers = new ArrayList<>(o.all("autoscaling", kind));
            scalers.addAll(o.all("keda.sh", kind));
            assertTrue(scalers.stream().anyMatch(s -> service.equals(s.path("spec").path("scaleTargetRef").path("name").asText())),
                    service + " is scaled by a " + kind);
            assertFalse(o.require("apps", "Deployment", service).path("spec").has("replicas"), service + " leaves replicas to its autoscaler");
        });
        ObjectNode keda = o.require("keda.sh", "ScaledObject", "job-service");
        JsonNode trigger = keda.path("spec").path("triggers").path(0);
        assertEquals("kafka", trigger.path("type").asText());
        assertEquals("job-service", trigger.path("metadata").path("consumerGroup").asText());
        assertTrue(keda.path("spec").path("minReplicaCount").asInt() >= 1, "an idle worker stays up");
        for (String service : List.of("auth-service", "billing-service", "gpu-broker-service")) {
            assertTrue(o.require("apps", "Deployment", service).path("spec").path("replicas").asInt() >= 2, service);
            o.require("policy", "PodDisruptionBudget", service);
        }
    }

    @Test
    void productionReplicatesKafkaAndPostgres() {
        Objects o = new Objects(build(Suite.dir().resolve("overlays/production")));
        int brokers = 0;
        for (ObjectNode pool : o.all("kafka.strimzi.io", "KafkaNodePool")) {
            brokers += pool.path("spec").path("replicas").asInt();
        }
        assertEquals(3, brokers);
        for (ObjectNode t : o.all("kafka.strimzi.io", "KafkaTopic")) {
            assertEquals(3, t.path("spec").path("replicas").asInt(), Kustomize.name(t));
            assertEquals(2, t.path("spec").path("config").path("min.insync.replicas").asInt(), Kustomize.name(t));
        }
        assertEquals(2, o.require("kafka.strimzi.io", "Kafka", Suite.KAFKA).path("spec").path("kafka").path("config")
                .path("min.insync.replicas").asInt());
        assertEquals(3, o.require("postgresql.cnpg.io", "Cluster", Suite.POSTGRES).path("spec").path("instances").asInt());
    }

    @Test
    void productionPinsReleasedImagesAndServesTls() {
        Objects o = new Objects(build(Suite.dir().resolve("overlays/production")));
        for (ObjectNode d : o.all("apps", "Deployment")) {
            for (ObjectNode c : Kustomize.containers(d)) {
                assertFalse(c.path("image").asText().endsWith("-SNAPSHOT"), c.path("image").asText());
            }
        }
        JsonNode ingress = o.require("networking.k8s.io", "Ingress", "ensemble-gateway").path("spec");
        assertEquals("ensemble.example.com", ingress.path("rules").path(0).path("host").asText());
        assertEquals("ensemble.example.com", ingress.path("tls").path(0).path("hosts").path(0).asText());
    }

    // ---- helpers

    private static String secretKey(JsonNode container, String env) {
        for (JsonNode e : container.path("env")) {
            if (env.equals(e.path("name").asText())) {
                JsonNode ref = e.path("valueFrom").path("secretKeyRef");
                return ref.path("name").asText() + "/" + ref.path("key").asText();
            }
        }
        return null;
    }

    private static String env(JsonNode container, String env) {
        for (JsonNode e : container.path("env")) {
            if (env.equals(e.path("name").asText())) {
                return e.path("value").asText(null);
            }
        }
        return null;
    }

    private static String mountedVolume(JsonNode container, String path) {
        for (JsonNode m : container.path("volumeMounts")) {
            if (m.path("mountPath").asText().equals(path)) {
                return m.path("name").asText();
            }
        }
        return null;
    }

    private static JsonNode volumeNamed(ObjectNode workload, String name) {
        for (JsonNode v : Kustomize.podSpec(workload).path("volumes")) {
            if (name.equals(v.path("name").asText())) {
                return v;
            }
        }
        return fail("no volume " + name + " in " + Kustomize.name(workload));
    }

    /** Lookups in a built output. */
    static final class Objects {
        final List<ObjectNode> all;

        Objects(List<ObjectNode> all) {
            this.all = all;
        }

        List<ObjectNode> all(String group, String kind) {
            return all.stream().filter(o -> group.equals(ManifestValidator.group(o)) && kind.equals(Kustomize.text(o, "kind"))).toList();
        }

        ObjectNode get(String group, String kind, String name) {
            return all(group, kind).stream().filter(o -> name.equals(Kustomize.name(o))).findFirst().orElse(null);
        }

        ObjectNode require(String group, String kind, String name) {
            ObjectNode o = get(group, kind, name);
            assertNotNull(o, kind + " " + name);
            return o;
        }

        JsonNode container(String service) {
            for (ObjectNode c : Kustomize.containers(require("apps", "Deployment", service))) {
                if (service.equals(c.path("name").asText())) {
                    return c;
                }
            }
            return fail("no container " + service);
        }
    }
}
