"""Community detection (Louvain, Leiden), modularity and a per-community description table.

Everything here works on the undirected view of the interaction graph
(:func:`plnanalytics.graph.build.undirected`), except the contexts of
:func:`community_table`, which are read from the directed edges that carry them. Per-node
results are pandas Series indexed by node in ``list(G.nodes)`` order, isolates included.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping
from typing import Any

import community as community_louvain
import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..graph import engines
from ..graph.arrays import arcs, is_missing, node_index
from ..graph.build import CONTEXT_SEPARATOR, undirected

__all__ = ["community_table", "detect", "louvain", "modularity"]

#: Columns of :func:`community_table`, in order.
TABLE_COLUMNS = [
    "community",
    "size",
    "internal_ties",
    "internal_density",
    "modularity_share",
    "top_members",
    "top_contexts",
    "dominant_groups",
    "ei_index",
]


# --------------------------------------------------------------------------- helpers
def node_sort_key(node: Hashable) -> tuple[str, str]:
    """Deterministic order of node keys: string order, then type name (``1`` vs ``"1"``)."""
    return (str(node), type(node).__name__)


def edge_arrays(
    H: nx.Graph, weight: str | None = "weight"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Positions (in ``list(H.nodes)`` order) of both ends of every edge, and its weight.

    Edges without the ``weight`` attribute (or every edge when ``weight`` is None) weigh 1.
    """
    pos = {node: i for i, node in enumerate(H)}
    m = H.number_of_edges()
    u = np.empty(m, dtype=np.int64)
    v = np.empty(m, dtype=np.int64)
    w = np.ones(m, dtype=float)
    for k, (a, b, d) in enumerate(H.edges(data=True)):
        u[k] = pos[a]
        v[k] = pos[b]
        if weight is not None:
            w[k] = d.get(weight, 1.0)
    return u, v, w




def _fast_view(G: nx.Graph, weight: str | None) -> bool:
    """Whether :func:`undirected_arrays` may skip building :func:`undirected` (it keeps only
    ``weight`` and ``count``, and returns an undirected graph as it is)."""
    return G.is_directed() and weight in (None, "weight", "count")


