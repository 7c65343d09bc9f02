"""Translate wildcard patterns (``*`` any run, ``?`` one character) into regular expressions.

The same translation serves Python's ``re`` and DuckDB's RE2: only ASCII punctuation is
escaped, which both engines read as the literal character.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from resonanz.query.fold import RE2_NONWORD, RE2_WORD

WILDCARDS: Final = frozenset("*?")
_PUNCT: Final = frozenset(string.punctuation)
_LITERAL_RUN: Final = re.compile(r"[^*?]+")


def has_wildcard(pattern: str) -> bool:
    """True when ``pattern`` holds ``*`` or ``?``."""
    return "*" in pattern or "?" in pattern


def literal_prefix(pattern: str) -> str:
    """Return the characters of ``pattern`` before its first wildcard."""
    for index, char in enumerate(pattern):
        if char in WILDCARDS:
            return pattern[:index]
    return pattern


def longest_literal(pattern: str) -> str:
    """Return the longest run of ``pattern`` without wildcards ('' when there is none)."""
    return max(_LITERAL_RUN.findall(pattern), key=len, default="")


def _translate(pattern: str, one: str, many: str) -> str:
    out: list[str] = []
    for char in pattern:
        if char == "*":
            out.append(many)
        elif char == "?":
            out.append(one)
        elif char in _PUNCT:
            out.append("\\" + char)
        else:
            out.append(char)
    return "".join(out)


def full_regex(pattern: str) -> str:
    """Return a regex matching a whole value against ``pattern`` (both engines, dot-all)."""
    return "(?s)" + _translate(pattern, ".", ".*")


@lru_cache(maxsize=4096)
def compiled_full(pattern: str) -> re.Pattern[str]:
    """Return :func:`full_regex` compiled for Python (use ``fullmatch``)."""
    return re.compile(full_regex(pattern))


@dataclass(frozen=True)
class Flavor:
    """How one regex engine spells a word character, a non-word character and word edges."""

    word: str
    nonword: str
    start: str
    end: str


#: DuckDB's RE2 has no look-around: the edges consume a character (fine for "is there a match").
RE2: Final = Flavor(RE2_WORD, RE2_NONWORD, f"(?:^|{RE2_NONWORD})", f"(?:{RE2_NONWORD}|$)")
PYTHON: Final = Flavor(r"[^\W_]", r"[\W_]", r"(?<![^\W_])", r"(?![^\W_])")


def word_regex(word: str, flavor: Flavor = RE2) -> str:
    """Return the fragment matching one word of text against ``word``."""
    return _translate(word, flavor.word, flavor.word + "*")


def phrase_regex(words: tuple[str, ...], flavor: Flavor = RE2) -> str:
    """Return the fragment matching consecutive words (no outer edges)."""
    return (flavor.nonword + "+").join(word_regex(w, flavor) for w in words)


def bounded(fragment: str, flavor: Flavor = RE2) -> str:
    """Wrap a word-level fragment so that it only matches whole words."""
    return f"{flavor.start}(?:{fragment}){flavor.end}"


def near_regex(
    left: list[tuple[str, ...]],
    right: list[tuple[str, ...]],
    distance: int,
    *,
    ordered: bool,
    flavor: Flavor = RE2,
) -> str:
    """Return the pattern for a left and a right phrase with ≤ ``distance`` words between."""
    lhs = "|".join(phrase_regex(p, flavor) for p in left)
    rhs = "|".join(phrase_regex(p, flavor) for p in right)
    gap = f"(?:{flavor.nonword}+{flavor.word}+){{0,{distance}}}{flavor.nonword}+"
    forward = f"(?:{lhs}){gap}(?:{rhs})"
    if ordered:
        return bounded(forward, flavor)
    return bounded(f"{forward}|(?:{rhs}){gap}(?:{lhs})", flavor)
