"""Network-level structure: centralization, homophily, path lengths and a JSON-ready summary.

Measures of ties (E-I index, components, clustering, path lengths, centralization over all
ties) use the undirected view (:func:`plnanalytics.graph.build.undirected`); in- and
out-centralization, density and reciprocity use the directed graph as given.
"""

from __future__ import annotations

import math
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse import csgraph

from ..graph.arrays import adjacency, attribute_codes, symmetric
from .centrality import _clustering
from .communities import (
    _modularity_terms,
    community_labels,
    louvain,
    modularity,
    node_sort_key,
)

__all__ = [
    "assortativity",
    "average_path_length",
    "degree_centralization",
    "ei_index",
    "summary",
]

#: Sources per batch of the shortest-path computation (bounds memory to batch x nodes).
_BATCH = 16


def degree_centralization(G: nx.Graph, *, direction: str = "in") -> float:
    """Freeman degree centralization.

    Parameters
    ----------
    G : networkx.DiGraph or networkx.Graph
    direction : {"in", "out", "all"}, default "in"
        ``"in"`` and ``"out"``: on the directed graph, ``sum(max - d_i) / (n - 1)**2`` with
        ``d_i`` the number of distinct in- (out-) neighbours. ``"all"``: on the undirected
        view, ``sum(max - d_i) / ((n - 1) * (n - 2))``. For an undirected graph every
        direction means ``"all"``.

    Returns
    -------
    float
        1 for a star (pointing inwards for ``"in"``, outwards for ``"out"``), 0 when every
        node has the same degree. NaN for fewer than 3 nodes, where the undirected
        normalisation is undefined (the directed ones too, for consistency). Self-loops are
        not ties.

    Examples
    --------
    >>> star = nx.DiGraph([(leaf, "hub") for leaf in "abcd"])
    >>> degree_centralization(star, direction="in"), degree_centralization(star, direction="out")
    (1.0, 0.0625)
    >>> degree_centralization(star, direction="all")
    1.0
    >>> degree_centralization(nx.cycle_graph(5), direction="all")
    0.0
    """
    if direction not in ("in", "out", "all"):
        raise ValueError(f"direction must be 'in', 'out' or 'all', not {direction!r}")
    return _centralization(_Ties(G), direction)


class _Ties:
    """The sparse matrices every network-level measure reads: ``A`` the directed pattern
    (self-loops removed, positions in ``list(G.nodes)`` order) and ``S`` the pattern of the
    undirected view, computed once."""

    def __init__(self, G: nx.Graph) -> None:
        self.G = G
        self.n = G.number_of_nodes()
        A = adjacency(G, None)
        self.A = A
        self.S = symmetric(A) if G.is_directed() else A
        self.S.data = np.ones_like(self.S.data)

    def upper(self) -> tuple[np.ndarray, np.ndarray]:
        """Both ends of every undirected tie, once (``u < v``)."""
        S = self.S.tocoo()
        keep = S.row < S.col
        return S.row[keep].astype(np.int64), S.col[keep].astype(np.int64)


def _centralization(t: _Ties, direction: str) -> float:
    n = t.n
    if n < 3:
        return math.nan
    if direction == "all" or not t.G.is_directed():
        d = np.diff(t.S.indptr)
        denominator = (n - 1) * (n - 2)
    elif direction == "in":
        d = np.bincount(t.A.indices, minlength=n)
        denominator = (n - 1) ** 2
    else:
        d = np.diff(t.A.indptr)
        denominator = (n - 1) ** 2
    return float((int(d.max()) * n - int(d.sum())) / denominator)


def ei_index(G: nx.Graph, attribute: str) -> float:
    """Krackhardt's E-I index of a node attribute over the ties of the undirected view.

    Parameters
    ----------
    G : networkx.DiGraph or networkx.Graph
    attribute : str
        Node attribute (for example ``"organization"``); ties with an end that lacks it are
        left out.

    Returns
    -------
    float
        ``(E - I) / (E + I)`` with E the ties between different values and I the ties within
        the same value: -1 all ties inside groups, +1 all across. NaN when no tie has both
        ends with the attribute.

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b"), ("b", "a"), ("b", "c"), ("c", "d")])
    >>> nx.set_node_attributes(G, {"a": "N", "b": "N", "c": "S"}, "organization")
    >>> ei_index(G, "organization")  # a-b inside, b-c across, c-d unknown
    0.0
    """
    return _ei_index(_Ties(G), attribute)


