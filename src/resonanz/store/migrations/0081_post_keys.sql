-- A numeric key per post, so that insights join posts and matches on one 64-bit column
-- instead of two text columns.
--
-- posts.post_key = hash(platform, native_id) under the DuckDB version that wrote it, stored
-- by the posts writer (store/writer.py). matches.post_key is the same hash, computed when
-- read (a virtual column): every writer of matches, whatever columns it inserts, keeps it
-- right, and a DuckDB whose hash() differs only needs the posts' keys computed again
-- (store/matches.py, check_keys; matched_posts_hash.key_probe tells the versions apart).
--
-- A 64-bit key is not unique: post_key_clashes lists every key that two stored posts
-- share. Joins on the key alone are exact only while it is empty; readers fall back to
-- the text key otherwise (insights/keys.py).

ALTER TABLE posts ADD COLUMN post_key UBIGINT;
UPDATE posts SET post_key = hash(platform, native_id);

CREATE TABLE matches_0081 (
    platform    VARCHAR NOT NULL,
    native_id   VARCHAR NOT NULL,
    topic       VARCHAR NOT NULL,
    post_key    UBIGINT GENERATED ALWAYS AS (hash(platform, native_id)) VIRTUAL
);
INSERT INTO matches_0081 SELECT platform, native_id, topic FROM matches;
DROP TABLE matches;
ALTER TABLE matches_0081 RENAME TO matches;

CREATE TABLE post_key_clashes (post_key UBIGINT NOT NULL);
INSERT INTO post_key_clashes
SELECT post_key FROM posts GROUP BY post_key HAVING count(*) > 1;
