CREATE TABLE accounts (
    user_id    UUID PRIMARY KEY,
    currency   CHAR(3)     NOT NULL,
    email      VARCHAR(254),
    opened_at  TIMESTAMPTZ NOT NULL
);

-- Every movement of money; an account's balance is the sum of its entries, never a stored float.
CREATE TABLE ledger_entries (
    id          UUID PRIMARY KEY,
    user_id     UUID           NOT NULL REFERENCES accounts (user_id),
    kind        VARCHAR(32)    NOT NULL,
    amount      NUMERIC(19, 6) NOT NULL,
    currency    CHAR(3)        NOT NULL,
    description VARCHAR(500),
    created_at  TIMESTAMPTZ    NOT NULL
);
CREATE INDEX ledger_entries_user ON ledger_entries (user_id, created_at);
