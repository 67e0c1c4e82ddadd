"""The ``nkdata`` command line. Exit codes: 0 valid, 1 invalid data, 2 usage error.

Each command is a thin layer over a library function; heavy imports happen inside commands so
that ``nkdata --help`` stays fast.
"""

from __future__ import annotations

import gc
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from nkdata.corpus.report import Format

if TYPE_CHECKING:
    import nkdata
    from nkdata.corpus.validate import Corpus
    from nkdata.release.cutting import Plan
    from nkdata.release.errata import Errata

app = typer.Typer(
    name="nkdata",
    help="Validate, build, load and download the nkdata corpus of reporting on North Korea's "
    "internet access and information control.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: rendering it with rich would triple `nkdata --help`
)

CorpusArg = Annotated[
    Path,
    typer.Argument(help="The corpus folder, or one article folder inside it.", show_default=True),
]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Report format.")]
NoCacheOpt = Annotated[
    bool,
    typer.Option(
        "--no-cache",
        help="Check every article again instead of skipping those that passed before with the "
        "same bytes and code; neither read nor write the check cache.",
    ),
]


def usage_error(message: str) -> NoReturn:
    """Print a usage error and exit 2, the way typer reports bad arguments."""
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(2)


def find_corpus(path: Path) -> tuple[Path, str | None]:
    """The corpus root for ``path``, and the article folder name when ``path`` is one."""
    if (path / "dataset.yaml").is_file():
        return path, None
    if path.parent.name == "articles" and (path.parent.parent / "dataset.yaml").is_file():
        return path.parent.parent, path.name
    if (path / "corpus" / "dataset.yaml").is_file():
        return path / "corpus", None
    usage_error(
        f"{path} is neither a corpus folder (with dataset.yaml) nor an article folder inside one."
    )


@app.command()
def validate(
    path: CorpusArg = Path("corpus"),
    fmt: FormatOpt = Format.TEXT,
    no_cache: NoCacheOpt = False,
) -> None:
    """Check the corpus (or one article) and report every problem at once. Writes nothing into
    the corpus (only the check cache in the user's cache folder)."""
    from nkdata.corpus.report import render, summary
    from nkdata.corpus.validate import validate_corpus

    root, only = find_corpus(path)
    outcome = validate_corpus(root, only, resolve=False, cache=not no_cache)
    if only is None:
        outcome.problems += _errata(root, None).problems
    prefix = str(root) if str(root) != "." else ""
    for line in render(outcome.problems, prefix, fmt):
        typer.echo(line)
    if fmt is Format.TEXT:
        typer.echo(summary(outcome.problems, outcome.articles_checked), err=bool(outcome.problems))
    raise typer.Exit(1 if outcome.problems else 0)


QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")]
CorpusOpt = Annotated[Path, typer.Option("--corpus", help="The corpus folder (with dataset.yaml).")]
ReleasesOpt = Annotated[
    Path | None, typer.Option(help="Releases folder [default: releases/ beside the corpus].")
]


def _errata(root: Path, releases: Path | None, version: str | None = None) -> Errata:
    """The corpus's errata.yaml, checked against the releases it names."""
    from nkdata.release.errata import check_errata

    return check_errata(root, version, releases or root.parent / "releases")


def _validated(path: Path, fmt: Format) -> tuple[Path, Corpus, Errata]:
    """Validate a whole corpus and its errata for commands that need them valid; exit 1 with
    the report if not."""
    from nkdata.corpus.report import render, summary
    from nkdata.corpus.validate import validate_corpus

    root, only = find_corpus(path)
    if only is not None:
        usage_error(f"{path} is an article folder; give the corpus folder.")
    outcome = validate_corpus(root)
    errata = _errata(root, None, outcome.corpus.dataset.version if outcome.corpus else None)
    outcome.problems += errata.problems
    if outcome.corpus is None or errata.problems:
        for line in render(outcome.problems, str(root), fmt):
            typer.echo(line, err=True)
        typer.echo(
            summary(outcome.problems, outcome.articles_checked) + "; nothing written", err=True
        )
        raise typer.Exit(1)
    return root, outcome.corpus, errata


