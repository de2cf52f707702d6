package dev.ensemble.job.rest;

import dev.ensemble.job.dataset.DatasetService;
import dev.ensemble.job.service.DatasetView;
import dev.ensemble.web.ApiException;
import dev.ensemble.web.Offload;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/** Training data uploads: {@code file} (a CSV or text file, or a zip of folders) and an optional {@code name}. */
@Path("/api/v1/datasets")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed("user")
public class DatasetResource {

    @Inject
    JsonWebToken jwt;

    @Inject
    DatasetService datasets;

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    public Uni<Response> upload(@RestForm("file") FileUpload file, @RestForm("name") String name) {
        if (file == null || file.uploadedFile() == null) {
            throw ApiException.badRequest("file", "is required (multipart form field 'file')");
        }
        UUID owner = UUID.fromString(jwt.getSubject());
        String fileName = file.fileName() == null ? "" : file.fileName();
        boolean zip = fileName.toLowerCase(Locale.ROOT).endsWith(".zip")
                || "application/zip".equalsIgnoreCase(file.contentType());
        String safe = DatasetService.safeName(name, fileName);
        if (!zip && !safe.toLowerCase(Locale.ROOT).matches(".*\\.(csv|txt|tsv|json|md)$")) {
            throw ApiException.badRequest("file", "must be a .csv or text file, or a .zip of folders");
        }
        return Offload.blocking(() -> datasets.store(owner, file.uploadedFile(), safe, zip))
                .chain(stored -> datasets.record(owner, safe, stored)
                        .onFailure().call(e -> Offload.blocking(() -> {
                            DatasetService.deleteTreePublic(owner, stored, datasets);
                            return null;
                        })))
                .map(d -> Response.status(201).entity(DatasetView.of(d)).build());
    }

    @GET
    public Uni<Map<String, Object>> list() {
        UUID owner = UUID.fromString(jwt.getSubject());
        return datasets.list(owner).map(list -> Map.of("datasets", list.stream().map(DatasetView::of).toList(),
                "total", list.size()));
    }

    @DELETE
    @Path("/{id}")
    public Uni<Response> delete(@PathParam("id") String id) {
        UUID owner = UUID.fromString(jwt.getSubject());
        UUID datasetId;
        try {
            datasetId = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound("dataset");
        }
        return datasets.delete(owner, datasetId)
                .chain(d -> Offload.blocking(() -> {
                    datasets.deleteFiles(owner, d);
                    return d;
                }))
                .map(d -> Response.noContent().build());
    }

    static List<String> kinds() {
        return List.of("csv", "file", "folder");
    }
}
