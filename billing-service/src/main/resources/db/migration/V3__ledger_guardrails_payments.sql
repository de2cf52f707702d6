-- Ledger entries gain a status, a reference (payment, reservation or usage event) and the payment
-- provider, so the transaction history shows where each movement came from.
ALTER TABLE ledger_entries ADD COLUMN status    VARCHAR(16)  NOT NULL DEFAULT 'succeeded';
ALTER TABLE ledger_entries ADD COLUMN reference VARCHAR(200);
ALTER TABLE ledger_entries ADD COLUMN provider  VARCHAR(32);
CREATE UNIQUE INDEX ledger_entries_reference ON ledger_entries (user_id, kind, reference) WHERE reference IS NOT NULL;

-- Spending windows: one row per user and window, holding the spend recorded in the current period.
-- hourly/daily/monthly are calendar periods in UTC; custom windows are consecutive periods of
-- duration_seconds anchored at anchor_at (creation or last reset).
CREATE TABLE spending_windows (
    user_id          UUID           NOT NULL,
    name             VARCHAR(64)    NOT NULL,
    kind             VARCHAR(16)    NOT NULL,
    duration_seconds BIGINT,
    limit_amount     NUMERIC(19, 6) NOT NULL,
    currency         CHAR(3)        NOT NULL,
    spent            NUMERIC(19, 6) NOT NULL DEFAULT 0,
    period_start     TIMESTAMPTZ    NOT NULL,
    anchor_at        TIMESTAMPTZ    NOT NULL,
    PRIMARY KEY (user_id, name)
);

-- Holds on future spending: they count against every window until settled, released or expired.
CREATE TABLE spending_reservations (
    id             UUID           PRIMARY KEY,
    user_id        UUID           NOT NULL,
    amount         NUMERIC(19, 6) NOT NULL,
    settled_amount NUMERIC(19, 6),
    currency       CHAR(3)        NOT NULL,
    purpose        VARCHAR(64)    NOT NULL,
    reference_id   VARCHAR(200),
    status         VARCHAR(16)    NOT NULL,
    created_at     TIMESTAMPTZ    NOT NULL,
    expires_at     TIMESTAMPTZ    NOT NULL,
    closed_at      TIMESTAMPTZ
);
CREATE INDEX spending_reservations_held ON spending_reservations (user_id, expires_at) WHERE status = 'held';
CREATE INDEX spending_reservations_user ON spending_reservations (user_id, created_at);
CREATE UNIQUE INDEX spending_reservations_reference ON spending_reservations (user_id, reference_id)
    WHERE reference_id IS NOT NULL AND status IN ('held', 'settled');

-- Payments, one per Idempotency-Key and user; the request hash tells a retry from a reused key.
CREATE TABLE payments (
    id                 UUID           PRIMARY KEY,
    user_id            UUID           NOT NULL,
    idempotency_key    VARCHAR(255)   NOT NULL,
    request_hash       CHAR(64)       NOT NULL,
    amount             NUMERIC(19, 6) NOT NULL,
    currency           CHAR(3)        NOT NULL,
    provider           VARCHAR(32)    NOT NULL,
    method             VARCHAR(32),
    status             VARCHAR(16)    NOT NULL,
    provider_reference VARCHAR(255),
    client_secret      VARCHAR(255),
    failure_code       VARCHAR(64),
    failure_message    VARCHAR(500),
    created_at         TIMESTAMPTZ    NOT NULL,
    updated_at         TIMESTAMPTZ    NOT NULL,
    UNIQUE (user_id, idempotency_key)
);
CREATE INDEX payments_provider_reference ON payments (provider, provider_reference);

-- Whether the user's default windows were created; a user who deletes them all keeps none.
ALTER TABLE accounts ADD COLUMN guardrails_initialized BOOLEAN NOT NULL DEFAULT FALSE;
