"""A small synthetic world with known answers, shared by the insight and alert tests."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa

from resonanz.ingest import derive_edges
from resonanz.records import ASPECT_TYPE, AUTHOR_SCHEMA, ENRICHED_POST_SCHEMA, to_table
from resonanz.store import Store
from resonanz.workspace import Workspace

END = datetime(2026, 3, 2, tzinfo=UTC)  # a Monday, 00:00 UTC
START = END - timedelta(weeks=5)
CRISIS_START = END - timedelta(hours=20)

CONFIG = """
[workspace]
timezone = "UTC"

[topics.acme]
kind = "brand"
query = '"Acme" OR #acme'

[topics.rival]
kind = "competitor"
query = '"Rival" OR #rival'

[[accounts]]
network = "mastodon"
handle = "acme"
"""


@dataclass
class World:
    """Posts and matches under construction, plus the answers the tests expect."""

    posts: list[dict[str, Any]] = field(default_factory=list)
    matches: list[tuple[str, str, str]] = field(default_factory=list)
    authors: dict[str, int] = field(default_factory=dict)
    answered: list[str] = field(default_factory=list)
    unanswered: list[str] = field(default_factory=list)

    def add(self, author: str, at: datetime, text: str, *, topic: str | None = "acme",
            **extra: Any) -> str:  # fmt: skip
        """Add one post and return its native id."""
        native_id = f"p{len(self.posts)}"
        self.authors.setdefault(author, 100)
        row = {
            "platform": extra.pop("platform", "mastodon"),
            "native_id": native_id,
            "author": author,
            "text": text,
            "lang": extra.pop("lang", "en"),
            "created_at": at,
            "collected_at": END,
            "sentiment": "neutral",
            "aspects": [],
            "intents": [],
            "hashtags": [],
            "mentions": [],
            "likes": 0,
            "reposts": 0,
            "replies": 0,
            **extra,
        }
        self.posts.append(row)
        if topic:
            self.matches.append((row["platform"], native_id, topic))
        return native_id


def _background(world: World, rng: random.Random) -> None:
    """Add daily-rhythm chatter about us and the rival over five weeks."""
    words = ["great", "phone", "camera", "screen", "store", "today", "order", "update"]
    hour = START
    while hour < END:
        rate = 3 if 8 <= hour.hour <= 22 else 1
        for _ in range(rng.randint(0, rate)):
            topic = "acme" if rng.random() < 0.6 else "rival"
            aspect = rng.choice(["price", "battery", "delivery", "design"])
            polarity = rng.choice(["positive", "negative", "neutral"])
            world.add(
                f"user{rng.randint(0, 80)}",
                hour + timedelta(minutes=rng.randint(0, 59)),
                f"{topic.title()} {' '.join(rng.sample(words, 3))}",
                topic=topic,
                sentiment=rng.choice(["positive", "neutral", "negative"]),
                emotion=rng.choice(["joy", "none", "anger"]),
                aspects=[{"category": aspect, "polarity": polarity}],
                likes=rng.randint(0, 5),
                lang=rng.choice(["en", "de"]),
                platform=rng.choice(["mastodon", "bluesky"]),
            )
        hour += timedelta(hours=1)


def _crisis(world: World, rng: random.Random) -> None:
    """Add a burst of negative battery posts about us in the last 20 hours."""
    for i in range(120):
        world.add(
            f"angry{i % 40}",
            CRISIS_START + timedelta(minutes=rng.randint(0, 20 * 60 - 1)),
            "Acme akku explodiert, battery overheating again #akkugate",
            sentiment="negative",
            emotion="anger",
            hashtags=["akkugate"],
            aspects=[{"category": "battery", "polarity": "negative"}],
            likes=rng.randint(0, 30),
        )


def _leaders_and_cascades(world: World) -> None:
    """Add an opinion leader with a deep cascade and a broadcaster with a wide one."""
    t0 = END - timedelta(days=3)
    root = world.add("anna", t0, "Acme is the best phone I ever had", sentiment="positive")
    world.authors["anna"] = 50_000
    parent = root
    for i in range(12):  # a person-to-person chain: high structural virality
        parent = world.add(f"chain{i}", t0 + timedelta(minutes=5 * (i + 1)), "RT", repost_of=parent)
    for i in range(30):
        world.add(f"fan{i}", t0 + timedelta(minutes=i), "so true @anna", mentions=["anna"],
                  reply_to=root, sentiment="positive")  # fmt: skip
    star = world.add("news", t0, "Rival launches a phone", topic="rival")
    for i in range(20):  # a broadcast: one hub, many leaves
        world.add(f"reader{i}", t0 + timedelta(minutes=2 * i), "RT", repost_of=star, topic=None)
    for i in range(8):
        world.add("critic", t0 - timedelta(days=i), "Acme support is terrible",
                  sentiment="negative", likes=40)  # fmt: skip
        world.add(f"fan{i}", t0 - timedelta(days=i, hours=-1), "@critic agreed",
                  mentions=["critic"])  # fmt: skip


def _own_posts_and_questions(world: World, rng: random.Random) -> None:
    """Add our own posts (18:00 does best) and questions, some answered."""
    day = START
    while day < END:
        for hour in (9, 13, 18):
            likes = rng.randint(40, 60) if hour == 18 else rng.randint(0, 10)
            world.add("acme", day + timedelta(hours=hour), "News from Acme", likes=likes)
        day += timedelta(days=1)
    asked = END - timedelta(days=2)
    for i in range(6):
        qid = world.add(f"asker{i}", asked + timedelta(hours=i), "@acme when does it ship?",
                        mentions=["acme"], intents=["question"])  # fmt: skip
        if i < 4:
            world.add("acme", asked + timedelta(hours=i, minutes=30 * (i + 1)), "@asker soon",
                      reply_to=qid)  # fmt: skip
            world.answered.append(qid)
        else:
            world.unanswered.append(qid)


def _bots(world: World) -> None:
    for i in range(60):
        world.add("spam_bot", END - timedelta(hours=i), "Buy cheap followers now", topic=None)


def build_world(folder: Path) -> tuple[Workspace, World]:
    """Write the synthetic world into a new workspace at ``folder``."""
    rng = random.Random(7)
    world = World()
    _background(world, rng)
    _crisis(world, rng)
    _leaders_and_cascades(world)
    _own_posts_and_questions(world, rng)
    _bots(world)
    ws = Workspace.init(folder, config_text=CONFIG)
    with ws.open(write=True) as store:
        write_world(store, world)
    return ws, world


def write_world(store: Store, world: World) -> None:
    """Store the world's posts, authors, derived edges and topic matches."""
    posts = to_table(world.posts, ENRICHED_POST_SCHEMA)
    assert posts.schema.field("aspects").type.value_type == ASPECT_TYPE
    authors = to_table(
        [
            {"platform": p, "handle": h, "followers": f, "updated_at": END}
            for h, f in world.authors.items()
            for p in ("mastodon", "bluesky")
        ],
        AUTHOR_SCHEMA,
    )
    matches = pa.table(
        {
            "platform": [m[0] for m in world.matches],
            "native_id": [m[1] for m in world.matches],
            "topic": [m[2] for m in world.matches],
        }
    )
    with store.transaction():
        store.upsert_posts(posts)
        store.upsert_authors(authors)
        store.insert_edges(derive_edges(posts))
        store.insert_matches(matches)
