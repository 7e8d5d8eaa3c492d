"""The ``pln`` command: a thin layer over the library that parses arguments and shows progress.

Every :class:`~plnanalytics.errors.PlnError` becomes a one-line message and exit code 1.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields as dataclass_fields
from pathlib import Path
from typing import Annotated, Any

import networkx as nx
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
from .analysis import Thresholds, flag_isolation
from .analysis import analyze as run_analysis
from .analysis.recommend import node_groups, suggest_introductions
from .analysis.sessions import chat_sessions
from .analysis.temporal import Timeline, declining_from, span_text
from .analysis.temporal import timeline as build_timeline
from .collect import CollectError, CollectProgress, CollectReport, collect_x
from .collect.base import ProgressFn
from .config import load_config
from .errors import OptionError, PlnError
from .graph.build import build_network
from .identity import METHOD_ORDER, STATUSES, review_store
from .ingest import FORMATS, reader_class
from .report.export import write_analysis, write_table
from .report.privacy import (
    project_salt,
    pseudonymize,
    pseudonymize_analysis,
    pseudonymize_table,
)
from .runner import RunEvent, run_project
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
    id_col: Annotated[str | None, typer.Option(
        help="roster: person id column (default: person_id, id, staff_id, ...).")] = None,
    name_col: Annotated[str | None, typer.Option(
        help="roster: name column (default: name, full_name, or first_name + last_name).")
    ] = None,
    account_col: Annotated[list[str] | None, typer.Option(
        help="roster: an account column as column=platform, e.g. x_user_id=x (repeatable; "
             "columns such as x_user_id or mastodon_account are found anyway).")] = None,
    sheet: Annotated[str | None, typer.Option(
        help="roster, groups, survey: sheet of an .xlsx file (default: the first).")] = None,
    min_frequency: Annotated[float | None, typer.Option(
        help="survey: nominations rated below this are not ties (e.g. 3 on a 4-point "
             "scale).")] = None,
    survey_date: Annotated[str | None, typer.Option(
        help="survey: when it was taken (ISO date), the time of its ties.")] = None,
    option: Annotated[list[str] | None, typer.Option(
        "--option", "-O", help="Any other reader option as name=value (repeatable), e.g. "
        "relation=collaboration or wide=yes; see the readers' documentation.")] = None,
    memory_limit: Annotated[str | None, typer.Option(
        help="Most memory the store may use, e.g. 2GB (beyond it, work spills to disk).")
    ] = None,
) -> None:
    """Read files into the store: each file in one transaction, nothing stored twice."""
    options = {"src_col": src_col, "dst_col": dst_col, "kind": kind, "weight_col": weight_col,
               "time_col": time_col, "context_col": context_col, "platform": platform,
               "id_col": id_col, "name_col": name_col, "account_cols": account_col or None,
               "sheet": sheet, "min_frequency": min_frequency, "date": survey_date}
    for item in option or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            err.print(f"[bold red]error:[/] --option {escape(item)!r}: expected name=value")
            raise typer.Exit(1)
        options[name.strip()] = value.strip()
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
                options: dict[str, str | list[str] | None]) -> IngestReport:
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
        for name in ("people", "identities", "memberships"):
            if r.added.get(name, 0):
                added += f", {r.added[name]:,} {name}"
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
    files = summary.sources
    if files is not None and len(files):  # one row per file, however many pages collected
        view = files.drop(columns="last_read").assign(path=[Path(p).name for p in files.path])
        _print_frame("Files read", view)
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


# -- analysis ---------------------------------------------------------------------------------

KindsOption = Annotated[list[str] | None, typer.Option(
    "--kinds", help="Interaction kinds to keep, e.g. reply,mention (repeatable; default all).")]
SinceOption = Annotated[str | None, typer.Option(
    help="Keep ties and posts from this date or time on (ISO 8601, UTC), e.g. 2025-09-01.")]
UntilOption = Annotated[str | None, typer.Option(
    help="Keep ties and posts before this date or time (ISO 8601, UTC).")]
ContextsOption = Annotated[list[str] | None, typer.Option(
    "--context", help="Keep ties and posts with this hashtag, channel or survey question "
    "(repeatable).")]
AccountsOption = Annotated[bool, typer.Option(
    "--accounts/--people", help="One node per account, or merge accounts into their roster "
    "people (default).")]


ProjectionOption = Annotated[str, typer.Option(
    help="With --kinds comember: count (groups shared) or newman (a group of n adds 1/(n-1) "
         "to each pair).")]
BackboneOption = Annotated[str | None, typer.Option(
    help="With --kinds comember: keep only significant co-membership ties: disparity or sdsm.")]
AlphaOption = Annotated[float, typer.Option(help="Significance level of --backbone.")]
PseudonymizeOption = Annotated[bool, typer.Option(
    "--pseudonymize", help="Write stable pseudonyms (Person 0427) instead of names, handles "
    "and accounts in every file (the store keeps its pseudonym key).")]


WindowOption = Annotated[str, typer.Option(
    "--window", "-w", help="Time windows: 1w, 2w, 1m, ... (days d, weeks w from Monday, "
    "calendar months m), term (spring, summer, fall), or dates 2025-09-01,2025-11-01,...")]
StepOption = Annotated[str | None, typer.Option(
    help="Slide windows of the --window length by this much (e.g. --window 4w --step 1w); "
         "default: windows side by side.")]
TzOption = Annotated[str, typer.Option(
    "--tz", help="Time zone whose midnights bound the windows, e.g. America/New_York.")]


def _salt(store: Path) -> str:
    """The project's pseudonym key (created in the store on first use)."""
    with Store(store) as st:
        return project_salt(st)


