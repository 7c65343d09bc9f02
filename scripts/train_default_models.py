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
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score, recall_score

from resonanz.enrich.context import BatchContext
from resonanz.enrich.features import TextFeatures, word_index
from resonanz.enrich.heads import LinearHead, weights_version
from resonanz.enrich.lexicon import DENSE_NAMES, load_lexicons
from resonanz.enrich.polarity import negated_dense
from resonanz.enrich.registry import EnrichPipeline, default_heads
from resonanz.enrich.sentiment import blend
from resonanz.enrich.training import fit_head, one_hot
from resonanz.enrich.wordvectors import load_vectors
from resonanz.evaluation import datasets
from resonanz.evaluation.emotion_map import ekman, sentiment_of
from resonanz.records import EMOTIONS, SENTIMENTS

COMMON_WORDS = 2000
#: English words seen this often in GoEmotions train count as frequent (hash collisions).
FREQUENT_EN = 5
#: Parts of speech of the German Polarity Lexicon that are kept, and their weight.
DE_POS = ("JJ",)
DE_SCALE = 0.5
#: Net lexicon evidence a non-English post needs to count as polar, and logit steepness.
NEUTRAL_BAND = 0.25
SHARPNESS = 3.0
#: English head: weight of the dense inputs (lexicon evidence and word vectors) against the
#: hashed words, the shifts of the neutral and positive scores (class priors for posts, which
#: hold fewer neutral-looking polar posts than GoEmotions), and the share of the lexicon
#: rule's probabilities in the output; chosen on GoEmotions dev, check_en and check_en_tweets.
EN_DENSE_WEIGHT = 1.0
EN_NEUTRAL_SHIFT = -1.25
EN_POSITIVE_SHIFT = 0.0
EN_RULE_BLEND = 0.4
FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "sentiment"
CHECK_DE = FIXTURES / "check_de.tsv"
CHECK_EN = FIXTURES / "check_en.tsv"
CHECK_EN_TWEETS = FIXTURES / "check_en_tweets.tsv"
MODELS = Path(__file__).resolve().parents[1] / "src" / "resonanz" / "enrich" / "models"


