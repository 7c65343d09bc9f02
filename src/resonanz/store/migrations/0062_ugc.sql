-- Permission to reuse user-generated content in our own posts.

CREATE TABLE ugc_permissions (
    platform        VARCHAR NOT NULL,
    native_id       VARCHAR NOT NULL,
    author          VARCHAR,
    status          VARCHAR NOT NULL,            -- requested | granted | denied
    request_outbox_id VARCHAR,
    requested_at    TIMESTAMPTZ,
    decided_at      TIMESTAMPTZ,
    evidence        VARCHAR,                     -- native id of the author's answer
    PRIMARY KEY (platform, native_id)
);