@app.command()
def build(
    path: CorpusArg = Path("corpus"),
    releases: ReleasesOpt = None,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Rebuild in a temporary folder and exit 1 if the "
            "committed release differs from the corpus. Writes nothing.",
        ),
    ] = False,
    quiet: QuietOpt = False,
    fmt: FormatOpt = Format.TEXT,
) -> None:
    """Validate the corpus and write releases/<version>/ atomically (Parquet, CSV,
    datapackage.json, README.md), with the root datapackage.json, releases/index.json and the
    version's CHANGELOG.md block. A published version is never overwritten; an unpublished one
    is rebuilt in place. --check also compares CITATION.cff and the CHANGELOG.md entry."""
    from nkdata.progress import progress_display
    from nkdata.release.build import (
        STEPS,
        BuildError,
        BuildStatus,
        build_release,
        check_release,
        root_files,
    )
    from nkdata.release.cutting import bump_advice
    from nkdata.schema.releasefolder import Index

    root, corpus, errata = _validated(path, fmt)
    beside = root.absolute().parent / "releases"  # the repository's: corpus/ and releases/
    releases = releases or beside
    # The root datapackage.json is the repository's: written only beside its own releases/,
    # never into the parent of a folder given with --releases.
    repository = releases.absolute() == beside
    version = corpus.dataset.version
    if check:
        with _user_errors():
            stale = check_release(corpus, releases, errata.entries, repository=repository)
        for name in stale:
            typer.echo(f"differs from the corpus: {name}", err=True)
        if stale:
            with _user_errors():
                altered = any("(published:" in name for name in stale)
                published = version in Index.read(releases).published() and not altered
                derived = {str(path) for path in root_files(releases, repository=repository)}
                advice = (
                    bump_advice(corpus, releases) if published else _stale_advice(stale, derived)
                )
            typer.echo(advice, err=True)
            raise typer.Exit(1)
        typer.echo(f"release {version} matches the corpus")
        return
    try:
        with _user_errors(), progress_display(enabled=not quiet, total=STEPS) as step:
            result = build_release(corpus, releases, step, errata.entries, repository=repository)
    except BuildError as exc:
        from nkdata.schema.characters import escaped

        typer.echo(f"Error: {escaped(str(exc))}.", err=True)
        raise typer.Exit(1) from None
    if result.status is BuildStatus.CONFLICT:
        with _user_errors():
            advice = bump_advice(corpus, releases)
        typer.echo(f"Error: {advice}", err=True)
        raise typer.Exit(1)
    verbs = {
        BuildStatus.WRITTEN: "wrote release",
        BuildStatus.REPLACED: "rebuilt unpublished release",
        BuildStatus.UNCHANGED: "unchanged: release",
    }
    typer.echo(f"{verbs[result.status]} {version} at {result.folder}")


def _stale_advice(stale: list[str], derived: set[str]) -> str:
    """What to do about what ``build --check`` found stale in an unpublished release;
    ``derived`` names the files derived from all releases (root descriptor, index)."""
    missing = [name for name in stale if name.endswith(" does not exist")]
    if missing:
        version = Path(missing[0].removesuffix(" does not exist")).name
        return f"Release {version} has not been built: run `nkdata build`."
    if set(stale) <= derived:
        return (
            "The release matches the corpus, but the files derived from all releases are stale "
            "(an interrupted build?): run `nkdata build` to rewrite them."
        )
    if any("(published:" in name for name in stale):
        return (
            "A published release was altered: restore it from version control "
            "(`git checkout -- releases/`); published releases never change."
        )
    return (
        "The unpublished release or the files that follow it do not match the corpus: run "
        "`nkdata build` (it rebuilds an unpublished release and its CHANGELOG block), or "
        "`nkdata release patch|minor|major` if CITATION.cff or the CHANGELOG entry is stale."
    )


