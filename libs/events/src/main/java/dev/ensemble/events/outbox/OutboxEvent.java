package dev.ensemble.events.outbox;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/** An event a service owes, written in the same transaction as the change that caused it. */
@Entity
@Table(name = "outbox_events")
public class OutboxEvent extends PanacheEntityBase {
    @Id
    public UUID id;
    public String topic;
    @Column(name = "event_key")
    public String eventKey;
    @Column(name = "event_type")
    public String eventType;
    public String payload;
    @Column(name = "request_id")
    public String requestId;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "sent_at")
    public Instant sentAt;
    public int attempts;
    @Column(name = "last_error")
    public String lastError;
}
