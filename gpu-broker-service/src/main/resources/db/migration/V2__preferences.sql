-- One row of GPU selection preferences per user.
CREATE TABLE gpu_preferences (
    id                  UUID PRIMARY KEY,
    user_id             UUID          NOT NULL UNIQUE,
    preferred_vendors   TEXT          NOT NULL,
    preferred_tiers     TEXT          NOT NULL,
    min_vram            INT           NOT NULL,
    max_price_per_hour  NUMERIC(12,4) NOT NULL,
    priority            VARCHAR(20)   NOT NULL,
    created_at          TIMESTAMPTZ   NOT NULL,
    updated_at          TIMESTAMPTZ   NOT NULL
);
