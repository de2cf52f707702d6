package dev.ensemble.job.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** job-service settings. */
@ConfigMapping(prefix = "ensemble.jobs")
public interface JobConfig {

    /** The only directory tree a job's {@code data_path} may point into. */
    @WithDefault("${ENSEMBLE_HOME:.}/data/datasets")
    String dataRoot();

    /** Largest page a listing returns. */
    @WithDefault("500")
    int maxPageSize();
}
