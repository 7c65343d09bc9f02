-- Topic matches without a primary key, and a register of the posts that have matches.
--
-- The key of matches (three text columns, about five rows per post) cost more to maintain
-- than everything else stored per post, and its index lives in memory, growing with the
-- table. The writer keeps matches unique instead: it stores the matches of posts it has
-- never matched directly and compares with the stored ones only for posts listed in
-- matched_posts, looked up by one 64-bit key per post. Every writer of matches must add
-- the keys of the posts it writes (a key listed without matches only costs a comparison).

CREATE TABLE matches_0080 (
    platform    VARCHAR NOT NULL,
    native_id   VARCHAR NOT NULL,
    topic       VARCHAR NOT NULL
);
INSERT INTO matches_0080 SELECT platform, native_id, topic FROM matches;
DROP TABLE matches;
ALTER TABLE matches_0080 RENAME TO matches;

-- post_key = hash(platform, native_id) under the DuckDB version that wrote it; key_probe holds
-- hash('resonanz', 'probe') of that version, so that a DuckDB with another hash function
-- is noticed and the keys are computed again.
CREATE TABLE matched_posts (post_key UBIGINT NOT NULL);
INSERT INTO matched_posts SELECT DISTINCT hash(platform, native_id) FROM matches;
CREATE TABLE matched_posts_hash (key_probe UBIGINT NOT NULL);
INSERT INTO matched_posts_hash VALUES (hash('resonanz', 'probe'));
