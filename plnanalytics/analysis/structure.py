"""Network-level structure: centralization, homophily, path lengths and a JSON-ready summary.

Measures of ties (E-I index, components, clustering, path lengths, centralization over all
ties) use the undirected view (:func:`plnanalytics.graph.build.undirected`); in- and
out-centralization, density and reciprocity use the directed graph as given.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import networkx as nx
import numpy as np
import scipy.sparse as sp
from scipy.sparse import csgraph

from ..graph.arrays import attribute_codes, is_missing
from ..graph.build import undirected
from .communities import community_labels, edge_arrays, louvain, modularity, node_sort_key

__all__ = [
    "assortativity",
    "average_path_length",
    "degree_centralization",
    "ei_index",
    "summary",
]

#: Sources per batch of the shortest-path computation (bounds memory to batch x nodes).
_BATCH = 16


def _distinct_degrees(adjacency: Any) -> np.ndarray:
    """Number of distinct neighbours of every node, self-loops not counted."""
    return np.fromiter(
        (len(nbrs) - (node in nbrs) for node, nbrs in adjacency.items()),
        dtype=np.int64,
    )


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
    n = G.number_of_nodes()
    if n < 3:
        return math.nan
    if direction == "all" or not G.is_directed():
        d = _distinct_degrees(undirected(G).adj)
        denominator = (n - 1) * (n - 2)
    else:
        d = _distinct_degrees(G.pred if direction == "in" else G.succ)
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
    codes, _ = attribute_codes(G, attribute)
    u, v, _ = edge_arrays(undirected(G), None)
    cu, cv = codes[u], codes[v]
    known = (u != v) & (cu >= 0) & (cv >= 0)
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
    keep = [n for n, d in G.nodes(data=True) if not is_missing(d.get(attribute))]
    S = G.subgraph(keep)
    if S.number_of_edges() == 0:
        return math.nan
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            r = float(nx.attribute_assortativity_coefficient(S, attribute))
    except (ValueError, ZeroDivisionError, TypeError, IndexError, nx.NetworkXError):
        return math.nan
    return r if math.isfinite(r) else math.nan


def _largest_component(H: nx.Graph) -> list:
    """Nodes of the largest connected component (ties: the one with the smallest node key)."""
    best: list = []
    best_key: tuple | None = None
    for comp in nx.connected_components(H):
        key = (-len(comp), min(node_sort_key(x) for x in comp))
        if best_key is None or key < best_key:
            best, best_key = list(comp), key
    return best


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
        ``exact_max_nodes``; default 500.
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
    Distances come from scipy's compiled shortest-path routine in batches of sources, so
    memory stays bounded by ``batch x component size``. The largest component is chosen
    deterministically (ties by smallest node key) and the sample is drawn from its nodes in
    sorted order, so the estimate does not depend on insertion order.

    Examples
    --------
    >>> G = nx.path_graph(["a", "b", "c", "d"], create_using=nx.DiGraph)
    >>> G.add_edge("x", "y")
    >>> value, info = average_path_length(G)
    >>> round(value, 4), info["sampled"], info["component_nodes"]
    (1.6667, False, 4)
    """
    H = undirected(G)
    comp = _largest_component(H)
    nc = len(comp)
    if k is None:
        k = 500
    if k < 1:
        raise ValueError("k must be at least 1")
    if nc < 2:
        return math.nan, {"sampled": False, "k": 0, "seed": seed, "component_nodes": nc}
    comp.sort(key=node_sort_key)
    sub = H.subgraph(comp)
    pos = {x: i for i, x in enumerate(comp)}
    edges = np.fromiter(
        (p for a, b in sub.edges() if a != b for p in (pos[a], pos[b])), dtype=np.int64
    ).reshape(-1, 2)
    A = sp.csr_matrix(
        (np.ones(len(edges)), (edges[:, 0], edges[:, 1])), shape=(nc, nc)
    )
    sampled = nc > exact_max_nodes and k < nc
    if sampled:
        rng = np.random.default_rng(seed)
        sources = np.sort(rng.choice(nc, size=k, replace=False))
    else:
        sources = np.arange(nc)
    total = 0
    for start in range(0, len(sources), _BATCH):
        dist = csgraph.shortest_path(
            A, method="D", directed=False, unweighted=True, indices=sources[start : start + _BATCH]
        )
        total += int(dist.sum())
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
    H = undirected(G)
    n = G.number_of_nodes()
    comps = [len(c) for c in nx.connected_components(H)]
    largest = max(comps, default=0)
    if communities is None:
        communities = louvain(G, seed=seed, resolution=resolution)
    labels = community_labels(G, communities)
    sizes = labels.value_counts()
    directed_ties = G.is_directed() and G.number_of_edges() > 0
    reciprocity = nx.reciprocity(G) if directed_ties else None
    apl, apl_info = average_path_length(G, seed=seed, exact_max_nodes=exact_max_nodes)
    out = {
        "nodes": n,
        "edges": G.number_of_edges(),
        "ties": sum(1 for a, b in H.edges() if a != b),
        "density": nx.density(G),
        "reciprocity": reciprocity,
        "components": len(comps),
        "largest_component_nodes": largest,
        "largest_component_share": largest / n if n else None,
        "isolates": sum(1 for x, nbrs in H.adj.items() if not (nbrs.keys() - {x})),
        "in_centralization": degree_centralization(G, direction="in"),
        "out_centralization": degree_centralization(G, direction="out"),
        "modularity": modularity(G, labels, resolution=resolution),
        "communities": int((sizes >= 2).sum()),
        "average_clustering": nx.average_clustering(H) if n else None,
        "average_path_length": apl,
        "path_length": {key: _json_value(val) for key, val in apl_info.items()},
        "attribute": attribute,
        "ei_index": ei_index(G, attribute) if attribute else None,
        "assortativity": assortativity(G, attribute) if attribute else None,
        "seed": seed,
    }
    return {key: val if key == "path_length" else _json_value(val) for key, val in out.items()}