def _tie_arrays(
    n: int, rows: np.ndarray, cols: np.ndarray, data: np.ndarray, weight: str | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Undirected ties (``u < v``, sorted) of directed arcs, weights summed over directions."""
    off = rows != cols
    lo = np.minimum(rows[off], cols[off])
    hi = np.maximum(rows[off], cols[off])
    keys, inv = np.unique(lo * max(n, 1) + hi, return_inverse=True)
    u, v = keys // max(n, 1), keys % max(n, 1)
    if weight is None:
        return u, v, np.ones(keys.size)
    return u, v, np.bincount(inv.ravel(), weights=data[off], minlength=keys.size)


def undirected_arrays(
    G: nx.Graph, weight: str | None = "weight"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``edge_arrays(undirected(G), weight)`` up to edge order, without building the graph.

    For a directed graph (and ``weight`` None, ``"weight"`` or ``"count"``) the ties are
    read from the arcs: both directions' weights summed, self-loops dropped, ties sorted.

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b", {"weight": 2.0}), ("b", "a", {"weight": 1.0}), ("b", "c")])
    >>> [x.tolist() for x in undirected_arrays(G)]
    [[0, 1], [1, 2], [3.0, 1.0]]
    """
    if not _fast_view(G, weight):
        return edge_arrays(undirected(G), weight)
    rows, cols, data, _ = arcs(G, weight)
    return _tie_arrays(G.number_of_nodes(), rows, cols, data, weight)


def community_labels(G: nx.Graph, communities: Any) -> pd.Series:
    """Community id of every node of ``G``, as a Series indexed like :func:`node_index`.

    ``communities`` may be a Series or mapping ``node -> community id`` (as returned by
    :func:`louvain`) or an iterable of node collections (as ``nx.community`` returns;
    community ``i`` is the ``i``-th collection). Every node must be in exactly one community.
    """
    index = node_index(G)
    if isinstance(communities, pd.Series):
        if not communities.index.is_unique:
            raise ValueError("communities: a node appears more than once in the index")
        labels = communities.reindex(index)
    elif isinstance(communities, Mapping):
        labels = pd.Series([communities.get(n) for n in index], index=index, dtype=object)
    elif isinstance(communities, Iterable):
        assigned: dict[Hashable, int] = {}
        for i, members in enumerate(communities):
            for n in members:
                if n in assigned:
                    raise ValueError(f"communities: node {n!r} is in more than one community")
                assigned[n] = i
        labels = pd.Series([assigned.get(n) for n in index], index=index, dtype=object)
    else:
        raise TypeError("communities must be a Series, a mapping or an iterable of node sets")
    missing = labels.isna()
    if missing.any():
        first = labels.index[missing.to_numpy()][0]
        raise ValueError(f"communities: {int(missing.sum())} node(s) have none, e.g. {first!r}")
    labels = labels.infer_objects()
    labels.name = "community"
    labels.index.name = "node"
    return labels


# --------------------------------------------------------------------------- louvain
def louvain(
    G: nx.Graph, *, seed: int = 0, resolution: float = 1.0, weight: str | None = "weight"
) -> pd.Series:
    """Louvain communities (python-louvain) of the undirected view, deterministic given a seed.

    Parameters
    ----------
    G : networkx.DiGraph or networkx.Graph
        The interaction graph; an undirected graph is used as it is.
    seed : int, default 0
        ``random_state`` of :func:`community.best_partition`.
    resolution : float, default 1.0
        Modularity resolution; above 1 gives smaller communities.
    weight : str or None, default "weight"
        Edge attribute used as weight (missing: 1); None for unweighted.

    Returns
    -------
    pandas.Series
        Integer community of every node, indexed by node in ``list(G.nodes)`` order (index
        name ``"node"``), named ``"community"``. Communities are numbered 0, 1, ... by size,
        largest first, ties broken by their smallest node key (string order). Every isolate
        is a community of its own, so an edgeless graph gives each node its own community.

    Notes
    -----
    The graph handed to python-louvain is rebuilt with nodes and edges in sorted order, so
    the result does not depend on the order in which nodes and edges were inserted.
    :func:`detect` offers networkit's faster Louvain (PLM) and Leiden too.

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "a"), ("x", "y"), ("y", "z"), ("z", "x")])
    >>> G.add_node("lonely")
    >>> louvain(G, seed=1).to_dict()
    {'a': 0, 'b': 0, 'c': 0, 'x': 1, 'y': 1, 'z': 1, 'lonely': 2}
    """
    return detect(G, method="louvain", seed=seed, resolution=resolution, weight=weight)


def detect(
    G: nx.Graph,
    *,
    method: str = "louvain",
    seed: int = 0,
    resolution: float = 1.0,
    weight: str | None = "weight",
) -> pd.Series:
    """Communities of the undirected view by python-louvain, networkit's PLM or Leiden.

    Parameters
    ----------
    G : networkx.DiGraph or networkx.Graph
        The interaction graph; an undirected graph is used as it is.
    method : {"louvain", "plm", "leiden"}, default "louvain"
        ``"louvain"``: python-louvain (:func:`louvain`, the reference). ``"plm"``:
        networkit's parallel Louvain method with refinement, some 40 times faster
        (0.8 s against 36 s at 100,000 nodes) for the same modularity. ``"leiden"``: ParallelLeiden
        (communities guaranteed connected). See :func:`plnanalytics.graph.engines.communities`.
    seed : int, default 0
        Seed of the randomized steps; networkit runs on one thread, so the same seed gives
        the same partition.
    resolution : float, default 1.0
        Modularity resolution (networkit's ``gamma``); above 1 gives smaller communities.
    weight : str or None, default "weight"
        Edge attribute used as weight (missing: 1; summed over both directions of a tie);
        None for unweighted.

    Returns
    -------
    pandas.Series
        As :func:`louvain`: numbered by size, ties by smallest node key, isolates alone, and
        independent of node and edge insertion order (nodes are handed over in sorted order).

    Raises
    ------
    plnanalytics.errors.OptionError
        For an unknown method.

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "a"), ("x", "y"), ("y", "z"), ("z", "x")])
    >>> G.add_node("lonely")
    >>> detect(G, method="plm").to_dict()
    {'a': 0, 'b': 0, 'c': 0, 'x': 1, 'y': 1, 'z': 1, 'lonely': 2}
    >>> detect(G, method="leiden").equals(detect(G, method="plm"))
    True
    """
    key = engines.resolve_communities(method, "networkx")
    index = node_index(G)
    n = len(index)
    if n == 0:
        return pd.Series([], index=index, name="community", dtype=np.int64)
    nodes = list(index)
    keys = [node_sort_key(x) for x in nodes]
    rank = _key_rank(keys)
    order = np.argsort(rank)
    if key == "louvain":
        raw = _python_louvain(G, nodes, rank, order, seed, resolution, weight)
    else:
        if _fast_view(G, weight):
            u, v, w = undirected_arrays(G, weight)
        else:
            u, v, w = edge_arrays(undirected(G), weight)
            keep = u != v
            u, v, w = u[keep], v[keep], w[keep]
        a, b = rank[u], rank[v]  # sorted-key positions
        W = sp.coo_array(
            (np.concatenate([w, w]), (np.concatenate([a, b]), np.concatenate([b, a]))),
            shape=(n, n),
        ).tocsr()
        W.sum_duplicates()
        W.sort_indices()
        raw = engines.communities(W, method=key, seed=seed, resolution=resolution)[rank]
    return pd.Series(_relabel(raw, keys, rank), index=index, name="community", dtype=np.int64)


def _python_louvain(
    G: nx.Graph,
    nodes: list,
    rank: np.ndarray,
    order: np.ndarray,
    seed: int,
    resolution: float,
    weight: str | None,
) -> np.ndarray:
    """Raw python-louvain labels, the graph rebuilt in sorted node and edge order."""
    n = len(nodes)
    H = undirected(G)
    u, v, w = edge_arrays(H, weight)
    loop = u == v
    a, b = rank[u], rank[v]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    sorter = np.lexsort((hi, lo))
    sorted_nodes = [nodes[i] for i in order]
    S = nx.Graph()
    S.add_nodes_from(sorted_nodes)
    if len(u) and not loop.all():
        S.add_weighted_edges_from(
            (sorted_nodes[x], sorted_nodes[y], float(wt))
            for x, y, wt in zip(lo[sorter], hi[sorter], w[sorter], strict=True)
        )
    if S.number_of_edges() == 0:
        return np.arange(n)
    part = community_louvain.best_partition(
        S, weight="weight", resolution=resolution, random_state=seed
    )
    return np.array([part[x] for x in nodes], dtype=np.int64)


def _key_rank(keys: list[tuple[str, str]]) -> np.ndarray:
    """Position of every node key in sorted order."""
    order = sorted(range(len(keys)), key=keys.__getitem__)
    rank = np.empty(len(keys), dtype=np.int64)
    rank[order] = np.arange(len(keys))
    return rank


def _relabel(
    raw: np.ndarray, keys: list[tuple[str, str]], rank: np.ndarray | None = None
) -> np.ndarray:
    """Renumber raw community labels 0.. by size descending, ties by smallest node key."""
    frame = pd.DataFrame({"raw": raw, "rank": _key_rank(keys) if rank is None else rank})
    groups = frame.groupby("raw").agg(size=("rank", "size"), first=("rank", "min"))
    groups = groups.sort_values(["size", "first"], ascending=[False, True])
    mapping = pd.Series(np.arange(len(groups), dtype=np.int64), index=groups.index)
    return mapping.reindex(raw).to_numpy()


# --------------------------------------------------------------------------- modularity
def _modularity_terms(
    codes: np.ndarray,
    k: int,
    u: np.ndarray,
    v: np.ndarray,
    w: np.ndarray,
    resolution: float,
) -> np.ndarray:
    """Each community's modularity term ``L_c/m - resolution * (d_c / 2m)**2``.

    Self-loops count once in ``L_c`` and twice in the degree, as in networkx.
    """
    m = float(w.sum())
    if len(w) == 0 or m == 0:
        return np.full(k, np.nan)
    cu, cv = codes[u], codes[v]
    internal = cu == cv
    L = np.bincount(cu[internal], weights=w[internal], minlength=k)
    d = np.bincount(cu, weights=w, minlength=k) + np.bincount(cv, weights=w, minlength=k)
    return L / m - resolution * (d / (2.0 * m)) ** 2


def modularity(
    G: nx.Graph, communities: Any, *, weight: str | None = "weight", resolution: float = 1.0
) -> float:
    """Newman modularity of a partition on the undirected view.

    Parameters
    ----------
    G : networkx.DiGraph or networkx.Graph
    communities : pandas.Series, mapping or iterable of node sets
        ``node -> community`` (as from :func:`louvain`) or the communities as node sets;
        every node in exactly one community.
    weight : str or None, default "weight"
        Edge attribute used as weight (missing: 1); None for unweighted.
    resolution : float, default 1.0

    Returns
    -------
    float
        Equal to ``nx.community.modularity(undirected(G), sets, weight=weight,
        resolution=resolution)``; NaN for a graph without edges.

    Examples
    --------
    >>> G = nx.Graph([("a", "b"), ("c", "d")])
    >>> modularity(G, {"a": 0, "b": 0, "c": 1, "d": 1})
    0.5
    >>> modularity(nx.empty_graph(["a", "b"]), [{"a"}, {"b"}])
    nan
    """
    labels = community_labels(G, communities)
    codes, uniques = pd.factorize(labels)
    u, v, w = undirected_arrays(G, weight)
    terms = _modularity_terms(np.asarray(codes), len(uniques), u, v, w, resolution)
    if len(terms) == 0 or np.isnan(terms).any():
        return math.nan
    return float(terms.sum())


# --------------------------------------------------------------------------- table
def _split_contexts(value: Any) -> list[str]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, str):
        return [t.strip() for t in value.split(CONTEXT_SEPARATOR.strip()) if t.strip()]
    return [str(x) for x in value if not is_missing(x)]


