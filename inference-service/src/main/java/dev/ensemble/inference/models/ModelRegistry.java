package dev.ensemble.inference.models;

import dev.ensemble.inference.Model;
import dev.ensemble.web.ApiException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** The models table: who owns which model, where it lives, and how it is doing. */
@ApplicationScoped
public class ModelRegistry {

    public record Page(List<Model> models, long total) {
    }

    @WithSession
    public Uni<Model> findOwned(UUID owner, UUID id) {
        return Model.<Model>find("id = ?1 and ownerId = ?2", id, owner).firstResult()
                .onItem().ifNull().failWith(() -> ApiException.notFound("model " + id));
    }

    @WithSession
    public Uni<Model> findById(UUID id) {
        return Model.findById(id);
    }

    /** The newest model of an owner with a name (and version, when given). */
    @WithSession
    public Uni<Model> findByName(UUID owner, String name, String version) {
        var q = version == null
                ? Model.<Model>find("ownerId = ?1 and name = ?2", Sort.descending("createdAt"), owner, name)
                : Model.<Model>find("ownerId = ?1 and name = ?2 and version = ?3", Sort.descending("createdAt"),
                owner, name, version);
        return q.firstResult();
    }

    @WithSession
    public Uni<Page> list(UUID owner, int limit, int offset) {
        var query = Model.<Model>find("ownerId", Sort.descending("createdAt").and("id"), owner);
        return Uni.combine().all().unis(query.range(offset, offset + limit - 1).list(), query.count()).asTuple()
                .map(t -> new Page(t.getItem1(), t.getItem2()));
    }

    @WithSession
    public Uni<List<Model>> all(UUID owner) {
        return Model.list("ownerId", Sort.descending("createdAt"), owner);
    }

    @WithSession
    public Uni<List<Model>> servable() {
        return Model.list("status in ?1", List.of(Model.READY, Model.LOADING));
    }

    /** Registers an uploaded model and counts the upload against the hourly and daily limits. */
    @WithTransaction
    public Uni<Model> createUpload(Model m) {
        return m.<Model>persist().call(() -> Panache.getSession().chain(s -> s
                .createNativeQuery("INSERT INTO model_uploads (id, owner_id, size_bytes, created_at) VALUES (:i, :o, :s, :t)")
                .setParameter("i", UUID.randomUUID()).setParameter("o", m.ownerId)
                .setParameter("s", m.sizeBytes).setParameter("t", m.createdAt)
                .executeUpdate()));
    }

    /** Registers a trained model once: a second event for the same model id changes nothing. */
    public Uni<Model> createTrained(Model m) {
        return Model.<Model>findById(m.id).chain(existing -> existing != null
                ? Uni.createFrom().item(existing) : m.<Model>persist());
    }

    @WithTransaction
    public Uni<Boolean> delete(UUID owner, UUID id) {
        return Model.delete("id = ?1 and ownerId = ?2", id, owner).map(n -> n > 0);
    }

    /** Records the outcome of a load: ready with what the loader learned, or failed with the reason. */
    @WithTransaction
    public Uni<Void> loaded(UUID id, String status, String error, String inputShape, String inputName, String labels) {
        return Model.<Model>findById(id).invoke(m -> {
            if (m == null) {
                return;
            }
            m.status = status;
            m.error = error;
            if (inputShape != null && m.inputShape == null) {
                m.inputShape = inputShape;
            }
            if (inputName != null && m.inputName == null) {
                m.inputName = inputName;
            }
            if (labels != null && m.labels == null) {
                m.labels = labels;
            }
            if (Model.READY.equals(status)) {
                m.loadedAt = Instant.now();
            }
            m.updatedAt = Instant.now();
        }).replaceWithVoid();
    }

    @WithTransaction
    public Uni<Void> status(UUID id, String status) {
        return Model.update("status = ?1, updatedAt = ?2 where id = ?3", status, Instant.now(), id).replaceWithVoid();
    }

    @WithTransaction
    public Uni<Model> updateBatching(UUID owner, UUID id, Integer batchSize, Integer delayMs, Integer minWorkers,
                                     Integer maxWorkers) {
        return findOwned(owner, id).invoke(m -> {
            if (batchSize != null) {
                m.batchSize = batchSize;
            }
            if (delayMs != null) {
                m.maxBatchDelayMs = delayMs;
            }
            if (minWorkers != null) {
                m.minWorkers = minWorkers;
            }
            if (maxWorkers != null) {
                m.maxWorkers = maxWorkers;
            }
            if (m.minWorkers > m.maxWorkers) {
                // thrown inside the transaction, so nothing is written
                throw ApiException.badRequest("min_workers", "must not exceed max_workers (" + m.maxWorkers + ")");
            }
            m.updatedAt = Instant.now();
        });
    }

    /** Bytes the owner's models take in storage. */
    @WithSession
    public Uni<Long> storageUsed(UUID owner) {
        return Panache.getSession().chain(s -> s
                .createNativeQuery("SELECT COALESCE(SUM(size_bytes), 0) FROM models WHERE owner_id = :o", Long.class)
                .setParameter("o", owner).getSingleResult());
    }

    /** Uploads the owner made since {@code since}. */
    @WithSession
    public Uni<Long> uploadsSince(UUID owner, Instant since) {
        return Panache.getSession().chain(s -> s
                .createNativeQuery("SELECT COUNT(*) FROM model_uploads WHERE owner_id = :o AND created_at > :t", Long.class)
                .setParameter("o", owner).setParameter("t", since).getSingleResult());
    }
}
