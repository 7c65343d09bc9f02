"""Baselines run beside our models in every evaluation: majority, VADER, textblob-de."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence


def majority(train_labels: Sequence[str], n: int) -> list[str]:
    """Predict the most frequent training label ``n`` times."""
    label = Counter(train_labels).most_common(1)[0][0]
    return [label] * n


def vader(texts: Sequence[str]) -> list[str]:
    """Label English texts with VADER's compound score (±0.05, as its authors suggest)."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    out = []
    for text in texts:
        score = analyzer.polarity_scores(text)["compound"]
        out.append("positive" if score >= 0.05 else "negative" if score <= -0.05 else "neutral")
    return out


def textblob_de(texts: Sequence[str]) -> list[str] | None:
    """Label German texts with textblob-de's polarity; None when it is not installed."""
    try:
        from textblob_de import PatternTokenizer, TextBlobDE
    except ImportError:
        return None
    tokenizer = PatternTokenizer()
    out = []
    for text in texts:
        polarity = TextBlobDE(text, tokenizer=tokenizer).sentiment.polarity
        out.append("positive" if polarity > 0 else "negative" if polarity < 0 else "neutral")
    return out