@app.command()
def release(
    kind: Annotated[
        str | None,
        typer.Argument(
            metavar="[major|minor|patch]",
            help="The bump from the newest published release; it must fit what changed.",
        ),
    ] = None,
    publish: Annotated[
        bool,
        typer.Option(
            "--publish",
            help="Mark the corpus's version published in releases/index.json (once built and "
            "matching the corpus): no build may change it afterwards.",
        ),
    ] = False,
    released: Annotated[
        str | None,
        typer.Option("--date", help="Release date, YYYY-MM-DD [default: today]."),
    ] = None,
    path: CorpusOpt = Path("corpus"),
    releases: ReleasesOpt = None,
    fmt: FormatOpt = Format.TEXT,
) -> None:
    """Prepare the next version: set version, released and citation in dataset.yaml,
    CITATION.cff and the CHANGELOG.md entry, from the diff with the newest published release.

    Versions count from the newest published release, so an unpublished version is kept and
    refreshed rather than bumped twice. Then `nkdata build`; `nkdata release --publish` once
    the release is out."""
    from datetime import date

    from nkdata.release.cutting import apply_plan, plan_release
    from nkdata.release.cutting import publish as mark_published
    from nkdata.release.diff import Bump

    if publish == (kind is not None):
        usage_error("give either a bump kind (major, minor or patch) or --publish.")
    bump = Bump(kind) if kind in set(Bump) else None
    if kind is not None and bump is None:
        usage_error(f"{kind!r} is not a bump kind: major, minor or patch.")
    try:
        day = date.fromisoformat(released) if released else date.today()
    except ValueError:
        usage_error(f"--date {released!r} is not a date YYYY-MM-DD.")
    root, corpus, errata = _validated(path, fmt)
    releases = releases or root.parent / "releases"
    if publish:
        with _user_errors():
            version = mark_published(corpus, releases, errata.entries)
        typer.echo(f"published release {version}: {releases / 'index.json'} now pins it")
        typer.echo("next: commit releases/index.json and CHANGELOG.md")
        return
    assert bump is not None
    with _user_errors():
        plan = plan_release(corpus, root, releases, bump, day, errata.entries)
        apply_plan(plan, releases)
    for line in _plan_lines(plan, bump):
        typer.echo(line)


def _plan_lines(plan: Plan, kind: str) -> list[str]:
    """What ``nkdata release`` did, and what comes next."""
    if plan.base is None:
        head = f"version {plan.version} ({plan.why}: it is the first release)"
    elif plan.kept:
        head = (
            f"version {plan.version} is not published yet: kept (versions count from the "
            f"newest published release, {plan.base}; {kind}: {plan.why})"
        )
    else:
        head = f"version {plan.version} ({kind} after {plan.base}: {plan.why})"
    lines = [f"{head}, released {plan.released}"]
    if plan.dropped:
        lines.append(f"removed the unpublished release {plan.dropped}: {plan.version} replaces it")
    lines += [f"  wrote {path}" for path in plan.files]
    lines.append(
        "next: write the CHANGELOG.md entry's own words (above its generated block), run "
        "`nkdata build`, commit; `nkdata release --publish` once it is out"
    )
    return lines


class DiffFormat(StrEnum):
    TEXT = "text"
    MARKDOWN = "markdown"
    JSON = "json"


@app.command()
def diff(
    old: Annotated[
        str,
        typer.Argument(help="A version (bundled, cached or in --releases) or a release folder."),
    ],
    new: Annotated[str, typer.Argument(help="A version or a release folder.")],
    fmt: Annotated[
        DiffFormat, typer.Option("--format", "-f", help="Output format.")
    ] = DiffFormat.TEXT,
    releases: Annotated[Path, typer.Option(help="Where versions are looked for first.")] = Path(
        "releases"
    ),
) -> None:
    """Rows added, removed and changed per table between two releases, by id; the cells of
    each changed row (with the claim's quote); figures whose value changed, by quantity.

    Every file of both sides is hash-checked first: a damaged or altered release is an error
    (exit 1), never a wrong answer."""
    import json

    from nkdata.release import diffreport
    from nkdata.release.diff import compare, dataset_tables, open_release

    with _user_errors():
        left, right = open_release(old, releases), open_release(new, releases)
        found = compare(left.version, dataset_tables(left), right.version, dataset_tables(right))
    if fmt is DiffFormat.JSON:
        typer.echo(json.dumps(diffreport.as_json(found), ensure_ascii=False, indent=2))
        return
    lines = diffreport.text(found) if fmt is DiffFormat.TEXT else diffreport.markdown(found)
    for line in lines:
        typer.echo(line)