def _graph(st: Store, kinds: list[str] | None, since: str | None, until: str | None,
           contexts: list[str] | None, accounts: bool, projection: str = "count",
           backbone: str | None = None, alpha: float = 0.05) -> nx.DiGraph:
    return _network(st, kinds, since, until, contexts, accounts, projection, backbone,
                    alpha)[0]


def _network(st: Store, kinds: list[str] | None, since: str | None, until: str | None,
             contexts: list[str] | None, accounts: bool, projection: str = "count",
             backbone: str | None = None, alpha: float = 0.05) -> tuple[nx.DiGraph, Any]:
    """The graph and its weighted adjacency matrix (for the analysis), from the store."""
    with err.status("Building the graph..."):
        return build_network(st, kinds=_split(kinds), since=since, until=until,
                             contexts=contexts, people=not accounts, projection=projection,
                             backbone=backbone, alpha=alpha)


def _split(values: list[str] | None) -> list[str] | None:
    return [v for item in values for v in item.replace(",", " ").split()] if values else None


@app.command()
def analyze(
    store: StoreOption,
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder for the result files.",
                                          file_okay=False)],
    kinds: KindsOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    context: ContextsOption = None,
    group: Annotated[str, typer.Option(
        help="Node attribute that groups people (brokerage roles, E-I index): organization "
             "(the district), unit (the school) or any roster column.")] = "organization",
    seed: Annotated[int, typer.Option(help="Seed for communities and sampling.")] = 0,
    accounts: AccountsOption = False,
    projection: ProjectionOption = "count",
    backbone: BackboneOption = None,
    alpha: AlphaOption = 0.05,
    private: PseudonymizeOption = False,
    engine: Annotated[str, typer.Option(
        help="Metrics engine: auto (networkit from 20,000 nodes, else networkx), networkx "
             "or networkit.")] = "auto",
    communities: Annotated[str, typer.Option(
        help="Community detection: auto (the engine's Louvain), louvain (python-louvain), "
             "plm (networkit's Louvain) or leiden.")] = "auto",
    k: Annotated[int | None, typer.Option(
        "--k", min=1, help="Sources sampled for betweenness and closeness on big graphs "
        "(default: as many as a time budget allows; recorded in summary.json).")] = None,
) -> None:
    """Metrics for every node, communities and a network summary, written as metrics.csv,
    communities.csv, summary.json, graph.graphml and graph.gexf (open it in Gephi)."""
    with _errors():
        salt = _salt(store) if private else ""
        with Store(store, read_only=True) as st:
            G, matrix = _network(st, kinds, since, until, context, accounts, projection,
                                 backbone, alpha)
        steps = {"centrality": "Computing centrality and brokerage",
                 "communities": "Finding communities", "summary": "Summarizing the network"}
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(), console=err,
                      transient=True) as progress:
            task = progress.add_task("Analysing", total=len(steps) + 1)

            def advance(step: str) -> None:
                progress.update(task, description=steps.get(step, step), advance=1)

            result = run_analysis(G, group=group, seed=seed, k=k, engine=engine,
                                  communities=communities, matrix=matrix, progress=advance)
            progress.update(task, description="Writing files", advance=1)
            written = pseudonymize_analysis(result, None, salt=salt)[0] if salt else result
            paths = write_analysis(written, out_dir)
    _show_summary(result.summary)
    for p in paths:
        out.print(f"Wrote {escape(str(p))}")


