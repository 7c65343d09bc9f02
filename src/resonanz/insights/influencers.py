"""Opinion leaders: influence in the interaction graph, stance toward us, and likely bots.

Influence is PageRank over the directed graph "A replied to / reposted / quoted / mentioned
B" (an interaction passes attention from A to B), beside reach (followers) and the
engagement an author's posts received. Stance is the balance of an author's sentiment in
posts about our brand and products, and per topic in the posts matched to that topic (for a
competitor topic: the stance toward that competitor); see :mod:`resonanz.insights.stance`.

The database does the heavy lifting: it aggregates the edges and every author's figures
(on a second connection, while the graph is ranked), and picks the candidates (the most
central authors and the likely bots); only those few rows come back to Python, which scores
bots and stances on them. Authors are grouped and joined by their numeric key where that
is exact in the store, else by their text key (:class:`Ident`).
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass
from typing import Any, Final

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from scipy import sparse

from resonanz.insights.keys import Ident
from resonanz.insights.params import (
    ENGAGEMENT,
    InsightParams,
    Result,
    fetch_dicts,
    filtered_posts_cte,
    own_accounts,
    post_filter,
    topic_kinds,
)
from resonanz.insights.stance import (
    author_counts,
    by_topic,
    split,
    stance_of,
    topic_stances,
)
from resonanz.store import cursor_of

NAME = "influencers"
DAMPING: Final = 0.85
BOT_CUT: Final = 0.5
#: A raw bot score at or above this may round to BOT_CUT; the exact score is taken in Python.
_BOT_FLOOR: Final = BOT_CUT - 0.001
_counter = itertools.count()

Key = tuple[str, str]


@dataclass(frozen=True)
class Influencers(Result):
    """Authors ranked by PageRank, split by stance, per topic, and the likely bots.

    ``supporters``, ``critics`` and ``neutral`` split the leaders by their stance toward
    us; each person's ``topics`` holds their stance toward every topic they wrote about.
    ``by_topic`` maps a topic to its ``kind``, its ``leaders`` and the same three lists by
    stance toward that topic (see :func:`resonanz.insights.stance.by_topic`).
    """

    leaders: tuple[dict[str, Any], ...]
    supporters: tuple[dict[str, Any], ...]
    critics: tuple[dict[str, Any], ...]
    neutral: tuple[dict[str, Any], ...]
    by_topic: dict[str, dict[str, Any]]
    bots: tuple[dict[str, Any], ...]

    def rows(self) -> list[dict[str, Any]]:
        """Return the leaders; ``topics`` reads ``topic:stance`` per topic, space-separated."""
        return [
            {**r, "topics": " ".join(f"{t}:{s['stance']}" for t, s in r["topics"].items())}
            for r in self.leaders
        ]


def pagerank(
    src: np.ndarray, dst: np.ndarray, weight: np.ndarray, n: int, tol: float = 1e-9
) -> np.ndarray:
    """Return PageRank scores of ``n`` nodes for weighted edges src → dst (power iteration)."""
    if n == 0:
        return np.zeros(0)
    matrix = sparse.csr_matrix((weight, (src, dst)), shape=(n, n), dtype=float)
    out_weight = np.asarray(matrix.sum(axis=1)).ravel()
    dangling = out_weight == 0
    inv = np.divide(1.0, out_weight, out=np.zeros(n), where=~dangling)
    transition = sparse.diags(inv) @ matrix
    rank = np.full(n, 1.0 / n)
    for _ in range(100):
        spill = rank[dangling].sum() / n
        new = DAMPING * (transition.T @ rank + spill) + (1.0 - DAMPING) / n
        if np.abs(new - rank).sum() < tol:
            return np.asarray(new)
        rank = new
    return rank


def _edge_sql(params: InsightParams, ident: Ident) -> tuple[str, list[object]]:
    """Return the weighted-edge query (``src``, ``dst``, ``w``); edges carry time and
    platform, so only topic and language filters need a join with the posts."""
    if params.topics or params.languages:
        cte, args = filtered_posts_cte(params)
        source = f"WITH {cte} SELECT e.* FROM edges e JOIN f p "  # noqa: S608
        source += "ON p.platform = e.platform AND p.native_id = e.post_id"
    else:
        where, args = post_filter(params, "e")
        source = f"SELECT e.* FROM edges e WHERE {where}"  # noqa: S608
    src, dst = ident.edge("src"), ident.edge("dst")
    sql = f"""
        SELECT {src} AS src, {dst} AS dst, count(*) AS w
        FROM ({source}) e
        WHERE {dst} IS NOT NULL AND {dst} <> {src}
        GROUP BY ALL
    """  # noqa: S608 - fixed fragments; values are bound
    return sql, args


def _graph_ranks(
    con: duckdb.DuckDBPyConnection, params: InsightParams, ident: Ident
) -> tuple[pa.Array, np.ndarray]:
    """Return the graph's node keys (``akey``, sorted) and their PageRank, scaled so that
    the mean is 1."""
    sql, args = _edge_sql(params, ident)
    edges = con.sql(sql, params=args).to_arrow_table()
    if edges.num_rows == 0:
        return edges["src"].combine_chunks(), np.zeros(0)
    # Nodes are numbered in key order with Arrow kernels, not a Python loop: every end is
    # dictionary-encoded in one hash pass, and only the distinct keys are sorted.
    ends = pa.chunked_array([*edges["src"].chunks, *edges["dst"].chunks]).combine_chunks()
    coded = pc.dictionary_encode(ends)
    order = pc.sort_indices(coded.dictionary)
    names = coded.dictionary.take(order)
    place = np.empty(len(names), np.int64)
    place[order.to_numpy()] = np.arange(len(names))
    nodes = place[coded.indices.to_numpy()]
    half = edges.num_rows
    weight = edges["w"].to_numpy().astype(float)
    ranks = pagerank(nodes[:half], nodes[half:], weight, len(names))
    return names, ranks * len(names)


def _leading(names: pa.Array, ranks: np.ndarray, top: int) -> pa.Table:
    """Return the nodes that can be among the ``top`` most central: every node ranked at
    least as high as the ``top``-th one (ties included, their order needs engagement)."""
    keep = np.arange(len(ranks))
    if len(ranks) > top > 0:
        cut = np.partition(ranks, len(ranks) - top)[len(ranks) - top]
        keep = np.flatnonzero(ranks >= cut)
    return pa.table(
        {
            "akey": names.take(pa.array(keep, pa.int64())),
            "pagerank": pa.array(ranks[keep], pa.float64()),
        }
    )


def _raw_bot_sql() -> str:
    """Return the SQL of :func:`bot_score`'s behaviour signals (unrounded), over ``s``.

    ``s.distinct_texts`` here is a lower bound of the distinct texts (``text_floor``), so
    the repeat signal is an upper bound: the authors it selects include every likely bot.
    """
    per_day = "s.posts / greatest(coalesce(s.span_hours, 0) / 24.0, 1.0)"
    reposts = "CASE WHEN s.posts >= 20 THEN s.reposts_made / s.posts ELSE 0 END"
    repeats = "1 - coalesce(nullif(s.text_floor, 0), s.posts) / s.posts"
    return f"greatest(least({per_day} / 96.0, 1.0), {reposts}, {repeats})"


class _AuthorPass:
    """Every active author's figures, aggregated into a temporary table of a second
    connection (``cursor``) while the caller ranks the graph.

    The pass over all posts and the graph's ranking each take a large part of the time,
    and the ranking mostly runs on one core: side by side they keep both cores busy. The
    second connection reads the committed data of the same database; where it cannot read
    the posts (a connection's own temporary views), the pass runs again on ``con``.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, params: InsightParams, ident: Ident) -> None:
        self.table = f"insight_authors_{next(_counter)}"
        self.ident = ident
        cte, args = filtered_posts_cte(params)
        # Microseconds aggregate far faster than TIMESTAMPTZ values. Counting distinct
        # texts of every author costs several scans, so this pass only keeps a lower bound
        # (the bits their text hashes set in a 64-bit mask); the exact count follows for
        # the few authors selected from it.
        self._sql = f"""
            CREATE TEMP TABLE {self.table} AS
            WITH {cte}
            SELECT {ident.post()} AS akey, count(*) AS posts,
                   sum({ENGAGEMENT}) AS engagement,
                   count(*) FILTER (WHERE p.repost_of IS NOT NULL) AS reposts_made,
                   (max(epoch_us(p.created_at)) - min(epoch_us(p.created_at))) / 3.6e9
                       AS span_hours,
                   bit_count(bit_or(1::UBIGINT << (hash(p.text) % 64))) AS text_floor
            FROM f p WHERE p.author IS NOT NULL GROUP BY {ident.post_groups()}
        """  # noqa: S608 - fixed fragments; values are bound
        self._args = args
        self._con = con
        self.cursor = cursor_of(con)
        self._error: duckdb.Error | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self.cursor.execute(self._sql, self._args)
        except duckdb.Error as exc:  # wait() runs the pass again on the caller's connection
            self._error = exc

    def wait(self) -> None:
        """Block until the table is ready."""
        self._thread.join()
        if self._error is not None and self.cursor is not self._con:
            self.cursor.close()
            self.cursor = self._con
            self._con.execute(self._sql, self._args)

    def close(self) -> None:
        """Stop the pass if still running, drop the table, close the second connection."""
        if self._thread.is_alive():
            self.cursor.interrupt()
        self._thread.join()
        try:
            self.cursor.execute(f"DROP TABLE IF EXISTS {self.table}")
        finally:
            if self.cursor is not self._con:
                self.cursor.close()


def _candidates(figures: _AuthorPass, leading: pa.Table, top: int) -> list[dict[str, Any]]:
    """Return the figures of the ``top`` most central authors (``pos`` is their place) and
    of every author that may be a bot, from the figures of every active author.

    Their exact counts of distinct texts come later, from the pass over their own posts
    (:func:`resonanz.insights.stance.author_counts`).
    """
    figures.wait()
    ident = figures.ident
    view = f"insight_leading_{next(_counter)}"
    sql = f"""
        WITH s AS (SELECT * FROM {figures.table}),
        g AS ({_ranked_sql(view, len(leading) < top)}),
        ranked AS (
            SELECT g.*, n.platform, n.handle FROM g JOIN ({ident.names("g")}) n USING (akey)
            ORDER BY pagerank DESC, eng DESC, handle, platform LIMIT ?
        ),
        t AS (
            SELECT akey, pagerank,
                   row_number() OVER (ORDER BY pagerank DESC, eng DESC, handle, platform) AS pos
            FROM ranked
        ),
        -- Only these few authors leave the pass: the central ones, the active ones whose
        -- behaviour may be a bot's, and the active ones marked as bots.
        k AS (
            SELECT akey FROM t
            UNION
            SELECT s.akey FROM s WHERE s.posts >= 10 AND {_raw_bot_sql()} >= {_BOT_FLOOR}
            UNION
            SELECT {ident.profile()} FROM authors a
            SEMI JOIN s ON s.akey = {ident.profile()}
            WHERE a.is_bot OR a.stakeholder = 'bot'
        ),
        kn AS ({ident.names("k")}),
        ks AS (SELECT s.* FROM s SEMI JOIN k USING (akey))
        SELECT k.akey, k.platform, k.handle, t.pos, t.pagerank, s.posts IS NOT NULL AS active,
               s.posts, s.engagement, s.reposts_made, s.span_hours,
               a.followers, a.is_bot, a.stakeholder
        FROM kn k LEFT JOIN t USING (akey) LEFT JOIN ks s USING (akey)
        LEFT JOIN authors a
          ON s.posts IS NOT NULL AND a.platform = k.platform AND a.handle = k.handle
    """  # noqa: S608 - fixed fragments; values are bound
    cur = figures.cursor
    cur.register(view, leading)
    try:
        return fetch_dicts(cur, sql, [top])
    finally:
        cur.unregister(view)


def _ranked_sql(view: str, small: bool) -> str:
    """Return the SQL of the authors that can be among the most central, with their
    engagement; ``s`` holds every active author's figures, ``view`` the leading nodes.

    Every node of the graph outranks every author outside it (PageRank is positive), so
    when ``view`` holds at least as many nodes as wanted the others never make it, and
    only the leading nodes need their engagement. In a ``small`` graph, the authors
    outside it follow (as rank 0) by engagement.
    """
    graph = f"""SELECT r.akey, r.pagerank, coalesce(s.engagement, 0) AS eng
        FROM {view} r LEFT JOIN s USING (akey)"""  # noqa: S608
    if small:
        graph += f"""
            UNION ALL
            SELECT s.akey, 0.0, s.engagement FROM s ANTI JOIN {view} r USING (akey)
        """  # noqa: S608 - fixed names
    return graph


def _rank_of(names: pa.Array, ranks: np.ndarray, keys: list[Any]) -> list[float]:
    """Return the PageRank of the authors ``keys`` (``akey``; 0 outside the graph)."""
    wanted = pa.array(keys, names.type)
    # Looking every node up among the few keys hashes the keys, not the whole graph.
    at = pc.index_in(names, value_set=wanted).to_numpy(zero_copy_only=False)
    found = {int(at[i]): float(ranks[i]) for i in np.flatnonzero(~np.isnan(at))}
    return [found.get(i, 0.0) for i in range(len(keys))]


def bot_score(row: dict[str, Any]) -> float:
    """Return how likely an author is automated, in [0, 1], from profile and behaviour."""
    if row.get("is_bot"):
        return 1.0
    if row.get("stakeholder") == "bot":
        return 0.9
    posts = int(row.get("posts") or 0)
    if posts < 10:
        return 0.0
    per_day = posts / max(float(row.get("span_hours") or 0.0) / 24.0, 1.0)
    signals = [
        min(per_day / 96.0, 1.0),  # four posts an hour around the clock
        int(row.get("reposts_made") or 0) / posts if posts >= 20 else 0.0,
        1.0 - int(row.get("distinct_texts") or posts) / posts,
    ]
    return round(max(signals), 3)


def _entry(key: Key, rank: float, stats: dict[str, Any] | None) -> dict[str, Any]:
    stats = stats or {}
    counts = stats.get("counts") or {}
    us = counts.get(None) or {}
    stance, score = stance_of(us.get("pos", 0), us.get("neg", 0), us.get("posts", 0))
    return {
        "platform": key[0],
        "handle": key[1],
        "pagerank": round(rank, 5),
        "reach": int(stats.get("followers") or 0),
        "engagement": int(stats.get("engagement") or 0),
        "posts": int(stats.get("posts") or 0),
        "stance": stance,
        "stance_score": score,
        "stakeholder": stats.get("stakeholder"),
        "bot_score": bot_score(stats) if stats else 0.0,
        "topics": topic_stances(counts),
    }


def compute(con: duckdb.DuckDBPyConnection, params: InsightParams) -> Influencers:
    """Rank authors by influence, split them by stance (toward us and per topic) and flag
    likely bots.

    Stance lists are drawn from the most influential authors (50 × ``limit``), which keeps
    the work bounded on large graphs; bots are looked for among every active author.
    """
    ident = Ident.of(con)
    figures = _AuthorPass(con, params, ident)
    try:
        names, ranks = _graph_ranks(con, params, ident)
        size = 50 * params.limit
        rows = _candidates(figures, _leading(names, ranks, size), size)
    finally:
        figures.close()
    keyed = {(str(r["platform"]), str(r["handle"])): r for r in rows}
    stats = {k: r for k, r in keyed.items() if r["active"]}
    kinds = topic_kinds(con)
    ours = [t for t, k in kinds.items() if k in ("brand", "product")]
    texts, counts = author_counts(con, params, list(stats), ours, ident=ident)
    for key, row in stats.items():
        row["distinct_texts"] = texts.get(key)
    top = [k for k, r in sorted(keyed.items(), key=lambda kr: kr[1]["pos"] or 0) if r["pos"]]
    flagged = [k for k, row in stats.items() if _maybe_bot(row) and bot_score(row) >= BOT_CUT]
    keys = list(dict.fromkeys([*top, *flagged]))
    rank = dict(zip(keys, _rank_of(names, ranks, [keyed[k]["akey"] for k in keys]), strict=True))
    people = {
        k: _entry(k, rank[k], {**stats[k], "counts": counts.get(k, {})} if k in stats else None)
        for k in keys
    }
    # Our own accounts are the speakers, not opinion leaders to win over.
    mine = set(own_accounts(con, params))
    humans = [people[k] for k in top if people[k]["bot_score"] < BOT_CUT and k not in mine]
    bots = sorted(
        (people[k] for k in flagged),
        key=lambda p: (-p["bot_score"], -p["posts"], p["handle"]),
    )
    n = params.limit
    return Influencers(
        leaders=tuple(humans[:n]),
        **split(humans, n),
        by_topic=by_topic(humans, kinds, n),
        bots=tuple(bots[:n]),
    )


def _maybe_bot(row: dict[str, Any]) -> bool:
    """Say whether an author needs a bot score (flagged, or active enough to judge)."""
    return bool(row.get("is_bot")) or row.get("stakeholder") == "bot" or int(row["posts"]) >= 10
