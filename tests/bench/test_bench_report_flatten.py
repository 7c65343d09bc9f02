from __future__ import annotations

from resonanz.bench.report import flatten


def test_series_of_records_become_a_count_and_plain_lists_a_joined_cell() -> None:
    figures = {
        "rate": 5,
        "segments": [1, 2, 3],
        "run": {"timeline": [{"t_s": 30, "rss": 1}, {"t_s": 60, "rss": 2}]},
    }
    assert dict(flatten(figures)) == {
        "rate": 5,
        "segments": "1, 2, 3",
        "run.timeline": "2 records (in the JSON file)",
    }
