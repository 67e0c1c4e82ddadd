"""Worker processes: how many, and results in the order of the items whatever their number."""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from nkdata.corpus import pool


def tagged(offset: int, chunk: Sequence[int]) -> list[tuple[int, int]]:
    """Each item with the process that handled it, shifted by the context."""
    time.sleep(0.01)  # long enough for every worker to take chunks
    return [(item + offset, os.getpid()) for item in chunk]


@pytest.mark.parametrize("workers", ["1", "2", "3"])
def test_results_keep_the_order_of_the_items(workers: str, monkeypatch) -> None:
    monkeypatch.setenv(pool.WORKERS_ENV, workers)
    items = list(range(1000))
    chunks = pool.map_chunks(tagged, 5, items)
    assert [value for chunk in chunks for value, _ in chunk] == [item + 5 for item in items]
    processes = {pid for chunk in chunks for _, pid in chunk}
    if workers == "1":
        assert processes == {os.getpid()}
    else:
        assert 1 < len(processes) <= int(workers)
        assert os.getpid() not in processes


def holding(name: str, chunk: Sequence[int]) -> list[tuple[int, bool]]:
    """Each item, and whether the worker holds a module this test's process imported."""
    return [(item, name in sys.modules) for item in chunk]


def test_fresh_workers_start_empty_and_keep_the_order(monkeypatch) -> None:
    """Spawned, not forked: the context is copied to them, this process's memory is not."""
    monkeypatch.setenv(pool.WORKERS_ENV, "2")
    import tests.support.sitecheck  # only this process has imported it  # noqa: F401

    name = "tests.support.sitecheck"
    items = list(range(2 * pool.MIN_PARALLEL))
    chunks = pool.map_chunks(holding, name, items, fresh=True)
    assert [item for chunk in chunks for item, _ in chunk] == items
    assert {held for chunk in chunks for _, held in chunk} == {False}
    forked = pool.map_chunks(holding, name, items)
    assert {held for chunk in forked for _, held in chunk} == {True}


def test_few_items_stay_in_this_process(monkeypatch) -> None:
    monkeypatch.setenv(pool.WORKERS_ENV, "2")
    (chunk,) = pool.map_chunks(tagged, 0, list(range(pool.MIN_PARALLEL)))
    assert {pid for _, pid in chunk} == {os.getpid()}


@pytest.mark.parametrize(
    ("content", "expected"), [("max 100000", None), ("150000 100000", 2), ("50000 100000", 1)]
)
def test_container_cpu_quota(content: str, expected, tmp_path: Path, monkeypatch) -> None:
    quota = tmp_path / "cpu.max"
    quota.write_text(content + "\n", encoding="utf-8")
    monkeypatch.setattr(pool, "_QUOTA_FILES", ((str(quota), None),))
    assert pool._cpu_quota() == expected
    monkeypatch.delenv(pool.WORKERS_ENV, raising=False)
    assert pool.worker_count() == min(len(os.sched_getaffinity(0)), expected or 1000)


def test_worker_count_override(monkeypatch) -> None:
    monkeypatch.setenv(pool.WORKERS_ENV, "7")
    assert pool.worker_count() == 7
    monkeypatch.setenv(pool.WORKERS_ENV, "none")
    assert pool.worker_count() >= 1


class Stop(BaseException):
    """What the command's SIGTERM handler raises (nkdata.cli.Terminated)."""


def _stop(signum: int, frame: object) -> None:
    raise Stop


def _signal_this_process() -> None:
    os.kill(os.getpid(), signal.SIGTERM)


def _run_the_handler() -> None:
    """What Python does when the signal reaches another thread (a build has Arrow's): it runs
    the handler in the main thread at its next check, which a signal mask of the main thread
    does not hold; called here, so that the moment is not left to chance."""
    handler = signal.getsignal(signal.SIGTERM)
    assert callable(handler)
    handler(signal.SIGTERM, None)


@pytest.mark.parametrize("interrupt", [_signal_this_process, _run_the_handler])
def test_a_signal_while_the_pool_starts_still_stops_every_worker(monkeypatch, interrupt) -> None:
    """SIGTERM right after the workers started, before the pool's block: raised there, it
    left them running (and holding the command's output open); it must arrive where the pool
    terminates them."""
    monkeypatch.setenv(pool.WORKERS_ENV, "2")
    started = []
    real = pool._start_method

    class Interrupted:
        def __init__(self, fresh: bool) -> None:
            self.method = real(fresh)

        def Pool(self, *args, **kwargs):  # multiprocessing's name
            started.append(self.method.Pool(*args, **kwargs))
            interrupt()
            return started[-1]

    monkeypatch.setattr(pool, "_start_method", Interrupted)
    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        with pytest.raises(Stop):
            pool.map_chunks(tagged, 0, list(range(4 * pool.MIN_PARALLEL)))
        (workers,) = [list(started[0]._pool)]
        for worker in workers:
            worker.join(timeout=10)
        assert len(workers) == 2 and not [w for w in workers if w.is_alive()]
    finally:
        signal.signal(signal.SIGTERM, previous)
        for stray in started:
            stray.terminate()