@app.command()
def schema(
    check: Annotated[bool, typer.Option("--check", help="Exit 1 if the files are stale.")] = False,
    root: Annotated[
        Path, typer.Option(help="Repository root holding schemas/ and docs/.")
    ] = Path(),
) -> None:
    """Write the Table Schemas, JSON Schemas and column docs generated from the models."""
    from nkdata.schema.export import schema_files, stale_files, write_schema_files

    if not check:
        written = write_schema_files(root)
        typer.echo(f"wrote {len(written)} files under {root / 'schemas'} and {root / 'docs'}")
        return
    stale = stale_files(root)
    for path in stale:
        typer.echo(f"stale: {root / path}", err=True)
    if stale:
        typer.echo("The models changed: run `nkdata schema` and commit the result.", err=True)
        raise typer.Exit(1)
    typer.echo(f"up to date: {len(schema_files())} generated files")


new_app = typer.Typer(
    help="Scaffold an article folder or a source entry, with every field explained. "
    "Never overwrites anything.",
    no_args_is_help=True,
)
app.add_typer(new_app, name="new")


def _scaffold(kind: str, path: Path, *args: object) -> Path:
    """Run the scaffold ``<kind>`` on the corpus at ``path``; exit with its error if it fails."""
    from nkdata.corpus import scaffold

    root, only = find_corpus(path)
    if only is not None:
        usage_error(f"{path} is an article folder; give the corpus folder.")
    try:
        written: Path = getattr(scaffold, kind)(root, *args)
    except scaffold.ScaffoldError as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(exc.exit_code) from None
    return written


@new_app.command("article")
def new_article(
    article_id: Annotated[
        str, typer.Argument(metavar="ID", help="The new article's id, also its folder name.")
    ],
    corpus: CorpusOpt = Path("corpus"),
) -> None:
    """Create articles/ID/article.yaml: every field with a comment, "" where you fill in."""
    written = _scaffold("new_article", corpus, article_id)
    folder = written.parent
    typer.echo(f"created {written}")
    typer.echo("next:")
    typer.echo(f"  1. save the article's text, verbatim, as {folder / 'text.txt'}")
    typer.echo(f'  2. fill in every "" in {written}; the comment above each field says how')
    typer.echo(f"  3. nkdata validate {folder}")


IdsArg = Annotated[list[str], typer.Argument(metavar="ID...", help="One or more new ids.")]


def _new_entries(registry: str, corpus: Path, ids: list[str], given: dict[str, str | None]) -> None:
    """Append one scaffolded entry per id, with the ``given`` values that are set."""
    fields = {name: value for name, value in given.items() if value is not None}
    if len(ids) > 1 and {"name", "label"} & fields.keys():
        usage_error("--name and --label name one entry: give a single ID with them.")
    written = _scaffold("new_entries", corpus, registry, [{"id": i, **fields} for i in ids])
    typer.echo(f"appended {', '.join(repr(i) for i in ids)} to {written}")
    typer.echo(f'next: fill in every "" of the new entries at the end of {written}')
    typer.echo(f"then: nkdata validate {corpus}")


@new_app.command("source")
def new_source(
    ids: IdsArg,
    name: Annotated[
        str | None, typer.Option(help="The source's name, as the texts give it.")
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(help="person, organization, company, outlet, government, military, ..."),
    ] = None,
    corpus: CorpusOpt = Path("corpus"),
) -> None:
    """Append an entry per ID to sources.yaml, leaving the rest of the file as it is.

    Search first: `nkdata find source TEXT` lists the sources that may be the same.
    """
    from nkdata.schema.vocab import SourceKind

    if kind is not None and kind not in SourceKind.meanings():
        usage_error(f"--kind {kind!r} is not one of {', '.join(SourceKind.meanings())}.")
    _new_entries("sources", corpus, ids, {"name": name, "kind": kind})


