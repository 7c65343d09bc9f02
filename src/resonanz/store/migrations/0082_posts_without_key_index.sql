-- posts without its PRIMARY KEY: the key index it kept cost memory in step with the store.
--
-- DuckDB holds a primary key's index (ART) in its memory pool while rows are inserted. With
-- real post ids (Bluesky's at:// URIs) it took about 90 bytes a post: at 1.2M posts it
-- filled the writer's 128 MB pool, and every later commit failed. The posts writer never
-- needed it: it finds the stored copies of a batch by post_key and inserts only posts not
-- stored (store/post_keys.py), so (platform, native_id) stays unique without the index.
-- The rows keep their order (the writer reads recent posts from the end of the table).

CREATE TABLE posts_0082 (
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
    post_key        UBIGINT
);
INSERT INTO posts_0082
SELECT platform, native_id, url, author, text, lang, created_at, reply_to, repost_of,
       quote_of, thread_root, hashtags, mentions, links, has_media, likes, reposts, replies,
       views, collected_at, source, raw, sentiment, sentiment_score, emotion, aspects,
       intents, enriched, post_key
FROM posts ORDER BY rowid;
DROP TABLE posts;
ALTER TABLE posts_0082 RENAME TO posts;
