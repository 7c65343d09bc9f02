"""The batched n-gram rows and the two-generation word table equal the one-word definition."""

from __future__ import annotations

import random

import numpy as np
import pytest

from resonanz.enrich import language
from resonanz.enrich.lid import LidModel, _hash
from resonanz.enrich.lidwords import WordTable, fnv1a

TRICKY = [
    "",
    "a",
    "ab",
    "hallo",
    "straße",
    "grüße",
    "ÄÖÜäöüß",
    "😀",
    "😀😀😀",
    "👍🏽🔥",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "𠜎𠜱",
    "日本語のテキスト",
    "привет",
    "ﬁne",
    "é́",
    "x" * 3000,
    "ü" * 700,
    "<3",
    "a<b>c",
    "<>",
    ">",
    "__label__de",
    "__label__",
    "\x01",
    "\x7f\x80\xff",
    "ÿ",
    "naïve—“quotes”",
    "#hashtag",
    "@user",
    "123",
    "it's",
]


@pytest.fixture(scope="module")
def lid() -> LidModel:
    return language._lid()[0]


def _random_words(count: int) -> list[str]:
    rng = random.Random(7)
    alphabet = "abcxyzäöüßé<>-'#😀𝔘日\x80ÿ\u00a0"
    return ["".join(rng.choices(alphabet, k=rng.randint(0, 12))) for _ in range(count)]


def test_vectorised_fnv1a_is_the_scalar_hash() -> None:
    chunks = [w.encode() for w in [*TRICKY, *_random_words(300)]]
    chunks += [bytes([b]) for b in range(256)] + [bytes(range(128, 256)), b"\x80\x7f\xff\x00"]
    data = b"".join(chunks)
    lengths = np.array([len(c) for c in chunks], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    hashed = fnv1a(np.frombuffer(data, dtype=np.uint8), starts, lengths)
    assert hashed.dtype == np.uint32
    assert hashed.tolist() == [_hash(c) for c in chunks]


def test_signed_bytes_change_the_hash() -> None:
    # fastText widens bytes >= 0x80 as negative chars: plain unsigned FNV-1a differs
    unsigned = ((2166136261 ^ 0xC3) * 16777619) & 0xFFFFFFFF
    assert _hash(b"\xc3") != unsigned
    assert fnv1a(np.frombuffer(b"\xc3", np.uint8), np.zeros(1, np.int64), np.ones(1, np.int64))[
        0
    ] == _hash(b"\xc3")


def test_batched_rows_are_the_one_word_rows(lid: LidModel) -> None:
    words = [*TRICKY, *_random_words(500), *list(lid.vocab)[:300]]
    rows, counts = lid._ngrams.ids(words)
    assert counts.sum() == len(rows)
    at = 0
    for word, count in zip(words, counts.tolist(), strict=True):
        expected = [] if word.startswith("__label__") else lid._ids(word)
        assert rows[at : at + count].tolist() == expected, word
        at += count


def test_batched_sums_are_the_one_word_sums(lid: LidModel) -> None:
    words = [*TRICKY, *_random_words(500)]
    vectors, sizes = lid._ngrams.vectors(words)
    for word, vector, size in zip(words, vectors, sizes.tolist(), strict=True):
        ids = [] if word.startswith("__label__") else lid._ids(word)
        expected = lid.input[ids].sum(axis=0) if ids else np.zeros(lid.input.shape[1])
        assert size == len(ids)
        assert np.array_equal(vector, expected), word


def test_empty_batch(lid: LidModel) -> None:
    rows, counts = lid._ngrams.ids([])
    vectors, sizes = lid._ngrams.vectors([])
    assert len(rows) == len(counts) == len(sizes) == 0
    assert vectors.shape == (0, lid.input.shape[1])


def _table(lid: LidModel, limit: int) -> tuple[WordTable, list[list[str]]]:
    calls: list[list[str]] = []

    def compute(words: list[str]) -> tuple[np.ndarray, np.ndarray]:
        calls.append(list(words))
        return lid._ngrams.vectors(words)

    return WordTable(compute, lid.input.shape[1], limit), calls


def test_word_table_keeps_two_generations(lid: LidModel) -> None:
    table, calls = _table(lid, limit=50)
    first = [f"w{i}" for i in range(60)]
    rows = table.rows(first)
    expected, _ = lid._ngrams.vectors(first)
    assert np.array_equal(table.vectors[rows], expected)
    table.age()  # past the limit: set aside, nothing is computed again
    assert len(table) == 0
    again = table.rows([*first[:10], "new"])
    assert calls[-1] == ["new"]
    assert np.array_equal(table.vectors[again[:10]], expected[:10])
    table.age()  # under the limit: kept
    assert len(table) == 11
    table.rows([f"v{i}" for i in range(50)])
    table.age()
    table.rows(["w20"])  # unused for a whole generation: dropped, computed afresh
    assert calls[-1] == ["w20"]


def test_word_table_memory_stays_bounded(lid: LidModel) -> None:
    table, _ = _table(lid, limit=100)
    for batch in range(30):
        table.rows([f"b{batch}w{i}" for i in range(40)])
        table.age()
        assert len(table) <= 140


def test_labels_survive_the_generations(lid: LidModel, monkeypatch: pytest.MonkeyPatch) -> None:
    texts = ["das ist ein toller tag", "this is a great day", "toller akku", "c'est la vie"] * 5
    before = lid.top(texts, 3, 0.01)
    monkeypatch.setattr(lid._table, "limit", 3)
    for start in range(0, len(texts), 4):
        assert lid.top(texts[start : start + 4], 3, 0.01) == before[start : start + 4]
