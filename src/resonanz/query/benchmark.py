"""Measure the topic matcher on a synthetic stream: ``python -m resonanz.query.benchmark``.

``resonanz bench`` runs it as ``resonanz.bench.topic_matching``.

The stream mixes German and English words (with umlauts and ß) drawn from a Zipf-like
distribution, brand and product names, hashtags, mentions and links; the topics mimic what
marketing teams write: brand names with spelling variants, product phrases with wildcards,
NEAR clauses, hashtag/site/field operators, exclusions, and a few NOT-only topics that
cannot be prefiltered.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from datetime import UTC, datetime

import pyarrow as pa

from resonanz.query.matcher import TopicMatcher, parse_topics
from resonanz.query.prefilter import unanchored
from resonanz.records import POST_SCHEMA, to_table

_SYLLABLES = [
    "bahn",
    "ber",
    "gen",
    "stra",
    "ße",
    "haus",
    "müll",
    "er",
    "schö",
    "ne",
    "grü",
    "ße",
    "kauf",
    "preis",
    "lie",
    "fer",
    "app",
    "ser",
    "vice",
    "kun",
    "de",
    "fahr",
    "rad",
    "auto",
    "zug",
    "ver",
    "spä",
    "tung",
    "good",
    "great",
    "bad",
    "price",
    "ship",
    "ping",
    "order",
    "help",
    "love",
    "hate",
    "qual",
    "ity",
    "fast",
    "slow",
    "phone",
    "screen",
    "bat",
    "tery",
    "news",
    "blog",
    "ment",
    "ion",
    "ung",
    "keit",
    "lich",
]


def _vocabulary(rng: random.Random, size: int) -> list[str]:
    words = {"".join(rng.choices(_SYLLABLES, k=rng.randint(1, 3))) for _ in range(size * 2)}
    return sorted(words)[:size]


def synthetic_posts(rng: random.Random, count: int, brands: list[str]) -> pa.Table:
    """Return ``count`` synthetic posts mentioning ``brands`` now and then."""
    vocab = _vocabulary(rng, 3000)
    weights = [1.0 / (rank + 1) for rank in range(len(vocab))]
    now = datetime.now(UTC)
    rows = []
    for i in range(count):
        text = rng.choices(vocab, weights, k=rng.randint(12, 35))
        if rng.random() < 0.3:
            text.insert(rng.randrange(len(text)), rng.choice(brands).capitalize())
        if rng.random() < 0.2:
            text.append("#" + rng.choice(vocab))
        rows.append(
            {
                "platform": rng.choice(("mastodon", "bluesky", "reddit")),
                "native_id": str(i),
                "author": f"user{rng.randrange(5000)}@social.example",
                "text": " ".join(text),
                "lang": rng.choice(("de", "en")),
                "created_at": now,
                "collected_at": now,
                "hashtags": [rng.choice(vocab)] if rng.random() < 0.3 else [],
                "mentions": [f"user{rng.randrange(5000)}"] if rng.random() < 0.2 else [],
                "links": [f"https://{rng.choice(brands)}.example/p"] if rng.random() < 0.1 else [],
            }
        )
    return to_table(rows, POST_SCHEMA)


def synthetic_topics(rng: random.Random, count: int, brands: list[str]) -> dict[str, str]:
    """Return ``count`` topics in the shapes marketing teams write."""
    vocab = _vocabulary(rng, 3000)[200:]  # mid-frequency words, not the commonest
    shapes = [
        lambda b, w: f'({b} OR "{b} gmbh" OR #{b}) -{w}',
        lambda b, w: f"{b}* AND ({w} OR {rng.choice(vocab)})",
        lambda b, w: f"{b} NEAR/5 ({w} OR {rng.choice(vocab)})",
        lambda b, w: f'"{b} {w}" OR site:{b}.example',
        lambda b, w: f"(@{b} OR {b}) lang:de -author:spam*",
    ]
    topics = {
        f"t{i}": shapes[i % len(shapes)](brands[i % len(brands)], rng.choice(vocab))
        for i in range(count)
    }
    for i in range(max(1, count // 100)):  # NOT-only topics: evaluated on every post
        topics[f"t{i}"] = f"-{rng.choice(vocab)} -#{rng.choice(vocab)}"
    return topics


def measure(
    *, topics: int = 500, posts: int = 10_000, rounds: int = 3, seed: int = 7
) -> dict[str, object]:
    """Return the matcher's best throughput over ``rounds`` batches of ``posts`` posts."""
    rng = random.Random(seed)
    brands = [f"marke{i}x" for i in range(topics)]
    table = synthetic_posts(rng, posts, brands)
    queries = synthetic_topics(rng, topics, brands)
    started = time.perf_counter()
    matcher = TopicMatcher(queries)
    build_s = time.perf_counter() - started
    best = best_cpu = float("inf")
    matches = 0
    for _ in range(rounds):
        started, started_cpu = time.perf_counter(), time.process_time()
        matches = matcher(table).num_rows
        best = min(best, time.perf_counter() - started)
        best_cpu = min(best_cpu, time.process_time() - started_cpu)
    return {
        "topics": topics,
        "posts": posts,
        "unanchored_topics": len(unanchored(parse_topics(queries))),
        "build_s": round(build_s, 3),
        "batch_s": round(best, 4),
        "posts_per_s": round(posts / best),
        "batch_cpu_s": round(best_cpu, 4),
        "posts_per_cpu_s": round(posts / best_cpu),
        "matches": matches,
    }


def main() -> None:
    """Print the throughput as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--topics", type=int, default=500)
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(json.dumps(measure(topics=args.topics, posts=args.posts, rounds=args.rounds)))


if __name__ == "__main__":
    main()
