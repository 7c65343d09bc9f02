"""The simulator's ground truth: what it made happen, written beside the workspace."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from resonanz.demo.brand import BRAND, CAMPAIGN, COMPETITORS, CRISIS_ASPECT, CRISIS_PRODUCT
from resonanz.demo.events import CRISIS_PLATFORMS
from resonanz.demo.simulate import Simulation
from resonanz.demo.timeline import TIMEZONE, best_slots
from resonanz.demo.world import SimPost
from resonanz.errors import WorkspaceError

TRUTH_NAME = "demo-truth.json"
LABELS_NAME = "demo-labels.parquet"
AUTHORS_NAME = "demo-authors.parquet"


def iso(at: datetime) -> str:
    """Return an ISO 8601 UTC timestamp."""
    return at.isoformat()


def cascade_stats(posts: list[SimPost]) -> dict[int, dict[str, float]]:
    """Return size, depth, widest level and structural virality of every post's tree.

    Structural virality is the mean distance between all pairs of nodes (Goel et al. 2016),
    computed from subtree sizes: each edge lies on ``s * (n - s)`` of the paths.
    """
    below = [1] * len(posts)
    for post in reversed(posts):
        if post.parent is not None:
            below[post.parent] += below[post.idx]
    members: dict[int, list[SimPost]] = defaultdict(list)
    for post in posts:
        members[post.root if post.root is not None else post.idx].append(post)
    stats: dict[int, dict[str, float]] = {}
    for root, nodes in members.items():
        n = len(nodes)
        levels = Counter(p.depth for p in nodes)
        paths = sum(below[p.idx] * (n - below[p.idx]) for p in nodes if p.idx != root)
        stats[root] = {
            "size": n,
            "depth": max(levels),
            "max_breadth": max(levels.values()),
            "structural_virality": round(2 * paths / (n * (n - 1)), 4) if n > 1 else 0.0,
        }
    return stats


def ranked_leaders(sim: Simulation) -> list[dict[str, Any]]:
    """Rank the opinion leaders by how many distinct people interacted with them."""
    posts = sim.world.posts
    people: dict[tuple[str, str], set[str]] = defaultdict(set)
    for post in posts:
        if post.parent is not None:
            target = posts[post.parent].author
            if target.leader and target is not post.author:
                people[(target.platform, target.handle)].add(post.author.handle)
        for handle in post.mentions:
            people[(post.author.platform, handle)].add(post.author.handle)
    rows = [
        {
            "platform": a.platform,
            "handle": a.handle,
            "group": a.group,
            "followers": a.followers,
            "interacting_authors": len(people[(a.platform, a.handle)]),
        }
        for a in sim.world.leaders()
    ]
    rows.sort(key=lambda r: (-int(r["interacting_authors"] or 0), str(r["handle"])))
    return rows


def _addressed(sim: Simulation, key: str) -> dict[str, list[dict[str, Any]]]:
    book = sim.world.truth.get(key, {"answered": [], "unanswered": []})
    posts, ids = sim.world.posts, sim.ids
    answered = []
    for asked, reply in book["answered"]:
        q, r = posts[asked], posts[reply]
        minutes = (r.created_at - q.created_at).total_seconds() / 60
        answered.append(
            {
                "platform": q.author.platform,
                "native_id": ids[asked],
                "reply_native_id": ids[reply],
                "answered_by": r.author.handle,
                "answered_at": iso(r.created_at),
                "response_minutes": round(minutes, 1),
            }
        )
    unanswered = [
        {
            "platform": posts[i].author.platform,
            "native_id": ids[i],
            "asked_at": iso(posts[i].created_at),
        }
        for i, _ in book["unanswered"]
    ]
    return {"answered": answered, "unanswered": unanswered}


def build_truth(sim: Simulation, seed: int) -> dict[str, Any]:
    """Return the ground-truth document of a finished simulation."""
    world, ids = sim.world, sim.ids
    stats = cascade_stats(world.posts)
    viral_root = next(r for r in sim.campaign.roots if r.author.platform == "mastodon")
    window = world.crisis_window
    assert window is not None
    crisis_posts = [p for p in world.posts if p.crisis]
    links = sorted({link for p in world.posts if p.campaign for link in p.links})
    codes = [
        {"code": code, "platform": platform, "handle": handle, "link": _link_of(links, code)}
        for (platform, handle), code in sorted(sim.campaign.codes.items())
    ]
    return {
        "seed": seed,
        "anchor": iso(world.clock.anchor),
        "window": {"start": iso(world.clock.start), "end": iso(world.clock.anchor)},
        "posts": len(world.posts),
        "timezone": TIMEZONE,
        "brand": {"key": BRAND.key, "name": BRAND.name, "domain": BRAND.domain, "topic": BRAND.key},
        "competitors": [{"key": c.key, "name": c.name, "topic": c.key} for c in COMPETITORS],
        "products": [
            {"key": p.key, "name": p.name, "full": p.full, "topic": p.key} for p in BRAND.products
        ],
        "own_accounts": [{"platform": p, "handle": a.handle} for p, a in sorted(world.own.items())],
        "opinion_leaders": ranked_leaders(sim),
        "crisis": {
            "topic": CRISIS_PRODUCT,
            "product": CRISIS_PRODUCT,
            "aspect": CRISIS_ASPECT,
            "start": iso(window[0]),
            "peak": iso(window[0] + timedelta(hours=20)),
            "end": iso(window[1]),
            "platforms": list(CRISIS_PLATFORMS),
            "emotions": ["anger", "fear"],
            "posts": len(crisis_posts),
            "originals": sum(1 for p in crisis_posts if p.kind == "post"),
        },
        "viral_cascade": {
            "platform": "mastodon",
            "root_native_id": ids[viral_root.idx],
            "campaign": CAMPAIGN["key"],
            **stats[viral_root.idx],
        },
        "questions": _addressed(sim, "questions"),
        "complaints": _addressed(sim, "complaints"),
        "campaign": {
            "key": CAMPAIGN["key"],
            "name": CAMPAIGN["name"],
            "topic": CAMPAIGN["key"],
            "hashtag": CAMPAIGN["hashtag"],
            "start": iso(sim.campaign.start),
            "root_posts": [
                {"platform": r.author.platform, "native_id": ids[r.idx]} for r in sim.campaign.roots
            ],
            "links": links,
            "referral_codes": codes,
        },
        "bots": [
            {"platform": a.platform, "handle": a.handle, "flagged": a.is_bot}
            for a in world.authors
            if a.group == "bot"
        ],
        "timing": {"timezone": TIMEZONE, "best_slots": best_slots(5)},
        "events": [
            {
                "kind": "launch",
                "topic": COMPETITORS[1].key,
                "start": iso(world.clock.anchor - timedelta(days=58)),
            }
        ],
        "stakeholders": dict(sorted(Counter(a.group for a in world.authors).items())),
        "labels_file": LABELS_NAME,
        "authors_file": AUTHORS_NAME,
    }


def _link_of(links: list[str], code: str) -> str | None:
    return next((link for link in links if f"/l/{code}?" in link), None)


def labels_table(sim: Simulation) -> pa.Table:
    """Return the intended labels of every post (joins to ``posts`` on platform, native_id)."""
    posts, ids = sim.world.posts, sim.ids
    return pa.table(
        {
            "platform": [p.author.platform for p in posts],
            "native_id": ids,
            "kind": [p.kind for p in posts],
            "slot": [p.slot for p in posts],
            "sentiment": [p.sentiment for p in posts],
            "emotion": [p.emotion for p in posts],
            "aspect": [p.aspect for p in posts],
            "polarity": [p.polarity for p in posts],
            "intents": [list(p.intents) for p in posts],
            "company": [p.company for p in posts],
            "product": [p.product for p in posts],
            "crisis": [p.crisis for p in posts],
            "campaign": [p.campaign for p in posts],
            "root_native_id": [ids[p.root if p.root is not None else p.idx] for p in posts],
            "author_group": [p.author.group for p in posts],
        }
    )


def authors_table(sim: Simulation) -> pa.Table:
    """Return every author's true stakeholder group."""
    authors = sim.world.authors
    return pa.table(
        {
            "platform": [a.platform for a in authors],
            "handle": [a.handle for a in authors],
            "group": [a.group for a in authors],
            "leader": [a.leader for a in authors],
            "owns": [a.owns.key if a.owns else None for a in authors],
            "product": [a.product.key if a.product else None for a in authors],
        }
    )


