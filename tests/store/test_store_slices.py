"""An update in slices changes exactly the rows a single update would."""

from __future__ import annotations

import duckdb

from resonanz.store.slices import update_in_slices


def test_every_selected_row_is_updated_once_whatever_the_slice() -> None:
    con = duckdb.connect()
    for rows in (1, 3, 7, 1000):
        con.execute("CREATE OR REPLACE TABLE t AS SELECT i, 0 AS n FROM range(20) r(i)")
        con.execute("DELETE FROM t WHERE i IN (0, 9)")  # rowids with gaps
        update_in_slices(con, "t", "n = n + 1", "i % 2 = 1", rows=rows)
        found = con.execute("SELECT i, n FROM t ORDER BY i").fetchall()
        assert found == [(i, i % 2) for i in range(20) if i not in (0, 9)], rows
    con.execute("CREATE OR REPLACE TABLE t (i INTEGER, n INTEGER)")
    update_in_slices(con, "t", "n = 1")  # an empty table: nothing to do
    assert con.execute("SELECT count(*) FROM t").fetchall() == [(0,)]


def test_each_slice_is_announced_before_its_update() -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT i, 0 AS n FROM range(10) r(i)")
    seen: list[list[tuple[int, int]]] = []

    def before(part: str) -> None:
        query = f"SELECT i, n FROM t WHERE {part} ORDER BY i"  # noqa: S608 - fixed SQL
        seen.append(con.execute(query).fetchall())

    update_in_slices(con, "t", "n = 1", "i >= 2", rows=4, before=before)
    assert seen == [[(2, 0), (3, 0), (4, 0), (5, 0)], [(6, 0), (7, 0), (8, 0), (9, 0)]]