def _join_top(
    frame: pd.DataFrame, by: str, text: str, k: int, index: pd.Index
) -> pd.Series:
    """"; "-join the first ``k`` texts of each group (the frame is already in order)."""
    if frame.empty or k <= 0:
        return pd.Series("", index=index, dtype=object)
    joined = frame.groupby(by, sort=False).head(k).groupby(by)[text].agg("; ".join)
    return joined.reindex(index, fill_value="").astype(object)


def _top_contexts_edges(
    G: nx.Graph, codes: np.ndarray, nodes: list, weight: str | None, top: int, cidx: pd.Index
) -> pd.Series:
    """``top_contexts`` by a loop over the edges (undirected graphs, unusual weights)."""
    pos = {n: i for i, n in enumerate(nodes)}
    rows_u, rows_v, rows_c, rows_w = [], [], [], []
    for a, b, d in G.edges(data=True):
        tokens = _split_contexts(d.get("contexts")) if a != b else []
        if not tokens:
            continue
        rows_u.append(pos[a])
        rows_v.append(pos[b])
        rows_c.append(tokens)
        rows_w.append(1.0 if weight is None else float(d.get(weight, 1.0)))
    top_contexts = pd.Series("", index=cidx, dtype=object)
    if rows_u:
        eu, ev = np.asarray(rows_u), np.asarray(rows_v)
        keep = codes[eu] == codes[ev]
        ctx = pd.DataFrame(
            {
                "edge": np.arange(len(eu))[keep],
                "code": codes[eu][keep],
                "w": np.asarray(rows_w)[keep],
                "text": pd.Series(rows_c, dtype=object)[keep].to_numpy(),
            }
        ).explode("text")
        ctx = ctx.dropna(subset=["text"]).drop_duplicates(["edge", "text"])
        if not ctx.empty:
            ctx["text"] = ctx["text"].astype(object)
            counts = ctx.groupby(["code", "text"], as_index=False)["w"].sum()
            top_contexts = _rank_contexts(counts, top, cidx)
    return top_contexts


