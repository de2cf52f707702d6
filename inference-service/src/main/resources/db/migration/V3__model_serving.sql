-- Model serving: what the engine needs to load and validate a model, its batching settings,
-- where it came from, and durable request totals (percentiles stay in memory per replica).
ALTER TABLE models
    ADD COLUMN gpu_type           VARCHAR(100),
    ADD COLUMN engine             VARCHAR(50),
    ADD COLUMN input_shape        VARCHAR(200),
    ADD COLUMN input_type         VARCHAR(20)  NOT NULL DEFAULT 'float32',
    ADD COLUMN input_name         VARCHAR(200),
    ADD COLUMN labels             TEXT,
    ADD COLUMN architecture       VARCHAR(200),
    ADD COLUMN batch_size         INT          NOT NULL DEFAULT 32,
    ADD COLUMN max_batch_delay_ms INT          NOT NULL DEFAULT 2,
    ADD COLUMN min_workers        INT          NOT NULL DEFAULT 1,
    ADD COLUMN max_workers        INT          NOT NULL DEFAULT 2,
    ADD COLUMN source             VARCHAR(20)  NOT NULL DEFAULT 'upload',
    ADD COLUMN job_id             UUID,
    ADD COLUMN total_requests     BIGINT       NOT NULL DEFAULT 0,
    ADD COLUMN total_errors       BIGINT       NOT NULL DEFAULT 0,
    ADD COLUMN total_latency_ms   DOUBLE PRECISION NOT NULL DEFAULT 0,
    ADD COLUMN loaded_at          TIMESTAMPTZ;
CREATE INDEX models_owner_name ON models (owner_id, name, version);

-- Every accepted upload, kept after the model is deleted, for the hourly and daily upload limits.
CREATE TABLE model_uploads (
    id          UUID PRIMARY KEY,
    owner_id    UUID        NOT NULL,
    size_bytes  BIGINT      NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX model_uploads_owner ON model_uploads (owner_id, created_at DESC);
