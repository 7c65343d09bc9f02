"""The NumPy language model and the fast clause scorers give exactly the defined answers."""

from __future__ import annotations

import random

import numpy as np
import pytest

from resonanz.enrich import language
from resonanz.enrich.clauses import BatchClauses, local_polarity
from resonanz.enrich.cues import JoinedTexts
from resonanz.enrich.features import TextFeatures, normalise_all
from resonanz.enrich.lexicon import load_lexicons
from resonanz.scale.firehose import post_rows
from shared_datasets import shared_data

ODD = [
    "",
    "😀😀",
    "https://x.example/z",
    "Ünïcödé İstanbul ΣΑΣ straße",
    "@anna hi #Tag",
    "x" * 3000,
    "__label__de hallo",
    "</s> hallo welt",
    "a\x00b c",
    "a\x01b c",
    "\u00a0nbsp\u2003em",
    "tab\there\x0bnew\x0cx\ry",
    "ﬁne ligature",
    "日本語のテキスト",
    "привет мир",
    "ok",
    "toller akku",
    "😡 kaputt",
    "1234 5678",
]


def _fasttext(prepared: list[str]) -> list[list[str]]:
    found = language._model().f.multilinePredict(prepared, 3, 0.01, "replace")
    return [[label.removeprefix("__label__") for label in labels] for labels in found]


def _mixed(count: int) -> list[str]:
    rng = random.Random(3)
    texts = [row["text"] for row in post_rows(count, seed=5)]
    texts += [" ".join(rng.choice(ODD) for _ in range(rng.randint(1, 3))) for _ in range(count)]
    return [language._prepare(t) for t in normalise_all(texts)]


def test_numpy_model_gives_fasttexts_labels() -> None:
    prepared = _mixed(1500)
    assert language._predict(prepared) == _fasttext(prepared)
    lid, _ = language._lid()
    decided = lid.top([t for t in prepared if t.strip()], 3, 0.01)
    assert sum(labels is None for labels in decided) < len(decided) / 100


@pytest.mark.parametrize("texts", [[], ["a\x01b", "c"], ["\x01", "\x01 x"], ["", " "]])
def test_numpy_model_small_and_separator_batches(texts: list[str]) -> None:
    assert language._predict(texts) == _fasttext(texts)


def test_detect_in_arrow_is_detect_text_by_text() -> None:
    rng = random.Random(4)
    texts = [row["text"] for row in post_rows(400, seed=6)]
    texts += [" ".join(rng.choice(ODD) for _ in range(rng.randint(1, 3))) for _ in range(400)]
    texts += ["\x1cde akku kaputt\x1c", "1234", "ⅷ", "١٢٣", "_ _", "x" * 700 + " hallo welt"]
    normalised = normalise_all(texts)
    expected = language._detect_listed(normalised, "en", ("de", "en"))
    assert language.detect(normalised, "en", ("de", "en")) == expected
    assert "und" in expected
    for part in (normalised[:1], [t for t in normalised if "\x00" not in t][:50], []):
        assert language.detect(part) == language._detect_listed(part, "en", ("de", "en"))


def test_numpy_model_on_real_german_posts() -> None:
    corpus = shared_data("sb10k") / "sb10k_corpus.tsv"
    with corpus.open(encoding="utf-8") as fh:
        texts = [line.rstrip("\n").split("\t")[-1] for line, _ in zip(fh, range(800), strict=False)]
    prepared = [language._prepare(t) for t in normalise_all(texts)]
    assert language._predict(prepared) == _fasttext(prepared)


def _clause_texts() -> list[str]:
    rng = random.Random(0)
    pieces = [*"abcäöüß_.,;!?-#@'\u00a0😀\n\x02", " ", " ", "aber", "but", "nicht", "not", "gut"]
    pieces += ["schlecht", "great", "kaputt", "jedoch", "however", "good", "never"]
    texts = normalise_all([row["text"] for row in post_rows(150, seed=9)])
    return texts + [
        "".join(rng.choice(pieces) for _ in range(rng.randint(0, 160))) for _ in range(250)
    ]


@pytest.mark.parametrize("odd", ["", "\x00"])  # a NUL: no shared tokens, words one by one
def test_batch_clauses_are_local_polarity(odd: str) -> None:
    lex = load_lexicons()
    feats = TextFeatures([*_clause_texts(), odd])
    texts = feats.texts
    pairs = [(i, start) for i, text in enumerate(texts) for start in range(0, len(text) + 1, 2)]
    text, start = (np.asarray(column, dtype=np.int64) for column in zip(*pairs, strict=True))
    german = text % 3 > 0
    expected = [
        local_polarity(texts[i], at, lex.de if de else lex.en, lex.negators)
        for (i, at), de in zip(pairs, german.tolist(), strict=True)
    ]
    for shared in (None, feats):
        clauses = BatchClauses(JoinedTexts(texts), (lex.de, lex.en), lex.negators, shared)
        assert clauses.polarity(text, start, german, lex.negators).tolist() == expected
