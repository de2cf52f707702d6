package dev.ensemble.inference.messaging;

import dev.ensemble.events.EventEnvelope;
import dev.ensemble.events.Events;
import dev.ensemble.events.PoisonEventException;
import dev.ensemble.events.consumer.ProcessedEvents;
import dev.ensemble.events.model.ModelTrained;
import dev.ensemble.inference.Model;
import dev.ensemble.inference.config.InferenceConfig;
import dev.ensemble.inference.models.ModelFormat;
import dev.ensemble.inference.models.ModelRegistry;
import dev.ensemble.inference.models.ModelServing;
import dev.ensemble.inference.models.ModelStorage;
import dev.ensemble.inference.models.Shapes;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Registers each {@code model.trained} for its owner (idempotent by event id and by model id) and
 * starts loading it. Events that break the contract, or name a path outside model storage, go to
 * {@code model.events.dlq}.
 */
@ApplicationScoped
public class ModelEventsConsumer {

    static final String CONSUMER = "inference.model-events";
    private static final Logger LOG = Logger.getLogger(ModelEventsConsumer.class);

    @Inject
    ProcessedEvents processed;

    @Inject
    ModelRegistry registry;

    @Inject
    ModelServing serving;

    @Inject
    ModelStorage storage;

    @Inject
    InferenceConfig config;

    @Incoming("model-events")
    public Uni<Void> onModelEvent(String payload) {
        EventEnvelope event = Events.read(payload);
        if (!ModelTrained.TYPE.equals(event.type())) {
            return Uni.createFrom().voidItem();
        }
        ModelTrained t = Events.data(event, ModelTrained.class);
        Model m = toModel(t);
        return processed.once(CONSUMER, event, () -> registry.createTrained(m))
                .invoke(first -> LOG.debugf("model.trained %s: %s", t.modelId(), first ? "registered" : "duplicate"))
                .invoke(() -> {
                    serving.register(m);
                    serving.load(m.id);
                })
                .replaceWithVoid();
    }

    private Model toModel(ModelTrained t) {
        if (t.modelId() == null || t.ownerId() == null || t.path() == null || t.path().isBlank()) {
            throw new PoisonEventException("model.trained without model_id, owner_id or path");
        }
        ModelFormat format = ModelFormat.named(t.format())
                .orElseThrow(() -> new PoisonEventException("model.trained with unknown format " + t.format()));
        Path file;
        try {
            file = storage.resolve(t.path());
        } catch (IllegalArgumentException e) {
            throw new PoisonEventException("model.trained path escapes model storage");
        }
        // An architecture without a known block is still registered: it turns `failed` with the reason.
        Model m = new Model();
        m.id = t.modelId();
        m.ownerId = t.ownerId();
        m.jobId = t.jobId();
        m.name = limit(t.name() == null ? "trained-" + t.modelId() : t.name(), 200);
        m.version = limit(t.version() == null ? "1.0.0" : t.version(), 50);
        m.format = format.id;
        m.engine = format.engine;
        m.framework = limit(t.framework() == null ? format.framework : t.framework(), 50);
        m.architecture = limit(t.architecture(), 200);
        m.storagePath = storage.root().relativize(file).toString();
        m.sizeBytes = Files.exists(file) ? storage.sizeOf(file) : 0;
        if (t.inputShape() != null && !t.inputShape().isEmpty()) {
            m.inputShape = Shapes.format(t.inputShape().stream().mapToLong(Long::longValue).toArray());
        }
        m.inputType = t.inputType() == null ? "float32" : limit(t.inputType(), 20);
        if (t.labels() != null) {
            try {
                m.labels = Events.JSON.writeValueAsString(t.labels());
            } catch (Exception e) {
                throw new PoisonEventException("model.trained labels are not a list of strings");
            }
        }
        InferenceConfig.Serving s = config.serving();
        m.batchSize = s.batchSize();
        m.maxBatchDelayMs = (int) s.maxBatchDelay().toMillis();
        m.minWorkers = s.minWorkers();
        m.maxWorkers = s.maxWorkers();
        m.source = "training";
        m.status = Model.LOADING;
        m.createdAt = Instant.now();
        m.updatedAt = m.createdAt;
        return m;
    }

    private static String limit(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
