"""Goals' post KPIs equal a plain formulation on a small store with awkward handles and
topic sets (several topics about us, none of a kind, our handles in other spellings, posts
without author, a workspace without accounts)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from test_insight_equivalence import _goals_reference

from resonanz.insights import InsightParams, goals
from resonanz.store import Store

START = datetime(2026, 4, 1, tzinfo=UTC)
AUTHORS = (
    "acme",
    "@Acme",
    "ACME",
    "@@acme",
    "Acme",
    "acmé",
    "ÄCME",
    "abcd",
    "u1",
    "u22",
    "x",
    None,
)
TOPIC_SETS: list[dict[str, str]] = [
    {"acme": "brand", "neo": "product", "rival": "competitor", "other": "competitor"},
    {"acme": "brand"},
    {"rival": "competitor"},
    {},
]


def _fill(store: Store, topics: dict[str, str], accounts: bool = True) -> None:
    """Store 300 posts of mixed authors, their topic matches and the authors' profiles."""
    con, rng = store.con, random.Random(7)
    con.execute("DELETE FROM topics")
    con.execute("DELETE FROM accounts")
    for name, kind in topics.items():
        con.execute(
            "INSERT INTO topics VALUES (?, ?, ?, NULL, 'config', now())", [name, kind, name]
        )
    if accounts:
        con.execute(
            "INSERT INTO accounts (id, network, handle, updated_at) "
            "VALUES ('mastodon:acme', 'mastodon', 'acme', now())"
        )
    posts: list[list[Any]] = []
    matches: list[list[Any]] = []
    for i in range(300):
        platform = rng.choice(("mastodon", "bluesky"))
        posts.append(
            [
                platform,
                f"n{i}",
                rng.choice(AUTHORS),
                START + timedelta(hours=7 * i),
                rng.randrange(5),
                rng.choice(("positive", "negative", "neutral", None)),
                rng.choice((["purchase_intent"], [], ["question", "purchase_intent"])),
            ]
        )
        for topic in rng.sample(sorted(topics), k=min(len(topics), rng.randrange(3))):
            matches.append([platform, f"n{i}", topic])
    # One statement per table: a row at a time is far slower.
    con.execute(
        "INSERT INTO posts (platform, native_id, author, text, lang, created_at, likes, "
        "reposts, replies, collected_at, sentiment, intents) "
        "SELECT r[1], r[2], r[3], 'text', 'en', r[4]::TIMESTAMPTZ, r[5]::BIGINT, 1, NULL, "
        "now(), r[6], string_split(r[7], ' ') FROM (SELECT UNNEST(?::VARCHAR[][]) AS r)",
        [[[*row[:3], str(row[3]), str(row[4]), row[5], " ".join(row[6])] for row in posts]],
    )
    con.execute(
        "INSERT INTO matches SELECT r[1], r[2], r[3] FROM (SELECT UNNEST(?::VARCHAR[][]) AS r)",
        [matches],
    )
    profiles = [
        [platform, handle, str(rng.randrange(1000)), rng.choice(("customer", None))]
        for platform in ("mastodon", "bluesky")
        for handle in AUTHORS[:-2]  # "x" has no profile
    ]
    con.execute(
        "INSERT INTO authors (platform, handle, followers, stakeholder, updated_at) "
        "SELECT r[1], r[2], r[3]::BIGINT, r[4], now() FROM (SELECT UNNEST(?::VARCHAR[][]) AS r)",
        [profiles],
    )


@pytest.mark.parametrize("topics", TOPIC_SETS)
@pytest.mark.parametrize(
    "slice_",
    [
        {},
        {"own_accounts": (("bluesky", "@ACME"),), "platforms": ("bluesky",)},
        {"topics": ("rival", "acme"), "since": START + timedelta(days=20)},
    ],
)
def test_post_kpis_match_a_plain_formulation(
    store: Store, topics: dict[str, str], slice_: dict[str, Any]
) -> None:
    _fill(store, topics)
    params = InsightParams(bucket="week", **slice_)
    kpis = goals._post_kpis(store.con, params)
    assert kpis == _goals_reference(store.con, params)
    if topics or "topics" not in slice_:
        assert sum(int(r["mentions"]) + int(r["own_engagement"]) for r in kpis) > 0


@pytest.mark.parametrize("topics", TOPIC_SETS[:2])
def test_post_kpis_without_accounts_match_a_plain_formulation(
    store: Store, topics: dict[str, str]
) -> None:
    _fill(store, topics, accounts=False)
    params = InsightParams(bucket="week")
    kpis = goals._post_kpis(store.con, params)
    assert kpis == _goals_reference(store.con, params)
    assert sum(int(r["own_engagement"]) for r in kpis) == 0
