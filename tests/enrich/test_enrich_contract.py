"""The enricher contract: same length, same order, deterministic, robust to odd input."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from resonanz.config import Settings
from resonanz.enrich import build_pipeline
from resonanz.enrich.registry import EnrichPipeline, chunk_bounds
from resonanz.records import EMOTIONS, INTENTS, SENTIMENTS
from resonanz.scale.firehose import post_rows

PIPELINE = EnrichPipeline()
ODD = [
    "",
    "😂😂😂",
    "https://example.org/a https://example.org/b",
    "x" * 100_000,
    "Das ist super, but the delivery was terrible!!!",
    "\u202e\u0000 ok",
    "@acme @bcme #hashtag",
]


def _check(cols: dict[str, pa.Array], n: int) -> None:
    for name, array in cols.items():
        assert len(array) == n, name
    assert set(cols["sentiment"].to_pylist()) <= set(SENTIMENTS)
    assert set(cols["emotion"].to_pylist()) <= set(EMOTIONS)
    for intents in cols["intents"].to_pylist():
        assert set(intents) <= set(INTENTS)
    for score in cols["sentiment_score"].to_pylist():
        assert -1.0 <= score <= 1.0


def test_odd_inputs_get_a_defined_result() -> None:
    cols = PIPELINE.columns([*ODD, None])
    _check(cols, len(ODD) + 1)
    assert cols["sentiment"][0].as_py() == "neutral"
    assert cols["emotion"][0].as_py() == "none"
    assert cols["lang"][0].as_py() == "und"


@settings(max_examples=25, deadline=None)
@given(st.lists(st.text(max_size=80), max_size=12))
def test_same_length_order_and_deterministic(texts: list[str]) -> None:
    first = PIPELINE.columns(texts)
    _check(first, len(texts))
    again = PIPELINE.columns(list(reversed(texts)))
    for name in ("sentiment", "emotion", "aspects", "intents", "lang"):
        assert again[name].to_pylist() == list(reversed(first[name].to_pylist()))


def test_given_language_is_kept_and_stamp_names_versions() -> None:
    cols = PIPELINE.columns(["Hello there", "Hallo"], ["fr", None])
    assert cols["lang"].to_pylist()[0] == "fr"
    stamp = json.loads(cols["enriched"][0].as_py())
    assert set(stamp) == {"language", "sentiment", "emotion", "aspects", "intents"}


def test_clear_cases() -> None:
    cols = PIPELINE.columns(
        [
            "I love this phone, the battery is amazing! Highly recommend it",
            "Die Lieferung kam nie an, totale Frechheit. Ich kündige!",
            "Should I buy the Acme X or the Foo Z?",
            "Der Akku ist leider nicht gut, aber das Design ist schön",
        ]
    )
    assert cols["sentiment"].to_pylist()[0] == "positive"
    assert cols["sentiment"].to_pylist()[1] == "negative"
    intents = cols["intents"].to_pylist()
    assert "recommendation" in intents[0]
    assert {"complaint", "churn_threat"} <= set(intents[1])
    assert {"question", "purchase_intent"} <= set(intents[2])
    aspects = {a["category"]: a["polarity"] for a in cols["aspects"].to_pylist()[3]}
    assert aspects == {"performance": "negative", "design": "positive"}


def test_workspace_taxonomy_and_topic_aspects_are_merged() -> None:
    settings = Settings.model_validate(
        {
            "aspects": {"sustainability": ["nachhaltig*", "recycl*"]},
            "topics": {"brand": {"kind": "brand", "query": "acme", "aspects": ["warranty_claims"]}},
        }
    )
    pipeline = build_pipeline(settings)
    cols = pipeline.columns(["Die Verpackung ist nachhaltig und recycelbar, toll!"])
    categories = [a["category"] for a in cols["aspects"].to_pylist()[0]]
    assert "sustainability" in categories


def test_a_batch_is_enriched_in_nearly_equal_chunks_with_the_same_result(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert chunk_bounds(0) == [(0, 0)]
    assert chunk_bounds(20_000) == [(0, 20_000)]
    assert chunk_bounds(25_000) == [(0, 12_500), (12_500, 12_500)]
    assert [length for _, length in chunk_bounds(40_001)] == [13_333, 13_334, 13_334]
    posts = pa.Table.from_pylist(
        [{"text": row["text"]} for row in post_rows(50, topics=10)]
        + [{"text": text} for text in ODD]
    )
    whole = PIPELINE(posts)
    monkeypatch.setattr("resonanz.enrich.registry.CHUNK", 8)  # 57 posts: 8 chunks of 7 or 8
    chunked = PIPELINE(posts)
    assert sorted(len(c) for c in chunked.column("sentiment").chunks) == [7] * 7 + [8]
    assert chunked.to_pylist() == whole.to_pylist()
