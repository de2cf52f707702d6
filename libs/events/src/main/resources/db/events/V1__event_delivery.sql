-- Transactional outbox: a service writes its state change and the event it owes in one transaction;
-- the relay publishes unsent rows to Kafka and marks them sent.
CREATE TABLE outbox_events (
    id           UUID PRIMARY KEY,
    topic        VARCHAR(200) NOT NULL,
    event_key    VARCHAR(200) NOT NULL,
    event_type   VARCHAR(200) NOT NULL,
    payload      TEXT         NOT NULL,
    request_id   VARCHAR(128),
    created_at   TIMESTAMPTZ  NOT NULL,
    sent_at      TIMESTAMPTZ,
    attempts     INT          NOT NULL DEFAULT 0,
    last_error   TEXT
);
CREATE INDEX outbox_events_unsent ON outbox_events (created_at) WHERE sent_at IS NULL;

-- Idempotent consumers remember each event they handled, in the same transaction as the handling.
CREATE TABLE processed_events (
    consumer     VARCHAR(100) NOT NULL,
    event_id     UUID         NOT NULL,
    processed_at TIMESTAMPTZ  NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);
