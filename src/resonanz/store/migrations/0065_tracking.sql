-- Campaigns, tracked short links, clicks (no raw IP addresses), referrals and conversions.

CREATE TABLE campaigns (
    name        VARCHAR PRIMARY KEY,
    budget      DOUBLE,
    currency    VARCHAR,
    starts_at   TIMESTAMPTZ,
    ends_at     TIMESTAMPTZ,
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE links (
    code        VARCHAR PRIMARY KEY,
    target      VARCHAR NOT NULL,                -- destination including UTM parameters
    campaign    VARCHAR,
    post_ref    VARCHAR,                         -- draft or outbox id
    network     VARCHAR,
    advocate    VARCHAR,                         -- set for referral links
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE clicks (
    code        VARCHAR NOT NULL,
    clicked_at  TIMESTAMPTZ NOT NULL,
    visitor     VARCHAR,                         -- salted, truncated hash; never the IP
    referer_host VARCHAR
);

CREATE TABLE referrals (
    code        VARCHAR PRIMARY KEY,             -- given to the advocate, e.g. ANNA-7QX2
    advocate    VARCHAR NOT NULL,
    campaign    VARCHAR,
    link_code   VARCHAR NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE conversions (
    event_id    VARCHAR PRIMARY KEY,             -- the shop's id: repeated deliveries count once
    converted_at TIMESTAMPTZ NOT NULL,
    value       DOUBLE,
    currency    VARCHAR,
    link_code   VARCHAR,
    referral_code VARCHAR,
    campaign    VARCHAR,
    post_ref    VARCHAR,
    network     VARCHAR,
    advocate    VARCHAR
);

CREATE TABLE track_salt (
    id          INTEGER PRIMARY KEY,
    salt        VARCHAR NOT NULL
);
