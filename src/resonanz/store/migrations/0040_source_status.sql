-- What each running source is doing, for `resonanz listen` status lines and `resonanz accounts`.
CREATE TABLE source_status (
    source      VARCHAR PRIMARY KEY,
    platform    VARCHAR NOT NULL,
    account_id  VARCHAR,                    -- set for the sources of our own accounts
    state       VARCHAR NOT NULL,           -- backfill | live | polling | waiting | needs_reauth | error | stopped
    detail      VARCHAR,
    posts_new   BIGINT NOT NULL DEFAULT 0,  -- new posts stored by this source, all runs together
    last_ok_at  TIMESTAMPTZ,
    updated_at  TIMESTAMPTZ NOT NULL
);
