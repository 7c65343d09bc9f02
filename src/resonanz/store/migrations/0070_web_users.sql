-- People who use the dashboard, with their role and an argon2 password hash.
CREATE SEQUENCE web_users_seq;
CREATE TABLE web_users (
    id             BIGINT PRIMARY KEY DEFAULT nextval('web_users_seq'),
    username       VARCHAR NOT NULL UNIQUE,
    display_name   VARCHAR,
    role           VARCHAR NOT NULL,            -- admin | analyst | responder | viewer
    password_hash  VARCHAR NOT NULL,
    session_epoch  INTEGER NOT NULL DEFAULT 0,  -- bumped to end every session of the user
    created_at     TIMESTAMPTZ NOT NULL,
    last_login_at  TIMESTAMPTZ
);
