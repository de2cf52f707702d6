package dev.ensemble.job.worker;

import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Lets a worker thread (never an event loop) run a reactive database call and wait for it: the call
 * runs on a fresh, safe duplicated Vert.x context, as Hibernate Reactive requires.
 */
final class Blocking {

    private Blocking() {
    }

    static <T> T await(Vertx vertx, Supplier<Uni<T>> work) {
        Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
        VertxContextSafetyToggle.setContextSafe(context, true);
        return Uni.createFrom().<T>emitter(em -> context.runOnContext(v -> {
            try {
                work.get().subscribe().with(em::complete, em::fail);
            } catch (RuntimeException e) {
                em.fail(e);
            }
        })).await().atMost(Duration.ofSeconds(60));
    }
}
