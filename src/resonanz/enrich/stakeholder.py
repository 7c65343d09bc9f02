"""Stakeholder group of every author: from bio, handle, name, reach and behaviour in the batch."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
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


_DEFAULT = ("customer", 0.2, ["no other signal: a member of the public"])
_BUYS = ("prospect", 0.55, ["asks about buying"])
_COMPLAINS = ("customer", 0.55, ["complains about a product or service"])
#: Joins platform and handle into one key (no handle holds it).
_KEY_SEP = "\x1f"


def _activity(posts: pa.Table, detailed: bool = True) -> pa.Table | None:
    """Return per (platform, author) batch counts: posts, buying and complaining posts, and
    (``detailed``) distinct texts, posts with links and the time span."""
    if posts.num_rows == 0 or "author" not in posts.column_names:
        return None
    columns = {
        "platform": posts.column("platform"),
        "author": posts.column("author"),
        "text": posts.column("text"),
        "purchase": _intent_flag(posts, "purchase_intent"),
        "complaint": _intent_flag(posts, "complaint"),
    }
    sums = [("text", "count"), ("purchase", "sum"), ("complaint", "sum")]
    if detailed:
        has_links = pc.greater(pc.fill_null(pc.list_value_length(posts.column("links")), 0), 0)
        columns |= {"links": pc.cast(has_links, pa.int64()), "created_at": posts["created_at"]}
        sums += [
            ("text", "count_distinct"),
            ("links", "sum"),
            ("created_at", "min"),
            ("created_at", "max"),
        ]
    table = pa.table(columns)
    return table.group_by(["platform", "author"], use_threads=False).aggregate(sums)


def _posts_of(posts: pa.Table, authors: pa.Table) -> pa.Table:
    """Return the posts of ``posts`` written by one of ``authors``."""
    known = {"platform", "handle"} <= set(authors.column_names)
    if "author" not in posts.column_names or not known:
        return posts.slice(0, 0)
    wanted = pc.binary_join_element_wise(authors["platform"], authors["handle"], _KEY_SEP)
    keys = pc.binary_join_element_wise(posts["platform"], posts["author"], _KEY_SEP)
    return posts.filter(pc.is_in(keys, value_set=wanted))


def _activity_rows(authors: pa.Table, activity: pa.Table | None) -> np.ndarray:
    """Return each author's row in ``activity`` (-1: no posts in the batch, or no handle)."""
    if activity is None or not {"platform", "handle"} <= set(authors.column_names):
        return np.full(authors.num_rows, -1, dtype=np.int64)
    stats_keys = pc.binary_join_element_wise(
        activity["platform"], activity["author"], _KEY_SEP, null_handling="emit_null"
    )
    keys = pc.binary_join_element_wise(
        authors["platform"], authors["handle"], _KEY_SEP, null_handling="emit_null"
    )
    found = pc.index_in(keys, value_set=stats_keys)
    empty = pc.fill_null(pc.equal(authors["handle"], ""), True)  # an empty handle has no stats
    found = pc.if_else(empty, pa.scalar(None, found.type), found)
    return np.asarray(pc.fill_null(found, -1).to_numpy(zero_copy_only=False), dtype=np.int64)


def _stats_signals(activity: pa.Table | None, rows: np.ndarray) -> dict[str, np.ndarray]:
    """Return per author: 3+ posts in the batch (every count rule needs that), buys, complains."""
    out = {name: np.zeros(len(rows), dtype=bool) for name in ("many", "purchase", "complaint")}
    if activity is None or not len(activity):
        return out
    known, at = rows >= 0, np.maximum(rows, 0)
    many = np.asarray(activity["text_count"].to_numpy(zero_copy_only=False)) >= 3
    out["many"] = known & many[at]
    for name in ("purchase", "complaint"):
        sums = pc.fill_null(activity[f"{name}_sum"], 0).to_numpy(zero_copy_only=False)
        out[name] = known & (np.asarray(sums)[at] > 0)
    return out


def _filled(table: pa.Table, name: str, measure: Any, fill: object) -> np.ndarray:
    """Return a column (``measure`` of it, if given) as a NumPy array, nulls as ``fill``."""
    if name not in table.column_names:
        return np.full(table.num_rows, fill)
    column = table.column(name)
    if measure is not None:
        column = measure(column)
    return np.asarray(pc.fill_null(column, fill).to_numpy())


def _names(authors: pa.Table) -> pa.ChunkedArray | pa.Array:
    """Return each author's handle and display name, lower-cased, at most 300 characters.

    Arrow lower-cases ASCII exactly as Python does; other names are lower-cased by Python.
    """
    parts = [
        pc.fill_null(authors[name], "") if name in authors.column_names else None
        for name in ("handle", "display_name")
    ]
    empty = pa.array([""] * authors.num_rows, pa.string())
    joined = pc.binary_join_element_wise(parts[0] or empty, parts[1] or empty, " ")
    names = pc.utf8_slice_codeunits(pc.ascii_lower(joined), 0, 300)
    other = np.flatnonzero(~np.asarray(pc.string_is_ascii(joined).to_numpy(zero_copy_only=False)))
    if not len(other):
        return names
    texts = names.to_pylist()
    for i, text in zip(other.tolist(), joined.take(pa.array(other)).to_pylist(), strict=True):
        texts[i] = text.lower()[:300]
    return pa.array(texts, pa.string())


