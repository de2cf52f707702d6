-- What the gateway observed about the suite: services going down and coming back, and later
-- operator actions. Read by the ops endpoints (Ai-semble /api/v2/ops/logs).
CREATE TABLE ops_logs (
    id          UUID PRIMARY KEY,
    occurred_at TIMESTAMPTZ  NOT NULL,
    level       VARCHAR(8)   NOT NULL,
    service     VARCHAR(64)  NOT NULL,
    event       VARCHAR(64)  NOT NULL,
    message     VARCHAR(1000) NOT NULL,
    request_id  VARCHAR(128)
);
CREATE INDEX ops_logs_time ON ops_logs (occurred_at DESC);
CREATE INDEX ops_logs_service ON ops_logs (service, occurred_at DESC);
