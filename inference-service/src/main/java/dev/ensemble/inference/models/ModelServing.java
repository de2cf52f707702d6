package dev.ensemble.inference.models;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.ensemble.events.Events;
import dev.ensemble.inference.Model;
import dev.ensemble.inference.config.InferenceConfig;
import dev.ensemble.inference.serving.BatchPolicy;
import dev.ensemble.inference.serving.Servable;
import dev.ensemble.inference.serving.ServingEngine;
import dev.ensemble.inference.serving.Tensor;
import dev.ensemble.ml.Devices;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Connects the registry to the serving engine: registers models with their batching policy and a
 * loader for their format, records load outcomes in the database, and runs predictions.
 */
@ApplicationScoped
public class ModelServing {

    private static final Logger LOG = Logger.getLogger(ModelServing.class);
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {
    };

    @Inject
    InferenceConfig config;

    @Inject
    ModelStorage storage;

    @Inject
    ModelRegistry registry;

    @Inject
    Vertx vertx;

    private volatile ServingEngine engine;
    private final Map<UUID, ServedModel> served = new ConcurrentHashMap<>();

    static {
        // Nothing is downloaded at run time, and on small machines one engine thread each is fastest.
        setDefault("ai.djl.offline", "true");
        setDefault("OPT_OUT_TRACKING", "true");
        setDefault("ai.djl.pytorch.num_interop_threads", "1");
        setDefault("ai.djl.pytorch.num_threads", "1");
        setDefault("ai.djl.pytorch.graph_optimizer", "false");
    }