def _show_summary(s: dict) -> None:
    t = Table(title="Network", title_justify="left")
    t.add_column("measure")
    t.add_column("value", justify="right")
    rows = [
        ("nodes (people and accounts)", s["nodes"]), ("ties (directed edges)", s["edges"]),
        ("density", s["density"]), ("reciprocity", s["reciprocity"]),
        ("components", s["components"]),
        ("largest component share", s["largest_component_share"]),
        ("isolates", s["isolates"]), ("communities (2+ members)", s["communities"]),
        ("modularity", s["modularity"]), ("average clustering", s["average_clustering"]),
        ("average path length", s["average_path_length"]),
        (f"E-I index by {s.get('attribute')}", s["ei_index"]),
    ]
    for relation, r in s.get("surveys", {}).items():
        rows += [(f"{relation} survey: respondents", r["respondents"]),
                 (f"{relation} survey: answered, named nobody", r["named_nobody"]),
                 (f"{relation} survey: roster people who did not answer",
                  r["roster_nonrespondents"])]
    for name, value in rows:
        t.add_row(name, "n/a" if value is None else _fmt(value))
    out.print(t)


@app.command()
def flags(
    store: StoreOption,
    out_path: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Write the watchlist to this .csv, .xlsx or .parquet file.",
        dir_okay=False)] = None,
    kinds: KindsOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    context: ContextsOption = None,
    everyone: Annotated[bool, typer.Option(
        help="Judge every account, not only the people on the roster.")] = False,
    threshold: Annotated[list[str] | None, typer.Option(
        help="Change a threshold, e.g. never_sought_min_out=1 (repeatable): "
             + ", ".join(f.name for f in dataclass_fields(Thresholds)) + ".")] = None,
    accounts: AccountsOption = False,
    projection: ProjectionOption = "count",
    backbone: BackboneOption = None,
    alpha: AlphaOption = 0.05,
    private: PseudonymizeOption = False,
    limit: Annotated[int, typer.Option(help="Rows to show (0 for all).")] = 50,
    window: Annotated[str | None, typer.Option(
        "--window", "-w", help="Also flag people who are declining: their contacts or activity "
        "fell against their own earlier windows (1w, 1m, term, or dates).")] = None,
    step: StepOption = None,
    tz: TzOption = "UTC",
) -> None:
    """The isolation watchlist: roster people who are absent, isolated, cut off, on a single
    tie, dependent on one bridge, never sought, unreciprocated or peripheral (and, with
    --window, declining), and why."""
    with _errors():
        th = _thresholds(threshold)
        salt = _salt(store) if private else ""
        with Store(store, read_only=True) as st:
            G = _graph(st, kinds, since, until, context, accounts, projection, backbone, alpha)
            tl = (_timeline(st, window, step, tz, kinds, since, until, context, accounts)
                  if window else None)
        watch = flag_isolation(G, thresholds=th, everyone=everyone, timeline=tl)
        if salt:
            G, _, watch = pseudonymize(G, None, watch, salt=salt)
        if out_path is not None:
            write_table(watch, out_path)
    judged = sum(1 for _, d in G.nodes(data=True) if everyone or d.get("on_roster"))
    if not judged:
        out.print("[yellow]No roster in the store:[/] ingest one with "
                  "`pln ingest roster.csv --format roster`, or use --everyone.")
    people = watch["node"].nunique() if len(watch) else 0
    out.print(f"{len(watch):,} flag(s) for {people:,} of {judged:,} "
              f"{'nodes' if everyone else 'roster people'}.")
    if len(watch):
        view = watch[["name", "organization", "flag", "severity", "reason"]].rename(
            columns={"organization": "district"})
        _print_frame("Watchlist", view if limit <= 0 else view.head(limit))
        if 0 < limit < len(watch):
            out.print(f"... {len(watch) - limit:,} more (use --limit 0, or --out)")
    if out_path is not None:
        out.print(f"Wrote {escape(str(out_path))}")


def _thresholds(items: list[str] | None) -> Thresholds:
    names = {f.name: f.type for f in dataclass_fields(Thresholds)}
    values: dict[str, float] = {}
    for item in items or []:
        name, _, value = item.partition("=")
        name = name.strip()
        if name not in names or not value.strip():
            raise OptionError(f"--threshold {item!r}: expected name=value with a name among "
                              f"{', '.join(names)}")
        try:
            values[name] = float(value) if names[name] in (float, "float") else int(value)
        except ValueError:
            raise OptionError(f"--threshold {item!r}: {value!r} is not a number") from None
    return Thresholds(**values)


# -- over time, chat sessions and introductions -----------------------------------------------

def _timeline(st: Store, window: str, step: str | None, tz: str, kinds: list[str] | None,
              since: str | None, until: str | None, contexts: list[str] | None,
              accounts: bool, group: str | None = "organization", seed: int = 0) -> Timeline:
    """The timeline of a store, with a progress bar over the windows."""
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                  TextColumn("{task.completed}/{task.total}"), console=err,
                  transient=True) as progress:
        task = progress.add_task("Windows", total=None)

        def advance(done: int, total: int, label: str) -> None:
            progress.update(task, completed=done, total=total,
                            description=f"Window {escape(label)}" if label else "Windows")

        return build_timeline(st, window=window, step=step, tz=tz, kinds=_split(kinds),
                              since=since, until=until, contexts=contexts,
                              people=not accounts, group=group, seed=seed, progress=advance)


