"""Fold and tokenise text the one way both query evaluators see it.

Folding is lower-casing character by character (as DuckDB's ``lower`` does) followed by the
German spellings ä→ae, ö→oe, ü→ue, ß→ss, so ``Straße``, ``STRASSE`` and ``strasse`` are one
word. A word is a maximal run of letters and digits (``[\\p{L}\\p{N}]`` in RE2 terms; the
underscore separates words). Hashtags and mentions in a text are ``#`` / ``@`` followed by
letters, digits and underscores (a mention may continue with ``.``, ``-`` or ``@`` parts, as in
``@anna@social.example``).

>>> fold("Grüße aus der STRASSE")
'gruesse aus der strasse'
>>> words(fold("E-Bike, 2 Räder!"))
['e', 'bike', '2', 'raeder']
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

#: Characters whose Python lower-casing is not one-to-one (dotted I, context-dependent sigma).
_SPECIAL_LOWER: Final = {0x130: "i", 0x3A3: "σ"}
_GERMAN: Final = (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"))

WORD_RE: Final = re.compile(r"[^\W_]+")
HASHTAG_RE: Final = re.compile(r"#(\w+)")
MENTION_RE: Final = re.compile(r"@(\w+(?:[.@-]\w+)*)")
#: scheme, user info, host, port and the rest of a link; every part optional.
LINK_RE: Final = re.compile(
    r"(?s)^(?:[A-Za-z][A-Za-z0-9+.-]*://)?(?:[^/?#@]*@)?([^/?#:]*)(?::[0-9]*)?(.*)$"
)

#: The same definitions in RE2 syntax, for DuckDB.
RE2_WORD: Final = r"[\p{L}\p{N}]"
RE2_NONWORD: Final = r"[^\p{L}\p{N}]"
RE2_HASHTAG: Final = r"#([\p{L}\p{N}_]+)"
RE2_MENTION: Final = r"@([\p{L}\p{N}_]+(?:[.@-][\p{L}\p{N}_]+)*)"
RE2_LINK: Final = LINK_RE.pattern


def lower(text: str) -> str:
    """Lower-case ``text`` one character at a time (no special casing)."""
    if text.isascii():
        return text.lower()
    if "\u0130" in text or "\u03a3" in text:
        text = text.translate(_SPECIAL_LOWER)
    return text.lower()


def fold(text: str) -> str:
    """Return the canonical case- and umlaut-folded form of ``text``."""
    if text.isascii():
        return text.lower()
    low = lower(text)
    for umlaut, spelled in _GERMAN:
        if umlaut in low:
            low = low.replace(umlaut, spelled)
    return low


def words(folded: str) -> list[str]:
    """Return the words of an (already folded) text in order."""
    return WORD_RE.findall(folded)


def text_hashtags(folded: str) -> list[str]:
    """Return the hashtags written in a folded text, without ``#``."""
    return HASHTAG_RE.findall(folded)


def text_mentions(folded: str) -> list[str]:
    """Return the handles mentioned in a folded text, without ``@``."""
    return MENTION_RE.findall(folded)


def handle_keys(handles: Iterable[str]) -> set[str]:
    """Return the folded handles and their local parts (``anna@x.example`` → also ``anna``)."""
    keys: set[str] = set()
    for handle in handles:
        key = fold(handle.lstrip("@"))
        keys.add(key)
        keys.add(key.split("@", 1)[0])
    return keys


def link_parts(link: str) -> tuple[str, str]:
    """Return the lower-cased host of a link and what follows host and port."""
    match = LINK_RE.match(link)
    if match is None:  # cannot happen: every part of the pattern is optional
        return "", link
    return lower(match.group(1)), match.group(2)


def sql_fold(expr: str) -> str:
    """Return the DuckDB expression that folds the SQL expression ``expr`` like :func:`fold`."""
    out = f"lower({expr})"
    for umlaut, spelled in _GERMAN:
        out = f"replace({out}, '{umlaut}', '{spelled}')"
    return out
