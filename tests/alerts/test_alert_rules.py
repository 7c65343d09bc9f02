"""Rules over stored posts: the crisis is found at its start, cool-down holds back repeats."""

from __future__ import annotations

import itertools
from datetime import timedelta

import synthetic_world as WORLD

from resonanz.alerts.rules import scan
from resonanz.alerts.settings import AlertRule
from resonanz.alerts.summary import summarize
from resonanz.workspace import Workspace

END, CRISIS_START = WORLD.END, WORLD.CRISIS_START


def test_negative_volume_fires_in_the_crisis_window(alert_world: Workspace) -> None:
    rule = AlertRule(name="neg", detector="negative_volume", topics=["acme"], window_hours=2,
                     min_count=5, cooldown_hours=6)  # fmt: skip
    with alert_world.open() as store:
        firings = scan(store.con, rule, END - timedelta(days=7), END)
        first = firings[0]
        assert abs(first.window_start - CRISIS_START) <= timedelta(hours=2)
        gaps = [b.window_start - a.window_end for a, b in itertools.pairwise(firings)]
        assert all(gap >= timedelta(hours=6) for gap in gaps)
        summary = summarize(store.con, first)
    assert summary["top_aspects"][0]["aspect"] == "battery"
    assert "#akkugate" in summary["top_terms"]
    assert summary["sentiment"]["negative"] >= first.observed
    assert summary["top_posts"] and summary["top_authors"]
    assert "spiked" in summary["headline"]


def test_without_cooldown_every_crisis_window_fires(alert_world: Workspace) -> None:
    base = {"detector": "negative_share", "topics": ["acme"], "window_hours": 2, "min_count": 5}
    with alert_world.open() as store:
        quiet = scan(store.con, AlertRule(name="a", cooldown_hours=24, **base),
                     END - timedelta(days=7), END)  # fmt: skip
        loud = scan(store.con, AlertRule(name="b", cooldown_hours=0, **base),
                    END - timedelta(days=7), END)  # fmt: skip
    assert len(quiet) == 1
    assert len(loud) > 1


def test_volume_rule_stays_quiet_before_the_crisis(alert_world: Workspace) -> None:
    rule = AlertRule(name="vol", detector="volume", topics=["rival"], window_hours=1)
    with alert_world.open() as store:
        assert scan(store.con, rule, END - timedelta(days=7), END) == []
