"""Negation, contrast and emoticons, and the default sentiment on the authored check sets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import f1_score, recall_score

from resonanz.enrich.context import BatchContext
from resonanz.enrich.lexicon import DENSE_NAMES
from resonanz.enrich.polarity import negated_dense
from resonanz.enrich.registry import EnrichPipeline, default_heads
from resonanz.enrich.sentiment import blend, rule_blend

CHECKS = Path(__file__).resolve().parents[1] / "fixtures" / "sentiment"
CHECK_DE = CHECKS / "check_de.tsv"
CHECK_EN = CHECKS / "check_en.tsv"
CHECK_EN_TWEETS = CHECKS / "check_en_tweets.tsv"
BALANCE = DENSE_NAMES.index("lex_balance")


def test_negation_flips_polar_words_in_scope() -> None:
    texts = ["Das ist gut.", "Das ist nicht gut.", "Gefällt mir nicht.", "not bad at all", "bad"]
    langs = ["de", "de", "de", "en", "en"]
    balance = negated_dense(BatchContext(texts, langs))[:, BALANCE]
    assert balance[0] > 0 > balance[1]
    assert balance[2] < 0
    assert balance[3] > 0 > balance[4]


def test_negation_outside_scope_changes_nothing() -> None:
    ctx = BatchContext(["Nicht vergessen: das Konzert war toll."], ["de"])
    assert negated_dense(ctx)[0, BALANCE] == ctx.dense[0, BALANCE] > 0


def test_german_default_sentiment_on_check_set() -> None:
    rows = [
        line.split("\t", 1)
        for line in CHECK_DE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    texts = [text for _, text in rows]
    pred = EnrichPipeline().columns(texts, ["de"] * len(texts))["sentiment"].to_pylist()
    assert f1_score([label for label, _ in rows], pred, average="macro") >= 0.8


def test_clause_after_a_contrast_word_weighs_more() -> None:
    texts = ["great screen but terrible battery", "terrible battery, great screen"]
    balance = negated_dense(BatchContext(texts, ["en", "en"]))[:, BALANCE]
    assert balance[0] < 0 < balance[1]


def test_emoticons_count_as_emoji_evidence() -> None:
    ctx = BatchContext(["Paket ist da :)", "Paket ist da :-(", "Paket ist da"], ["de"] * 3)
    pos, neg = DENSE_NAMES.index("emoji_pos"), DENSE_NAMES.index("emoji_neg")
    assert ctx.dense[0, pos] > 0 == ctx.dense[2, pos]
    assert ctx.dense[1, neg] > 0 == ctx.dense[2, neg]


def _english_recall(path: Path) -> float:
    rows = [
        line.split("\t", 1)
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    texts = [text for _, text in rows]
    pred = EnrichPipeline().columns(texts, ["en"] * len(texts))["sentiment"].to_pylist()
    return float(recall_score([label for label, _ in rows], pred, average="macro"))


def test_english_default_sentiment_on_check_set() -> None:
    assert _english_recall(CHECK_EN) >= 0.8


def test_english_default_sentiment_on_tweet_like_check_set() -> None:
    # Harder posts: polar-looking news, implicit complaints, negated praise, emoji only.
    assert _english_recall(CHECK_EN_TWEETS) >= 0.62


def test_english_output_mixes_in_the_lexicon_rule() -> None:
    english = default_heads()["sentiment_en"]
    assert 0.0 < rule_blend(english) < 1.0
    head = np.array([[0.2, 0.6, 0.2]], dtype=np.float32)
    rule = np.array([[0.0, 0.0, 1.0]], dtype=np.float32)
    mixed = blend(english, head, rule)
    assert mixed.sum() == pytest.approx(1.0)
    assert head[0, 2] < mixed[0, 2] < rule[0, 2]
