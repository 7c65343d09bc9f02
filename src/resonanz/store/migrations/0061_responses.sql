-- Replies sent from Resonanz and reusable saved replies.

CREATE TABLE saved_replies (
    name        VARCHAR PRIMARY KEY,
    text        VARCHAR NOT NULL,
    lang        VARCHAR,
    updated_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE responses (
    item_id         BIGINT NOT NULL,
    outbox_id       VARCHAR NOT NULL,            -- the outbox row that carries the reply
    text            VARCHAR NOT NULL,
    saved_reply     VARCHAR,
    sent_by         VARCHAR NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (outbox_id)
);
