package dev.ensemble.k8s;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The validator accepts a valid set of objects and names what is wrong in an invalid one. */
class ManifestValidatorTest {

    private static final String VALID = """
            apiVersion: v1
            kind: Namespace
            metadata: {name: shop}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: config, namespace: shop}
            data: {PORT: "8080"}
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: shop}
            spec:
              replicas: 1
              selector:
                matchLabels: {app: web}
              template:
                metadata:
                  labels: {app: web}
                spec:
                  containers:
                    - name: web
                      image: registry.example.com/web:1
                      ports: [{containerPort: 8080, name: http}]
                      envFrom: [{configMapRef: {name: config}}, {secretRef: {name: outside}}]
                      livenessProbe: {httpGet: {path: /q/health/live, port: 8080}}
                      readinessProbe: {httpGet: {path: /q/health/ready, port: http}}
                      resources:
                        requests: {cpu: 250m, memory: 256Mi}
                        limits: {cpu: "1", memory: 512Mi}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: shop}
            spec:
              selector: {app: web}
              ports: [{name: http, port: 8080, targetPort: 8080}]
            ---
            apiVersion: kafka.strimzi.io/v1
            kind: Kafka
            metadata: {name: k, namespace: shop}
            spec:
              kafka:
                listeners: [{name: plain, port: 9092, type: internal, tls: false}]
              entityOperator: {topicOperator: {}}
            ---
            apiVersion: kafka.strimzi.io/v1
            kind: KafkaNodePool
            metadata: {name: pool, namespace: shop, labels: {strimzi.io/cluster: k}}
            spec:
              replicas: 1
              roles: [controller, broker]
              storage: {type: persistent-claim, size: 1Gi}
            ---
            apiVersion: kafka.strimzi.io/v1
            kind: KafkaTopic
            metadata: {name: orders, namespace: shop, labels: {strimzi.io/cluster: k}}
            spec: {partitions: 3, replicas: 1}
            """;

    private static final List<ManifestValidator.External> EXTERNAL = List.of(
            new ManifestValidator.External("Secret", "outside", null, "test"));

    private static List<ObjectNode> objects() {
        return new ArrayList<>(Yaml.readObjects(write(VALID)));
    }

