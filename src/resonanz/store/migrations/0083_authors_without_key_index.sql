-- authors without its PRIMARY KEY, for the reason posts lost theirs (0082): DuckDB holds the
-- key's index in its memory pool while rows are inserted, and with Bluesky handles it filled
-- the writer's 128 MB pool at 1.7M authors. The authors writer finds the stored profiles of
-- a batch by a join and inserts only new ones (store/writer.py), so (platform, handle) stays
-- unique without the index.

CREATE TABLE authors_0083 (
    platform               VARCHAR NOT NULL,
    handle                 VARCHAR NOT NULL,
    display_name           VARCHAR,
    bio                    VARCHAR,
    followers              BIGINT,
    following              BIGINT,
    is_bot                 BOOLEAN,
    updated_at             TIMESTAMPTZ NOT NULL,
    raw                    VARCHAR,
    stakeholder            VARCHAR,
    stakeholder_confidence FLOAT,
    stakeholder_evidence   VARCHAR[],
    enriched               VARCHAR
);
INSERT INTO authors_0083
SELECT platform, handle, display_name, bio, followers, following, is_bot, updated_at, raw,
       stakeholder, stakeholder_confidence, stakeholder_evidence, enriched
FROM authors ORDER BY rowid;
DROP TABLE authors;
ALTER TABLE authors_0083 RENAME TO authors;