@app.command()
def timeline(
    store: StoreOption,
    window: WindowOption = "1m",
    step: StepOption = None,
    tz: TzOption = "UTC",
    out_dir: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Folder for windows.csv, people_over_time.csv, trajectories.csv, "
        "retention.csv, declining.csv and timeline.png.", file_okay=False)] = None,
    measure: Annotated[str, typer.Option(
        help="The measure of trajectories.csv: degree (contacts), activity, posts, sent, "
             "received, in_degree, out_degree, pagerank, betweenness or coreness.")] = "degree",
    kinds: KindsOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    context: ContextsOption = None,
    accounts: AccountsOption = False,
    threshold: Annotated[list[str] | None, typer.Option(
        help="Change a declining threshold, e.g. declining_drop=0.3 (repeatable).")] = None,
    everyone: Annotated[bool, typer.Option(
        help="Judge every account for decline, not only roster people.")] = False,
    seed: Annotated[int, typer.Option(help="Seed for communities and sampling.")] = 0,
    private: PseudonymizeOption = False,
) -> None:
    """The network window by window: who is active, newcomers and whether they come back,
    per-person trajectories, and who is drifting away (declining)."""
    with _errors():
        th = _thresholds(threshold)
        salt = _salt(store) if private else ""
        with Store(store, read_only=True) as st:
            tl = _timeline(st, window, step, tz, kinds, since, until, context, accounts,
                           seed=seed)
            G = _graph(st, kinds, since, until, context, accounts) if salt or not everyone \
                else None
        judged = None if everyone else [n for n, d in G.nodes(data=True) if d.get("on_roster")]
        fell = declining_from(tl, th, nodes=judged)
        wide = tl.trajectories(measure)
        people, retention = tl.people, tl.retention()
        if salt:
            people, wide, fell = (pseudonymize_table(f, G, salt=salt) for f in
                                  (people, wide.rename_axis("node").reset_index(), fell))
            wide = wide.set_index("node")
        if out_dir is not None:
            from .report import plots

            out_dir.mkdir(parents=True, exist_ok=True)
            tables = {"windows.csv": tl.summary, "people_over_time.csv": people,
                      "trajectories.csv": wide.rename_axis("node").reset_index(),
                      "retention.csv": retention, "declining.csv": fell}
            written = []
            for name, frame in tables.items():
                write_table(frame, out_dir / name)
                written.append(out_dir / name)
            fig = plots.network_over_time(tl.summary, unit=tl.windows[0].unit)
            fig.savefig(out_dir / "timeline.png", dpi=120)
            written.append(out_dir / "timeline.png")
    out.print(f"{len(tl.windows)} window(s) of {escape(tl.windows[0].unit)} from "
              f"{escape(span_text(tl.windows, tz))}")
    view = tl.summary[["window", "active", "newcomers", "returning", "ties", "density",
                       "components", "modularity"]]
    _print_frame("Network over time", view)
    _print_frame("Retention: of those first seen in a window, how many came back",
                 retention[["period", "active", "newcomers", "returned_next",
                            "returned_next_share", "returned_later", "returned_later_share"]]
                 .rename(columns={"period": "window"}))
    if len(fell):
        _print_frame("Declining", fell[["label", "reason"]].rename(columns={"label": "who"}))
    else:
        out.print("Nobody is declining by the thresholds "
                  f"(drop {th.declining_drop:.0%}, last {th.declining_recent} windows).")
    if out_dir is not None:
        _wrote(written)


