-- Core records: posts, authors, interaction edges, topic matches, quarantine, cursors.

CREATE TABLE posts (
    platform        VARCHAR NOT NULL,
    native_id       VARCHAR NOT NULL,
    url             VARCHAR,
    author          VARCHAR,
    text            VARCHAR NOT NULL,
    lang            VARCHAR,
    created_at      TIMESTAMPTZ NOT NULL,
    reply_to        VARCHAR,
    repost_of       VARCHAR,
    quote_of        VARCHAR,
    thread_root     VARCHAR,
    hashtags        VARCHAR[],
    mentions        VARCHAR[],
    links           VARCHAR[],
    has_media       BOOLEAN,
    likes           BIGINT,
    reposts         BIGINT,
    replies         BIGINT,
    views           BIGINT,
    collected_at    TIMESTAMPTZ NOT NULL,
    source          VARCHAR,
    raw             VARCHAR,
    sentiment       VARCHAR,
    sentiment_score FLOAT,
    emotion         VARCHAR,
    aspects         STRUCT(category VARCHAR, polarity VARCHAR)[],
    intents         VARCHAR[],
    enriched        VARCHAR,
    PRIMARY KEY (platform, native_id)
);

-- Engagement counts over time (every observation of a post's counters).
CREATE TABLE post_metrics (
    platform     VARCHAR NOT NULL,
    native_id    VARCHAR NOT NULL,
    observed_at  TIMESTAMPTZ NOT NULL,
    likes        BIGINT,
    reposts      BIGINT,
    replies      BIGINT,
    views        BIGINT
);

CREATE TABLE authors (
    platform                VARCHAR NOT NULL,
    handle                  VARCHAR NOT NULL,
    display_name            VARCHAR,
    bio                     VARCHAR,
    followers               BIGINT,
    following               BIGINT,
    is_bot                  BOOLEAN,
    updated_at              TIMESTAMPTZ NOT NULL,
    raw                     VARCHAR,
    stakeholder             VARCHAR,
    stakeholder_confidence  FLOAT,
    stakeholder_evidence    VARCHAR[],
    enriched                VARCHAR,
    PRIMARY KEY (platform, handle)
);

CREATE TABLE edges (
    platform        VARCHAR NOT NULL,
    kind            VARCHAR NOT NULL,
    src_author      VARCHAR NOT NULL,
    dst_author      VARCHAR,
    post_id         VARCHAR NOT NULL,
    target_post_id  VARCHAR,
    created_at      TIMESTAMPTZ NOT NULL
    -- unique on (platform, kind, post_id, dst_author, target_post_id), enforced by the writer
);

CREATE TABLE topics (
    name        VARCHAR PRIMARY KEY,
    kind        VARCHAR NOT NULL,
    query       VARCHAR NOT NULL,
    aspects     VARCHAR[],
    origin      VARCHAR NOT NULL DEFAULT 'config',
    updated_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE matches (
    platform    VARCHAR NOT NULL,
    native_id   VARCHAR NOT NULL,
    topic       VARCHAR NOT NULL,
    PRIMARY KEY (platform, native_id, topic)
);

CREATE SEQUENCE quarantine_seq;
CREATE TABLE quarantine (
    id          BIGINT PRIMARY KEY DEFAULT nextval('quarantine_seq'),
    source      VARCHAR NOT NULL,
    location    VARCHAR NOT NULL,
    reason      VARCHAR NOT NULL,
    raw         BLOB,
    created_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (source, location)
);

-- Resume points of every source and import, written in the same transaction as its records.
CREATE TABLE cursors (
    source      VARCHAR PRIMARY KEY,
    cursor      VARCHAR NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);

-- What privacy actions were taken, without the personal data itself.
CREATE TABLE privacy_log (
    done_at     TIMESTAMPTZ NOT NULL,
    action      VARCHAR NOT NULL,
    platform    VARCHAR,
    subject     VARCHAR NOT NULL,   -- a salted hash of the handle, never the handle
    detail      VARCHAR
);

-- Our own accounts ("channels") on the networks, grouped by brand or client.
CREATE TABLE accounts (
    id             VARCHAR PRIMARY KEY,      -- e.g. 'mastodon:acme@social.example'
    network        VARCHAR NOT NULL,
    handle         VARCHAR NOT NULL,
    service_url    VARCHAR,
    brand          VARCHAR,
    status         VARCHAR NOT NULL DEFAULT 'ok',   -- ok | needs_reauth | error
    status_detail  VARCHAR,
    updated_at     TIMESTAMPTZ NOT NULL
);

-- Notifications of our accounts (mentions, replies, quotes): what feeds the inbox.
CREATE TABLE notifications (
    account_id      VARCHAR NOT NULL,
    platform        VARCHAR NOT NULL,
    native_id       VARCHAR NOT NULL,            -- the notification's id on the platform
    kind            VARCHAR NOT NULL,            -- mention | reply | quote | repost | follow | like
    post_native_id  VARCHAR,                     -- the post it is about (in posts)
    author          VARCHAR,
    created_at      TIMESTAMPTZ NOT NULL,
    raw             VARCHAR,
    PRIMARY KEY (account_id, native_id)
);
