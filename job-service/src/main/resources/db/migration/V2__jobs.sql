-- Training, inference and batch jobs, owned by a user and routed to a framework queue.
CREATE TABLE jobs (
    id                UUID PRIMARY KEY,
    owner_id          UUID         NOT NULL,
    kind              VARCHAR(20)  NOT NULL,
    status            VARCHAR(20)  NOT NULL,
    queue             VARCHAR(100) NOT NULL,
    model_type        VARCHAR(100),
    request           TEXT         NOT NULL,
    result            TEXT,
    error             TEXT,
    progress          DOUBLE PRECISION NOT NULL DEFAULT 0,
    priority          INT          NOT NULL DEFAULT 0,
    idempotency_key   VARCHAR(200),
    created_at        TIMESTAMPTZ  NOT NULL,
    started_at        TIMESTAMPTZ,
    completed_at      TIMESTAMPTZ
);
CREATE INDEX jobs_owner_status ON jobs (owner_id, status, created_at DESC);
CREATE UNIQUE INDEX jobs_idempotency ON jobs (owner_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
