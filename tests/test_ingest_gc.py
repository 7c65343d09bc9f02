"""The garbage collector pauses while a batch is enriched and resumes as it was."""

from __future__ import annotations

import gc
import threading

from resonanz.ingest import gc_paused


def test_gc_pauses_nested_and_resumes() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_gc_stays_off_when_it_was_off() -> None:
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_gc_resumes_after_the_last_of_several_threads() -> None:
    inside, release = threading.Barrier(3), threading.Event()

    def work() -> None:
        with gc_paused():
            inside.wait()
            release.wait()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    inside.wait()
    assert not gc.isenabled()
    release.set()
    for thread in threads:
        thread.join()
    assert gc.isenabled()
