"""The network over time: windows, per-person trajectories, summaries over time, retention
and the ``declining`` flag.

A watchlist says who is isolated today; a timeline says who is drifting away. :func:`timeline`
cuts the data into windows (a week, a month, a school term, or dates of your own; tumbling, or
sliding with a ``step``), builds the graph of each window with
:func:`~plnanalytics.graph.build.build_network` and analyses it with
:func:`~plnanalytics.analysis.analyze`, so every number of a window means exactly what it
means for the whole network. Roster people have a row in every window, active or not; other
accounts in the windows where they appear.

From the timeline come:

- :meth:`Timeline.trajectories`: one measure per person and window, as a wide table;
- :attr:`Timeline.summary`: the network summary of each window (active people, ties,
  density, reciprocity, components, communities, modularity, newcomers, returning people);
- :meth:`Timeline.retention`: of the people first seen in a window, how many come back in the
  next window and in any later one (:func:`~plnanalytics.analysis.sessions.retention`);
- :func:`declining`: people whose contacts or activity fell by a set share against their own
  earlier windows, the ``declining`` flag of the watchlist
  (:func:`~plnanalytics.analysis.isolation.flag_isolation` with ``timeline=``).

Window specifications (:func:`make_windows`):

============================ ==============================================================
``1d``, ``2w``, ``1m``, ...  days, weeks (from Monday) or calendar months; ``week``,
                             ``month`` and ``day`` mean one of each
``term``                     school terms: spring (January-May), summer (June-July) and
                             fall (August-December)
``2025-09-01,2025-11-01,...`` windows between consecutive dates (at least two)
============================ ==============================================================

Windows start at midnight in ``tz`` (UTC by default: a US evening chat falls on the next day
in UTC, so give ``tz="America/New_York"`` to cut weeks and months where the district does).

Examples
--------
>>> from plnanalytics import Dataset
>>> ds = Dataset.from_records(interactions=[
...     {"platform": "x", "kind": "reply", "src": f"x:{a}", "dst": f"x:{b}", "post_id": f"{i}",
...      "ts": ts}
...     for i, (a, b, ts) in enumerate([
...         (1, 2, "2025-09-02T12:00Z"), (1, 3, "2025-09-03T12:00Z"), (2, 3, "2025-09-04T12:00Z"),
...         (1, 2, "2025-09-09T12:00Z"), (3, 4, "2025-09-10T12:00Z")])])
>>> tl = timeline(ds, window="1w")
>>> [w.label for w in tl.windows]
['2025-09-01', '2025-09-08']
>>> tl.trajectories("degree").to_dict("index")
{'x:1': {'2025-09-01': 2.0, '2025-09-08': 1.0}, 'x:2': {'2025-09-01': 2.0, '2025-09-08': 1.0}, \
'x:3': {'2025-09-01': 2.0, '2025-09-08': 1.0}, 'x:4': {'2025-09-01': 0.0, '2025-09-08': 1.0}}
>>> tl.summary[["window", "active", "ties", "newcomers", "returning"]].to_dict("records")
... # doctest: +NORMALIZE_WHITESPACE
[{'window': '2025-09-01', 'active': 3, 'ties': 3, 'newcomers': 3, 'returning': 0},
 {'window': '2025-09-08', 'active': 4, 'ties': 2, 'newcomers': 1, 'returning': 3}]
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import networkx as nx
import numpy as np
import pandas as pd

from ..errors import OptionError
from ..graph.arrays import adjacency
from ..graph.build import build_network, time_span
from ..ingest.base import time_option
from .sessions import retention

if TYPE_CHECKING:
    from ..dataset import Dataset
    from ..store import Store
    from .isolation import Thresholds

#: Per-person measures of each window (``people`` columns besides the identity ones).
MEASURES = ("active", "posts", "sent", "received", "activity", "degree", "in_degree",
            "out_degree", "pagerank", "betweenness", "coreness", "community")

#: Measures that place a node in a window's network: missing where the node is not in it.
POSITIONS = ("pagerank", "betweenness", "coreness", "community")

#: Network measures of each window (``summary`` columns besides window, start, end).
SUMMARY = ("coverage", "active", "roster_active", "nodes", "ties", "posts", "interactions",
           "density",
           "reciprocity", "components", "largest_component_share", "isolates", "communities",
           "modularity", "average_clustering", "newcomers", "returning")

#: Node attributes that lead the ``people`` table, when the graph has them.
IDENTITY = ("label", "person_id", "organization", "role", "on_roster")

#: School terms: (name, first month, months long); a year is spring, summer, fall.
TERMS = (("spring", 1, 5), ("summer", 6, 2), ("fall", 8, 5))

_UNIT = re.compile(r"^\s*(\d*)\s*(d|day|days|w|wk|week|weeks|m|mo|month|months)\s*$", re.I)
_UNIT_WORDS = {"d": "day", "w": "week", "m": "month"}


@dataclass(frozen=True)
class Window:
    """One time window: ``start <= t < end``, both UTC.

    Attributes
    ----------
    label : str
        A short name (the start date, ``Fall 2025``, or ``2025-09-01..2025-10-01``).
    start, end : datetime
        Its bounds, timezone-aware UTC.
    unit : str
        What one window is, in words (``week``, ``2 weeks``, ``month``, ``term``,
        ``window``), for reasons such as "2.0 contacts per week".
    """

    label: str
    start: datetime
    end: datetime
    unit: str = "window"


def make_windows(spec: str, first: datetime, last: datetime, *, step: str | None = None,
                 tz: str = "UTC") -> list[Window]:
    """The windows of ``spec`` that cover ``first`` to ``last``.

    Parameters
    ----------
    spec : str
        ``Nd``, ``Nw``, ``Nm`` (``day``, ``week``, ``month``), ``term``, or two or more
        comma-separated dates (see the module docs).
    first, last : datetime
        The first and last time of the data; the first window starts at the day, Monday,
        month or term holding ``first`` and the last window holds ``last``.
    step : str, optional
        Sliding windows: a new window of length ``spec`` starts every ``step`` (in days,
        weeks or months, no longer than the window). Default: tumbling (``step = spec``).
    tz : str
        Time zone whose midnights bound the windows (IANA name, default UTC).

    Returns
    -------
    list of Window

    Raises
    ------
    OptionError
        For a specification, step or time zone that cannot be read.

    Examples
    --------
    >>> t0, t1 = datetime(2025, 9, 10, tzinfo=UTC), datetime(2025, 10, 2, tzinfo=UTC)
    >>> [w.label for w in make_windows("1m", t0, t1)]
    ['2025-09', '2025-10']
    >>> [(w.label, w.unit) for w in make_windows("2w", t0, t1)]
    [('2025-09-08', '2 weeks'), ('2025-09-22', '2 weeks')]
    >>> [w.label for w in make_windows("2w", t0, t1, step="1w")]
    ['2025-09-08', '2025-09-15', '2025-09-22', '2025-09-29']
    >>> [w.label for w in make_windows("term", t0, datetime(2026, 2, 1, tzinfo=UTC))]
    ['Fall 2025', 'Spring 2026']
    >>> w = make_windows("2025-09-01,2025-10-01", t0, t1)
    >>> w[0].label, w[0].end.isoformat()
    ('2025-09-01..2025-10-01', '2025-10-01T00:00:00+00:00')
    >>> make_windows("1w", t0, t1, tz="America/New_York")[0].start.isoformat()
    '2025-09-08T04:00:00+00:00'
    """
    zone = _zone(tz)
    text = str(spec).strip()
    if first > last:
        raise OptionError("the data's first time is after its last")
    if "," in text:
        if step:
            raise OptionError("--step slides windows of a length (1w, 1m); it does not apply "
                              "to a list of dates")
        return _dated(text, zone)
    if text.lower() == "term":
        if step:
            raise OptionError("--step does not apply to school terms")
        return _terms(first, last, zone)
    n, unit = _length(text, "window")
    s_n, s_unit = _length(step, "step") if step else (n, unit)
    if _days(s_n, s_unit) > _days(n, unit):
        raise OptionError(f"step {step!r} is longer than the window {spec!r}: windows would "
                          "leave gaps")
    start = _floor(first.astimezone(zone), unit)
    word = _UNIT_WORDS[unit] if n == 1 else f"{n} {_UNIT_WORDS[unit]}s"
    out = []
    while start <= last.astimezone(zone):
        end = _add(start, n, unit)
        label = start.strftime("%Y-%m" if unit == "m" else "%Y-%m-%d")
        out.append(Window(label, start.astimezone(UTC), end.astimezone(UTC), word))
        start = _add(start, s_n, s_unit)
    return out


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise OptionError(f"time zone {tz!r} is unknown (use an IANA name such as "
                          "America/New_York or UTC)") from None


def _length(text: str, what: str) -> tuple[int, str]:
    m = _UNIT.match(str(text))
    if not m or (m.group(1) and int(m.group(1)) < 1):
        raise OptionError(f"{what} {text!r}: expected a length such as 1w, 2w, 1m, 7d, or "
                          "'term', or comma-separated dates such as 2025-09-01,2025-11-01")
    return int(m.group(1) or 1), m.group(2)[0].lower()


def _days(n: int, unit: str) -> float:
    return n * {"d": 1, "w": 7, "m": 30.44}[unit]


def _floor(t: datetime, unit: str) -> datetime:
    day = t.replace(hour=0, minute=0, second=0, microsecond=0)
    if unit == "w":
        return _local(day.date() - timedelta(days=day.weekday()), t.tzinfo)
    if unit == "m":
        return _local(day.date().replace(day=1), t.tzinfo)
    return _local(day.date(), t.tzinfo)


def _add(t: datetime, n: int, unit: str) -> datetime:
    if unit == "m":
        months = t.year * 12 + t.month - 1 + n
        return _local(date(months // 12, months % 12 + 1, 1), t.tzinfo)
    return _local(t.date() + timedelta(days=n * (7 if unit == "w" else 1)), t.tzinfo)


def _local(d: date, zone: Any) -> datetime:
    """Midnight of a date in a zone (wall clock, whatever the UTC offset that day)."""
    return datetime(d.year, d.month, d.day, tzinfo=zone)


def _terms(first: datetime, last: datetime, zone: ZoneInfo) -> list[Window]:
    out = []
    for year in range(first.astimezone(zone).year, last.astimezone(zone).year + 1):
        for name, month, length in TERMS:
            start = _local(date(year, month, 1), zone)
            end = _add(start, length, "m")
            if end > first and start <= last:
                out.append(Window(f"{name.title()} {year}", start.astimezone(UTC),
                                  end.astimezone(UTC), "term"))
    return out


def _dated(text: str, zone: ZoneInfo) -> list[Window]:
    bounds = []
    for part in (p.strip() for p in text.split(",")):
        try:
            t = pd.Timestamp(part)
        except ValueError:
            raise OptionError(f"window {text!r}: {part!r} is not a date") from None
        t = t.tz_localize(zone) if t.tzinfo is None else t
        bounds.append(t.to_pydatetime().astimezone(UTC))
    if len(bounds) < 2 or any(b <= a for a, b in pairwise(bounds)):
        raise OptionError(f"window {text!r}: give two or more dates in increasing order")
    parts = [p.strip() for p in text.split(",")]
    return [Window(f"{parts[i]}..{parts[i + 1]}", bounds[i], bounds[i + 1])
            for i in range(len(bounds) - 1)]


# -- the timeline --------------------------------------------------------------------------

@dataclass
class Timeline:
    """The network window by window (see :func:`timeline`).

    Attributes
    ----------
    windows : list of Window
    people : pandas.DataFrame
        One row per (window, node): ``window`` (label), ``node``, the identity columns
        :data:`IDENTITY` and the measures :data:`MEASURES`: ``active`` (posted or was tied
        in the window), ``posts``, interactions ``sent`` and ``received`` (self-loops
        left out), ``activity`` (posts plus interactions sent), ``degree`` (distinct
        contacts), ``in_degree``, ``out_degree``, ``pagerank``, ``betweenness``,
        ``coreness`` and ``community`` within the window. Roster people have a row in every
        window; other accounts where they appear.
    summary : pandas.DataFrame
        One row per window: ``window``, ``start``, ``end`` and :data:`SUMMARY`:
        ``coverage`` (the share of the window inside the data's time span: the first and
        last window are often partly empty), ``active`` (nodes that posted or were tied),
        ``roster_active``, ``nodes``, ``ties`` (undirected), ``interactions``, the
        summary's density, reciprocity, components, largest component share, isolates,
        communities, modularity and clustering, ``newcomers`` (active for the first time)
        and ``returning`` (active, and seen before).
    settings : dict
        The specification, step, time zone, filters and seed.
    """

    windows: list[Window]
    people: pd.DataFrame
    summary: pd.DataFrame
    settings: dict = field(default_factory=dict)

    def trajectories(self, measure: str = "degree", *, nodes: Iterable[str] | None = None
                     ) -> pd.DataFrame:
        """One measure of every person (rows) in every window (columns, in time order).

        Counts (posts, sent, received, activity, degrees, ``active``) are 0 in windows
        where a node did not appear; position measures (PageRank, betweenness, coreness,
        community) are missing there.

        Examples
        --------
        >>> tl = Timeline([Window("w1", datetime(2025, 1, 1, tzinfo=UTC),
        ...                       datetime(2025, 1, 8, tzinfo=UTC))],
        ...               pd.DataFrame({"window": ["w1"], "node": ["a"], "posts": [3]}),
        ...               pd.DataFrame())
        >>> tl.trajectories("posts").to_dict()
        {'w1': {'a': 3.0}}
        """
        if measure not in self.people.columns:
            raise OptionError(f"unknown measure {measure!r}; expected one of "
                              f"{', '.join(c for c in MEASURES if c in self.people)}")
        order = [w.label for w in self.windows]
        wide = (self.people.pivot_table(index="node", columns="window", values=measure,
                                        aggfunc="first", dropna=False)
                .reindex(columns=order).astype(float))
        if measure not in POSITIONS:
            wide = wide.fillna(0.0)
        wide.columns.name = None
        if nodes is not None:
            wide = wide.reindex(list(nodes))
        return wide

    def retention(self) -> pd.DataFrame:
        """Of the people first active in each window, how many are active in the next window
        and in any later one (see :func:`~plnanalytics.analysis.sessions.retention`).

        Examples
        --------
        >>> w = [Window(f"w{i}", datetime(2025, 1, i, tzinfo=UTC),
        ...             datetime(2025, 1, i + 1, tzinfo=UTC)) for i in (1, 2)]
        >>> people = pd.DataFrame({"window": ["w1", "w1", "w2"], "node": ["a", "b", "a"],
        ...                        "active": [True, True, True]})
        >>> Timeline(w, people, pd.DataFrame()).retention()[
        ...     ["period", "newcomers", "returned_next"]].to_dict("records")
        [{'period': 'w1', 'newcomers': 2, 'returned_next': 1}, \
{'period': 'w2', 'newcomers': 0, 'returned_next': 0}]
        """
        seen = self.people.loc[self.people["active"].astype(bool), ["window", "node"]]
        return retention(seen.rename(columns={"window": "period"}),
                         order=[w.label for w in self.windows])


def timeline(
    data: Dataset | Store,
    *,
    window: str = "1m",
    step: str | None = None,
    tz: str = "UTC",
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    kinds: Iterable[str] | None = None,
    contexts: Iterable[str] | None = None,
    people: bool = True,
    group: str | None = "organization",
    seed: int = 0,
    engine: str = "auto",
    progress: Callable[[int, int, str], None] | None = None,
) -> Timeline:
    """Build and analyse the network of every time window.

    Parameters
    ----------
    data : Dataset or Store
        The normalized tables.
    window : str
        The windows (see :func:`make_windows`): ``1w``, ``1m``, ``term``, dates, ...
    step : str, optional
        Slide windows of length ``window`` by this much (default: tumbling windows).
    tz : str
        Time zone whose midnights bound the windows (default UTC).
    since, until, kinds, contexts, people
        The filters of :func:`~plnanalytics.graph.build.build_graph`, applied to every
        window. Interactions without a time (survey nominations, co-membership) belong to
        no window.
    group, seed, engine
        As for :func:`~plnanalytics.analysis.analyze`.
    progress : callable, optional
        Called as ``progress(done, total, label)`` before each window.

    Returns
    -------
    Timeline

    Raises
    ------
    OptionError
        For a window specification that cannot be read, or data without any timed post or
        interaction in the filters.
    """
    from . import analyze  # the package's analyze, which imports this module's neighbours

    span = time_span(data, kinds=kinds, since=since, until=until, contexts=contexts)
    if span is None:
        raise OptionError("no timed post or interaction in the data (with these filters): "
                          "nothing to cut into windows")
    lo, hi = time_option(since), time_option(until)
    wins = make_windows(window, span[0], span[1], step=step, tz=tz)
    rows, summaries = [], []
    seen: set[str] = set()
    for i, w in enumerate(wins):
        if progress:
            progress(i, len(wins), w.label)
        start = max(w.start, lo) if lo else w.start
        end = min(w.end, hi) if hi else w.end
        G, matrix = build_network(data, kinds=kinds, since=start, until=end,
                                  contexts=contexts, people=people)
        result = analyze(G, group=group, seed=seed, engine=engine, matrix=matrix)
        frame = _window_people(G, result.metrics, w.label)
        active = set(frame.loc[frame["active"], "node"])
        summaries.append(_window_summary(w, G, result.summary, frame, span, active - seen,
                                         active & seen))
        seen |= active
        rows.append(frame)
    if progress:
        progress(len(wins), len(wins), "")
    people_frame = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    settings = {"window": window, "step": step, "tz": tz, "since": _iso(lo), "until": _iso(hi),
                "kinds": list(kinds) if kinds else None,
                "contexts": list(contexts) if contexts else None, "seed": seed,
                "first": _iso(span[0]), "last": _iso(span[1])}
    return Timeline(wins, people_frame, pd.DataFrame(summaries), settings)


def _window_people(G: nx.DiGraph, metrics: pd.DataFrame, label: str) -> pd.DataFrame:
    """The ``people`` rows of one window: roster people always, other nodes when active."""
    nodes = list(G.nodes)
    counts = adjacency(G, "count")  # interactions per tie, self-loops left out
    sent = np.rint(counts.sum(axis=1)).astype(np.int64)
    received = np.rint(counts.sum(axis=0)).astype(np.int64)
    m = metrics.set_index("node").reindex(nodes)
    posts = (m["posts"].fillna(0).to_numpy(dtype=np.int64) if "posts" in m
             else np.zeros(len(nodes), dtype=np.int64))
    frame = pd.DataFrame({"window": label, "node": nodes})
    for col in IDENTITY:
        values = [G.nodes[n].get(col) for n in nodes]
        if any(v is not None for v in values):
            frame[col] = values
    # not the graph's ``traces``: answering an untimed survey would count in every window
    frame["active"] = (posts + sent + received > 0) | (m["degree"].to_numpy() > 0)
    frame["posts"] = posts
    frame["sent"] = sent
    frame["received"] = received
    frame["activity"] = posts + sent
    for col in ("degree", "in_degree", "out_degree", "pagerank", "betweenness", "coreness",
                "community"):
        frame[col] = m[col].to_numpy()
    keep = frame["active"].to_numpy(dtype=bool, copy=True)
    if "on_roster" in frame:
        keep |= frame["on_roster"].fillna(False).astype(bool).to_numpy()
    return frame[keep].reset_index(drop=True)


def _window_summary(w: Window, G: nx.DiGraph, s: dict, frame: pd.DataFrame,
                    span: tuple[datetime, datetime], new: set, back: set) -> dict[str, Any]:
    inside = (min(w.end, span[1] + timedelta(microseconds=1)) - max(w.start, span[0]))
    coverage = max(inside.total_seconds(), 0.0) / (w.end - w.start).total_seconds()
    roster = frame["on_roster"].fillna(False).astype(bool) if "on_roster" in frame else False
    return {
        "window": w.label, "start": w.start, "end": w.end, "coverage": round(coverage, 4),
        "active": int(frame["active"].sum()),
        "roster_active": int((frame["active"] & roster).sum()),
        "nodes": s["nodes"], "ties": s["ties"], "posts": int(frame["posts"].sum()),
        "interactions": int(G.graph.get("interactions", 0))
        - int(G.graph.get("self_loops_dropped", 0)),
        "density": s["density"], "reciprocity": s["reciprocity"],
        "components": s["components"], "largest_component_share": s["largest_component_share"],
        "isolates": s["isolates"], "communities": s["communities"],
        "modularity": s["modularity"], "average_clustering": s["average_clustering"],
        "newcomers": len(new), "returning": len(back),
    }


def _iso(t: datetime | None) -> str | None:
    return None if t is None else t.isoformat().replace("+00:00", "Z")


# -- the declining flag --------------------------------------------------------------------

def declining(
    tl: Timeline,
    *,
    drop: float = 0.5,
    recent: int = 2,
    min_before: float = 2.0,
    min_coverage: float = 0.5,
    quiet: float = 0.5,
    alpha: float = 0.05,
    min_windows: int = 5,
    nodes: Iterable[str] | None = None,
) -> pd.DataFrame:
    """People whose contacts or activity fell by at least ``drop`` against their own
    earlier windows.

    For each person, the windows since the first one they were active in are split into the
    last ``recent`` windows and the earlier ones. Their average number of distinct contacts
    (``degree``) and of acts (``activity``: posts plus interactions sent) in the recent
    windows is compared with the earlier average. A decline is a fall of at least ``drop``
    (a share: 0.5 is half) in either, from an earlier average of at least ``min_before``,
    that is larger than chance: of all the ways of picking ``recent`` of the person's
    windows (earlier and recent together), less than ``alpha`` give a total as low as the
    recent one (a permutation test, so that someone who often skips a weekly chat is judged
    by how often they skip). A person needs ``min_windows`` earlier windows to be judged
    (with ``recent=2``, seven or more windows in all are needed for a fall to reach 5%).

    Two kinds of window are left out of the comparison, because they say nothing about one
    person: windows the data cover less than ``min_coverage`` of (often the first and last:
    the data may just start or stop there), and quiet windows, in which the whole network
    posted and interacted less than ``quiet`` times its median window (a holiday week
    without the weekly chat, the weeks after the end of term).

    Parameters
    ----------
    tl : Timeline
    drop : float
        The share of the earlier average that must be lost (0 < drop <= 1).
    recent : int
        How many of the last windows make "now".
    min_before : float
        The smallest earlier average that counts: someone with one post a month has little
        to lose, and falling from 1 to 0 is chance more than drift.
    min_coverage : float
        Windows covered less than this by the data's time span are not compared.
    alpha : float
        How unlikely by chance the fall must be (1 drops the test).
    min_windows : int
        The fewest earlier windows that a person's usual level is read from (default 5).
    quiet : float
        Windows with less network activity (posts plus interactions) than this share of
        the median window are not compared (0 compares every window).
    nodes : iterable of str, optional
        Judge only these nodes (default: every node with rows in the timeline).

    Returns
    -------
    pandas.DataFrame
        One row per declining person: ``node``, ``label``, ``reason`` and the numbers
        ``degree_before``, ``degree_now``, ``activity_before``, ``activity_now``,
        ``windows_before`` and ``windows_now``.

    Examples
    --------
    >>> w = [Window(f"w{i}", datetime(2025, 1, i, tzinfo=UTC),
    ...             datetime(2025, 1, i + 1, tzinfo=UTC), "day") for i in range(1, 9)]
    >>> people = pd.DataFrame({"window": [x.label for x in w] * 2,
    ...                        "node": ["a"] * 8 + ["b"] * 8,
    ...                        "degree": [4, 5, 4, 4, 3, 4, 1, 1, 2, 0, 3, 2, 0, 2, 1, 0],
    ...                        "activity": [8, 6, 7, 7, 6, 8, 1, 2, 3, 0, 4, 3, 0, 2, 1, 0]})
    >>> summary = pd.DataFrame({"window": [x.label for x in w], "coverage": [1.0] * 8})
    >>> found = declining(Timeline(w, people, summary))
    >>> found[["node", "degree_before", "degree_now"]].to_dict("records")
    [{'node': 'a', 'degree_before': 4.0, 'degree_now': 1.0}]
    >>> print(found["reason"][0])
    Contacts fell 75%: from 4.0 per day over their 6 earlier days to 1.0 in the last 2 days; \
