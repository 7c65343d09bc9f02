"""Drawings of the interaction graph and of one cascade's tree (layout only; read-only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb
import networkx as nx

from resonanz.web.charts import Chart

MAX_TREE = 600


@dataclass(frozen=True)
class Tree:
    """A cascade drawn as a tree, with its plain statistics."""

    platform: str
    root: str
    size: int
    depth: int
    breadth: int
    chart: Chart | None


def interaction_graph(
    con: duckdb.DuckDBPyConnection,
    since: datetime | None,
    until: datetime | None,
    platform: str | None,
    title: str,
    limit: int = 40,
) -> Chart | None:
    """Lay out the most connected authors and the interactions among them."""
    rows = con.execute(
        """
        SELECT src_author, dst_author, count(*) AS n
        FROM edges
        WHERE dst_author IS NOT NULL AND src_author <> dst_author
          AND (? IS NULL OR created_at >= ?) AND (? IS NULL OR created_at < ?)
          AND (? IS NULL OR platform = ?)
        GROUP BY ALL ORDER BY n DESC LIMIT 5000
        """,
        [since, since, until, until, platform, platform],
    ).fetchall()
    graph: nx.DiGraph = nx.DiGraph()
    for src, dst, n in rows:
        graph.add_edge(str(src), str(dst), weight=int(n))
    if graph.number_of_nodes() == 0:
        return None
    received = dict(graph.in_degree(weight="weight"))
    top = sorted(received, key=lambda a: (-received[a], a))[:limit]
    sub = graph.subgraph(top).to_undirected()
    pos = nx.spring_layout(sub, seed=7, weight="weight")
    labelled = set(top[:12])
    nodes = [
        {
            "label": name if name in labelled else "",
            "author": name,
            "size": received[name],
            "x": float(pos[name][0]),
            "y": float(pos[name][1]),
        }
        for name in top
    ]
    edges = [
        {"x": pos[a][0], "y": pos[a][1], "x2": pos[b][0], "y2": pos[b][1]} for a, b in sub.edges()
    ]
    return Chart(title, "network", nodes, "x", "y", edges=edges, height=420)


def cascade_tree(
    con: duckdb.DuckDBPyConnection, platform: str, root: str, title: str
) -> Tree | None:
    """Rebuild the repost/reply/quote tree below ``root`` and lay it out top-down."""
    rows = con.execute(
        f"""
        WITH RECURSIVE tree(native_id, parent, author, depth) AS (
            SELECT native_id, NULL::VARCHAR, author, 0 FROM posts
            WHERE platform = ? AND native_id = ?
            UNION ALL
            SELECT p.native_id, t.native_id, p.author, t.depth + 1
            FROM posts p JOIN tree t
              ON p.platform = ? AND coalesce(p.repost_of, p.quote_of, p.reply_to) = t.native_id
            WHERE t.depth < 50
        )
        SELECT native_id, parent, author, depth FROM tree LIMIT {MAX_TREE}
        """,  # noqa: S608 - a constant limit
        [platform, root, platform],
    ).fetchall()
    if not rows:
        return None
    graph: nx.DiGraph = nx.DiGraph()
    depth: dict[str, int] = {}
    for native_id, parent, author, level in rows:
        graph.add_node(str(native_id), author=str(author or "?"))
        depth[str(native_id)] = int(level)
        if parent is not None:
            graph.add_edge(str(parent), str(native_id))
    levels: dict[int, int] = {}
    for level in depth.values():
        levels[level] = levels.get(level, 0) + 1
    nodes, edges = _tree_layout(graph, root, depth)
    chart = Chart(title, "network", nodes, "x", "y", color="level", edges=edges, height=360)
    return Tree(platform, root, len(rows), max(depth.values()), max(levels.values()), chart)


def _tree_layout(
    graph: nx.DiGraph, root: str, depth: dict[str, int]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Place leaves left to right in depth-first order and parents above their children."""
    x: dict[str, float] = {}
    leaf = 0
    for node in nx.dfs_postorder_nodes(graph, root):
        children = list(graph.successors(node))
        if children:
            x[node] = sum(x[c] for c in children) / len(children)
        else:
            x[node] = float(leaf)
            leaf += 1
    nodes = [
        {
            "label": graph.nodes[n]["author"] if n == root or (depth[n] == 1 and leaf < 25) else "",
            "author": graph.nodes[n]["author"],
            "size": graph.out_degree(n) + 1,
            "level": f"depth {depth[n]}",
            "x": x[n],
            "y": -depth[n],
        }
        for n in graph.nodes
    ]
    edges = [{"x": x[a], "y": -depth[a], "x2": x[b], "y2": -depth[b]} for a, b in graph.edges]
    return nodes, edges
