-- The job queue proper: names, schedules, leases for at-least-once workers, logs, datasets, models.
ALTER TABLE jobs
    ADD COLUMN name              VARCHAR(200),
    ADD COLUMN job_type          VARCHAR(100),
    ADD COLUMN service           VARCHAR(100),
    ADD COLUMN framework         VARCHAR(100),
    ADD COLUMN model_id          VARCHAR(100),
    ADD COLUMN description       TEXT,
    ADD COLUMN scheduled_at      TIMESTAMPTZ,
    ADD COLUMN updated_at        TIMESTAMPTZ,
    ADD COLUMN cancelled_at      TIMESTAMPTZ,
    ADD COLUMN steps_completed   INT          NOT NULL DEFAULT 0,
    ADD COLUMN steps_total       INT          NOT NULL DEFAULT 0,
    ADD COLUMN attempts          INT          NOT NULL DEFAULT 0,
    ADD COLUMN max_attempts      INT          NOT NULL DEFAULT 3,
    ADD COLUMN lease_owner       VARCHAR(200),
    ADD COLUMN lease_until       TIMESTAMPTZ,
    ADD COLUMN estimated_seconds INT          NOT NULL DEFAULT 60;
UPDATE jobs SET updated_at = created_at, scheduled_at = created_at WHERE updated_at IS NULL;
ALTER TABLE jobs ALTER COLUMN updated_at SET NOT NULL, ALTER COLUMN scheduled_at SET NOT NULL;

-- What workers claim: the highest priority, then the oldest, among due pending jobs of their queues.
CREATE INDEX jobs_claimable ON jobs (queue, priority DESC, created_at) WHERE status = 'pending';
-- What the recovery sweep looks at: running jobs whose worker stopped renewing its lease.
CREATE INDEX jobs_leases ON jobs (lease_until) WHERE status = 'running';

CREATE TABLE job_logs (
    id         BIGSERIAL PRIMARY KEY,
    job_id     UUID         NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    ts         TIMESTAMPTZ  NOT NULL,
    level      VARCHAR(10)  NOT NULL,
    message    TEXT         NOT NULL
);
CREATE INDEX job_logs_job ON job_logs (job_id, id);

-- Files a user uploaded for training, under the data root in the user's own folder.
CREATE TABLE datasets (
    id          UUID PRIMARY KEY,
    owner_id    UUID         NOT NULL,
    name        VARCHAR(200) NOT NULL,
    kind        VARCHAR(20)  NOT NULL,
    rel_path    VARCHAR(500) NOT NULL,
    size_bytes  BIGINT       NOT NULL,
    files       INT          NOT NULL,
    created_at  TIMESTAMPTZ  NOT NULL,
    UNIQUE (owner_id, name)
);

-- Models written by training jobs, so inference jobs can load them by id.
CREATE TABLE trained_models (
    id           VARCHAR(100) PRIMARY KEY,
    owner_id     UUID         NOT NULL,
    job_id       UUID         NOT NULL,
    model_type   VARCHAR(100) NOT NULL,
    format       VARCHAR(20)  NOT NULL,
    architecture VARCHAR(200),
    rel_path     VARCHAR(500) NOT NULL,
    spec         TEXT         NOT NULL,
    created_at   TIMESTAMPTZ  NOT NULL
);
CREATE INDEX trained_models_owner ON trained_models (owner_id);
