"""The allocator settings for long imports and streams: set at import, and the environment wins.

Each probe runs in a fresh interpreter: the settings are per process and must be in place
before other threads allocate.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from resonanz.heap import ARROW_POOL, _arrow_pool, release_free_memory, tune_heap

glibc_only = pytest.mark.skipif(
    not sys.platform.startswith("linux") or os.confstr("CS_GNU_LIBC_VERSION") is None,
    reason="the heap settings exist only in glibc",
)

SETTINGS = "import json, resonanz.heap as h; print(json.dumps([h.tune_heap(), h.tune_heap()]))"
POOL = "import resonanz, pyarrow as pa; print(pa.default_memory_pool().backend_name)"
#: Fill and free a 16 MiB block at the top of the heap (nothing allocated in between, so
#: nothing lands above it); print whether its pages stayed resident.
TRIM = """
import ctypes, resonanz
libc = ctypes.CDLL("libc.so.6")
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]
def resident():
    return int(open("/proc/self/statm").read().split()[1])
size = 16 << 20
base = resident()
block = libc.malloc(size)
ctypes.memset(block, 1, size)
libc.free(block)
print(resident() - base > (size >> 12) // 2)
"""
#: Allocate in several threads; print how many arenas glibc made.
ARENAS = """
import ctypes, os, sys, threading, resonanz
libc = ctypes.CDLL("libc.so.6")
libc.malloc.restype = ctypes.c_void_p
def work():
    libc.malloc(1 << 16)
threads = [threading.Thread(target=work) for _ in range(4)]
for t in threads: t.start()
for t in threads: t.join()
sys.stderr.flush()
os.dup2(1, 2)
libc.malloc_stats()
"""


def _clean_env() -> dict[str, str]:
    """The environment without allocator settings (a parent may have set Arrow's pool)."""
    names = (
        "ARROW_DEFAULT_MEMORY_POOL",
        "MALLOC_ARENA_MAX",
        "MALLOC_MMAP_THRESHOLD_",
        "MALLOC_TRIM_THRESHOLD_",
    )
    return {k: v for k, v in os.environ.items() if k not in names}


def _run_clean(code: str, **env: str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**_clean_env(), **env},
    )
    return out.stdout


@glibc_only
def test_settings_apply_once_and_trim_runs() -> None:
    first, again = json.loads(_run_clean(SETTINGS))
    assert first == again
    assert first == {
        "MALLOC_ARENA_MAX": True,
        "MALLOC_MMAP_THRESHOLD_": True,
        "MALLOC_TRIM_THRESHOLD_": True,
    }
    assert isinstance(release_free_memory(), bool)
    assert tune_heap() == tune_heap()


@glibc_only
def test_a_setting_from_the_environment_is_left_alone() -> None:
    first, _ = json.loads(_run_clean(SETTINGS, MALLOC_MMAP_THRESHOLD_="131072"))
    assert first["MALLOC_MMAP_THRESHOLD_"] is False
    assert first["MALLOC_ARENA_MAX"] is True


#: Import Arrow first, then the package: the pool is set on Arrow, not through the environment.
POOL_AFTER_ARROW = "import pyarrow as pa, resonanz; print(pa.default_memory_pool().backend_name)"


def test_arrow_uses_our_pool_unless_told_otherwise() -> None:
    expected = "jemalloc" if sys.platform.startswith("linux") else "system"
    assert expected == ARROW_POOL
    assert _run_clean(POOL).strip() == expected
    assert _run_clean(POOL_AFTER_ARROW).strip() == expected
    assert _run_clean(POOL, ARROW_DEFAULT_MEMORY_POOL="mimalloc").strip() == "mimalloc"
    assert _run_clean(POOL_AFTER_ARROW, ARROW_DEFAULT_MEMORY_POOL="system").strip() == "system"


def test_a_pool_arrow_lacks_falls_back_to_the_system_pool() -> None:
    class NoJemalloc:
        """Arrow as built without jemalloc: asking for its pool fails."""

        @staticmethod
        def jemalloc_memory_pool() -> object:
            raise NotImplementedError("jemalloc support is not built")

        @staticmethod
        def system_memory_pool() -> str:
            return "system"

    assert _arrow_pool(NoJemalloc) == "system"


@glibc_only
def test_freed_memory_at_the_top_of_the_heap_is_kept_until_trimmed() -> None:
    assert _run_clean(TRIM).strip() == "True"
    # glibc's fixed default (128 KiB) hands the pages back at once
    assert _run_clean(TRIM, MALLOC_TRIM_THRESHOLD_="131072").strip() == "False"


@glibc_only
def test_threads_share_one_arena() -> None:
    assert _run_clean(ARENAS).count("Arena ") == 1
    assert _run_clean(ARENAS, MALLOC_ARENA_MAX="8").count("Arena ") > 1
