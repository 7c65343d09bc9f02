"""Insights joining posts and matches on the numeric post key answer exactly as on the text
key, and as plain formulations of the same questions."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from synthetic_world import END, World
from test_insight_equivalence import _goals_reference
from test_insight_goals_reference import TOPIC_SETS, _fill

from resonanz.insights import INSIGHTS, InsightParams, goals, share_of_voice
from resonanz.insights.keys import key_usable
from resonanz.insights.params import ENGAGEMENT, filtered_posts_cte
from resonanz.store import Store
from resonanz.store.post_keys import fill_missing
from resonanz.workspace import Workspace

OWN = (("mastodon", "acme"),)
SLICES: list[dict[str, Any]] = [
    {},
    {"since": END - timedelta(days=4), "platforms": ("mastodon",)},
    {"topics": ("rival",), "languages": ("de",)},
]


@pytest.fixture(scope="module")
def world_copy(
    synthetic: tuple[Workspace, World], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A writable copy of the synthetic world's database."""
    path = tmp_path_factory.mktemp("keys") / "resonanz.duckdb"
    shutil.copy(synthetic[0].folder / "resonanz.duckdb", path)
    with duckdb.connect(str(path)) as con:
        yield con


def _answers(con: duckdb.DuckDBPyConnection, params: InsightParams) -> dict[str, Any]:
    return {name: module.compute(con, params).to_dict() for name, module in INSIGHTS.items()}


def test_every_insight_answers_alike_on_either_key(world_copy: duckdb.DuckDBPyConnection) -> None:
    assert key_usable(world_copy)
    slices = [InsightParams(until=END, own_accounts=OWN, **s) for s in SLICES]
    keyed = [_answers(world_copy, params) for params in slices]
    # A listed clash makes every join fall back to the text key.
    world_copy.execute("INSERT INTO post_key_clashes VALUES (0)")
    try:
        assert not key_usable(world_copy)
        for params, answers in zip(slices, keyed, strict=True):
            assert _answers(world_copy, params) == answers
    finally:
        world_copy.execute("DELETE FROM post_key_clashes")


def _share_reference(con: duckdb.DuckDBPyConnection, params: InsightParams) -> list[Any]:
    """Return per compared topic (posts, reach, engagement, positive, negative), plainly."""
    cte, args = filtered_posts_cte(params)
    out = []
    for topic in share_of_voice.compared_topics(con, params):
        row = con.execute(
            f"""
            WITH {cte}
            SELECT count(*), coalesce(sum(coalesce(a.followers, 0)), 0),
                   coalesce(sum({ENGAGEMENT}), 0),
                   count(*) FILTER (WHERE p.sentiment = 'positive'),
                   count(*) FILTER (WHERE p.sentiment = 'negative')
            FROM f p LEFT JOIN authors a ON a.platform = p.platform AND a.handle = p.author
            WHERE EXISTS (SELECT 1 FROM matches m WHERE m.topic = ?
                          AND m.platform = p.platform AND m.native_id = p.native_id)
            """,  # noqa: S608 - fixed fragments; values are bound
            [*args, topic],
        ).fetchall()[0]
        if row[0]:
            out.append((topic, *map(int, row)))
    return sorted(out)


@pytest.mark.parametrize("slice_", SLICES)
def test_share_of_voice_matches_a_plain_formulation(
    world_copy: duckdb.DuckDBPyConnection, slice_: dict[str, Any]
) -> None:
    params = InsightParams(until=END, own_accounts=OWN, **slice_)
    assert key_usable(world_copy)
    totals = share_of_voice.compute(world_copy, params).totals
    got = sorted(
        (r["topic"], r["posts"], r["reach"], r["engagement"], r["positive"], r["negative"])
        for r in totals
    )
    assert got == _share_reference(world_copy, params)
    assert got


@pytest.mark.parametrize("topics", TOPIC_SETS[:2])
@pytest.mark.parametrize("slice_", [{}, {"topics": ("rival", "acme"), "platforms": ("bluesky",)}])
def test_goals_on_the_key_match_a_plain_formulation(
    store: Store, topics: dict[str, str], slice_: dict[str, Any]
) -> None:
    _fill(store, topics)
    fill_missing(store.con)  # the posts were written by plain SQL
    assert key_usable(store.con)
    params = InsightParams(bucket="week", **slice_)
    assert goals._post_kpis(store.con, params) == _goals_reference(store.con, params)


def test_a_store_without_the_key_uses_the_text_key(tmp_path: Path) -> None:
    with duckdb.connect(str(tmp_path / "old.duckdb")) as con:
        con.execute("CREATE TABLE posts (platform VARCHAR, native_id VARCHAR)")
        assert not key_usable(con)
