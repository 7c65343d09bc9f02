"""The heap settings for long imports and streams: set once, and the environment wins."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from resonanz.heap import fix_mmap_threshold, release_free_memory

glibc_only = pytest.mark.skipif(
    not sys.platform.startswith("linux") or os.confstr("CS_GNU_LIBC_VERSION") is None,
    reason="the heap settings exist only in glibc",
)

PROBE = "from resonanz.heap import fix_mmap_threshold as f; print(f(), f())"


@glibc_only
def test_threshold_is_fixed_once_and_trim_runs() -> None:
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "True"]
    assert isinstance(release_free_memory(), bool)
    assert isinstance(fix_mmap_threshold(), bool)


@glibc_only
def test_a_threshold_from_the_environment_is_left_alone() -> None:
    env = {**os.environ, "MALLOC_MMAP_THRESHOLD_": "131072"}
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.split() == ["False", "False"]
