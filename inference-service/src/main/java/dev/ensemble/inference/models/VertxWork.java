package dev.ensemble.inference.models;

import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/** Runs reactive database work from a plain thread (a loader, a timer) on a fresh, safe Vert.x context. */
final class VertxWork {
    private VertxWork() {
    }

    static <T> CompletableFuture<T> run(Vertx vertx, Supplier<Uni<T>> work) {
        CompletableFuture<T> done = new CompletableFuture<>();
        Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
        VertxContextSafetyToggle.setContextSafe(context, true);
        context.runOnContext(v -> work.get().subscribe().with(done::complete, done::completeExceptionally));
        return done;
    }
}
