package dev.ensemble.gateway.ops;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/** One entry of the operations log: something the gateway saw happen to a service. */
@Entity
@Table(name = "ops_logs")
public class OpsLog extends PanacheEntityBase {
    @Id
    public UUID id;
    @Column(name = "occurred_at")
    public Instant occurredAt;
    public String level;
    public String service;
    public String event;
    public String message;
    @Column(name = "request_id")
    public String requestId;
}
