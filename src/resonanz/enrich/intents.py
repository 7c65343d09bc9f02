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


def _rule_intents(text: str, cued: list[str], score: float, negative_aspect: bool) -> list[str]:
    found = set(cued)
    if "?" in text or _QUESTION_START.match(text):
        found.add("question")
    if negative_aspect and score <= COMPLAINT_SCORE:
        found.add("complaint")
    if "complaint" in found and score > 0.3:
        found.discard("complaint")  # a cue inside clear praise ("never broken") is no complaint
    if "recommendation" in found and score < -0.3:
        found.discard("recommendation")
    return [intent for intent in INTENTS if intent in found]


class IntentEnricher:
    """Cue phrases plus sentiment and aspects, or an adapted multi-label head."""

    name = "intents"
    produces = ("intents",)

    def __init__(self, adapted: LinearHead | None = None) -> None:
        self.adapted = adapted
        self.version = f"1+{adapted.version}" if adapted is not None else "1"

    def _from_rules(self, ctx: BatchContext) -> list[list[str]]:
        scores = ctx.results.get("sentiment_score")
        if scores is None:
            scores = np.zeros(len(ctx), dtype=np.float32)
        aspects = ctx.results.get("aspects") or [[] for _ in range(len(ctx))]
        matcher = intent_cues()
        return [
            _rule_intents(
                text,
                matcher.labels(text),
                float(scores[i]),
                any(a["polarity"] == "negative" for a in aspects[i]),
            )
            for i, text in enumerate(ctx.features.texts)
        ]

    def _from_head(self, ctx: BatchContext, head: LinearHead) -> list[list[str]]:
        proba = head.proba(ctx.features, ctx.dense)
        limit = head.thresholds if head.thresholds is not None else np.full(len(head.labels), 0.5)
        return [[head.labels[j] for j in np.flatnonzero(row >= limit)] for row in proba]

    def apply(self, ctx: BatchContext) -> dict[str, pa.Array]:
        """Return the ``intents`` column."""
        if self.adapted is not None:
            intents = self._from_head(ctx, self.adapted)
        else:
            intents = self._from_rules(ctx)
        ctx.results["intents"] = intents
        return {"intents": pa.array(intents, pa.list_(pa.string()))}

    def __call__(self, batch: pa.Table) -> dict[str, pa.Array]:
        """Return the intents column of ``batch``."""
        return self.apply(BatchContext.of(batch))
