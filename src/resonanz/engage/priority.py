"""How urgent an inbox item is: intent, influence, stakeholder group, negativity, waiting."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from resonanz.engage.settings import PriorityWeights

#: Urgency of each intent (0..1); an item takes its most urgent intent.
INTENT_URGENCY = {
    "churn_threat": 1.0,
    "complaint": 0.85,
    "purchase_intent": 0.75,
    "question": 0.6,
    "recommendation": 0.2,
}
#: Weight of the author's stakeholder group (0..1); unknown authors sit in the middle.
STAKEHOLDER_WEIGHT = {
    "press": 1.0,
    "influencer": 0.9,
    "politician": 0.9,
    "investor": 0.8,
    "customer": 0.7,
    "prospect": 0.6,
    "ngo": 0.6,
    "competitor": 0.3,
    "employee": 0.2,
    "bot": 0.0,
}
INBOX_INTENTS = ("question", "complaint", "purchase_intent", "churn_threat")


@dataclass(frozen=True)
class Signals:
    """What the priority is computed from."""

    intents: Sequence[str]
    followers: int | None
    stakeholder: str | None
    sentiment: str | None
    waited_share: float  # business time waited / target


def parts(signals: Signals) -> dict[str, float]:
    """Return each signal scaled to 0..1."""
    intent = max((INTENT_URGENCY.get(i, 0.0) for i in signals.intents), default=0.3)
    followers = max(0, signals.followers or 0)
    influence = min(1.0, math.log10(followers + 1) / 6)  # a million followers saturates
    stakeholder = STAKEHOLDER_WEIGHT.get(signals.stakeholder or "", 0.4)
    negativity = {"negative": 1.0, "neutral": 0.3, "positive": 0.0}.get(
        signals.sentiment or "", 0.3
    )
    return {
        "intent": intent,
        "influence": influence,
        "stakeholder": stakeholder,
        "negativity": negativity,
        "waiting": min(1.0, max(0.0, signals.waited_share)),
    }


def score(signals: Signals, weights: PriorityWeights) -> float:
    """Return the priority on a 0..100 scale (the weighted mean of the signals)."""
    scaled = parts(signals)
    weight: dict[str, float] = weights.model_dump()
    total = sum(weight.values()) or 1.0
    return round(100.0 * sum(scaled[k] * weight[k] for k in scaled) / total, 1)
