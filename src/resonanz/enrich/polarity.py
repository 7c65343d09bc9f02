"""Lexicon polarity evidence per post, with negation and contrast: the default heads' input.

The lexicon sums come vectorised from the shared features (see lexicon.py). Only posts that
contain a negation or a contrast word are tokenised again, to flip the polar words in the
negation's scope ("nicht gut", "not bad", "gefällt mir nicht") and to weigh the clause after
"aber"/"but" above the one before it ("looks nice but broke in a week"), as VADER does; on
social media those posts are a minority.
"""

from __future__ import annotations

import re
from functools import partial
from itertools import repeat

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
    rows = np.flatnonzero((dense[:, _NEGATIONS] > 0) | (contrasts > 0))
    shifts = _batch_shifts(ctx, rows)
    if shifts is None:
        _shift_rows(ctx, dense, rows)
    else:
        # as max(0.0, x) of a float32 plus a Python float: NumPy adds those in float32
        pos = dense[rows, _POS] + shifts[0].astype(np.float32)
        neg = dense[rows, _NEG] + shifts[1].astype(np.float32)
        dense[rows, _POS] = np.where(pos > 0.0, pos, 0.0)
        dense[rows, _NEG] = np.where(neg > 0.0, neg, 0.0)
    dense[:, _BALANCE] = dense[:, _POS] - dense[:, _NEG]
    return dense


def _shift_rows(ctx: BatchContext, dense: np.ndarray, rows: np.ndarray) -> None:
    """Apply :func:`_shift` to ``rows`` of ``dense`` one by one, tokenising each text again."""
    lex = ctx.lexicons
    for row in rows.tolist():
        polarity = lex.polarity("de" if ctx.is_de[row] else "en")
        tokens = _TOKENS.findall(ctx.features.texts[row])
        d_pos, d_neg = _shift(tokens, polarity, lex.negators)
        dense[row, _POS] = max(0.0, dense[row, _POS] + d_pos)
        dense[row, _NEG] = max(0.0, dense[row, _NEG] + d_neg)


def _lookup(lexicon: dict[str, float], tokens: list[str]) -> np.ndarray:
    return np.fromiter(map(lexicon.get, tokens, repeat(0.0)), np.float64, len(tokens))


def _member(words: frozenset[str], tokens: list[str]) -> np.ndarray:
    return np.fromiter(map(words.__contains__, tokens), bool, len(tokens))


def _batch_shifts(ctx: BatchContext, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Return :func:`_shift` of the given rows, for all of them at once (None: cannot).

    The tokens and their lookups come from the shared features (each distinct token is
    looked up once per process); the sums run token by token in order, as :func:`_shift`
    adds them, so every row gets the same float64 numbers.
    """
    lex, feats = ctx.lexicons, ctx.features
    tokens = feats.tokens(rows)
    if tokens is None:
        return None
    ids, row = tokens
    found = [
        feats.token_attribute(lex.en, partial(_lookup, lex.en), ids),
        feats.token_attribute(lex.de, partial(_lookup, lex.de), ids),
        feats.token_attribute(lex.negators, partial(_member, lex.negators), ids),
        feats.token_attribute(CONTRASTS, partial(_member, CONTRASTS), ids),
        feats.token_attribute(_CLAUSE_END, partial(_member, _CLAUSE_END), ids),
    ]
    if any(part is None for part in found):
        return None
    en, de, negator, contrast, clause_end = (np.asarray(part) for part in found)
    value = np.where(ctx.is_de[row], de, en)
    first = np.searchsorted(row, row, "left")  # each token's row starts here
    last = np.searchsorted(row, row, "right")  # and ends before this
    weight = _clause_weights(row, contrast)
    negated = _negated(negator, clause_end, first, last)
    polar = value != 0.0
    pos = np.where(negated, np.where(value > 0, 0.0, NEGATED * value), np.maximum(value, 0.0))
    neg = np.where(negated, np.where(value > 0, -NEGATED * value, 0.0), np.maximum(-value, 0.0))
    terms_pos = (weight * pos - np.maximum(value, 0.0))[polar]
    terms_neg = (weight * neg - np.maximum(-value, 0.0))[polar]
    at = np.searchsorted(rows, row[polar])
    return _ordered_sum(at, terms_pos, len(rows)), _ordered_sum(at, terms_neg, len(rows))


def _clause_weights(row: np.ndarray, contrast: np.ndarray) -> np.ndarray:
    """Return :func:`_weights` of every token (tokens grouped by row, in order)."""
    index = np.arange(len(row))
    last = np.full(int(row.max(initial=-1)) + 1, -1, dtype=np.int64)
    np.maximum.at(last, row[contrast], index[contrast])
    last_of = last[row]
    return np.where(last_of < 0, 1.0, np.where(index < last_of, BEFORE_CONTRAST, AFTER_CONTRAST))


def _negated(
    negator: np.ndarray, clause_end: np.ndarray, first: np.ndarray, last: np.ndarray
) -> np.ndarray:
    """Return which tokens a negation governs, as :func:`_scope_offsets` places them."""
    out = np.zeros(len(negator), dtype=bool)
    at = np.flatnonzero(negator)
    after = np.ones(len(at), dtype=bool)
    reach_after = np.zeros(len(at), dtype=np.int64)
    for k in range(1, SCOPE + 1):
        after &= at + k < last[at]
        after[after] = ~clause_end[at[after] + k]
        out[at[after] + k] = True
        reach_after += after
    before = reach_after == 0  # nothing after it: the words before it
    for k in range(1, SCOPE + 1):
        before &= at - k >= first[at]
        before[before] = ~clause_end[at[before] - k]
        out[at[before] - k] = True
    return out


def _ordered_sum(at: np.ndarray, terms: np.ndarray, size: int) -> np.ndarray:
    """Return per group the float64 sum of its terms added one by one in order.

    ``at`` is each term's group, ascending; the k-th terms of all groups are added at once.
    """
    total = np.zeros(size, dtype=np.float64)
    rank = np.arange(len(at)) - np.searchsorted(at, at, "left")
    for k in range(int(rank.max(initial=-1)) + 1):
        pick = rank == k
        total[at[pick]] += terms[pick]
    return total
