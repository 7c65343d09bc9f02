-- The content calendar: drafts, their per-network variants, and the approval trail.

CREATE TABLE drafts (
    id              VARCHAR PRIMARY KEY,
    title           VARCHAR,
    text            VARCHAR NOT NULL,
    networks        VARCHAR[] NOT NULL,          -- channel names from [publish.channels]
    status          VARCHAR NOT NULL,            -- draft | in_review | approved | scheduled
    campaign        VARCHAR,
    thread          BOOLEAN NOT NULL DEFAULT false,
    ugc_platform    VARCHAR,                     -- reused user content, needs permission
    ugc_native_id   VARCHAR,
    scheduled_for   TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);

CREATE TABLE draft_variants (
    draft_id    VARCHAR NOT NULL,
    channel     VARCHAR NOT NULL,
    part        INTEGER NOT NULL,
    text        VARCHAR NOT NULL,
    PRIMARY KEY (draft_id, channel, part)
);

CREATE TABLE approvals (
    draft_id    VARCHAR NOT NULL,
    action      VARCHAR NOT NULL,                -- submit | approve | reject | schedule
    actor       VARCHAR NOT NULL,
    note        VARCHAR,
    acted_at    TIMESTAMPTZ NOT NULL
);
