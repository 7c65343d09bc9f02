"""Product aspects a post talks about (price, quality, delivery …) and the polarity of each."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from resonanz.enrich.clauses import BatchClauses
from resonanz.enrich.context import BatchContext
from resonanz.enrich.cues import CueMatcher
from resonanz.enrich.heads import LinearHead
from resonanz.records import ASPECT_TYPE

LOCAL_THRESHOLD = 0.3
Aspect = dict[str, str]
ASPECTS_TYPE = pa.list_(ASPECT_TYPE)


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


class AspectEnricher:
    """Find aspect cues of the taxonomy, or use an adapted multi-label head."""

    name = "aspects"
    produces = ("aspects",)

    def __init__(self, taxonomy: Mapping[str, Sequence[str]], adapted: LinearHead | None = None):
        self.matcher = CueMatcher(taxonomy)
        self.adapted = adapted
        digest = hashlib.sha256(json.dumps(taxonomy, sort_keys=True).encode()).hexdigest()[:8]
        self.version = f"1+{adapted.version if adapted else digest}"

    def _from_cues(self, ctx: BatchContext) -> pa.Array:
        """Return the aspects of the batch: each category's first cue, its clause's polarity."""
        hits = ctx.hits(self.matcher)
        _, first = np.unique(
            hits.text * len(self.matcher.label_names) + hits.label, return_index=True
        )
        first.sort()  # a category counts once per post, where its first cue is
        text, start, label = hits.text[first], hits.start[first], hits.label[first]
        lex = ctx.lexicons
        clauses = BatchClauses(ctx.joined, (lex.de, lex.en), lex.negators, ctx.features)
        score = clauses.polarity(text, start, ctx.is_de[text], lex.negators)
        sentiments = ctx.results.get("sentiment")
        fallback = sentiments[text] if sentiments is not None else np.full(len(text), "neutral")
        polarity = np.where(
            np.abs(score) >= LOCAL_THRESHOLD,
            np.where(score > 0, "positive", "negative"),
            np.asarray(fallback, dtype=object),
        )
        categories = np.asarray(self.matcher.label_names, dtype=object)[label]
        return _aspects_array(len(ctx), text, categories.tolist(), polarity.tolist())

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
            aspects = pa.array(self._from_head(ctx, self.adapted), ASPECTS_TYPE)
        else:
            aspects = self._from_cues(ctx)
        ctx.results["aspects"] = aspects
        negative = pc.equal(pc.list_flatten(aspects).field("polarity"), "negative")
        parents = pc.list_parent_indices(aspects).filter(negative).to_numpy()
        ctx.results["negative_aspect"] = np.bincount(parents, minlength=len(ctx)) > 0
        return {"aspects": aspects}

    def __call__(self, batch: pa.Table) -> dict[str, pa.Array]:
        """Return the aspects column of ``batch``."""
        return self.apply(BatchContext.of(batch))


def _aspects_array(
    rows: int, text: np.ndarray, categories: list[str], polarities: list[str]
) -> pa.Array:
    """Build the aspects column from (post, category, polarity) triples in post order."""
    offsets = np.zeros(rows + 1, dtype=np.int32)
    np.cumsum(np.bincount(text, minlength=rows), out=offsets[1:])
    values = pa.StructArray.from_arrays(
        [pa.array(categories, pa.string()), pa.array(polarities, pa.string())],
        fields=list(ASPECT_TYPE),
    )
    return pa.ListArray.from_arrays(pa.array(offsets), values, type=ASPECTS_TYPE)
