"""The typed syntax tree of a listening query.

Every string in a node is already in the form it is compared in: folded (see
:mod:`resonanz.query.fold`) except in raw phrases, paths and site hosts (lower-cased only).
Patterns may hold the wildcards ``*`` (any run of characters) and ``?`` (one character).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

TagKind = Literal["hashtag", "mention"]
FieldName = Literal["author", "lang", "platform"]


@dataclass(frozen=True)
class Phrase:
    """Consecutive words of the text; one word is a one-word phrase.

    ``raw`` phrases compare the unfolded text, case-sensitively.
    """

    words: tuple[str, ...]
    raw: bool = False


@dataclass(frozen=True)
class Tag:
    """A hashtag or mention, from the post's lists or written in its text."""

    kind: TagKind
    pattern: str


@dataclass(frozen=True)
class Field:
    """The post's author handle, language or platform matches ``pattern`` as a whole."""

    name: FieldName
    pattern: str


@dataclass(frozen=True)
class Site:
    """One of the post's links points to ``host`` or a subdomain (and starts with ``path``)."""

    host: str
    path: str = ""


@dataclass(frozen=True)
class Near:
    """A phrase of ``left`` and one of ``right`` with at most ``distance`` words between.

    ``ordered`` requires the left phrase to come first.
    """

    left: tuple[Phrase, ...]
    right: tuple[Phrase, ...]
    distance: int
    ordered: bool = False


@dataclass(frozen=True)
class Not:
    """The child does not match."""

    child: Node


@dataclass(frozen=True)
class And:
    """Every child matches."""

    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    """At least one child matches."""

    children: tuple[Node, ...]


Node = Phrase | Tag | Field | Site | Near | Not | And | Or


def render(node: Node) -> str:
    """Write ``node`` back as query text that parses to the same tree.

    >>> render(And((Phrase(("deutsche", "bahn")), Not(Tag("hashtag", "werbung")))))
    '("deutsche bahn" -#werbung)'
    """
    if isinstance(node, Phrase):
        text = _quote(node.words)
        return f"raw:{text}" if node.raw else text
    if isinstance(node, Tag):
        return ("#" if node.kind == "hashtag" else "@") + node.pattern
    if isinstance(node, Field):
        value = node.pattern
        return f'{node.name}:"{value}"' if set(value) & set(' ()"') else f"{node.name}:{value}"
    if isinstance(node, Site):
        return f"site:{node.host}{node.path}"
    if isinstance(node, Near):
        suffix = "f" if node.ordered else ""
        near = f"NEAR/{node.distance}{suffix}"
        return f"{_alternatives(node.left)} {near} {_alternatives(node.right)}"
    if isinstance(node, Not):
        return f"-{_group(node.child)}"
    if isinstance(node, And):
        return "(" + " ".join(render(c) for c in node.children) + ")"
    return "(" + " OR ".join(render(c) for c in node.children) + ")"


def _quote(words: tuple[str, ...]) -> str:
    return words[0] if len(words) == 1 else '"' + " ".join(words) + '"'


def _alternatives(phrases: tuple[Phrase, ...]) -> str:
    if len(phrases) == 1:
        return _quote(phrases[0].words)
    return "(" + " OR ".join(_quote(p.words) for p in phrases) + ")"


def _group(node: Node) -> str:
    text = render(node)
    return f"({text})" if isinstance(node, Near) else text
