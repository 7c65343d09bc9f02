"""The official metrics of the evaluation sets: micro-F1, macro-F1, macro-recall."""

from __future__ import annotations

from collections.abc import Sequence


def accuracy(gold: Sequence[str], pred: Sequence[str]) -> float:
    """Share of equal labels (= micro-F1 for single-label tasks)."""
    return sum(g == p for g, p in zip(gold, pred, strict=True)) / max(len(gold), 1)


def _per_class(gold: Sequence[str], pred: Sequence[str], label: str) -> tuple[float, float]:
    tp = sum(g == label and p == label for g, p in zip(gold, pred, strict=True))
    fp = sum(g != label and p == label for g, p in zip(gold, pred, strict=True))
    fn = sum(g == label and p != label for g, p in zip(gold, pred, strict=True))
    recall = tp / (tp + fn) if tp + fn else 0.0
    precision = tp / (tp + fp) if tp + fp else 0.0
    return precision, recall


def macro_recall(gold: Sequence[str], pred: Sequence[str]) -> float:
    """Macro-averaged recall over the gold classes (SemEval-2017 4A AvgRec)."""
    labels = sorted(set(gold))
    return sum(_per_class(gold, pred, label)[1] for label in labels) / len(labels)


def macro_f1(gold: Sequence[str], pred: Sequence[str]) -> float:
    """Macro-averaged F1 over the gold classes."""
    labels = sorted(set(gold))
    total = 0.0
    for label in labels:
        p, r = _per_class(gold, pred, label)
        total += 2 * p * r / (p + r) if p + r else 0.0
    return total / len(labels)


def micro_f1_sets(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]) -> float:
    """Micro-F1 over per-document label sets (GermEval 2017 subtask C).

    >>> round(micro_f1_sets([["a", "b"]], [["a"]]), 3)
    0.667
    """
    tp = fp = fn = 0
    for g, p in zip(gold, pred, strict=True):
        gs, ps = set(g), set(p)
        tp += len(gs & ps)
        fp += len(ps - gs)
        fn += len(gs - ps)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0
