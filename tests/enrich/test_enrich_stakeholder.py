"""Stakeholder rules: profile words, reach, platform flags and behaviour in the batch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from resonanz.enrich.stakeholder import StakeholderEnricher
from resonanz.records import AUTHOR_SCHEMA, POST_SCHEMA, STAKEHOLDERS, to_table

ENRICHER = StakeholderEnricher(own_names=["acme"], competitors=["globex"])


@pytest.mark.parametrize(
    ("profile", "group"),
    [
        ({"bio": "Wirtschaftsredakteurin beim Tagesblatt"}, "press"),
        ({"bio": "MdB für die SPD, Ausschuss Digitales"}, "politician"),
        ({"bio": "Verbraucherzentrale e.V."}, "ngo"),
        ({"bio": "Equity analyst, consumer tech"}, "investor"),
        ({"bio": "Software engineer at Acme. Views are my own"}, "employee"),
        ({"bio": "Radfahrerin. Fahre ein Acme seit 2024"}, "customer"),
        ({"handle": "globex_support"}, "competitor"),
        ({"handle": "deals", "followers": 250_000}, "influencer"),
        ({"handle": "x", "is_bot": True}, "bot"),
        ({"handle": "someone"}, "customer"),
    ],
)
def test_profile_rules(profile: dict[str, object], group: str) -> None:
    found, confidence, evidence = ENRICHER.classify(profile, None)
    assert found == group
    assert 0 < confidence < 1 and evidence


def test_repetitive_fast_posting_is_a_bot() -> None:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    posts = to_table(
        [
            {
                "platform": "x",
                "native_id": str(i),
                "author": "promo",
                "text": "Win a free phone! http://spam.example",
                "links": ["http://spam.example"],
                "created_at": start + timedelta(minutes=i),
                "collected_at": start,
            }
            for i in range(8)
        ],
        POST_SCHEMA,
    )
    authors = to_table([{"platform": "x", "handle": "promo", "updated_at": start}], AUTHOR_SCHEMA)
    cols = ENRICHER(authors, posts)
    assert cols["stakeholder"].to_pylist() == ["bot"]
    assert set(cols["stakeholder"].to_pylist()) <= set(STAKEHOLDERS)
    assert len(cols["stakeholder_evidence"][0].as_py()) >= 2
