-- Chat sessions (AI Orchestra's session_id, chosen by the client) and their memory. A session id is
-- global: the first user to use it owns it, and every other user is answered 404 for it.
CREATE TABLE chat_sessions (
    id            VARCHAR(200) PRIMARY KEY,
    owner_id      UUID         NOT NULL,
    model         VARCHAR(200),
    message_count INT          NOT NULL DEFAULT 0,
    tokens_used   BIGINT       NOT NULL DEFAULT 0,
    created_at    TIMESTAMPTZ  NOT NULL,
    updated_at    TIMESTAMPTZ  NOT NULL
);
CREATE INDEX chat_sessions_owner ON chat_sessions (owner_id, updated_at DESC);

-- One turn of a session: the user's message or the answer (role user / assistant), in order.
CREATE TABLE chat_messages (
    id          BIGSERIAL    PRIMARY KEY,
    session_id  VARCHAR(200) NOT NULL REFERENCES chat_sessions (id) ON DELETE CASCADE,
    owner_id    UUID         NOT NULL,
    role        VARCHAR(20)  NOT NULL,
    content     TEXT         NOT NULL,
    model       VARCHAR(200),
    tokens      INT          NOT NULL DEFAULT 0,
    created_at  TIMESTAMPTZ  NOT NULL
);
CREATE INDEX chat_messages_session ON chat_messages (session_id, id);
