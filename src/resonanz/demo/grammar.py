"""Expand phrase grammars: named slots of alternatives that refer to other slots.

A grammar file has ``= name`` headers, each followed by one alternative per line. In an
alternative, ``{slot}`` expands a random alternative of ``slot`` (or, when there is no such
slot, the context variable of that name), ``{?slot}`` does so half of the time, ``{@}``
inside a slot name is the post's aspect and ``~`` alone is the empty alternative. Lines
starting with ``#`` are comments.

>>> g = Grammar.parse("= hi\\nhallo {who}\\n= who\\nWelt")
>>> g.expand("hi", random.Random(1), {})
'hallo Welt'
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

_SLOT = re.compile(r"\{(\??)([A-Za-z_@0-9]+)\}")
_MAX_DEPTH = 12


@dataclass(frozen=True)
class Grammar:
    """Named slots, each a tuple of alternatives."""

    slots: Mapping[str, tuple[str, ...]]

    @classmethod
    def parse(cls, text: str) -> Grammar:
        """Read the ``= name`` / alternatives format."""
        slots: dict[str, list[str]] = {}
        current: list[str] | None = None
        for raw in text.splitlines():
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("= "):
                current = slots.setdefault(line[2:].strip(), [])
            elif current is None:
                raise ValueError(f"alternative before the first '= name' header: {line!r}")
            else:
                current.append("" if line == "~" else line)
        return cls({name: tuple(alts) for name, alts in slots.items()})

    def has(self, name: str) -> bool:
        """Return True when ``name`` is a slot of this grammar."""
        return name in self.slots

    def expand(
        self,
        name: str,
        rng: random.Random,
        context: Mapping[str, str],
        aspect: str = "",
        used: list[str] | None = None,
    ) -> str:
        """Expand slot ``name`` with ``rng``; names that are no slot come from ``context``.

        Every aspect slot (a name with ``@``) that was expanded is appended to ``used``.
        """
        return self._expand(name, rng, context, aspect, 0, used)

    def _expand(
        self,
        name: str,
        rng: random.Random,
        context: Mapping[str, str],
        aspect: str,
        depth: int,
        used: list[str] | None,
    ) -> str:
        if "@" in name:
            name = name.replace("@", aspect)
            if used is not None:
                used.append(name)
        alternatives = self.slots.get(name)
        if alternatives is None:
            # Context variables may be computed on first use (a mapping with __getitem__).
            return context[name]
        if depth > _MAX_DEPTH:
            raise RecursionError(f"phrase slot {name!r} nests too deeply")
        template = alternatives[int(rng.random() * len(alternatives))]

        def fill(match: re.Match[str]) -> str:
            optional, slot = match.group(1), match.group(2)
            if optional and rng.random() < 0.5:
                return ""
            return self._expand(slot, rng, context, aspect, depth + 1, used)

        return _SLOT.sub(fill, template)


@cache
def load(lang: str) -> Grammar:
    """Load the shipped phrase grammar of ``lang`` (``de`` or ``en``)."""
    text = resources.files("resonanz.demo").joinpath(f"phrases/{lang}.txt").read_text("utf-8")
    return Grammar.parse(text)
