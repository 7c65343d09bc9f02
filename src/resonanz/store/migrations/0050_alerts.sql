-- Alerts that fired (the in-app channel) and per-rule state for cool-down.

CREATE SEQUENCE alerts_seq;
CREATE TABLE alerts (
    id            BIGINT PRIMARY KEY DEFAULT nextval('alerts_seq'),
    rule          VARCHAR NOT NULL,
    detector      VARCHAR NOT NULL,
    topics        VARCHAR[],
    window_start  TIMESTAMPTZ NOT NULL,
    window_end    TIMESTAMPTZ NOT NULL,
    observed      DOUBLE,
    expected      DOUBLE,
    score         DOUBLE,
    summary       VARCHAR NOT NULL,          -- JSON: what spiked, terms, aspects, posts …
    delivery      VARCHAR,                   -- JSON: {channel: "ok" | error text}
    created_at    TIMESTAMPTZ NOT NULL,
    acknowledged  BOOLEAN NOT NULL DEFAULT false,
    UNIQUE (rule, window_start)              -- the same spike is stored and sent once
);

CREATE TABLE alert_state (
    rule            VARCHAR PRIMARY KEY,
    last_fired_end  TIMESTAMPTZ,             -- window_end of the last alert (cool-down anchor)
    last_checked    TIMESTAMPTZ,
    updated_at      TIMESTAMPTZ NOT NULL
);
