"""Benchmark: the topic matcher's throughput with 500 topics, and the cost of storing matches.

The synthetic stream of :mod:`resonanz.query.benchmark` gives the matcher's posts per second.
The firehose of :mod:`resonanz.scale.firehose` (the posts and 500 topics the pipeline
benchmarks use) gives microseconds per post for matching and for storing the matches, the
latter at the start and after about a million stored matches (it must stay flat).
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from resonanz.bench.context import BenchContext
from resonanz.query.benchmark import measure
from resonanz.query.fold import HASHTAG_RE, MENTION_RE
from resonanz.query.matcher import TopicMatcher
from resonanz.records import POST_SCHEMA, to_table
from resonanz.scale.firehose import post_rows, topic_queries
from resonanz.workspace import Workspace

NAME = "topic_matching"


def run(ctx: BenchContext) -> dict[str, object]:
    """Measure with 500 topics over batches of 10,000 posts (1,000 in a quick run)."""
    figures = measure(topics=500, posts=ctx.size(10_000, 1_000), rounds=max(ctx.repeat, 3))
    posts = firehose_posts(ctx.size(10_000, 1_000))
    matcher = TopicMatcher(topic_queries(500))
    cpu = []
    for _ in range(max(ctx.repeat, 3)):
        started = time.process_time()
        matches = matcher(posts)
        cpu.append(time.process_time() - started)
    figures["firehose_match_us_per_post"] = round(min(cpu) / posts.num_rows * 1e6, 2)
    figures["firehose_matches_per_post"] = round(matches.num_rows / posts.num_rows, 2)
    figures.update(storage(ctx, posts, matches, batches=ctx.size(20, 2)))
    return figures


def firehose_posts(count: int) -> pa.Table:
    """Return ``count`` firehose posts as a posts table (tags and links taken from the text)."""
    now = datetime.now(UTC)
    rows: list[dict[str, Any]] = []
    for i, row in enumerate(post_rows(count)):
        text = row["text"]
        rows.append(
            {
                "platform": row["platform"],
                "native_id": row["id"],
                "author": row["author"] if i % 20 else "spam" + row["author"],
                "text": text,
                "lang": ("de", "en", "de-AT", None)[i % 4],
                "created_at": now,
                "collected_at": now,
                "hashtags": HASHTAG_RE.findall(text),
                "mentions": MENTION_RE.findall(text),
                "links": [w for w in text.split() if w.startswith("https://")],
            }
        )
    return to_table(rows, POST_SCHEMA)


def _renamed(table: pa.Table, batch: int) -> pa.Table:
    """Return ``table`` with native ids made unique to ``batch``."""
    ids = pc.binary_join_element_wise(table.column("native_id"), pa.scalar(f"-{batch}"), "")
    return table.set_column(table.schema.get_field_index("native_id"), "native_id", ids)


def storage(
    ctx: BenchContext, posts: pa.Table, matches: pa.Table, *, batches: int
) -> dict[str, object]:
    """Return the CPU microseconds per post of storing matches, early and late, and re-stored."""
    per_post: list[float] = []
    again: list[float] = []
    workspace = Workspace.init(ctx.scratch("match_storage") / "ws")
    with workspace.open(write=True) as store:
        for batch in range(batches + 1):
            found = _renamed(matches, batch % batches)
            with store.transaction():
                store.upsert_posts(_renamed(posts, batch % batches))
                started = time.process_time()
                store.insert_matches(found)
                spent = (time.process_time() - started) / posts.num_rows * 1e6
            (per_post if batch < batches else again).append(spent)
        stored = store.count("matches")
    window = max(1, min(5, batches // 4))
    return {
        "store_matches_us_per_post_first": round(statistics.median(per_post[:window]), 2),
        "store_matches_us_per_post_last": round(statistics.median(per_post[-window:]), 2),
        "store_matches_us_per_post_again": round(again[0], 2),
        "stored_matches": stored,
    }