@app.command()
def sessions(
    store: StoreOption,
    out_dir: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Folder for sessions.csv, session_participants.csv, "
        "session_questions.csv, session_retention.csv and sessions.png.",
        file_okay=False)] = None,
    since: SinceOption = None,
    until: UntilOption = None,
    context: Annotated[list[str] | None, typer.Option(
        "--context", help="The chat's hashtag, e.g. naespchat (repeatable; default: all "
        "posts).")] = None,
    accounts: AccountsOption = False,
    min_posts: Annotated[int, typer.Option(
        help="Fewest posts a session must have.")] = 20,
    min_participants: Annotated[int, typer.Option(
        help="Fewest distinct people a session must have.")] = 5,
    private: PseudonymizeOption = False,
) -> None:
    """Chat sessions found from how densely posts arrive (a weekly one-hour chat, say): each
    session's participants, the moderator's questions (Q1, Q2...) and their answers,
    newcomers, and how many newcomers came back."""
    with _errors():
        salt = _salt(store) if private else ""
        with Store(store, read_only=True) as st:
            G = _graph(st, None, since, until, context, accounts)
            with err.status("Finding chat sessions..."):
                cs = chat_sessions(st, contexts=context, since=since, until=until, G=G,
                                   min_posts=min_posts, min_participants=min_participants)
        tables = {"sessions": cs.sessions, "session_participants": cs.participants,
                  "session_questions": cs.questions, "session_retention": cs.retention()}
        if salt:
            tables = {k: pseudonymize_table(v, G, salt=salt) for k, v in tables.items()}
        if out_dir is not None and len(cs.sessions):
            from .report import plots

            out_dir.mkdir(parents=True, exist_ok=True)
            written = []
            for name, frame in tables.items():
                write_table(frame, out_dir / f"{name}.csv")
                written.append(out_dir / f"{name}.csv")
            plots.chat_sessions(cs.sessions).savefig(out_dir / "sessions.png", dpi=120)
            written.append(out_dir / "sessions.png")
    if not len(cs.sessions):
        out.print("No chat sessions found: no stretch of time had posts dense enough "
                  f"(at least {min_posts} posts from {min_participants} people).")
        return
    if cs.schedule:
        out.print(escape(cs.schedule["text"]))
    view = tables["sessions"][["session", "label", "minutes", "posts", "participants",
                               "newcomers", "questions", "answers"]]
    _print_frame("Chat sessions", view)
    ret = tables["session_retention"]
    _print_frame("Retention: of those in their first session, how many came back",
                 ret[["period", "newcomers", "returned_next", "returned_next_share",
                      "returned_later", "returned_later_share"]].rename(
                     columns={"period": "session"}))
    if out_dir is not None:
        _wrote(written)


@app.command()
def introduce(
    store: StoreOption,
    out_path: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Write the suggestions to this .csv, .xlsx or .parquet file.",
        dir_okay=False)] = None,
    k: Annotated[int, typer.Option("--k", min=1, help="Suggestions per person.")] = 3,
    every: Annotated[bool, typer.Option(
        "--all", help="Suggest for every roster person, not only those on the watchlist.")
    ] = False,
    everyone: Annotated[bool, typer.Option(
        help="Judge (and suggest) every account, not only roster people.")] = False,
    prefer_experienced: Annotated[bool, typer.Option(
        help="Peer mentoring: suggest experienced principals to novices first.")] = False,
    cross_district: Annotated[bool, typer.Option(
        help="Prefer peers in other districts.")] = False,
    window: Annotated[str | None, typer.Option(
        "--window", "-w", help="Also flag people who are declining, over these windows "
        "(1w, 1m, term...).")] = None,
    kinds: KindsOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    context: ContextsOption = None,
    accounts: AccountsOption = False,
    threshold: Annotated[list[str] | None, typer.Option(
        help="Change a watchlist threshold, e.g. never_sought_min_out=1 (repeatable).")] = None,
    seed: Annotated[int, typer.Option(help="Seed for communities.")] = 0,
    private: PseudonymizeOption = False,
    limit: Annotated[int, typer.Option(help="Rows to show (0 for all).")] = 30,
) -> None:
    """Suggested introductions: for each person on the watchlist, up to k peers to connect
    with (never someone they are already tied to), each with the reason in plain words."""
    with _errors():
        th = _thresholds(threshold)
        salt = _salt(store) if private else ""
        with Store(store, read_only=True) as st:
            G = _graph(st, kinds, since, until, context, accounts)
            tl = (_timeline(st, window, None, "UTC", kinds, since, until, context, accounts,
                            seed=seed) if window else None)
            groups = node_groups(st, G)
        who: Any = None
        if not every:
            who = flag_isolation(G, thresholds=th, everyone=everyone, timeline=tl)
        elif everyone:
            who = list(G.nodes)
        with err.status("Finding peers to introduce..."):
            intro = suggest_introductions(G, who=who, k=k, groups=groups,
                                          prefer_experienced=prefer_experienced,
                                          cross_district=cross_district, seed=seed)
        if salt:
            intro = pseudonymize_table(intro, G, salt=salt)
        if out_path is not None:
            write_table(intro, out_path)
    people = intro["node"].nunique() if len(intro) else 0
    out.print(f"{len(intro):,} suggestion(s) for {people:,} "
              f"{'people' if every else 'people on the watchlist'}.")
    if len(intro):
        view = intro[["name", "rank", "candidate_name", "reason"]].rename(
            columns={"name": "who", "candidate_name": "introduce to", "reason": "why"})
        _print_frame("Suggested introductions", view if limit <= 0 else view.head(limit))
        if 0 < limit < len(intro):
            out.print(f"... {len(intro) - limit:,} more (use --limit 0, or --out)")
    if out_path is not None:
        out.print(f"Wrote {escape(str(out_path))}")


