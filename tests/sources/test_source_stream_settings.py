"""A stream is stored with rarer checkpoints; the store's own settings come back after."""

from __future__ import annotations

import pytest

from resonanz.sources.live_ingest import STREAM_CHECKPOINT_THRESHOLD, stream_settings
from resonanz.store import Store


def _setting(store: Store, name: str) -> str:
    row = store.con.execute("SELECT current_setting(?)", [name]).fetchone()
    assert row is not None
    return str(row[0])


def test_stream_settings_raise_the_checkpoint_threshold_for_the_block(store: Store) -> None:
    before = _setting(store, "checkpoint_threshold")
    with stream_settings(store):
        inside = _setting(store, "checkpoint_threshold")
        assert _setting(store, "max_vacuum_tasks") == "0"
    assert inside == "64.0 MiB" == STREAM_CHECKPOINT_THRESHOLD.replace("MiB", ".0 MiB")
    assert _setting(store, "checkpoint_threshold") == before != inside


def test_stream_settings_come_back_after_a_failure(store: Store) -> None:
    before = _setting(store, "checkpoint_threshold")
    with pytest.raises(RuntimeError), stream_settings(store):
        raise RuntimeError("the stream failed")
    assert _setting(store, "checkpoint_threshold") == before
