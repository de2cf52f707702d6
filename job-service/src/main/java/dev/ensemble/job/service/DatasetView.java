package dev.ensemble.job.service;

import dev.ensemble.job.Dataset;

import java.time.Instant;
import java.util.UUID;

/** A data set as the API shows it; {@code data_path} is what training jobs take. */
public record DatasetView(UUID datasetId, String name, String kind, String dataPath, long sizeBytes, int files,
                          Instant createdAt) {
    public static DatasetView of(Dataset d) {
        return new DatasetView(d.id, d.name, d.kind, "/data/" + d.relPath, d.sizeBytes, d.files, d.createdAt);
    }
}