def _rank_contexts(counts: pd.DataFrame, top: int, cidx: pd.Index) -> pd.Series:
    """Join each community's ``top`` contexts by weight (ties alphabetical)."""
    counts["w"] = counts["w"].round(9)  # float noise must not break alphabetical ties
    counts = counts.sort_values(["code", "w", "text"], ascending=[True, False, True])
    return _join_top(counts, "code", "text", top, cidx)


def _top_contexts_arrays(
    codes: np.ndarray,
    arc_u: np.ndarray,
    arc_v: np.ndarray,
    arc_w: np.ndarray,
    arc_ctx: list | None,
    top: int,
    cidx: pd.Index,
) -> pd.Series:
    """``top_contexts`` from the arcs: each distinct context value is split once.

    An arc's weight counts once for each distinct context in its value, so the weights are
    first summed per (community, value) and only then spread over the values' contexts.
    """
    empty = pd.Series("", index=cidx, dtype=object)
    if arc_ctx is None or arc_u.size == 0:
        return empty
    keep = np.flatnonzero((arc_u != arc_v) & (codes[arc_u] == codes[arc_v]))
    if keep.size == 0:
        return empty
    values = [arc_ctx[i] for i in keep.tolist()]
    is_str = np.fromiter((isinstance(x, str) for x in values), dtype=bool, count=len(values))
    vid = np.empty(len(values), dtype=np.int64)
    tokens: list[list[str]] = []
    if is_str.any():
        ids, uniques = pd.factorize(
            pd.Series([x for x, f in zip(values, is_str, strict=True) if f], dtype=object)
        )
        vid[is_str] = ids
        tokens = [_split_contexts(x) for x in uniques]
    for i in np.flatnonzero(~is_str).tolist():  # lists, None, NaN: rare
        vid[i] = len(tokens)
        tokens.append(_split_contexts(values[i]))
    distinct = [list(dict.fromkeys(t)) for t in tokens]
    sums = (
        pd.DataFrame({"code": codes[arc_u[keep]], "vid": vid, "w": arc_w[keep]})
        .groupby(["code", "vid"], as_index=False)["w"]
        .sum()
    )
    lengths = np.fromiter(map(len, distinct), dtype=np.int64, count=len(distinct))
    flat = np.array([t for d in distinct for t in d], dtype=object)
    starts = np.concatenate([[0], np.cumsum(lengths)])[:-1]
    vids = sums["vid"].to_numpy()
    rep = lengths[vids]
    if rep.sum() == 0:
        return empty
    offs = np.arange(int(rep.sum())) - np.repeat(np.cumsum(rep) - rep, rep)
    spread = pd.DataFrame(
        {
            "code": np.repeat(sums["code"].to_numpy(), rep),
            "text": flat[np.repeat(starts[vids], rep) + offs],
            "w": np.repeat(sums["w"].to_numpy(), rep),
        }
    )
    counts = spread.groupby(["code", "text"], as_index=False)["w"].sum()
    return _rank_contexts(counts, top, cidx)


