"""Lexicon polarity evidence per post, with negation and contrast: the default heads' input.

The lexicon sums come vectorised from the shared features (see lexicon.py). Only posts that
contain a negation or a contrast word are tokenised again, to flip the polar words in the
negation's scope ("nicht gut", "not bad", "gefällt mir nicht") and to weigh the clause after
"aber"/"but" above the one before it ("looks nice but broke in a week"), as VADER does; on
social media those posts are a minority.
"""

from __future__ import annotations

import re

import numpy as np

from resonanz.enrich.context import BatchContext
from resonanz.enrich.features import FAST_TOKEN_PATTERN
from resonanz.enrich.lexicon import CONTRASTS, DENSE_NAMES

#: A negated polar word counts this much of its polarity, with the sign flipped (VADER's value).
NEGATED = -0.74
#: Polar words up to this many tokens after a negation (or before a clause-final one) flip.
SCOPE = 3
#: Weights of polar words before and after a contrast word (VADER's values for "but").
BEFORE_CONTRAST, AFTER_CONTRAST = 0.5, 1.5
_TOKENS = re.compile(FAST_TOKEN_PATTERN)
_CLAUSE_END = frozenset(".!?,;:")
_POS, _NEG = DENSE_NAMES.index("lex_pos"), DENSE_NAMES.index("lex_neg")
_NEGATIONS = DENSE_NAMES.index("negations")
_BALANCE = DENSE_NAMES.index("lex_balance")


def _scope(tokens: list[str], at: int) -> list[str]:
    """Return the words a negation at ``at`` governs (after it, or before it at a clause end)."""
    after: list[str] = []
    for token in tokens[at + 1 : at + 1 + SCOPE]:
        if token in _CLAUSE_END:
            break
        after.append(token)
    if after:
        return after
    before: list[str] = []
    for token in reversed(tokens[max(0, at - SCOPE) : at]):
        if token in _CLAUSE_END:
            break
        before.append(token)
    return before


def _weights(tokens: list[str]) -> list[float]:
    """Return each token's clause weight: below 1 before the last contrast word, above after."""
    last = max((at for at, token in enumerate(tokens) if token in CONTRASTS), default=-1)
    if last < 0:
        return [1.0] * len(tokens)
    return [BEFORE_CONTRAST if at < last else AFTER_CONTRAST for at in range(len(tokens))]


def _shift(
    tokens: list[str], polarity: dict[str, float], negators: frozenset[str]
) -> tuple[float, float]:
    """Return the change of (positive, negative) evidence that negation and contrast cause."""
    weights = _weights(tokens)
    negated = {
        at + offset
        for at, token in enumerate(tokens)
        if token in negators
        for offset in _scope_offsets(tokens, at)
    }
    d_pos = d_neg = 0.0
    for at, token in enumerate(tokens):
        value = polarity.get(token, 0.0)
        if value == 0.0:
            continue
        weight = weights[at]
        if at in negated:  # "nicht gut": the praise is gone, a milder complaint remains
            pos, neg = (0.0, -NEGATED * value) if value > 0 else (NEGATED * value, 0.0)
        else:
            pos, neg = max(value, 0.0), max(-value, 0.0)
        d_pos += weight * pos - max(value, 0.0)
        d_neg += weight * neg - max(-value, 0.0)
    return d_pos, d_neg


def _scope_offsets(tokens: list[str], at: int) -> range:
    """Return the offsets from ``at`` of the words its negation governs."""
    words = _scope(tokens, at)
    if not words:
        return range(0)
    if tokens[at + 1 : at + 1 + len(words)] == words:
        return range(1, len(words) + 1)
    return range(-len(words), 0)


def negated_dense(ctx: BatchContext) -> np.ndarray:
    """Return the batch's dense features with negated polar words flipped (a copy)."""
    dense = ctx.dense.copy()
    lex = ctx.lexicons
    contrasts = (ctx.features.unigrams @ lex.contrast).toarray().ravel()
    for row in np.flatnonzero((dense[:, _NEGATIONS] > 0) | (contrasts > 0)):
        polarity = lex.polarity("de" if ctx.is_de[row] else "en")
        d_pos, d_neg = _shift(_TOKENS.findall(ctx.features.texts[row]), polarity, lex.negators)
        dense[row, _POS] = max(0.0, dense[row, _POS] + d_pos)
        dense[row, _NEG] = max(0.0, dense[row, _NEG] + d_neg)
    dense[:, _BALANCE] = dense[:, _POS] - dense[:, _NEG]
    return dense
