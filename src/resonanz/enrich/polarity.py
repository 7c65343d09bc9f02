"""Lexicon polarity evidence per post, with negation: the input of the default sentiment heads.

The lexicon sums come vectorised from the shared features (see lexicon.py). Only posts that
contain a negation word are tokenised again, to flip the polar words in the negation's scope
("nicht gut", "not bad", "gefällt mir nicht"); on social media that is a minority of posts.
"""

from __future__ import annotations

import re

import numpy as np

from resonanz.enrich.context import BatchContext
from resonanz.enrich.features import TOKEN_PATTERN
from resonanz.enrich.lexicon import DENSE_NAMES

#: A negated polar word counts this much of its polarity, with the sign flipped (VADER's value).
NEGATED = -0.74
#: Polar words up to this many tokens after a negation (or before a clause-final one) flip.
SCOPE = 3
_TOKENS = re.compile(TOKEN_PATTERN)
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


def _shift(
    tokens: list[str], polarity: dict[str, float], negators: frozenset[str]
) -> tuple[float, float]:
    """Return the change of (positive, negative) evidence that negation causes in one post."""
    d_pos = d_neg = 0.0
    for at, token in enumerate(tokens):
        if token not in negators:
            continue
        for word in _scope(tokens, at):
            value = polarity.get(word, 0.0)
            if value > 0:  # "nicht gut": the praise is gone, a milder complaint remains
                d_pos -= value
                d_neg -= NEGATED * value
            elif value < 0:  # "nicht schlecht": mildly positive
                d_neg += value
                d_pos += NEGATED * value
    return d_pos, d_neg


def negated_dense(ctx: BatchContext) -> np.ndarray:
    """Return the batch's dense features with negated polar words flipped (a copy)."""
    dense = ctx.dense.copy()
    lex = ctx.lexicons
    for row in np.flatnonzero(dense[:, _NEGATIONS] > 0):
        polarity = lex.polarity("de" if ctx.is_de[row] else "en")
        d_pos, d_neg = _shift(_TOKENS.findall(ctx.features.texts[row]), polarity, lex.negators)
        dense[row, _POS] = max(0.0, dense[row, _POS] + d_pos)
        dense[row, _NEG] = max(0.0, dense[row, _NEG] + d_neg)
    dense[:, _BALANCE] = dense[:, _POS] - dense[:, _NEG]
    return dense
