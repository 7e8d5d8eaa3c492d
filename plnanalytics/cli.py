"""The ``pln`` command: a thin layer over the library that parses arguments and shows progress.

Every :class:`~plnanalytics.errors.PlnError` becomes a one-line message and exit code 1.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from . import __version__
from .errors import PlnError
from .ingest import FORMATS, reader_class
from .schema import TABLES
from .store import IngestReport, Store

app = typer.Typer(
    name="pln",
    help="Social network analysis of educator connection data (hashtag chats, groups, surveys).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)


StoreOption = Annotated[Path, typer.Option("--store", "-s", help="The project store (DuckDB file).",
                                           dir_okay=False)]

#: How many rejected records to list per file (all are counted and kept in the store).
SHOWN_REJECTS = 10


@contextmanager
def _errors() -> Iterator[None]:
    """Turn library errors into one clear line and exit code 1."""
    try:
        yield
    except PlnError as exc:
        err.print(f"[bold red]error:[/] {escape(str(exc))}")
        raise typer.Exit(1) from None


def _version(value: bool) -> None:
    if value:
        out.print(f"plnanalytics {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    """plnanalytics: from hashtag chats, rosters and surveys to the networks of school leaders."""


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files to read (.gz is fine).",
                                                show_default=False)],
    store: StoreOption,
    format: Annotated[str, typer.Option(
        "--format", "-f", help=f"File format: auto (sniff it), {', '.join(FORMATS)}.")
    ] = "auto",
    strict: Annotated[bool, typer.Option(help="Stop at the first unreadable record.")] = False,
    src_col: Annotated[str | None, typer.Option(help="edgelist: source column.")] = None,
    dst_col: Annotated[str | None, typer.Option(help="edgelist: target column.")] = None,
    kind: Annotated[str | None, typer.Option(help="edgelist: kind of tie (default tie).")] = None,
    weight_col: Annotated[str | None, typer.Option(help="edgelist: weight column.")] = None,
    time_col: Annotated[str | None, typer.Option(help="edgelist: time column.")] = None,
    context_col: Annotated[str | None, typer.Option(help="edgelist: context column.")] = None,
    platform: Annotated[str | None, typer.Option(help="edgelist: platform used in node keys "
                                                 "(default edgelist).")] = None,
    memory_limit: Annotated[str | None, typer.Option(
        help="Most memory the store may use, e.g. 2GB (beyond it, work spills to disk).")
    ] = None,
) -> None:
    """Read files into the store: each file in one transaction, nothing stored twice."""
    options = {"src_col": src_col, "dst_col": dst_col, "kind": kind, "weight_col": weight_col,
               "time_col": time_col, "context_col": context_col, "platform": platform}
    reports: list[IngestReport] = []
    failed = 0
    existed = store.exists()
    with _errors(), Store(store, memory_limit=memory_limit) as st:
        for path in paths:
            try:
                reports.append(_ingest_one(st, path, format, strict, options))
            except PlnError as exc:
                failed += 1
                err.print(f"[bold red]error:[/] {escape(str(exc))}")
                err.print(f"  {escape(str(path))}: nothing was stored from this file")
    if reports:
        _show_reports(reports)
    elif not existed:  # nothing was stored: leave no empty store behind
        store.unlink(missing_ok=True)
        store.with_name(store.name + ".wal").unlink(missing_ok=True)
    if failed:
        raise typer.Exit(1)


def _ingest_one(st: Store, path: Path, fmt: str, strict: bool,
                options: dict[str, str | None]) -> IngestReport:
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), DownloadColumn(),
                  TransferSpeedColumn(), TimeRemainingColumn(), console=err,
                  transient=True) as progress:
        task = progress.add_task(escape(path.name), total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        return st.ingest(path, format=fmt, strict=strict, progress=advance, **options)


def _show_reports(reports: list[IngestReport]) -> None:
    table = Table(title="Ingested", title_justify="left")
    for col in ("file", "format", "read", "kept", "duplicates", "rejected", "added to the store"):
        table.add_column(col, justify="left" if col in ("file", "format") else "right",
                         overflow="fold")
    for r in reports:
        added = (f"{r.added.get('interactions', 0):,} ties, "
                 f"{r.added.get('accounts', 0):,} accounts")
        table.add_row(escape(Path(r.path).name), r.format, f"{r.records:,} {r.unit}",
                      f"{r.kept:,}", f"{r.duplicates:,}", f"{r.rejected:,}", added)
    out.print(table)
    for r in reports:
        for note, n in sorted(r.notes.items()):
            out.print(f"[yellow]note:[/] {escape(r.path)}: {n:,} {escape(note)}")
        if r.rejected:
            kept = ("all are listed by `pln rejects`" if len(r.rejects) == r.rejected else
                    f"the first {len(r.rejects):,} are listed by `pln rejects`")
            out.print(f"[red]{r.rejected:,} rejected record(s) in {escape(r.path)}[/] "
                      f"({kept}):")
            for rej in r.rejects[:SHOWN_REJECTS]:
                out.print(f"  line {rej.line}: {escape(rej.reason)}")
            if r.rejected > SHOWN_REJECTS:
                out.print(f"  ... and {r.rejected - SHOWN_REJECTS:,} more")


@app.command()
def info(store: StoreOption, top: Annotated[int, typer.Option(help="Contexts to list.")] = 10
         ) -> None:
    """Counts per table, platforms, time span and top hashtags/contexts of a store."""
    with _errors(), Store(store, read_only=True) as st:
        summary = st.info(top=top)
    out.print(f"[bold]{escape(summary.path)}[/]")
    counts = Table(title="Tables", title_justify="left")
    counts.add_column("table")
    counts.add_column("rows", justify="right")
    for name, n in summary.counts.items():
        counts.add_row(name, f"{n:,}")
    out.print(counts)
    if summary.first_post is not None:
        out.print(f"Posts from {summary.first_post:%Y-%m-%d %H:%M} to "
                  f"{summary.last_post:%Y-%m-%d %H:%M} UTC")
    _print_frame("Platforms", summary.platforms)
    _print_frame("Interactions by kind", summary.kinds)
    _print_frame("Top hashtags and contexts", summary.top_contexts)
    ing = summary.ingests
    if len(ing):
        view = ing[["ingest_id", "path", "format", "records", "kept", "duplicates", "rejected"]]
        view = view.assign(path=[Path(p).name for p in view.path])
        _print_frame("Ingests", view)
    if summary.rejected:
        out.print(f"[red]{summary.rejected:,} rejected record(s) in all[/] (see `pln rejects`)")


@app.command()
def rejects(store: StoreOption,
            limit: Annotated[int, typer.Option(help="Rows to show (0 for all).")] = 50) -> None:
    """List the records that could not be read, with file, line and reason."""
    with _errors(), Store(store, read_only=True) as st:
        frame = st.rejects()
    if not len(frame):
        out.print("No rejected records.")
        return
    _print_frame("Rejected records", frame if limit <= 0 else frame.head(limit))
    if 0 < limit < len(frame):
        out.print(f"... {len(frame) - limit:,} more (use --limit 0)")


@app.command()
def export(
    table: Annotated[str, typer.Argument(help=f"Which table: {', '.join(TABLES)}.")],
    store: StoreOption,
    out_path: Annotated[Path, typer.Option("--out", "-o", help="A .csv or .parquet file.",
                                           dir_okay=False)],
    raw: Annotated[bool, typer.Option(help="CSV: do not guard cells that spreadsheets would run "
                                      "as formulas.")] = False,
) -> None:
    """Write a table (posts, interactions, accounts, people, ...) to CSV or Parquet."""
    with _errors(), Store(store, read_only=True) as st:
        n = st.export(table, out_path, guard_formulas=not raw)
    out.print(f"Wrote {n:,} {escape(table)} rows to {escape(str(out_path))}")


@app.command()
def formats() -> None:
    """List the formats `pln ingest` reads."""
    t = Table(title="Formats", title_justify="left")
    t.add_column("--format")
    t.add_column("what it reads")
    for name in FORMATS:
        t.add_row(name, reader_class(name).description)
    out.print(t)


def _print_frame(title: str, frame: pd.DataFrame) -> None:
    if not len(frame):
        return
    t = Table(title=title, title_justify="left")
    for col in frame.columns:
        numeric = pd.api.types.is_numeric_dtype(frame[col])
        t.add_column(str(col), justify="right" if numeric else "left")
    for row in frame.itertuples(index=False):
        t.add_row(*[escape(_fmt(v)) for v in row])
    out.print(t)


def _fmt(v: object) -> str:
    if isinstance(v, int | float) and not isinstance(v, bool):
        return f"{v:,}" if float(v).is_integer() else f"{v:,.3f}"
    return "" if v is None else str(v)


def main() -> None:
    """Entry point of the ``pln`` console script."""
    app()
