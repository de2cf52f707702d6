package dev.ensemble.inference.rest;

import dev.ensemble.inference.Model;
import dev.ensemble.web.ApiException;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** The caller's models, newest first. */
@Path("/api/v1/models")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed("user")
public class ModelResource {

    @Inject
    JsonWebToken jwt;

    @Inject
    dev.ensemble.inference.config.InferenceConfig config;

    public record ModelView(UUID modelId, String name, String version, String format, String framework,
                            String status, long sizeBytes, boolean gpuRequired, String error,
                            Instant createdAt) {
        static ModelView of(Model m) {
            return new ModelView(m.id, m.name, m.version, m.format, m.framework, m.status, m.sizeBytes,
                    m.gpuRequired, m.error, m.createdAt);
        }
    }

    public record ModelPage(List<ModelView> models, long total, int limit, int offset) {
    }

    @GET
    @WithSession
    public Uni<ModelPage> list(@QueryParam("limit") @DefaultValue("50") int limit,
                               @QueryParam("offset") @DefaultValue("0") int offset) {
        if (limit < 1 || limit > config.maxPageSize()) {
            throw ApiException.badRequest("limit", "must be between 1 and " + config.maxPageSize());
        }
        if (offset < 0) {
            throw ApiException.badRequest("offset", "must not be negative");
        }
        UUID owner = UUID.fromString(jwt.getSubject());
        var query = Model.<Model>find("ownerId", Sort.descending("createdAt"), owner);
        return Uni.combine().all().unis(query.range(offset, offset + limit - 1).list(), query.count()).asTuple()
                .map(t -> new ModelPage(t.getItem1().stream().map(ModelView::of).toList(), t.getItem2(), limit, offset));
    }

    @GET
    @Path("/{id}")
    @WithSession
    public Uni<ModelView> get(@PathParam("id") String id) {
        UUID modelId = parse(id);
        UUID owner = UUID.fromString(jwt.getSubject());
        return Model.<Model>find("id = ?1 and ownerId = ?2", modelId, owner).firstResult()
                .onItem().ifNull().failWith(() -> ApiException.notFound("model " + id))
                .map(ModelView::of);
    }

    static UUID parse(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound("model " + id.substring(0, Math.min(id.length(), 64)));
        }
    }
}
