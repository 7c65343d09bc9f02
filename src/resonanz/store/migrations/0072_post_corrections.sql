-- Analysts' corrections of a post's enrichment; the latest per (post, field) wins.
CREATE SEQUENCE post_corrections_seq;
CREATE TABLE post_corrections (
    id          BIGINT PRIMARY KEY DEFAULT nextval('post_corrections_seq'),
    platform    VARCHAR NOT NULL,
    native_id   VARCHAR NOT NULL,
    field       VARCHAR NOT NULL,               -- sentiment | emotion | aspects | intents
    value       VARCHAR NOT NULL,               -- JSON of the corrected value
    previous    VARCHAR,                        -- JSON of the value before the correction
    username    VARCHAR NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
