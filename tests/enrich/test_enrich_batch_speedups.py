"""Batch fast paths give exactly what the one-by-one definitions give."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from sklearn.feature_extraction.text import HashingVectorizer

from resonanz.enrich.cues import CueMatcher, JoinedTexts
from resonanz.enrich.features import (
    FAST_TOKEN_PATTERN,
    N_FEATURES,
    TOKEN_PATTERN,
    TextFeatures,
    normalise,
    normalise_all,
)
from resonanz.enrich.stakeholder import StakeholderEnricher
from resonanz.records import AUTHOR_SCHEMA, POST_SCHEMA, to_table
from resonanz.scale.firehose import post_rows

PIECES = [
    "Sooooo GOOD",
    "ΣΑΣ Σ",
    "İstanbul",
    "aaa\nbbb",
    "www.a.example\u00a0rest",
    "@ünï_x.y hi",
    "https://a.example/\u2003next",
    "",
    "\ud800 lone",
    "ﬁﬁﬁ １１１",
    "\x85\x85\x85",
    "Straße!!!",
    "x" * 2500,
    "\n",
]


def _texts(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(PIECES) for _ in range(rng.randint(0, 4))) for _ in range(count)]


def test_normalise_all_is_normalise_text_by_text() -> None:
    texts = _texts(1, 400)
    assert normalise_all(texts) == [normalise(t) for t in texts]


@pytest.mark.parametrize("texts", [[], ["One"], ["a\x00b", "Sooo"], ["a\n\x00", "\nb"]])
def test_normalise_all_small_and_separator_batches(texts: list[str]) -> None:
    assert normalise_all(texts) == [normalise(t) for t in texts]


def test_texts_with_hits_covers_every_text_with_a_cue() -> None:
    matcher = CueMatcher({"c": ["*globex*"], "d": ["acme"]})
    texts = ["globex_support", "x", "the acme team", "acm e", "", "GLOBEX", "a\x02globex"]
    hits = set(matcher.texts_with_hits(texts).tolist())
    assert {i for i, t in enumerate(texts) if matcher.find(t)} <= hits
    assert hits == {0, 2, 6}


def _authors_and_posts() -> tuple[pa.Table, pa.Table]:
    rng = random.Random(5)
    start = datetime(2026, 3, 1, tzinfo=UTC)
    bios = [None, "", "Redakteurin beim Tagesblatt", "Engineer at Acme", "Acme fan"]
    handles = ["anna", "globex_support", "newsbot", "robotics", "acme_de", "", "Ünal"]
    authors: list[dict[str, Any]] = []
    posts: list[dict[str, Any]] = []
    for i in range(300):
        handle = f"{rng.choice(handles)}{i % 40}"
        authors.append(
            {
                "platform": rng.choice(["x", "y"]),
                "handle": handle,
                "display_name": rng.choice(
                    [None, "Bot Bob", "Anna", "İrem BOT", "Über GLOBEX", "ROBOTIK Ärger"]
                ),
                "bio": rng.choice(bios),
                "followers": rng.choice([None, 5, 12_000, 90_000]),
                "is_bot": rng.choice([None, False, True]),
                "updated_at": start,
            }
        )
        for k in range(rng.choice([0, 1, 1, 3, 6])):
            intents = rng.choice([[], ["purchase_intent"], ["complaint"], ["question"]])
            posts.append(
                {
                    "platform": authors[-1]["platform"],
                    "native_id": f"{i}-{k}",
                    "author": handle,
                    "text": rng.choice(["same text", f"text {k}"]),
                    "links": rng.choice([[], ["http://l.example"]]),
                    "created_at": start + timedelta(minutes=k),
                    "collected_at": start,
                    "intents": intents,
                }
            )
    unique = {(a["platform"], a["handle"]): a for a in authors}
    table = to_table(posts, POST_SCHEMA)
    intents = pa.array([p["intents"] for p in posts], pa.list_(pa.string()))
    return to_table(list(unique.values()), AUTHOR_SCHEMA), table.append_column("intents", intents)


def test_batch_stakeholders_are_those_of_classify() -> None:
    enricher = StakeholderEnricher(own_names=["acme"], competitors=["globex"])
    authors, posts = _authors_and_posts()
    columns = enricher(authors, posts)
    by_author: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for post in posts.to_pylist():
        by_author.setdefault((post["platform"], post["author"]), []).append(post)
    for i, row in enumerate(authors.to_pylist()):
        mine = by_author.get((row["platform"], row["handle"]), [])
        stats = None
        if mine and row["handle"]:
            times = [p["created_at"] for p in mine]
            stats = {
                "text_count": len(mine),
                "text_count_distinct": len({p["text"] for p in mine}),
                "links_sum": sum(1 for p in mine if p["links"]),
                "created_at_min": min(times),
                "created_at_max": max(times),
                "purchase_sum": sum("purchase_intent" in p["intents"] for p in mine),
                "complaint_sum": sum("complaint" in p["intents"] for p in mine),
            }
        group, confidence, evidence = enricher.classify(row, stats)
        assert columns["stakeholder"][i].as_py() == group
        assert columns["stakeholder_confidence"][i].as_py() == pytest.approx(confidence)
        assert columns["stakeholder_evidence"][i].as_py() == evidence


def test_find_all_is_find_text_by_text() -> None:
    matcher = CueMatcher({"a": ["*x*", "x", "ä*", "*_"], "b": ["x", "e.v.", "akku*"]})
    rng = random.Random(2)
    pieces = ["akku", "x", "_", "ä", " ", "e.v.", "\x02", "xx", "?", "straße"]
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 9))) for _ in range(600)]
    for batch in (texts, [t for t in texts if "\x02" not in t], texts[:1], []):
        hits = matcher.find_all(JoinedTexts(batch))
        found: list[list[tuple[str, int]]] = [[] for _ in batch]
        for text, start, label in zip(hits.text, hits.start, hits.label, strict=True):
            found[int(text)].append((matcher.label_names[int(label)], int(start)))
        assert found == [matcher.find(text) for text in batch]


def test_word_hashing_is_hashing_vectorizers() -> None:
    texts = normalise_all([row["text"] for row in post_rows(300, seed=8)] + _texts(4, 300))
    texts = [t for t in texts if "\ud800" not in t]
    reference = HashingVectorizer(
        n_features=N_FEATURES,
        ngram_range=(1, 2),
        alternate_sign=False,
        token_pattern=TOKEN_PATTERN,
        lowercase=False,
        norm=None,
        dtype=np.float32,
    )
    for batch in (texts, [*texts, "a\x00b c"], texts[:1]):
        counts = TextFeatures(batch).counts
        assert (counts != reference.transform(batch)).nnz == 0
        assert counts.has_canonical_format


def test_fast_token_pattern_is_token_pattern() -> None:
    text = "".join(chr(c) for c in range(0x3100)) + " ".join(_texts(6, 200))
    assert re.findall(FAST_TOKEN_PATTERN, text) == re.findall(TOKEN_PATTERN, text)
