"""Product aspects a post talks about (price, quality, delivery …) and the polarity of each."""

from __future__ import annotations

import hashlib
import json
import re
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from itertools import repeat

import numpy as np
import pyarrow as pa

from resonanz.enrich.context import BatchContext
from resonanz.enrich.cues import CueMatcher
from resonanz.enrich.heads import LinearHead
from resonanz.records import ASPECT_TYPE

_TOKEN = re.compile(r"\w+")
# One \b group instead of one per word: the same matches, several times faster to scan.
_CLAUSE = re.compile(r"[.!?;,]|\b(?:aber|but|jedoch|however)\b")
_MARKS = ".!?;,"
_CLAUSE_WORDS = ("aber", "but", "jedoch", "however")
_MARK = re.compile(r"[.!?;,]")
#: Every ASCII byte outside ``\w`` becomes a space: ``split`` then yields the ``\w+`` runs.
_SYMBOLS_TO_SPACE = bytes(c if c > 127 or _TOKEN.match(chr(c)) else 32 for c in range(256))
#: Characters around a cue whose words decide the aspect's own polarity.
WINDOW_BEFORE, WINDOW_AFTER = 60, 80
LOCAL_THRESHOLD = 0.3
Aspect = dict[str, str]


def default_taxonomy() -> dict[str, list[str]]:
    """Return the shipped taxonomy ``category -> cues`` (German and English)."""
    from importlib import resources

    text = resources.files("resonanz.enrich.models").joinpath("aspects_default.tsv")
    out: dict[str, list[str]] = {}
    for line in text.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            category, _, cue = line.partition("\t")
            out.setdefault(category.strip(), []).append(cue.strip())
    return out


def merge_taxonomy(
    own: Mapping[str, Sequence[str]], topic_aspects: Sequence[str] = ()
) -> dict[str, list[str]]:
    """Add a workspace's own categories/cues and topic aspect names to the default taxonomy.

    A cue the workspace lists for one of its categories belongs to that category only: it is
    taken away from the default category that also had it, so one word is never counted twice.
    """
    merged = default_taxonomy()
    owner = {_stem(cue): category for category, cues in own.items() for cue in cues}
    for category in list(merged):
        if category in own:
            continue
        kept = []
        for cue in merged[category]:
            if _stem(cue) in owner:
                # the default's wildcard form (akku*) follows the cue to its new category
                own_cues = list(own[owner[_stem(cue)]])
                own = {**own, owner[_stem(cue)]: [*own_cues, cue]}
            else:
                kept.append(cue)
        merged[category] = kept
    for category, cues in own.items():
        merged.setdefault(category, [])
        merged[category] += [c for c in cues if c not in merged[category]]
    for category in topic_aspects:
        # A topic may name a category nobody defined: its name is then its only cue.
        merged.setdefault(category, [category.replace("_", " ")])
    return merged


def _stem(cue: str) -> str:
    return cue.lower().rstrip("*")


def local_polarity(
    text: str, start: int, lexicon: Mapping[str, float], negators: frozenset[str]
) -> float:
    """Sum the polarity of words in the cue's clause, flipping the two words after a negation."""
    before = text[max(0, start - WINDOW_BEFORE) : start]
    after = text[start : start + WINDOW_AFTER]
    stop = _CLAUSE.search(after)
    cut = _CLAUSE.split(before)[-1] + (after[: stop.start()] if stop else after)
    return _score(_TOKEN.findall(cut), lexicon, negators)


def _score(words: list[str], lexicon: Mapping[str, float], negators: frozenset[str]) -> float:
    if negators.isdisjoint(words):  # the usual case: a plain sum, in the same order
        return sum(map(lexicon.get, words, repeat(0.0)), 0.0)
    total, flip = 0.0, 0
    for word in words:
        if word in negators:
            flip = 2
            continue
        value = lexicon.get(word, 0.0)
        if flip:
            total -= value
            flip -= 1
        else:
            total += value
    return total