@new_app.command("quantity")
def new_quantity(
    ids: IdsArg,
    label: Annotated[str | None, typer.Option(help="A short human label.")] = None,
    unit: Annotated[str | None, typer.Option(help="What one unit counts: people, ...")] = None,
    corpus: CorpusOpt = Path("corpus"),
) -> None:
    """Append an entry per ID to quantities.yaml, leaving the rest of the file as it is.

    Search first: `nkdata find quantity TEXT` lists the quantities that may be the same.
    """
    _new_entries("quantities", corpus, ids, {"label": label, "unit": unit})


ArticleArg = Annotated[
    str, typer.Argument(metavar="ARTICLE", help="An article folder, or an article id.")
]


def _article(article: str, corpus: Path) -> tuple[Path, str]:
    """The corpus root and folder name of ``article``: a folder path, or an id in ``corpus``."""
    path = Path(article)
    root, only = find_corpus(path if path.is_dir() else corpus / "articles" / article)
    if only is None or not (root / "articles" / only).is_dir():
        usage_error(f"{article} is not an article folder, nor an article id in {corpus}.")
    return root, only


def _inspect(article: str, corpus: Path, render: str) -> None:
    """Print what ``render`` makes of the article's own check, then its problems; exit 1 if any."""
    from nkdata.corpus import inspect
    from nkdata.corpus.report import render as render_problems

    root, folder = _article(article, corpus)
    local = inspect.inspect_article(root, folder)
    for line in getattr(inspect, render)(local):
        typer.echo(line)
    for line in render_problems(local.problems, str(root), Format.TEXT):
        typer.echo(line, err=True)
    raise typer.Exit(1 if local.problems else 0)


@app.command()
def show(article: ArticleArg, corpus: CorpusOpt = Path("corpus")) -> None:
    """Show each claim as the build will record it: line:column and offsets in text.txt,
    source and relay, mode/framing/topic, the quote, and each figure's normalised value.

    The article's own problems follow (exit 1); registries are not checked here."""
    _inspect(article, corpus, "show_lines")


@app.command()
def numbers(article: ArticleArg, corpus: CorpusOpt = Path("corpus")) -> None:
    """List every number of the article's text with what accounts for it: a figure (its id),
    an exclusion (its reason), a non-body part (its kind), or `unaccounted`, which
    `nkdata validate` reports as number-unaccounted."""
    _inspect(article, corpus, "number_lines")


@app.command()
def find(
    registry: Annotated[
        str, typer.Argument(metavar="source|quantity", help="Which registry to search.")
    ],
    text: Annotated[list[str], typer.Argument(metavar="TEXT", help="Words to look for.")],
    corpus: CorpusOpt = Path("corpus"),
) -> None:
    """Search sources.yaml or quantities.yaml by id, name or label, unit, kind and
    description, forgiving small spelling differences: reuse an entry before adding one."""
    from nkdata.corpus.layout import read_bytes
    from nkdata.corpus.registrysearch import search
    from nkdata.corpus.text import MAX_YAML_BYTES
    from nkdata.corpus.yamlreader import YamlDocument, parse_yaml

    key = {"source": "sources", "quantity": "quantities"}.get(registry)
    if key is None:
        usage_error(f"search 'source' or 'quantity', not {registry!r}.")
    root, _ = find_corpus(corpus)
    path = root / f"{key}.yaml"
    data, _ = read_bytes(path, path.name, MAX_YAML_BYTES)
    parsed = parse_yaml(data.decode("utf-8", errors="replace"), path.name) if data else None
    if not isinstance(parsed, YamlDocument) or not isinstance(parsed.data, dict):
        usage_error(f"cannot read {path}; run `nkdata validate`.")
    entries = [e for e in parsed.data.get(key) or [] if isinstance(e, dict)]
    matches = search(entries, " ".join(text))
    for match in matches:
        entry = match.entry
        title = entry.get("name") or entry.get("label") or ""
        detail = entry.get("kind") or entry.get("unit") or ""
        typer.echo(f"{entry.get('id')}  {title} ({detail})")
    if not matches:
        typer.echo(f"no {registry} matches {' '.join(text)!r}: `nkdata new {registry} ID` adds one")


