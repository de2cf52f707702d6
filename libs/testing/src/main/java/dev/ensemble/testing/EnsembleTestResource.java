package dev.ensemble.testing;

import dev.ensemble.infra.Database;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.HashMap;
import java.util.Map;

/**
 * Gives a {@code @QuarkusTest} a real PostgreSQL database (one per service, recreated per run),
 * a real Kafka broker, and the test signing key. Use with
 * {@code @QuarkusTestResource(value = EnsembleTestResource.class, initArgs = @ResourceArg(name = "database", value = "billing"))}
 * or the module-wide {@code @WithTestResource}.
 */
public class EnsembleTestResource implements QuarkusTestResourceLifecycleManager {

    private String databaseName = "ensemble_test";

    @Override
    public void init(Map<String, String> initArgs) {
        String name = initArgs.get("database");
        if (name != null) {
            databaseName = "test_" + name.replaceAll("[^a-z0-9_]", "_");
        }
    }

    @Override
    public Map<String, String> start() {
        Database db = TestInfrastructure.database();
        db.dropDatabase(databaseName);
        db.ensureDatabase(databaseName);
        String kafka = TestInfrastructure.kafkaBootstrapServers();
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.datasource.reactive.url", db.reactiveUrl(databaseName));
        config.put("quarkus.datasource.jdbc.url", db.jdbcUrl(databaseName));
        config.put("quarkus.datasource.username", db.user());
        config.put("quarkus.datasource.password", db.password());
        config.put("kafka.bootstrap.servers", kafka);
        config.put("mp.jwt.verify.publickey.location", TestKeys.jwksFile().toUri().toString());
        config.put("mp.jwt.verify.issuer", TestKeys.ISSUER);
        return config;
    }

    @Override
    public void stop() {
        // The servers live for the whole JVM and stop with it.
    }
}