activity (posts and interactions sent) fell 79%: from 7.0 to 1.5.

    ``b`` fell by half too, but has skipped days before: chance explains it.
    """
    if not 0 < drop <= 1:
        raise OptionError(f"declining drop must be a share above 0 and at most 1, not {drop}")
    if recent < 1:
        raise OptionError(f"declining recent must be at least 1 window, not {recent}")
    columns = ["node", "label", "reason", "degree_before", "degree_now", "activity_before",
               "activity_now", "windows_before", "windows_now"]
    covered = comparable(tl, min_coverage=min_coverage, quiet=quiet)
    if len(covered) < recent + 1:
        return pd.DataFrame(columns=columns)
    degree = tl.trajectories("degree", nodes=nodes)[covered]
    activity = tl.trajectories("activity", nodes=nodes)[covered]
    labels = (tl.people.drop_duplicates("node").set_index("node")["label"]
              if "label" in tl.people else pd.Series(dtype=object))
    unit = tl.windows[0].unit if tl.windows else "window"
    rows = []
    for node in degree.index:
        d, a = degree.loc[node].to_numpy(), activity.loc[node].to_numpy()
        on = np.flatnonzero((d > 0) | (a > 0))
        if len(on) == 0 or on[0] > len(covered) - recent - min_windows:
            continue  # never active, or too lately to know their usual level
        before = slice(int(on[0]), len(covered) - recent)
        nb = before.stop - before.start
        d0, d1 = float(d[before].mean()), float(d[-recent:].mean())
        a0, a1 = float(a[before].mean()), float(a[-recent:].mean())
        fell_d = _fell(d[before], d[-recent:], drop, min_before, alpha)
        fell_a = _fell(a[before], a[-recent:], drop, min_before, alpha)
        if not (fell_d or fell_a):
            continue
        reason = (f"Contacts {_change(d0, d1)}: from {d0:.1f} per {_unit(unit, 1)} over their "
                  f"{nb} earlier {_unit(unit, nb)} to {d1:.1f} in the last "
                  f"{recent} {_unit(unit, recent)}; activity (posts and "
                  f"interactions sent) {_change(a0, a1)}: from {a0:.1f} to {a1:.1f}.")
        label = labels.get(node)
        rows.append({"node": node, "label": label if isinstance(label, str) else node,
                     "reason": reason, "degree_before": round(d0, 4), "degree_now": round(d1, 4),
                     "activity_before": round(a0, 4), "activity_now": round(a1, 4),
                     "windows_before": nb, "windows_now": recent})
    return pd.DataFrame(rows, columns=columns)


def _fell(before: np.ndarray, now: np.ndarray, drop: float, min_before: float,
          alpha: float) -> bool:
    """A fall of the mean of ``now`` by at least ``drop`` from the mean of ``before`` (at
    least ``min_before``) that chance explains less than ``alpha`` of the time.

    The chance: among every way of picking ``len(now)`` of all the person's windows
    (earlier and recent together), the share whose total is as low as the recent total or
    lower (a permutation test; exact when the windows are exchangeable, as they are when
    nothing changed).

    Examples
    --------
    >>> _fell(np.array([4, 4, 4, 4]), np.array([1, 1]), 0.5, 2, 0.05)  # 1 pick in 15
    False
    >>> _fell(np.array([4, 5, 4, 4, 3, 4]), np.array([1, 1]), 0.5, 2, 0.05)  # 1 in 28
    True
    >>> _fell(np.array([8, 0, 8, 0, 8, 0]), np.array([0, 0]), 0.5, 2, 0.05)  # skips are usual
    False
    """
    m0, m1 = float(before.mean()), float(now.mean())
    if m0 < min_before or m1 > (1 - drop) * m0:
        return False
    if alpha >= 1:
        return True
    return _low_share(np.rint(np.r_[before, now]).astype(np.int64), len(now)) < alpha


def _low_share(values: np.ndarray, r: int) -> float:
    """The share of the ``r``-element subsets of ``values`` whose sum is at most the sum of
    the last ``r`` values (counting subsets by sum, one value at a time).

    Examples
    --------
    >>> _low_share(np.array([3, 1, 2, 0]), 2)  # pairs summing to 2 or less: 1+0, 2+0
    0.3333333333333333
    """
    target = int(values[-r:].sum())
    ways = np.zeros((r + 1, target + 1))  # ways[j, s]: subsets of j values summing to s
    ways[0, 0] = 1.0
    for v in values.tolist():
        if v <= target:
            ways[1:, v:] += ways[:-1, : target + 1 - v].copy()
    return float(ways[r].sum() / math.comb(len(values), r))


def declining_from(tl: Timeline, th: Thresholds, nodes: Iterable[str] | None = None
                   ) -> pd.DataFrame:
    """:func:`declining` with the numbers of a :class:`~.isolation.Thresholds`."""
    return declining(tl, drop=th.declining_drop, recent=th.declining_recent,
                     min_before=th.declining_min_before, alpha=th.declining_alpha,
                     min_windows=th.declining_min_windows, nodes=nodes)


def comparable(tl: Timeline, *, min_coverage: float = 0.5, quiet: float = 0.5) -> list[str]:
    """The windows :func:`declining` compares: covered by the data, and not quiet.

    Examples
    --------
    >>> w = [Window(f"w{i}", datetime(2025, 1, i, tzinfo=UTC),
    ...             datetime(2025, 1, i + 1, tzinfo=UTC)) for i in (1, 2, 3, 4)]
    >>> s = pd.DataFrame({"window": ["w1", "w2", "w3", "w4"], "coverage": [0.2, 1, 1, 1],
    ...                   "posts": [9, 10, 1, 12], "interactions": [0, 30, 2, 25]})
    >>> comparable(Timeline(w, pd.DataFrame(), s))
    ['w2', 'w4']
    """
    s = tl.summary.set_index("window") if len(tl.summary) else pd.DataFrame()
    labels = [w.label for w in tl.windows]
    keep = pd.Series(True, index=labels)
    if "coverage" in s:
        keep &= s["coverage"].reindex(labels).fillna(1.0).ge(min_coverage)
    if quiet > 0 and {"posts", "interactions"} <= set(s.columns):
        volume = (s["posts"] + s["interactions"]).reindex(labels)
        keep &= volume.ge(quiet * float(volume[keep].median()))
    return [w for w in labels if keep[w]]


def _change(before: float, now: float) -> str:
    if before <= 0:
        return "rose" if now > 0 else "stayed at zero"
    share = (before - now) / before
    if share <= 0:
        return "held" if share == 0 else f"rose {-share:.0%}"
    return f"fell {share:.0%}"


def _unit(unit: str, n: int) -> str:
    """``week`` / ``weeks``; ``2 weeks`` windows are counted as windows of two weeks."""
    if unit[0].isdigit():
        return f"window{'s' if n != 1 else ''} of {unit}"
    return unit if n == 1 else f"{unit}s"


def auto_window(data: Dataset | Store, **filters: Any) -> str | None:
    """A window length that suits the data's time span: ``1w`` up to half a year, ``1m`` up
    to three years, ``term`` beyond; None when nothing is timed.

    Examples
    --------
    >>> from plnanalytics import Dataset
    >>> ds = Dataset.from_records(posts=[
    ...     {"post_id": str(i), "platform": "x", "author": "x:1", "created_at": t}
    ...     for i, t in enumerate(["2025-09-01T00:00Z", "2026-06-01T00:00Z"])])
    >>> auto_window(ds), auto_window(Dataset())
    ('1m', None)
    """
    span = time_span(data, **filters)
    if span is None:
        return None
    days = (span[1] - span[0]).days
    return "1w" if days <= 183 else "1m" if days <= 3 * 366 else "term"


def span_text(windows: Sequence[Window], tz: str = "UTC") -> str:
    """``2025-09-01 to 2025-12-07`` for a list of windows: the first day of the first and
    the last day of the last, in the windows' time zone.

    Examples
    --------
    >>> span_text([Window("a", datetime(2025, 9, 1, 4, tzinfo=UTC),
    ...                   datetime(2025, 9, 8, 4, tzinfo=UTC))], "America/New_York")
    '2025-09-01 to 2025-09-07'
    """
    if not windows:
        return ""
    zone = _zone(tz)
    first = windows[0].start.astimezone(zone)
    last = (windows[-1].end - timedelta(microseconds=1)).astimezone(zone)
    return f"{first:%Y-%m-%d} to {last:%Y-%m-%d}"


__all__ = ["MEASURES", "SUMMARY", "TERMS", "Timeline", "Window", "auto_window", "comparable",
           "declining",
           "declining_from",
           "make_windows", "span_text", "timeline"]
