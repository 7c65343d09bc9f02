-- The inbox: posts about or to us that may need an answer, with workflow state.

CREATE SEQUENCE inbox_seq;
CREATE TABLE inbox_items (
    id              BIGINT PRIMARY KEY DEFAULT nextval('inbox_seq'),
    platform        VARCHAR NOT NULL,
    native_id       VARCHAR NOT NULL,
    origin          VARCHAR NOT NULL,            -- match | notification
    account_id      VARCHAR,                     -- our account it was addressed to, if any
    status          VARCHAR NOT NULL DEFAULT 'new',  -- new | assigned | waiting | answered | closed
    assignee        VARCHAR,
    tags            VARCHAR[],
    received_at     TIMESTAMPTZ NOT NULL,        -- when the post was written (clock start)
    answered_at     TIMESTAMPTZ,
    answered_by     VARCHAR,
    answer_native_id VARCHAR,
    updated_at      TIMESTAMPTZ NOT NULL,
    UNIQUE (platform, native_id)
);

CREATE TABLE inbox_notes (
    item_id     BIGINT NOT NULL,
    author      VARCHAR NOT NULL,
    text        VARCHAR NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
