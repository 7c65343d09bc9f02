"""The batch shortcuts give exactly the answers of the definitions they replace."""

from __future__ import annotations

import random

import numpy as np
import pytest

from resonanz.enrich import language
from resonanz.enrich.context import BatchContext
from resonanz.enrich.cues import CueMatcher, CueScan, JoinedTexts
from resonanz.enrich.features import _URL, _mask_urls, normalise_all, occurrences
from resonanz.enrich.intents import intent_cues
from resonanz.enrich.polarity import _batch_shifts, _shift_rows, negated_dense
from resonanz.enrich.registry import EnrichPipeline
from resonanz.scale.firehose import post_rows

_WORDS = [
    "not",
    "no",
    "nicht",
    "kein",
    "never",
    "nie",
    "good",
    "bad",
    "gut",
    "schlecht",
    "but",
    "aber",
    "however",
    "jedoch",
    ".",
    ",",
    "!",
    "?",
    ";",
    ":",
    "love",
    "hate",
    "super",
    "mist",
    "very",
    "kaputt",
    "toll",
    "great",
    "awful",
    ":)",
    "😀",
    "schön",
]


def _texts(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    texts = [row["text"] for row in post_rows(count, seed=seed)]
    texts += [" ".join(rng.choice(_WORDS) for _ in range(rng.randint(0, 40))) for _ in range(count)]
    return texts


def test_negation_shifts_of_the_batch_are_the_row_by_row_ones() -> None:
    texts = [*_texts(400, 1), "nicht " * 300 + "gut aber schlecht", ""]
    langs = [("de", "en", None)[i % 3] for i in range(len(texts))]
    ctx = BatchContext(texts, langs)
    batch = negated_dense(ctx)
    slow = ctx.dense.copy()
    contrasts = (ctx.features.unigrams @ ctx.lexicons.contrast).toarray().ravel()
    rows = np.flatnonzero((slow[:, 5] > 0) | (contrasts > 0))
    assert len(rows) > 100 and _batch_shifts(ctx, rows) is not None
    _shift_rows(ctx, slow, rows)
    slow[:, 2] = slow[:, 0] - slow[:, 1]
    assert batch.tobytes() == slow.tobytes()


def test_negation_shifts_fall_back_when_a_text_holds_the_separator() -> None:
    texts = ["das ist nicht gut", "a\x00b not bad"]
    ctx = BatchContext(texts, ["de", "en"])
    assert ctx.features.encoded is None
    assert _batch_shifts(ctx, np.arange(2)) is None
    balance = negated_dense(ctx)[:, 2]
    assert balance[0] < 0 < balance[1]


@pytest.mark.parametrize("odd", ["", "x\x02y"])  # the separator: texts go one by one
def test_one_scan_finds_what_each_matcher_finds(odd: str) -> None:
    shared = CueMatcher({"a": ["akku*", "app", "*service"], "b": ["liefer*", "app"]})
    other = CueMatcher({"x": ["app", "versand", "akku"], "y": ["*kundenservice", "pp"]})
    texts = [*normalise_all(_texts(200, 2)), "app akkus kundenservice apps happ", odd]
    joined = JoinedTexts(texts)
    scan = CueScan([shared, other, intent_cues()])
    for matcher, hits in zip(scan.matchers, scan.find_all(joined), strict=True):
        alone = matcher.find_all(joined)
        for name in ("text", "start", "label"):
            assert getattr(hits, name).tolist() == getattr(alone, name).tolist()


def test_pipeline_shares_one_scan_and_matches_separate_scans() -> None:
    texts = _texts(300, 3)
    pipeline = EnrichPipeline()
    assert pipeline.scan is not None
    together = pipeline.columns(texts)
    pipeline.scan = None
    apart = pipeline.columns(texts)
    for name in ("aspects", "intents"):
        assert together[name].equals(apart[name])


def test_url_masking_finds_the_regex_matches() -> None:
    rng = random.Random(5)
    parts = ["http", "https://", "www.", "h", "w", ".", " ", "x", "/", ":", "wwww.", "\n", "😀"]
    for _ in range(3000):
        text = "".join(rng.choice(parts) for _ in range(rng.randint(0, 30)))
        assert _mask_urls(text) == _URL.sub("httpurl", text)
    assert occurrences("aaa", "aa") == [0, 1]


def test_sure_labels_are_the_ranked_labels() -> None:
    texts = [language._prepare(t) for t in normalise_all(_texts(600, 4))]
    texts = [t for t in texts if t]
    lid, _ = language._lid()
    hidden, total = lid.hidden(texts)
    limit = float(np.log(np.float32(0.01) + 1e-5))
    sure = lid._sure.labels(hidden, total, limit)
    order, valid, close = lid._ranked(lid._scores(hidden, total), 3, limit)
    picked = sure >= 0
    assert picked.mean() > 0.5
    assert (order[picked, 0] == sure[picked]).all()
    assert valid[picked, 0].all() and not valid[picked, 1:].any() and not close[picked].any()


def test_arrow_word_split_is_the_python_split() -> None:
    texts = ["  a  b\tc\n", "", "x", " ", "é z", "a\x0bb\x0cc", "__label__de hallo", "a\x01b c"]
    lid, _ = language._lid()
    fast, slow = lid._incidence(texts), lid._incidence_split(texts)
    rows = lid._table.vectors.shape[0]
    assert fast.indptr.tolist() == slow.indptr.tolist()
    assert (fast.indices < rows).all() and (slow.indices < rows).all()
    assert np.array_equal(
        fast @ lid._table.vectors[: fast.shape[1]], slow @ lid._table.vectors[: slow.shape[1]]
    )


def test_emotion_head_reads_only_the_posts_it_labels() -> None:
    texts = _texts(300, 6)
    langs = [("de", "en", "fr")[i % 3] for i in range(len(texts))]
    ctx = BatchContext(texts, langs)
    emotion = EnrichPipeline().enrichers[2]
    every = emotion._head_labels(emotion.english, ctx)  # type: ignore[attr-defined]
    labels = emotion.labels(ctx)  # type: ignore[attr-defined]
    english = ~ctx.is_de & (ctx.features.n_tokens > 0)
    assert labels[english].tolist() == every[english].tolist()
