"""What the network report says, gathered once and rendered as HTML or PDF.

:func:`report_content` builds the graph, the analysis and the watchlist from a store (or takes
them ready-made), pseudonymizes everything when names are off, and returns a
:class:`ReportContent` of plain values: tables as data frames, figures as PNG bytes and the
explorer's nodes and edges.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import networkx as nx
import pandas as pd

from .privacy import (
    aliases,
    project_salt,
    pseudonymize_analysis,
    pseudonymize_table,
    replacer,
    suppress_small_groups,
)

if TYPE_CHECKING:
    from ..analysis import Analysis
    from ..analysis.sessions import ChatSessions
    from ..analysis.temporal import Timeline
    from ..store import Store

#: Most nodes the interactive explorer shows (the top by PageRank plus every flagged person).
EXPLORER_MAX_NODES = 5000

#: ``window="auto"`` builds the network window by window only up to this many ties (each
#: window is a graph and an analysis of its own); a window given explicitly always is.
AUTO_TIMELINE_MAX_TIES = 500_000

#: Rows of the central people and brokers tables.
TOP = 10

#: Plain-word definitions of every measure and flag in the report (the methods appendix).
METHODS: tuple[tuple[str, str], ...] = (
    ("Node", "One person on the roster (with all their accounts merged) or one other account "
             "that posted or was tied to someone."),
    ("Tie (edge)", "From one node to another: every reply, mention, retweet, quote, message or "
                   "survey nomination from the first to the second, counted together."),
    ("Degree", "How many distinct people someone is in contact with, in either direction."),
    ("In-degree / out-degree", "How many people reached them / how many people they reached."),
    ("Density", "The share of all possible ties that exist (1 = everyone tied to everyone)."),
    ("Reciprocity", "The share of ties that go both ways."),
    ("Components", "Groups of people connected to each other by some chain of ties, whatever "
                   "the direction; the largest is the main network."),
    ("Isolates", "People and accounts with no tie at all."),
    ("PageRank", "Influence through the network: high when one is reached by many people, "
                 "especially by people who are themselves reached by many (weighted, "
                 "damping 0.85)."),
    ("Betweenness", "How often someone lies on the shortest path between two others: people "
                    "high on it connect parts of the network that would otherwise be far "
                    "apart (normalized; sampled above 5,000 nodes)."),
    ("Harmonic closeness", "How near everyone else is to a person, on average (1 / distance)."),
    ("Eigenvector centrality", "Being tied to people who are themselves well tied."),
    ("Clustering", "How many of a person's contacts are in contact with each other."),
    ("k-core (coreness)", "The deepest layer of the network a person belongs to: in the k-core "
                          "everyone has at least k contacts inside it."),
    ("Constraint / effective size", "Burt's structural holes: low constraint and a large "
                                    "effective size mean contacts who do not know each other."),
    ("Brokerage roles (Gould-Fernandez)", "Counts of the times a person links two others, by "
     "the districts of the three: coordinator (all in one district), itinerant (the two others "
     "share a district, not theirs), representative (passes from their district outward), "
     "gatekeeper (lets in from outside to their district), liaison (all three different)."),
    ("Community", "A group of people tied more to each other than to the rest (Louvain method, "
                  "seeded so that it repeats)."),
    ("Modularity", "How clearly the network splits into communities (0 = no more than chance, "
                   "above 0.3 = clear groups)."),
    ("E-I index", "External minus internal ties over all ties, by district: -1 means everyone "
                  "talks only within their district, +1 only across districts."),
    ("absent (high)", "On the roster, but no post and no tie in any source."),
    ("isolate (high)", "Posted, but no contact at all."),
    ("cut_off (high)", "Has contacts, but in a group apart from the main network."),
    ("single_tie (medium)", "Exactly one contact."),
    ("bridge_dependent (medium)", "Two or more contacts, but reaches the main network only "
                                  "through one person whose absence would cut them off."),
    ("never_sought (medium)", "Reached out to two or more people; nobody reached out to them."),
    ("named_nobody (medium)", "Answered a survey and named nobody."),
    ("unreciprocated (low)", "Reached out to three or more, none reached back, though others "
                             "reach them."),
    ("peripheral (low)", "Two or more contacts, k-core 1, while the network's core is 3 or "
                         "deeper."),
    ("declining (medium)", "Over time windows: their contacts or their activity (posts and "
                           "interactions sent) in the last windows fell by half or more "
                           "against their own earlier windows, by more than their usual ups "
                           "and downs explain (quiet weeks for everyone, such as holidays, "
                           "are left out)."),
    ("Time windows", "The network is built and measured again for each window (a week, a month, "
                     "a school term): the numbers of a window count only the posts and ties "
                     "in it."),
    ("Newcomers and retention", "A newcomer is active for the first time in a window or chat "
                                "session; retention is the share of them active again in the "
                                "next window or session (or in any later one)."),
    ("Chat sessions", "Stretches of time in which posts arrive much faster than usual (a weekly "
                      "one-hour chat), found from the timestamps alone; the moderator is who "
                      "posts the questions (Q1, Q2...) and an answer is a reply to a question "
                      "or a post starting A1, A2..."),
    ("Suggested introductions", "For each person on the watchlist, peers they are not tied to "
                                "yet, ranked by contacts in common (Adamic-Adar), shared "
                                "community, district, role and groups, and how well connected "
                                "and responsive the peer is; each with its reasons."),
    ("no_response (low)", "Did not answer a survey in the graph: the ties they would have named "
                          "are unknown."),
    ("Pseudonyms", "With names off, every person is 'Person NNNN' and every other account "
                   "'Account NNNN', the same in every report of one project (keyed by a secret "
                   "kept in the project store); schools, handles and e-mail addresses are left "
                   "out, and breakdowns merge groups smaller than the minimum group size."),
)


@dataclass
class ReportContent:
    """Everything the report shows, as plain values.

    Attributes
    ----------
    title, generated_at : str
        The title and when the content was made (UTC, ISO 8601).
    headline : list of (label, value, meaning)
        The headline numbers with what each means in plain words.
    network : dict
        The explorer's data: ``nodes`` (id, label, x, y, community, district, degree,
        pagerank, betweenness, flags), ``edges`` (from, to, weight), ``total_nodes``,
        ``shown_nodes``, ``truncated``.
    figures : dict of str to bytes
        PNG images: ``network``, ``degree_distribution``, ``community_sizes``, ``activity``,
        and when there is something to show ``timeline``, ``declining`` and ``sessions``.
    communities, central, brokers, watchlist, breakdown, activity : pandas.DataFrame
        The report's tables.
    over_time, retention : pandas.DataFrame
        The network window by window and the newcomers' retention (empty without a
        timeline).
    sessions, session_retention : pandas.DataFrame
        The chat sessions found and their newcomers' retention (empty when none).
    schedule : str
        The chats' recurring slot in words ("" when none).
    introductions : pandas.DataFrame
        Suggested introductions for the watchlist.
    time_note : str
        What the windows are ("" without a timeline).
    off : tuple of str
        Sections turned off for this report (``sessions``, ``introductions``).
    methods : list of (term, definition)
    provenance : dict
        ``ingests`` (table), ``rejected`` (count), ``rejects`` (first few).
    notes : list of str
    names : bool
        False when everything is pseudonymized.
    """

    title: str
    generated_at: str
    headline: list[tuple[str, str, str]]
    network: dict[str, Any]
    figures: dict[str, bytes]
    communities: pd.DataFrame
    central: pd.DataFrame
    brokers: pd.DataFrame
    watchlist: pd.DataFrame
    breakdown: pd.DataFrame
    activity: pd.DataFrame
    methods: list[tuple[str, str]]
    provenance: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    names: bool = True
    min_group: int = 5
    over_time: pd.DataFrame = field(default_factory=pd.DataFrame)
    retention: pd.DataFrame = field(default_factory=pd.DataFrame)
    sessions: pd.DataFrame = field(default_factory=pd.DataFrame)
    session_retention: pd.DataFrame = field(default_factory=pd.DataFrame)
    schedule: str = ""
    introductions: pd.DataFrame = field(default_factory=pd.DataFrame)
    time_note: str = ""
    off: tuple[str, ...] = ()


def report_content(
    store: Store,
    *,
    graph: nx.DiGraph | None = None,
    analysis: Analysis | None = None,
    flags: pd.DataFrame | None = None,
    names: bool = True,
    min_group: int = 5,
    seed: int = 0,
    title: str | None = None,
    progress: Callable[[str], None] | None = None,
    timeline: Timeline | None = None,
    sessions: ChatSessions | bool | None = None,
    introductions: pd.DataFrame | bool | None = None,
    window: str | None = None,
    tz: str = "UTC",
    k: int = 3,
) -> ReportContent:
    """Gather the report's content from a store (and, optionally, ready-made results).

    Parameters
    ----------
    store : Store
        The project store: provenance, activity over time and (unless given) the graph.
        With ``names=False`` it also holds the pseudonym salt (created on first use, so the
        store must then be writable once).
    graph : networkx.DiGraph, optional
        Default: ``build_graph(store)``.
    analysis : Analysis, optional
        Default: ``analyze(graph, seed=seed)``.
    flags : pandas.DataFrame, optional
        Default: ``flag_isolation(graph)``.
    names : bool
        Show names (default); ``False`` pseudonymizes every table, figure and the explorer.
    min_group : int
        Breakdowns by district and role merge groups smaller than this.
    seed : int
        Seed of the analysis and the layout.
    title : str, optional
        Default: "Network report".
    progress : callable, optional
        Called with the name of each step as it starts.
    timeline : Timeline, optional
        The network over time (:func:`~plnanalytics.analysis.temporal.timeline`); default:
        made with ``window`` and ``tz`` when ``window`` is given, else none.
    sessions : ChatSessions or False, optional
        Default: :func:`~plnanalytics.analysis.sessions.chat_sessions` over the store;
        ``False`` leaves the section's content out.
    introductions : pandas.DataFrame or False, optional
        Default: :func:`~plnanalytics.analysis.recommend.suggest_introductions` (``k`` per
        person) for the watchlist; ``False`` leaves them out.
    window : str, optional
        Windows of the timeline, when none is given: ``1w``, ``1m``, ``term``, dates, or
        ``auto`` (weeks for up to half a year of data, months up to three years, else terms;
        left out, with a note, above :data:`AUTO_TIMELINE_MAX_TIES` ties).
    tz : str
        Time zone of the windows.
    k : int
        Suggested introductions per person.

    Returns
    -------
    ReportContent
    """
    from ..analysis import analyze, flag_isolation
    from ..analysis.recommend import node_groups, suggest_introductions
    from ..analysis.sessions import chat_sessions
    from ..analysis.temporal import auto_window
    from ..analysis.temporal import timeline as build_timeline
    from ..graph.build import build_graph

    step = progress or (lambda _: None)
    step("graph")
    G = graph if graph is not None else build_graph(store)
    swap: Callable[[Any], Any] = lambda v: v  # noqa: E731
    if not names:
        salt = project_salt(store)
        swap = replacer(aliases(G, salt=salt))
    if analysis is None:
        step("analysis")
        analysis = analyze(G, seed=seed)
    notes: list[str] = []
    if timeline is None and window:
        step("timeline")
        spec = auto_window(store) if window == "auto" else window
        ties = store.con.execute("SELECT count(*) FROM interactions").fetchone()[0]
        if window == "auto" and ties > AUTO_TIMELINE_MAX_TIES:
            spec = None
            notes.append(f"The network window by window is left out: with {ties:,} ties each "
                         "window's analysis takes a while; ask for it with a window "
                         "(`pln report --window 1m`).")
        timeline = build_timeline(store, window=spec, tz=tz, seed=seed) if spec else None
    if flags is None:
        step("watchlist")
        flags = flag_isolation(G, timeline=timeline)
    off = tuple(name for name, value in (("sessions", sessions),
                                         ("introductions", introductions)) if value is False)
    if sessions is None or sessions is True:
        step("sessions")
        sessions = chat_sessions(store, G=G)
    if introductions is None or introductions is True:
        step("introductions")
        introductions = suggest_introductions(
            G, who=flags, k=k, communities=analysis.metrics.set_index("node")["community"],
            groups=node_groups(store, G), seed=seed)
    elif introductions is False:
        introductions = pd.DataFrame()
    private = (lambda f: f) if names else (
        lambda f: pseudonymize_table(f, G, salt=salt))
    over = _over_time(timeline, flags, private)
    chats = _chats(sessions or None, private, tz)
    introductions = _introductions(private(introductions))
    if not names:
        analysis, flags = pseudonymize_analysis(analysis, flags, salt=salt)
    H, metrics, watch = analysis.graph, analysis.metrics, flags
    communities = analysis.communities.copy()
    assert metrics is not None and watch is not None
    metrics = metrics.set_index("node", drop=False)

    step("layout")
    from . import plots

    # the force simulation is quadratic: it places the best-connected nodes (those the
    # explorer shows on a big graph), the others beside their neighbours
    pos = plots.layout(H, seed=seed, max_nodes=EXPLORER_MAX_NODES)
    partition = metrics["community"].to_dict()
    flagged = set(watch["node"])
    step("figures")
    figures = {
        "network": _png(plots.network_plot(H, communities=partition, flagged=flagged, pos=pos)),
        "degree_distribution": _png(plots.degree_distribution(H)),
        "community_sizes": _png(plots.community_sizes(partition)),
    }
    interactions = store.table("interactions")
    if len(interactions):
        figures["activity"] = _png(plots.activity(interactions, freq="W"))
    figures.update(over.pop("figures"))
    figures.update(chats.pop("figures"))

    step("tables")
    summary = analysis.summary
    network = _explorer(H, metrics, watch, pos, notes)
    content = ReportContent(
        title=title or "Network report",
        generated_at=datetime.now(UTC).replace(microsecond=0).isoformat(),
        headline=_headline(summary, H, watch),
        network=network,
        figures=figures,
        communities=_communities(communities, metrics),
        central=_central(metrics),
        brokers=_brokers(metrics),
        watchlist=_watchlist(watch),
        breakdown=_breakdown(H, watch, min_group),
        activity=_activity(interactions),
        methods=list(METHODS),
        provenance=_provenance(store, swap),
        notes=notes,
        names=names,
        min_group=min_group,
        introductions=introductions,
        off=off,
        **over,
        **chats,
    )
    if not names:
        notes.append("Names are off: people appear as pseudonyms ('Person NNNN', "
                     "'Account NNNN'), stable across reports of this project; groups smaller "
                     f"than {min_group} are merged in breakdowns.")
    return content



def _png(fig: Any) -> bytes:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    try:
        fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    finally:
        plt.close(fig)
    return buf.getvalue()


def _num(v: Any, digits: int = 3) -> str:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return "n/a"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int) or (isinstance(v, float) and float(v).is_integer()):
        return f"{int(v):,}"
    if isinstance(v, float):
        return f"{v:.{digits}f}"
    return str(v)


def _headline(s: dict, G: nx.DiGraph, watch: pd.DataFrame) -> list[tuple[str, str, str]]:
    roster = sum(1 for _, d in G.nodes(data=True) if d.get("on_roster"))
    share = s.get("largest_component_share")
    rows = [
        ("People and accounts", _num(s.get("nodes")),
         "Everyone in the network: roster people (with their accounts merged) and other "
         "accounts that took part."),
        ("Roster people", _num(roster), "People on the roster, whether or not they took part."),
        ("Ties", _num(s.get("edges")),
         "Pairs where one reached the other (replies, mentions, retweets, messages, "
         "nominations)."),
        ("Density", _num(s.get("density")),
         "Share of all possible ties that exist; small numbers are normal in large networks."),
        ("Reciprocity", _num(s.get("reciprocity")), "Share of ties that go both ways."),
        ("Main network", "n/a" if share is None else f"{100 * share:.0f}%",
         "Share of everyone connected, by some chain of ties, to the largest group."),
        ("Isolates", _num(s.get("isolates")), "People and accounts with no tie at all."),
        ("Communities", _num(s.get("communities")),
         "Groups of two or more that are tied more to each other than to the rest."),
        ("Modularity", _num(s.get("modularity")),
         "How clearly the network splits into those groups (above 0.3: clear groups)."),
        ("On the watchlist", _num(watch["node"].nunique() if len(watch) else 0),
         "Roster people who are absent, isolated, cut off or hanging on one tie (see the "
         "watchlist)."),
    ]
    return rows


def _explorer(G: nx.DiGraph, metrics: pd.DataFrame, watch: pd.DataFrame,
              pos: dict[Any, tuple[float, float]], notes: list[str]) -> dict[str, Any]:
    keep = list(G)
    flagged = set(watch["node"])
    truncated = len(keep) > EXPLORER_MAX_NODES
    if truncated:
        pr = metrics["pagerank"].fillna(0).sort_values(ascending=False, kind="stable")
        top = list(pr.index[:EXPLORER_MAX_NODES])
        keep = list(dict.fromkeys(top + [n for n in G if n in flagged]))
        notes.append(f"The explorer shows the top {EXPLORER_MAX_NODES:,} nodes by PageRank plus "
                     f"every flagged person ({len(keep):,} of {G.number_of_nodes():,}); the "
                     "tables and the static picture cover everyone.")
    index = {n: i for i, n in enumerate(keep)}
    by_node: dict[Any, list[dict[str, str]]] = {}
    for r in watch.itertuples(index=False):
        by_node.setdefault(r.node, []).append(
            {"flag": str(r.flag), "severity": str(r.severity), "reason": str(r.reason)})
    xs = [p[0] for p in pos.values()] or [0.0]
    ys = [p[1] for p in pos.values()] or [0.0]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 1e-9)
    scale = 1600.0 / span
    nodes = []
    for n in keep:
        d = G.nodes[n]
        m = metrics.loc[n] if n in metrics.index else {}
        x, y = pos.get(n, (0.0, 0.0))
        nodes.append({
            "id": index[n], "label": str(d.get("label") or n),
            "x": round(float(x) * scale, 1), "y": round(-float(y) * scale, 1),
            "community": _int(m.get("community")),
            "district": str(d.get("organization") or "unknown"),
            "degree": _int(m.get("degree")),
            "pagerank": _float(m.get("pagerank")), "betweenness": _float(m.get("betweenness")),
            "on_roster": bool(d.get("on_roster")),
            "flags": by_node.get(n, []),
        })
    edges = [{"from": index[u], "to": index[v], "weight": _float(e.get("weight", 1.0))}
             for u, v, e in G.edges(data=True) if u in index and v in index]
    return {"nodes": nodes, "edges": edges, "total_nodes": G.number_of_nodes(),
            "shown_nodes": len(keep), "truncated": truncated}


def _int(v: Any) -> int | None:
    return None if v is None or pd.isna(v) else int(v)


def _float(v: Any) -> float | None:
    return None if v is None or pd.isna(v) else round(float(v), 6)


def _communities(communities: pd.DataFrame, metrics: pd.DataFrame) -> pd.DataFrame:
    cols = [c for c in ("community", "size", "internal_density", "top_members", "top_contexts",
                        "dominant_groups", "ei_index") if c in communities]
    out = communities[cols].copy()
    out = out[out["size"] >= 2] if "size" in out else out
    return out.rename(columns={"internal_density": "density", "top_members": "members (top)",
                               "top_contexts": "top contexts", "dominant_groups": "districts",
                               "ei_index": "E-I index"}).reset_index(drop=True)


def _who(metrics: pd.DataFrame) -> pd.Series:
    name = metrics["name"] if "name" in metrics else pd.Series(None, index=metrics.index)
    handle = metrics["handle"] if "handle" in metrics else pd.Series(None, index=metrics.index)
    at = handle.map(lambda h: f"@{h}" if isinstance(h, str) and h else None)
    return name.where(name.notna(), at).where(lambda s: s.notna(), metrics["node"]).astype(str)


def _central(metrics: pd.DataFrame) -> pd.DataFrame:
    m = metrics.assign(who=_who(metrics))
    cols = ["who", "organization", "degree", "pagerank", "betweenness"]
    cols = [c for c in cols if c in m]
    by_pr = m.sort_values(["pagerank", "who"], ascending=[False, True]).head(TOP)[cols]
    by_bt = m.sort_values(["betweenness", "who"], ascending=[False, True]).head(TOP)[cols]
    out = pd.concat([by_pr.assign(ranked_by="PageRank"), by_bt.assign(ranked_by="betweenness")],
                    ignore_index=True)
    return out.rename(columns={"who": "name", "organization": "district"})


def _brokers(metrics: pd.DataFrame) -> pd.DataFrame:
    roles = ["coordinator", "itinerant", "representative", "gatekeeper", "liaison", "brokerage"]
    if not all(r in metrics for r in roles):
        return pd.DataFrame(columns=["name", "district", *roles])
    m = metrics.assign(who=_who(metrics))
    m = m[m["brokerage"].fillna(0) > 0]
    m = m.sort_values(["brokerage", "who"], ascending=[False, True]).head(TOP)
    out = m[["who", "organization", *roles]].rename(columns={"who": "name",
                                                            "organization": "district"})
    return out.reset_index(drop=True)


def _watchlist(watch: pd.DataFrame) -> pd.DataFrame:
    cols = [c for c in ("name", "organization", "flag", "severity", "reason") if c in watch]
    return watch[cols].rename(columns={"organization": "district"}).reset_index(drop=True)


def _breakdown(G: nx.DiGraph, watch: pd.DataFrame, min_group: int) -> pd.DataFrame:
    rows = [(d.get("organization") or "unknown", d.get("role") or "unknown", n in set(
        watch["node"])) for n, d in G.nodes(data=True) if d.get("on_roster")]
    frame = pd.DataFrame(rows, columns=["district", "role", "flagged"])
    if frame.empty:
        return pd.DataFrame(columns=["district", "role", "count", "flagged"])
    table = (frame.groupby(["district", "role"], sort=True)
             .agg(count=("flagged", "size"), flagged=("flagged", "sum")).reset_index())
    table["group"] = table["district"] + " / " + table["role"]
    table = suppress_small_groups(table[["group", "count", "flagged"]], "group",
                                  min_group=min_group)
    return table.rename(columns={"group": "district / role", "count": "roster people",
                                 "flagged": "on the watchlist"})


def _activity(interactions: pd.DataFrame) -> pd.DataFrame:
    cols = ["week", "interactions", "active accounts"]
    if interactions.empty or "ts" not in interactions:
        return pd.DataFrame(columns=cols)
    t = interactions.dropna(subset=["ts"])
    if t.empty:
        return pd.DataFrame(columns=cols)
    week = pd.to_datetime(t["ts"], utc=True).dt.tz_localize(None).dt.to_period("W")
    g = t.assign(week=week).groupby("week")
    out = pd.DataFrame({"interactions": g.size(), "active accounts": g["src"].nunique()})
    out = out.reset_index()
    out["week"] = out["week"].map(lambda p: f"{p.start_time:%Y-%m-%d}")
    return out[cols]


def _over_time(tl: Timeline | None, watch: pd.DataFrame,
               private: Callable[[pd.DataFrame], pd.DataFrame]) -> dict[str, Any]:
    """The "over time" tables and figures of a timeline (empty without one); the people
    drawn as declining are those the watchlist flags so, with its thresholds."""
    from ..analysis.temporal import comparable, span_text
    from . import plots

    if tl is None or not tl.windows:
        return {"figures": {}}
    unit = tl.windows[0].unit
    s = tl.summary
    over = pd.DataFrame({
        "window": s["window"], "active": s["active"], "first seen": s["newcomers"],
        "returning": s["returning"], "ties": s["ties"], "density": s["density"],
        "reciprocity": s["reciprocity"], "main network": s["largest_component_share"],
        "communities": s["communities"]})
    ret = tl.retention().rename(columns={
        "period": "window", "newcomers": "first seen", "returned_next": "back next window",
        "returned_next_share": "share back next", "returned_later": "back later",
        "returned_later_share": "share back later"})
    ret = _percent(ret[["window", "first seen", "back next window", "share back next",
                        "back later", "share back later"]])
    figures = {"timeline": _png(plots.network_over_time(s, unit=unit))}
    fell = (watch.loc[watch["flag"] == "declining", ["node", "name"]]
            .drop_duplicates("node").rename(columns={"name": "label"}))
    if len(fell):
        wide = private(tl.trajectories("degree", nodes=fell["node"]).rename_axis("node")
                       .reset_index()).set_index("node")
        labels = dict(zip(private(fell)["node"], private(fell)["label"], strict=True))
        figures["declining"] = _png(plots.trajectories(wide, measure="contacts",
                                                       labels=labels))
    left_out = [w.label for w in tl.windows if w.label not in comparable(tl)]
    tz = tl.settings.get("tz") or "UTC"
    note = (f"{len(tl.windows)} windows of one {unit} ({span_text(tl.windows, tz)}, "
            f"{tz} time)."
            + (f" Left out of the declining comparison as partly covered or quiet for "
               f"everyone: {', '.join(left_out)}." if left_out else ""))
    return {"over_time": over, "retention": ret, "time_note": note, "figures": figures}


def _percent(frame: pd.DataFrame) -> pd.DataFrame:
    """Share columns as whole percentages ("58%"), blank where there is no share."""
    out = frame.copy()
    for col in out.columns:
        if "share" in str(col):
            out[col] = out[col].map(lambda v: "" if v is None or pd.isna(v) else f"{v:.0%}")
    return out


def _chats(cs: ChatSessions | None, private: Callable[[pd.DataFrame], pd.DataFrame],
           tz: str = "UTC") -> dict[str, Any]:
    """The chat-session table, retention and figure (empty when no session was found)."""
    from . import plots

    if cs is None or not len(cs.sessions):
        return {"figures": {}}
    s = cs.sessions
    per_q = (cs.questions.sort_values(["session", "number"]).groupby("session")
             .apply(lambda q: " · ".join(f"Q{n}: {a}" for n, a in zip(q["number"], q["answers"],
                                                                       strict=True)),
                    include_groups=False)
             if len(cs.questions) else pd.Series(dtype=object))
    table = pd.DataFrame({
        "session": s["session"],
        "when": pd.to_datetime(s["start"], utc=True).dt.tz_convert(tz).dt.strftime(
            "%a %d %b %Y, %H:%M") + ("" if tz == "UTC" else f" ({tz})"),
        "minutes": s["minutes"].round().astype(int),
        "posts": s["posts"], "participants": s["participants"], "first session": s["newcomers"],
        "questions": s["questions"], "answers": s["answers"],
        "answers per question": s["session"].map(per_q).fillna("")})
    ret = private(cs.retention()).rename(columns={
        "period": "session", "newcomers": "first session", "returned_next": "back next session",
        "returned_next_share": "share back next", "returned_later": "back later",
        "returned_later_share": "share back later"})
    ret = _percent(ret[[c for c in ("session", "first session", "back next session",
                                    "share back next", "back later", "share back later")
                        if c in ret]])
    schedule = cs.schedule.get("text", "") if cs.schedule else ""
    moderator = private(s[["moderator", "moderator_label"]].dropna().head(1).rename(
        columns={"moderator": "node"})) if "moderator" in s else pd.DataFrame()
    if len(moderator):
        schedule += f" Moderator: {moderator['moderator_label'].iloc[0]}."
    return {"sessions": table, "session_retention": ret, "schedule": schedule.strip(),
            "figures": {"sessions": _png(plots.chat_sessions(s))}}


def _introductions(intro: pd.DataFrame) -> pd.DataFrame:
    cols = {"name": "who", "organization": "district", "rank": "rank",
            "candidate_name": "introduce to", "candidate_organization": "their district",
            "reason": "why"}
    if intro is None or intro.empty:
        return pd.DataFrame(columns=list(cols.values()))
    return intro[[c for c in cols if c in intro]].rename(columns=cols).reset_index(drop=True)


def _provenance(store: Store, swap: Callable[[Any], Any], shown: int = 10) -> dict[str, Any]:
    ingests = store.sources().rename(columns={"path": "file", "last_read": "finished_at"})
    if "finished_at" in ingests:
        ingests["finished_at"] = ingests["finished_at"].map(
            lambda v: "" if pd.isna(v) else f"{pd.Timestamp(v):%Y-%m-%d %H:%M}")
    rej = store.rejects()
    first = rej.head(shown)[["path", "line", "reason"]].rename(columns={"path": "file"}).copy()
    first["reason"] = first["reason"].map(swap)
    return {"ingests": ingests.reset_index(drop=True), "rejected": len(rej), "rejects": first}