# -- identities -------------------------------------------------------------------------------

@app.command()
def identities(
    store: StoreOption,
    out_path: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Write the review (one row per account) to this .csv file.",
        dir_okay=False)] = None,
    status: Annotated[list[str] | None, typer.Option(
        help="Keep only accounts of this status: " + ", ".join(STATUSES)
             + " (repeatable), e.g. --status ambiguous --status unlinked.")] = None,
    limit: Annotated[int, typer.Option(help="Ambiguous accounts to show (0 for all).")] = 10,
) -> None:
    """Which accounts belong to which roster people: counts by status and method, the
    ambiguous accounts with their candidates, and a review file to correct and ingest back."""
    with _errors():
        wanted = _split(status) or []
        unknown = [s for s in wanted if s not in STATUSES]
        if unknown:
            raise OptionError(f"--status {unknown[0]!r}: expected one of {', '.join(STATUSES)}")
        with Store(store, read_only=True) as st:
            review = review_store(st)
        if wanted:
            review = review[review["status"].isin(wanted)].reset_index(drop=True)
        if out_path is not None:
            write_table(review, out_path)
    if not len(review):
        out.print("No accounts" + (" of status " + ", ".join(wanted) if wanted else "")
                  + " in the store.")
    else:
        _show_identity_counts(review)
        amb = review[review["status"].eq("ambiguous")]
        if len(amb):
            view = amb[["account", "display_name", "method", "candidates"]]
            _print_frame("Ambiguous accounts (not linked)",
                         view if limit <= 0 else view.head(limit))
            if 0 < limit < len(amb):
                out.print(f"... {len(amb) - limit:,} more (use --limit 0, or --out)")
    if out_path is not None:
        out.print(f"Wrote {len(review):,} accounts to {escape(str(out_path))}")
    csv_name = str(out_path) if out_path is not None else "links.csv"
    where = "in the CSV" if out_path is not None else "in a CSV written with --out links.csv"
    out.print(f"Fix person_id {where} (a roster id, or none for no roster person) and run: "
              f"pln ingest {escape(csv_name)} --format identities --store {escape(str(store))}",
              soft_wrap=True)


def _show_identity_counts(review: pd.DataFrame) -> None:
    counts = (review.assign(method=review["method"].fillna(""))
              .groupby(["status", "method"]).size().rename("accounts").reset_index())
    rank = {m: i for i, m in enumerate(METHOD_ORDER)}
    counts = counts.assign(_s=counts["status"].map({s: i for i, s in enumerate(STATUSES)}),
                           _m=counts["method"].map(rank).fillna(len(rank)))
    counts = counts.sort_values(["_s", "_m", "method"]).drop(columns=["_s", "_m"])
    _print_frame("Accounts by status and method", counts.reset_index(drop=True))
    by_status = review["status"].value_counts()
    out.print(", ".join(f"{by_status.get(s, 0):,} {s}" for s in STATUSES)
              + f" of {len(review):,} accounts")


@app.command()
def run(
    project: Annotated[Path, typer.Argument(help="The project file (pln.toml).",
                                            dir_okay=False, show_default=False)],
) -> None:
    """Everything a project file asks for, in one go: ingest its sources, analyse, flag,
    review identities and write the report (see data/sample/pln.toml)."""
    with _errors():
        config = load_config(project)
        out.print(f"[bold]{escape(config.project.name)}[/] ({escape(str(project))})")
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(), DownloadColumn(),
                      TimeRemainingColumn(), console=err, transient=True) as progress:
            tasks: dict[str, object] = {}

            def show(event: RunEvent) -> None:
                if event.finished:
                    if event.step in tasks:
                        progress.remove_task(tasks.pop(event.step))  # type: ignore[arg-type]
                    mark = "[yellow]-[/]" if event.message.startswith("skipped") else \
                        "[green]\u2713[/]"
                    progress.console.print(f"{mark} [bold]{event.step}[/]: "
                                           f"{escape(event.message)}", soft_wrap=True)
                    return
                text = f"{event.step}: {escape(event.message)}"
                if event.step not in tasks:
                    tasks[event.step] = progress.add_task(text, total=None)
                progress.update(tasks[event.step], description=text,  # type: ignore[arg-type]
                                completed=event.done or 0, total=event.total)

            result = run_project(config, progress=show)
    if result.ingests:
        _show_reports(result.ingests)
    for path in result.files:
        out.print(f"Wrote {escape(str(path))}", soft_wrap=True)
    if result.flag_counts:
        out.print("Flags: " + ", ".join(f"{n:,} {escape(name)}"
                                        for name, n in result.flag_counts.items()))
    if result.report is not None:
        out.print(f"Report: {escape(str(result.report))}", soft_wrap=True)
    else:
        out.print(f"[yellow]No report:[/] {escape(result.report_note or '')}", soft_wrap=True)


