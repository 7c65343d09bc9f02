"""Benchmark: latency of every insight over 1M and 10M stored posts beside a bare full scan.

The stored data is generated with DuckDB SQL (seconds per million rows): authors, posts with
enrichment columns, replies and reposts forming cascades, mentions, topic matches and edges.
``--quick`` uses small sizes for a smoke run. Building 10M posts takes minutes: set
``RESONANZ_INSIGHTS_BENCH_CACHE`` to a folder outside the repository to build each store
once and reuse it in later runs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from resonanz.bench.context import BenchContext
from resonanz.insights import INSIGHTS, InsightParams
from resonanz.store import author_keys, open_store
from resonanz.store.post_keys import fill_missing

NAME = "insights_latency"
#: Folder keeping generated stores between runs (unset: build them in the scratch space).
CACHE_ENV = "RESONANZ_INSIGHTS_BENCH_CACHE"
#: Part of a cached store's name; bump it when the generated data changes.
GENERATOR_VERSION = 1
FULL_SIZES = (1_000_000, 10_000_000)
QUICK_SIZES = (20_000, 100_000)
END = datetime(2026, 6, 1, tzinfo=UTC)
SPAN_DAYS = 90
_WORD_TEXT = (
    "acme phone akku battery price preis delivery lieferung support great schlecht super "
    "camera kamera screen display update store order bestellung kaputt love hate new neu "
    "launch event sale rabatt service hotline wait warten fast schnell slow langsam"
)
WORDS = tuple(_WORD_TEXT.split())

_POSTS = """
INSERT INTO posts (platform, native_id, author, text, lang, created_at, reply_to, repost_of,
                   hashtags, mentions, likes, reposts, replies, collected_at,
                   sentiment, sentiment_score, emotion, aspects, intents)
SELECT CASE WHEN i % 3 = 0 THEN 'bluesky' ELSE 'mastodon' END,
       'p' || i,
       CASE WHEN i % 200 = 0 THEN 'acme' ELSE 'u' || (hash(i) % $authors) END,
       list_element($words, 1 + (hash(i * 7) % $nwords)::INTEGER) || ' ' ||
       list_element($words, 1 + (hash(i * 11) % $nwords)::INTEGER) || ' ' ||
       list_element($words, 1 + (hash(i * 13) % $nwords)::INTEGER),
       CASE WHEN i % 2 = 0 THEN 'de' ELSE 'en' END,
       $start + to_microseconds(($span_us::DOUBLE * i / $n)::BIGINT),
       CASE WHEN i % 10 = 1 AND i > 1000 THEN 'p' || (i - 1 - 3 * (hash(i) % 300)) END,
       CASE WHEN i % 10 = 2 AND i > 1000 THEN 'p' || (i - 2 - 3 * (hash(i) % 300)) END,
       CASE WHEN i % 50 = 0 THEN ['acme'] ELSE [] END,
       CASE WHEN i % 10 = 3 THEN ['u' || (hash(i * 3) % 1000)] ELSE [] END,
       (hash(i * 5) % 20)::BIGINT, (hash(i * 17) % 5)::BIGINT, (hash(i * 19) % 3)::BIGINT,
       $end,
       list_element(['negative', 'neutral', 'positive'], 1 + (hash(i * 23) % 3)::INTEGER),
       ((hash(i * 23) % 3)::FLOAT - 1.0),
       list_element(['anger', 'joy', 'none', 'sadness'], 1 + (hash(i * 29) % 4)::INTEGER),
       CASE WHEN i % 4 = 0 THEN [{'category': list_element(['price', 'battery', 'delivery',
            'support'], 1 + (hash(i * 31) % 4)::INTEGER), 'polarity':
            list_element(['negative', 'positive'], 1 + (hash(i * 37) % 2)::INTEGER)}]
            ELSE [] END,
       CASE WHEN i % 25 = 0 THEN ['question'] WHEN i % 25 = 5 THEN ['complaint'] ELSE [] END
