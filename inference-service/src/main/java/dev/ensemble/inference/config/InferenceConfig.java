package dev.ensemble.inference.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** inference-service settings. */
@ConfigMapping(prefix = "ensemble.inference")
public interface InferenceConfig {

    /** Where uploaded and trained model files are stored. */
    @WithDefault("${ENSEMBLE_HOME:.}/data/models")
    String storageDir();

    /** Largest page a listing returns. */
    @WithDefault("500")
    int maxPageSize();
}
