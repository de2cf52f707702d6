-- GPU instances rented for users ("contracts"), with their state; every row carries its owner.
CREATE TABLE gpu_contracts (
    id                    UUID PRIMARY KEY,
    user_id               UUID          NOT NULL,
    provider              VARCHAR(32)   NOT NULL,
    offer_id              VARCHAR(200)  NOT NULL,
    provider_instance_id  VARCHAR(200),
    label                 VARCHAR(100)  NOT NULL UNIQUE,
    status                VARCHAR(20)   NOT NULL,
    gpu_model             VARCHAR(100),
    vendor                VARCHAR(20),
    gpu_count             INT           NOT NULL,
    vram_gb               INT           NOT NULL,
    price_per_hour        NUMERIC(14,6) NOT NULL,
    currency              VARCHAR(3)    NOT NULL,
    location              VARCHAR(100),
    duration_hours        INT           NOT NULL,
    auto_renew            BOOLEAN       NOT NULL,
    endpoint_host         VARCHAR(255),
    endpoint_port         INT,
    reservation_id        UUID,
    error                 TEXT,
    created_at            TIMESTAMPTZ   NOT NULL,
    started_at            TIMESTAMPTZ,
    expires_at            TIMESTAMPTZ,
    billed_until          TIMESTAMPTZ,
    ended_at              TIMESTAMPTZ,
    updated_at            TIMESTAMPTZ   NOT NULL,
    version               BIGINT        NOT NULL DEFAULT 0
);
CREATE INDEX gpu_contracts_user ON gpu_contracts (user_id, created_at DESC);
CREATE INDEX gpu_contracts_active ON gpu_contracts (provider, status);

-- Each user's load-balancing strategy (live loads are measured in memory by the proxy).
CREATE TABLE gpu_lb_settings (
    user_id     UUID PRIMARY KEY,
    strategy    VARCHAR(40)  NOT NULL,
    weights     TEXT,
    updated_at  TIMESTAMPTZ  NOT NULL
);