    private static java.nio.file.Path write(String text) {
        try {
            java.nio.file.Path f = java.nio.file.Files.createTempFile("objects", ".yaml");
            java.nio.file.Files.writeString(f, text);
            f.toFile().deleteOnExit();
            return f;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static ObjectNode find(List<ObjectNode> objects, String kind) {
        return objects.stream().filter(o -> kind.equals(Kustomize.text(o, "kind"))).findFirst().orElseThrow();
    }

    private static ObjectNode container(List<ObjectNode> objects) {
        return (ObjectNode) find(objects, "Deployment").path("spec").path("template").path("spec").path("containers").path(0);
    }

    /** Applies a change to the valid set and returns the problems found. */
    private static List<String> problemsAfter(Consumer<List<ObjectNode>> change) {
        List<ObjectNode> objects = objects();
        change.accept(objects);
        return ManifestValidator.validate(objects, EXTERNAL);
    }

    private static void assertProblem(String expected, Consumer<List<ObjectNode>> change) {
        List<String> problems = problemsAfter(change);
        assertTrue(problems.stream().anyMatch(p -> p.contains(expected)), "expected '" + expected + "' among " + problems);
    }

    @Test
    void acceptsAValidSet() {
        assertEquals(List.of(), ManifestValidator.validate(objects(), EXTERNAL));
    }

    @Test
    void unknownFieldsAndWrongTypesDoNotFitTheModel() {
        assertProblem("Unrecognized field \"imagePullPolicyy\"", o -> container(o).put("imagePullPolicyy", "Always"));
        assertProblem("does not fit the Kubernetes model", o -> ((ObjectNode) container(o).path("ports").path(0)).put("containerPort", "8080"));
        assertProblem("does not fit the Kubernetes model", o -> ((ObjectNode) find(o, "ConfigMap").path("data")).put("PORT", 8080));
        assertProblem("does not fit the Kubernetes model", o -> ((ObjectNode) find(o, "Deployment").path("spec")).put("replicas", "1"));
        assertProblem("Unrecognized field \"selectr\"", o -> ((ObjectNode) find(o, "Service").path("spec")).set("selectr", find(o, "Service").path("spec").path("selector")));
        assertProblem("has no kind Deploymnt", o -> find(o, "Deployment").put("kind", "Deploymnt"));
    }

    @Test
    void requiredFieldsAndNames() {
        assertProblem("image is required", o -> container(o).remove("image"));
        assertProblem("metadata.name is required", o -> ((ObjectNode) find(o, "ConfigMap").path("metadata")).remove("name"));
        assertProblem("not a valid DNS", o -> ((ObjectNode) find(o, "Service").path("metadata")).put("name", "Web_1"));
        assertProblem("the pod template has no containers", o -> ((ObjectNode) find(o, "Deployment").path("spec").path("template").path("spec")).putArray("containers"));
        assertProblem("does not match the pod template labels", o -> ((ObjectNode) find(o, "Deployment").path("spec").path("selector").path("matchLabels")).put("app", "other"));
    }

    @Test
    void servicesMustReachPods() {
        assertProblem("matches the pod labels of no workload", o -> ((ObjectNode) find(o, "Service").path("spec").path("selector")).put("app", "nobody"));
        assertProblem("is not a container port", o -> ((ObjectNode) find(o, "Service").path("spec").path("ports").path(0)).put("targetPort", 9999));
    }

    @Test
    void referencesMustResolve() {
        assertProblem("Secret missing is neither in the output nor a known external object",
                o -> ((ObjectNode) container(o).path("envFrom").path(1).path("secretRef")).put("name", "missing"));
        assertProblem("ConfigMap config has no key NOPE", o -> container(o).putArray("env").addObject().put("name", "X")
                .putObject("valueFrom").putObject("configMapKeyRef").put("name", "config").put("key", "NOPE"));
        assertProblem("names no volume", o -> container(o).putArray("volumeMounts").addObject().put("name", "v").put("mountPath", "/v"));
    }

    @Test
    void probesUseTheHealthEndpoints() {
        assertProblem("livenessProbe probes /health", o -> ((ObjectNode) container(o).path("livenessProbe").path("httpGet")).put("path", "/health"));
        assertProblem("readinessProbe is missing", o -> container(o).remove("readinessProbe"));
        assertProblem("port 9000 is not a port of the container", o -> ((ObjectNode) container(o).path("livenessProbe").path("httpGet")).put("port", 9000));
    }

    @Test
    void resourceRequestsStayWithinLimits() {
        assertProblem("request memory 1Gi exceeds its limit", o -> ((ObjectNode) container(o).path("resources").path("requests")).put("memory", "1Gi"));
        assertProblem("is not a quantity", o -> ((ObjectNode) container(o).path("resources").path("limits")).put("memory", "lots"));
        assertProblem("nvidia.com/gpu needs a limit equal to its request", o -> ((ObjectNode) container(o).path("resources").path("requests")).put("nvidia.com/gpu", "1"));
    }

    @Test
    void customResourcesAreCheckedStructurally() {
        assertProblem("neither built in nor one of the operators", o -> o.add(Yaml.readObjects(write(
                "apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: web, namespace: shop}\nspec: {}\n")).get(0)));
        assertProblem("exceeds the 1 brokers", o -> ((ObjectNode) find(o, "KafkaTopic").path("spec")).put("replicas", 3));
        assertProblem("must name a Kafka in the output", o -> ((ObjectNode) find(o, "KafkaTopic").path("metadata").path("labels")).put("strimzi.io/cluster", "other"));
        assertProblem("use kafka.strimzi.io/v1", o -> find(o, "KafkaTopic").put("apiVersion", "kafka.strimzi.io/v1beta2"));
        assertProblem("an even number of KRaft controllers", o -> ((ObjectNode) find(o, "KafkaNodePool").path("spec")).put("replicas", 2));
        assertProblem("spec.kafka.replicas is gone in v1", o -> ((ObjectNode) find(o, "Kafka").path("spec").path("kafka")).put("replicas", 3));
    }

    @Test
    void autoscalersOwnTheirReplicasAndKedaTalksToTheKafka() {
        String hpa = """
                apiVersion: autoscaling/v2
                kind: HorizontalPodAutoscaler
                metadata: {name: web, namespace: shop}
                spec:
                  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
                  minReplicas: 1
                  maxReplicas: 3
                  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}}]
                """;
        assertProblem("sets spec.replicas", o -> o.add(Yaml.readObjects(write(hpa)).get(0)));
        assertEquals(List.of(), problemsAfter(o -> {
            o.add(Yaml.readObjects(write(hpa)).get(0));
            ((ObjectNode) find(o, "Deployment").path("spec")).remove("replicas");
        }));
        String keda = """
                apiVersion: keda.sh/v1alpha1
                kind: ScaledObject
                metadata: {name: web, namespace: shop}
                spec:
                  scaleTargetRef: {name: web}
                  triggers:
                    - type: kafka
                      metadata: {bootstrapServers: "k-kafka-bootstrap.shop.svc:9092", consumerGroup: web, lagThreshold: 5}
                """;
        assertProblem("lagThreshold must be a string", o -> {
            o.add(Yaml.readObjects(write(keda)).get(0));
            ((ObjectNode) find(o, "Deployment").path("spec")).remove("replicas");
        });
        assertProblem("is not <kafka>-kafka-bootstrap", o -> {
            o.add(Yaml.readObjects(write(keda.replace("k-kafka-bootstrap", "kafka").replace("lagThreshold: 5", "lagThreshold: \"5\""))).get(0));
            ((ObjectNode) find(o, "Deployment").path("spec")).remove("replicas");
        });
        assertEquals(List.of(), problemsAfter(o -> {
            o.add(Yaml.readObjects(write(keda.replace("lagThreshold: 5", "lagThreshold: \"5\""))).get(0));
            ((ObjectNode) find(o, "Deployment").path("spec")).remove("replicas");
        }));
    }

    @Test
    void cloudNativePgDatabasesBelongToAClusterRole() {
        String pg = """
                apiVersion: postgresql.cnpg.io/v1
                kind: Cluster
                metadata: {name: pg, namespace: shop}
                spec:
                  instances: 1
                  storage: {size: 1Gi}
                  postgresql: {parameters: {max_connections: "100"}}
                  bootstrap: {initdb: {database: shop, owner: shop}}
                ---
                apiVersion: postgresql.cnpg.io/v1
                kind: Database
                metadata: {name: shop, namespace: shop}
                spec: {name: shop, owner: shop, cluster: {name: pg}}
                """;
        assertEquals(List.of(), problemsAfter(o -> o.addAll(Yaml.readObjects(write(pg)))));
        assertProblem("is not a role of Cluster pg", o -> o.addAll(Yaml.readObjects(write(pg.replace("spec: {name: shop, owner: shop", "spec: {name: shop, owner: other")))));
        assertProblem("must be a string", o -> o.addAll(Yaml.readObjects(write(pg.replace("\"100\"", "100")))));
        // The CloudNativePG application secret counts as existing, with its keys.
        assertEquals(List.of(), problemsAfter(o -> {
            o.addAll(Yaml.readObjects(write(pg)));
            container(o).putArray("env").addObject().put("name", "PW").putObject("valueFrom").putObject("secretKeyRef")
                    .put("name", "pg-app").put("key", "password");
        }));
        assertTrue(Set.of("username", "password").stream().allMatch(ManifestValidator.CNPG_APP_SECRET_KEYS::contains));
    }
}