@app.command()
def info(
    version: Annotated[
        str | None,
        typer.Argument(help="A released version [default: the release bundled with nkdata]."),
    ] = None,
) -> None:
    """Name, version, row counts, licences and citation of a release."""
    import nkdata
    from nkdata.errors import NkdataError
    from nkdata.release.info import release_info, render_info
    from nkdata.schema.characters import escaped

    try:
        facts = release_info(nkdata.load(version))
    except NkdataError as exc:
        typer.echo(f"Error: {escaped(str(exc))}", err=True)
        raise typer.Exit(1) from None
    for line in render_info(facts):
        typer.echo(escaped(line))


@contextmanager
def _user_errors() -> Iterator[None]:
    """Print an :class:`~nkdata.errors.NkdataError` as one line and exit 1, never a traceback."""
    from nkdata.errors import NkdataError
    from nkdata.schema.characters import escaped

    try:
        yield
    except NkdataError as exc:
        typer.echo(f"Error: {escaped(str(exc))}", err=True)
        raise typer.Exit(1) from None


def _version_argument(version: str) -> str:
    from nkdata.errors import VersionNotFoundError
    from nkdata.schema.releasefolder import check_version

    try:
        return check_version(version)
    except VersionNotFoundError as exc:
        usage_error(str(exc))


@app.command()
def path(
    version: Annotated[
        str | None,
        typer.Argument(help="A released version [default: the release bundled with nkdata]."),
    ] = None,
) -> None:
    """Print the folder that holds a release's files (Parquet, CSV, datapackage.json, data
    card), downloading a version that is not here yet; in Python: nkdata.load(VERSION).path."""
    import nkdata

    with _user_errors():
        typer.echo(nkdata.load(version and _version_argument(version)).path)


@app.command()
def versions() -> None:
    """List released versions: published or draft, bundled, cached, and on the release host.

    A draft may still be rebuilt with other data; a published version never changes. The
    release host is not asked when NKDATA_OFFLINE is set.
    """
    from nkdata import settings
    from nkdata.download import remote_index
    from nkdata.errors import NkdataError
    from nkdata.schema.characters import escaped
    from nkdata.store import version_statuses

    host, error = None, None
    if not settings.offline():
        try:
            host = remote_index()
        except NkdataError as exc:
            error = exc
    with _user_errors():
        statuses = version_statuses(host)
    yes = {True: "yes", False: "-", None: "?"}
    state = {True: "published", False: "draft", None: "?"}
    rows = [("version", "state", "bundled", "cached", "on the release host")]
    rows += [
        (
            s.version,
            state[s.published],
            yes[s.bundled],
            yes[s.cached],
            yes[s.on_host] + " (latest)" * s.latest,
        )
        for s in statuses
    ]
    for row in rows:
        typer.echo(f"{row[0]:<10} {row[1]:<10} {row[2]:<8} {row[3]:<7} {row[4]}")
    if settings.offline():
        typer.echo(
            f"offline mode ({settings.OFFLINE_ENV}): the release host was not asked", err=True
        )
    if error is not None:
        typer.echo(
            f"note: the release host could not be asked ({escaped(str(error))}); listed: the "
            "versions on this machine ('?': not known whether the host has them)",
            err=True,
        )


