"""Run the reference validator, frictionless, on a release folder: ``nkdata verify --frictionless``.

``nkdata verify`` checks every rule itself, many times faster; the reference validator is the
independent second opinion of the Data Package standard's own implementation, for users who
want it. It is an optional extra (``pip install 'nkdata[frictionless]'``): most users load the
tables and never need its twenty-odd dependencies. Its findings become problems like verify's,
with the rule code ``release-reference`` and frictionless's own error type in the message.
"""

from __future__ import annotations

from pathlib import Path

from nkdata.corpus.problems import Problem, Rule
from nkdata.extras import require
from nkdata.schema.releasefolder import DESCRIPTOR

SHOWN = 20
"""Errors of one resource reported at most; the rest are counted."""


def reference_problems(folder: Path) -> list[Problem]:
    """frictionless's findings on the release in ``folder``, as problems (none: it is valid)."""
    require("--frictionless (the reference validator)", "frictionless", "frictionless")
    import frictionless

    report = frictionless.validate(str(folder / DESCRIPTOR))
    problems = []
    for task in report.tasks:
        file = Path(task.place).name if task.place else task.name
        for error in task.errors[:SHOWN]:
            problems.append(
                Problem(
                    code=Rule.RELEASE_REFERENCE,
                    message=f"frictionless {error.type}: {error.message}",
                    file=file,
                    line=getattr(error, "row_number", None),
                    path=getattr(error, "field_name", None) or "",
                )
            )
        if len(task.errors) > SHOWN:
            problems.append(
                Problem(
                    code=Rule.RELEASE_REFERENCE,
                    message=f"frictionless: {len(task.errors) - SHOWN} more error(s)",
                    file=file,
                )
            )
    return problems
