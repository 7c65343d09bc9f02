"""Polarity lexicons shipped with the package, scored as sparse products over word counts.

``lexicon_en.tsv`` is derived from the VADER lexicon (MIT), ``lexicon_de.tsv`` from the German
Polarity Lexicon bundled with textblob-de (Apache-2.0); ``authored_de.tsv``, ``emoji.tsv`` and
``negators.tsv`` are our own. See models/LEXICON_CARD.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction import FeatureHasher

from resonanz.enrich.features import N_FEATURES, TextFeatures, lexicon_matrix

#: Names of the dense features every sentiment/emotion head may read, in column order.
DENSE_NAMES = (
    "lex_pos",
    "lex_neg",
    "lex_balance",
    "emoji_pos",
    "emoji_neg",
    "negations",
    "exclamations",
    "questions",
    "log_tokens",
)

#: Emoticons as the word bigrams the tokeniser makes of them (":)" → ": )"), with polarity.
EMOTICONS = {
    ": )": 0.6,
    "- )": 0.6,
    "; )": 0.5,
    "= )": 0.5,
    ": d": 0.7,
    ": p": 0.4,
    "< 3": 0.7,
    ": (": -0.6,
    "- (": -0.6,
    ": /": -0.3,
}
#: Words that open a contrasting clause: what follows them counts more ("gut, aber teuer").
CONTRASTS = frozenset({"but", "however", "aber", "jedoch"})


def read_tsv(name: str) -> dict[str, str]:
    """Return ``{first column: second column}`` of a shipped TSV (``#`` lines are comments)."""
    text = resources.files("resonanz.enrich.models").joinpath(name).read_text(encoding="utf-8")
    rows: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, _, value = line.partition("\t")
        rows[key.strip().lower()] = value.strip()
    return rows


@dataclass(frozen=True)
class Lexicons:
    """Word → polarity dictionaries plus their hashed form for batch scoring."""

    en: dict[str, float]
    de: dict[str, float]
    emoji: dict[str, float]
    negators: frozenset[str]
    matrix: sp.csr_matrix  # N_FEATURES × 10 raw columns (see load_lexicons)
    emoticons: sp.csr_matrix  # N_FEATURES × 2 (positive, negative) over bigram columns
    contrast: sp.csr_matrix  # N_FEATURES × 1, the contrast words

    def polarity(self, lang: str) -> dict[str, float]:
        """Return the word polarities used for ``lang`` (German or else English)."""
        return self.de if lang == "de" else self.en

    def dense(self, feats: TextFeatures, is_de: np.ndarray) -> np.ndarray:
        """Return the (n × len(DENSE_NAMES)) dense features of a batch."""
        raw = np.asarray((feats.unigrams @ self.matrix).todense(), dtype=np.float32)
        raw[:, 4:6] += (feats.counts @ self.emoticons).toarray()
        pos = np.where(is_de, raw[:, 2], raw[:, 0])
        neg = np.where(is_de, raw[:, 3], raw[:, 1])
        negations = np.where(is_de, raw[:, 7], raw[:, 6])
        out = np.column_stack(
            [
                pos,
                neg,
                pos - neg,
                raw[:, 4],
                raw[:, 5],
                negations,
                np.minimum(raw[:, 8], 5.0),
                np.minimum(raw[:, 9], 5.0),
                np.log1p(feats.n_tokens),
            ]
        )
        return out.astype(np.float32)


def _split(weights: dict[str, float]) -> tuple[dict[str, float], dict[str, float]]:
    pos = {w: v for w, v in weights.items() if v > 0}
    neg = {w: -v for w, v in weights.items() if v < 0}
    return pos, neg


def _bigram_matrix(weights: dict[str, float]) -> sp.csr_matrix:
    """Return an (N_FEATURES × 2) matrix of positive and negative bigram weights."""
    hasher = FeatureHasher(n_features=N_FEATURES, input_type="string", alternate_sign=False)
    columns = hasher.transform([[bigram] for bigram in weights]).tocsr().indices
    values = np.asarray(list(weights.values()), dtype=np.float32)
    return sp.csr_matrix(
        (np.abs(values), (columns, (values < 0).astype(np.int64))),
        shape=(N_FEATURES, 2),
        dtype=np.float32,
    )


@cache
def load_lexicons() -> Lexicons:
    """Load the shipped lexicons once per process."""
    en = {w: float(v) for w, v in read_tsv("lexicon_en.tsv").items()}
    de = {w: float(v) for w, v in read_tsv("lexicon_de.tsv").items()}
    de.update({w: float(v) for w, v in read_tsv("authored_de.tsv").items()})
    emoji = {w: float(v) for w, v in read_tsv("emoji.tsv").items()}
    negs = read_tsv("negators.tsv")
    en_pos, en_neg = _split(en)
    de_pos, de_neg = _split(de)
    emo_pos, emo_neg = _split(emoji)
    columns = [
        en_pos,
        en_neg,
        de_pos,
        de_neg,
        emo_pos,
        emo_neg,
        {w: 1.0 for w, lang in negs.items() if lang == "en"},
        {w: 1.0 for w, lang in negs.items() if lang == "de"},
        {"!": 1.0},
        {"?": 1.0},
    ]
    return Lexicons(
        en=en,
        de=de,
        emoji=emoji,
        negators=frozenset(negs),
        matrix=lexicon_matrix(columns),
        emoticons=_bigram_matrix(EMOTICONS),
        contrast=lexicon_matrix([dict.fromkeys(CONTRASTS, 1.0)]),
    )
