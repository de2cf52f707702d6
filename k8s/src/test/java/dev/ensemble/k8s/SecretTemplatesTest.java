package dev.ensemble.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** base/secrets/*.template.yaml: documentation of the secrets the operator creates, never real values. */
class SecretTemplatesTest {

    static List<Path> templates() {
        try (Stream<Path> s = Files.list(Suite.base().resolve("secrets"))) {
            return s.filter(p -> p.getFileName().toString().endsWith(".template.yaml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void templatesAreSecretsWithoutValues() {
        assertFalse(templates().isEmpty());
        for (Path t : templates()) {
            JsonNode secret = Yaml.readOne(t);
            assertEquals("v1", secret.path("apiVersion").asText(), t.toString());
            assertEquals("Secret", secret.path("kind").asText(), t.toString());
            assertEquals(Suite.NAMESPACE, Kustomize.namespace(secret), t.toString());
            assertTrue(Names.isDnsSubdomain(Kustomize.name(secret)), t.toString());
            for (String field : List.of("stringData", "data")) {
                secret.path(field).fields().forEachRemaining(e ->
                        assertEquals("", e.getValue().asText(), t + ": " + e.getKey() + " must stay empty in the template"));
            }
        }
        List<String> names = templates().stream().map(t -> Kustomize.name(Yaml.readOne(t))).toList();
        assertTrue(names.containsAll(List.of(Suite.SECRET, Suite.SIGNING_KEY_SECRET)), names.toString());
    }
}
