"""Split a listening query into tokens, and build the syntax errors both stages raise."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from resonanz.errors import QuerySyntaxError

OPERATORS: Final = frozenset({"AND", "OR", "NOT"})
FIELDS: Final = ("author", "lang", "platform", "site", "url", "raw")
MAX_NEAR: Final = 100

_NEAR_RE: Final = re.compile(r"NEAR/(\d+)(f?)")
_FIELD_RE: Final = re.compile(r"([A-Za-z]+):(.*)", re.DOTALL)
_HASHTAG_RE: Final = re.compile(r"[\w*?]+")
_MENTION_RE: Final = re.compile(r"[\w*?]+(?:[.@-][\w*?]+)*")
_RUN_END: Final = frozenset('()"')


@dataclass(frozen=True)
class Token:
    """One token: ``kind`` is ``(``, ``)``, ``-``, AND, OR, NOT, NEAR, TERM, PHRASE, HASHTAG,
    MENTION, FIELD or EOF; ``text`` the value (a phrase's inside, a field's value)."""

    kind: str
    pos: int
    text: str = ""
    field: str = ""  # FIELD: the field name, lower-cased
    distance: int = 0  # NEAR: the number of words
    ordered: bool = False  # NEAR/nf
    value_pos: int = 0  # where ``text`` starts in the query


def syntax_error(query: str, pos: int, expected: str, reason: str = "") -> QuerySyntaxError:
    """Build the error for ``query`` at ``pos``: what was expected, after which text."""
    before = query[:pos].rstrip()
    if not before:
        where = "at the start"
    else:
        tail = before if len(before) <= 30 else "…" + before[-30:]
        where = f'after "{tail}"'
    prefix = f"{reason}: " if reason else ""
    message = f"{prefix}expected {expected} at position {pos} ({where})"
    return QuerySyntaxError(message, query, pos, expected)


def tokenize(query: str) -> list[Token]:
    """Return the tokens of ``query``, ending with an EOF token."""
    tokens: list[Token] = []
    i, n = 0, len(query)
    while True:
        while i < n and query[i].isspace():
            i += 1
        if i >= n:
            tokens.append(Token("EOF", n))
            return tokens
        char = query[i]
        if char in "()":
            tokens.append(Token(char, i))
            i += 1
        elif char == '"':
            text, end = _quoted(query, i)
            tokens.append(Token("PHRASE", i, text, value_pos=i + 1))
            i = end
        elif char == "-":
            following = query[i + 1 : i + 2]
            if not following or following.isspace() or following == ")":
                raise syntax_error(
                    query, i + 1, "a term, phrase or '(' directly after '-'", "dangling '-'"
                )
            tokens.append(Token("-", i))
            i += 1
        else:
            token, i = _run(query, i)
            tokens.append(token)


def _quoted(query: str, start: int) -> tuple[str, int]:
    """Return the inside of the quoted phrase opening at ``start`` and the index after it."""
    end = query.find('"', start + 1)
    if end < 0:
        raise syntax_error(query, len(query), "'\"'", f"unterminated quote at position {start}")
    return query[start + 1 : end], end + 1


def _run(query: str, start: int) -> tuple[Token, int]:
    """Read a bare word, operator, hashtag, mention or field starting at ``start``."""
    end = start
    while end < len(query) and not query[end].isspace() and query[end] not in _RUN_END:
        end += 1
    run = query[start:end]
    if run in OPERATORS:
        return Token(run, start), end
    if run == "NEAR" or run.startswith("NEAR/"):
        return _near(query, run, start), end
    if run[0] in "#@":
        return _tag(query, run, start), end
    field = _FIELD_RE.fullmatch(run)
    if field is not None:
        return _field(query, field, start, end)
    return Token("TERM", start, run, value_pos=start), end


def _near(query: str, run: str, start: int) -> Token:
    match = _NEAR_RE.fullmatch(run)
    if match is None:
        raise syntax_error(
            query, start, "NEAR/n or NEAR/nf with a whole number n, such as NEAR/3", "bad NEAR"
        )
    distance = int(match.group(1))
    if distance > MAX_NEAR:
        raise syntax_error(query, start, f"a NEAR distance of at most {MAX_NEAR} words")
    return Token("NEAR", start, run, distance=distance, ordered=bool(match.group(2)))


def _tag(query: str, run: str, start: int) -> Token:
    hashtag = run[0] == "#"
    pattern = _HASHTAG_RE if hashtag else _MENTION_RE
    if not pattern.fullmatch(run[1:]):
        what = "a hashtag name after '#'" if hashtag else "a handle after '@'"
        raise syntax_error(query, start + 1, what)
    return Token("HASHTAG" if hashtag else "MENTION", start, run[1:], value_pos=start + 1)


def _field(query: str, match: re.Match[str], start: int, end: int) -> tuple[Token, int]:
    name, value = match.group(1).lower(), match.group(2)
    if name not in FIELDS:
        known = ", ".join(f"{f}:" for f in FIELDS)
        raise syntax_error(query, start, f"one of {known}", f"unknown field '{match.group(1)}:'")
    value_pos = start + len(name) + 1
    if not value and query[end : end + 1] == '"':
        value, end = _quoted(query, end)
        value_pos += 1
    if not value.strip():
        raise syntax_error(query, value_pos, f"a value after '{name}:'")
    return Token("FIELD", start, value, field=name, value_pos=value_pos), end
