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

from .privacy import aliases, project_salt, pseudonymize_analysis, replacer, suppress_small_groups

if TYPE_CHECKING:
    from ..analysis import Analysis
    from ..store import Store

#: Most nodes the interactive explorer shows (the top by PageRank plus every flagged person).
EXPLORER_MAX_NODES = 5000

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
        PNG images: ``network``, ``degree_distribution``, ``community_sizes``, ``activity``.
    communities, central, brokers, watchlist, breakdown, activity : pandas.DataFrame
        The report's tables.
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

    Returns
    -------
    ReportContent
    """
    from ..analysis import analyze, flag_isolation
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
    if flags is None:
        step("watchlist")
        flags = flag_isolation(G)
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

    step("tables")
    summary = analysis.summary
    notes: list[str] = []
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


def _provenance(store: Store, swap: Callable[[Any], Any], shown: int = 10) -> dict[str, Any]:
    ingests = store.sources().rename(columns={"path": "file", "last_read": "finished_at"})
    if "finished_at" in ingests:
        ingests["finished_at"] = ingests["finished_at"].map(
            lambda v: "" if pd.isna(v) else f"{pd.Timestamp(v):%Y-%m-%d %H:%M}")
    rej = store.rejects()
    first = rej.head(shown)[["path", "line", "reason"]].rename(columns={"path": "file"}).copy()
    first["reason"] = first["reason"].map(swap)
    return {"ingests": ingests.reset_index(drop=True), "rejected": len(rej), "rejects": first}
