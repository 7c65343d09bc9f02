"""The shared filter: every value is a bound parameter, every filter narrows the slice."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from resonanz.insights.params import InsightParams, post_filter


def test_filter_binds_every_value() -> None:
    evil = "x') OR 1=1 --"
    where, args = post_filter(
        InsightParams(
            since=datetime(2026, 1, 1),
            topics=(evil,),
            platforms=("mastodon",),
            languages=("de", "en"),
        )
    )
    assert evil not in where
    assert evil in args
    assert args[0] == datetime(2026, 1, 1, tzinfo=UTC)  # naive read as UTC
    assert where.count("?") == len(args)


def test_filters_narrow_the_slice(world_con: Any) -> None:
    def count(params: InsightParams) -> int:
        where, args = post_filter(params)
        row = world_con.execute(f"SELECT count(*) FROM posts p WHERE {where}", args).fetchone()  # noqa: S608
        return int(row[0])

    everything = count(InsightParams())
    assert count(InsightParams(topics=("no-such-topic') OR ('1'='1",))) == 0
    assert 0 < count(InsightParams(topics=("rival",))) < everything
    assert 0 < count(InsightParams(platforms=("bluesky",))) < everything
    assert 0 < count(InsightParams(languages=("de",))) < everything
    assert 0 < count(InsightParams(since=datetime(2026, 3, 1, tzinfo=UTC))) < everything
