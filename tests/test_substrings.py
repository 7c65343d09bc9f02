"""Many substrings found at once: every occurrence, in reading order, surrogates or not."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from resonanz.substrings import DFA_PATTERNS, Substrings


def naive(patterns: list[str], text: str) -> list[tuple[int, int, int]]:
    found = [
        (number, start, start + len(pattern))
        for number, pattern in enumerate(patterns)
        if pattern
        for start in range(len(text) - len(pattern) + 1)
        if text.startswith(pattern, start)
    ]
    return sorted(found, key=lambda hit: (hit[2], hit[1]))


def test_overlapping_occurrences_come_by_end_and_longest_first() -> None:
    scan = Substrings(["akku", "kku", "akkus", "us"])
    assert scan.find("akkus") == [(0, 0, 4), (1, 1, 4), (2, 0, 5), (3, 3, 5)]
    assert scan.find_array("akkus").tolist() == [[0, 0, 4], [1, 1, 4], [2, 0, 5], [3, 3, 5]]


def test_positions_count_characters_not_bytes() -> None:
    scan = Substrings(["grüße", "😀"])
    assert scan.find("ä grüße 😀!") == [(0, 2, 7), (1, 8, 9)]


def test_lone_surrogates_keep_every_position() -> None:
    scan = Substrings(["ab", "b\U000f0000"])
    text = "a\ud800ab\U000f0000"
    assert scan.find(text) == [(0, 2, 4), (1, 3, 5)]
    assert scan.find_array(text).tolist() == [[0, 2, 4], [1, 3, 5]]


def test_empty_patterns_keep_the_numbers_of_the_others() -> None:
    scan = Substrings(["", "b", ""])
    assert scan.find("abb") == [(1, 1, 2), (1, 2, 3)]
    assert Substrings([]).find_array("abc").shape == (0, 3)
    assert Substrings([""]).find("abc") == []


@given(
    st.lists(st.text("abcä", min_size=0, max_size=4), min_size=1, max_size=6, unique=True),
    st.text("abcä ", max_size=40),
)
def test_every_occurrence_is_found(patterns: list[str], text: str) -> None:
    scan = Substrings(patterns)
    assert scan.find(text) == naive(patterns, text)
    assert np.array_equal(
        scan.find_array(text), np.asarray(naive(patterns, text), np.int64).reshape(-1, 3)
    )


def test_many_patterns_use_the_other_automaton_and_find_the_same() -> None:
    patterns = [f"w{i}x" for i in range(DFA_PATTERNS + 500)]
    scan = Substrings(patterns)
    assert scan.find("a w12x b w2499x") == [(12, 2, 6), (2499, 9, 15)]
    assert scan.find_array("w7x\ud800w8x").tolist() == [[7, 0, 3], [8, 4, 7]]