@app.command()
def download(
    version: Annotated[
        str | None,
        typer.Argument(help="Version to fetch (default: the latest on the release host)."),
    ] = None,
    dest: Annotated[
        Path | None,
        typer.Option(
            "--dest",
            help="Write the release files into this folder (default: the download cache, "
            "where nkdata.load(VERSION) finds them).",
        ),
    ] = None,
    every: Annotated[
        bool,
        typer.Option(
            "--all",
            help="Fetch every published version the release host lists into the cache, for "
            "use without a network (NKDATA_OFFLINE=1) afterwards.",
        ),
    ] = False,
    quiet: QuietOpt = False,
) -> None:
    """Fetch a release: datapackage.json, Parquet and CSV files, every hash checked.

    Files already in place with the right hash are kept; a failed download writes nothing.
    """
    from nkdata import settings
    from nkdata.download import fetch_release, remote_index
    from nkdata.progress import ByteProgress
    from nkdata.store import bundled_folder, bundled_index

    if every:
        if version is not None or dest is not None:
            usage_error(
                "--all fetches every published version into the cache: give no "
                "VERSION and no --dest with it."
            )
        _download_all(quiet)
        return
    with _user_errors():
        if version is None:
            index = bundled_index() if settings.offline() else remote_index()
            published = index.published()
            version = published[-1] if published else None
            if version is None:
                usage_error("no version is known; give one (`nkdata versions` lists them).")
        version = _version_argument(version)
        bundled = bundled_folder(version)
        if dest is None and bundled is not None:
            typer.echo(
                f"release {version} is bundled with this installation at {bundled}; "
                "nothing to download (--dest DIR writes a copy)"
            )
            return
        with ByteProgress(f"nkdata {version}", enabled=not quiet) as bar:
            result = fetch_release(version, dest, progress=bar)
    how = "copied from the installed package" if result.from_package else "downloaded"
    typer.echo(
        f"release {version} in {result.folder}: {len(result.files)} files verified, "
        f"{len(result.fetched)} {how}"
    )


VersionArg = Annotated[
    str | None,
    typer.Argument(help="A released version [default: the release bundled with nkdata]."),
]


FromOpt = Annotated[
    Path | None,
    typer.Option(
        "--from",
        help="Read this release folder (such as one `nkdata build --releases` or "
        "`nkdata download --dest` wrote) instead of a version.",
    ),
]


def _release(version: str | None, folder: Path | None) -> nkdata.Dataset:
    """The release a command shows: a folder, a version, or the bundled one."""
    import nkdata

    if folder is not None:
        return nkdata.load(_version_argument(version) if version else None, path=folder)
    return nkdata.load(_version_argument(version) if version else None)


class LedgerFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


@app.command()
def figures(
    quantity: Annotated[
        str,
        typer.Argument(
            metavar="QUANTITY",
            help="A quantity id, such as smartphones-in-use (quantities.csv lists them).",
        ),
    ],
    version: VersionArg = None,
    folder: FromOpt = None,
    fmt: Annotated[
        LedgerFormat,
        typer.Option("--format", "-f", help="An aligned table, or one JSON object a line."),
    ] = LedgerFormat.TEXT,
) -> None:
    """The figure ledger of QUANTITY: every figure of it, in order of publication.

    Each row gives the value or bounds, the words of the text, the as-of date at its
    precision, the source, who relayed it, the framing and the figure id (article:claim:figure).
    A figure is an echo of an earlier one when it has the same value, bounds and qualifier and
    the same original source, reached the article through a relay (the claim's via, or the
    article's), and a figure with all those came before it: echoes repeat, they do not
    estimate anew. In Python: nkdata.view.ledger.ledger(nkdata.load(), QUANTITY).
    """
    from nkdata.view.ledger import UnknownQuantityError, ledger
    from nkdata.view.ledgertext import ledger_json_lines, ledger_table

    with _user_errors():
        data = _release(version, folder)
        try:
            rows = ledger(data, quantity)
        except UnknownQuantityError as exc:
            usage_error(f"{exc} (release {data.version}).")
    lines = ledger_table(rows) if fmt is LedgerFormat.TEXT else ledger_json_lines(rows)
    for line in lines:
        typer.echo(line)


