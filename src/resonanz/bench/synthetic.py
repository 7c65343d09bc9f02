"""Generate synthetic posts quickly: JSON Lines files for import runs, Arrow tables for stores."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

import numpy as np
import orjson
import pyarrow as pa

from resonanz.records import POST_SCHEMA

_WORD_TEXT: Final = (
    "acme phone akku battery lieferung delivery support preis price kamera camera display "
    "update app bug fix neu new super schlecht great bad warum why wann when heute today "
    "morgen tomorrow kunde customer service hotline bestellung order rechnung invoice bahn "
    "zug train verspätung delay danke thanks bitte please endlich finally wieder again "
    "leider sadly toll awesome kaputt broken läuft works rival angebot offer"
)
_WORDS: Final = tuple(_WORD_TEXT.split())
_TAGS: Final = ("acme", "acmephone", "rival", "tech", "kundenservice", "akku", "deal", "news")
_START: Final = datetime(2026, 1, 1, tzinfo=UTC)


def _text(rng: random.Random, i: int) -> str:
    words = rng.choices(_WORDS, k=rng.randint(6, 22))
    if rng.random() < 0.4:
        words.append("#" + rng.choice(_TAGS))
    if rng.random() < 0.3:
        words.insert(0, f"@user{rng.randrange(20_000)}")
    if rng.random() < 0.15:
        words.append(f"https://shop.example/p/{i % 997}")
    return " ".join(words).capitalize()


def write_jsonl(path: Path, posts: int, *, seed: int = 7, authors: int = 50_000) -> int:
    """Write ``posts`` synthetic import-format lines to ``path``; return its size in bytes."""
    rng = random.Random(seed)
    texts = [_text(rng, i) for i in range(min(posts, 20_000))]
    with path.open("wb") as fh:
        buffer: list[bytes] = []
        for i in range(posts):
            author = rng.randrange(authors)
            record: dict[str, object] = {
                "id": f"p{i}",
                "text": texts[i % len(texts)],
                "created_at": (_START + timedelta(seconds=i * 7)).isoformat(),
                "author": f"user{author}",
                "author_name": f"User {author}",
                "author_followers": author * 3 % 10_000,
                "lang": "de" if author % 3 else "en",
                "likes": rng.randrange(50),
                "reposts": rng.randrange(10),
                "replies": rng.randrange(5),
            }
            if i and rng.random() < 0.2:
                record["reply_to"] = f"p{rng.randrange(i)}"
            buffer.append(orjson.dumps(record))
            if len(buffer) >= 10_000:
                fh.write(b"\n".join(buffer) + b"\n")
                buffer.clear()
        if buffer:
            fh.write(b"\n".join(buffer) + b"\n")
    return path.stat().st_size


def posts_table(start: int, count: int, *, seed: int = 11) -> pa.Table:
    """Return ``count`` synthetic posts (ids ``start`` …) as a posts table, built vectorised."""
    rng = np.random.default_rng(seed + start)
    pyrng = random.Random(seed)
    pool = [_text(pyrng, i) for i in range(5_000)]
    ids = np.arange(start, start + count)
    authors = rng.integers(0, 50_000, count)
    created = np.datetime64(_START.replace(tzinfo=None), "us") + (ids * 7_000_000).astype(
        "timedelta64[us]"
    )
    texts = pa.array(pool).take(pa.array(rng.integers(0, len(pool), count)))
    columns = {
        "platform": pa.array(np.where(ids % 4 == 0, "mastodon", "bluesky")),
        "native_id": pa.array([f"p{i}" for i in ids.tolist()]),
        "author": pa.array([f"user{a}" for a in authors.tolist()]),
        "text": texts,
        "lang": pa.array(np.where(authors % 3 == 0, "en", "de")),
        "created_at": pa.array(created, pa.timestamp("us", tz="UTC")),
        "collected_at": pa.array(created, pa.timestamp("us", tz="UTC")),
        "likes": pa.array(rng.integers(0, 50, count)),
    }
    arrays = [
        columns[f.name] if f.name in columns else pa.nulls(count, f.type) for f in POST_SCHEMA
    ]
    return pa.Table.from_arrays(arrays, schema=POST_SCHEMA)
