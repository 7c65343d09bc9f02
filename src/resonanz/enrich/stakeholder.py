"""Stakeholder group of every author: from bio, handle, name, reach and behaviour in the batch."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from resonanz.enrich.cues import CueMatcher

VERSION = "2"
_CUES: dict[str, list[str]] = {
    "press": [
        "*journalist*",
        "*reporter*",
        "*redakteur*",
        "redaktion",
        "editor*",
        "correspondent*",
        "korrespondent*",
        "newsroom",
        "presse",
        "press",
        "*zeitung*",
        "magazin*",
        "nachrichten",
        "news",
        "schreibt_für",
        "writes_for",
        "chefredakt*",
        "ressort*",
    ],
    "investor": [
        "investor*",
        "analyst*",
        "venture",
        "vc",
        "fonds",
        "fund_manager",
        "portfolio",
        "anleger*",
        "trader*",
        "trading",
        "equity",
        "börse*",
        "aktien*",
        "stocks",
        "hedge",
    ],
    "politician": [
        "mdb",
        "mdl",
        "mep",
        "abgeordnete*",
        "politiker*",
        "bürgermeister*",
        "minister*",
        "senator*",
        "stadtrat",
        "stadträtin",
        "gemeinderat",
        "bundestag",
        "landtag",
        "parliament",
        "mayor",
        "councillor",
        "kandidat*",
        "candidate",
        "spd",
        "cdu",
        "csu",
        "grüne",
        "fdp",
        "linke",
        "democrat",
        "republican",
    ],
    "ngo": [
        "e.v.",
        "verein",
        "verband",
        "stiftung",
        "foundation",
        "ngo",
        "nonprofit",
        "non-profit",
        "charity",
        "gemeinnützig*",
        "association",
        "verbraucherzentrale",
        "initiative",
    ],
    "influencer": [
        "influencer*",
        "creator*",
        "blogger*",
        "youtuber*",
        "streamer*",
        "tiktok*",
        "instagram*",
        "content_creator",
        "kooperation*",
        "collab*",
        "business_inquiries",
        "anfragen",
    ],
    "employee": [
        "works_at",
        "working_at",
        "arbeite_bei",
        "employee*",
        "mitarbeiter*",
        "views_are_my_own",
        "meinung_ist_meine_eigene",
        "engineer_at",
        "manager_at",
    ],
    "bot": ["bot", "automated", "automatisch*", "autopost*", "feed_bot", "rss"],
}
_BASE = {"press": 0.7, "investor": 0.65, "politician": 0.7, "ngo": 0.7, "influencer": 0.55}
_BASE |= {"employee": 0.5, "bot": 0.6}
#: The author columns the classification reads.
_AUTHOR_FIELDS = ("platform", "handle", "display_name", "bio", "is_bot", "followers")


@dataclass
class Candidate:
    """Accumulated evidence for one group."""

    score: float = 0.0
    evidence: list[str] = field(default_factory=list)

    def add(self, score: float, why: str) -> None:
        """Raise the score (noisy-or) and record why."""
        self.score = 1 - (1 - self.score) * (1 - score)
        self.evidence.append(why)


def _activity(posts: pa.Table) -> dict[tuple[str, str], dict[str, Any]]:
    """Return per (platform, author) batch counts: posts, distinct texts, links, time span."""
    if posts.num_rows == 0 or "author" not in posts.column_names:
        return {}
    has_links = pc.greater(pc.fill_null(pc.list_value_length(posts.column("links")), 0), 0)
    table = pa.table(
        {
            "platform": posts.column("platform"),
            "author": posts.column("author"),
            "text": posts.column("text"),
            "links": pc.cast(has_links, pa.int64()),
            "created_at": posts.column("created_at"),
            "purchase": _intent_flag(posts, "purchase_intent"),
            "complaint": _intent_flag(posts, "complaint"),
        }
    )
    grouped = table.group_by(["platform", "author"], use_threads=False).aggregate(
        [
            ("text", "count"),
            ("text", "count_distinct"),
            ("links", "sum"),
            ("created_at", "min"),
            ("created_at", "max"),
            ("purchase", "sum"),
            ("complaint", "sum"),
        ]
    )
    # Column by column: far cheaper than one dict per row from Arrow.
    names = grouped.column_names
    rows = (dict(zip(names, values, strict=True)) for values in zip(*_lists(grouped), strict=True))
    return {(r["platform"], r["author"]): r for r in rows if r["author"]}


def _lists(table: pa.Table, names: Sequence[str] | None = None) -> list[list[Any]]:
    """Return the given columns (all by default) of ``table`` as Python lists."""
    return [table.column(n).to_pylist() for n in (names or table.column_names)]


def _intent_flag(posts: pa.Table, intent: str) -> pa.Array:
    if "intents" not in posts.column_names:
        return pa.array([0] * posts.num_rows, pa.int64())
    flags = [int(intent in (v or ())) for v in posts.column("intents").to_pylist()]
    return pa.array(flags, pa.int64())


class StakeholderEnricher:
    """Classify authors into STAKEHOLDERS with a confidence and the evidence used."""

    name = "stakeholder"
    version = VERSION

    def __init__(self, own_names: Sequence[str] = (), competitors: Sequence[str] = ()) -> None:
        self.cues = CueMatcher({g: [c.replace("_", " ") for c in cs] for g, cs in _CUES.items()})
        self.own = CueMatcher({"own": [f"*{n.lower()}*" for n in own_names if n]})
        self.competitors = CueMatcher({"competitor": [f"*{n.lower()}*" for n in competitors if n]})

    def _profile(self, row: dict[str, Any], found: dict[str, Candidate]) -> None:
        bio = (row.get("bio") or "").lower()[:2000]
        handle = f"{row.get('handle') or ''} {row.get('display_name') or ''}".lower()[:300]
        for group in self.cues.labels(bio):
            found[group].add(_BASE[group], f"bio mentions a {group} word")
        if "bot" in handle.replace("robot", ""):
            found["bot"].add(0.7, "handle or name contains 'bot'")
        if row.get("is_bot"):
            found["bot"].add(0.95, "platform marks the account as automated")
        if self.competitors.labels(handle):
            found["competitor"].add(0.85, "handle or name is a competitor's")
        employed = found["employee"].score > 0 or " at " in bio or " bei " in bio
        if self.own.labels(bio) and employed:
            found["employee"].add(0.6, "bio names our brand or account")
        followers = row.get("followers") or 0
        if followers >= 50_000:
            found["influencer"].add(0.6, f"{followers} followers")
        elif followers >= 10_000:
            found["influencer"].add(0.35, f"{followers} followers")

    def _behaviour(self, stats: dict[str, Any] | None, found: dict[str, Candidate]) -> None:
        if not stats:
            return
        n = int(stats["text_count"])
        if n >= 3 and stats["text_count_distinct"] <= n / 2:
            found["bot"].add(0.6, f"{n - stats['text_count_distinct']} repeated texts of {n}")
        span = (stats["created_at_max"] - stats["created_at_min"]).total_seconds()
        if n >= 5 and n / max(span / 3600, 0.1) > 10:
            found["bot"].add(0.5, f"{n} posts in {span / 60:.0f} minutes")
        if n >= 3 and (stats["links_sum"] or 0) / n >= 0.8:
            found["bot"].add(0.3, "nearly every post carries a link")
        if stats["purchase_sum"]:
            found["prospect"].add(0.55, "asks about buying")
        if stats["complaint_sum"]:
            found["customer"].add(0.55, "complains about a product or service")

    def classify(
        self, row: dict[str, Any], stats: dict[str, Any] | None
    ) -> tuple[str, float, list[str]]:
        """Return (group, confidence, evidence) of one author."""
        found = {group: Candidate() for group in (*_CUES, "competitor", "prospect", "customer")}
        self._profile(row, found)
        self._behaviour(stats, found)
        group, best = max(found.items(), key=lambda item: item[1].score)
        if best.score <= 0:
            return (
                "customer",
                0.2,
                ["no other signal: a member of the public"],
            )
        return group, round(min(best.score, 0.99), 3), best.evidence

    def __call__(self, authors: pa.Table, posts: pa.Table) -> dict[str, pa.Array]:
        """Return stakeholder, stakeholder_confidence, stakeholder_evidence for ``authors``."""
        activity = _activity(posts)
        groups, confidences, evidence = [], [], []
        # Only the columns classify reads: an author's raw record can be large.
        names = [n for n in _AUTHOR_FIELDS if n in authors.column_names]
        rows: Iterable[Any] = (
            (dict(zip(names, v, strict=True)) for v in zip(*_lists(authors, names), strict=True))
            if names
            else ({} for _ in range(authors.num_rows))
        )
        for row in rows:
            group, confidence, why = self.classify(
                row, activity.get((row.get("platform"), row.get("handle")))
            )
            groups.append(group)
            confidences.append(confidence)
            evidence.append(why)
        return {
            "stakeholder": pa.array(groups, pa.string()),
            "stakeholder_confidence": pa.array(confidences, pa.float32()),
            "stakeholder_evidence": pa.array(evidence, pa.list_(pa.string())),
            "enriched": pa.array(
                [json.dumps({self.name: self.version})] * len(groups), pa.string()
            ),
        }