def _frequent_words(data_dir: Path) -> list[str]:
    """Return frequent German (textblob-de list) and English (GoEmotions train) words."""
    import textblob_de

    frequency = Path(textblob_de.__file__).parent / "ext" / "_pattern" / "text" / "de"
    words = [
        line.split()[0].lower()
        for line in (frequency / "de-frequency.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith(";")
    ]
    counts: Counter[str] = Counter()
    for text in datasets.goemotions(data_dir, "train").texts:
        counts.update(re.findall(r"\w+", text.lower()))
    return words + [w for w, n in counts.items() if n >= FREQUENT_EN]


def _without_collisions(rows: dict[str, float], frequent: list[str]) -> dict[str, float]:
    """Drop lexicon words whose hashed column is shared with a frequent non-lexicon word.

    Lexicon scores are read from hashed word columns; a polar word that shares its column
    with, say, "im" or "wochenende" would make every post containing those words polar.
    """
    busy = set(word_index([w for w in frequent if w not in rows]).tolist()) - {-1}
    index = word_index(list(rows))
    return {w: v for (w, v), i in zip(rows.items(), index, strict=True) if i not in busy}


def build_lexicons(data_dir: Path) -> None:
    """Write lexicon_en.tsv (from VADER) and lexicon_de.tsv (from textblob-de)."""
    import textblob_de
    import vaderSentiment

    frequent = _frequent_words(data_dir)
    source = Path(vaderSentiment.__file__).parent / "vader_lexicon.txt"
    en: dict[str, float] = {}
    for line in source.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and re.fullmatch(r"\w+", parts[0]):
            en.setdefault(parts[0].lower(), max(-1.0, min(1.0, float(parts[1]) / 4)))
    lines = [
        "# Derived from the VADER lexicon (vaderSentiment 3.3.2, MIT licence, "
        "Hutto & Gilbert 2014): word<TAB>mean valence / 4; words whose hashed column "
        "collides with a frequent word removed"
    ]
    lines += [f"{w}\t{v:.3f}" for w, v in _without_collisions(en, frequent).items()]
    (MODELS / "lexicon_en.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    xml = Path(textblob_de.__file__).parent / "data" / "de-sentiment.xml"
    pattern = re.compile(r'form="([^"]+)"[^>]*polarity="([-0-9.]+)" pos="(\w+)"')
    rows: dict[str, float] = {}
    for form, polarity, pos in pattern.findall(xml.read_text(encoding="utf-8")):
        if float(polarity) == 0 or pos not in DE_POS or not re.fullmatch(r"\w+", form):
            continue
        rows.setdefault(form.lower(), float(polarity) * DE_SCALE)
        if pos == "JJ":  # the lexicon lists base forms; German adjectives inflect
            for suffix in ("e", "en", "er", "es", "em"):
                rows.setdefault(form.lower() + suffix, float(polarity) * DE_SCALE)
    # The most frequent German words carry polarity only in some senses ("recht", "wohl",
    # "einfach", "bleiben"); they fire on almost every neutral post, so they are left out
    # (authored_de.tsv adds back the frequent words that are clearly polar: gut, schlecht).
    for word in frequent[:COMMON_WORDS]:
        rows.pop(word, None)
    rows = _without_collisions(rows, frequent)
    lines = [
        "# Derived from the German Polarity Lexicon (Klenner et al. 2010) as bundled in "
        f"textblob-de 0.4.3 (Apache-2.0): parts of speech {'/'.join(DE_POS)}, polarity x "
        f"{DE_SCALE}; adjectives expanded with inflection endings; the {COMMON_WORDS} most "
        "frequent German words and words whose hashed column collides with a frequent word "
        "removed"
    ]
    lines += [f"{w}\t{p:.3f}" for w, p in sorted(rows.items())]
    (MODELS / "lexicon_de.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _prepare(
    data_dir: Path, split: str
) -> tuple[TextFeatures, np.ndarray, np.ndarray, list[list[str]]]:
    """Return features, dense features, negation-flipped dense features and labels."""
    rows = datasets.goemotions(data_dir, split)
    ctx = BatchContext(rows.texts, ["en"] * len(rows.texts))
    return ctx.features, ctx.dense, negated_dense(ctx), rows.multi


def rule_head() -> LinearHead:
    """Return the lexicon head for non-English posts: neutral unless the evidence is clear.

    Logits are ±SHARPNESS × (positive − negative evidence, emoji included) against a constant
    SHARPNESS × NEUTRAL_BAND for neutral, so a post is polar only when its net evidence
    exceeds the band. Both settings were chosen on tests/fixtures/sentiment/check_de.tsv.
    """
    dense = np.zeros((len(DENSE_NAMES), len(SENTIMENTS)), dtype=np.float32)
    for name, sign in (
        ("lex_pos", 1.0),
        ("emoji_pos", 1.0),
        ("lex_neg", -1.0),
        ("emoji_neg", -1.0),
    ):
        dense[DENSE_NAMES.index(name)] = (-sign * SHARPNESS, 0.0, sign * SHARPNESS)
    intercept = np.asarray([0.0, SHARPNESS * NEUTRAL_BAND, 0.0], dtype=np.float32)
    meta = {
        "data": "hand-set weights over the shipped lexicons (no training data)",
        "licence": "Apache-2.0",
        "neutral_band": NEUTRAL_BAND,
        "version": weights_version(intercept, dense),
        "inputs": ["dense"],
    }
    return LinearHead("sentiment", SENTIMENTS, None, None, dense, intercept, meta=meta)


def read_check(path: Path) -> tuple[list[str], list[str]]:
    """Return the texts and labels of an authored check set (label<TAB>post lines)."""
    rows = [
        line.split("\t", 1)
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    return [text for _, text in rows], [label for label, _ in rows]


def check_de(head: LinearHead) -> float:
    """Return the macro-F1 of ``head`` on the authored German check set."""
    texts, labels = read_check(CHECK_DE)
    ctx = BatchContext(texts, ["de"] * len(texts))
    pred = np.asarray(head.labels)[head.proba(ctx.features, negated_dense(ctx)).argmax(axis=1)]
    return float(f1_score(labels, pred, average="macro"))


def check_en() -> dict[str, float]:
    """Return macro-recall and macro-F1 of the shipped English sentiment on both check sets."""
    out: dict[str, float] = {}
    for name, path in (("check_en", CHECK_EN), ("check_en_tweets", CHECK_EN_TWEETS)):
        texts, labels = read_check(path)
        pred = EnrichPipeline().columns(texts, ["en"] * len(texts))["sentiment"].to_pylist()
        out[f"{name}_macro_recall"] = float(recall_score(labels, pred, average="macro"))
        out[f"{name}_macro_f1"] = float(f1_score(labels, pred, average="macro"))
    return out


def english_inputs(feats: TextFeatures, negated: np.ndarray) -> np.ndarray:
    """Return the English head's dense inputs: lexicon evidence and mean word vectors."""
    return np.hstack([negated, load_vectors().mean(feats.unigrams)])


def train(data_dir: Path) -> dict[str, dict[str, float]]:
    """Fit the default heads, save them, and return their test metrics."""
    load_lexicons.cache_clear()
    train_f, train_d, train_n, train_y = _prepare(data_dir, "train")
    test_f, test_d, test_n, test_y = _prepare(data_dir, "test")
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
    head = english_head(TextFeatures([train_f.raw[i] for i in keep]), train_n[keep], sent)
    rule = rule_head().proba(test_f, test_n)
    english = blend(head, head.proba(test_f, english_inputs(test_f, test_n)), rule)
    for name, model, proba in (
        ("sentiment_en", head, english),
        ("sentiment_lex", rule_head(), rule),
    ):
        pred = np.asarray(model.labels)[proba.argmax(axis=1)]
        metrics[name] = {
            "goemotions_test_macro_recall": recall_score(sent_test, pred, average="macro")
        }
        model.save(MODELS / f"{name}.npz")
    metrics["sentiment_lex"]["check_de_macro_f1"] = check_de(rule_head())
    default_heads.cache_clear()
    metrics["sentiment_en"].update(check_en())
    return metrics


def english_head(feats: TextFeatures, negated: np.ndarray, labels: list[str]) -> LinearHead:
    """Fit the English sentiment head on GoEmotions (words, lexicon evidence, word vectors)."""
    vectors = load_vectors()
    meta = {
        "data": "GoEmotions train mapped to sentiment (Apache-2.0); word vectors distilled "
        "from all-MiniLM-L6-v2 (Apache-2.0)",
        "licence": "Apache-2.0",
        "word_vectors": vectors.version,
        "neutral_shift": EN_NEUTRAL_SHIFT,
        "positive_shift": EN_POSITIVE_SHIFT,
        "rule_blend": EN_RULE_BLEND,
    }
    head = fit_head(
        "sentiment",
        feats,
        english_inputs(feats, negated),
        SENTIMENTS,
        one_hot(labels, SENTIMENTS),
        inputs=("words", "dense"),
        c=1.0,
        balanced=True,
        meta=meta,
        dense_weight=EN_DENSE_WEIGHT,
    )
    intercept = head.intercept.copy()
    intercept[SENTIMENTS.index("neutral")] += EN_NEUTRAL_SHIFT
    intercept[SENTIMENTS.index("positive")] += EN_POSITIVE_SHIFT
    blend_weight = np.asarray([EN_RULE_BLEND], dtype=np.float32)
    version = weights_version(np.asarray(head.version.encode()), intercept, blend_weight)
    return replace(head, intercept=intercept, meta=dict(head.meta, version=version))


def main() -> None:
    """Parse arguments, rebuild lexicons and heads, print the metrics."""
    parser = argparse.ArgumentParser(description=__doc__)
    default = Path(__file__).resolve().parents[2] / "shared" / "data"
    parser.add_argument("--data-dir", type=Path, default=default)
    parser.add_argument("--skip-lexicons", action="store_true")
    args = parser.parse_args()
    if not args.skip_lexicons:
        build_lexicons(args.data_dir)
    metrics = train(args.data_dir)
    (MODELS / "default_metrics.json").write_text(json.dumps(metrics, indent=2, sort_keys=True))
    print(json.dumps(metrics, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
