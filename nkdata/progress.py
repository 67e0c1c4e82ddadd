"""A progress display for long commands: a rich bar on a terminal, nothing otherwise."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def progress_display(*, enabled: bool, total: int) -> Iterator[Callable[[str], None]]:
    """Yield a ``step(description)`` callback; shows a bar only when stderr is a terminal."""
    if not enabled or not sys.stderr.isatty():
        yield lambda _: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("building", total=total)

        def step(description: str) -> None:
            bar.update(task, advance=1, description=description)

        yield step
