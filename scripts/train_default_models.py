"""Rebuild the shipped default models and lexicons from permissively licensed sources.

Usage: python scripts/train_default_models.py [--data-dir ../shared/data]

Inputs: the VADER lexicon (MIT, from vaderSentiment), the German Polarity Lexicon bundled in
textblob-de (Apache-2.0), GoEmotions train/dev/test (Apache-2.0). Deterministic: liblinear
with fixed data order gives the same weights on every run.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score, recall_score

from resonanz.enrich.features import TextFeatures
from resonanz.enrich.lexicon import load_lexicons
from resonanz.enrich.training import fit_head, one_hot
from resonanz.evaluation import datasets
from resonanz.evaluation.emotion_map import ekman, sentiment_of
from resonanz.records import EMOTIONS, SENTIMENTS

COMMON_WORDS = 2000
MODELS = Path(__file__).resolve().parents[1] / "src" / "resonanz" / "enrich" / "models"


def build_lexicons() -> None:
    """Write lexicon_en.tsv (from VADER) and lexicon_de.tsv (from textblob-de)."""
    import textblob_de
    import vaderSentiment

    source = Path(vaderSentiment.__file__).parent / "vader_lexicon.txt"
    lines = [
        "# Derived from the VADER lexicon (vaderSentiment 3.3.2, MIT licence, "
        "Hutto & Gilbert 2014): word<TAB>mean valence / 4"
    ]
    for line in source.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and re.fullmatch(r"\w+", parts[0]):
            value = max(-1.0, min(1.0, float(parts[1]) / 4))
            lines.append(f"{parts[0].lower()}\t{value:.3f}")
    (MODELS / "lexicon_en.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    xml = Path(textblob_de.__file__).parent / "data" / "de-sentiment.xml"
    pattern = re.compile(r'form="([^"]+)"[^>]*polarity="([-0-9.]+)" pos="(\w+)"')
    rows: dict[str, float] = {}
    for form, polarity, pos in pattern.findall(xml.read_text(encoding="utf-8")):
        if float(polarity) == 0 or not re.fullmatch(r"\w+", form):
            continue
        rows.setdefault(form.lower(), float(polarity))
        if pos == "JJ":  # the lexicon lists base forms; German adjectives inflect
            for suffix in ("e", "en", "er", "es", "em"):
                rows.setdefault(form.lower() + suffix, float(polarity))
    # The most frequent German words carry polarity only in some senses ("recht", "wohl",
    # "einfach", "bleiben"); they fire on almost every neutral post, so they are left out.
    frequency = xml.parent.parent / "ext" / "_pattern" / "text" / "de" / "de-frequency.txt"
    common = [
        line.split()[0].lower()
        for line in frequency.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith(";")
    ][:COMMON_WORDS]
    for word in common:
        rows.pop(word, None)
    lines = [
        "# Derived from the German Polarity Lexicon (Klenner et al. 2010) as bundled in "
        "textblob-de 0.4.3 (Apache-2.0); adjectives expanded with inflection endings; "
        f"the {COMMON_WORDS} most frequent German words (textblob-de frequency list) removed"
    ]
    lines += [f"{w}\t{p:.3f}" for w, p in sorted(rows.items())]
    (MODELS / "lexicon_de.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _prepare(data_dir: Path, split: str) -> tuple[TextFeatures, np.ndarray, list[list[str]]]:
    rows = datasets.goemotions(data_dir, split)
    feats = TextFeatures(rows.texts)
    dense = load_lexicons().dense(feats, np.zeros(len(rows.texts), dtype=bool))
    return feats, dense, rows.multi


def train(data_dir: Path) -> dict[str, dict[str, float]]:
    """Fit the three default heads, save them, and return their test metrics."""
    load_lexicons.cache_clear()
    train_f, train_d, train_y = _prepare(data_dir, "train")
    test_f, test_d, test_y = _prepare(data_dir, "test")
    emo_train = [ekman(y) for y in train_y]
    emo_test = [ekman(y) for y in test_y]
    meta = {"data": "GoEmotions train (Apache-2.0), Ekman mapping", "licence": "Apache-2.0"}
    head = fit_head(
        "emotion",
        train_f,
        train_d,
        EMOTIONS,
        one_hot(emo_train, EMOTIONS),
        c=1.0,
        balanced=True,
        meta=meta,
    )
    pred = np.asarray(head.labels)[head.proba(test_f, test_d).argmax(axis=1)]
    metrics = {
        "emotion_en": {
            "goemotions_test_macro_f1": f1_score(emo_test, pred, average="macro"),
            "goemotions_test_accuracy": float(np.mean(pred == emo_test)),
        }
    }
    head.save(MODELS / "emotion_en.npz")
    keep = [i for i, y in enumerate(train_y) if sentiment_of(y) is not None]
    sent = [sentiment_of(train_y[i]) or "" for i in keep]
    sent_test = [sentiment_of(y) or "neutral" for y in test_y]
    sub_f = TextFeatures([train_f.raw[i] for i in keep])
    sub_d = train_d[keep]
    meta = {"data": "GoEmotions train mapped to sentiment (Apache-2.0)", "licence": "Apache-2.0"}
    for name, inputs in (("sentiment_en", ("words", "dense")), ("sentiment_lex", ("dense",))):
        head = fit_head(
            "sentiment",
            sub_f,
            sub_d,
            SENTIMENTS,
            one_hot(sent, SENTIMENTS),
            inputs=inputs,
            c=1.0,
            balanced=True,
            meta=meta,
        )
        pred = np.asarray(head.labels)[head.proba(test_f, test_d).argmax(axis=1)]
        metrics[name] = {
            "goemotions_test_macro_recall": recall_score(sent_test, pred, average="macro")
        }
        head.save(MODELS / f"{name}.npz")
    return metrics


def main() -> None:
    """Parse arguments, rebuild lexicons and heads, print the metrics."""
    parser = argparse.ArgumentParser(description=__doc__)
    default = Path(__file__).resolve().parents[2] / "shared" / "data"
    parser.add_argument("--data-dir", type=Path, default=default)
    parser.add_argument("--skip-lexicons", action="store_true")
    args = parser.parse_args()
    if not args.skip_lexicons:
        build_lexicons()
    metrics = train(args.data_dir)
    (MODELS / "default_metrics.json").write_text(json.dumps(metrics, indent=2, sort_keys=True))
    print(json.dumps(metrics, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
