"""Stance of authors: toward us overall, and toward each topic they write about.

An author's stance toward a topic is the balance of their sentiment in the posts matched to
that topic: ``(positive − negative) / (posts + 1)``, a supporter at or above
:data:`STANCE_CUT`, a critic at or below its negative. Toward us it is the same balance over
the posts matched to any brand or product topic (every post when the workspace has none);
toward a competitor topic it is the stance toward that competitor.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

import duckdb

from resonanz.insights.keys import Ident, key_usable, match_condition
from resonanz.insights.params import InsightParams, fetch_dicts, filtered_posts_cte

STANCE_CUT: Final = 0.25
#: The stance lists of an opinion-leader split, in output order.
STANCES: Final = (("supporters", "supporter"), ("critics", "critic"), ("neutral", "neutral"))

Key = tuple[str, str]
#: Per author: ``{"pos", "neg", "posts"}`` counts toward us (key ``None``) and per topic.
Counts = dict[str | None, dict[str, int]]


def stance_of(pos: int, neg: int, posts: int) -> tuple[str, float]:
    """Return the stance and its score from positive, negative and all posts.

    >>> stance_of(3, 0, 3)
    ('supporter', 0.75)
    """
    score = (pos - neg) / (posts + 1)
    if score >= STANCE_CUT:
        return "supporter", round(score, 3)
    if score <= -STANCE_CUT:
        return "critic", round(score, 3)
    return "neutral", round(score, 3)


def author_counts(
    con: duckdb.DuckDBPyConnection,
    params: InsightParams,
    keys: list[Key],
    ours: list[str],
    *,
    ident: Ident | None = None,
) -> tuple[dict[Key, int], dict[Key, Counts]]:
    """Return per author the number of distinct texts, and the sentiment counts of their
    posts about us and about each topic, from one pass over the posts of those authors.

    ``ours`` are the brand and product topics; empty means every post is about us.
    ``ident`` tells authors apart (:meth:`Ident.of` the store when not given).
    """
    if not keys:
        return {}, {}
    if ident is None:
        ident = Ident.of(con)
    cte, args = filtered_posts_cte(params)
    # the post's identity in the joins: its numeric key where that is exact (insights/keys.py)
    by_key = key_usable(con)
    post_id = "post_key" if by_key else "platform, native_id"
    # the post's identity beside its platform; reading native_id too would cost a column
    # of text from every post
    key_col = "post_key" if by_key else "native_id"
    sql = f"""
        WITH {cte},
        c AS (
            SELECT a.platform, a.handle, {ident.profile("a")} AS akey
            FROM (SELECT UNNEST(?::VARCHAR[]) AS platform, UNNEST(?::VARCHAR[]) AS handle) a
        ),
        cp AS (
            SELECT {ident.post()} AS akey, p.platform, p.{key_col}, p.sentiment, p.text
            FROM f p SEMI JOIN c ON c.akey = {ident.post()}
        ),
        pm AS (
            SELECT cp.akey, cp.platform, cp.{key_col}, cp.sentiment, m.topic
            FROM matches m JOIN cp ON {match_condition(by_key, "cp")}
        ),
        hit AS (SELECT DISTINCT {post_id} FROM pm WHERE list_contains(?, topic)),
        about AS (
            SELECT cp.* FROM cp
            WHERE len(?::VARCHAR[]) = 0 OR ({post_id}) IN (SELECT ({post_id}) FROM hit)
        ),
        x AS (
            SELECT akey, 'texts' AS part, NULL::VARCHAR AS topic,
                   count(DISTINCT text) AS posts, 0 AS pos, 0 AS neg
            FROM cp GROUP BY ALL
            UNION ALL
            SELECT akey, 'us' AS part, NULL::VARCHAR AS topic, count(*) AS posts,
                   count(*) FILTER (WHERE sentiment = 'positive') AS pos,
                   count(*) FILTER (WHERE sentiment = 'negative') AS neg
            FROM about GROUP BY ALL
            UNION ALL
            SELECT akey, 'topic' AS part, topic, count(*) AS posts,
                   count(*) FILTER (WHERE sentiment = 'positive') AS pos,
                   count(*) FILTER (WHERE sentiment = 'negative') AS neg
            FROM pm GROUP BY ALL
        )
        SELECT c.platform, c.handle AS author, x.* EXCLUDE (akey) FROM x JOIN c USING (akey)
    """  # noqa: S608 - fixed fragments; values are bound
    wanted = [[k[0] for k in keys], [k[1] for k in keys]]
    texts: dict[Key, int] = {}
    out: dict[Key, Counts] = {}
    for row in fetch_dicts(con, sql, [*args, *wanted, ours, ours]):
        key = (str(row["platform"]), str(row["author"]))
        if row["part"] == "texts":
            texts[key] = int(row["posts"])
            continue
        topic = None if row["topic"] is None else str(row["topic"])
        out.setdefault(key, {})[topic] = {k: int(row[k]) for k in ("posts", "pos", "neg")}
    return texts, out


def topic_stances(counts: Counts) -> dict[str, dict[str, Any]]:
    """Return ``{topic: {stance, stance_score, posts}}`` of one author, topics sorted."""
    out: dict[str, dict[str, Any]] = {}
    for topic in sorted(t for t in counts if t is not None):
        c = counts[topic]
        stance, score = stance_of(c["pos"], c["neg"], c["posts"])
        out[topic] = {"stance": stance, "stance_score": score, "posts": c["posts"]}
    return out


def split(people: Iterable[dict[str, Any]], limit: int) -> dict[str, tuple[dict[str, Any], ...]]:
    """Return the first ``limit`` people of each stance (in the given order)."""
    listed = list(people)
    return {
        name: tuple([p for p in listed if p["stance"] == stance][:limit])
        for name, stance in STANCES
    }


def by_topic(
    ranked: list[dict[str, Any]], kinds: Mapping[str, str], limit: int
) -> dict[str, dict[str, Any]]:
    """Return per topic its leaders (by influence) and their split by stance toward the topic.

    ``ranked`` are the people, most influential first, each with ``topics`` as made by
    :func:`topic_stances`. A person's entry under a topic carries the stance toward that
    topic (``stance``, ``stance_score``, ``topic_posts``) and the stance toward us
    (``overall_stance``).
    """
    grouped: dict[str, list[dict[str, Any]]] = {}
    for person in ranked:
        for topic, st in person["topics"].items():
            entry = {k: v for k, v in person.items() if k != "topics"}
            entry.update(
                stance=st["stance"],
                stance_score=st["stance_score"],
                topic_posts=st["posts"],
                overall_stance=person["stance"],
            )
            grouped.setdefault(topic, []).append(entry)
    return {
        topic: {"kind": kinds.get(topic), "leaders": tuple(found[:limit]), **split(found, limit)}
        for topic, found in sorted(grouped.items())
    }