FROM range($n) r(i)
"""


def generate(path: Path, n: int) -> None:
    """Create a workspace database at ``path`` with ``n`` synthetic posts."""
    store = open_store(path, write=True, create=True)
    try:
        con = store.con
        # The bulk build joins the whole posts table with itself; the writer's bounded memory
        # (sized for streaming batches) is too small for that.
        con.execute("RESET memory_limit")
        con.execute(
            _POSTS,
            {
                "n": n,
                "authors": max(n // 20, 100),
                "words": list(WORDS),
                "nwords": len(WORDS),
                "start": END - timedelta(days=SPAN_DAYS),
                "end": END,
                "span_us": SPAN_DAYS * 86_400_000_000,
            },
        )
        _side_tables(con)
        fill_missing(con)  # the numeric post and author keys, as the store's writer gives them
        author_keys.fill_missing(con)
    finally:
        store.close()


def _side_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Fill topics, matches, authors, our account and edges from the generated posts."""
    con.execute(
        "INSERT INTO topics VALUES ('acme', 'brand', 'acme', NULL, 'config', now()), "
        "('rival', 'competitor', 'rival', NULL, 'config', now())"
    )
    con.execute(
        "INSERT INTO matches SELECT platform, native_id, CASE WHEN hash(native_id) % 10 < 6 "
        "THEN 'acme' ELSE 'rival' END FROM posts WHERE hash(native_id) % 10 < 9"
    )
    con.execute(
        "INSERT INTO authors (platform, handle, followers, updated_at) "
        "SELECT DISTINCT platform, author, hash(author) % 50000, now() FROM posts"
    )
    con.execute(
        "INSERT INTO accounts (id, network, handle, updated_at) "
        "VALUES ('mastodon:acme', 'mastodon', 'acme', now())"
    )
    con.execute(
        """
        INSERT INTO edges (platform, kind, src_author, dst_author, post_id, target_post_id,
                           created_at)
        SELECT p.platform, CASE WHEN p.reply_to IS NOT NULL THEN 'reply' ELSE 'repost' END,
               p.author, t.author, p.native_id, t.native_id, p.created_at
        FROM posts p JOIN posts t
          ON t.platform = p.platform AND t.native_id = coalesce(p.reply_to, p.repost_of)
        UNION ALL
        SELECT platform, 'mention', author, UNNEST(mentions), native_id, NULL, created_at
        FROM posts WHERE len(mentions) > 0
        """
    )


def measure(path: Path, repeat: int = 3) -> dict[str, Any]:
    """Return the median latency (s) of a bare full scan and of every insight.

    The scan is timed right before each insight in every round, so that both see the same
    machine load; ``x_full_scan`` divides the insight's median by the scans' median.
    """
    con = duckdb.connect(str(path), read_only=True)
    con.execute("SET enable_progress_bar = false")
    try:
        params = InsightParams(until=END, own_accounts=(("mastodon", "acme"),))

        def scan() -> None:
            con.execute("SELECT count(*), sum(likes), max(length(text)) FROM posts").fetchall()

        scan()  # warm the buffer cache once
        times: dict[str, list[float]] = {"scan": [], **{name: [] for name in INSIGHTS}}
        for _ in range(repeat):
            for name, module in INSIGHTS.items():
                times["scan"].append(_seconds(scan))
                times[name].append(_seconds(lambda m=module: m.compute(con, params)))
        scan_s = statistics.median(times["scan"])
        figures: dict[str, Any] = {"full_scan_s": round(scan_s, 4)}
        for name in INSIGHTS:
            seconds = statistics.median(times[name])
            figures[name] = {
                "seconds": round(seconds, 4),
                "x_full_scan": round(seconds / scan_s, 1),
            }
        return figures
    finally:
        con.close()


def _seconds(func: Any) -> float:
    started = time.perf_counter()
    func()
    return time.perf_counter() - started


def run(ctx: BenchContext) -> dict[str, Any]:
    """Run the benchmark (``ctx.quick`` picks small sizes); return figures per size."""
    sizes = QUICK_SIZES if ctx.quick else FULL_SIZES
    out: dict[str, Any] = {"sizes": list(sizes), "quick": ctx.quick}
    cache = os.environ.get(CACHE_ENV, "").strip()
    for n in sizes:
        if cache:
            path = Path(cache) / f"insights_v{GENERATOR_VERSION}_{n}" / "resonanz.duckdb"
            path.parent.mkdir(parents=True, exist_ok=True)
        else:
            path = ctx.scratch(f"insights_{n}") / "resonanz.duckdb"
        started = time.perf_counter()
        if not path.exists():
            # Built under another name first, so that an interrupted build is not reused.
            building = path.with_name("building.duckdb")
            building.unlink(missing_ok=True)
            generate(building, n)
            building.rename(path)
        # Opening for writing applies the store's pending migrations to a cached store.
        open_store(path, write=True).close()
        generate_s = round(time.perf_counter() - started, 2)
        out[str(n)] = {"generate_s": generate_s, **measure(path, ctx.repeat)}
        if not cache:
            path.unlink()
    return out


def main() -> None:
    """Run from the command line: ``python -m resonanz.bench.insights_latency [--quick]``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="resonanz-bench-") as tmp:
        figures = run(BenchContext(tmp=Path(tmp), quick=args.quick))
    text = json.dumps(figures, indent=2)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