collect_app = typer.Typer(
    help="Collect posts from platform APIs into the store (raw pages kept beside it).",
    no_args_is_help=True)
app.add_typer(collect_app, name="collect")


@contextmanager
def _collecting(store: Path, what: str) -> Iterator[tuple[Store, ProgressFn]]:
    """Open the store with a progress line for a collection; show what was kept, even when
    the API stopped it (the error then follows as one line)."""
    with _errors(), Store(store) as st, Progress(
            TextColumn("[bold]{task.description}"), console=err, transient=True) as bar:
        task = bar.add_task(f"collecting {escape(what)}", total=None)

        def show(event: CollectProgress) -> None:
            bar.update(task, description=f"{escape(what)}: {event.pages:,} pages, "
                                         f"{event.posts:,} posts ({event.kept:,} new)")
            if event.wait:  # rate-limit waits and retries stay visible (and in cron logs)
                bar.console.print(f"[yellow]{escape(event.message)}[/]", soft_wrap=True)

        try:
            yield st, show
        except CollectError as exc:
            bar.stop()
            _collected(exc.reports)
            raise


def _collected(reports: list[CollectReport]) -> None:
    """The table of what each collection of a run did."""
    table = Table(title="Collected", title_justify="left")
    for col in ("query", "pages", "posts", "new", "rate-limit waits", "state"):
        table.add_column(col)
    for r in reports:
        table.add_row(escape(r.query), _fmt(r.pages), _fmt(r.posts), _fmt(r.kept),
                      f"{r.waited:,.0f} s", r.state)
    out.print(table)
    for r in reports:
        if r.since_id:
            newer = "after" if r.collector == "bluesky" else "newer than"
            out.print(f"{escape(r.query)}: only posts {newer} {escape(r.since_id)} were asked "
                      "for.", soft_wrap=True)
        if r.extra:
            out.print(f"{escape(r.query)}: {r.extra:,} threads fetched.", soft_wrap=True)
        out.print(f"Raw pages: {escape(r.raw_path)}", soft_wrap=True)
    if any(r.state == "stopped" for r in reports):
        out.print("More pages remain: run again with --resume to continue.")


SinceOption = Annotated[str | None, typer.Option(
    help="Start of the time window (ISO 8601, UTC unless given).")]
UntilOption = Annotated[str | None, typer.Option(help="End of the time window (not included).")]
ResumeOption = Annotated[bool, typer.Option(
    help="Continue the interrupted or stopped collection of this query and window.")]
MaxPagesOption = Annotated[int | None, typer.Option(help="Stop after this many pages "
                                                    "(resumable).")]


@collect_app.command("x")
def collect_x_command(
    query: Annotated[str, typer.Option("--query", "-q", help="The X search query, e.g. "
                                       "'#NAESPchat'.", show_default=False)],
    store: StoreOption,
    since: SinceOption = None,
    until: UntilOption = None,
    archive: Annotated[bool, typer.Option(help="Search the full archive (needs that access "
                                          "level) instead of the last 7 days.")] = False,
    resume: ResumeOption = False,
    max_pages: MaxPagesOption = None,
) -> None:
    """Search X (API v2) with the bearer token in PLN_X_BEARER_TOKEN; each page is kept raw,
    then stored with its checkpoint. A repeated run fetches only newer posts."""
    with _collecting(store, query) as (st, show):
        result = collect_x(st, query, since=since, until=until, archive=archive,
                           resume=resume, max_pages=max_pages, progress=show)
    _collected([result])


@collect_app.command("mastodon")
def collect_mastodon_command(
    hashtag: Annotated[str, typer.Option("--hashtag", "-t", help="The hashtag, e.g. "
                                         "NAESPchat (with or without #).", show_default=False)],
    instance: Annotated[list[str], typer.Option(
        "--instance", "-i", help="A Mastodon server to ask, e.g. https://mastodon.social "
        "(repeat for several; each sees the posts its users follow).", show_default=False)],
    store: StoreOption,
    since: SinceOption = None,
    until: UntilOption = None,
    threads: Annotated[bool, typer.Option(help="Also fetch the thread of every reply or "
                                          "replied-to post, for replies without the tag.")
                       ] = False,
    resume: ResumeOption = False,
    max_pages: MaxPagesOption = None,
) -> None:
    """Collect a hashtag's timeline from Mastodon servers (a token, when a server needs one,
    in PLN_MASTODON_TOKEN_<SERVER> or PLN_MASTODON_TOKEN). A post seen on several servers
    is stored once; a repeated run fetches only newer posts."""
    from .collect.mastodon import collect_mastodon

    with _collecting(store, f"#{hashtag.lstrip('#')}") as (st, show):
        results = collect_mastodon(st, hashtag, instance, since=since, until=until,
                                   threads=threads, resume=resume, max_pages=max_pages,
                                   progress=show)
    _collected(results)


