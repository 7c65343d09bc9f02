-- A numeric key per author, so that insights group and join authors on one 64-bit column
-- instead of two text columns (platform, handle): at 10M posts and 1M authors, a pass over
-- every author's posts costs about 40% less.
--
-- author_key = hash(platform, handle), under the DuckDB version that wrote it (the probe
-- in matched_posts_hash tells; store/matches.py computes every key again when it changes).
-- posts.author_key is the key of the post's author, edges.src_key and edges.dst_key those
-- of the edge's ends; NULL where the author is unknown.
--
-- A 64-bit key is not unique: author_keys lists every author a key was given to, and
-- author_key_clashes every key that two of them share. Grouping by the key alone is exact
-- only while that table is empty; readers fall back to the text key otherwise
-- (insights/keys.py). The writers keep both tables (store/author_keys.py).

ALTER TABLE posts ADD COLUMN author_key UBIGINT;
ALTER TABLE edges ADD COLUMN src_key UBIGINT;
ALTER TABLE edges ADD COLUMN dst_key UBIGINT;

CREATE TABLE author_keys (
    author_key  UBIGINT NOT NULL,
    platform    VARCHAR NOT NULL,
    handle      VARCHAR NOT NULL
);
CREATE TABLE author_key_clashes (author_key UBIGINT NOT NULL);

-- The stored rows get their keys when the store is next opened for writing, in slices
-- (store/author_keys.py, fill_missing): one UPDATE of every post held all the new values in
-- memory until its commit, about 1 GB at 10M posts.
