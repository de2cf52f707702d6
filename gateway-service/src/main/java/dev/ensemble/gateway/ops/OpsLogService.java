package dev.ensemble.gateway.ops;

import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.UUID;

/** Writes and reads the operations log. */
@ApplicationScoped
public class OpsLogService {

    public static final String SERVICE_DOWN = "service.down";
    public static final String SERVICE_UP = "service.up";

    /** Records one event. */
    @WithTransaction
    public Uni<OpsLog> record(String level, String service, String event, String message, String requestId) {
        OpsLog entry = new OpsLog();
        entry.id = UUID.randomUUID();
        entry.occurredAt = Instant.now();
        entry.level = level;
        entry.service = service;
        entry.event = event;
        entry.message = message.length() > 1000 ? message.substring(0, 1000) : message;
        entry.requestId = requestId;
        return entry.persist();
    }
}
