"""Parse listening queries into the typed tree of :mod:`resonanz.query.nodes`.

Grammar (operators are upper-case; ``NOT`` binds tightest, then ``NEAR``, ``AND``, ``OR``)::

    query    := or EOF
    or       := and ("OR" and)*
    and      := unary (["AND"] unary)*          -- adjacent terms are ANDed
    unary    := ("NOT" | "-") unary | near
    near     := primary [NEAR/n[f] primary]     -- operands: words, phrases, (… OR …) of them
    primary  := "(" or ")" | word | "phrase" | #tag | @handle | field:value
"""

from __future__ import annotations

import re
from typing import Final

from resonanz.query.fold import fold, link_parts
from resonanz.query.lexer import Token, syntax_error, tokenize
from resonanz.query.nodes import And, Field, Near, Node, Not, Or, Phrase, Site, Tag

_WORDISH: Final = re.compile(r"(?:[^\W_]|[*?])+")
_HOST_RE: Final = re.compile(r"[\w.-]+")
_STARTS: Final = frozenset({"(", "-", "NOT", "TERM", "PHRASE", "HASHTAG", "MENTION", "FIELD"})
_TERM: Final = "a term or '('"


def parse(query: str) -> Node:
    """Parse ``query``; raise :class:`~resonanz.errors.QuerySyntaxError` when it is not valid.

    >>> parse("Straße OR db")
    Or(children=(Phrase(words=('strasse',), raw=False), Phrase(words=('db',), raw=False)))
    """
    return _Parser(query).parse()


class _Parser:
    def __init__(self, query: str) -> None:
        self.query = query
        self.tokens = tokenize(query)
        self.index = 0

    @property
    def peek(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind != "EOF":
            self.index += 1
        return token

    def fail(self, token: Token, expected: str, reason: str = "") -> Exception:
        return syntax_error(self.query, token.pos, expected, reason)

    def parse(self) -> Node:
        if self.peek.kind == "EOF":
            raise self.fail(self.peek, _TERM, "empty query")
        node = self.parse_or()
        token = self.peek
        if token.kind == ")":
            raise self.fail(token, "an operator or the end of the query", "unbalanced ')'")
        if token.kind != "EOF":  # pragma: no cover - every other token continues an AND
            raise self.fail(token, "the end of the query")
        return node

    def parse_or(self) -> Node:
        children = [self.parse_and()]
        while self.peek.kind == "OR":
            self.advance()
            children.append(self.parse_and())
        return children[0] if len(children) == 1 else Or(tuple(children))

    def parse_and(self) -> Node:
        children = [self.parse_unary()]
        while True:
            if self.peek.kind == "AND":
                self.advance()
            elif self.peek.kind not in _STARTS:
                break
            children.append(self.parse_unary())
        return children[0] if len(children) == 1 else And(tuple(children))

    def parse_unary(self) -> Node:
        if self.peek.kind in ("NOT", "-"):
            self.advance()
            return Not(self.parse_unary())
        return self.parse_near()

    def parse_near(self) -> Node:
        left_token = self.peek
        left = self.parse_primary()
        if self.peek.kind != "NEAR":
            return left
        near = self.advance()
        lhs = self.near_operand(left, left_token, "before")
        right_token = self.peek
        rhs = self.near_operand(self.parse_primary(), right_token, "after")
        if self.peek.kind == "NEAR":
            raise self.fail(
                self.peek,
                "AND, OR or ')'; write (a NEAR/3 b) AND (b NEAR/3 c)",
                "NEAR cannot be chained",
            )
        return Near(lhs, rhs, near.distance, near.ordered)

    def near_operand(self, node: Node, token: Token, side: str) -> tuple[Phrase, ...]:
        parts = node.children if isinstance(node, Or) else (node,)
        phrases = tuple(p for p in parts if isinstance(p, Phrase) and not p.raw)
        if len(phrases) != len(parts):
            raise self.fail(token, f"a word, a phrase or a (… OR …) group of them {side} NEAR")
        return phrases

    def parse_primary(self) -> Node:
        token = self.advance()
        kind = token.kind
        if kind == "(":
            node = self.parse_or()
            if self.peek.kind != ")":
                raise self.fail(self.peek, "')'", f"unbalanced '(' at position {token.pos}")
            self.advance()
            return node
        if kind == "TERM":
            return self.phrase(token, "a term with letters or digits")
        if kind == "PHRASE":
            return self.phrase(token, "words inside the quotes")
        if kind in ("HASHTAG", "MENTION"):
            self.check_words(token.text, token.value_pos, tag=True)
            return Tag("hashtag" if kind == "HASHTAG" else "mention", fold(token.text))
        if kind == "FIELD":
            return self.field(token)
        if kind == "NEAR":
            raise self.fail(token, "a word or phrase before NEAR")
        raise self.fail(token, _TERM)

    def phrase(self, token: Token, expected: str, *, raw: bool = False) -> Phrase:
        found = []
        for match in _WORDISH.finditer(token.text):
            word = match.group(0)
            self.check_words(word, token.value_pos + match.start())
            found.append(word if raw else fold(word))
        if not found:
            raise syntax_error(self.query, token.value_pos, expected)
        return Phrase(tuple(found), raw=raw)

    def check_words(self, word: str, pos: int, *, tag: bool = False) -> None:
        star = word.find("*")
        if not tag and 0 <= star < len(word) - 1:
            raise syntax_error(self.query, pos + star, "'*' only at the end of a word")
        if not word.strip("*?"):
            raise syntax_error(self.query, pos, "a letter or digit besides the wildcards")

    def field(self, token: Token) -> Node:
        name, value = token.field, token.text
        if name == "raw":
            return self.phrase(token, "a word or phrase after 'raw:'", raw=True)
        if name in ("site", "url"):
            host, path = link_parts(value.strip())
            if not _HOST_RE.fullmatch(host):
                raise syntax_error(
                    self.query, token.value_pos, f"a domain such as example.com after '{name}:'"
                )
            return Site(host, "" if path == "/" else path)
        self.check_words(value, token.value_pos, tag=True)
        if name == "author":
            return Field("author", fold(value.lstrip("@")))
        return Field("lang" if name == "lang" else "platform", fold(value))