def write_truth(folder: Path, sim: Simulation, seed: int) -> dict[str, Any]:
    """Write the truth document and the label tables into ``folder``; return the document."""
    truth = build_truth(sim, seed)
    (folder / TRUTH_NAME).write_text(json.dumps(truth, ensure_ascii=False, indent=1), "utf-8")
    pq.write_table(labels_table(sim), folder / LABELS_NAME)
    pq.write_table(authors_table(sim), folder / AUTHORS_NAME)
    return truth


def load_truth(folder: Path) -> dict[str, Any]:
    """Read the ground truth of a demo workspace."""
    path = Path(folder) / TRUTH_NAME
    if not path.exists():
        raise WorkspaceError(
            f"{folder} is not a demo workspace (no {TRUTH_NAME}); run `resonanz demo`"
        )
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return data


def load_labels(folder: Path) -> pa.Table:
    """Read the intended labels of every post of a demo workspace."""
    path = Path(folder) / LABELS_NAME
    if not path.exists():
        raise WorkspaceError(
            f"{folder} has no {LABELS_NAME}; rebuild it with `resonanz demo --force`"
        )
    return pq.read_table(path)


def load_author_labels(folder: Path) -> pa.Table:
    """Read the true stakeholder group of every author of a demo workspace."""
    path = Path(folder) / AUTHORS_NAME
    if not path.exists():
        raise WorkspaceError(
            f"{folder} has no {AUTHORS_NAME}; rebuild it with `resonanz demo --force`"
        )
    return pq.read_table(path)
