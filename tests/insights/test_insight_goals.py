"""Goals: the acquisition KPIs follow the window and platform filters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from resonanz.insights import INSIGHTS, InsightParams
from resonanz.store import Store

DAY = datetime(2026, 5, 4, tzinfo=UTC)


def _fill(store: Store) -> None:
    """Store follows on two networks over three days and conversions from both."""
    follows = [
        ("mastodon:acme", "mastodon", "f1", DAY + timedelta(hours=1)),
        ("mastodon:acme", "mastodon", "f2", DAY + timedelta(hours=2)),
        ("mastodon:acme", "mastodon", "f3", DAY + timedelta(days=1, hours=3)),
        ("bluesky:acme", "bluesky", "f4", DAY + timedelta(hours=4)),
        ("bluesky:acme", "bluesky", "f5", DAY + timedelta(days=2, hours=5)),
    ]
    for account, platform, native_id, at in follows:
        store.con.execute(
            "INSERT INTO notifications (account_id, platform, native_id, kind, author, "
            "created_at) VALUES (?, ?, ?, 'follow', ?, ?)",
            [account, platform, native_id, f"fan_{native_id}", at],
        )
    store.con.execute(
        "INSERT INTO notifications (account_id, platform, native_id, kind, author, created_at) "
        "VALUES ('mastodon:acme', 'mastodon', 'm1', 'mention', 'x', ?)",
        [DAY + timedelta(hours=6)],
    )
    conversions = [
        ("c1", "mastodon", DAY + timedelta(hours=7)),
        ("c2", "bluesky", DAY + timedelta(hours=8)),
        ("c3", None, DAY + timedelta(hours=9)),
    ]
    for event_id, network, at in conversions:
        store.con.execute(
            "INSERT INTO conversions (event_id, converted_at, network) VALUES (?, ?, ?)",
            [event_id, at, network],
        )


def _goals(store: Store, **filters: Any) -> Any:
    params = InsightParams(**{"since": DAY, "until": DAY + timedelta(days=3), **filters})
    return INSIGHTS["goals"].compute(store.con, params)


def test_new_followers_follow_the_platform_filter(store: Store) -> None:
    _fill(store)
    assert _goals(store).totals["new_followers"] == 5
    mastodon = _goals(store, platforms=("mastodon",))
    assert mastodon.totals["new_followers"] == 3
    first = next(r for r in mastodon.series if r["bucket"] == DAY)
    assert first["new_followers"] == 2
    assert _goals(store, platforms=("bluesky",)).totals["new_followers"] == 2


def test_new_followers_follow_the_window(store: Store) -> None:
    _fill(store)
    assert _goals(store, until=DAY + timedelta(days=1)).totals["new_followers"] == 3
    later = _goals(store, since=DAY + timedelta(days=1), platforms=("bluesky",))
    assert later.totals["new_followers"] == 1


def test_languages_and_topics_do_not_drop_follows(store: Store) -> None:
    _fill(store)
    result = _goals(store, languages=("de",), topics=("acme",))
    assert result.totals["new_followers"] == 5


def test_conversions_follow_the_platform_filter(store: Store) -> None:
    _fill(store)
    assert _goals(store).totals["conversions"] == 3
    assert _goals(store, platforms=("mastodon",)).totals["conversions"] == 1
