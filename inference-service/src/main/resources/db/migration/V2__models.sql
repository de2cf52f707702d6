-- The model registry: one row per uploaded or trained model version, owned by a user.
CREATE TABLE models (
    id            UUID PRIMARY KEY,
    owner_id      UUID         NOT NULL,
    name          VARCHAR(200) NOT NULL,
    version       VARCHAR(50)  NOT NULL DEFAULT '1.0.0',
    format        VARCHAR(50)  NOT NULL,
    framework     VARCHAR(50),
    status        VARCHAR(20)  NOT NULL,
    storage_path  VARCHAR(1000),
    size_bytes    BIGINT       NOT NULL DEFAULT 0,
    gpu_required  BOOLEAN      NOT NULL DEFAULT FALSE,
    error         TEXT,
    created_at    TIMESTAMPTZ  NOT NULL,
    updated_at    TIMESTAMPTZ  NOT NULL
);
CREATE INDEX models_owner ON models (owner_id, created_at DESC);