    private static void setDefault(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    void start(@Observes StartupEvent event) {
        engine();
        if (config.serving().loadOnStart()) {
            VertxWork.run(vertx, registry::servable).thenAccept(models -> models.forEach(m -> {
                register(m);
                load(m.id);
            })).exceptionally(e -> {
                LOG.warnf("cannot reload models at start: %s", e.getMessage());
                return null;
            });
        }
    }

    void stop(@Observes ShutdownEvent event) {
        ServingEngine e = engine;
        if (e != null) {
            e.close();
        }
    }

    public ServingEngine engine() {
        if (engine == null) {
            synchronized (this) {
                if (engine == null) {
                    engine = new ServingEngine("serving", config.serving().loadThreads());
                }
            }
        }
        return engine;
    }

    /** The policy a model row asks for, within the configured limits. */
    public BatchPolicy policyOf(Model m) {
        InferenceConfig.Serving s = config.serving();
        int maxWorkers = Math.max(1, Math.min(m.maxWorkers, s.maxWorkersLimit()));
        int minWorkers = Math.max(0, Math.min(m.minWorkers, maxWorkers));
        return new BatchPolicy(Math.max(1, Math.min(m.batchSize, s.maxBatchSize())),
                Duration.ofMillis(Math.max(0, m.maxBatchDelayMs)), minWorkers, maxWorkers, s.queueCapacity(),
                s.workerIdle(), s.unloadIdle());
    }

    /** Registers a row with the engine (once); loading waits for {@link #load} or the first request. */
    public ServedModel register(Model m) {
        ServedModel existing = served.get(m.id);
        if (existing != null) {
            return existing;
        }
        ModelFormat format = ModelFormat.named(m.format).orElse(ModelFormat.ONNX);
        List<String> labels = null;
        if (m.labels != null) {
            try {
                labels = Events.JSON.readValue(m.labels, STRINGS);
            } catch (Exception ignored) {
                // unreadable labels: answer scores without names
            }
        }
        ServedModel sm = new ServedModel(m, format, labels);
        ServedModel raced = served.putIfAbsent(m.id, sm);
        if (raced != null) {
            return raced;
        }
        engine().register(sm.key(), policyOf(m), () -> open(sm));
        return sm;
    }

    public Optional<ServedModel> served(UUID id) {
        return Optional.ofNullable(served.get(id));
    }

    /** Starts loading; the database row follows the outcome. */
    public CompletableFuture<Void> load(UUID id) {
        ServedModel sm = served.get(id);
        if (sm == null) {
            return CompletableFuture.completedFuture(null);
        }
        return engine().load(sm.key()).thenCompose(v -> persistOutcome(sm));
    }

    public void unload(UUID id) {
        ServedModel sm = served.get(id);
        if (sm != null) {
            engine().unload(sm.key());
        }
    }

    public void remove(UUID id) {
        ServedModel sm = served.remove(id);
        if (sm != null) {
            engine().remove(sm.key());
        }
    }

    public Optional<ServingEngine.Status> status(UUID id) {
        return engine().status(id.toString());
    }

    public void policy(Model m) {
        if (served.containsKey(m.id)) {
            engine().policy(m.id.toString(), policyOf(m));
        }
    }

    /** Queues rows for a registered model; the Uni completes off the event loop's back. */
    public Uni<Tensor> predict(ServedModel sm, Tensor input) {
        return Uni.createFrom().completionStage(() -> engine().predict(sm.key(), input))
                .ifNoItem().after(config.serving().requestTimeout()).failWith(() -> new dev.ensemble.inference.serving
                        .ServingException(dev.ensemble.inference.serving.ServingException.Reason.OVERLOADED,
                        "no answer within " + config.serving().requestTimeout().toSeconds() + " s"));
    }

    private CompletableFuture<Void> persistOutcome(ServedModel sm) {
        ServingEngine.Status st = engine().status(sm.key()).orElse(null);
        if (st == null) {
            return CompletableFuture.completedFuture(null);
        }
        String status = st.ready() ? Model.READY : "failed".equals(st.state()) ? Model.FAILED : null;
        if (status == null) {
            return CompletableFuture.completedFuture(null);
        }
        String labels = null;
        if (sm.labels != null) {
            try {
                labels = Events.JSON.writeValueAsString(sm.labels);
            } catch (Exception ignored) {
                // labels stay unnamed
            }
        }
        String shape = Shapes.format(sm.inputRowShape);
        String inputLabels = labels;
        return VertxWork.run(vertx, () -> registry.loaded(sm.id, status, st.error(), shape, sm.inputName, inputLabels))
                .exceptionally(e -> {
                    LOG.warnf("cannot record the load of model %s: %s", sm.id, e.getMessage());
                    return null;
                });
    }

    private ai.djl.Device device(ModelFormat format) {
        return Devices.resolve(config.serving().device(), format.engine);
    }

    /** Opens a model file with the runtime of its format (on a loader thread). */
    private Servable open(ServedModel sm) throws Exception {
        if (sm.path == null) {
            throw new IllegalStateException("the model has no stored file");
        }
        Path file = storage.resolve(sm.path);
        if (!Files.exists(file)) {
            throw new IllegalStateException("the model file is missing from storage");
        }
        switch (sm.format) {
            case CLASSICAL -> {
                TribuoServable t = TribuoServable.load(file);
                sm.inputRowShape = t.inputRowShape();
                sm.labels = t.labels();
                sm.featureNames = t.featureNames();
                return t;
            }
            case DJL -> {
                DjlServable d = DjlServable.params(file, sm.architecture, device(ModelFormat.DJL));
                sm.onGpu = d.onGpu();
                if (sm.inputRowShape == null) {
                    sm.inputRowShape = d.inputRowShape();
                }
                return d;
            }
            default -> {
                if (sm.format == ModelFormat.ONNX && sm.inputRowShape == null) {
                    List<OnnxInputs.Input> inputs = OnnxInputs.read(file);
                    if (inputs.size() != 1) {
                        throw new IllegalArgumentException("the graph has " + inputs.size()
                                + " inputs; models with exactly one input tensor are served");
                    }
                    if (inputs.get(0).elemType() != 1) {
                        throw new IllegalArgumentException("the graph's input is not float32 (ONNX type "
                                + inputs.get(0).elemType() + "); float32 inputs are served");
                    }
                    long[] full = inputs.get(0).shape();
                    if (full.length >= 2) {
                        sm.inputRowShape = java.util.Arrays.copyOfRange(full, 1, full.length);
                    }
                    sm.inputName = inputs.get(0).name();
                }
                DjlServable d = DjlServable.file(file, sm.format, device(sm.format));
                sm.onGpu = d.onGpu();
                if (sm.inputRowShape == null && d.inputRowShape() != null && d.inputRowShape().length > 0) {
                    sm.inputRowShape = d.inputRowShape();
                }
                if (sm.inputName == null) {
                    sm.inputName = d.inputName();
                }
                return d;
            }
        }
    }
}