def _ei_index(t: _Ties, attribute: str) -> float:
    codes, _ = attribute_codes(t.G, attribute)
    u, v = t.upper()
    cu, cv = codes[u], codes[v]
    known = (cu >= 0) & (cv >= 0)
    internal = int(np.count_nonzero(known & (cu == cv)))
    external = int(np.count_nonzero(known)) - internal
    if internal + external == 0:
        return math.nan
    return (external - internal) / (external + internal)


def assortativity(G: nx.Graph, attribute: str) -> float:
    """Attribute assortativity (Newman) among the nodes that have the attribute.

    Parameters
    ----------
    G : networkx.DiGraph or networkx.Graph
        Used as given (directed ties stay directed).
    attribute : str
        A categorical node attribute.

    Returns
    -------
    float
        ``nx.attribute_assortativity_coefficient`` of the subgraph induced by the nodes with
        the attribute; NaN when it is undefined (no edges, a single category).

    Examples
    --------
    >>> G = nx.Graph([("a", "b"), ("c", "d"), ("b", "c")])
    >>> nx.set_node_attributes(G, {"a": "N", "b": "N", "c": "S", "d": "S"}, "organization")
    >>> round(assortativity(G, "organization"), 4)
    0.3333
    >>> assortativity(nx.Graph([("a", "b")]), "organization")
    nan
    """
    return _assortativity(_Ties(G), attribute)


def _assortativity(t: _Ties, attribute: str) -> float:
    """Newman's r from the mixing matrix of the ties (directed ones once, undirected ones
    both ways, self-loops once), as ``nx.attribute_assortativity_coefficient``."""
    G = t.G
    codes, values = attribute_codes(G, attribute)
    k = len(values)
    rows = np.repeat(np.arange(t.n, dtype=np.int64), np.diff(t.A.indptr))
    cu, cv = codes[rows], codes[t.A.indices]
    loops = np.array([i for i, x in enumerate(G) if x in G._adj[x]], dtype=np.int64)
    cu = np.concatenate([cu, codes[loops]])
    cv = np.concatenate([cv, codes[loops]])
    known = (cu >= 0) & (cv >= 0)
    if k == 0 or not known.any():
        return math.nan
    M = np.bincount(cu[known] * k + cv[known], minlength=k * k).reshape(k, k).astype(float)
    with np.errstate(all="ignore"):
        M = M / M.sum()
        s = (M @ M).sum()
        r = float((M.trace() - s) / (1 - s))
    return r if math.isfinite(r) else math.nan


def _largest_component(t: _Ties) -> np.ndarray:
    """Positions of the nodes of the largest connected component of the undirected view
    (ties: the one with the smallest node key), sorted by node key."""
    if t.n == 0:
        return np.zeros(0, dtype=np.int64)
    ncomp, labels = csgraph.connected_components(t.S, directed=False)
    sizes = np.bincount(labels, minlength=ncomp)
    candidates = np.flatnonzero(sizes == sizes.max())
    nodes = list(t.G)
    best = None
    for c in candidates.tolist():  # ties are rare: a few small components
        members = np.flatnonzero(labels == c)
        keys = sorted((node_sort_key(nodes[i]), i) for i in members.tolist())
        if best is None or keys[0][0] < best[0][0]:
            best = keys
    assert best is not None
    return np.array([i for _, i in best], dtype=np.int64)


def _distance_sum(S: sp.csr_array, sources: np.ndarray) -> int:
    """Sum of the BFS distances from ``sources`` to every node of a connected symmetric
    pattern: bit-parallel searches, 64 sources per ``uint64`` word, one sparse gather and
    OR-reduction per level."""
    n = S.shape[0]
    indptr = S.indptr.astype(np.int64)
    indices = S.indices.astype(np.int64)
    starts = indptr[:-1]
    total = 0
    for b in range(0, len(sources), 64):
        batch = sources[b : b + 64]
        bits = np.left_shift(np.uint64(1), np.arange(batch.size, dtype=np.uint64))
        visited = np.zeros(n, dtype=np.uint64)
        np.bitwise_or.at(visited, batch, bits)
        frontier = visited.copy()
        level = 0
        while True:
            level += 1
            nxt = np.bitwise_or.reduceat(frontier[indices], starts)
            nxt &= ~visited
            reached = int(np.bitwise_count(nxt).sum())
            if reached == 0:
                break
            total += level * reached
            visited |= nxt
            frontier = nxt
    return total


