"""Evaluate query trees on one post in Python: the stream side of the two evaluators.

:func:`predicate` turns a tree into a function of a :class:`Doc`. Its semantics are those of
:mod:`resonanz.query.sql`; the property tests check that both agree.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from resonanz.query.fold import fold, handle_keys, link_parts, text_hashtags, text_mentions, words
from resonanz.query.nodes import And, Field, Near, Node, Not, Or, Phrase, Site, Tag
from resonanz.query.patterns import (
    PYTHON,
    bounded,
    compiled_full,
    has_wildcard,
    near_regex,
    phrase_regex,
)

Predicate = Callable[["Doc"], bool]


class Doc:
    """One post as the evaluator sees it; derived views are built on first use."""

    __slots__ = (
        "_fields",
        "_handles",
        "_hosts",
        "_raw",
        "_raw_set",
        "_tags",
        "_token_set",
        "_tokens",
        "author",
        "folded",
        "hashtags",
        "lang",
        "links",
        "mentions",
        "platform",
        "text",
    )

    def __init__(
        self,
        text: str,
        *,
        folded: str | None = None,
        platform: str | None = None,
        author: str | None = None,
        lang: str | None = None,
        hashtags: Sequence[str] | None = None,
        mentions: Sequence[str] | None = None,
        links: Sequence[str] | None = None,
    ) -> None:
        self.text = text
        self.folded = fold(text) if folded is None else folded
        self.platform, self.author, self.lang = platform, author, lang
        self.hashtags, self.mentions, self.links = hashtags or (), mentions or (), links or ()
        self._tokens: list[str] | None = None
        self._token_set: set[str] | None = None
        self._raw: list[str] | None = None
        self._raw_set: set[str] | None = None
        self._tags: set[str] | None = None
        self._handles: set[str] | None = None
        self._hosts: list[tuple[str, str]] | None = None
        self._fields: dict[str, set[str]] | None = None

    def tokens(self) -> list[str]:
        """The folded words of the text, in order."""
        if self._tokens is None:
            self._tokens = words(self.folded)
        return self._tokens

    def token_set(self) -> set[str]:
        """The folded words of the text."""
        if self._token_set is None:
            self._token_set = set(self.tokens())
        return self._token_set

    def raw_tokens(self) -> list[str]:
        """The unfolded words of the text, in order."""
        if self._raw is None:
            self._raw = words(self.text)
        return self._raw

    def raw_set(self) -> set[str]:
        """The unfolded words of the text."""
        if self._raw_set is None:
            self._raw_set = set(self.raw_tokens())
        return self._raw_set

    def tags(self) -> set[str]:
        """Folded hashtags from the post's list and its text."""
        if self._tags is None:
            tags = {fold(tag.lstrip("#")) for tag in self.hashtags}
            tags.update(text_hashtags(self.folded))
            self._tags = tags
        return self._tags

    def handles(self) -> set[str]:
        """Folded mentioned handles (and their local parts) from the post's list and text."""
        if self._handles is None:
            self._handles = handle_keys([*self.mentions, *text_mentions(self.folded)])
        return self._handles

    def hosts(self) -> list[tuple[str, str]]:
        """(host, rest) of every link."""
        if self._hosts is None:
            self._hosts = [link_parts(link) for link in self.links]
        return self._hosts

    def field(self, name: str) -> set[str]:
        """The values a field operator compares with."""
        if self._fields is None:
            self._fields = {
                "author": field_values("author", self.author),
                "lang": field_values("lang", self.lang),
                "platform": field_values("platform", self.platform),
            }
        return self._fields[name]


def field_values(name: str, value: str | None) -> set[str]:
    """Return the values a field operator on ``name`` compares with, for one column value."""
    if value is None:
        return set()
    if name == "author":
        return handle_keys([value])
    folded = fold(value)
    return {folded, folded.split("-", 1)[0]} if name == "lang" else {folded}


def predicate(node: Node) -> Predicate:
    """Return a function telling whether a :class:`Doc` matches ``node``."""
    if isinstance(node, And):
        parts = [predicate(c) for c in node.children]
        return lambda doc: all(part(doc) for part in parts)
    if isinstance(node, Or):
        parts = [predicate(c) for c in node.children]
        return lambda doc: any(part(doc) for part in parts)
    if isinstance(node, Not):
        inner = predicate(node.child)
        return lambda doc: not inner(doc)
    if isinstance(node, Phrase):
        return _phrase(node)
    if isinstance(node, Near):
        return _near(node)
    if isinstance(node, Tag):
        return _in_set(node.pattern, Doc.tags if node.kind == "hashtag" else Doc.handles)
    if isinstance(node, Field):
        name = node.name
        return _in_set(node.pattern, lambda doc: doc.field(name))
    return _site(node)


def _in_set(pattern: str, values: Callable[[Doc], set[str]]) -> Predicate:
    test = set_test(pattern)
    return lambda doc: test(values(doc))


def set_test(pattern: str) -> Callable[[set[str]], bool]:
    """Return a function telling whether one of a set's values matches ``pattern`` whole."""
    if not has_wildcard(pattern):
        return lambda values: pattern in values
    regex = compiled_full(pattern)
    return lambda values: any(regex.fullmatch(value) for value in values)


def _site(node: Site) -> Predicate:
    host, dotted, path = node.host, "." + node.host, node.path

    def test(doc: Doc) -> bool:
        return any(
            (h == host or h.endswith(dotted)) and rest.startswith(path) for h, rest in doc.hosts()
        )

    return test


def _phrase(node: Phrase) -> Predicate:
    if len(node.words) == 1 and not has_wildcard(node.words[0]):
        word = node.words[0]
        if node.raw:
            return lambda doc: word in doc.raw_set()
        return lambda doc: word in doc.token_set()
    search = re.compile(bounded(phrase_regex(node.words, PYTHON), PYTHON)).search
    if node.raw:
        return lambda doc: search(doc.text) is not None
    return lambda doc: search(doc.folded) is not None


def _near(node: Near) -> Predicate:
    left = [p.words for p in node.left]
    right = [p.words for p in node.right]
    pattern = near_regex(left, right, node.distance, ordered=node.ordered, flavor=PYTHON)
    search = re.compile(pattern).search
    return lambda doc: search(doc.folded) is not None
