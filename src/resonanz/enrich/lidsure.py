"""Decide the language of plainly monolingual texts from the top of the label tree alone."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from resonanz.enrich.lid import LidModel

#: Levels of the label tree below the root looked at before the whole tree.
SURE_DEPTH = 5


class SureTop:
    """Find the texts whose only label at or above the threshold is beyond doubt.

    Most posts are plainly in one frequent language, and frequent labels sit near the root
    of the Huffman tree. The top :data:`SURE_DEPTH` levels of inner nodes are scored first:
    a label reached there has its exact score, and no label below a node left unexpanded
    scores more than that node's score plus log(1 + 1e-5) per later turn. When the best
    label clears the threshold by the margin and everything else stays below it by the
    margin, fastText gives that label alone, and the rest of the tree is never computed.
    """

    def __init__(self, model: LidModel, parent: list[int], right: list[bool]) -> None:
        self.model = model
        n = len(model.labels)
        children: dict[int, list[int]] = {}
        for node, up in enumerate(parent):
            if up >= 0:
                children.setdefault(up, []).append(node)
        expand = [len(parent) - 1] if len(parent) > 1 else []
        #: (expanded node's place, child's turn, child's expanded place or -1, end's label)
        self.steps: list[tuple[int, bool, int, int]] = []
        self.ends: list[int] = []  # a label number, or -1 for an unexpanded inner node
        depth = {len(parent) - 1: 0}
        for place, node in enumerate(expand):
            for child in children.get(node, []):
                depth[child] = depth[node] + 1
                if child >= n and depth[child] <= SURE_DEPTH:
                    expand.append(child)
                    self.steps.append((place, right[child], len(expand) - 1, -1))
                else:
                    self.ends.append(child if child < n else -1)
                    self.steps.append((place, right[child], -1, len(self.ends) - 1))
        self.nodes = np.asarray([node - n for node in expand], dtype=np.int64)
        self.slack = np.where(np.asarray(self.ends) < 0, model.depth * 1e-5, 0.0)

    def labels(self, hidden: np.ndarray, total: np.ndarray, limit: float) -> np.ndarray:
        """Return each text's sure label (-1: not sure, score every label)."""
        out = np.full(len(hidden), -1, dtype=np.int64)
        if not len(self.nodes) or not len(hidden):
            return out
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            turn = 1.0 / (1.0 + np.exp(-self.model.logits(hidden, self.nodes)))
            logs = {True: np.log(turn + 1e-5), False: np.log(1.0 - turn + 1e-5)}
        score = np.zeros((len(self.nodes), len(hidden)), dtype=np.float32)
        ends = np.empty((len(self.ends), len(hidden)), dtype=np.float32)
        for place, right, inner, end in self.steps:
            value = score[place] + logs[right][place]
            if inner >= 0:
                score[inner] = value
            else:
                ends[end] = value + np.float32(self.slack[end])
        cols = np.arange(len(hidden))
        first = ends.argmax(axis=0)
        top = ends[first, cols]
        ends[first, cols] = -np.inf
        margin = self.model.margin
        with np.errstate(invalid="ignore"):
            sure = (top >= limit + margin) & (ends.max(axis=0) < limit - margin) & (total > 0)
        label = np.asarray(self.ends, dtype=np.int64)[first]
        return np.where(sure & (label >= 0), label, out)
