package dev.ensemble.inference.llm;

import io.smallrye.health.api.HealthGroup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

/**
 * {@code GET /q/health/group/llm}: UP once the language models are loaded, DOWN while they warm up
 * (the first start trains the bundled model for a minute or more) or when they failed. It is its
 * own group, not part of {@code /q/health/ready}: model serving and everything else of this
 * service work during the warm-up, and the LLM endpoints answer 503 "model warming up" meanwhile.
 */
@HealthGroup("llm")
@ApplicationScoped
public class LlmHealth implements HealthCheck {

    @Inject
    LlmEngine engine;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("llm").status(engine.ready())
                .withData("state", engine.state().name().toLowerCase(java.util.Locale.ROOT));
        if (engine.ready()) {
            b.withData("models", String.join(",", engine.backend().models()));
        }
        if (engine.failure() != null) {
            b.withData("error", engine.failure());
        }
        return b.build();
    }
}