def average_path_length(
    G: nx.Graph, *, k: int | None = None, seed: int = 0, exact_max_nodes: int = 5000
) -> tuple[float, dict[str, Any]]:
    """Average shortest-path length (unweighted) in the largest connected component.

    Parameters
    ----------
    G : networkx.DiGraph or networkx.Graph
        Measured on the undirected view.
    k : int, optional
        Number of BFS sources sampled when the component is larger than
        ``exact_max_nodes``; default :func:`path_sources` of its arcs (500 up to 400,000
        arcs, down to 64 on millions).
    seed : int, default 0
        Seed of the source sample.
    exact_max_nodes : int, default 5000
        Up to this component size every node is a source and the result equals
        ``nx.average_shortest_path_length`` of the component.

    Returns
    -------
    value : float
        The average over ordered pairs of distinct nodes of the component (estimated from the
        sampled sources when sampling); NaN for a component of fewer than 2 nodes.
    info : dict
        ``{"sampled": bool, "k": sources used, "seed": seed, "component_nodes": size}``.

    Notes
    -----
    Distances come from bit-parallel breadth-first searches on the sparse tie pattern (64
    sources at once), so memory stays bounded by the component size. The largest component
    is chosen deterministically (ties by smallest node key) and the sample is drawn from its
    nodes in sorted order, so the estimate does not depend on insertion order.

    Examples
    --------
    >>> G = nx.path_graph(["a", "b", "c", "d"], create_using=nx.DiGraph)
    >>> G.add_edge("x", "y")
    >>> value, info = average_path_length(G)
    >>> round(value, 4), info["sampled"], info["component_nodes"]
    (1.6667, False, 4)
    """
    return _average_path_length(_Ties(G), k=k, seed=seed, exact_max_nodes=exact_max_nodes)


#: Work budget of the default path-length sample (sources x arcs of the component): 500
#: sources up to 400,000 arcs, fewer on bigger components, in whole batches of 64 (the
#: searches run 64 sources at once), never fewer than 64. The average of distances is
#: estimated well from far fewer sources than betweenness needs (it averages bounded terms).
PATH_WORK = 200_000_000