@collect_app.command("bluesky")
def collect_bluesky_command(
    store: StoreOption,
    hashtag: Annotated[str | None, typer.Option("--hashtag", "-t", help="The hashtag, e.g. "
                                                "NAESPchat (with or without #).")] = None,
    query: Annotated[str | None, typer.Option("--query", "-q", help="Any Bluesky search "
                                              "query instead of a hashtag.")] = None,
    since: SinceOption = None,
    until: UntilOption = None,
    resume: ResumeOption = False,
    max_pages: MaxPagesOption = None,
) -> None:
    """Search Bluesky posts (app.bsky.feed.searchPosts), logged in with PLN_BLUESKY_HANDLE
    and the app password in PLN_BLUESKY_APP_PASSWORD. Long windows are split into shorter
    time ranges when the search stops returning more; a repeated run fetches only newer
    posts."""
    from .collect.bluesky import collect_bluesky, hashtag_query

    with _errors():
        if (hashtag is None) == (query is None):
            raise OptionError("collect bluesky: give either --hashtag or --query")
        text = query if query is not None else hashtag_query(hashtag or "")
    with _collecting(store, text) as (st, show):
        result = collect_bluesky(st, text, since=since, until=until, resume=resume,
                                 max_pages=max_pages, progress=show)
    _collected([result])


@app.command()
def report(
    store: StoreOption,
    out_html: Annotated[Path, typer.Option("--out", "-o", help="The HTML file to write.",
                                           dir_okay=False)],
    pdf: Annotated[Path | None, typer.Option(
        help="Also write the report as a PDF here.", dir_okay=False)] = None,
    names: Annotated[bool, typer.Option(
        "--names/--pseudonymize", help="Show names, or replace every name, handle and account "
        "by a stable pseudonym (Person 0427) and merge small groups.")] = True,
    min_group: Annotated[int, typer.Option(
        help="Breakdowns by district and role merge groups smaller than this.")] = 5,
    seed: Annotated[int, typer.Option(help="Seed for communities and the layout.")] = 0,
    title: Annotated[str | None, typer.Option(help="The report's title.")] = None,
    window: Annotated[str, typer.Option(
        "--window", "-w", help="Windows of the 'over time' section: auto (weeks for up to "
        "half a year of data, else months or terms), 1w, 1m, term, dates, or none.")] = "auto",
    tz: TzOption = "UTC",
    k: Annotated[int, typer.Option("--k", min=1, help="Suggested introductions per person.")
                 ] = 3,
) -> None:
    """The network report: one self-contained HTML file (headline numbers, an interactive
    explorer, communities, central people, the watchlist, suggested introductions, the
    network over time, chat sessions, methods, provenance) that opens offline, and
    optionally a PDF."""
    from .report.html import write_report

    steps = {"graph": "Building the graph", "analysis": "Computing metrics and communities",
             "timeline": "Building the network of each window",
             "watchlist": "Drawing up the watchlist", "sessions": "Finding chat sessions",
             "introductions": "Finding peers to introduce",
             "layout": "Laying out the network",
             "figures": "Drawing the figures", "tables": "Gathering the tables",
             "html": "Writing the HTML", "pdf": "Writing the PDF"}
    with _errors():
        if not store.exists():
            raise PlnError(f"{store}: no such store (ingest something into it first)")
        # pseudonyms need the store writable once: their salt is created in it on first use
        with Store(store, read_only=names) as st, Progress(
                TextColumn("[bold]{task.description}"), BarColumn(), console=err,
                transient=True) as progress:
            task = progress.add_task("Reporting", total=len(steps) - (pdf is None)
                                     - (window == "none"))

            def advance(step: str) -> None:
                progress.update(task, description=steps.get(step, step), advance=1)

            result = write_report(st, out_html, pdf=pdf, names=names, min_group=min_group,
                                  seed=seed, title=title, progress=advance,
                                  window=None if window == "none" else window, tz=tz, k=k)
    out.print(f"Wrote {escape(str(result.html))}")
    if result.pdf is not None:
        out.print(f"Wrote {escape(str(result.pdf))}")


@app.command()
def formats() -> None:
    """List the formats `pln ingest` reads."""
    t = Table(title="Formats", title_justify="left")
    t.add_column("--format")
    t.add_column("what it reads")
    for name in FORMATS:
        t.add_row(name, reader_class(name).description)
    out.print(t)


def _wrote(paths: list[Path]) -> None:
    for p in paths:
        out.print(f"Wrote {escape(str(p))}")


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
