"""The self-contained network report: one HTML file (and optionally a PDF) with no external link.

The HTML inlines its stylesheet, the vis-network script and stylesheet (read from the installed
``pyvis`` package when the report is written), the figures (as ``data:`` URIs) and the
explorer's data (JSON in a ``<script type="application/json">`` element, with ``<``, ``>`` and
``&`` escaped), so it opens offline and requests nothing from the network. Every text that
comes from data is escaped by Jinja2's autoescaping.
"""

from __future__ import annotations

import base64
import json
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from markupsafe import Markup

from ..errors import PlnError
from .content import ReportContent, report_content
from .export import _atomic

if TYPE_CHECKING:
    import networkx as nx

    from ..analysis import Analysis
    from ..analysis.sessions import ChatSessions
    from ..analysis.temporal import Timeline
    from ..store import Store

#: The report's sections, in order: (anchor, heading).
SECTIONS = (
    ("headline", "Headline numbers"),
    ("network", "The network"),
    ("communities", "Communities"),
    ("central", "Central people and brokers"),
    ("watchlist", "Isolation watchlist"),
    ("introductions", "Suggested introductions"),
    ("activity", "Over time"),
    ("sessions", "Chat sessions"),
    ("methods", "Methods"),
    ("provenance", "Provenance"),
)


@dataclass(frozen=True)
class ReportResult:
    """The files :func:`write_report` wrote."""

    html: Path
    pdf: Path | None = None


def write_report(
    store: Store,
    out_html: str | Path,
    *,
    pdf: str | Path | None = None,
    names: bool = True,
    min_group: int = 5,
    seed: int = 0,
    title: str | None = None,
    graph: nx.DiGraph | None = None,
    analysis: Analysis | None = None,
    flags: pd.DataFrame | None = None,
    progress: Callable[[str], None] | None = None,
    timeline: Timeline | None = None,
    sessions: ChatSessions | bool | None = None,
    introductions: pd.DataFrame | bool | None = None,
    window: str | None = None,
    tz: str = "UTC",
    k: int = 3,
) -> ReportResult:
    """Write the network report as one self-contained HTML file, and optionally a PDF.

    Parameters
    ----------
    store : Store
        The project store (see :func:`~plnanalytics.report.content.report_content`).
    out_html : str or Path
        The HTML file to write.
    pdf : str or Path, optional
        Also write the same sections as a PDF (matplotlib pages) here.
    names : bool
        Show names (default), or pseudonyms everywhere (``False``).
    min_group : int
        Breakdowns merge groups smaller than this.
    seed : int
        Seed of the analysis and the layout.
    title : str, optional
        The report's title.
    graph, analysis, flags : optional
        Ready-made results; built from the store when not given.
    progress : callable, optional
        Called with the name of each step as it starts.
    timeline, sessions, introductions, window, tz, k : optional
        The network over time, the chat sessions and the suggested introductions, ready-made
        (``False``: left out) or made as :func:`~plnanalytics.report.content.report_content`
        says.

    Returns
    -------
    ReportResult
    """
    content = report_content(store, graph=graph, analysis=analysis, flags=flags, names=names,
                             min_group=min_group, seed=seed, title=title, progress=progress,
                             timeline=timeline, sessions=sessions, introductions=introductions,
                             window=window, tz=tz, k=k)
    if progress:
        progress("html")
    html = render_html(content)
    out = Path(out_html)
    _atomic(out, lambda tmp: tmp.write_text(html, encoding="utf-8"))
    pdf_path = None
    if pdf is not None:
        if progress:
            progress("pdf")
        pdf_path = write_pdf(content, pdf)
    return ReportResult(html=out, pdf=pdf_path)


def script_json(value: Any) -> Markup:
    """JSON safe to place inside a ``<script>`` element.

    Examples
    --------
    >>> str(script_json({"a": "</script><b>&"}))
    '{"a": "\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    """
    text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)


def _vis_assets() -> tuple[str, str]:
    try:
        import pyvis
    except ImportError:  # pragma: no cover - a required dependency
        raise PlnError("the report needs pyvis (pip install pyvis) for the explorer") from None
    base = Path(pyvis.__file__).parent / "lib" / "vis-9.1.2"
    try:
        js = (base / "vis-network.min.js").read_text(encoding="utf-8")
        css = (base / "vis-network.css").read_text(encoding="utf-8")
    except OSError as exc:
        raise PlnError(f"cannot read vis-network from the pyvis package ({exc})") from None
    # nothing inside may end the <script>/<style> element early (vis-network 9.1.2 has no
    # such text; a string "</script" would become "<\\/script", the same string in JS)
    js = re.sub(r"</(script)", r"<\\/\1", js, flags=re.IGNORECASE)
    css = re.sub(r"</(style)", r"<\\/\1", css, flags=re.IGNORECASE)
    return js, css


def _table(frame: pd.DataFrame) -> dict[str, Any]:
    def cell(v: Any) -> str:
        if v is None or (not isinstance(v, str | list | dict) and pd.isna(v)):
            return ""
        if isinstance(v, bool):
            return "yes" if v else "no"
        if isinstance(v, float):
            return f"{int(v):,}" if v.is_integer() else f"{v:.3f}"
        if isinstance(v, int):
            return f"{v:,}"
        return str(v)

    numeric = [pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(
        frame[c]) for c in frame.columns]
    return {"columns": [str(c) for c in frame.columns], "numeric": numeric,
            "rows": [[cell(v) for v in row] for row in frame.itertuples(index=False)]}


