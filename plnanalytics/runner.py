"""Run a whole project from its file: what ``pln run pln.toml`` does.

:func:`run_project` takes a checked :class:`~plnanalytics.config.Config` through the same
functions a notebook would call, in the one-way order of the data flow::

    ingest (each source) -> build_network -> analyze -> write_analysis (out/analysis)
      -> timeline ([time]: out/windows.csv, people_over_time.csv, trajectories.csv,
         retention.csv)
      -> flag_isolation (declining too, with [time]) -> out/flags.csv
      -> chat_sessions (out/sessions.csv, session_*.csv, when sessions are found)
      -> suggest_introductions (out/introductions.csv)
      -> identity review -> out/links.csv
      -> report (out/report.html, and out/report.pdf when asked for)

With ``[report] names = false`` every file carries pseudonyms instead of names, and
links.csv (which pairs accounts with people) is not written.

Ingest is idempotent: a source already ingested unchanged adds nothing to the store, so a
project can be run again after adding a source or changing a setting.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .analysis import analyze, flag_isolation
from .analysis.recommend import node_groups, suggest_introductions
from .analysis.sessions import ChatSessions, chat_sessions
from .analysis.temporal import Timeline, timeline
from .config import Config
from .errors import StoreError
from .graph.build import build_network
from .identity import review_store
from .report.export import write_analysis, write_table
from .report.privacy import project_salt, pseudonymize_analysis, pseudonymize_table
from .store import IngestReport, Store

#: The steps of a run, in order, as named in :class:`RunEvent`.
STEPS = ("ingest", "graph", "analyze", "time", "flags", "sessions", "introductions",
         "identities", "report")


@dataclass(frozen=True)
class RunEvent:
    """What a run is doing, handed to the ``progress`` callback of :func:`run_project`.

    Attributes
    ----------
    step : str
        One of :data:`STEPS`.
    message : str
        What is going on (a file name, an analysis step) or, when ``finished``, the outcome.
    done, total : float, optional
        Progress within the step (bytes of the file being ingested), when known.
    finished : bool
        The step is over.
    """

    step: str
    message: str
    done: float | None = None
    total: float | None = None
    finished: bool = False


ProgressCallback = Callable[[RunEvent], None]


@dataclass
class RunResult:
    """What :func:`run_project` did.

    Attributes
    ----------
    config : Config
        The project that was run.
    ingests : list of IngestReport
        One per source, in the order of the project file.
    files : list of Path
        Every file written, in the order written.
    summary : dict
        The network summary of the analysis.
    flags : int
        Flags raised (rows of ``flags.csv``).
    flagged : int
        People (or nodes) with at least one flag.
    judged : int
        People (or nodes) the watchlist judged.
    flag_counts : dict
        Flags raised per flag name.
    identities : dict
        Accounts per identity status (``linked``, ``ambiguous``, ...).
    report : Path or None
        The HTML report, or None when it was not written (see ``report_note``).
    pdf : Path or None
        The PDF report, when asked for and written.
    report_note : str or None
        Why there is no report, when there is none.
    timeline : Timeline or None
        The network window by window, with ``[time]``.
    sessions : ChatSessions or None
        The chat sessions found, unless ``[sessions] enabled = false``.
    introductions : pandas.DataFrame or None
        The suggested introductions, unless ``[introductions] enabled = false``.
    """

    config: Config
    ingests: list[IngestReport] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    flags: int = 0
    flagged: int = 0
    judged: int = 0
    flag_counts: dict[str, int] = field(default_factory=dict)
    identities: dict[str, int] = field(default_factory=dict)
    report: Path | None = None
    pdf: Path | None = None
    report_note: str | None = None
    timeline: Timeline | None = None
    sessions: ChatSessions | None = None
    introductions: pd.DataFrame | None = None

    @property
    def added(self) -> dict[str, int]:
        """Rows added to the store per table, over every source."""
        total: dict[str, int] = {}
        for r in self.ingests:
            for table, n in r.added.items():
                total[table] = total.get(table, 0) + n
        return total


def report_writer() -> tuple[Callable[..., Any] | None, str | None]:
    """The report writer (``plnanalytics.report.write_report``), or None and why not."""
    try:
        from .report import write_report  # type: ignore[attr-defined]
    except ImportError:
        try:
            from .report.html import write_report  # type: ignore[import-not-found,no-redef]
        except ImportError as exc:
            return None, ("the HTML report is not available in this installation "
                          f"(plnanalytics.report.write_report: {exc})")
    return write_report, None


def run_project(config: Config, *, progress: ProgressCallback | None = None) -> RunResult:
    """Ingest, analyse, flag, review identities and report, as a project file says.

    Parameters
    ----------
    config : Config
        From :func:`plnanalytics.config.load_config`.
    progress : callable, optional
        Called with a :class:`RunEvent` as each step starts, advances and finishes.

    Returns
    -------
    RunResult

    Raises
    ------
    PlnError
        The first failure (a source that cannot be read stops the run; the store keeps
        what earlier sources added, each source being one transaction).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from plnanalytics.config import load_config
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "ties.csv").write_text("source,target\\na,b\\nb,c\\n")
    >>> _ = (folder / "pln.toml").write_text('''
    ... [project]
    ... store = "p.duckdb"
    ... out = "results"
    ... [[sources]]
    ... path = "ties.csv"
    ... [flags]
    ... everyone = true
    ... [report]
    ... enabled = false
    ... ''')
    >>> result = run_project(load_config(folder / "pln.toml"))
    >>> result.ingests[0].added["interactions"], result.summary["nodes"]
    (2, 3)
    >>> sorted(p.name for p in result.files)  # doctest: +NORMALIZE_WHITESPACE
    ['communities.csv', 'flags.csv', 'graph.gexf', 'graph.graphml', 'introductions.csv',
     'links.csv', 'metrics.csv', 'summary.json']
    >>> run_project(load_config(folder / "pln.toml")).added.get("interactions", 0)
    0
    """
    tell = progress or (lambda _event: None)
    project, a = config.project, config.analysis
    result = RunResult(config=config)
    if not config.sources and not project.store.exists():
        raise StoreError(f"{project.store}: no such store, and {config.path} lists no "
                         "[[sources]] to ingest into it")
    project.store.parent.mkdir(parents=True, exist_ok=True)
    with Store(project.store) as store:
        # -- ingest
        for i, source in enumerate(config.sources, 1):
            label = f"{source.path.name} ({i}/{len(config.sources)})"
            tell(RunEvent("ingest", label))

            def advance(done: int, total: int, label: str = label) -> None:
                tell(RunEvent("ingest", label, done, total))

            result.ingests.append(store.ingest(
                source.path, format=source.format, strict=source.strict, progress=advance,
                **source.options))
        added = result.added
        tell(RunEvent("ingest", f"{len(result.ingests)} source(s): "
                      f"{added.get('interactions', 0):,} ties, "
                      f"{added.get('accounts', 0):,} accounts, "
                      f"{added.get('people', 0):,} people added", finished=True))

        # -- graph
        tell(RunEvent("graph", "Building the graph"))
        G, matrix = build_network(store, kinds=a.kinds, since=a.since, until=a.until,
                        contexts=a.contexts, people=a.people, projection=a.projection,
                        backbone=a.backbone, alpha=a.alpha)
        tell(RunEvent("graph", f"{G.number_of_nodes():,} nodes, {G.number_of_edges():,} ties",
                      finished=True))

        # -- analysis
        tell(RunEvent("analyze", "Analysing"))
        analysis = analyze(G, group=a.group, seed=a.seed, k=a.k,
                           exact_max_nodes=a.exact_max_nodes, resolution=a.resolution,
                           engine=a.engine, communities=a.communities, matrix=matrix,
                           progress=lambda step: tell(RunEvent("analyze", step)))
        result.summary = analysis.summary
        private = not config.report.names
        salt = project_salt(store) if private else ""
        result.files += write_analysis(
            pseudonymize_analysis(analysis, None, salt=salt)[0] if private else analysis,
            project.out)
        tell(RunEvent("analyze", f"{analysis.summary.get('communities', 0)} communities, "
                      f"{len(result.files)} files in {project.out}", finished=True))

        def private_table(frame: pd.DataFrame) -> pd.DataFrame:
            return pseudonymize_table(frame, G, salt=salt) if private else frame

        # -- over time
        tl = result.timeline = _timeline(config, store, result, private_table, tell)

        # -- flags
        tell(RunEvent("flags", "Drawing up the watchlist"))
        fl = config.flags
        watch = flag_isolation(G, thresholds=fl.thresholds, everyone=fl.everyone, timeline=tl)
        flags_csv = project.out / "flags.csv"
        write_table(pseudonymize_analysis(analysis, watch, salt=salt)[1] if private else watch,
                    flags_csv)
        result.files.append(flags_csv)
        result.flags = len(watch)
        result.flagged = int(watch["node"].nunique()) if len(watch) else 0
        result.judged = sum(1 for _, d in G.nodes(data=True)
                            if fl.everyone or d.get("on_roster"))
        result.flag_counts = ({str(k): int(v) for k, v in watch["flag"].value_counts().items()}
                              if len(watch) else {})
        tell(RunEvent("flags", f"{result.flags:,} flag(s) for {result.flagged:,} of "
                      f"{result.judged:,} {'nodes' if fl.everyone else 'roster people'}",
                      finished=True))

        # -- chat sessions and introductions
        result.sessions = _sessions(config, store, G, result, private_table, tell)
        result.introductions = _introductions(config, store, G, analysis, watch, result,
                                              private_table, tell)

        # -- identities
        tell(RunEvent("identities", "Reviewing which account is whom"))
        review = review_store(store)
        result.identities = _status_counts(review)
        if not private:  # it pairs accounts with people: not written under pseudonyms
            links_csv = project.out / "links.csv"
            write_table(review, links_csv)
            result.files.append(links_csv)
        tell(RunEvent("identities", ", ".join(f"{n:,} {s}" for s, n in
                                              result.identities.items()) or "no accounts",
                      finished=True))

        # -- report
        _report(config, store, G, analysis, watch, result, tell)
    return result


def _timeline(config: Config, store: Store, result: RunResult,
              private: Callable[[pd.DataFrame], pd.DataFrame],
              tell: ProgressCallback) -> Timeline | None:
    t, a, out = config.time, config.analysis, config.project.out
    if not t.window:
        tell(RunEvent("time", "skipped: no [time] window", finished=True))
        return None
    tell(RunEvent("time", f"Windows of {t.window}"))
    tl = timeline(store, window=t.window, step=t.step, tz=t.tz, since=a.since, until=a.until,
                  kinds=a.kinds, contexts=a.contexts, people=a.people, group=a.group,
                  seed=a.seed, engine=a.engine,
                  progress=lambda done, total, label: tell(RunEvent("time", label, done,
                                                                    total)))
    files = {"windows.csv": tl.summary, "people_over_time.csv": private(tl.people),
             "trajectories.csv": private(tl.trajectories("degree").rename_axis("node")
                                         .reset_index()),
             "retention.csv": tl.retention()}
    for name, frame in files.items():
        write_table(frame, out / name)
        result.files.append(out / name)
    tell(RunEvent("time", f"{len(tl.windows)} window(s) of {tl.windows[0].unit}",
                  finished=True))
    return tl


def _sessions(config: Config, store: Store, G: Any, result: RunResult,
              private: Callable[[pd.DataFrame], pd.DataFrame],
              tell: ProgressCallback) -> ChatSessions | None:
    c, a = config.sessions, config.analysis
    if not c.enabled:
        tell(RunEvent("sessions", "skipped: [sessions] enabled = false", finished=True))
        return None
    tell(RunEvent("sessions", "Finding chat sessions"))
    cs = chat_sessions(store, contexts=c.contexts, since=a.since, until=a.until, G=G,
                       min_posts=c.min_posts, min_participants=c.min_participants)
    if len(cs.sessions):
        files = {"sessions.csv": cs.sessions, "session_participants.csv": cs.participants,
                 "session_questions.csv": cs.questions, "session_retention.csv": cs.retention()}
        for name, frame in files.items():
            write_table(private(frame), config.project.out / name)
            result.files.append(config.project.out / name)
    found = f"{len(cs.sessions)} session(s)" + (f"; {cs.schedule['text']}" if cs.schedule
                                                 else "")
    tell(RunEvent("sessions", found, finished=True))
    return cs


def _introductions(config: Config, store: Store, G: Any, analysis: Any, watch: pd.DataFrame,
                   result: RunResult, private: Callable[[pd.DataFrame], pd.DataFrame],
                   tell: ProgressCallback) -> pd.DataFrame | None:
    c, a = config.introductions, config.analysis
    if not c.enabled:
        tell(RunEvent("introductions", "skipped: [introductions] enabled = false",
                      finished=True))
        return None
    tell(RunEvent("introductions", "Finding peers to introduce"))
    who = None if c.all else watch
    intro = suggest_introductions(
        G, who=who, k=c.k, communities=analysis.metrics.set_index("node")["community"],
        groups=node_groups(store, G), group=a.group, prefer_experienced=c.prefer_experienced,
        cross_district=c.cross_district, seed=a.seed)
    write_table(private(intro), config.project.out / "introductions.csv")
    result.files.append(config.project.out / "introductions.csv")
    people = intro["node"].nunique() if len(intro) else 0
    tell(RunEvent("introductions", f"{len(intro):,} suggestion(s) for {people:,} people",
                  finished=True))
    return intro


def _status_counts(review: pd.DataFrame) -> dict[str, int]:
    if not len(review) or "status" not in review:
        return {}
    return {str(k): int(v) for k, v in review["status"].value_counts().items()}


def _report(config: Config, store: Store, G: Any, analysis: Any, watch: pd.DataFrame,
            result: RunResult, tell: ProgressCallback) -> None:
    rc = config.report
    if not rc.enabled:
        result.report_note = "the report is turned off ([report] enabled = false)"
        tell(RunEvent("report", "skipped: " + result.report_note, finished=True))
        return
    write_report, why = report_writer()
    if write_report is None:
        result.report_note = why
        tell(RunEvent("report", f"skipped: {why}", finished=True))
        return
    tell(RunEvent("report", "Writing the report"))
    html = config.project.out / "report.html"
    pdf = config.project.out / "report.pdf" if rc.pdf else None
    options: dict[str, Any] = {}
    if "progress" in inspect.signature(write_report).parameters:
        options["progress"] = lambda step: tell(RunEvent("report", str(step)))
    try:
        written = write_report(store, html, pdf=pdf, names=rc.names, min_group=rc.min_group,
                               seed=config.analysis.seed,
                               title=rc.title or config.project.name,
                               graph=G, analysis=analysis, flags=watch,
                               timeline=result.timeline,
                               sessions=result.sessions if config.sessions.enabled else False,
                               introductions=(result.introductions
                                              if config.introductions.enabled else False),
                               tz=config.time.tz,
                               **options)
    except ImportError as exc:  # a part the report needs is missing from this installation
        result.report_note = f"the HTML report is not available in this installation ({exc})"
        tell(RunEvent("report", f"skipped: {result.report_note}", finished=True))
        return
    result.report = Path(getattr(written, "html", html))
    result.pdf = getattr(written, "pdf", None)
    result.files.append(result.report)
    if result.pdf is not None:
        result.files.append(Path(result.pdf))
    tell(RunEvent("report", f"{result.report}", finished=True))


__all__ = ["STEPS", "RunEvent", "RunResult", "report_writer", "run_project"]
