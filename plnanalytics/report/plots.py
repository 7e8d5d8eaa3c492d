"""Plots of networks, degrees, communities and activity, as matplotlib Figures.

Every function returns a :class:`matplotlib.figure.Figure` built with the object API, so
nothing is shown and nothing depends on pyplot's global state: display it in a notebook,
``fig.savefig(...)`` it, or embed it in a report. :func:`layout` is the one node layout used
by the plots and by the interactive HTML report, computed in Python and deterministic given
a seed.

Examples
--------
>>> import networkx as nx
>>> G = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "a")])
>>> G.add_node("d")  # an isolate stays visible, on a ring around the rest
>>> fig = network_plot(G, flagged=["d"])
>>> [c.get_gid() for c in fig.axes[0].collections]
['edges', 'nodes', 'flagged']
>>> len(fig.axes[0].collections[1].get_offsets())
4
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ..errors import OptionError
from ..graph.arrays import adjacency

#: Nodes above which :func:`layout` runs fewer force iterations.
BIG_GRAPH = 2000

#: Force iterations for graphs up to :data:`BIG_GRAPH` nodes, and above.
ITERATIONS = (50, 20)

#: Colours of categories (tab20 order); later categories share "other".
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896",
           "#c5b0d5", "#c49c94", "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5")
MISSING_COLOUR = "#d9d9d9"
FLAG_COLOUR = "#d62728"

Position = tuple[float, float]


# -- layout -------------------------------------------------------------------------------

def layout(G: nx.Graph, *, seed: int = 0, max_nodes: int | None = None
           ) -> dict[Hashable, Position]:
    """A deterministic 2-D position for every node of a graph.

    Nodes with at least one tie are placed by a Fruchterman-Reingold spring layout (the
    algorithm of :func:`networkx.spring_layout`, on the undirected view, ignoring weights),
    vectorized with numpy so that it stays fast on large graphs: 50 iterations up to
    :data:`BIG_GRAPH` nodes, 20 above. The result is scaled into the unit square
    ``[-1, 1]``; isolates are then spread evenly on a ring of radius 1.2 around it, so they
    stay visible. The same graph and seed always give the same positions.

    Timing, measured on two CPU cores with Barabasi-Albert graphs (m=2): about 0.3 s for
    1,000 nodes, 1.3 s for 2,000 and 2.4 s for 5,000 (20 iterations); with
    ``max_nodes=2000`` a 5,000-node graph takes about 1.1 s. Memory stays below about
    16 MB of working arrays whatever the size (repulsion is computed in row blocks), but
    time grows with the square of the number of tied nodes: use ``max_nodes`` beyond
    ~10,000. (:func:`networkx.spring_layout` takes about 45 s on the 5,000-node graph.)

    Parameters
    ----------
    G : networkx.Graph or networkx.DiGraph
        Any graph; direction is ignored.
    seed : int
        Seed of the random starting positions.
    max_nodes : int, optional
        Run the force simulation on at most this many tied nodes (those of highest degree);
        every other tied node is then placed close to its laid-out neighbour of highest
        degree (or, when it has none, on the ring with the isolates). Default: all.

    Returns
    -------
    dict
        ``node -> (x, y)``, for every node of ``G``.

    Examples
    --------
    >>> G = nx.path_graph(4)
    >>> G.add_node("alone")
    >>> pos = layout(G, seed=1)
    >>> sorted(pos, key=str) == sorted(G, key=str), pos == layout(G, seed=1)
    (True, True)
    >>> round(math.hypot(*pos["alone"]), 2)
    1.2
    >>> layout(nx.Graph())
    {}
    """
    nodes = list(G)
    n = len(nodes)
    if n == 0:
        return {}
    A = adjacency(G, None)
    S = ((A + A.T) > 0).astype(np.float64).tocsr()
    degree = np.asarray(S.sum(axis=1)).ravel()
    tied = np.flatnonzero(degree > 0)
    if max_nodes is not None and max_nodes < 1:
        raise OptionError(f"max_nodes must be positive, not {max_nodes}")
    core = tied
    if max_nodes is not None and len(tied) > max_nodes:
        order = tied[np.argsort(-degree[tied], kind="stable")]
        core = np.sort(order[:max_nodes])
    rng = np.random.default_rng(seed)
    xy = np.full((n, 2), np.nan)
    if len(core) == 1:
        xy[core] = 0.0
    elif len(core) > 1:
        sub = S[core][:, core].tocoo()
        iterations = ITERATIONS[0] if len(core) <= BIG_GRAPH else ITERATIONS[1]
        xy[core] = _rescale(_spring(sub.row, sub.col, rng.random((len(core), 2)), iterations))
    rest = np.setdiff1d(tied, core)
    if len(rest):
        _attach(S, degree, xy, rest, rng)
    ring = np.flatnonzero(np.isnan(xy[:, 0]))
    if len(ring):
        angle = 2 * math.pi * np.arange(len(ring)) / len(ring) + math.pi / 2
        radius = 1.2 if len(ring) < n else 1.0
        xy[ring, 0] = radius * np.cos(angle)
        xy[ring, 1] = radius * np.sin(angle)
    return {v: (float(x), float(y)) for v, (x, y) in zip(nodes, xy, strict=True)}


def _spring(row: np.ndarray, col: np.ndarray, start: np.ndarray, iterations: int) -> np.ndarray:
    """Fruchterman-Reingold on a symmetric edge list, repulsion computed in row blocks."""
    n = len(start)
    pos = start.astype(np.float32)
    k2 = np.float32(1.0 / n)
    k = math.sqrt(1.0 / n)
    temperature = 0.1
    cool = temperature / (iterations + 1)
    block = max(1, min(n, 2_000_000 // n))
    for _ in range(iterations):
        disp = np.empty_like(pos)
        sq = (pos * pos).sum(axis=1)
        for s in range(0, n, block):
            P = pos[s:s + block]
            w = P @ pos.T  # squared distances, then k^2 / d^2, in one buffer
            w *= np.float32(-2.0)
            w += sq[s:s + block, None]
            w += sq[None, :]
            np.maximum(w, np.float32(1e-6), out=w)
            np.divide(k2, w, out=w)
            disp[s:s + block] = P * w.sum(axis=1)[:, None] - w @ pos
        d = pos[row] - pos[col]
        pull = d * (np.sqrt((d * d).sum(axis=1)) / k)[:, None]
        disp[:, 0] -= np.bincount(row, pull[:, 0], minlength=n).astype(np.float32)
        disp[:, 1] -= np.bincount(row, pull[:, 1], minlength=n).astype(np.float32)
        length = np.maximum(np.sqrt((disp * disp).sum(axis=1)), np.float32(0.01))
        pos += disp * (np.minimum(length, temperature) / length)[:, None]
        temperature -= cool
    return pos.astype(np.float64)


def _rescale(xy: np.ndarray) -> np.ndarray:
    """Centre positions and scale them so the farthest coordinate is 1."""
    xy = xy - xy.mean(axis=0)
    extent = np.abs(xy).max()
    return xy / extent if extent > 0 else xy


def _attach(S: Any, degree: np.ndarray, xy: np.ndarray, rest: np.ndarray,
            rng: np.random.Generator) -> None:
    """Place nodes left out of the simulation next to a placed neighbour, in degree order."""
    S = S.tocsr()
    pending = list(rest[np.argsort(-degree[rest], kind="stable")])
    for _ in range(3):  # neighbours of neighbours get placed on a later pass
        left = []
        for i in pending:
            nbrs = S.indices[S.indptr[i]:S.indptr[i + 1]]
            placed = nbrs[~np.isnan(xy[nbrs, 0])]
            if len(placed) == 0:
                left.append(i)
                continue
            anchor = placed[np.argmax(degree[placed])]
            angle = rng.random() * 2 * math.pi
            xy[i] = xy[anchor] + 0.04 * np.array([math.cos(angle), math.sin(angle)])
        pending = left
        if not pending:
            break


# -- the network --------------------------------------------------------------------------

def network_plot(
    G: nx.Graph,
    *,
    communities: pd.Series | Mapping[Hashable, Any] | None = None,
    flagged: Iterable[Hashable] | None = None,
    pos: Mapping[Hashable, Position] | None = None,
    color_by: str = "community",
    title: str | None = None,
    label_top: int = 10,
    max_edges: int | None = 100_000,
) -> Figure:
    """The whole network: one point per node (isolates included), sized by degree.

    Nodes are coloured by community or by a node attribute (twenty colours at most; rarer
    groups are grey "other", nodes without a value light grey "unknown"), flagged nodes are
    ringed in red, and the ``label_top`` nodes of highest degree carry their ``label``.

    Parameters
    ----------
    G : networkx.Graph or networkx.DiGraph
    communities : pandas.Series or dict, optional
        ``node -> community``, e.g. ``result.metrics.set_index("node")["community"]``.
    flagged : iterable of nodes, optional
        Nodes to ring in red (e.g. ``watchlist["node"]``); nodes not in ``G`` are ignored.
    pos : dict, optional
        ``node -> (x, y)``; default :func:`layout`. Nodes missing from it are placed by
        :func:`layout`.
    color_by : str
        ``"community"`` (from ``communities``, else the node attribute ``community``), or any
        node attribute, e.g. ``"organization"`` for districts.
    title : str, optional
        Default: the number of nodes and ties.
    label_top : int
        How many of the best-connected nodes to label.
    max_edges : int, optional
        Draw at most this many ties, the strongest (by ``weight``): a picture of millions of
        lines takes minutes to draw and shows no more. The title says when ties were left
        out. None draws all.

    Returns
    -------
    matplotlib.figure.Figure
        One axes; its collections are, by ``gid``: ``edges`` (a LineCollection), ``nodes``
        and, when some node is flagged, ``flagged``.

    Examples
    --------
    >>> G = nx.Graph([(1, 2), (2, 3)])
    >>> nx.set_node_attributes(G, {1: "North", 2: "North", 3: "South"}, "organization")
    >>> fig = network_plot(G, color_by="organization", label_top=1)
    >>> ax = fig.axes[0]
    >>> [t.get_text() for t in ax.texts], [t.get_text() for t in ax.get_legend().get_texts()]
    (['2'], ['North', 'South'])
    """
    fig = Figure(figsize=(9, 7))
    ax = fig.add_subplot()
    ax.set_axis_off()
    nodes = list(G)
    flagged_set = set(flagged) if flagged is not None else set()
    ties = [(u, v, d.get("weight", 1)) for u, v, d in G.edges(data=True) if u != v]
    shown = ties
    if max_edges is not None and len(ties) > max_edges:
        strength = np.array([w if isinstance(w, int | float) else 1 for _, _, w in ties],
                            dtype=float)
        keep = np.sort(np.argsort(-strength, kind="stable")[:max(max_edges, 0)])
        shown = [ties[i] for i in keep]
    if title is None:
        title = f"{len(nodes):,} nodes, {G.number_of_edges():,} ties"
        if len(shown) < len(ties):
            title += f" (the {len(shown):,} strongest drawn)"
    ax.set_title(title)
    if not nodes:
        ax.text(0.5, 0.5, "empty graph", ha="center", va="center", transform=ax.transAxes)
        return fig
    xy = _positions(G, pos)

    segments = [(xy[u], xy[v]) for u, v, _ in shown]
    edges = LineCollection(segments, colors="#999999", linewidths=0.5, alpha=0.35, zorder=1)
    edges.set_gid("edges")
    ax.add_collection(edges)

    degree = dict(G.degree())
    top = max(degree.values()) or 1
    sizes = [15 + 185 * math.sqrt(degree[v] / top) for v in nodes]
    values = _colour_values(G, communities, color_by)
    colours, legend = _categories(values, nodes)
    pts = np.array([xy[v] for v in nodes])
    scatter = ax.scatter(pts[:, 0], pts[:, 1], s=sizes, c=colours, linewidths=0.3,
                         edgecolors="white", zorder=2)
    scatter.set_gid("nodes")
    ringed = [v for v in nodes if v in flagged_set]
    if ringed:
        rpts = np.array([xy[v] for v in ringed])
        size_of = dict(zip(nodes, sizes, strict=True))
        ring = ax.scatter(rpts[:, 0], rpts[:, 1], s=[size_of[v] * 2.2 + 30 for v in ringed],
                          facecolors="none", edgecolors=FLAG_COLOUR, linewidths=1.5, zorder=3)
        ring.set_gid("flagged")
    for v in sorted(nodes, key=lambda v: -degree[v])[:max(label_top, 0)]:
        if degree[v] == 0:
            break
        x, y = xy[v]
        ax.text(x, y, str(G.nodes[v].get("label", v)), fontsize=8, ha="center", va="bottom",
                zorder=4)

    handles = [Line2D([], [], marker="o", linestyle="", color=c, label=str(name))
               for name, c in legend]
    if ringed:
        handles.append(Line2D([], [], marker="o", linestyle="", markerfacecolor="none",
                              markeredgecolor=FLAG_COLOUR, label=f"flagged ({len(ringed)})"))
    if handles:
        heading = "community" if color_by == "community" else color_by
        ax.legend(handles=handles, title=heading if legend else None, loc="upper left",
                  bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    _frame(ax, xy.values())
    fig.tight_layout()
    return fig


def _frame(ax: Any, points: Iterable[Position], margin: float = 0.12) -> None:
    """Equal-aspect limits around the points, with a margin (never a zero-width range)."""
    xs, ys = zip(*points, strict=True)
    span = max(max(xs) - min(xs), max(ys) - min(ys), 1.0)
    pad = margin * span
    ax.set_xlim(min(xs) - pad, max(xs) + pad)
    ax.set_ylim(min(ys) - pad, max(ys) + pad)
    ax.set_aspect("equal", adjustable="box")


def _positions(G: nx.Graph, pos: Mapping[Hashable, Position] | None) -> dict[Hashable, Position]:
    """``pos`` completed by :func:`layout` for nodes it lacks."""
    if pos is None:
        return layout(G)
    xy = {v: tuple(map(float, pos[v])) for v in G if v in pos}
    if len(xy) < G.number_of_nodes():
        fallback = layout(G)
        xy.update({v: fallback[v] for v in G if v not in xy})
    return xy


def _colour_values(G: nx.Graph, communities: Any, color_by: str) -> dict[Hashable, Any] | None:
    """``node -> category`` to colour by, or None for one colour."""
    if color_by == "community" and communities is not None:
        mapping = communities.to_dict() if isinstance(communities, pd.Series) else communities
        return {v: mapping.get(v) for v in G}
    values = {v: d.get(color_by) for v, d in G.nodes(data=True)}
    if all(_missing(x) for x in values.values()):
        if color_by != "community":
            raise OptionError(f"no node has the attribute {color_by!r} to colour by")
        return None
    return values


def _missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or x == ""


def _categories(values: dict[Hashable, Any] | None, nodes: list[Hashable]
                ) -> tuple[list[str], list[tuple[Any, str]]]:
    """A colour per node and the legend entries, most frequent category first."""
    if values is None:
        return [PALETTE[0]] * len(nodes), []
    counts = Counter(values[v] for v in nodes if not _missing(values[v]))
    ranked = sorted(counts, key=lambda c: (-counts[c], str(c)))
    keep = ranked if len(ranked) <= len(PALETTE) else ranked[:len(PALETTE) - 1]
    colour = {c: PALETTE[i] for i, c in enumerate(keep)}
    other = len(ranked) > len(keep)
    out = []
    for v in nodes:
        x = values[v]
        out.append(MISSING_COLOUR if _missing(x) else colour.get(x, PALETTE[-3]))
    legend = [(c, colour[c]) for c in keep]
    if other:
        legend.append((f"other ({len(ranked) - len(keep)})", PALETTE[-3]))
    if any(_missing(values[v]) for v in nodes):
        legend.append(("unknown", MISSING_COLOUR))
    return out, legend


# -- distributions ------------------------------------------------------------------------

def degree_distribution(G: nx.Graph) -> Figure:
    """How many nodes have each degree, on log-log axes: in, out and total for a directed
    graph, total for an undirected one.

    A degree counts distinct neighbours (self-loops aside). Log axes cannot show degree 0,
    so the number of nodes without any tie is given in the title.

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b"), ("a", "c")])
    >>> G.add_node("z")
    >>> fig = degree_distribution(G)
    >>> [line.get_label() for line in fig.axes[0].get_lines()]
    ['total', 'in', 'out']
    >>> fig.axes[0].get_title()
    'Degree distribution (4 nodes; 1 with degree 0 not shown)'
    """
    fig = Figure(figsize=(6, 4.5))
    ax = fig.add_subplot()
    series: dict[str, list[int]] = {}
    total = {v: len(set(nx.all_neighbors(G, v)) - {v}) for v in G}
    series["total"] = list(total.values())
    if G.is_directed():
        series["in"] = [len(set(G.predecessors(v)) - {v}) for v in G]
        series["out"] = [len(set(G.successors(v)) - {v}) for v in G]
    zero = sum(1 for d in series["total"] if d == 0)
    markers = {"total": "o", "in": "^", "out": "s"}
    for name, degrees in series.items():
        counts = Counter(d for d in degrees if d > 0)
        xs = sorted(counts)
        ax.plot(xs, [counts[x] for x in xs], marker=markers[name], linestyle="-", alpha=0.8,
                label=name)
    n = G.number_of_nodes()
    if n and zero < n:
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.legend(title="degree")
    else:
        ax.text(0.5, 0.5, "no ties" if n else "empty graph", ha="center", va="center",
                transform=ax.transAxes)
    ax.set_xlabel("degree (distinct contacts)")
    ax.set_ylabel("nodes")
    ax.set_title(f"Degree distribution ({n:,} nodes; {zero:,} with degree 0 not shown)")
    fig.tight_layout()
    return fig


def community_sizes(communities: pd.Series | pd.DataFrame | Mapping[Hashable, Any]) -> Figure:
    """A bar per community, largest first, its height the number of members.

    Parameters
    ----------
    communities : pandas.Series, dict or pandas.DataFrame
        A partition ``node -> community`` (Series or dict), or the communities table with
        columns ``community`` and ``size`` (``Analysis.communities``).

    Examples
    --------
    >>> fig = community_sizes(pd.Series({"a": 0, "b": 0, "c": 1}))
    >>> [float(p.get_height()) for p in fig.axes[0].patches]
    [2.0, 1.0]
    >>> table = pd.DataFrame({"community": [0, 1, 2], "size": [5, 9, 1]})
    >>> len(community_sizes(table).axes[0].patches)
    3
    """
    if isinstance(communities, pd.DataFrame):
        missing = {"community", "size"} - set(communities.columns)
        if missing:
            raise OptionError(f"the communities table lacks {sorted(missing)}")
        sizes = communities.set_index("community")["size"]
    else:
        partition = (communities if isinstance(communities, pd.Series)
                     else pd.Series(dict(communities), dtype=object))
        sizes = partition.dropna().value_counts()
    sizes = sizes.sort_values(ascending=False, kind="stable")
    fig = Figure(figsize=(max(4.0, min(12.0, 0.35 * len(sizes) + 2)), 4))
    ax = fig.add_subplot()
    ax.bar(range(len(sizes)), sizes.to_numpy(dtype=float), color=PALETTE[0])
    if len(sizes) <= 40:
        ax.set_xticks(range(len(sizes)), [str(c) for c in sizes.index],
                      rotation=90 if len(sizes) > 15 else 0)
    ax.set_xlabel("community")
    ax.set_ylabel("members")
    ax.set_title(f"{len(sizes):,} communities, {int(sizes.sum()):,} members")
    fig.tight_layout()
    return fig


def activity(interactions: pd.DataFrame, *, freq: str = "W") -> Figure:
    """Interactions per day (``freq="D"``) or week (``"W"``, weeks ending Sunday), stacked
    by kind.

    Parameters
    ----------
    interactions : pandas.DataFrame
        At least ``ts`` and ``kind`` (the interactions table). Rows without a time (survey
        nominations, memberships) cannot be placed; their number is in the title.
    freq : str
        A pandas frequency: ``"D"``, ``"W"``, ``"MS"``...

    Examples
    --------
    >>> ties = pd.DataFrame({"ts": pd.to_datetime(["2025-09-01", "2025-09-02", "2025-09-10",
    ...                                            None], utc=True),
    ...                      "kind": ["reply", "mention", "reply", "advice"]})
    >>> fig = activity(ties, freq="W")
    >>> len(fig.axes[0].patches)  # 2 weeks x 2 kinds
    4
    >>> fig.axes[0].get_title()
    'Interactions per week (3 timed; 1 without a time not shown)'
    """
    missing = {"ts", "kind"} - set(interactions.columns)
    if missing:
        raise OptionError(f"activity needs the columns ts and kind; missing {sorted(missing)}")
    ts = pd.to_datetime(interactions["ts"], utc=True, errors="coerce")
    frame = pd.DataFrame({"ts": ts, "kind": interactions["kind"].astype(str)})
    untimed = int(frame["ts"].isna().sum())
    frame = frame.dropna(subset=["ts"])
    unit = {"D": "day", "W": "week", "MS": "month", "ME": "month", "M": "month"}.get(
        freq.upper(), freq)
    fig = Figure(figsize=(9, 3.8))
    ax = fig.add_subplot()
    title = f"Interactions per {unit} ({len(frame):,} timed"
    title += f"; {untimed:,} without a time not shown)" if untimed else ")"
    ax.set_title(title)
    if frame.empty:
        ax.text(0.5, 0.5, "no timed interactions", ha="center", va="center",
                transform=ax.transAxes)
        return fig
    table = (frame.groupby([pd.Grouper(key="ts", freq=freq), "kind"]).size()
             .unstack("kind", fill_value=0))
    # periods without any interaction are bars of height 0, so that gaps show
    table = table.reindex(pd.date_range(table.index.min(), table.index.max(), freq=freq),
                          fill_value=0)
    table = table.reindex(columns=table.sum().sort_values(ascending=False, kind="stable").index)
    bottom = np.zeros(len(table))
    x = np.arange(len(table))
    for i, kind in enumerate(table.columns):
        heights = table[kind].to_numpy(dtype=float)
        ax.bar(x, heights, bottom=bottom, width=0.8, label=kind,
               color=PALETTE[i % len(PALETTE)])
        bottom += heights
    step = max(1, len(table) // 20)
    fmt = "%d %b %Y" if freq.upper() in ("D", "W") else "%b %Y"
    ax.set_xticks(x[::step], [d.strftime(fmt) for d in table.index[::step]], rotation=45,
                  ha="right")
    ax.set_ylabel("interactions")
    ax.legend(title="kind", loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    fig.tight_layout()
    return fig


# -- one person ---------------------------------------------------------------------------

def ego_network(G: nx.Graph, node: Hashable, *, radius: int = 1,
                pos: Mapping[Hashable, Position] | None = None) -> Figure:
    """A person and their contacts within ``radius`` steps (either direction), with the
    ties among them drawn as arrows and the person highlighted.

    Parameters
    ----------
    G : networkx.Graph or networkx.DiGraph
    node : hashable
        The person (e.g. ``"roster:P043"``).
    radius : int
        Steps from the person, ignoring direction.
    pos : dict, optional
        Positions to reuse (e.g. from :func:`layout` of the whole graph); default: a layout
        of the ego network alone.

    Raises
    ------
    OptionError
        The node is not in the graph.

    Examples
    --------
    >>> G = nx.DiGraph([("me", "a"), ("b", "me"), ("a", "b"), ("b", "far")])
    >>> fig = ego_network(G, "me")
    >>> ax = fig.axes[0]
    >>> len(ax.patches), len(ax.collections[0].get_offsets()), ax.get_title()
    (3, 2, 'me: 2 contacts within 1 step')
    """
    if node not in G:
        raise OptionError(f"{node!r} is not a node of the graph")
    if radius < 0:
        raise OptionError(f"radius must be 0 or more, not {radius}")
    E = nx.ego_graph(G, node, radius=radius, undirected=True)
    E.remove_edges_from(list(nx.selfloop_edges(E)))
    xy = dict(pos) if pos is not None else layout(E)
    xy = {v: xy[v] for v in E if v in xy}
    if len(xy) < E.number_of_nodes():
        xy = layout(E)
    fig = Figure(figsize=(7, 6))
    ax = fig.add_subplot()
    ax.set_axis_off()
    label = G.nodes[node].get("label", node)
    steps = "step" if radius == 1 else "steps"
    ax.set_title(f"{label}: {E.number_of_nodes() - 1} contacts within {radius} {steps}")
    others = [v for v in E if v != node]
    if others:
        pts = np.array([xy[v] for v in others])
        contacts = ax.scatter(pts[:, 0], pts[:, 1], s=120, c=PALETTE[0], edgecolors="white",
                              zorder=2)
        contacts.set_gid("contacts")
    me = ax.scatter([xy[node][0]], [xy[node][1]], s=320, c=FLAG_COLOUR, edgecolors="black",
                    zorder=3)
    me.set_gid("ego")
    nx.draw_networkx_edges(E, xy, ax=ax, arrows=True, arrowstyle="-|>", arrowsize=12,
                           edge_color="#666666", node_size=200,
                           connectionstyle="arc3,rad=0.08")
    for v in E:
        x, y = xy[v]
        ax.text(x, y, str(G.nodes[v].get("label", v)), fontsize=9 if v == node else 8,
                fontweight="bold" if v == node else "normal", ha="center", va="bottom",
                zorder=4)
    if not others:
        ax.text(0.5, 0.25, "no contacts", ha="center", va="center", transform=ax.transAxes)
    _frame(ax, xy.values(), margin=0.2)
    fig.tight_layout()
    return fig


# -- over time ----------------------------------------------------------------------------

def network_over_time(summary: pd.DataFrame, *, unit: str = "window") -> Figure:
    """The network window by window: who was active (newcomers and returning people as
    stacked bars, with the number of ties as a line), and how connected it was (density,
    reciprocity, share in the largest component).

    Parameters
    ----------
    summary : pandas.DataFrame
        :attr:`plnanalytics.analysis.temporal.Timeline.summary` (columns ``window``,
        ``newcomers``, ``returning``, ``ties``, ``reciprocity``,
        ``largest_component_share``).
    unit : str
        What a window is, for the title (``week``, ``month``...).

    Examples
    --------
    >>> s = pd.DataFrame({"window": ["w1", "w2"], "newcomers": [5, 2], "returning": [0, 4],
    ...                   "ties": [6, 9], "reciprocity": [0.2, 0.3],
    ...                   "largest_component_share": [0.8, 0.9]})
    >>> fig = network_over_time(s, unit="week")
    >>> len(fig.axes[0].patches), fig.axes[0].get_title()
    (4, 'Active people and ties per week')
    """
    fig = Figure(figsize=(9, 5.6))
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=(3, 2))
    x = np.arange(len(summary))
    new = summary["newcomers"].to_numpy(dtype=float)
    back = summary["returning"].to_numpy(dtype=float)
    top.bar(x, back, width=0.8, color=PALETTE[0], label="returning")
    top.bar(x, new, bottom=back, width=0.8, color=PALETTE[1], label="first seen")
    top.set_ylabel("active people")
    top.set_title(f"Active people and ties per {unit}")
    ties = top.twinx()
    ties.plot(x, summary["ties"].to_numpy(dtype=float), color="#333333", marker="o",
              markersize=3, label="ties")
    ties.set_ylabel("ties")
    ties.set_ylim(bottom=0)
    handles = top.get_legend_handles_labels()
    more = ties.get_legend_handles_labels()
    top.legend(handles[0] + more[0], handles[1] + more[1], loc="upper left",
               bbox_to_anchor=(1.08, 1.0), frameon=False)
    for i, (col, name) in enumerate((("reciprocity", "reciprocity"),
                                     ("largest_component_share", "in the main network"),
                                     ("density", "density"))):
        if col in summary:
            bottom.plot(x, pd.to_numeric(summary[col], errors="coerce").to_numpy(dtype=float),
                        marker="o", markersize=3, color=PALETTE[(i + 2) % len(PALETTE)],
                        label=name)
    bottom.set_ylim(0, 1.05)
    bottom.set_ylabel("share")
    bottom.legend(loc="upper left", bbox_to_anchor=(1.08, 1.0), frameon=False)
    step = max(1, len(summary) // 16)
    bottom.set_xticks(x[::step], list(summary["window"].astype(str))[::step], rotation=45,
                      ha="right")
    fig.tight_layout()
    return fig


def trajectories(wide: pd.DataFrame, *, measure: str = "contacts",
                 labels: Mapping[Hashable, str] | None = None, most: int = 12) -> Figure:
    """One line per person across the windows (at most ``most`` people, the first rows).

    Parameters
    ----------
    wide : pandas.DataFrame
        :meth:`plnanalytics.analysis.temporal.Timeline.trajectories`: rows are people,
        columns windows in time order.
    measure : str
        What the values are, for the axis.
    labels : mapping, optional
        Node -> the name shown in the legend.

    Examples
    --------
    >>> wide = pd.DataFrame({"w1": [4.0, 1.0], "w2": [1.0, 2.0]}, index=["a", "b"])
    >>> fig = trajectories(wide, labels={"a": "Ann"})
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    ['Ann', 'b']
    """
    fig = Figure(figsize=(9, 3.8))
    ax = fig.add_subplot()
    x = np.arange(wide.shape[1])
    names = labels or {}
    for i, (node, row) in enumerate(wide.head(most).iterrows()):
        ax.plot(x, row.to_numpy(dtype=float), marker="o", markersize=3,
                color=PALETTE[i % len(PALETTE)], label=str(names.get(node, node)))
    ax.set_ylabel(measure)
    ax.set_ylim(bottom=0)
    ax.set_title(f"{measure.capitalize()} window by window"
                 + (f" (first {most} of {len(wide)})" if len(wide) > most else ""))
    step = max(1, wide.shape[1] // 16)
    ax.set_xticks(x[::step], [str(c) for c in wide.columns][::step], rotation=45, ha="right")
    if len(wide):
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    fig.tight_layout()
    return fig


def chat_sessions(sessions: pd.DataFrame) -> Figure:
    """Participants of each detected chat session: first-timers on top of returning people,
    with the number of moderator questions.

    Parameters
    ----------
    sessions : pandas.DataFrame
        :attr:`plnanalytics.analysis.sessions.ChatSessions.sessions` (``start``,
        ``participants``, ``newcomers``, ``questions``).

    Examples
    --------
    >>> s = pd.DataFrame({"start": pd.to_datetime(["2025-09-10", "2025-09-17"], utc=True),
    ...                   "participants": [30, 25], "newcomers": [30, 6], "questions": [5, 6]})
    >>> len(chat_sessions(s).axes[0].patches)
    4
    """
    fig = Figure(figsize=(9, 3.8))
    ax = fig.add_subplot()
    x = np.arange(len(sessions))
    new = sessions["newcomers"].to_numpy(dtype=float)
    back = sessions["participants"].to_numpy(dtype=float) - new
    ax.bar(x, back, width=0.8, color=PALETTE[0], label="returning")
    ax.bar(x, new, bottom=back, width=0.8, color=PALETTE[1], label="first session")
    ax.set_ylabel("participants")
    ax.set_title(f"Participants per chat session ({len(sessions)} sessions)")
    if "questions" in sessions:
        q = ax.twinx()
        q.plot(x, sessions["questions"].to_numpy(dtype=float), color="#333333", marker="o",
               markersize=3, label="questions")
        q.set_ylabel("questions")
        q.set_ylim(bottom=0)
    starts = pd.to_datetime(sessions["start"], utc=True)
    step = max(1, len(sessions) // 16)
    ax.set_xticks(x[::step], [f"{t:%d %b %Y}" for t in starts][::step], rotation=45,
                  ha="right")
    ax.legend(loc="upper left", bbox_to_anchor=(1.08, 1.0), frameon=False)
    fig.tight_layout()
    return fig


__all__ = ["activity", "chat_sessions", "community_sizes", "degree_distribution", "ego_network",
           "layout", "network_over_time", "network_plot", "trajectories"]