def render_html(content: ReportContent) -> str:
    """The report as one HTML document (see :func:`write_report`)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("plnanalytics.report", "templates"),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    js, css = _vis_assets()
    figures = {name: "data:image/png;base64," + base64.b64encode(png).decode("ascii")
               for name, png in content.figures.items()}
    prov = content.provenance
    return env.get_template("report.html.j2").render(
        c=content, sections=SECTIONS, figures=figures,
        tables={"communities": _table(content.communities), "central": _table(content.central),
                "brokers": _table(content.brokers), "watchlist": _table(content.watchlist),
                "breakdown": _table(content.breakdown), "activity": _table(content.activity),
                "introductions": _table(content.introductions),
                "over_time": _table(content.over_time), "retention": _table(content.retention),
                "sessions": _table(content.sessions),
                "session_retention": _table(content.session_retention),
                "ingests": _table(prov["ingests"]), "rejects": _table(prov["rejects"])},
        data=script_json(content.network), vis_js=Markup(js), vis_css=Markup(css))


# -- PDF ----------------------------------------------------------------------------------------

_PAGE = (8.27, 11.69)  # A4 portrait, inches
_LINES = 58
_WIDTH = 95


def write_pdf(content: ReportContent, path: str | Path) -> Path:
    """The report's sections as PDF pages drawn with matplotlib.

    A title page with the headline numbers, the network picture, then the communities,
    central people and brokers, watchlist, activity, methods and provenance pages.
    """
    from matplotlib.backends.backend_pdf import PdfPages

    path = Path(path)

    def write(tmp: Path) -> None:
        with PdfPages(tmp) as pdf:
            lines = [f"Generated {content.generated_at}", ""]
            for label, value, meaning in content.headline:
                lines.append(f"{label}: {value}")
                lines += textwrap.wrap(meaning, _WIDTH - 4, initial_indent="    ",
                                       subsequent_indent="    ")
            lines += ["", *content.notes]
            _text_pages(pdf, content.title, lines)
            _image_page(pdf, "The network", content.figures.get("network"))
            _text_pages(pdf, "Communities", _frame_lines(content.communities))
            _text_pages(pdf, "Central people and brokers", [
                *_frame_lines(content.central), "",
                "Brokers (Gould-Fernandez roles by district)", "",
                *_frame_lines(content.brokers), "", "Roster people by district and role", "",
                *_frame_lines(content.breakdown)])
            _text_pages(pdf, "Isolation watchlist", _frame_lines(content.watchlist))
            _text_pages(pdf, "Suggested introductions", _frame_lines(content.introductions))
            _image_page(pdf, "Activity over time", content.figures.get("activity"))
            if content.time_note:
                _image_page(pdf, "The network window by window", content.figures.get("timeline"))
                _text_pages(pdf, "Over time", [
                    content.time_note, "", *_frame_lines(content.over_time), "",
                    "Retention of people first seen in each window", "",
                    *_frame_lines(content.retention)])
            if len(content.sessions):
                _image_page(pdf, "Chat sessions", content.figures.get("sessions"))
                _text_pages(pdf, "Chat sessions", [
                    content.schedule, "", *_frame_lines(content.sessions), "",
                    "Retention of first-time participants", "",
                    *_frame_lines(content.session_retention)])
            methods: list[str] = []
            for term, text in content.methods:
                methods += textwrap.wrap(f"{term}: {text}", _WIDTH, subsequent_indent="    ")
            _text_pages(pdf, "Methods", methods)
            prov = content.provenance
            _text_pages(pdf, "Provenance", [
                *_frame_lines(prov["ingests"]), "",
                f"Rejected records: {prov['rejected']:,}", "", *_frame_lines(prov["rejects"])])
            info = pdf.infodict()
            info["Title"] = content.title
            info["Creator"] = "plnanalytics"

    _atomic(path, write)
    return path


def _frame_lines(frame: pd.DataFrame) -> list[str]:
    if frame.empty:
        return ["(none)"]
    lines: list[str] = []
    t = _table(frame)
    for row in t["rows"]:
        parts = [f"{c}: {v}" for c, v in zip(t["columns"], row, strict=True) if v != ""]
        lines += textwrap.wrap("; ".join(parts), _WIDTH, subsequent_indent="    ") or [""]
    return lines


def _text_pages(pdf: Any, heading: str, lines: list[str]) -> None:
    import matplotlib.pyplot as plt

    chunks = [lines[i:i + _LINES] for i in range(0, len(lines), _LINES)] or [[]]
    for k, chunk in enumerate(chunks):
        fig = plt.figure(figsize=_PAGE)
        title = heading if k == 0 else f"{heading} (continued)"
        fig.text(0.07, 0.96, title, fontsize=15, weight="bold", va="top")
        fig.text(0.07, 0.92, "\n".join(chunk), fontsize=7.5, family="monospace", va="top",
                 linespacing=1.35)
        pdf.savefig(fig)
        plt.close(fig)


def _image_page(pdf: Any, heading: str, png: bytes | None) -> None:
    import io

    import matplotlib.image as mpimg
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=_PAGE)
    fig.text(0.07, 0.96, heading, fontsize=15, weight="bold", va="top")
    if png:
        ax = fig.add_axes((0.05, 0.08, 0.9, 0.84))
        ax.imshow(mpimg.imread(io.BytesIO(png), format="png"))
        ax.set_axis_off()
    else:
        fig.text(0.07, 0.9, "(no data)", fontsize=10)
    pdf.savefig(fig)
    plt.close(fig)
