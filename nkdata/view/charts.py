"""A quantity's figures over time, drawn with matplotlib into static, reproducible SVG.

One mark per figure, at its ``as_of`` date where the text gives one, else at its article's
publication date: a dot for a value, a vertical band for bounds, a triangle pointing up for
"more than" (at the lower bound) and down for "less than" (at the upper bound); hollow marks
and pale bands are echoes (:mod:`nkdata.view.ledger`). Colours tell the sources apart (the most
frequent ones; the rest share grey). Each kind of mark is one SVG group with the id
``marks-<kind>``, each mark one element in it, wrapped in a link when ``link`` is given.

The bytes go into the release's data card, which must be reproducible, so the style pins what
would vary: the hash salt of the SVG ids, no date in the metadata, a fixed size. Text stays
text (``svg.fonttype: none``), laid out with the metrics of matplotlib's own DejaVu Sans: half
the drawing time of glyphs as paths, smaller files, and names in any script (Korean included)
shown by the viewer's fonts. matplotlib is imported here only, when a chart is drawn.
"""

from __future__ import annotations

import io
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from nkdata.view.ledger import LedgerRow

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.typing import RcKeyType

EPOCH = date(1970, 1, 1)
STYLE: dict[RcKeyType, Any] = {
    "svg.hashsalt": "nkdata",
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "date.epoch": EPOCH.isoformat(),
}
"""What the charts look like; the first three keys make the bytes reproducible, the last says
what the x coordinates count (days since ``EPOCH``)."""
SIZE = (7.5, 3.6)
"""Inches; SVG has 72 points to the inch."""
COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf")
OTHER = "#999999"
"""The colour of every source beyond the first len(COLOURS), by number of figures."""
NAME_LENGTH = 30
KINDS = {
    "point": ("o", "a value"),
    "band": ("|", "bounds"),
    "more": ("^", "more than"),
    "less": ("v", "less than"),
}
"""Kind of mark → (matplotlib marker, legend label)."""

Link = Callable[[LedgerRow], str]


def ledger_link(row: LedgerRow) -> str:
    """Where a mark leads: the figure's row of the ledger on its quantity's page of the site."""
    return f"#f-{row.figure_id}"


def mark_kind(row: LedgerRow) -> str:
    """Which mark shows ``row``: both bounds make a band, one bound an open-ended triangle."""
    if row.low is not None and row.high is not None and row.low < row.high:
        return "band"
    if row.qualifier in {"more_than", "at_least"} or (row.value is None and row.low is not None):
        return "more"
    if row.qualifier in {"less_than", "at_most"} or (row.value is None and row.high is not None):
        return "less"
    return "point"


def _height(row: LedgerRow) -> float:
    """Where the mark of ``row`` sits: its value, else the bound it has."""
    return next(n for n in (row.value, row.low, row.high) if n is not None)


def source_colours(rows: Sequence[LedgerRow]) -> dict[str, str]:
    """Source id → colour: the sources with most figures first (ties by name), the rest grey."""
    counts = Counter(row.source_id for row in rows)
    ranked = sorted(counts, key=lambda source: (-counts[source], source))
    return {source: COLOURS[i] if i < len(COLOURS) else OTHER for i, source in enumerate(ranked)}


def chart_svg(title: str, unit: str, rows: Sequence[LedgerRow], link: Link | None = None) -> bytes:
    """The chart of one quantity's ledger ``rows`` as SVG bytes (the same bytes every time)."""
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(STYLE), warnings.catch_warnings():
        # Layout measures a name in a script DejaVu Sans lacks (Korean) with boxes; the SVG
        # keeps the text, which the viewer's fonts draw, so a warning per glyph is only noise.
        warnings.filterwarnings("ignore", "Glyph .* missing from font", UserWarning)
        figure = Figure(figsize=SIZE)
        axes = figure.add_axes((0.1, 0.14, 0.52, 0.74))
        colours = source_colours(rows)
        x = dodged(rows)
        for kind in KINDS:
            chosen = [i for i, row in enumerate(rows) if mark_kind(row) == kind]
            if chosen:
                _draw(axes, kind, [rows[i] for i in chosen], [x[i] for i in chosen], colours, link)
        _axes(axes, title, unit, rows, x)
        _legend(figure, rows, colours)
        out = io.BytesIO()
        figure.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()


