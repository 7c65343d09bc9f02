"""Map GoEmotions' 27 emotions (and TweetEval's four) onto our seven emotion labels."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

_EKMAN = {
    "anger": "anger annoyance disapproval",
    "disgust": "disgust",
    "fear": "fear nervousness",
    "joy": "joy amusement approval excitement gratitude love optimism relief pride admiration "
    "desire caring",
    "sadness": "sadness disappointment embarrassment grief remorse",
    "surprise": "surprise realization confusion curiosity",
    "none": "neutral",
}
TO_EKMAN = {fine: coarse for coarse, fines in _EKMAN.items() for fine in fines.split()}
POLARITY = {"joy": "positive", "anger": "negative", "disgust": "negative", "fear": "negative"}
POLARITY |= {"sadness": "negative", "surprise": "neutral", "none": "neutral"}


def ekman(labels: Sequence[str]) -> str:
    """Map the GoEmotions labels of one comment to one emotion (most frequent group wins).

    >>> ekman(["annoyance", "anger", "joy"])
    'anger'
    """
    counts = Counter(TO_EKMAN[label] for label in labels)
    return counts.most_common(1)[0][0]


def sentiment_of(labels: Sequence[str]) -> str | None:
    """Map GoEmotions labels to a sentiment; None when positive and negative clash."""
    found = {POLARITY[TO_EKMAN[label]] for label in labels} - {"neutral"}
    if len(found) > 1:
        return None
    return found.pop() if found else "neutral"
