"""The project file ``pln.toml``: what ``pln run`` ingests, analyses, flags and reports.

A project file names the store, the output folder and the sources, and optionally the
analysis, watchlist and report settings::

    [project]
    name = "Tri-District Principals"
    store = "demo.duckdb"          # relative to this file
    out = "analysis"               # relative to this file

    [[sources]]
    path = "naespchat_twarc2.jsonl"          # format sniffed

    [[sources]]
    path = "advice_survey.csv"
    format = "survey"
    min_frequency = 3                        # any reader option, as in `pln ingest -O`

    [analysis]
    group = "district"
    seed = 0

    [flags]
    never_sought_min_out = 1

    [time]                         # the network over time and the declining flag
    window = "1w"                  # 1w, 1m, term or dates; step = "1w" slides windows
    tz = "America/New_York"

    [sessions]                     # chat sessions found from the posts' timing
    contexts = ["naespchat"]

    [introductions]                # suggested introductions for the watchlist
    k = 3
    prefer_experienced = true

    [report]
    title = "Network report"

:func:`load_config` reads and checks such a file. Every mistake (a toml syntax error, an
unknown section or key, a wrong type, a missing source file, an unknown format, an option
a reader does not take, a bad date) raises :class:`ConfigError` naming the file, the key
path (``sources[2].min_frequency``, counting ``[[sources]]`` tables from 0) and its line.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "ties.csv").write_text("source,target\\na,b\\n")
>>> _ = (folder / "pln.toml").write_text('''
... [project]
... store = "p.duckdb"
... [[sources]]
... path = "ties.csv"
... format = "edgelist"
... kind = "advice"
... [analysis]
... seed = 3
... ''')
>>> config = load_config(folder / "pln.toml")
>>> config.sources[0].options, config.analysis.seed, config.project.out.name
({'kind': 'advice'}, 3, 'analysis')
>>> _ = (folder / "pln.toml").write_text('[project]\\nstore = "p.duckdb"\\n[analysis]\\nsed = 3\\n')
>>> load_config(folder / "pln.toml")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
plnanalytics.config.ConfigError: .../pln.toml, line 4: analysis.sed: unknown key; expected ...

Limits of the line numbers: ``tomllib`` does not report where a key is, so the file's text
is scanned for table headers (``[analysis]``, ``[[sources]]``) and ``key = value`` lines.
Keys written inside inline tables (``sources = [{path = "a.csv"}]``) get the line of the
key that holds them, and a value spread over several lines gets the line of its key.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from pathlib import Path
from typing import Any

import pandas as pd

from .analysis.isolation import Thresholds
from .errors import FormatError, OptionError, PlnError
from .graph.engines import COMMUNITY_METHODS, ENGINES
from .ingest import FORMATS, open_reader, reader_class

Key = tuple[str | int, ...]

#: Projections and backbones :func:`~plnanalytics.graph.build.build_graph` knows.
PROJECTIONS = ("count", "newman")
BACKBONES = ("disparity", "sdsm")


class ConfigError(PlnError):
    """A project file cannot be read or holds a mistake.

    Attributes
    ----------
    path : str
        The project file.
    key : str
        The key path, such as ``sources[2].min_frequency`` (empty for a syntax error).
    line, column : int or None
        Where it is in the file (1-based), when known.
    reason : str
        What is wrong.
    """

    def __init__(self, path: str | Path, key: str, reason: str, line: int | None = None,
                 column: int | None = None) -> None:
        self.path, self.key, self.reason = str(path), key, reason
        self.line, self.column = line, column
        where = str(path)
        if line is not None:
            where += f", line {line}" + (f", column {column}" if column is not None else "")
        super().__init__(f"{where}: {key + ': ' if key else ''}{reason}")


@dataclass(frozen=True)
class ProjectConfig:
    """``[project]``: a name, the store and the output folder (paths already resolved
    against the project file's folder)."""

    name: str
    store: Path
    out: Path


@dataclass(frozen=True)
class SourceConfig:
    """One ``[[sources]]`` table: a file, its format and reader options."""

    path: Path
    format: str = "auto"
    strict: bool = False
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AnalysisConfig:
    """``[analysis]``: the graph filters of :func:`~plnanalytics.graph.build.build_graph`
    and the options of :func:`~plnanalytics.analysis.analyze`."""

    kinds: tuple[str, ...] | None = None
    since: str | None = None
    until: str | None = None
    contexts: tuple[str, ...] | None = None
    people: bool = True
    projection: str = "count"
    backbone: str | None = None
    alpha: float = 0.05
    group: str | None = "organization"
    seed: int = 0
    k: int | None = None
    exact_max_nodes: int = 5000
    resolution: float = 1.0
    engine: str = "auto"
    communities: str = "auto"


@dataclass(frozen=True)
class FlagsConfig:
    """``[flags]``: whom :func:`~plnanalytics.analysis.flag_isolation` judges, and the
    thresholds (any :class:`~plnanalytics.analysis.Thresholds` field)."""

    everyone: bool = False
    thresholds: Thresholds = field(default_factory=Thresholds)


@dataclass(frozen=True)
class TimeConfig:
    """``[time]``: the windows of :func:`~plnanalytics.analysis.temporal.timeline` (the
    network over time, retention and the ``declining`` flag); off without a ``window``."""

    window: str | None = None
    step: str | None = None
    tz: str = "UTC"


@dataclass(frozen=True)
class SessionsConfig:
    """``[sessions]``: chat-session detection
    (:func:`~plnanalytics.analysis.sessions.chat_sessions`)."""

    enabled: bool = True
    contexts: tuple[str, ...] | None = None
    min_posts: int = 20
    min_participants: int = 5


@dataclass(frozen=True)
class IntroductionsConfig:
    """``[introductions]``: suggested introductions
    (:func:`~plnanalytics.analysis.recommend.suggest_introductions`) for the watchlist, or
    for every roster person with ``all = true``."""

    enabled: bool = True
    k: int = 3
    all: bool = False
    prefer_experienced: bool = False
    cross_district: bool = False


@dataclass(frozen=True)
class ReportConfig:
    """``[report]``: whether and how to write the HTML (and PDF) report."""

    enabled: bool = True
    names: bool = True
    min_group: int = 5
    title: str | None = None
    pdf: bool = False


@dataclass(frozen=True)
class Config:
    """A whole project file, checked."""

    path: Path
    project: ProjectConfig
    sources: tuple[SourceConfig, ...] = ()
    analysis: AnalysisConfig = field(default_factory=AnalysisConfig)
    flags: FlagsConfig = field(default_factory=FlagsConfig)
    report: ReportConfig = field(default_factory=ReportConfig)
    time: TimeConfig = field(default_factory=TimeConfig)
    sessions: SessionsConfig = field(default_factory=SessionsConfig)
    introductions: IntroductionsConfig = field(default_factory=IntroductionsConfig)


# -- where keys are -----------------------------------------------------------------------

_BARE = re.compile(r"[A-Za-z0-9_-]+")


def key_lines(text: str) -> dict[Key, int]:
    """The line of every table header and ``key = value`` in a (valid) toml text.

    Keys are tuples: ``("analysis",)`` for a header, ``("analysis", "seed")`` for a key,
    ``("sources", 2, "path")`` for a key of the third ``[[sources]]`` table.

    Examples
    --------
    >>> text = "a = 1\\n[t]\\nb = '''x\\ny'''\\n[[s]]\\n[[s]]\\n'c.d' = [1,\\n 2]\\ne=3"
    >>> lines = key_lines(text)
    >>> [lines[k] for k in [("a",), ("t", "b"), ("s", 1), ("s", 1, "c.d"), ("s", 1, "e")]]
    [1, 3, 6, 7, 9]
    """
    starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line(pos: int) -> int:
        return bisect.bisect_right(starts, pos)

    found: dict[Key, int] = {}
    arrays: dict[Key, int] = {}  # array-of-tables path -> how many seen so far
    prefix: Key = ()
    n, pos = len(text), 0

    def resolve(parts: list[str]) -> Key:
        """A header's parts with the current index after each array of tables."""
        out: list[str | int] = []
        for part in parts:
            out.append(part)
            if tuple(out) in arrays:
                out.append(arrays[tuple(out)] - 1)
        return tuple(out)

    while pos < n:
        ch = text[pos]
        if ch in " \t\r\n":
            pos += 1
        elif ch == "#":
            pos = _line_end(text, pos)
        elif ch == "[":
            double = text.startswith("[[", pos)
            parts, end = _parse_key(text, pos + (2 if double else 1))
            if double:
                parent = resolve(parts[:-1])
                name = (*parent, parts[-1])
                arrays[name] = arrays.get(name, 0) + 1
                prefix = (*name, arrays[name] - 1)
            else:
                prefix = resolve(parts)
            found.setdefault(prefix, line(pos))
            pos = _line_end(text, end)
        else:
            parts, end = _parse_key(text, pos)
            found.setdefault((*prefix, *parts), line(pos))
            pos = _skip_value(text, text.index("=", end) + 1)
    return found


def _line_end(text: str, pos: int) -> int:
    end = text.find("\n", pos)
    return len(text) if end < 0 else end + 1


def _parse_key(text: str, pos: int) -> tuple[list[str], int]:
    """A (dotted, possibly quoted) key starting at ``pos``, and where it ends."""
    parts: list[str] = []
    while True:
        while pos < len(text) and text[pos] in " \t":
            pos += 1
        if text.startswith('"', pos):
            end = pos + 1
            while text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            parts.append(tomllib.loads(f"k = {text[pos:end + 1]}")["k"])
            pos = end + 1
        elif text.startswith("'", pos):
            end = text.index("'", pos + 1)
            parts.append(text[pos + 1:end])
            pos = end + 1
        else:
            m = _BARE.match(text, pos)
            if m is None:
                return parts, pos
            parts.append(m.group())
            pos = m.end()
        while pos < len(text) and text[pos] in " \t":
            pos += 1
        if not text.startswith(".", pos):
            return parts, pos
        pos += 1


def _skip_value(text: str, pos: int) -> int:
    """Where the value starting at ``pos`` ends (after its line), across multi-line
    strings, arrays and inline tables."""
    depth, n = 0, len(text)
    while pos < n:
        for quote in ('"""', "'''"):
            if text.startswith(quote, pos):
                pos += 3
                while not text.startswith(quote, pos):
                    pos += 2 if quote == '"""' and text[pos] == "\\" else 1
                pos += 3
                while pos < n and text[pos] == quote[0]:  # up to two quotes before the end
                    pos += 1
                break
        else:
            ch = text[pos]
            if ch == '"':
                pos += 1
                while text[pos] != '"':
                    pos += 2 if text[pos] == "\\" else 1
                pos += 1
            elif ch == "'":
                pos = text.index("'", pos + 1) + 1
            elif ch == "#":
                pos = _line_end(text, pos) - 1
            elif ch in "[{":
                depth += 1
                pos += 1
            elif ch in "]}":
                depth -= 1
                pos += 1
            elif ch == "\n":
                pos += 1
                if depth <= 0:
                    return pos
            else:
                pos += 1
    return pos


def key_name(key: Key) -> str:
    """A key path as written in errors.

    Examples
    --------
    >>> key_name(("sources", 2, "min_frequency")), key_name(("analysis", "seed"))
    ('sources[2].min_frequency', 'analysis.seed')
    """
    out = ""
    for part in key:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


# -- reading ------------------------------------------------------------------------------

class _Checker:
    """Turns the parsed toml into a :class:`Config`, raising errors with lines."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.folder = path.parent
        self.lines = key_lines(text)

    def fail(self, key: Key, reason: str) -> ConfigError:
        line = None
        for k in range(len(key), 0, -1):
            if key[:k] in self.lines:
                line = self.lines[key[:k]]
                break
        return ConfigError(self.path, key_name(key), reason, line)

    # values
    def table(self, value: object, key: Key) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key, f"expected a table ([{key_name(key)}]), got "
                            f"{_kind(value)}")
        return value

    def known(self, table: Mapping[str, Any], key: Key, allowed: list[str]) -> None:
        for name in table:
            if name not in allowed:
                raise self.fail((*key, name), "unknown key; expected one of "
                                + ", ".join(allowed))

    def string(self, value: object, key: Key, *, empty: bool = False) -> str:
        if not isinstance(value, str):
            raise self.fail(key, f"expected a string, got {_kind(value)}")
        if not empty and not value.strip():
            raise self.fail(key, "must not be empty")
        return value

    def boolean(self, value: object, key: Key) -> bool:
        if not isinstance(value, bool):
            raise self.fail(key, f"expected true or false, got {_kind(value)}")
        return value

    def integer(self, value: object, key: Key, *, minimum: int | None = None) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, f"expected a whole number, got {_kind(value)}")
        if minimum is not None and value < minimum:
            raise self.fail(key, f"must be at least {minimum}, got {value}")
        return value

    def number(self, value: object, key: Key, *, positive: bool = False) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(key, f"expected a number, got {_kind(value)}")
        if positive and not value > 0:
            raise self.fail(key, f"must be greater than 0, got {value}")
        return float(value)

    def strings(self, value: object, key: Key) -> tuple[str, ...]:
        """A list of strings, or one string of comma- or space-separated items."""
        if isinstance(value, str):
            items = value.replace(",", " ").split()
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            items = [v.strip() for v in value if v.strip()]
        else:
            raise self.fail(key, f"expected a list of strings, got {_kind(value)}")
        if not items:
            raise self.fail(key, "must not be empty (leave the key out for all)")
        return tuple(items)

    def date(self, value: object, key: Key) -> str:
        if isinstance(value, dt.datetime | dt.date) and not isinstance(value, dt.time):
            return value.isoformat()
        if not isinstance(value, str):
            raise self.fail(key, f"expected a date or time, got {_kind(value)}")
        try:
            pd.Timestamp(value)
        except (ValueError, TypeError):
            raise self.fail(key, f"{value!r} is not a date or time (use ISO 8601, such as "
                            "2025-09-01 or 2025-09-01T00:00:00Z)") from None
        return value

    def choice(self, value: object, key: Key, choices: tuple[str, ...]) -> str:
        text = self.string(value, key)
        if text not in choices:
            raise self.fail(key, f"{text!r} is not one of {', '.join(choices)}")
        return text

    def file_path(self, value: object, key: Key) -> Path:
        text = self.string(value, key)
        p = Path(text).expanduser()
        return p if p.is_absolute() else self.folder / p

    # sections
    def project(self, data: dict[str, Any]) -> ProjectConfig:
        if "project" not in data:
            raise ConfigError(self.path, "project", "missing [project] table with store = "
                              '"<file>.duckdb"', 1)
        t = self.table(data["project"], ("project",))
        self.known(t, ("project",), ["name", "store", "out"])
        if "store" not in t:
            raise self.fail(("project",), "missing key store (the DuckDB project file)")
        name = (self.string(t["name"], ("project", "name")) if "name" in t
                else self.folder.resolve().name)
        store = self.file_path(t["store"], ("project", "store"))
        out = self.file_path(t.get("out", "analysis"), ("project", "out"))
        if "out" in t and out.exists() and not out.is_dir():
            raise self.fail(("project", "out"), f"{out} exists and is not a folder")
        if store.is_dir():
            raise self.fail(("project", "store"), f"{store} is a folder, expected a file")
        return ProjectConfig(name=name, store=store, out=out)

    def sources(self, data: dict[str, Any]) -> tuple[SourceConfig, ...]:
        value = data.get("sources", [])
        if not isinstance(value, list):
            raise self.fail(("sources",), "expected [[sources]] tables, got "
                            f"{_kind(value)}")
        every_option = sorted({o for f in FORMATS for o in reader_class(f).option_names})
        out = []
        for i, item in enumerate(value):
            key: Key = ("sources", i)
            t = self.table(item, key)
            if "path" not in t:
                raise self.fail(key, "missing key path (the file to ingest)")
            path = self.file_path(t["path"], (*key, "path"))
            if not path.is_file():
                what = "is a folder, expected a file" if path.is_dir() else "no such file"
                raise self.fail((*key, "path"), f"{path}: {what}")
            fmt = self.string(t.get("format", "auto"), (*key, "format"))
            if fmt != "auto" and fmt not in FORMATS:
                raise self.fail((*key, "format"), f"unknown format {fmt!r}; expected one of "
                                f"auto, {', '.join(FORMATS)}")
            strict = self.boolean(t["strict"], (*key, "strict")) if "strict" in t else False
            options: dict[str, Any] = {}
            allowed = (reader_class(fmt).option_names if fmt != "auto" else every_option)
            for name, v in t.items():
                if name in ("path", "format", "strict"):
                    continue
                if name not in allowed:
                    which = f"format {fmt}" if fmt != "auto" else "any format"
                    raise self.fail((*key, name), f"not an option of {which}; expected path, "
                                    f"format, strict or one of {', '.join(allowed) or 'none'}")
                options[name] = self.option(v, (*key, name))
            self.check_reader(path, fmt, options, key)
            out.append(SourceConfig(path=path, format=fmt, strict=strict, options=options))
        return tuple(out)

    def option(self, value: object, key: Key) -> Any:
        if isinstance(value, dt.datetime | dt.date) and not isinstance(value, dt.time):
            return value.isoformat()
        if isinstance(value, str | bool | int | float):
            return value
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return list(value)
        raise self.fail(key, f"expected a string, number, true/false or a list of strings, "
                        f"got {_kind(value)}")

    def check_reader(self, path: Path, fmt: str, options: dict[str, Any], key: Key) -> None:
        """Open the reader as ingest will, so that option mistakes are found now."""
        try:
            open_reader(path, fmt, **options)
        except OptionError as exc:
            named = [o for o in options if re.search(rf"\b{re.escape(o)}\b", str(exc))]
            raise self.fail((*key, named[0]) if named else key, str(exc)) from None
        except FormatError as exc:
            raise self.fail((*key, "format" if fmt != "auto" else "path"), str(exc)) from None

    def analysis(self, data: dict[str, Any]) -> AnalysisConfig:
        key: Key = ("analysis",)
        t = self.table(data.get("analysis", {}), key)
        names = [f.name for f in dataclass_fields(AnalysisConfig)]
        self.known(t, key, names)
        v: dict[str, Any] = {}
        for name, value in t.items():
            k = (*key, name)
            if name in ("kinds", "contexts"):
                v[name] = self.strings(value, k)
            elif name in ("since", "until"):
                v[name] = self.date(value, k)
            elif name == "people":
                v[name] = self.boolean(value, k)
            elif name == "projection":
                v[name] = self.choice(value, k, PROJECTIONS)
            elif name == "backbone":
                v[name] = self.choice(value, k, BACKBONES)
            elif name == "alpha":
                v[name] = self.number(value, k, positive=True)
                if v[name] >= 1:
                    raise self.fail(k, f"must be below 1, got {value}")
            elif name == "group":
                v[name] = self.string(value, k, empty=True).strip() or None
            elif name == "seed":
                v[name] = self.integer(value, k)
            elif name == "k":
                v[name] = self.integer(value, k, minimum=1)
            elif name == "exact_max_nodes":
                v[name] = self.integer(value, k, minimum=0)
            elif name == "resolution":
                v[name] = self.number(value, k, positive=True)
            elif name == "engine":
                v[name] = self.choice(value, k, ("auto", *ENGINES))
            elif name == "communities":
                v[name] = self.choice(value, k, ("auto", *COMMUNITY_METHODS))
        if "since" in v and "until" in v and pd.Timestamp(v["since"]).tz_localize(None) \
                >= pd.Timestamp(v["until"]).tz_localize(None):
            raise self.fail((*key, "until"), f"{v['until']} is not after since {v['since']}")
        return AnalysisConfig(**v)

    def flags(self, data: dict[str, Any]) -> FlagsConfig:
        key: Key = ("flags",)
        t = self.table(data.get("flags", {}), key)
        types = {f.name: f.type for f in dataclass_fields(Thresholds)}
        self.known(t, key, ["everyone", *types])
        everyone = self.boolean(t["everyone"], (*key, "everyone")) if "everyone" in t else False
        values: dict[str, Any] = {}
        for name, value in t.items():
            if name in types:
                k = (*key, name)
                values[name] = (self.number(value, k) if types[name] in (float, "float")
                                else self.integer(value, k, minimum=0))
        return FlagsConfig(everyone=everyone, thresholds=Thresholds(**values))

    def time(self, data: dict[str, Any]) -> TimeConfig:
        key: Key = ("time",)
        t = self.table(data.get("time", {}), key)
        self.known(t, key, ["window", "step", "tz"])
        v = {name: self.string(t[name], (*key, name)) for name in ("window", "step", "tz")
             if name in t}
        if "window" not in v and t:
            raise self.fail(key, "missing key window (1w, 1m, term or dates)")
        if "window" in v:
            from .analysis.temporal import make_windows

            now = dt.datetime.now(dt.UTC)
            try:  # the specification alone: any span will do
                make_windows(v["window"], now, now, step=v.get("step"), tz=v.get("tz", "UTC"))
            except OptionError as exc:
                which = "tz" if "time zone" in str(exc) else \
                    "step" if "step" in str(exc) and "step" in v else "window"
                raise self.fail((*key, which), str(exc)) from None
        return TimeConfig(**v)

    def sessions(self, data: dict[str, Any]) -> SessionsConfig:
        key: Key = ("sessions",)
        t = self.table(data.get("sessions", {}), key)
        self.known(t, key, ["enabled", "contexts", "min_posts", "min_participants"])
        v: dict[str, Any] = {}
        if "enabled" in t:
            v["enabled"] = self.boolean(t["enabled"], (*key, "enabled"))
        if "contexts" in t:
            v["contexts"] = self.strings(t["contexts"], (*key, "contexts"))
        for name in ("min_posts", "min_participants"):
            if name in t:
                v[name] = self.integer(t[name], (*key, name), minimum=1)
        return SessionsConfig(**v)

    def introductions(self, data: dict[str, Any]) -> IntroductionsConfig:
        key: Key = ("introductions",)
        t = self.table(data.get("introductions", {}), key)
        flags = ["enabled", "all", "prefer_experienced", "cross_district"]
        self.known(t, key, [*flags, "k"])
        v: dict[str, Any] = {name: self.boolean(t[name], (*key, name)) for name in flags
                             if name in t}
        if "k" in t:
            v["k"] = self.integer(t["k"], (*key, "k"), minimum=1)
        return IntroductionsConfig(**v)

    def report(self, data: dict[str, Any]) -> ReportConfig:
        key: Key = ("report",)
        t = self.table(data.get("report", {}), key)
        self.known(t, key, ["enabled", "names", "pseudonymize", "min_group", "title", "pdf"])
        v: dict[str, Any] = {}
        for name in ("enabled", "names", "pdf"):
            if name in t:
                v[name] = self.boolean(t[name], (*key, name))
        if "pseudonymize" in t:
            pseudo = self.boolean(t["pseudonymize"], (*key, "pseudonymize"))
            if "names" in t and v["names"] == pseudo:
                raise self.fail((*key, "pseudonymize"), f"contradicts names = "
                                f"{str(v['names']).lower()} (give one of them)")
            v["names"] = not pseudo
        if "min_group" in t:
            v["min_group"] = self.integer(t["min_group"], (*key, "min_group"), minimum=1)
        if "title" in t:
            v["title"] = self.string(t["title"], (*key, "title"))
        return ReportConfig(**v)


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, int | float):
        return f"the number {value}"
    return f"{value!r}"


def load_config(path: str | Path) -> Config:
    """Read and check a project file (``pln.toml``).

    Paths in it (``project.store``, ``project.out``, ``sources[].path``) are relative to the
    file's folder unless absolute. Each source's reader is opened once, so that an option it
    does not take or a file whose format cannot be told is found here, with its line.

    Parameters
    ----------
    path : str or Path
        The toml file.

    Returns
    -------
    Config

    Raises
    ------
    ConfigError
        For a file that cannot be read or parsed, an unknown section or key, a value of the
        wrong type, a missing source file, an unknown format, an option a reader does not
        take, or a bad date: the message names the file, the key path and its line.

    Examples
    --------
    >>> from pathlib import Path
    >>> sample = Path("data/sample/pln.toml")
    >>> config = load_config(sample) if sample.exists() else None
    >>> config is None or config.analysis.group == "district"
    True
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(p, "", "no such project file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(p, "", f"cannot read the project file ({exc})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = re.search(r"\s*\(at line (\d+), column (\d+)\)$", msg)
        line = column = None
        if m:
            line, column, msg = int(m.group(1)), int(m.group(2)), msg[:m.start()]
        elif msg.endswith("(at end of document)"):
            line, msg = text.count("\n") + 1, msg.removesuffix("(at end of document)").strip()
        raise ConfigError(p, "", f"not valid TOML: {msg}", line, column) from None
    check = _Checker(p, text)
    sections = ["project", "sources", "analysis", "flags", "time", "sessions", "introductions",
                "report"]
    for name in data:
        if name not in sections:
            raise check.fail((name,), "unknown section or key; expected "
                             + ", ".join(f"[{s}]" if s != "sources" else "[[sources]]"
                                         for s in sections))
    return Config(path=p, project=check.project(data), sources=check.sources(data),
                  analysis=check.analysis(data), flags=check.flags(data),
                  report=check.report(data), time=check.time(data),
                  sessions=check.sessions(data), introductions=check.introductions(data))


__all__ = ["AnalysisConfig", "Config", "ConfigError", "FlagsConfig", "IntroductionsConfig",
           "ProjectConfig", "ReportConfig", "SessionsConfig", "SourceConfig", "TimeConfig",
           "key_lines", "load_config"]
