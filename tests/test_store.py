"""The store: migrations, idempotent upserts, cursors with records, the writer lock."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from resonanz.errors import WorkspaceLocked
from resonanz.ingest import Batch, Ingestor
from resonanz.records import AUTHOR_SCHEMA, POST_SCHEMA, to_table
from resonanz.store import QuarantineItem, Store
from resonanz.store.migrate import available
from resonanz.store.writer import latest_per_key
from resonanz.workspace import Workspace

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


def post(native_id: str, likes: int, collected: datetime, **extra: object) -> dict[str, object]:
    row: dict[str, object] = {
        "platform": "mastodon",
        "native_id": native_id,
        "author": "alice",
        "text": f"post {native_id}",
        "created_at": T0,
        "likes": likes,
        "collected_at": collected,
    }
    row.update(extra)
    return row


def test_migrations_are_numbered_and_recorded(store: Store) -> None:
    numbers = [n for n, _, _ in available()]
    assert numbers == sorted(numbers) and numbers[0] == 1
    recorded = store.con.execute("SELECT number FROM schema_migrations ORDER BY 1").fetchall()
    assert [r[0] for r in recorded] == numbers


def test_same_post_twice_is_one_row_with_newest_counts(store: Store) -> None:
    ingest = Ingestor(store)
    later = T0 + timedelta(hours=1)
    ingest.write(Batch(posts=to_table([post("1", 5, later)], POST_SCHEMA)))
    result = ingest.write(Batch(posts=to_table([post("1", 2, T0)], POST_SCHEMA)))
    assert result.posts_new == 0
    ingest.write(Batch(posts=to_table([post("1", 9, later + timedelta(hours=1))], POST_SCHEMA)))
    assert store.con.execute("SELECT count(*), max(likes) FROM posts").fetchone() == (1, 9)
    assert store.count("post_metrics") == 3


def test_lists_of_a_post_seen_again_follow_the_newest_observation(store: Store) -> None:
    # Lists are rewritten only where they differ: the same, changed and older ones, mixed.
    ingest = Ingestor(store)
    later = T0 + timedelta(hours=1)
    first = [
        post(str(i), i, later, hashtags=["acme"], links=["https://a.example/"]) for i in range(4)
    ]
    ingest.write(Batch(posts=to_table(first, POST_SCHEMA)))
    again = [
        post("0", 10, later + timedelta(hours=1), hashtags=["acme"], links=["https://a.example/"]),
        post("1", 11, later + timedelta(hours=1), hashtags=["acme", "neu"], links=[]),
        post("2", 12, T0, hashtags=["alt"], links=["https://old.example/"]),  # older: ignored
        post("3", 13, later + timedelta(hours=1), hashtags=None, links=["https://a.example/"]),
    ]
    ingest.write(Batch(posts=to_table(again, POST_SCHEMA)))
    rows = store.con.execute(
        "SELECT native_id, likes, hashtags, links FROM posts ORDER BY native_id"
    ).fetchall()
    assert rows == [
        ("0", 10, ["acme"], ["https://a.example/"]),
        ("1", 11, ["acme", "neu"], []),
        ("2", 2, ["acme"], ["https://a.example/"]),
        ("3", 13, None, ["https://a.example/"]),
    ]


def test_duplicates_inside_one_batch_are_absorbed(store: Store) -> None:
    rows = [post("1", 1, T0), post("1", 4, T0 + timedelta(minutes=5)), post("2", 0, T0)]
    result = Ingestor(store).write(Batch(posts=to_table(rows, POST_SCHEMA)))
    assert result.posts_new == 2
    assert store.con.execute("SELECT likes FROM posts WHERE native_id = '1'").fetchone() == (4,)


def test_edges_are_derived_once_with_target_author(store: Store) -> None:
    rows = [
        post("1", 0, T0, author="bob"),
        post("2", 0, T0, author="alice", reply_to="1", mentions=["carol", "alice"]),
    ]
    ingest = Ingestor(store)
    ingest.write(Batch(posts=to_table(rows, POST_SCHEMA)))
    ingest.write(Batch(posts=to_table(rows, POST_SCHEMA)))
    edges = store.con.execute(
        "SELECT kind, src_author, dst_author FROM edges ORDER BY kind"
    ).fetchall()
    assert edges == [("mention", "alice", "carol"), ("reply", "alice", "bob")]


def test_author_fields_left_empty_keep_stored_values(store: Store) -> None:
    first = {"platform": "m", "handle": "a", "bio": "Journalist", "followers": 10, "updated_at": T0}
    newer = {"platform": "m", "handle": "a", "followers": 12, "updated_at": T0 + timedelta(days=1)}
    store.upsert_authors(to_table([first], AUTHOR_SCHEMA))
    store.upsert_authors(to_table([newer], AUTHOR_SCHEMA))
    assert store.con.execute("SELECT bio, followers FROM authors").fetchone() == ("Journalist", 12)


def test_cursor_and_records_commit_together(store: Store) -> None:
    ingest = Ingestor(store)

    class Boom(Exception):
        pass

    batch = Batch(posts=to_table([post("1", 0, T0)], POST_SCHEMA), cursor=("src", "page-2"))
    with pytest.raises(Boom), store.transaction():
        store.upsert_posts(batch.posts)
        store.set_cursor("src", "page-2")
        raise Boom
    assert store.count("posts") == 0 and store.get_cursor("src") is None
    ingest.write(batch)
    assert store.count("posts") == 1 and store.get_cursor("src") == "page-2"


def test_quarantine_is_idempotent_per_location(store: Store) -> None:
    item = QuarantineItem("file.jsonl", "file.jsonl:3", "invalid JSON", b"{oops")
    store.quarantine([item])
    store.quarantine([item])
    assert store.count("quarantine") == 1


def test_second_writer_gets_one_line_error_naming_holder(workspace: Workspace) -> None:
    code = (
        "import sys, time; from pathlib import Path; from resonanz.workspace import Workspace;"
        "s = Workspace.load(Path(sys.argv[1])).open(write=True); print('ready', flush=True);"
        "time.sleep(30)"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code, str(workspace.folder)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        with pytest.raises(WorkspaceLocked) as err:
            workspace.open(write=True)
        message = str(err.value)
        assert f"process {holder.pid}" in message and "\n" not in message
        cli = subprocess.run(
            [sys.executable, "-m", "resonanz", "stats", "--workspace", str(workspace.folder)],
            capture_output=True,
            text=True,
        )
        assert cli.returncode == 1
        assert cli.stderr.strip().startswith("Error: workspace") and "Traceback" not in cli.stderr
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
    # a killed holder leaves no stale lock
    workspace.open(write=True).close()


def test_editing_config_topics_rematches_stored_posts(workspace: Workspace) -> None:
    with workspace.open(write=True) as store:
        rows = [post("1", 0, T0, text="Der Akku von Acme ist super"), post("2", 0, T0)]
        Ingestor(store).write(Batch(posts=to_table(rows, POST_SCHEMA)))
    config = workspace.folder / "resonanz.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "[topics.rival]", '[topics.battery]\nkind = "keyword"\nquery = "akku"\n\n[topics.rival]'
        ),
        encoding="utf-8",
    )
    reloaded = Workspace.load(workspace.folder)
    with reloaded.open(write=True) as store:
        found = store.con.execute(
            "SELECT native_id FROM matches WHERE topic = 'battery'"
        ).fetchall()
    assert found == [("1",)]


@given(
    st.lists(
        st.tuples(st.sampled_from(["a", "b", "c", None]), st.integers(0, 3)),
        min_size=0,
        max_size=30,
    )
)
def test_latest_per_key_keeps_the_newest_row_of_each_key(
    rows: list[tuple[str | None, int]],
) -> None:
    best: dict[str | None, int] = {}
    for i, (key, order) in enumerate(rows):
        if key not in best or order >= rows[best[key]][1]:
            best[key] = i
    table = pa.table(
        {
            "p": ["x"] * len(rows),
            "k": pa.array([r[0] for r in rows], pa.string()),
            "o": pa.array([r[1] for r in rows], pa.int64()),
            "i": pa.array(range(len(rows)), pa.int64()),
        }
    )
    kept = latest_per_key(table, ["p", "k"], "o").column("i").to_pylist()
    assert kept == sorted(best.values())


def test_latest_per_key_returns_a_batch_of_distinct_keys_as_it_is() -> None:
    table = pa.table({"p": ["x", "x", "y"], "k": ["1", "2", "1"], "o": [3, 1, 2]})
    assert latest_per_key(table, ["p", "k"], "o") is table
    repeated = pa.table({"p": ["x", "x", "x"], "k": ["1", "2", "1"], "o": [3, 1, 2]})
    assert latest_per_key(repeated, ["p", "k"], "o").column("o").to_pylist() == [3, 1]
