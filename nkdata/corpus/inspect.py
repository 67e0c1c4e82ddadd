"""What the build will compute for one article, shown to its contributor before the build.

``nkdata show ARTICLE`` lists every claim with its place in text.txt (line:column and code-point
offsets), its source, relay and labels, and each figure with its normalised value;
``nkdata numbers ARTICLE`` lists every number of the text with what accounts for it (the
``number-unaccounted`` rule's view). Both run the article's own stages only (no registry), so
they work on an article that does not validate yet, showing what could be placed.
"""

from __future__ import annotations

from pathlib import Path

from nkdata.corpus.article import LocalCheck, check_locally
from nkdata.corpus.crosscheck import Spans
from nkdata.corpus.layout import read_article_bytes
from nkdata.corpus.numbercheck import number_statuses
from nkdata.corpus.text import line_column
from nkdata.schema.corpus_files import ClaimEntry, FigureEntry


def inspect_article(root: Path, folder: str) -> LocalCheck:
    """The article-local check of ``root/articles/<folder>``."""
    return check_locally(read_article_bytes(root, folder))


def _where(text: str, span: tuple[int, int]) -> str:
    line, column = line_column(text, span[0])
    return f"{line}:{column} [{span[0]}, {span[1]})"


def show_lines(local: LocalCheck) -> list[str]:
    """One block per claim: place, source and relay, labels, the quote, its figures."""
    parsed, spans = local.parsed, local.spans
    if parsed is None or spans is None or parsed.text is None:
        return []
    lines = []
    for _, claim in parsed.claims:
        span = spans.claims.get(claim.id)
        where = _where(parsed.text, span) if span else "(quote not found)"
        via = f" via {claim.via_id}" if claim.via_id else ""
        labels = "/".join(str(getattr(claim, name, "?")) for name in ("mode", "framing", "topic"))
        lines += [f"{claim.id}  {where}  {claim.source_id}{via}  {labels}", f"    {claim.quote!r}"]
        lines += [_figure_line(parsed.text, claim, figure, spans) for figure in claim.figures]
    return lines


def _figure_line(text: str, claim: ClaimEntry, figure: FigureEntry, spans: Spans) -> str:
    span = spans.figures.get((claim.id, figure.id))
    where = _where(text, span) if span else "(not in the quote)"
    numbers = ", ".join(
        f"{name} {number:g}"
        for name in ("value", "low", "high")
        if (number := getattr(figure, name, None)) is not None
    )
    qualifier = getattr(figure, "qualifier", None)
    extra = "".join(
        f", {label} {value}"
        for label, value in (("as of", figure.as_of), ("in", figure.place))
        if value
    )
    return (
        f"    {figure.id}  {where}  {figure.text!r} → {figure.quantity_id}: "
        f"{qualifier} {numbers}{extra}"
    )


def number_lines(local: LocalCheck) -> list[str]:
    """One line per number of the text: line:column, the number, and what accounts for it."""
    parsed, spans = local.parsed, local.spans
    if parsed is None or spans is None or parsed.text is None:
        return []
    labels = {
        "exclusions": {i: str(e.reason) for i, e in parsed.exclusions},
        "non_body": {i: str(p.kind) for i, p in parsed.non_body},
    }
    return [
        f"{s.line}:{s.column}  {s.number.text!r}  {s.status}"
        for s in number_statuses(parsed.text, spans, labels)
    ]
