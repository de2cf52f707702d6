package dev.ensemble.inference.llm;

import dev.ensemble.llm.model.BundledModel;
import dev.ensemble.llm.model.LanguageModel;
import dev.ensemble.llm.model.LlmRuntime;
import dev.ensemble.llm.model.TrainingOptions;
import dev.ensemble.llm.provider.ChatBackend;
import dev.ensemble.llm.provider.LocalChatBackend;
import dev.ensemble.llm.provider.ProviderConfig;
import dev.ensemble.llm.provider.ProviderRouter;
import dev.ensemble.web.ApiException;
import dev.ensemble.web.ErrorCode;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The language-model backends of this service: at start, on a thread of its own (never blocking
 * start or an event loop), it trains the bundled model on first use or loads it, wraps it in a
 * {@link LocalChatBackend} and routes over it and the configured upstream providers. Until that is
 * done every LLM call is answered 503 "model warming up".
 */
@ApplicationScoped
public class LlmEngine {

    private static final Logger LOG = Logger.getLogger(LlmEngine.class);

    /** Where the engine is. */
    public enum State { WARMING_UP, READY, FAILED }

    @Inject
    LlmConfig config;

    @Inject
    Config mpConfig;

    private volatile State state = State.WARMING_UP;
    private volatile String failure;
    private volatile ChatBackend backend;
    private volatile LocalChatBackend local;
    private volatile LanguageModel model;
    private volatile List<ProviderConfig> providers = List.of();
    private volatile long readyAt;
    private ExecutorService pool;
    private Thread warmup;

    void start(@Observes StartupEvent ev) {
        warmup = new Thread(this::warmUp, "llm-warmup");
        warmup.setDaemon(true);
        warmup.start();
    }

    void stop(@Observes ShutdownEvent ev) {
        ChatBackend b = backend;
        if (b != null) {
            b.close();
        }
        if (pool != null) {
            pool.shutdownNow();
        }
        LanguageModel m = model;
        if (m != null) {
            m.close();
        }
    }

    private void warmUp() {
        long t0 = System.nanoTime();
        try {
            List<ProviderConfig> upstream = ProviderConfig.parse(providerProperties(), "llm.providers");
            List<ChatBackend> extra = new ArrayList<>();
            if (config.localEnabled()) {
                LlmRuntime.configure(config.intraOpThreads(), config.interOpThreads());
                Path dir = Path.of(config.modelDir()).resolve(BundledModel.MODEL_ID);
                TrainingOptions options = trainingOptions();
                LOG.infof("llm: ensuring the bundled model in %s (trains on first start)", dir);
                model = BundledModel.ensure(dir, options, null);
                AtomicInteger n = new AtomicInteger();
                pool = new ThreadPoolExecutor(0, Math.max(1, config.maxThreads()), 60, TimeUnit.SECONDS,
                        new SynchronousQueue<>(), r -> {
                            Thread t = new Thread(r, "llm-local-" + n.incrementAndGet());
                            t.setDaemon(true);
                            return t;
                        });
                local = new LocalChatBackend(BundledModel.MODEL_ID, model, pool, config.maxConcurrent(), config.queueTimeout());
                extra.add(local);
            }
            providers = upstream;
            backend = ProviderRouter.of(upstream, ProviderRouter.Strategy.parse(config.routing()),
                    extra.toArray(ChatBackend[]::new));
            readyAt = System.currentTimeMillis();
            state = State.READY;
            LOG.infof("llm: ready in %d ms, models %s", (System.nanoTime() - t0) / 1_000_000, backend.models());
        } catch (Throwable e) {
            failure = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            state = State.FAILED;
            LOG.errorf(e, "llm: the language models could not start");
        }
    }

    private TrainingOptions trainingOptions() {
        TrainingOptions o = BundledModel.defaultOptions();
        LlmConfig.Bundled b = config.bundled();
        if (b.steps().isPresent()) {
            o = o.withSteps(b.steps().getAsInt());
        }
        if (b.hiddenSize().isPresent()) {
            o = o.withSize(b.hiddenSize().getAsInt(), o.layers());
        }
        if (b.batchSize().isPresent() || b.sequenceLength().isPresent()) {
            o = o.withBatch(b.batchSize().orElse(o.batchSize()), b.sequenceLength().orElse(o.sequenceLength()));
        }
        return o.withDevice(LlmRuntime.device(config.device()));
    }

    /** Every {@code llm.providers.*} property, for {@link ProviderConfig#parse}. */
    private Map<String, String> providerProperties() {
        Map<String, String> props = new TreeMap<>();
        for (String name : mpConfig.getPropertyNames()) {
            if (name.startsWith("llm.providers.")) {
                mpConfig.getOptionalValue(name, String.class).ifPresent(v -> props.put(name, v));
            }
        }
        return props;
    }

    public State state() {
        return state;
    }

    public String failure() {
        return failure;
    }

    public boolean ready() {
        return state == State.READY;
    }

    /** The router over every backend, or a 503 while the models warm up (or failed to start). */
    public ChatBackend backend() {
        ChatBackend b = backend;
        if (b == null || state != State.READY) {
            throw unavailable();
        }
        return b;
    }

    /** The 503 answered while the engine is not ready. */
    public ApiException unavailable() {
        String message = state == State.FAILED ? "the language models failed to start: " + failure
                : "model warming up; try again shortly";
        return new ApiException(503, ErrorCode.SERVICE_UNAVAILABLE, message).withHeader("Retry-After", "5");
    }

    /** The local backend, or null (not enabled, or not ready yet). */
    public LocalChatBackend local() {
        return local;
    }

    public List<ProviderConfig> providers() {
        return providers;
    }

    /** The model answering when a request names none. */
    public String defaultModel() {
        return config.chat().defaultModel().orElseGet(() -> {
            ChatBackend b = backend();
            return config.localEnabled() ? BundledModel.MODEL_ID : b.models().get(0);
        });
    }

    /** Price per token of a model. */
    public BigDecimal costPerToken(String model) {
        BigDecimal c = config.costPerToken().get(model);
        return c != null ? c : config.defaultCostPerToken();
    }

    /** The cost of {@code tokens} tokens of {@code model}. */
    public BigDecimal cost(String model, long tokens) {
        return costPerToken(model).multiply(BigDecimal.valueOf(tokens)).stripTrailingZeros();
    }

    /** The context length (characters or tokens) of a model, for the catalogue. */
    public int contextLength(String model) {
        LocalChatBackend l = local;
        if (l != null && l.serves(model)) {
            return l.model().spec().contextLength();
        }
        return config.maxTokensLimit();
    }

    public long readyAt() {
        return readyAt;
    }

    public LlmConfig config() {
        return config;
    }
}
