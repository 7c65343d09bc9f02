"""Each insight on the synthetic world: the answers it was built to contain."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from synthetic_world import CRISIS_START, END, World

from resonanz.insights import INSIGHTS, InsightParams
from resonanz.workspace import Workspace

OWN = (("mastodon", "acme"),)


def params(**changes: Any) -> InsightParams:
    return InsightParams(**{"until": END, "own_accounts": OWN, **changes})


@pytest.mark.parametrize("name", sorted(INSIGHTS))
@pytest.mark.parametrize(
    "slice_",
    [
        {},
        {"topics": ("rival",), "platforms": ("bluesky",), "languages": ("de",)},
        {"since": END, "until": END + timedelta(days=1)},  # an empty window
    ],
)
def test_every_insight_takes_any_slice_and_serialises(
    world_con: Any, name: str, slice_: dict[str, Any]
) -> None:
    result = INSIGHTS[name].compute(world_con, params(**slice_))
    with pytest.raises(AttributeError):
        result.extra = 1  # frozen
    json.dumps(result.to_dict())
    assert isinstance(result.rows(), list)


def test_share_of_voice_splits_brand_and_rival(world_con: Any) -> None:
    result = INSIGHTS["share-of-voice"].compute(world_con, params())
    shares = {r["topic"]: r["share"] for r in result.totals}
    assert set(shares) == {"acme", "rival"}
    assert shares["acme"] > shares["rival"]
    assert sum(shares.values()) == pytest.approx(1.0, abs=1e-3)
    assert {r["platform"] for r in result.by_platform} == {"mastodon", "bluesky"}


def test_sentiment_change_is_driven_by_the_crisis(world_con: Any) -> None:
    result = INSIGHTS["sentiment"].compute(world_con, params(since=END - timedelta(days=10)))
    drop = min(result.changes, key=lambda c: c["delta"])
    assert drop["bucket"] == datetime(2026, 3, 1, tzinfo=UTC)
    assert any("akku" in d["text"] for d in drop["drivers"])


def test_feedback_ranks_battery_first_with_examples(world_con: Any) -> None:
    result = INSIGHTS["feedback"].compute(world_con, params())
    top = result.aspects[0]
    assert top["category"] == "battery"
    assert top["trend"] > 0
    assert top["examples"] and "battery" in top["examples"][0]["text"]
    assert "rival" in result.competitors
    assert any("rival_negative_share" in line for line in result.comparison)


def test_trends_find_the_burst_not_the_daily_rhythm(world_con: Any) -> None:
    result = INSIGHTS["trends"].compute(world_con, params())
    terms = [b["term"] for b in result.bursts]
    assert "#akkugate" in terms
    assert "phone" not in terms  # everyday chatter follows its weekly baseline
    assert any("akkugate" in c["label"] or "akku" in c["label"] for c in result.clusters)


def test_influencers_rank_the_hub_and_split_stances(world_con: Any) -> None:
    result = INSIGHTS["influencers"].compute(world_con, params(limit=50))
    assert result.leaders[0]["handle"] == "anna"
    assert "anna" in {p["handle"] for p in result.supporters}
    assert "critic" in {p["handle"] for p in result.critics}
    assert "spam_bot" in {p["handle"] for p in result.bots}
    assert "spam_bot" not in {p["handle"] for p in result.leaders}
    assert result.by_topic["acme"]["leaders"][0]["handle"] == "anna"
    assert result.by_topic["acme"]["kind"] == "brand"
    assert "anna" in {p["handle"] for p in result.by_topic["acme"]["supporters"]}
    assert "critic" in {p["handle"] for p in result.by_topic["acme"]["critics"]}


def test_cascades_rank_the_chain_above_the_broadcast(world_con: Any) -> None:
    result = INSIGHTS["cascades"].compute(world_con, params())
    first, second = result.cascades[0], result.cascades[1]
    assert first["root_author"] == "anna" and first["depth"] == 12
    assert second["root_author"] == "news" and second["depth"] == 1
    assert first["structural_virality"] > second["structural_virality"]


def test_timing_prefers_the_evening_slot(world_con: Any) -> None:
    result = INSIGHTS["timing"].compute(world_con, params())
    account = result.accounts[0]
    assert account["account"] == "acme"
    assert all(slot["hour"] == 18 for slot in account["best"])
    empty = next(c for c in account["grid"] if c["posts"] == 0)
    seen = next(c for c in account["grid"] if c["posts"] > 0)
    assert empty["high"] - empty["low"] > seen["high"] - seen["low"]  # less data, wider


def test_response_times_list_the_unanswered(
    world_con: Any, synthetic: tuple[Workspace, World]
) -> None:
    world = synthetic[1]
    result = INSIGHTS["response-times"].compute(world_con, params(limit=100))
    assert result.totals["questions"] == 6
    assert result.totals["answered"] == 4
    assert {w["native_id"] for w in result.oldest_waiting} == set(world.unanswered)
    assert result.by_responder[0]["responder"] == "acme"
    assert result.totals["median_minutes"] == pytest.approx(75.0)


def test_goals_report_kpis_per_bucket(world_con: Any) -> None:
    result = INSIGHTS["goals"].compute(world_con, params(since=CRISIS_START - timedelta(days=3)))
    assert result.totals["mentions"] > 0
    assert result.totals["own_engagement"] > 0
    assert all(0 <= (r["share_of_voice"] or 0) <= 1 for r in result.series)
