-- Everything we send (calendar posts, thread parts, inbox replies) with its delivery state.
-- state: scheduled -> claimed -> published | failed (a failed try goes back to scheduled
-- with a later next_attempt_at until attempts run out).

CREATE TABLE outbox (
    id              VARCHAR PRIMARY KEY,         -- also the idempotency key
    kind            VARCHAR NOT NULL,            -- post | reply
    channel         VARCHAR NOT NULL,
    network         VARCHAR NOT NULL,
    draft_id        VARCHAR,
    part            INTEGER NOT NULL DEFAULT 0,
    after_id        VARCHAR,                     -- previous thread part; publish after it
    text            VARCHAR NOT NULL,
    reply_platform  VARCHAR,
    reply_native_id VARCHAR,                     -- the post we answer, when kind = reply
    campaign        VARCHAR,
    not_before      TIMESTAMPTZ NOT NULL,
    state           VARCHAR NOT NULL,
    claim_token     VARCHAR,
    claimed_at      TIMESTAMPTZ,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    last_error      VARCHAR,
    rkey            VARCHAR,
    remote_id       VARCHAR,
    remote_uri      VARCHAR,
    remote_cid      VARCHAR,
    remote_url      VARCHAR,
    published_at    TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL
);
