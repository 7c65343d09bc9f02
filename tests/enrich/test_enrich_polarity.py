"""Negation handling and the German default sentiment on the authored check set."""

from __future__ import annotations

from pathlib import Path

from sklearn.metrics import f1_score

from resonanz.enrich.context import BatchContext
from resonanz.enrich.lexicon import DENSE_NAMES
from resonanz.enrich.polarity import negated_dense
from resonanz.enrich.registry import EnrichPipeline

CHECK_DE = Path(__file__).resolve().parents[1] / "fixtures" / "sentiment" / "check_de.tsv"
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