def dodged(rows: Sequence[LedgerRow]) -> list[float]:
    """Each mark's x (days, as matplotlib counts them), figures of one date set side by side so
    that none hides another: 2.5% of the time axis (of a year, at least) apart, closer when
    many share a date, so that they spread over 10% of the axis at most."""
    days = [float((row.when - EPOCH).days) for row in rows]
    step = max(max(days) - min(days), 365.0) * 0.025 if days else 0.0
    same = Counter(days)
    seen: Counter[float] = Counter()
    x = []
    for day in days:
        gap = step * min(1.0, 4 / max(same[day] - 1, 1))
        x.append(day + (seen[day] - (same[day] - 1) / 2) * gap)
        seen[day] += 1
    return x


def _draw(
    axes: Axes,
    kind: str,
    rows: list[LedgerRow],
    x: list[float],
    colours: dict[str, str],
    link: Link | None,
) -> None:
    """One group of marks: a line per band, a marker per value or open bound."""
    colour = [colours[row.source_id] for row in rows]
    urls = [link(row) for row in rows] if link else None
    if kind == "band":
        from matplotlib.colors import to_rgba

        lines = axes.vlines(
            x,
            [row.low or 0.0 for row in rows],
            [row.high or 0.0 for row in rows],
            colors=[
                to_rgba(c, 0.2 if row.echo_of else 0.65)
                for row, c in zip(rows, colour, strict=True)
            ],
            linewidths=5,
            gid="marks-band",
        )
        if urls:
            lines.set_urls(urls)
        return
    marker = KINDS[kind][0]
    faces = ["white" if row.echo_of else c for row, c in zip(rows, colour, strict=True)]
    axes.scatter(
        x,
        [_height(row) for row in rows],
        s=42,
        marker=marker,
        c=faces,
        edgecolors=colour,
        linewidths=1.4,
        zorder=3,
        gid=f"marks-{kind}",
        urls=urls,
    )


def _axes(axes: Axes, title: str, unit: str, rows: Sequence[LedgerRow], x: list[float]) -> None:
    """Title, unit, a date axis a year wide at least (so that dodged marks stay close to their
    date), and a log scale when the figures span three orders of magnitude."""
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
    from matplotlib.ticker import FuncFormatter, NullLocator

    numbers = [n for row in rows for n in (row.value, row.low, row.high) if n is not None]
    if numbers and min(numbers) > 0 and max(numbers) / min(numbers) >= 1000:
        axes.set_yscale("log")
    elif numbers:
        axes.set_ylim(bottom=0, top=max(numbers) * 1.1)
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: compact(value)))
    axes.yaxis.set_minor_locator(NullLocator())  # a log axis would draw dozens, each costly
    axes.xaxis.set_minor_locator(NullLocator())
    middle, span = (max(x) + min(x)) / 2, max(max(x) - min(x), 365.0) * 1.12
    axes.set_xlim(middle - span / 2, middle + span / 2)
    locator = AutoDateLocator(minticks=2, maxticks=7)  # type: ignore[no-untyped-call]
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    axes.set_title(_short(title, 70), loc="left", fontsize=10)
    axes.set_ylabel(unit)
    axes.set_xlabel("as-of date, else publication date", fontsize=8, color="#555555")


def _legend(figure: Figure, rows: Sequence[LedgerRow], colours: dict[str, str]) -> None:
    """Sources by colour (the grey ones as one entry), then the kinds of mark."""
    from matplotlib.lines import Line2D

    names = {row.source_id: row.source_name for row in rows}
    handles, labels = [], []
    for source, colour in colours.items():
        if colour == OTHER:
            handles.append(Line2D([], [], ls="", marker="s", color=OTHER))
            labels.append("other sources")
            break
        handles.append(Line2D([], [], ls="", marker="s", color=colour))
        labels.append(_short(names[source], NAME_LENGTH))
    for kind, (marker, label) in KINDS.items():
        if any(mark_kind(row) == kind for row in rows):
            handles.append(Line2D([], [], ls="", marker=marker, color="#444444", mew=2))
            labels.append(label)
    if any(row.echo_of for row in rows):
        handles.append(Line2D([], [], ls="", marker="o", mfc="white", color="#444444"))
        labels.append("echo of an earlier figure")
    figure.legend(handles, labels, loc="upper left", bbox_to_anchor=(0.64, 0.9))


def compact(number: float) -> str:
    """A tick label: ``2.5M``, ``12k``, ``40``.

    >>> compact(2_500_000), compact(12_000), compact(40), compact(0.5)
    ('2.5M', '12k', '40', '0.5')
    """
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(number) >= size:
            return f"{number / size:g}{suffix}"
    return f"{number:g}"


def _short(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"