def _lists(table: pa.Table, names: Sequence[str] | None = None) -> list[list[Any]]:
    """Return the given columns (all by default) of ``table`` as Python lists."""
    return [table.column(n).to_pylist() for n in (names or table.column_names)]


def _column(table: pa.Table, name: str) -> list[Any]:
    """Return a column as a Python list (all None when the table lacks it)."""
    if name in table.column_names:
        return table.column(name).to_pylist()  # type: ignore[no-any-return]
    return [None] * table.num_rows


def _intent_flag(posts: pa.Table, intent: str) -> pa.Array:
    if "intents" not in posts.column_names:
        return pa.array(np.zeros(posts.num_rows, dtype=np.int64))
    lists = posts.column("intents").combine_chunks()
    hit = pc.fill_null(pc.equal(pc.list_flatten(lists), intent), False)
    parents = np.asarray(pc.list_parent_indices(lists).filter(hit).to_numpy(), dtype=np.int64)
    flags = np.bincount(parents, minlength=posts.num_rows) > 0
    return pa.array(flags.astype(np.int64))


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
            found["prospect"].add(_BUYS[1], _BUYS[2][0])
        if stats["complaint_sum"]:
            found["customer"].add(_COMPLAINS[1], _COMPLAINS[2][0])

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

    def _busy_profiles(self, authors: pa.Table) -> np.ndarray:
        """Return where an author's profile may carry a signal (the others are the default).

        A superset is fine: those authors are classified one by one by :meth:`classify`.
        """
        busy = _filled(authors, "bio", pc.binary_length, 0) > 0
        busy |= _filled(authors, "is_bot", None, False)
        busy |= _filled(authors, "followers", None, 0) >= 10_000
        names = _names(authors)
        busy |= np.asarray(pc.match_substring(names, "bot").to_numpy(zero_copy_only=False))
        busy[self.competitors.texts_with_hits(names.to_pylist())] = True
        return busy

    def __call__(self, authors: pa.Table, posts: pa.Table) -> dict[str, pa.Array]:
        """Return stakeholder, stakeholder_confidence, stakeholder_evidence for ``authors``.

        Most authors of a batch show no signal at all; they get the default group without a
        Python call each, and only the others go through :meth:`classify`.
        """
        counts = _activity(posts, detailed=False)
        signals = _stats_signals(counts, _activity_rows(authors, counts))
        one_by_one = self._busy_profiles(authors) | signals["many"]
        groups: list[str] = [_DEFAULT[0]] * authors.num_rows
        confidences: list[float] = [_DEFAULT[1]] * authors.num_rows
        evidence: list[list[str]] = [_DEFAULT[2]] * authors.num_rows
        # Without profile signals and with few posts, only buying or complaining can count.
        complains = np.flatnonzero(~one_by_one & ~signals["purchase"] & signals["complaint"])
        for i in complains.tolist():
            groups[i], confidences[i], evidence[i] = _COMPLAINS
        for i in np.flatnonzero(~one_by_one & signals["purchase"]).tolist():
            groups[i], confidences[i], evidence[i] = _BUYS
        busy = np.flatnonzero(one_by_one)
        # Only the columns classify reads: an author's raw record can be large.
        names = [n for n in _AUTHOR_FIELDS if n in authors.column_names]
        picked = authors.take(pa.array(busy, pa.int64()))
        # the detailed counts only of the authors classified one by one: a few in a batch
        activity = _activity(_posts_of(posts, picked))
        rows = (
            (dict(zip(names, v, strict=True)) for v in zip(*_lists(picked, names), strict=True))
            if names
            else ({} for _ in busy)
        )
        stats = self._stats(activity, _activity_rows(picked, activity))
        for i, row, stat in zip(busy.tolist(), rows, stats, strict=True):
            groups[i], confidences[i], evidence[i] = self.classify(row, stat)
        return {
            "stakeholder": pa.array(groups, pa.string()),
            "stakeholder_confidence": pa.array(confidences, pa.float32()),
            "stakeholder_evidence": pa.array(evidence, pa.list_(pa.string())),
            "enriched": pa.array(
                [json.dumps({self.name: self.version})] * len(groups), pa.string()
            ),
        }

    @staticmethod
    def _stats(activity: pa.Table | None, rows: np.ndarray) -> list[dict[str, Any] | None]:
        """Return the batch statistics dict of each given activity row (None for -1)."""
        if activity is None:
            return [None] * len(rows)
        taken = activity.take(pa.array(np.maximum(rows, 0), pa.int64()))
        names = taken.column_names
        values = zip(*_lists(taken), strict=True) if len(rows) else iter(())
        return [
            dict(zip(names, v, strict=True)) if row >= 0 else None
            for row, v in zip(rows.tolist(), values, strict=True)
        ]
