"""The labels the simulator intends for each kind of post (its ground truth per post)."""

from __future__ import annotations

from typing import Final, NamedTuple


class Intended(NamedTuple):
    """Intents, sentiment and emotion a grammar slot is written to express."""

    intents: tuple[str, ...]
    sentiment: str
    emotion: str


_N = "neutral"
INTENDED: Final[dict[str, Intended]] = {
    "complaint": Intended(("complaint",), "negative", "anger"),
    "crisis_fear_post": Intended(("complaint",), "negative", "fear"),
    "crisis_anger_post": Intended(("complaint",), "negative", "anger"),
    "churn": Intended(("churn_threat", "complaint"), "negative", "anger"),
    "praise": Intended((), "positive", "joy"),
    "recommend": Intended(("recommendation",), "positive", "joy"),
    "referral": Intended(("recommendation",), "positive", "joy"),
    "mixed": Intended((), _N, "none"),
    "question_us": Intended(("question",), _N, "none"),
    "question_open": Intended(("question",), _N, "none"),
    "purchase": Intended(("purchase_intent",), _N, "none"),
    "chatter": Intended((), _N, "none"),
    "rival_mention": Intended((), _N, "none"),
    "news": Intended((), _N, "none"),
    "news_crisis": Intended((), "negative", "fear"),
    "brand_post": Intended((), _N, "none"),
    "campaign_post": Intended((), "positive", "joy"),
    "crisis_statement": Intended((), _N, "none"),
    "answer_question": Intended((), _N, "none"),
    "answer_complaint": Intended((), _N, "none"),
    "reply_agree": Intended(("complaint",), "negative", "anger"),
    "reply_disagree": Intended((), "positive", "none"),
    "reply_help": Intended((), _N, "none"),
    "reply_praise": Intended((), "positive", "joy"),
    "quote_neg": Intended((), "negative", "anger"),
    "quote_pos": Intended((), "positive", "joy"),
    "quote_neu": Intended((), _N, "none"),
    "employee": Intended((), "positive", "joy"),
    "politician": Intended((), _N, "none"),
    "ngo": Intended((), _N, "none"),
    "rival_staff": Intended((), "positive", "none"),
    "spam": Intended((), _N, "none"),
    "offtopic": Intended((), _N, "none"),
}


def aspect_polarity(slot: str, sentiment: str) -> str:
    """Return the polarity of the aspect a post of ``slot`` names."""
    if slot in ("mixed", "churn"):
        return "negative"
    if slot.startswith(("question", "answer")):
        return "neutral"
    return sentiment
