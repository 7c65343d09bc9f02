"""Intents of a post: question, complaint, purchase intent, recommendation, churn threat."""

from __future__ import annotations

import re
from functools import cache

import numpy as np
import pyarrow as pa

from resonanz.enrich.context import BatchContext
from resonanz.enrich.cues import CueMatcher
from resonanz.enrich.heads import LinearHead
from resonanz.records import INTENTS

_QUESTION_START = re.compile(
    r"^(?:@user\s+)*(?:how|what|where|when|why|who|which|can|could|does|do|is|are|will|should|"
    r"anyone|wie|was|wo|wann|warum|wieso|weshalb|wer|welche[rsmn]?|kann|können|könnt|gibt|"
    r"hat|habt|ist|sind|soll|sollte)\b"
)
#: Negative sentiment score below which a post with a negative aspect counts as a complaint.
COMPLAINT_SCORE = -0.2
INTENTS_TYPE = pa.list_(pa.string())
_AT = {intent: j for j, intent in enumerate(INTENTS)}


@cache
def intent_cues() -> CueMatcher:
    """Return the matcher over the shipped intent cue phrases."""
    from importlib import resources

    text = resources.files("resonanz.enrich.models").joinpath("intents_cues.tsv")
    cues: dict[str, list[str]] = {}
    for line in text.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            intent, _, phrase = line.partition("\t")
            cues.setdefault(intent.strip(), []).append(phrase.strip())
    return CueMatcher(cues)


def _rule_intents(
    ctx: BatchContext, cued: np.ndarray, scores: np.ndarray, negative_aspect: np.ndarray
) -> np.ndarray:
    """Return the (posts × INTENTS) flags of the rules, given the cued intents."""
    found = cued.copy()
    texts = ctx.features.texts
    question = np.fromiter(
        ("?" in text or _QUESTION_START.match(text) is not None for text in texts),
        bool,
        len(texts),
    )
    found[:, _AT["question"]] |= question
    found[:, _AT["complaint"]] |= negative_aspect & (scores <= COMPLAINT_SCORE)
    # a cue inside clear praise ("never broken") is no complaint
    found[:, _AT["complaint"]] &= ~(scores > 0.3)
    found[:, _AT["recommendation"]] &= ~(scores < -0.3)
    return found


def _cued(ctx: BatchContext) -> np.ndarray:
    """Return the (posts × INTENTS) flags of the intents whose cue phrases occur."""
    matcher = intent_cues()
    hits = ctx.hits(matcher)
    column = np.asarray([_AT.get(name, -1) for name in matcher.label_names], dtype=np.int64)
    where = column[hits.label]
    known = where >= 0
    out = np.zeros((len(ctx), len(INTENTS)), dtype=bool)
    out[hits.text[known], where[known]] = True
    return out


def _lists(rows: int, flags: np.ndarray) -> pa.Array:
    """Return the intents column of (posts × INTENTS) flags, in INTENTS order."""
    post, intent = np.nonzero(flags)
    offsets = np.zeros(rows + 1, dtype=np.int32)
    np.cumsum(np.bincount(post, minlength=rows), out=offsets[1:])
    values = pa.array(INTENTS, pa.string()).take(pa.array(intent, pa.int64()))
    return pa.ListArray.from_arrays(pa.array(offsets), values, type=INTENTS_TYPE)


class IntentEnricher:
    """Cue phrases plus sentiment and aspects, or an adapted multi-label head."""

    name = "intents"
    produces = ("intents",)

    def __init__(self, adapted: LinearHead | None = None) -> None:
        self.adapted = adapted
        self.version = f"1+{adapted.version}" if adapted is not None else "1"

    def _from_rules(self, ctx: BatchContext) -> pa.Array:
        scores = ctx.results.get("sentiment_score")
        if scores is None:
            scores = np.zeros(len(ctx), dtype=np.float32)
        # as Python floats: the limits must not be rounded to float32
        scores = np.asarray(scores, dtype=np.float64)
        negative = ctx.results.get("negative_aspect")
        if negative is None:
            negative = np.zeros(len(ctx), dtype=bool)
        return _lists(len(ctx), _rule_intents(ctx, _cued(ctx), scores, negative))

    def _from_head(self, ctx: BatchContext, head: LinearHead) -> list[list[str]]:
        proba = head.proba(ctx.features, ctx.dense)
        limit = head.thresholds if head.thresholds is not None else np.full(len(head.labels), 0.5)
        return [[head.labels[j] for j in np.flatnonzero(row >= limit)] for row in proba]

    def apply(self, ctx: BatchContext) -> dict[str, pa.Array]:
        """Return the ``intents`` column."""
        if self.adapted is not None:
            intents = pa.array(self._from_head(ctx, self.adapted), INTENTS_TYPE)
        else:
            intents = self._from_rules(ctx)
        ctx.results["intents"] = intents
        return {"intents": intents}

    def __call__(self, batch: pa.Table) -> dict[str, pa.Array]:
        """Return the intents column of ``batch``."""
        return self.apply(BatchContext.of(batch))
