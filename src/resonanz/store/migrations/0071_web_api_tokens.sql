-- Tokens of the JSON API; only a SHA-256 digest of each token is kept.
CREATE TABLE web_api_tokens (
    id            VARCHAR PRIMARY KEY,          -- the token's public prefix
    name          VARCHAR NOT NULL,
    role          VARCHAR NOT NULL,             -- a user role, or 'shop' (conversions only)
    token_sha256  VARCHAR NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    last_used_at  TIMESTAMPTZ,
    revoked       BOOLEAN NOT NULL DEFAULT false
);