def path_sources(arcs: int, most: int = 500) -> int:
    """Default number of sampled sources for the average path length of a component.

    Examples
    --------
    >>> path_sources(100_000), path_sources(1_000_000), path_sources(2_700_000)
    (500, 192, 64)
    """
    budget = PATH_WORK // max(int(arcs), 1)
    return int(min(most, max(64, budget // 64 * 64)))


def _average_path_length(
    t: _Ties, *, k: int | None, seed: int, exact_max_nodes: int
) -> tuple[float, dict[str, Any]]:
    if k is not None and k < 1:
        raise ValueError("k must be at least 1")
    comp = _largest_component(t)
    nc = len(comp)
    if nc < 2:
        return math.nan, {"sampled": False, "k": 0, "seed": seed, "component_nodes": nc}
    A = t.S[comp][:, comp].tocsr()
    A.sort_indices()
    if k is None:
        k = path_sources(A.nnz)
    sampled = nc > exact_max_nodes and k < nc
    if sampled:
        rng = np.random.default_rng(seed)
        sources = np.sort(rng.choice(nc, size=k, replace=False))
    else:
        sources = np.arange(nc)
    total = _distance_sum(A, sources)
    value = total / (len(sources) * (nc - 1))
    info = {"sampled": bool(sampled), "k": len(sources), "seed": seed, "component_nodes": nc}
    return float(value), info


def _json_value(value: Any) -> Any:
    """A JSON-safe Python scalar: numpy scalars unwrapped, NaN and infinities as None."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def summary(
    G: nx.Graph,
    *,
    communities: Any = None,
    attribute: str | None = "organization",
    seed: int = 0,
    exact_max_nodes: int = 5000,
    resolution: float = 1.0,
) -> dict[str, Any]:
    """Network-level summary, JSON-serializable (NaN becomes None).

    Parameters
    ----------
    G : networkx.DiGraph or networkx.Graph
    communities : pandas.Series, mapping or iterable of node sets, optional
        Partition for ``modularity``; ``louvain(G, seed=seed, resolution=resolution)`` when
        not given.
    attribute : str or None, default "organization"
        Node attribute of ``ei_index`` and ``assortativity`` (both None when None).
    seed : int, default 0
        Seed of Louvain and of the path-length sample.
    exact_max_nodes : int, default 5000
        See :func:`average_path_length`.
    resolution : float, default 1.0
        Modularity resolution.

    Returns
    -------
    dict
        ``nodes``; ``edges`` (directed); ``ties`` (undirected); ``density`` (``nx.density``);
        ``reciprocity`` (``nx.reciprocity``; None without edges or for an undirected graph);
        ``components`` (weak), ``largest_component_nodes``, ``largest_component_share``;
        ``isolates`` (nodes without ties in the undirected view); ``in_centralization``,
        ``out_centralization``; ``modularity``; ``communities`` (how many have 2 or more
        nodes); ``average_clustering`` (undirected view); ``average_path_length`` and
        ``path_length`` (its info dict); ``attribute``, ``ei_index``, ``assortativity``;
        ``seed``.

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b"), ("b", "a"), ("b", "c")])
    >>> G.add_node("d")
    >>> s = summary(G)
    >>> s["nodes"], s["edges"], s["ties"], s["isolates"], s["components"], s["reciprocity"]
    (4, 3, 2, 1, 2, 0.6666666666666666)
    >>> s["ei_index"] is None, s["path_length"]["component_nodes"]
    (True, 3)
    """
    t = _Ties(G)
    n = t.n
    ncomp, labels_w = (csgraph.connected_components(t.A, directed=True, connection="weak")
                       if n else (0, np.zeros(0, dtype=np.int64)))
    largest = int(np.bincount(labels_w).max()) if n else 0
    if communities is None:
        communities = louvain(G, seed=seed, resolution=resolution)
    labels = community_labels(G, communities)
    sizes = labels.value_counts()
    m = G.number_of_edges()
    directed_ties = G.is_directed() and m > 0
    # nx.reciprocity: edges whose reverse exists (self-loops never) over all edges
    reciprocity = t.A.multiply(t.A.T).nnz / m if directed_ties else None
    apl, apl_info = _average_path_length(t, k=None, seed=seed, exact_max_nodes=exact_max_nodes)
    degree = np.diff(t.S.indptr)
    out = {
        "nodes": n,
        "edges": m,
        "ties": int(t.S.nnz // 2),
        "density": nx.density(G),
        "reciprocity": reciprocity,
        "components": int(ncomp),
        "largest_component_nodes": largest,
        "largest_component_share": largest / n if n else None,
        "isolates": int(np.count_nonzero(degree == 0)),
        "in_centralization": _centralization(t, "in"),
        "out_centralization": _centralization(t, "out"),
        "modularity": _modularity(t, labels, resolution),
        "communities": int((sizes >= 2).sum()),
        "average_clustering": sum(_clustering(G, t.A).tolist()) / n if n else None,
        "average_path_length": apl,
        "path_length": {key: _json_value(val) for key, val in apl_info.items()},
        "attribute": attribute,
        "ei_index": _ei_index(t, attribute) if attribute else None,
        "assortativity": _assortativity(t, attribute) if attribute else None,
        "seed": seed,
    }
    return {key: val if key == "path_length" else _json_value(val) for key, val in out.items()}


def _modularity(t: _Ties, labels: Any, resolution: float) -> float:
    """:func:`~plnanalytics.analysis.communities.modularity` (weighted) from the matrices."""
    G = t.G
    if not G.is_directed():  # the undirected view is G itself (self-loops included)
        return modularity(G, labels, resolution=resolution)
    codes, uniques = pd.factorize(labels)
    W = symmetric(adjacency(G, "weight")).tocoo()
    keep = W.row < W.col
    u, v, w = W.row[keep].astype(np.int64), W.col[keep].astype(np.int64), W.data[keep]
    terms = _modularity_terms(np.asarray(codes), len(uniques), u, v, w, resolution)
    if len(terms) == 0 or np.isnan(terms).any():
        return math.nan
    return float(terms.sum())