@app.command()
def site(
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            help="Folder to write the site into: new, empty, or a site written here before "
            "(which is replaced).",
        ),
    ],
    version: VersionArg = None,
    folder: FromOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Write a static website of a release: an index with search, a page per article (its text
    with every claim highlighted), per source and per quantity (its ledger and chart).

    Open OUT/index.html in a browser, from disk or any static host: no server, no network.
    A failed run writes nothing.
    """
    from nkdata.progress import progress_display
    from nkdata.view.site import STEPS, SiteError, write_site

    with _user_errors():
        data = _release(version, folder)
        try:
            with progress_display(enabled=not quiet, total=STEPS) as step:
                result = write_site(data, out, step)
        except SiteError as exc:
            if exc.usage:
                usage_error(str(exc))
            raise
    typer.echo(f"wrote {result.pages} pages of release {data.version} to {result.folder}")


def _download_all(quiet: bool) -> None:
    """Every published version of the host's index into the cache, each verified."""
    from nkdata.download import fetch_release, remote_index
    from nkdata.progress import ByteProgress

    with _user_errors():
        versions = remote_index().published()
        for version in versions:
            with ByteProgress(f"nkdata {version}", enabled=not quiet) as bar:
                result = fetch_release(version, progress=bar)
            how = "copied from the installed package" if result.from_package else "downloaded"
            typer.echo(
                f"release {version} in {result.folder}: {len(result.files)} files verified, "
                f"{len(result.fetched)} {how}"
            )
    typer.echo(
        f"{len(versions)} published version(s) in the cache: "
        "nkdata.load(VERSION) needs no network for them"
    )


@app.command()
def verify(
    path: Annotated[Path, typer.Argument(help="A release folder, or its datapackage.json.")],
    fmt: FormatOpt = Format.TEXT,
    reference: Annotated[
        bool,
        typer.Option(
            "--frictionless",
            help="Also run frictionless, the reference validator of Data Packages "
            "(pip install 'nkdata[frictionless]').",
        ),
    ] = False,
) -> None:
    """Check a release folder: every file, the descriptor, and every rule of the dataset.

    Exactly the listed files, with their sizes and SHA-256 hashes; the descriptor nkdata writes
    for them; the models' columns, in order; every rule `nkdata build` checks (values, texts,
    quotes and figures at their offsets, dates, keys) and CSV against Parquet, vectorised with
    pyarrow (no frictionless). Exit 0 sound, 1 problems found, 2 not a folder.
    """
    from nkdata.corpus.report import render, summary
    from nkdata.release.verify import verify_release
    from nkdata.schema.characters import escaped
    from nkdata.schema.releasefolder import DESCRIPTOR

    folder = path.parent if path.name == DESCRIPTOR and path.is_file() else path
    if not folder.is_dir():
        usage_error(f"{path} is not a release folder.")
    outcome = verify_release(folder)
    if reference:
        from nkdata.release.referencecheck import reference_problems

        with _user_errors():
            outcome.problems.extend(reference_problems(folder))
    for line in render(outcome.problems, str(folder), fmt):
        typer.echo(line)
    if fmt is Format.TEXT and outcome.problems:
        typer.echo(summary(outcome.problems, 0), err=True)
    elif fmt is Format.TEXT:
        typer.echo(
            escaped(
                f"verified: release {outcome.version} at {folder}: {outcome.files} files, "
                f"{outcome.rows} rows, no problems"
            )
        )
    raise typer.Exit(1 if outcome.problems else 0)


class Terminated(BaseException):
    """SIGTERM, raised in the main thread so that every ``finally`` and ``with`` runs: worker
    processes are stopped, temporary folders removed, as after Ctrl-C."""


def _terminate(signum: int, _frame: object) -> None:
    raise Terminated(signum)


def main() -> None:
    """Console-script entry point: exit 130 on SIGINT and 143 on SIGTERM, having cleaned up."""
    signal.signal(signal.SIGTERM, _terminate)
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        sys.exit(130)
    except Terminated:
        sys.exit(128 + signal.SIGTERM)
    finally:  # the process ends: the collector need not walk what it is about to free (~20 ms)
        gc.freeze()