class ClauseScorer:
    """:func:`local_polarity` of every cue in one text, with the text scanned once.

    Where the cue's window holds no clause word, the clause ends at the nearest punctuation
    mark (the text's marks are found once), and where the text holds only word characters,
    whitespace and ASCII symbols, the clause's words are the runs ``str.split`` leaves once
    the symbols are spaces. Any other window takes the regex definition: the result is the same.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        # byte-wise, so the cheap table translation applies and every position is kept
        raw = text.encode("utf-8", "surrogatepass").translate(_SYMBOLS_TO_SPACE)
        self.spaced = raw.decode("utf-8", "surrogatepass")
        self.word_runs = self.spaced.replace(" ", "").replace("_", "").isalnum()
        self.marks = [mark.start() for mark in _MARK.finditer(text)]
        self.plain = not any(word in text for word in _CLAUSE_WORDS)

    def polarity(self, start: int, lexicon: Mapping[str, float], negators: frozenset[str]) -> float:
        """Return ``local_polarity(text, start, lexicon, negators)``."""
        low, high = max(0, start - WINDOW_BEFORE), start + WINDOW_AFTER
        if not self.plain and any(word in self.text[low:high] for word in _CLAUSE_WORDS):
            return local_polarity(self.text, start, lexicon, negators)
        marks = self.marks
        k = bisect_left(marks, start)
        first = marks[k - 1] + 1 if k and marks[k - 1] >= low else low
        stop = marks[k] if k < len(marks) and marks[k] < high else high
        window = self.spaced[first:stop]
        if not self.word_runs and not window.replace(" ", "").replace("_", "").isalnum():
            return local_polarity(self.text, start, lexicon, negators)
        return _score(window.split(), lexicon, negators)


class AspectEnricher:
    """Find aspect cues of the taxonomy, or use an adapted multi-label head."""

    name = "aspects"
    produces = ("aspects",)

    def __init__(self, taxonomy: Mapping[str, Sequence[str]], adapted: LinearHead | None = None):
        self.matcher = CueMatcher(taxonomy)
        self.adapted = adapted
        digest = hashlib.sha256(json.dumps(taxonomy, sort_keys=True).encode()).hexdigest()[:8]
        self.version = f"1+{adapted.version if adapted else digest}"

    def _from_cues(self, ctx: BatchContext) -> list[list[Aspect]]:
        sentiments = ctx.results.get("sentiment")
        lex = ctx.lexicons
        out: list[list[Aspect]] = []
        for i, text in enumerate(ctx.features.texts):
            found: dict[str, str] = {}
            scorer: ClauseScorer | None = None
            for category, start in self.matcher.find(text):
                if category in found:
                    continue
                scorer = scorer or ClauseScorer(text)
                score = scorer.polarity(start, lex.polarity(ctx.lang[i]), lex.negators)
                if abs(score) >= LOCAL_THRESHOLD:
                    found[category] = "positive" if score > 0 else "negative"
                else:
                    found[category] = str(sentiments[i]) if sentiments is not None else "neutral"
            out.append([{"category": c, "polarity": p} for c, p in found.items()])
        return out

    def _from_head(self, ctx: BatchContext, head: LinearHead) -> list[list[Aspect]]:
        proba = head.proba(ctx.features, ctx.dense)
        limit = head.thresholds if head.thresholds is not None else np.full(len(head.labels), 0.5)
        out: list[list[Aspect]] = []
        for row in proba:
            chosen = np.flatnonzero(row >= limit)
            if chosen.size == 0 and row.max() >= float(head.meta.get("fallback", 0.25)):
                chosen = np.array([int(row.argmax())])
            best: dict[str, tuple[float, str]] = {}
            for j in chosen[np.argsort(-row[chosen])]:
                category, _, polarity = head.labels[j].rpartition(":")
                best.setdefault(category, (float(row[j]), polarity))
            out.append([{"category": c, "polarity": p} for c, (_, p) in best.items()])
        return out

    def apply(self, ctx: BatchContext) -> dict[str, pa.Array]:
        """Return the ``aspects`` column and remember it in ``ctx``."""
        if self.adapted is not None:
            aspects = self._from_head(ctx, self.adapted)
        else:
            aspects = self._from_cues(ctx)
        ctx.results["aspects"] = aspects
        return {"aspects": pa.array(aspects, pa.list_(ASPECT_TYPE))}

    def __call__(self, batch: pa.Table) -> dict[str, pa.Array]:
        """Return the aspects column of ``batch``."""
        return self.apply(BatchContext.of(batch))
