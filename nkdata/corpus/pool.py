"""Run one function over many items on every core: a process pool, or this process when small.

Article checks are independent of each other, so ``nkdata validate`` and ``nkdata build`` spread
them over worker processes in chunks. Results come back in the order of the items, so that the
output does not depend on the number of workers. ``$NKDATA_WORKERS`` sets the number of worker
processes (``1`` checks in this process); the default is one per core this process may use.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

WORKERS_ENV = "NKDATA_WORKERS"
FORKS = sys.platform == "linux"
"""Whether workers are forked, sharing the context with this process instead of a pickled copy."""
MIN_PARALLEL = 64
"""Fewer items than this are handled in this process: starting workers would cost more."""

C = TypeVar("C")
T = TypeVar("T")
R = TypeVar("R")
ChunkFunction = Callable[[C, Sequence[T]], R]

_context: Any = None


def worker_count() -> int:
    """``$NKDATA_WORKERS`` if set to a positive number, else the cores this process may use:
    those it may run on, fewer if a container's CPU quota allows fewer."""
    override = os.environ.get(WORKERS_ENV, "").strip()
    if override.isdigit() and int(override) > 0:
        return int(override)
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS and Windows
        cores = os.cpu_count() or 1
    return max(1, min(cores, _cpu_quota() or cores))


_QUOTA_FILES = (
    ("/sys/fs/cgroup/cpu.max", None),  # cgroup v2: "<quota> <period>" or "max <period>"
    ("/sys/fs/cgroup/cpu/cpu.cfs_quota_us", "/sys/fs/cgroup/cpu/cpu.cfs_period_us"),  # v1
)


def _cpu_quota() -> int | None:
    """Whole CPUs a Linux container's quota allows (rounded up), or None without a quota."""
    for quota_file, period_file in _QUOTA_FILES:
        try:
            fields = Path(quota_file).read_text().split()
            if period_file is not None:
                fields.append(Path(period_file).read_text().strip())
            quota, period = int(fields[0]), int(fields[1])
        except (OSError, ValueError, IndexError):
            continue
        if quota > 0 and period > 0:
            return -(-quota // period)
    return None


def map_chunks(
    function: ChunkFunction[C, T, R],
    context: C,
    items: Sequence[T],
    *,
    per_worker: int = MIN_PARALLEL,
    fresh: bool = False,
) -> list[R]:
    """``function(context, chunk)`` over consecutive chunks of ``items``; results in order.

    ``function`` must be a module-level function (workers import it by name). ``context`` is
    handed to each worker once, when it starts; with the ``fork`` start method it is not even
    copied. ``fresh`` starts the workers as new interpreters (``spawn``) instead: for work late
    in a process that holds much memory, which forked workers would each count again. Each
    worker gets ``per_worker`` items at least: fewer make one chunk, handled in this process.

    >>> def total(offset: int, chunk: Sequence[int]) -> int:
    ...     return offset + sum(chunk)
    >>> map_chunks(total, 10, [1, 2, 3])
    [16]
    """
    workers = min(worker_count(), len(items) // per_worker or 1)
    if workers <= 1:
        return [function(context, items)]
    size = max(per_worker // 4, min(max(256, per_worker // 2), len(items) // (workers * 8)))
    chunks = [items[start : start + size] for start in range(0, len(items), size)]
    # multiprocessing's Pool, not concurrent.futures': leaving its block for any reason (an
    # error, Ctrl-C, SIGTERM turned into an exception) terminates the workers at once, so none
    # outlives the command or keeps its output open. A signal that comes while the pool starts
    # is handled once its block is entered: raised during the start, it left the workers started
    # so far running, and the pool's own thread forked another as they were stopped at exit.
    method = _start_method(fresh)
    previous = _deferring()
    try:
        pool = method.Pool(workers, initializer=_start, initargs=(context,))
    except BaseException:
        _restore(previous)
        raise
    with pool:
        _restore(previous)
        results: list[R] = pool.map(partial(_run, function), chunks, chunksize=1)
    return results


STOPPING = (signal.SIGINT, signal.SIGTERM)
"""The signals that stop a command (see :func:`nkdata.cli.main`)."""
_deferred: list[int] = []
"""The signals that came while a pool was starting."""
if hasattr(os, "register_at_fork"):  # a worker has seen none of its parent's
    os.register_at_fork(after_in_child=_deferred.clear)


def _deferring() -> dict[int, Any]:
    """Record the signals that stop a command instead of handling them; their handlers, to
    restore. Handlers run in the main thread whichever thread a signal reaches (Arrow's
    threads too), so this, unlike a signal mask, holds them all. Not outside the main thread,
    where handlers cannot be set."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        return {}
    _deferred.clear()
    return {signum: signal.signal(signum, _defer) for signum in STOPPING}


def _defer(signum: int, _frame: object) -> None:
    _deferred.append(signum)


def _restore(previous: dict[int, Any]) -> None:
    """The handlers before :func:`_deferring`, then the signals recorded, raised to them."""
    for signum, handler in previous.items():
        if handler is not None:  # None: set outside Python, cannot be set back
            signal.signal(signum, handler)
    recorded = list(dict.fromkeys(_deferred))
    _deferred.clear()
    for signum in recorded:
        signal.raise_signal(signum)


def _start_method(fresh: bool) -> Any:
    """``spawn`` when ``fresh``; else ``fork`` on Linux (workers start at once, sharing the
    parent's imports), or the default. multiprocessing is imported only when workers start."""
    import multiprocessing

    if fresh:
        return multiprocessing.get_context("spawn")
    if FORKS:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


def _start(context: object) -> None:
    """In each worker: the context, and the default signal handling. The parent stops its
    workers itself (it terminates them when it is interrupted), so a worker ignores Ctrl-C sent
    to the whole process group instead of printing a traceback, and dies of SIGTERM at once
    (a handler that the parent installed is not inherited)."""
    global _context  # noqa: PLW0603 - one context per worker process, set once at its start
    _context = context
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if signal.SIGTERM in _deferred:  # terminated before it could die of it
        signal.raise_signal(signal.SIGTERM)


def _run(function: ChunkFunction[Any, T, R], chunk: Sequence[T]) -> R:
    return function(_context, chunk)
