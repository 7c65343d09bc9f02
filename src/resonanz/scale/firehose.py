"""Generate a synthetic firehose: short German and English posts about many brands.

Throughput and memory measurements need millions of posts that look like social media
(20–35 tokens, opinions, questions, hashtags, mentions, links, emoji) without any data set.
Texts are assembled from clause templates and a word pool, so almost every text is unique
and no cache in the pipeline can make a measurement look better than a real stream.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

import orjson

T0: Final = datetime(2026, 3, 1, tzinfo=UTC)
PLATFORMS: Final = ("bluesky", "mastodon", "reddit")

_EN_CLAUSES: Final = (
    "the new {b} phone is absolutely amazing",
    "my {b} order arrived late again and support never answers",
    "honestly the {b} app keeps crashing after the update",
    "does anyone know how long {b} delivery takes to Ireland?",
    "thinking about switching from {b} to something else, the price is a joke",
    "love the camera on the {b}, best purchase this year",
    "the battery of my {b} died after two days, terrible",
    "{b} customer service was friendly and fixed it in ten minutes",
    "is the {b} worth it or should I wait for the sale?",
    "just ordered the {b} bundle with the discount code",
    "not impressed by the {b} launch event tbh",
    "would recommend {b} to anyone who needs a reliable laptop",
    "why is the {b} website down again",
    "great news from {b} today",
)
_DE_CLAUSES: Final = (
    "der Akku meines {b} ist nach zwei Tagen kaputt",
    "die Lieferung von {b} hat schon wieder eine Woche gedauert",
    "wie lange dauert der Versand von {b} nach Österreich?",
    "ich bin total begeistert von der Kamera des {b}",
    "der Kundenservice von {b} war super freundlich und schnell",
    "überlege zu kündigen, {b} ist einfach zu teuer geworden",
    "hat jemand Erfahrung mit dem neuen {b}?",
    "das Update von {b} ist eine Katastrophe",
    "habe gerade das {b} mit Rabatt bestellt",
    "kann ich {b} wirklich empfehlen, läuft seit Monaten ohne Probleme",
    "warum antwortet {b} nicht auf meine Mails",
    "die App von {b} stürzt ständig ab, so ein Mist",
    "endlich ist das {b} wieder lieferbar",
)
_EN_WORDS: Final = [
    "today",
    "really",
    "just",
    "still",
    "maybe",
    "again",
    "finally",
    "literally",
    "seriously",
    "anyway",
    "though",
    "morning",
    "evening",
    "weekend",
    "office",
    "train",
    "coffee",
    "family",
    "friends",
    "team",
    "city",
    "home",
    "work",
    "quite",
    "very",
    "pretty",
    "super",
    "kinda",
    "actually",
    "definitely",
    "probably",
]
_DE_WORDS: Final = [
    "heute",
    "wirklich",
    "einfach",
    "immer",
    "noch",
    "vielleicht",
    "wieder",
    "endlich",
    "echt",
    "total",
    "eigentlich",
    "morgen",
    "abend",
    "Wochenende",
    "Büro",
    "Zug",
    "Kaffee",
    "Familie",
    "Freunde",
    "Team",
    "Stadt",
    "Hause",
    "Arbeit",
    "ziemlich",
    "sehr",
    "ganz",
    "irgendwie",
    "halt",
    "doch",
    "mal",
    "schon",
]
_TAILS: Final = ("😍", "🙄", "👍", "😡", "!!", "...", "lol", "smh", ":)", "🔥")


def brands(count: int) -> list[str]:
    """Return ``count`` brand names (``marke0x`` …), as :mod:`resonanz.query.benchmark` uses."""
    return [f"marke{i}x" for i in range(count)]


def topic_queries(count: int, *, seed: int = 7) -> dict[str, str]:
    """Return ``count`` listening queries about the brands, in the shapes teams write.

    Brand names with variants and exclusions, wildcards, NEAR clauses, phrases, hashtag,
    site and field operators; one in a hundred is NOT-only (checked against every post).
    """
    rng = random.Random(seed)
    names = brands(count)
    words = [w.lower() for w in (*_EN_WORDS, *_DE_WORDS)]
    shapes = (
        '({b} OR "{b} gmbh" OR #{b}) -{w}',
        "{b}* AND ({w} OR {v})",
        "{b} NEAR/5 ({w} OR {v})",
        '"{b} {w}" OR site:{b}.example',
        "(@{b} OR {b}) lang:de -author:spam*",
    )
    queries = {}
    for i in range(count):
        b, w, v = names[i], rng.choice(words), rng.choice(words)
        queries[f"t{i}"] = shapes[i % len(shapes)].format(b=b, w=w, v=v)
    for i in range(0, count, 100):
        queries[f"t{i}"] = f"-{rng.choice(words)} -#{rng.choice(words)}"
    return queries


def _text(rng: random.Random, names: list[str], german: bool) -> str:
    clauses = _DE_CLAUSES if german else _EN_CLAUSES
    words = _DE_WORDS if german else _EN_WORDS
    # Brands follow a Zipf-like law: a few are everywhere, most are rare.
    name = names[min(int(rng.paretovariate(1.2)) - 1, len(names) - 1)]
    parts = [rng.choice(clauses).format(b=name.capitalize())]
    if rng.random() < 0.6:
        parts.append(rng.choice(clauses).format(b=rng.choice(names)))
    parts.append(" ".join(rng.choices(words, k=rng.randint(2, 6))))
    if rng.random() < 0.3:
        parts.append(f"#{rng.choice(names)}")
    if rng.random() < 0.2:
        parts.append(f"@user{rng.randrange(100_000)}")
    if rng.random() < 0.1:
        parts.append(f"https://{name}.example/p/{rng.randrange(10_000)}")
    if rng.random() < 0.5:
        parts.append(rng.choice(_TAILS))
    return " ".join(parts)


def post_rows(
    count: int, *, seed: int = 42, topics: int = 500, start: int = 0
) -> Iterator[dict[str, Any]]:
    """Yield ``count`` posts in the JSON Lines import format (no language given)."""
    rng = random.Random(seed * 1_000_003 + start)
    names = brands(topics)
    for i in range(start, start + count):
        author = f"user{rng.randrange(200_000)}"
        row: dict[str, Any] = {
            "id": f"p{i}",
            "platform": PLATFORMS[i % 3],
            "author": author,
            "text": _text(rng, names, german=rng.random() < 0.5),
            "created_at": (T0 + timedelta(milliseconds=i * 7)).isoformat(),
            "likes": rng.randrange(50),
        }
        if i > 1000 and rng.random() < 0.15:
            row["reply_to"] = f"p{i - rng.randrange(1, 1000)}"
        yield row


def jsonl_lines(
    count: int, *, seed: int = 42, topics: int = 500, start: int = 0
) -> Iterator[bytes]:
    """Yield the posts of :func:`post_rows` as JSON lines (with the newline)."""
    for row in post_rows(count, seed=seed, topics=topics, start=start):
        yield orjson.dumps(row, option=orjson.OPT_APPEND_NEWLINE)


def write_jsonl(
    path: Path, count: int, *, start: int = 0, seed: int = 42, pool: int = 50_000
) -> None:
    """Write ``count`` posts (ids ``p{start}`` …) to ``path`` as JSON Lines, fast.

    Up to ``pool`` distinct posts are rendered once and repeated with fresh ids, so files of
    millions of posts take seconds to write.
    """
    tails = [
        orjson.dumps({k: v for k, v in row.items() if k != "id"})[1:]
        for row in post_rows(min(count, pool), seed=seed)
    ]
    with path.open("wb") as fh:
        lines: list[bytes] = []
        for i in range(start, start + count):
            lines.append(b'{"id":"p%d",' % i + tails[(i - start) % len(tails)] + b"\n")
            if len(lines) >= 10_000:
                fh.writelines(lines)
                lines.clear()
        fh.writelines(lines)


def jetstream_event(row: dict[str, Any], time_us: int) -> dict[str, Any]:
    """Return a Jetstream commit event creating the post of an import-format ``row``."""
    did = f"did:plc:{row['author']}"
    record: dict[str, Any] = {
        "$type": "app.bsky.feed.post",
        "text": row["text"],
        "createdAt": datetime.fromtimestamp(time_us / 1e6, UTC).isoformat().replace("+00:00", "Z"),
        "langs": [],
    }
    return {
        "did": did,
        "time_us": time_us,
        "kind": "commit",
        "commit": {
            "rev": f"r{time_us}",
            "operation": "create",
            "collection": "app.bsky.feed.post",
            "rkey": str(row["id"]),
            "record": record,
            "cid": f"bafy{row['id']}",
        },
    }
