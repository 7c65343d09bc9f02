"""Folding and tokenising: one definition, the same in Python and in DuckDB."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pytest

from resonanz.query.fold import (
    RE2_WORD,
    fold,
    handle_keys,
    link_parts,
    sql_fold,
    text_hashtags,
    text_mentions,
    words,
)


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Bahnhof", "bahnhof"),
        ("BAHNHOF", "bahnhof"),
        ("Straße", "strasse"),
        ("STRASSE", "strasse"),
        ("Grüße aus Köln", "gruesse aus koeln"),
        ("ÄRGER", "aerger"),
        ("ẞ", "ss"),
        ("İstanbul", "istanbul"),
        ("ΟΔΟΣ", "οδοσ"),  # no context-dependent final sigma: DuckDB lower-cases letter by letter
    ],
)
def test_fold_examples(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_fold_and_words_agree_with_duckdb_on_every_bmp_character() -> None:
    chars = [chr(c) for c in range(1, 0x10000) if not 0xD800 <= c < 0xE000]
    samples = [*chars, "Die STRAẞE nach İzmir, ΟΔΟΣ Grüße", "#Bahn @anna@x.example e-bike_2"]
    con = duckdb.connect()
    try:
        con.register("t", pa.table({"text": samples}))
        sql = f"SELECT {sql_fold('text')}, regexp_extract_all({sql_fold('text')}, ?) FROM t"  # noqa: S608
        rows = con.execute(sql, [RE2_WORD + "+"]).fetchall()
    finally:
        con.close()
    mismatched = [
        (text, folded, tokens)
        for text, (folded, tokens) in zip(samples, rows, strict=True)
        if fold(text) != folded or words(fold(text)) != tokens
    ]
    assert mismatched == []


def test_words_split_on_everything_but_letters_and_digits() -> None:
    assert words(fold("E-Bike_2go, Größe: 42!")) == ["e", "bike", "2go", "groesse", "42"]


def test_hashtags_and_mentions_in_text() -> None:
    folded = fold("Neu: #BahnCard_25 für @Anna@Social.Example und @bob. #2024")
    assert text_hashtags(folded) == ["bahncard_25", "2024"]
    assert text_mentions(folded) == ["anna@social.example", "bob"]


def test_handle_keys_include_the_local_part() -> None:
    assert handle_keys(["@Anna@Social.Example"]) == {"anna@social.example", "anna"}


@pytest.mark.parametrize(
    ("link", "host", "rest"),
    [
        ("https://www.Example.com/Shop?x=1", "www.example.com", "/Shop?x=1"),
        ("example.org/path", "example.org", "/path"),
        ("https://user@sub.example.com:8080/a", "sub.example.com", "/a"),
        ("mailto:anna@example.com", "example.com", ""),  # site:example.com finds e-mail links
    ],
)
def test_link_parts(link: str, host: str, rest: str) -> None:
    assert link_parts(link) == (host, rest)