def community_table(
    G: nx.Graph,
    communities: Any,
    *,
    pagerank: pd.Series | Mapping | None = None,
    attribute: str | None = "organization",
    top: int = 5,
    weight: str | None = "weight",
    resolution: float = 1.0,
) -> pd.DataFrame:
    """One row per community: size, cohesion, modularity share, who and what is in it.

    Parameters
    ----------
    G : networkx.DiGraph or networkx.Graph
    communities : pandas.Series, mapping or iterable of node sets
        As for :func:`modularity`.
    pagerank : pandas.Series or mapping, optional
        Node scores ranking the members; ``nx.pagerank(G)`` when not given.
    attribute : str or None, default "organization"
        Node attribute summarised in ``dominant_groups`` (None: leave that column empty).
    top : int, default 5
        How many members and contexts to list.
    weight : str or None, default "weight"
        Edge weight for ``modularity_share`` and for counting contexts.
    resolution : float, default 1.0
        Resolution of ``modularity_share``.

    Returns
    -------
    pandas.DataFrame
        Sorted by community id, with columns

        - ``community``, ``size``;
        - ``internal_ties``: undirected ties between members;
        - ``internal_density``: density of the members' undirected subgraph (NaN for size 1);
        - ``modularity_share``: ``L_c/m - resolution * (d_c/2m)**2``, so the column sums to
          :func:`modularity` (NaN when the graph has no edges);
        - ``top_members``: labels (node attribute ``label``, else the node key) of the
          ``top`` members by ``pagerank``, "; "-joined (ties by node key);
        - ``top_contexts``: the ``top`` contexts on directed edges between members, each edge's
          contexts counted with its weight, "; "-joined (ties alphabetical);
        - ``dominant_groups``: the three most common ``attribute`` values among members with
          their shares, e.g. ``"Cedar Valley Unified 80%; Riverbend 20%"``; members without the
          attribute count as ``unknown``;
        - ``ei_index``: ``(E - I) / (E + I)`` with E the ties from members to non-members and I
          the ties among members (undirected, unweighted); NaN without ties.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_nodes_from(["a", "b"], organization="North")
    >>> G.add_node("c", organization="South", label="Cy")
    >>> G.add_edge("a", "b", weight=2.0, contexts="#edchat; #naespchat")
    >>> G.add_edge("b", "a", weight=1.0, contexts="#edchat")
    >>> G.add_edge("b", "c", weight=1.0)
    >>> G.add_node("d")
    >>> t = community_table(G, {"a": 0, "b": 0, "c": 1, "d": 2}, top=2)
    >>> t[["community", "size", "internal_ties", "ei_index"]]
       community  size  internal_ties  ei_index
    0          0     2              1       0.0
    1          1     1              0       1.0
    2          2     1              0       NaN
    >>> t["top_contexts"].tolist()
    ['#edchat; #naespchat', '', '']
    >>> t.loc[0, "dominant_groups"], t.loc[1, "top_members"], t.loc[2, "dominant_groups"]
    ('North 100%', 'Cy', 'unknown 100%')
    """
    labels = community_labels(G, communities)
    index = labels.index
    codes, uniques = pd.factorize(labels, sort=True)
    codes = np.asarray(codes, dtype=np.int64)
    k = len(uniques)
    if k == 0:
        return pd.DataFrame({c: [] for c in TABLE_COLUMNS})
    cidx = pd.RangeIndex(k)
    size = np.bincount(codes, minlength=k)

    # ties, density, E-I and modularity terms on the undirected view
    fast = _fast_view(G, weight)
    if fast:
        arc_u, arc_v, arc_w, arc_ctx = arcs(G, weight, "contexts")
        u, v, w = _tie_arrays(len(index), arc_u, arc_v, arc_w, weight)
    else:
        u, v, w = edge_arrays(undirected(G), weight)
    tie = u != v
    cu, cv = codes[u], codes[v]
    internal = cu == cv
    inside = np.bincount(cu[internal & tie], minlength=k)
    ext = tie & ~internal
    outside = np.bincount(cu[ext], minlength=k) + np.bincount(cv[ext], minlength=k)
    with np.errstate(divide="ignore", invalid="ignore"):
        pairs = size * (size - 1) / 2.0
        density = np.where(size > 1, inside / pairs, np.nan)
        total = outside + inside
        ei = np.where(total > 0, (outside - inside) / total, np.nan)
    share = _modularity_terms(codes, k, u, v, w, resolution)

    # top members by pagerank
    if pagerank is None:
        pagerank = nx.pagerank(G)
    pr = pd.Series(pagerank, dtype=float) if not isinstance(pagerank, pd.Series) else pagerank
    score = pr.reindex(index).to_numpy(dtype=float, na_value=-np.inf)
    nodes = list(index)
    key_rank = _key_rank([node_sort_key(x) for x in nodes])
    member_labels = [
        str(d["label"]) if not is_missing(d.get("label")) else str(n)
        for n, d in G.nodes(data=True)
    ]
    order = np.lexsort((key_rank, -score, codes))
    members = pd.DataFrame(
        {"code": codes[order], "text": np.asarray(member_labels, dtype=object)[order]}
    )
    top_members = _join_top(members, "code", "text", top, cidx)

    # top contexts on internal directed edges
    if fast:
        top_contexts = _top_contexts_arrays(codes, arc_u, arc_v, arc_w, arc_ctx, top, cidx)
    else:
        top_contexts = _top_contexts_edges(G, codes, list(index), weight, top, cidx)

    # dominant attribute values
    if attribute is None:
        dominant = pd.Series("", index=cidx, dtype=object)
    else:
        values = [
            "unknown" if is_missing(d.get(attribute)) else str(d.get(attribute))
            for _, d in G.nodes(data=True)
        ]
        groups = pd.DataFrame({"code": codes, "text": pd.Series(values, dtype=object)})
        counts = groups.groupby(["code", "text"], as_index=False).size()
        counts = counts.sort_values(["code", "size", "text"], ascending=[True, False, True])
        pct = 100.0 * counts["size"].to_numpy() / size[counts["code"].to_numpy()]
        counts["text"] = [f"{t} {p:.0f}%" for t, p in zip(counts["text"], pct, strict=True)]
        dominant = _join_top(counts, "code", "text", 3, cidx)

    return pd.DataFrame(
        {
            "community": pd.Index(uniques).to_numpy(),
            "size": size.astype(np.int64),
            "internal_ties": inside.astype(np.int64),
            "internal_density": density.astype(float),
            "modularity_share": share.astype(float),
            "top_members": top_members.to_numpy(),
            "top_contexts": top_contexts.to_numpy(),
            "dominant_groups": dominant.to_numpy(),
            "ei_index": ei.astype(float),
        },
        columns=TABLE_COLUMNS,
    )
