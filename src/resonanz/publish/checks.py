"""The content check before publishing: length, hashtags, links, readability, trending terms.

Readability uses Flesch Reading Ease for English and Amstad's German adaptation
(180 − words per sentence − 58.5 × syllables per word); both read 0 (hard) … 100 (easy).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import duckdb

from resonanz.config import Settings
from resonanz.publish.calendar import Draft
from resonanz.publish.channels import channel
from resonanz.publish.variants import LIMITS, length
from resonanz.records import utcnow

_TAG = re.compile(r"(?<!\w)#(\w+)")
_URL = re.compile(r"https?://[^\s<>\"')\]]+")
_WORD = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*")
_VOWELS = re.compile(r"[aeiouyäöü]+", re.IGNORECASE)
_GERMAN = {
    "der",
    "die",
    "das",
    "und",
    "ist",
    "nicht",
    "wir",
    "ihr",
    "mit",
    "für",
    "auf",
    "ein",
    "eine",
}
_ENGLISH = {"the", "and", "is", "not", "we", "you", "with", "for", "on", "a", "an", "to", "of"}


@dataclass(frozen=True)
class Issue:
    """One finding of the content check."""

    level: str  # error | warning | info
    channel: str | None
    code: str
    message: str


def syllables(word: str) -> int:
    """Estimate syllables as vowel groups (good enough for a readability score)."""
    return max(1, len(_VOWELS.findall(word)))


def readability(text: str) -> tuple[str, float] | None:
    """Return (language, score) with Amstad for German and Flesch for English texts."""
    clean = _URL.sub("", _TAG.sub("", text))
    words = _WORD.findall(clean)
    if len(words) < 5:
        return None
    sentences = max(1, len([s for s in re.split(r"[.!?…]+", clean) if _WORD.search(s)]))
    asl = len(words) / sentences
    asw = sum(syllables(w) for w in words) / len(words)
    lower = [w.lower() for w in words]
    german = sum(w in _GERMAN for w in lower) >= sum(w in _ENGLISH for w in lower)
    if german:
        return "de", round(180 - asl - 58.5 * asw, 1)
    return "en", round(206.835 - 1.015 * asl - 84.6 * asw, 1)


def trending_terms(
    con: duckdb.DuckDBPyConnection, settings: Settings, days: int = 3, limit: int = 5
) -> list[str]:
    """Return hashtags rising in posts about our topics (recent days vs the four weeks before)."""
    now = utcnow()
    rows = con.execute(
        """
        WITH tagged AS (
            SELECT DISTINCT p.platform, p.native_id, p.created_at, lower(t.tag) AS tag
            FROM posts p
            JOIN matches m ON m.platform = p.platform AND m.native_id = p.native_id
            JOIN topics tp ON tp.name = m.topic AND tp.kind <> 'competitor',
            unnest(coalesce(p.hashtags, []::VARCHAR[])) AS t(tag)
            WHERE p.created_at >= ?
        )
        SELECT tag,
               count(*) FILTER (WHERE created_at >= ?) AS recent,
               count(*) FILTER (WHERE created_at < ?) AS before
        FROM tagged GROUP BY tag
        HAVING recent >= 3
        ORDER BY (recent / ?) / ((before + 1) / ?) DESC, recent DESC, tag
        LIMIT ?
        """,
        [
            now - timedelta(days=days + 28),
            now - timedelta(days=days),
            now - timedelta(days=days),
            float(days),
            28.0,
            limit,
        ],
    ).fetchall()
    return [str(r[0]) for r in rows]


def _check_part(name: str, network: str, text: str, base: str, track: bool) -> list[Issue]:
    issues: list[Issue] = []
    limit = LIMITS.get(network, LIMITS["webhook"])
    size = length(text, network)
    if size > limit:
        issues.append(
            Issue(
                "error",
                name,
                "length",
                f"{size} of {limit} allowed on {network}; shorten it or split a thread",
            )
        )
    for url in _URL.findall(text):
        parts = urlsplit(url)
        if not parts.netloc or ("." not in parts.netloc and "localhost" not in parts.netloc):
            issues.append(Issue("error", name, "link", f"{url} is not a valid link"))
        elif track and not url.startswith(base):
            issues.append(Issue("warning", name, "link", f"{url} is not tracked"))
    return issues


def check_draft(con: duckdb.DuckDBPyConnection, settings: Settings, draft: Draft) -> list[Issue]:
    """Check every variant of ``draft``; errors block approval."""
    issues: list[Issue] = []
    base = settings.publish.link_base.rstrip("/")
    for name, parts in draft.variants.items():
        network = channel(settings.publish, name).network
        for text in parts:
            issues += _check_part(name, network, text, base, settings.publish.track_links)
    tags = {t.lower() for t in _TAG.findall(draft.text)}
    if len(tags) > 5:
        issues.append(Issue("warning", None, "hashtags", f"{len(tags)} hashtags; 1–3 read better"))
    score = readability(draft.text)
    if score is not None and score[1] < 30:
        issues.append(
            Issue(
                "warning",
                None,
                "readability",
                f"hard to read ({score[0]} score {score[1]}); use shorter sentences",
            )
        )
    rising = [t for t in trending_terms(con, settings) if t not in tags]
    if rising:
        issues.append(
            Issue(
                "info",
                None,
                "trending",
                "trending in our topics: " + ", ".join(f"#{t}" for t in rising),
            )
        )
    if draft.ugc is not None:
        from resonanz.engage.ugc import may_use  # late: engage builds on publish

        if not may_use(con, draft.ugc):
            issues.append(
                Issue(
                    "error", None, "ugc", "the reused post's author has not allowed it; ask first"
                )
            )
    return issues
