"""The fast SQL of goals, response times, feedback and influencers gives the same answers as
straightforward formulations of the same questions (kept here as the reference)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from synthetic_world import END

from resonanz.insights import InsightParams, feedback, goals, influencers, response_times
from resonanz.insights.keys import Ident
from resonanz.insights.params import (
    ENGAGEMENT,
    bucket_sql,
    fetch_dicts,
    filtered_posts_cte,
    own_accounts,
    post_ref,
    topic_kinds,
)
from resonanz.insights.stance import author_counts
from resonanz.workspace import Workspace

OWN = (("mastodon", "acme"),)
SLICES: list[dict[str, Any]] = [
    {},
    {"since": END - timedelta(days=4), "platforms": ("mastodon",)},
    {"topics": ("rival",), "languages": ("de",)},
]


def _goals_reference(con: Any, params: InsightParams) -> list[dict[str, Any]]:
    cte, args = filtered_posts_cte(params)
    kinds = topic_kinds(con)
    ours = [t for t, k in kinds.items() if k in ("brand", "product")]
    rivals = [t for t, k in kinds.items() if k == "competitor"]
    mine = [f"{p} {h}" for p, h in own_accounts(con, params)]
    sql = f"""
        WITH {cte},
        t AS (
            SELECT p.*, {ENGAGEMENT} AS engagement,
                   list_contains(?::VARCHAR[],
                                 p.platform || ' ' || lower(ltrim(p.author, '@'))) AS own,
                   (len(?::VARCHAR[]) = 0 OR EXISTS (
                       SELECT 1 FROM matches m
                       WHERE m.platform = p.platform AND m.native_id = p.native_id
                         AND list_contains(?::VARCHAR[], m.topic))) AS about_us,
                   EXISTS (
                       SELECT 1 FROM matches m
                       WHERE m.platform = p.platform AND m.native_id = p.native_id
                         AND list_contains(?::VARCHAR[], m.topic)) AS about_rival
            FROM f p
        )
        SELECT {bucket_sql(params, "t.created_at")} AS bucket,
               count(*) FILTER (WHERE about_us AND NOT own) AS mentions,
               coalesce(sum(a.followers) FILTER (WHERE about_us AND NOT own), 0) AS reach,
               count(*) FILTER (WHERE about_rival AND NOT own) AS rival_mentions,
               coalesce(sum(engagement) FILTER (WHERE own), 0) AS own_engagement,
               count(*) FILTER (WHERE about_us AND a.stakeholder = 'customer'
                                AND sentiment = 'positive') AS cust_pos,
               count(*) FILTER (WHERE about_us AND a.stakeholder = 'customer'
                                AND sentiment = 'negative') AS cust_neg,
               count(*) FILTER (WHERE about_us AND NOT own
                                AND list_contains(intents, 'purchase_intent')) AS purchase_intent
        FROM t LEFT JOIN authors a ON a.platform = t.platform AND a.handle = t.author
        GROUP BY bucket ORDER BY bucket
    """  # noqa: S608
    return fetch_dicts(con, sql, [*args, mine, ours, ours, rivals])


def _questions_reference(con: Any, params: InsightParams, as_of: Any) -> list[dict[str, Any]]:
    cte, args = filtered_posts_cte(params)
    mine = own_accounts(con, params)
    norm = "lower(ltrim({0}, '@'))"
    sql = f"""
        WITH {cte},
        own AS (SELECT UNNEST(?::VARCHAR[]) AS platform, UNNEST(?::VARCHAR[]) AS handle),
        q AS (
            SELECT p.* FROM f p
            WHERE (list_contains(p.intents, 'question') OR list_contains(p.intents, 'complaint'))
              AND NOT EXISTS (SELECT 1 FROM own o WHERE o.platform = p.platform
                              AND o.handle = {norm.format("p.author")})
              AND (
                EXISTS (SELECT 1 FROM own o, UNNEST(p.mentions) AS m(x)
                        WHERE o.platform = p.platform
                          AND (lower(ltrim(m.x, '@')) = o.handle
                               OR split_part(lower(ltrim(m.x, '@')), '@', 1)
                                  = split_part(o.handle, '@', 1)))
                OR EXISTS (SELECT 1 FROM posts t JOIN own o ON o.platform = t.platform
                             AND o.handle = {norm.format("t.author")}
                           WHERE t.platform = p.platform AND t.native_id = p.reply_to)
                OR EXISTS (SELECT 1 FROM notifications n
                           WHERE n.platform = p.platform AND n.post_native_id = p.native_id
                             AND n.kind IN ('mention', 'reply', 'quote'))
              )
        ),
        r AS (
            SELECT r.platform, r.reply_to, {norm.format("r.author")} AS responder, r.created_at
            FROM posts r JOIN own o
              ON o.platform = r.platform AND o.handle = {norm.format("r.author")}
            WHERE r.reply_to IS NOT NULL AND r.created_at < ?
        )
        SELECT q.platform, q.native_id, q.author, q.created_at, q.text, q.url, q.intents,
               arg_min(r.responder, r.created_at) AS responder,
               min(r.created_at) AS answered_at
        FROM q LEFT JOIN r
          ON r.platform = q.platform AND r.reply_to = q.native_id
         AND r.created_at >= q.created_at
        GROUP BY ALL ORDER BY q.created_at
    """  # noqa: S608
    pairs = [[p for p, _ in mine], [h for _, h in mine]]
    return fetch_dicts(con, sql, [*args, *pairs, as_of])


def _examples_reference(
    con: Any, params: InsightParams, categories: list[str]
) -> dict[str, list[dict[str, Any]]]:
    cte, args = filtered_posts_cte(params)
    marks = ", ".join("?" for _ in categories)
    sql = f"""
        WITH {cte},
        a AS (
            SELECT p.platform, p.native_id, p.author, p.created_at, p.text, p.url,
                   {ENGAGEMENT} AS engagement, UNNEST(p.aspects) AS asp
            FROM f p WHERE len(p.aspects) > 0
        )
        SELECT asp.category AS category, platform, native_id, author, created_at, text, url,
               engagement,
               row_number() OVER (
                   PARTITION BY asp.category
                   ORDER BY asp.polarity = 'negative' DESC, engagement DESC, native_id) AS n
        FROM a WHERE asp.category IN ({marks}) QUALIFY n <= 3 ORDER BY category, n
    """  # noqa: S608
    out: dict[str, list[dict[str, Any]]] = {}
    for row in fetch_dicts(con, sql, [*args, *categories]):
        out.setdefault(str(row["category"]), []).append(post_ref(row))
    return out


def _check_all(con: Any, params: InsightParams) -> None:
    assert goals._post_kpis(con, params) == _goals_reference(con, params)
    as_of = params.until or END
    assert response_times._questions(con, params, as_of) == _questions_reference(con, params, as_of)
    categories = [str(r["category"]) for r in feedback._aspect_rows(con, params)][:8]
    assert feedback._examples(con, params, categories) == _examples_reference(
        con, params, categories
    )
    _check_candidates(con, params)


def _check_candidates(con: Any, params: InsightParams) -> None:
    """The exact distinct-text counts and the bot candidates match a plain count, with
    authors told apart by their numeric key and by their text key."""
    assert Ident.of(con).keyed  # the store's writers keyed every author
    for ident in (Ident(keyed=True), Ident(keyed=False)):
        _check_candidates_by(con, params, ident)


def _check_candidates_by(con: Any, params: InsightParams, ident: Ident) -> None:
    names, ranks = influencers._graph_ranks(con, params, ident)
    figures = influencers._AuthorPass(con, params, ident)
    try:
        rows = influencers._candidates(figures, influencers._leading(names, ranks, 100), 100)
    finally:
        figures.close()
    active = [(str(r["platform"]), str(r["handle"])) for r in rows if r["active"]]
    texts, _ = author_counts(con, params, active, [], ident=ident)
    cte, args = filtered_posts_cte(params)
    plain = {
        (p, h): (n, d)
        for p, h, n, d in con.execute(
            f"WITH {cte} SELECT platform, author, count(*), count(DISTINCT text) "  # noqa: S608
            "FROM f WHERE author IS NOT NULL GROUP BY ALL",
            args,
        ).fetchall()
    }
    for row in rows:
        if row["active"]:
            key = (row["platform"], row["handle"])
            assert (row["posts"], texts[key]) == plain[key]
    likely = {
        k
        for k, (n, d) in plain.items()
        if n >= 10 and influencers.bot_score({"posts": n, "distinct_texts": d}) >= 0.5
    }
    assert likely <= {(r["platform"], r["handle"]) for r in rows}


@pytest.mark.parametrize("slice_", SLICES)
def test_synthetic_world_answers_are_unchanged(world_con: Any, slice_: dict[str, Any]) -> None:
    _check_all(world_con, InsightParams(until=END, own_accounts=OWN, **slice_))


@pytest.fixture(scope="module")
def demo_con(request: pytest.FixtureRequest) -> Iterator[Any]:
    folder: Path = request.getfixturevalue("demo_world")
    with Workspace.load(folder).open() as store:
        yield store.con


@pytest.mark.parametrize(
    "slice_",
    [{}, {"platforms": ("bluesky",)}, {"topics": ("kolibri",), "languages": ("de",)}],
)
def test_demo_world_answers_are_unchanged(demo_con: Any, slice_: dict[str, Any]) -> None:
    _check_all(demo_con, InsightParams(**slice_))
