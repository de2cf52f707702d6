package dev.ensemble.web;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

import java.util.function.Supplier;

/**
 * Runs blocking work (password hashing, inference, file hashing) on a worker thread and delivers
 * the result back on the caller's Vert.x context, where a reactive Hibernate session must be used.
 */
public final class Offload {

    private Offload() {
    }

    public static <T> Uni<T> blocking(Supplier<T> work) {
        return onCaller(Uni.createFrom().item(work).runSubscriptionOn(Infrastructure.getDefaultWorkerPool()));
    }

    /**
     * {@code uni}, delivering its outcome on the Vert.x context of the thread that calls this (a
     * request's, where its reactive Hibernate session lives), whatever thread completes it; as it is
     * outside a Vert.x context.
     */
    public static <T> Uni<T> onCaller(Uni<T> uni) {
        Context context = Vertx.currentContext();
        return context == null ? uni : uni.emitOn(task -> context.runOnContext(v -> task.run()));
    }
}
