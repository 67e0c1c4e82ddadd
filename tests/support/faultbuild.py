"""Run the real `nkdata build` with fault points, for tests/test_faults.py.

``python tests/support/faultbuild.py build CORPUS ...`` is ``nkdata build CORPUS ...`` with a point
at every step that changes the file system: each file written into the temporary release folder, the
lock, the rename into place, each root file replaced. At a point it can:

- ``NKDATA_FAULT_LOG=FILE``: append ``<number> <point>`` to FILE (the points of a build);
- ``NKDATA_FAULT_KILL=N``: kill itself with SIGKILL at point N, as a crash or ``kill -9`` would;
- ``NKDATA_FAULT_PAUSE=NAME``: at the first point NAME, create ``FILE.paused`` and wait for
  ``FILE.go`` (FILE is the log), so that a test can line up concurrent builds;
- ``NKDATA_FAULT_ERROR=NAME:ERRNO``: raise ``OSError(ERRNO)`` at the first point NAME, as a
  full disk (28) or a read-only folder (13, 30) would;
- ``NKDATA_FAULT_NOSYNC=1``: skip fsync, which makes no difference to what a killed process
  leaves (the kernel keeps its writes) and takes seconds on a busy disk.

Test code only: nothing in nkdata knows about it.
"""

from __future__ import annotations

import fcntl
import os
import pathlib
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

LOG = os.environ.get("NKDATA_FAULT_LOG", "")
KILL = int(os.environ.get("NKDATA_FAULT_KILL", "0"))
_armed = {
    "pause": os.environ.get("NKDATA_FAULT_PAUSE", ""),
    "error": os.environ.get("NKDATA_FAULT_ERROR", ""),
}
_count = [0]


def point(name: str) -> None:
    """One step of the build: log it, then kill, pause or fail here if asked to."""
    _count[0] += 1
    if LOG:
        with open(LOG, "a", encoding="utf-8") as log:  # noqa: PTH123 - Path.open is patched
            log.write(f"{_count[0]} {name}\n")
    if _count[0] == KILL:
        os.kill(os.getpid(), signal.SIGKILL)
    if name == _armed["pause"]:
        _armed["pause"] = ""
        os.close(os.open(f"{LOG}.paused", os.O_CREAT | os.O_WRONLY))
        while not os.path.exists(f"{LOG}.go"):  # noqa: PTH110
            time.sleep(0.01)
    where, _, code = _armed["error"].rpartition(":")
    if where == name:
        _armed["error"] = ""
        raise OSError(int(code), os.strerror(int(code)), name)


def _after(function: Callable[..., Any], label: Callable[..., str]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = function(*args, **kwargs)
        point(label(*args))
        return result

    return wrapper


def _before(function: Callable[..., Any], label: Callable[..., str]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        point(label(*args))
        return function(*args, **kwargs)

    return wrapper


def install() -> None:
    """Put the points into the functions the release writer calls."""
    from nkdata.release import build

    if os.environ.get("NKDATA_FAULT_NOSYNC"):
        build._fsync = lambda _: None  # type: ignore[assignment]

    build.write_parquet = _after(build.write_parquet, lambda _, path: f"wrote {path.name}")
    build.write_csv = _after(build.write_csv, lambda _, path: f"wrote {path.name}")
    pathlib.Path.write_text = _after(pathlib.Path.write_text, lambda p, *_: f"wrote {p.name}")
    tempfile.mkdtemp = _before(tempfile.mkdtemp, lambda *_: "mkdtemp")
    fcntl.flock = _before(fcntl.flock, lambda *_: "lock")
    pathlib.Path.rename = _after(
        _before(pathlib.Path.rename, lambda *_: "rename"), lambda *_: "renamed"
    )
    pathlib.Path.replace = _after(
        _before(pathlib.Path.replace, lambda _, target: f"replace {pathlib.Path(target).name}"),
        lambda _, target: f"replaced {pathlib.Path(target).name}",
    )


if __name__ == "__main__":
    install()
    from nkdata.cli import main

    sys.argv = ["nkdata", *sys.argv[1:]]
    main()
