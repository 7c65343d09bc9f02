"""SQL for the text leaves of a query: phrases and NEAR, each behind a cheap substring guard.

A guard is ``contains(lower(p.text), piece)`` for a piece of a query word that is in the
lower-cased text whenever it is in the folded one, so DuckDB runs the regular expression
(or, for NEAR, the word-list walk) only on the few posts that can match.
"""

from __future__ import annotations

from typing import Final

from resonanz.query.fold import RE2_WORD, sql_fold
from resonanz.query.nodes import Near, Phrase
from resonanz.query.patterns import bounded, full_regex, has_wildcard, longest_literal, phrase_regex

FOLDED_TEXT: Final = sql_fold("p.text")
_PAIRS: Final = ("ae", "oe", "ue", "ss")
_MIN_GUARD: Final = 2


def lower_safe(piece: str) -> bool:
    """True when ``piece`` is in a folded text exactly when it is in the lower-cased text.

    Folding only writes ä, ö, ü, ß as ae, oe, ue, ss; a piece that holds none of these pairs
    and cannot start or end inside one is unaffected.
    """
    return not (
        any(pair in piece for pair in _PAIRS)
        or piece[:1] in ("e", "s")
        or piece[-1:] in ("a", "o", "u", "s")
    )


def guard_piece(words: tuple[str, ...], *, raw: bool) -> str:
    """Return the longest usable guard piece of a phrase's literals ('' when none)."""
    best = ""
    for word in words:
        literal = longest_literal(word)
        if raw:
            best = max(best, literal, key=len)
            continue
        for start in range(len(literal)):
            for end in range(len(literal), start + len(best), -1):
                if lower_safe(literal[start:end]):
                    best = literal[start:end]
                    break
    return best if len(best) >= _MIN_GUARD else ""


def _guard(phrases: tuple[Phrase, ...], params: list[object]) -> str:
    """Return a condition true for every post one of ``phrases`` can match ('' for none)."""
    pieces = [guard_piece(p.words, raw=p.raw) for p in phrases]
    if not all(pieces):
        return ""
    tests = []
    for phrase, piece in zip(phrases, pieces, strict=True):
        params.append(piece)
        tests.append("contains(p.text, ?)" if phrase.raw else "contains(lower(p.text), ?)")
    return tests[0] if len(tests) == 1 else "(" + " OR ".join(tests) + ")"


def phrase_sql(node: Phrase, params: list[object]) -> str:
    """Return the condition that the post's text holds the phrase."""
    guard = _guard((node,), params)
    params.append(bounded(phrase_regex(node.words)))
    test = f"regexp_matches({'p.text' if node.raw else FOLDED_TEXT}, ?)"
    # CASE runs the test only where the guard holds, also under NOT (AND would not)
    return f"CASE WHEN {guard} THEN {test} ELSE false END" if guard else test


def near_sql(node: Near, params: list[object]) -> str:
    """Return the condition that the two sides occur within the distance (word lists)."""
    guards = [g for g in (_guard(node.left, params), _guard(node.right, params)) if g]
    params.append(RE2_WORD + "+")
    left = _spans(node.left, params)
    right = _spans(node.right, params)
    gap = node.distance
    close = f"(a[2] <= b[1] AND b[1] - a[2] <= {gap:d})"
    if not node.ordered:
        close = f"({close} OR (b[2] <= a[1] AND a[1] - b[2] <= {gap:d}))"
    inner = f"list_bool_or(list_transform({right}, lambda b: {close}))"
    pairs = f"list_transform({left}, lambda a: {inner})"
    words = f"regexp_extract_all({FOLDED_TEXT}, ?)"
    walk = f"list_transform([{words}], lambda w: coalesce(list_bool_or({pairs}), false))[1]"
    if not guards:
        return walk
    return f"CASE WHEN {' AND '.join(guards)} THEN {walk} ELSE false END"


def _spans(phrases: tuple[Phrase, ...], params: list[object]) -> str:
    """Return a list expression of [start, end) word spans of ``phrases`` in word list ``w``."""
    parts = []
    for phrase in phrases:
        size = len(phrase.words)
        tests = []
        for offset, word in enumerate(phrase.words):
            if has_wildcard(word):
                params.append(full_regex(word))
                tests.append(f"regexp_full_match(w[i + {offset:d}], ?)")
            else:
                params.append(word)
                tests.append(f"w[i + {offset:d}] = ?")
        starts = (
            f"list_filter(range(1, len(w) - {size - 1:d} + 1), lambda i: {' AND '.join(tests)})"
        )
        parts.append(f"list_transform({starts}, lambda i: [i, i + {size:d}])")
    return parts[0] if len(parts) == 1 else "flatten([" + ", ".join(parts) + "])"
