"""Tune the process's memory allocators for batch work (glibc; Arrow everywhere).

A batch allocates and frees hundreds of megabytes of short-lived arrays and strings. Left
alone, the allocators either keep too much or give back too soon:

- **mmap threshold.** glibc raises its mmap and trim thresholds each time a large mapped
  block is freed, so after the first batches the big arrays come from the heap, and freed
  ones stay there between long-lived small objects: resident memory then grows with the
  input although the live data does not. A fixed threshold keeps the heap's behaviour the
  same from the first batch to the last. It is glibc's own upper bound for its moving one
  (32 MiB). A lower one maps every larger array on its own, so each batch faults in every
  page of its temporaries afresh (with 1 MiB: 7.2 page faults and 17 µs of system time per
  enriched post).
- **trim threshold.** Fixing the mmap threshold also stops glibc from moving its trim
  threshold, which then stays at 128 KiB: every free at the top of the heap handed pages
  back, and the next array faulted them in again (3.9 page faults and 10–11 µs of system
  time per enriched post). It is set to twice the mmap threshold, where glibc's own moving
  threshold would end up: 2.1 faults and 6 µs. :func:`release_free_memory` still hands the
  free pages back after each batch.
- **one arena.** Each thread that allocates gets a glibc arena of its own, and memory one
  arena keeps free another cannot use. The importer reads in one thread and stores in
  another; with their arenas apart, the kept free memory raised the peak by up to 150 MB.
  Our threads mostly hold the interpreter lock, so they hardly ever wait for the arena.
  This must be set before other threads allocate: at the package's import.
- **Arrow's pool.** Arrow's default pool (mimalloc) keeps memory of its own beside glibc's
  heap: a 200,000-post import peaked about 50 MB higher than on glibc's heap. On Linux,
  Arrow's jemalloc pool is used instead (:data:`ARROW_POOL`): its arenas hold only Arrow's
  arrays, so the batches' large columns no longer land between the long-lived small
  allocations of DuckDB and Python on glibc's heap, which over a long run split its free
  memory into pieces too small for the next batch. With the full pipeline (pipeline_memory,
  same machine, one run each) the peak went from 520 MB at 100,000 posts to 562 / 581 /
  588 MB at 1M / 2M / 3M on glibc's heap, and to 548 / 556 / 556 MB with jemalloc (521 MB
  at 100,000), in the same time (248 and 256 s). Elsewhere than Linux the system pool is
  used; so is it on Linux where Arrow was built without jemalloc and is imported before
  the package (imported after it, Arrow warns and falls back to its own default).

Measured on 200,000 posts after a warm-up (full enrichment, 500 topics; page faults and
system time per post, peak RSS): default settings 3.9 / 10.5 µs / 565 MB; all four
2.2 / 6.4 µs / 515 MB, and a tenth more posts per CPU-second.

Each setting that the environment gives (``MALLOC_MMAP_THRESHOLD_``,
``MALLOC_TRIM_THRESHOLD_``, ``MALLOC_ARENA_MAX``, ``ARROW_DEFAULT_MEMORY_POOL``) wins over
ours. Elsewhere than glibc (musl, macOS) the glibc settings are no-ops.
"""

from __future__ import annotations

import ctypes
import os
import sys
from typing import Any, Final

#: glibc's ``mallopt`` parameters.
M_TRIM_THRESHOLD: Final = -1
M_MMAP_THRESHOLD: Final = -3
M_ARENA_MAX: Final = -8
#: Blocks at least this large are mapped on their own (glibc's largest moving threshold).
MMAP_THRESHOLD: Final = 32 << 20
#: Free memory at the top of the heap beyond this goes back at once (glibc's moving
#: threshold ends at twice the mmap threshold).
TRIM_THRESHOLD: Final = 2 * MMAP_THRESHOLD
#: glibc arenas: one, shared by all threads.
ARENAS: Final = 1
#: The glibc settings in the order they are applied: (environment variable, parameter, value).
GLIBC_SETTINGS: Final = (
    ("MALLOC_ARENA_MAX", M_ARENA_MAX, ARENAS),
    ("MALLOC_MMAP_THRESHOLD_", M_MMAP_THRESHOLD, MMAP_THRESHOLD),
    ("MALLOC_TRIM_THRESHOLD_", M_TRIM_THRESHOLD, TRIM_THRESHOLD),
)
#: Arrow's memory pool, unless the environment names one: jemalloc where Arrow's wheels
#: have it (Linux), else the system allocator.
ARROW_POOL: Final = "jemalloc" if sys.platform.startswith("linux") else "system"
ARROW_POOL_ENV: Final = "ARROW_DEFAULT_MEMORY_POOL"
#: glibc's file name on Linux.
GLIBC: Final = "libc.so.6"


def _libc() -> Any:
    # glibc's name first: importing ctypes.util and searching (it runs ldconfig) made the
    # package's import take 29-34 ms instead of 17
    try:
        lib = ctypes.CDLL(GLIBC)
    except OSError:
        from ctypes.util import find_library

        name = find_library("c")
        if name is None:
            return None
        try:
            lib = ctypes.CDLL(name)
        except OSError:
            return None
    try:
        lib.mallopt.argtypes, lib.mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
        lib.malloc_trim.argtypes, lib.malloc_trim.restype = [ctypes.c_size_t], ctypes.c_int
    except AttributeError:  # a C library without these (not glibc)
        return None
    return lib


_LIBC = _libc()
#: The glibc settings applied so far, by environment variable name.
_APPLIED: dict[str, bool] = {}


def tune_heap() -> dict[str, bool]:
    """Apply the settings once per process; return which glibc settings are ours.

    The package calls it when imported (so every process that imports the ingestor has it).
    """
    if not _APPLIED:
        for env, param, value in GLIBC_SETTINGS:
            ours = _LIBC is not None and env not in os.environ
            _APPLIED[env] = ours and bool(_LIBC.mallopt(param, value))
        _use_arrow_pool()
    return dict(_APPLIED)


def _use_arrow_pool() -> None:
    """Make :data:`ARROW_POOL` Arrow's default pool, unless the environment names one."""
    if ARROW_POOL_ENV in os.environ:
        return
    if "pyarrow" not in sys.modules:
        # read when Arrow first allocates; worker processes inherit it
        os.environ[ARROW_POOL_ENV] = ARROW_POOL
        return
    import pyarrow as pa

    pa.set_memory_pool(_arrow_pool(pa))


def _arrow_pool(pa: Any) -> Any:
    """Return :data:`ARROW_POOL` as a pool, or the system pool where Arrow lacks it."""
    if ARROW_POOL == "jemalloc":
        try:
            return pa.jemalloc_memory_pool()
        except NotImplementedError:  # built without jemalloc
            pass
    return pa.system_memory_pool()


def release_free_memory() -> bool:
    """Return free pages to the operating system; say whether anything was released."""
    return bool(_LIBC.malloc_trim(0)) if _LIBC is not None else False
