"""Node-level centrality of interaction graphs, one row per node.

Every function takes the directed interaction graph first and keyword-only options after it,
and returns a pandas Series (or DataFrame) indexed by node in ``list(G.nodes)`` order with
index name ``"node"``: isolates always keep their row, with NaN where a measure is undefined
for them. Self-loops are ignored everywhere. Results are deterministic given ``seed``.

Direction: degrees, betweenness, PageRank, harmonic closeness and reciprocity use the
directed graph as given; eigenvector centrality, clustering and coreness use the undirected
weighted view :func:`plnanalytics.graph.build.undirected`. An undirected ``nx.Graph`` is
accepted everywhere and read as the symmetric digraph with every tie in both directions (as
networkx does): in- and out- measures then coincide and reciprocity is 1 for every
non-isolate.

Scale: the graph is read once into an integer-coded CSR matrix (the undirected view is
``A + A.T``, the weights :func:`~plnanalytics.graph.build.undirected` gives). Counts,
strengths, reciprocity, components, PageRank and eigenvector centrality are sparse-matrix
computations; clustering uses vectorized triangle enumeration; coreness a linear
Batagelj-Zaversnik pass; betweenness and harmonic closeness run breadth-first searches level
by level with numpy, many sources at once, instead of networkx's per-node Python loops.
Every result equals networkx's within floating-point rounding (see each function). Above
``exact_max_nodes`` nodes betweenness and harmonic closeness are estimated from ``k``
sampled sources.
"""

from __future__ import annotations

import random
from collections.abc import Hashable, Iterator
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse import csgraph
from scipy.sparse.linalg import eigsh

from ..graph import engines
from ..graph.arrays import TiePattern, adjacency, node_index, symmetric
from .brokerage import ROLES, brokerage_roles, burt_arrays

__all__ = [
    "TABLE_COLUMNS",
    "betweenness",
    "centrality_table",
    "clustering",
    "components",
    "coreness",
    "degrees",
    "eigenvector",
    "harmonic",
    "pagerank",
    "reciprocity",
]

#: Columns of :func:`centrality_table` (before the optional brokerage columns), in order.
TABLE_COLUMNS: tuple[str, ...] = (
    "degree", "in_degree", "out_degree", "in_strength", "out_strength", "betweenness",
    "pagerank", "harmonic", "eigenvector", "clustering", "coreness", "constraint",
    "effective_size", "reciprocity", "component",
)

#: Number of sampled sources when sampling is needed and ``k`` is not given.
DEFAULT_K = 500

#: Bound on (sources in a BFS batch) x (edges), which bounds the memory of one batch.
_BATCH_BUDGET = 4_000_000
#: Largest number of sources searched together.
_MAX_BATCH = 64
#: Components up to this size get a dense eigen-decomposition.
_DENSE_EIG = 64


# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------


def _series(values: Any, G: nx.Graph, name: str, dtype: Any = float) -> pd.Series:
    return pd.Series(values, index=node_index(G), name=name, dtype=dtype)


def _plan(
    n: int, k: int | None, seed: int | None, exact_max_nodes: int, default_k: int = DEFAULT_K
) -> dict[str, Any]:
    """Decide between an exact and a sampled computation; the dict becomes ``attrs``."""
    if k is not None and k < 1:
        raise ValueError(f"k must be a positive number of sources, got {k}")
    if k is None and n <= exact_max_nodes:
        return {"sampled": False, "k": None, "seed": None}
    kk = min(default_k if k is None else int(k), n)
    if kk >= n:  # every node is a source: this is the exact computation
        return {"sampled": False, "k": None, "seed": None}
    return {"sampled": True, "k": kk, "seed": seed}


def _sources(G: nx.Graph, plan: dict[str, Any]) -> np.ndarray:
    """Source node positions: all nodes, or ``random.Random(seed).sample(list(G), k)``.

    The sample is the one networkx draws in ``betweenness_centrality(G, k=k, seed=seed)``.
    """
    nodes = list(G.nodes)
    if not plan["sampled"]:
        return np.arange(len(nodes), dtype=np.int64)
    position = {v: i for i, v in enumerate(nodes)}
    chosen = random.Random(plan["seed"]).sample(nodes, plan["k"])
    return np.array([position[v] for v in chosen], dtype=np.int64)


def _batches(sources: np.ndarray, n: int, m: int) -> Iterator[np.ndarray]:
    size = int(np.clip(_BATCH_BUDGET // max(m, n, 1), 1, _MAX_BATCH))
    for i in range(0, sources.size, size):
        yield sources[i : i + size]


def _expand(
    indptr: np.ndarray, indices: np.ndarray, frontier: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """All out-edges of a frontier of flat keys ``slot * n + node``.

    Returns the frontier position of each edge's tail and the flat key of its head.
    """
    node = frontier % n
    start = indptr[node]
    cnt = indptr[node + 1] - start
    total = int(cnt.sum())
    loc = np.repeat(np.arange(frontier.size, dtype=np.int64), cnt)
    if total == 0:
        return loc, loc
    offs = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    head = indices[start[loc] + offs]
    return loc, (frontier[loc] - node[loc]) + head


def _dependencies(
    A: sp.csr_array, sources: np.ndarray, harmonic_sums: np.ndarray | None = None
) -> Iterator[np.ndarray]:
    """Brandes dependencies from ``sources``, by level-synchronous searches in batches.

    Yields, per batch of sources, the (batch, n) array of dependencies delta_s(v) (zero at
    the source itself). Keys ``slot * n + node`` let one search serve a whole batch. When
    ``harmonic_sums`` is given, ``1 / d(s, v)`` is added to it on the way (the searches of
    :func:`_harmonic_sums`, for free).
    """
    n = A.shape[0]
    indptr = A.indptr.astype(np.int64)
    indices = A.indices.astype(np.int64)
    for batch in _batches(sources, n, A.nnz):
        b = batch.size
        seen = np.zeros(b * n, dtype=bool)
        stamp = np.zeros(b * n, dtype=np.int64)  # scratch for de-duplication
        frontier = np.arange(b, dtype=np.int64) * n + batch
        seen[frontier] = True
        sigma = np.zeros(b * n)  # number of shortest paths from the slot's source
        sigma[frontier] = 1.0
        levels = []
        dist = 0
        while frontier.size:
            loc, head = _expand(indptr, indices, frontier, n)
            new = ~seen[head]
            loc, head = loc[new], head[new]
            if head.size == 0:
                break
            dist += 1
            # distinct heads without sorting: one write per key survives
            order = np.arange(head.size, dtype=np.int64)
            stamp[head] = order
            nxt = head[stamp[head] == order]
            stamp[nxt] = np.arange(nxt.size, dtype=np.int64)
            inv = stamp[head]
            seen[nxt] = True
            sigma[nxt] = np.bincount(inv, weights=sigma[frontier][loc], minlength=nxt.size)
            if harmonic_sums is not None:
                harmonic_sums += np.bincount(nxt % n, minlength=n) / dist
            levels.append((frontier, loc, inv, nxt))
            frontier = nxt
        delta = np.zeros(b * n)
        for front, loc, inv, nxt in reversed(levels):
            coeff = (1.0 + delta[nxt]) / sigma[nxt]
            contrib = sigma[front][loc] * coeff[inv]
            delta[front] += np.bincount(loc, weights=contrib, minlength=front.size)
        delta = delta.reshape(b, n)
        delta[np.arange(b), batch] = 0.0
        yield delta


def _harmonic_sums(A: sp.csr_array, sources: np.ndarray) -> np.ndarray:
    """``sum_{s in sources, s != v} 1 / d(s, v)`` for every node ``v``.

    Breadth-first searches from a batch of sources at once: the frontier is a sparse
    (batch, n) indicator matrix and one sparse product ``F @ A`` expands a whole level.
    """
    n = A.shape[0]
    total = np.zeros(n)
    size = int(np.clip(_BATCH_BUDGET // max(n, 1), 1, 128))
    for i in range(0, sources.size, size):
        batch = sources[i : i + size]
        b = batch.size
        slots = np.arange(b)
        seen = np.zeros((b, n), dtype=bool)
        seen[slots, batch] = True
        F = sp.csr_array((np.ones(b), (slots, batch)), shape=(b, n))
        dist = 0
        while F.nnz:
            Y = (F @ A).tocoo()
            new = ~seen[Y.row, Y.col]
            rows, cols = Y.row[new], Y.col[new]
            if rows.size == 0:
                break
            dist += 1
            seen[rows, cols] = True
            total += np.bincount(cols, minlength=n) / dist
            F = sp.csr_array((np.ones(rows.size), (rows, cols)), shape=(b, n))
    return total


# --------------------------------------------------------------------------------------
# degrees
# --------------------------------------------------------------------------------------


def _degrees(G: nx.Graph, A: sp.csr_array) -> pd.DataFrame:
    n = A.shape[0]
    out_deg = np.diff(A.indptr).astype(np.int64)
    in_deg = np.bincount(A.indices, minlength=n).astype(np.int64)
    both = np.diff(symmetric(A).indptr).astype(np.int64)
    out_s = np.asarray(A.sum(axis=1)).ravel() if n else np.zeros(0)
    in_s = np.asarray(A.sum(axis=0)).ravel() if n else np.zeros(0)
    return pd.DataFrame(
        {
            "degree": both, "in_degree": in_deg, "out_degree": out_deg,
            "in_strength": in_s.astype(float), "out_strength": out_s.astype(float),
        },
        index=node_index(G),
    )


def degrees(G: nx.Graph) -> pd.DataFrame:
    """Degree counts and strengths of every node.

    Parameters
    ----------
    G : networkx.DiGraph
        Interaction graph; edges may carry ``weight`` (default 1). Self-loops are ignored.
        An undirected graph gives equal in- and out- columns.

    Returns
    -------
    pandas.DataFrame
        ``degree`` (distinct contacts in either direction), ``in_degree``, ``out_degree``
        (distinct predecessors / successors, int64), ``in_strength`` and ``out_strength``
        (sums of the ``weight`` of in- / out-edges, float64). Indexed by node in
        ``list(G.nodes)`` order; isolates have zeros.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_edge("a", "b", weight=3.0)
    >>> G.add_edge("b", "a", weight=1.0)
    >>> G.add_edge("c", "a", weight=2.0)
    >>> G.add_node("z")
    >>> degrees(G)  # doctest: +NORMALIZE_WHITESPACE
          degree  in_degree  out_degree  in_strength  out_strength
    node
    a          2          2           1          3.0           3.0
    b          1          1           1          3.0           1.0
    c          1          0           1          0.0           2.0
    z          0          0           0          0.0           0.0
    """
    return _degrees(G, adjacency(G, "weight"))


# --------------------------------------------------------------------------------------
# betweenness and harmonic closeness
# --------------------------------------------------------------------------------------


def _finish_betweenness(
    G: nx.Graph, bc: np.ndarray, sources: np.ndarray, plan: dict[str, Any]
) -> pd.Series:
    """Rescale raw dependency sums exactly as networkx (normalized, endpoints excluded)."""
    n = bc.size
    if n - 1 >= 2:
        if not plan["sampled"]:
            bc = bc / ((n - 1) * (n - 2))
        else:
            k = plan["k"]
            is_src = np.zeros(n, dtype=bool)
            is_src[sources] = True
            scale_src = 1.0 / ((k - 1) * (n - 2)) if k > 1 else np.nan
            bc = bc * np.where(is_src, scale_src, 1.0 / (k * (n - 2)))
    s = _series(bc, G, "betweenness")
    s.attrs = dict(plan)
    return s


def _betweenness(
    G: nx.Graph, A: sp.csr_array, plan: dict[str, Any], harmonic_sums: np.ndarray | None = None
) -> pd.Series:
    sources = _sources(G, plan)
    bc = np.zeros(A.shape[0])
    for delta in _dependencies(A, sources, harmonic_sums):
        bc += delta.sum(axis=0)
    return _finish_betweenness(G, bc, sources, plan)


def betweenness(
    G: nx.Graph, *, k: int | None = None, seed: int | None = 0, exact_max_nodes: int = 5000
) -> pd.Series:
    """Normalized, directed, unweighted shortest-path betweenness of every node.

    Exact when ``k`` is None and the graph has at most ``exact_max_nodes`` nodes: then equal
    to ``nx.betweenness_centrality(G, normalized=True, weight=None)``. Otherwise estimated
    from ``k`` sampled sources (500 when ``k`` is None, capped at the number of nodes),
    equal to ``nx.betweenness_centrality(G, k=k, seed=seed, normalized=True)``: the sources
    are ``random.Random(seed).sample(list(G.nodes), k)``, and as in networkx >= 3.5 a
    sampled node's sum is divided by ``(k - 1)(n - 2)`` (it cannot be its own source) and
    any other node's by ``k (n - 2)``. With ``k = 1`` the sampled node's value is NaN (no
    data), as in networkx. When ``k`` reaches the number of nodes the result is exact.

    Brandes' algorithm runs with vectorized level-by-level searches (many sources at once),
    far faster than networkx's Python loop, with the same result up to rounding.

    Parameters
    ----------
    G : networkx.DiGraph
        Interaction graph (weights are ignored: every tie is one step). Self-loops are
        ignored. An undirected graph gives networkx's undirected betweenness.
    k : int, optional
        Number of sampled sources; forces sampling when smaller than the number of nodes.
    seed : int, optional
        Seed of the source sample (default 0); the same seed gives the same result.
    exact_max_nodes : int, default 5000
        Largest graph computed exactly when ``k`` is None.

    Returns
    -------
    pandas.Series
        Named ``"betweenness"``, indexed by node in ``list(G.nodes)`` order, isolates 0.
        ``attrs`` is ``{"sampled": bool, "k": int or None, "seed": int or None}`` (``k``
        and ``seed`` are None for an exact result).

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "d")])
    >>> G.add_node("z")
    >>> s = betweenness(G)
    >>> s.round(4).to_dict()
    {'a': 0.0, 'b': 0.1667, 'c': 0.1667, 'd': 0.0, 'z': 0.0}
    >>> s.attrs
    {'sampled': False, 'k': None, 'seed': None}
    >>> betweenness(G, k=2, seed=1).attrs
    {'sampled': True, 'k': 2, 'seed': 1}
    """
    plan = _plan(G.number_of_nodes(), k, seed, exact_max_nodes)
    return _betweenness(G, adjacency(G, None), plan)


def _finish_harmonic(
    G: nx.Graph, total: np.ndarray, sources: np.ndarray, plan: dict[str, Any]
) -> pd.Series:
    """Turn ``sum_s 1 / d(s, v)`` into the scaled (or sample-mean) harmonic closeness."""
    n = total.size
    if not plan["sampled"]:
        value = total / (n - 1) if n > 1 else total
    else:
        others = np.full(n, float(plan["k"]))
        others[sources] -= 1.0
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.where(others > 0, total / others, np.nan)
    s = _series(value, G, "harmonic")
    s.attrs = dict(plan)
    return s


def _harmonic(G: nx.Graph, A: sp.csr_array, plan: dict[str, Any]) -> pd.Series:
    sources = _sources(G, plan)
    return _finish_harmonic(G, _harmonic_sums(A, sources), sources, plan)


def harmonic(
    G: nx.Graph, *, k: int | None = None, seed: int | None = 0, exact_max_nodes: int = 5000
) -> pd.Series:
    """Harmonic closeness of every node, scaled to [0, 1].

    networkx's definition on directed graphs (``nx.harmonic_centrality``) sums ``1 / d(v, u)``
    over the other nodes ``v`` that can *reach* ``u`` (distances towards ``u``, unweighted),
    so it measures how easily others' messages arrive. Here the sum is divided by ``n - 1``:
    1 means every other node is one step away (a one-node graph gives 0).

    Exact when ``k`` is None and the graph has at most ``exact_max_nodes`` nodes. Otherwise
    the sources ``S`` are ``random.Random(seed).sample(list(G.nodes), k)`` (the sample
    :func:`betweenness` uses; ``k`` defaults to 500, capped at the number of nodes) and the
    value of ``u`` is the mean of ``1 / d(v, u)`` over the sources other than ``u``::

        harmonic(u) = nx.harmonic_centrality(G, sources=S)[u] / (k - [u in S])

    Given whether ``u`` was drawn, the other sources are a uniform sample of the other
    nodes, so this is an unbiased estimate of the exact value (the same source/non-source
    scaling networkx uses for sampled betweenness). With ``k = 1`` the sampled node's value
    is NaN (no other source).

    Parameters
    ----------
    G : networkx.DiGraph
        Interaction graph (weights are ignored). Self-loops are ignored. An undirected graph
        uses undirected distances.
    k : int, optional
        Number of sampled sources; forces sampling when smaller than the number of nodes.
    seed : int, optional
        Seed of the source sample (default 0).
    exact_max_nodes : int, default 5000
        Largest graph computed exactly when ``k`` is None.

    Returns
    -------
    pandas.Series
        Named ``"harmonic"``, indexed by node in ``list(G.nodes)`` order; isolates 0.
        ``attrs`` as in :func:`betweenness`.

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "a"), ("a", "d")])
    >>> G.add_node("z")
    >>> harmonic(G).round(4).to_dict()
    {'a': 0.375, 'b': 0.375, 'c': 0.375, 'd': 0.4583, 'z': 0.0}
    """
    plan = _plan(G.number_of_nodes(), k, seed, exact_max_nodes)
    return _harmonic(G, adjacency(G, None), plan)


# --------------------------------------------------------------------------------------
# PageRank and eigenvector centrality
# --------------------------------------------------------------------------------------


def pagerank(G: nx.Graph, *, alpha: float = 0.85, weight: str | None = "weight") -> pd.Series:
    """PageRank of every node: ``nx.pagerank(G, alpha=alpha, weight=weight)``.

    networkx's power iteration (same start, tolerance and iteration limit, so the same
    result up to rounding), run on the shared sparse matrix. Isolates and nodes without
    out-ties are dangling: their rank is spread evenly over all nodes, as networkx does.
    Self-loops are ignored.

    Parameters
    ----------
    G : networkx.DiGraph
        Interaction graph. An undirected graph counts every tie in both directions.
    alpha : float, default 0.85
        Damping factor.
    weight : str or None, default "weight"
        Edge attribute used as transition weight; None weighs every edge 1.

    Returns
    -------
    pandas.Series
        Named ``"pagerank"``, summing to 1, indexed by node in ``list(G.nodes)`` order.

    Raises
    ------
    networkx.PowerIterationFailedConvergence
        As networkx, when 100 iterations do not reach the tolerance.

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b"), ("b", "a"), ("c", "a")])
    >>> G.add_node("z")
    >>> round(float(pagerank(G).sum()), 6), bool(pagerank(G).idxmax() == "a")
    (1.0, True)
    """
    return _pagerank(G, adjacency(G, weight), alpha)


def _pagerank(
    G: nx.Graph, A: sp.csr_array, alpha: float, max_iter: int = 100, tol: float = 1.0e-6
) -> pd.Series:
    """networkx's scipy power iteration (``_pagerank_scipy``), on a prepared matrix."""
    n = A.shape[0]
    if n == 0:
        return _series([], G, "pagerank")
    out = np.asarray(A.sum(axis=1)).ravel()
    inv = np.zeros(n)
    inv[out != 0] = 1.0 / out[out != 0]
    T = (sp.diags_array(inv) @ A).tocsr()
    x = np.repeat(1.0 / n, n)
    p = np.repeat(1.0 / n, n)
    dangling = np.flatnonzero(out == 0)
    for _ in range(max_iter):
        last = x
        x = alpha * (x @ T + x[dangling].sum() * p) + (1 - alpha) * p
        if np.absolute(x - last).sum() < n * tol:
            return _series(x, G, "pagerank")
    raise nx.PowerIterationFailedConvergence(max_iter)


def _leading(W: sp.csr_array) -> np.ndarray:
    """Positive unit-norm leading eigenvector of a connected symmetric weighted matrix."""
    size = W.shape[0]
    if size <= _DENSE_EIG:
        _, vecs = np.linalg.eigh(W.toarray())
        vec = vecs[:, -1]
    else:
        _, vecs = eigsh(W, k=1, which="LA", tol=0, v0=np.ones(size))
        vec = vecs[:, 0]
    vec = vec / np.linalg.norm(vec)
    return -vec if vec.sum() < 0 else vec


def _undirected(G: nx.Graph, A: sp.csr_array, weight: str | None) -> sp.csr_array:
    """The matrix of the undirected view :func:`plnanalytics.graph.build.undirected`.

    A tie's weight is the sum of both directions, ``A + A.T`` (an undirected ``G`` already
    gives a symmetric ``A``); with ``weight=None`` every tie counts 1.
    """
    W = symmetric(A) if G.is_directed() else A.copy()
    if weight is None:
        W.data = np.ones_like(W.data)
    return W


def _eigenvector(G: nx.Graph, W: sp.csr_array) -> pd.Series:
    n = W.shape[0]
    out = np.zeros(n)
    if W.nnz:
        ncomp, labels = csgraph.connected_components(W, directed=False)
        sizes = np.bincount(labels, minlength=ncomp)
        tied = int(sizes[sizes >= 2].sum())  # n': the nodes with at least one tie
        # pairs: the leading eigenvector is (1, 1)/sqrt(2), scaled by sqrt(2/n')
        out[sizes[labels] == 2] = 1.0 / np.sqrt(tied)
        big = np.flatnonzero(sizes >= 3)
        if big.size:
            order = np.argsort(labels, kind="stable")
            bounds = np.concatenate([[0], np.cumsum(sizes)])
            local = np.empty(n, dtype=np.int64)
            local[order] = np.arange(n) - bounds[labels[order]]
            C = W.tocoo()
            elab = labels[C.row]
            eorder = np.argsort(elab, kind="stable")
            ebounds = np.concatenate([[0], np.cumsum(np.bincount(elab, minlength=ncomp))])
            for c in big:
                members = order[bounds[c] : bounds[c + 1]]
                sel = eorder[ebounds[c] : ebounds[c + 1]]
                size = int(sizes[c])
                Wc = sp.csr_array(
                    (C.data[sel], (local[C.row[sel]], local[C.col[sel]])), shape=(size, size)
                )
                out[members] = _leading(Wc) * np.sqrt(size / tied)
    return _series(out, G, "eigenvector")


def eigenvector(G: nx.Graph, *, weight: str | None = "weight") -> pd.Series:
    """Eigenvector centrality on the undirected weighted view, defined on disconnected graphs.

    Directed eigenvector centrality is a poor fit for interaction data: it is zero (or
    undefined) for every node without in-ties, and the power iteration fails to converge on
    the acyclic parts common in reply and mention graphs. So it is computed on
    :func:`plnanalytics.graph.build.undirected` (a tie's weight is the sum of both
    directions), separately on each connected component ``C`` of at least 2 nodes: the
    leading eigenvector of ``C``'s weighted adjacency (``nx.eigenvector_centrality_numpy`` of
    the component), made positive with unit Euclidean norm, is scaled by ``sqrt(|C| / n')``
    where ``n'`` is the number of nodes with at least one tie. The whole vector then has unit
    norm, larger components weigh more, isolates get 0 and adding isolates (say, roster
    members without ties) changes nobody else's value. On a connected graph the result equals
    ``nx.eigenvector_centrality_numpy(undirected(G), weight=weight)``.

    Parameters
    ----------
    G : networkx.DiGraph or networkx.Graph
        Interaction graph. Self-loops are ignored.
    weight : str or None, default "weight"
        Edge attribute summed over both directions of a tie (as the undirected view does for
        ``weight`` and ``count``); None counts every tie as 1.

    Returns
    -------
    pandas.Series
        Named ``"eigenvector"``, indexed by node in ``list(G.nodes)`` order.

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b"), ("b", "c"), ("x", "y")])
    >>> G.add_node("z")
    >>> eigenvector(G, weight=None).round(4).to_dict()
    {'a': 0.3873, 'b': 0.5477, 'c': 0.3873, 'x': 0.4472, 'y': 0.4472, 'z': 0.0}
    >>> round(float((eigenvector(G) ** 2).sum()), 12)
    1.0
    """
    return _eigenvector(G, _undirected(G, adjacency(G, weight), weight))


# --------------------------------------------------------------------------------------
# clustering, coreness, reciprocity, components
# --------------------------------------------------------------------------------------


def _clustering(G: nx.Graph, A: sp.csr_array) -> pd.Series:
    n = A.shape[0]
    pat = TiePattern(symmetric(A))
    tri = np.zeros(n)
    for u, v, w, *_ in pat.triangles():
        tri += np.bincount(np.concatenate([u, v, w]), minlength=n)
    d = pat.degree.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(tri > 0, 2.0 * tri / (d * (d - 1.0)), 0.0)
    return _series(value, G, "clustering")


def clustering(G: nx.Graph) -> pd.Series:
    """Local clustering coefficient on the undirected view, unweighted.

    The share of pairs of a node's contacts that are themselves in contact, i.e.
    ``nx.clustering(undirected(G))``; computed from vectorized triangle enumeration.

    Parameters
    ----------
    G : networkx.DiGraph or networkx.Graph
        Interaction graph; direction and weights are ignored, self-loops too.

    Returns
    -------
    pandas.Series
        Named ``"clustering"``, indexed by node in ``list(G.nodes)`` order; 0 for nodes with
        fewer than two contacts (isolates included), as networkx.

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "a"), ("a", "d")])
    >>> G.add_node("z")
    >>> clustering(G).round(4).to_dict()
    {'a': 0.3333, 'b': 1.0, 'c': 1.0, 'd': 0.0, 'z': 0.0}
    """
    return _clustering(G, adjacency(G, None))


def _core_numbers(S: sp.csr_array) -> np.ndarray:
    """Core number of every node of a symmetric pattern (Batagelj-Zaversnik, O(n + m)).

    One pass over the nodes in increasing current degree; each tie is touched twice. The
    bucket bookkeeping is inherently sequential, so this is a linear Python loop.
    """
    n = S.shape[0]
    indptr = S.indptr.tolist()
    indices = S.indices.tolist()
    deg = np.diff(S.indptr).astype(np.int64)
    if n == 0:
        return deg
    vert = np.argsort(deg, kind="stable")
    pos = np.empty(n, dtype=np.int64)
    pos[vert] = np.arange(n)
    start = np.zeros(int(deg.max()) + 2, dtype=np.int64)
    np.cumsum(np.bincount(deg), out=start[1 : int(deg.max()) + 2])
    vert, pos, deg, start = vert.tolist(), pos.tolist(), deg.tolist(), start.tolist()
    for i in range(n):
        v = vert[i]
        dv = deg[v]
        for j in range(indptr[v], indptr[v + 1]):
            u = indices[j]
            du = deg[u]
            if du > dv:
                pu = pos[u]
                pw = start[du]
                w = vert[pw]
                if u != w:
                    pos[u], vert[pu] = pw, w
                    pos[w], vert[pw] = pu, u
                start[du] = pw + 1
                deg[u] = du - 1
    return np.asarray(deg, dtype=np.int64)


def _coreness(G: nx.Graph, S: sp.csr_array) -> pd.Series:
    return _series(_core_numbers(S), G, "coreness", dtype=np.int64)


def coreness(G: nx.Graph) -> pd.Series:
    """k-core number of every node on the undirected view: ``nx.core_number(undirected(G))``.

    Computed with the Batagelj-Zaversnik algorithm (as networkx) directly on the sparse tie
    pattern, several times faster than building the undirected networkx graph.

    Parameters
    ----------
    G : networkx.DiGraph or networkx.Graph
        Interaction graph; direction, weights and self-loops are ignored.

    Returns
    -------
    pandas.Series
        Named ``"coreness"`` (int64), indexed by node in ``list(G.nodes)`` order; isolates 0.

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "a"), ("a", "d")])
    >>> G.add_node("z")
    >>> coreness(G).to_dict()
    {'a': 2, 'b': 2, 'c': 2, 'd': 1, 'z': 0}
    """
    return _coreness(G, symmetric(adjacency(G, None)))


def _reciprocity(G: nx.Graph, A: sp.csr_array) -> pd.Series:
    n = A.shape[0]
    P = A.copy()
    P.data = np.ones_like(P.data)
    mutual = np.asarray(P.multiply(P.T).sum(axis=1)).ravel() if n else np.zeros(0)
    total = np.diff(P.indptr) + np.bincount(P.indices, minlength=n)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(total > 0, 2.0 * mutual / total, np.nan)
    return _series(value, G, "reciprocity")


def reciprocity(G: nx.Graph) -> pd.Series:
    """Share of each node's ties that are reciprocated.

    ``2 |pred(u) & succ(u)| / (|pred(u)| + |succ(u)|)``, as ``nx.reciprocity(G, nodes)``
    defines it per node, computed with sparse matrices.

    Parameters
    ----------
    G : networkx.DiGraph
        Interaction graph; self-loops are ignored. An undirected graph is read as a
        symmetric digraph, so every non-isolate has reciprocity 1 (networkx refuses
        undirected graphs).

    Returns
    -------
    pandas.Series
        Named ``"reciprocity"``, indexed by node in ``list(G.nodes)`` order. Isolates keep
        their row with NaN (networkx raises or returns None for them).

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b"), ("b", "a"), ("a", "c")])
    >>> G.add_node("z")
    >>> reciprocity(G).round(4).to_dict()
    {'a': 0.6667, 'b': 1.0, 'c': 0.0, 'z': nan}
    """
    return _reciprocity(G, adjacency(G, None))


def _components(G: nx.Graph, A: sp.csr_array, labels: np.ndarray | None = None) -> pd.Series:
    """Number weak components; ``labels`` (0-based, any order) when already computed."""
    n = A.shape[0]
    if n == 0:
        return _series([], G, "component", dtype=np.int64)
    if labels is None:
        ncomp, labels = csgraph.connected_components(A, directed=True, connection="weak")
    else:
        ncomp = int(labels.max()) + 1
    sizes = np.bincount(labels, minlength=ncomp)
    keys = list(G.nodes)
    try:
        key_rank = np.empty(n, dtype=np.int64)
        key_rank[np.argsort(np.array(keys, dtype=object), kind="stable")] = np.arange(n)
    except TypeError:  # keys of mixed types: order them by their text
        key_rank = np.empty(n, dtype=np.int64)
        key_rank[np.argsort(np.array([str(v) for v in keys]), kind="stable")] = np.arange(n)
    smallest = np.full(ncomp, n, dtype=np.int64)
    np.minimum.at(smallest, labels, key_rank)
    order = np.lexsort((smallest, -sizes))
    comp_id = np.empty(ncomp, dtype=np.int64)
    comp_id[order] = np.arange(ncomp)
    return _series(comp_id[labels], G, "component", dtype=np.int64)


def components(G: nx.Graph) -> pd.Series:
    """Weakly connected component of every node.

    Components are numbered 0, 1, ... by size, largest first; components of equal size are
    ordered by their smallest node key. Every isolate is its own component.

    Parameters
    ----------
    G : networkx.DiGraph or networkx.Graph
        Interaction graph.

    Returns
    -------
    pandas.Series
        Named ``"component"`` (int64), indexed by node in ``list(G.nodes)`` order.

    Examples
    --------
    >>> G = nx.DiGraph([("x", "y"), ("a", "b"), ("b", "c")])
    >>> G.add_node("z")
    >>> G.add_node("m")
    >>> components(G).to_dict()
    {'x': 1, 'y': 1, 'a': 0, 'b': 0, 'c': 0, 'z': 3, 'm': 2}
    """
    return _components(G, adjacency(G, None))


# --------------------------------------------------------------------------------------
# the table
# --------------------------------------------------------------------------------------


def centrality_table(
    G: nx.Graph,
    *,
    seed: int | None = 0,
    k: int | None = None,
    exact_max_nodes: int = 5000,
    group: Hashable | None = None,
    engine: str = "auto",
) -> pd.DataFrame:
    """Every node-level measure of this module (and Burt's) in one table.

    The graph is coded into sparse matrices once and shared by all measures, and the
    breadth-first searches of betweenness also give harmonic closeness (same sources).

    Parameters
    ----------
    G : networkx.DiGraph
        Interaction graph with ``weight`` on its edges. Self-loops are ignored.
    seed, k, exact_max_nodes
        Passed to :func:`betweenness` and :func:`harmonic`.
    group : hashable, optional
        A node attribute (district, school...). When given, the Gould-Fernandez brokerage
        columns of :func:`plnanalytics.analysis.brokerage.brokerage_roles` are appended.
    engine : {"auto", "networkx", "networkit"}, default "auto"
        Who runs betweenness, harmonic closeness, PageRank, clustering, coreness and
        components (:mod:`plnanalytics.graph.engines`): our numpy code (``"networkx"``, equal
        to networkx) or networkit's compiled algorithms (``"networkit"``); ``"auto"`` picks
        networkit from :data:`~plnanalytics.graph.engines.AUTO_MIN_NODES` nodes. Exact
        measures agree within rounding (networkit's PageRank iterates to a tighter
        tolerance than networkx's ``n * 1e-6``). Sampled betweenness differs: networkit
        estimates it with linear scaling (forward and backward) from ``k`` sources, recorded
        with ``"estimator": "linear-scaling"`` in its ``attrs``; sampled harmonic closeness
        uses the same sources and formula on both engines. Without ``k``, networkit's
        samples fit a work budget (:func:`~plnanalytics.graph.engines.default_k`): up to
        2,000 sources for betweenness and 500 for closeness on graphs up to 50,000 ties,
        down to 50 at 2 million ties. Degrees, strengths, eigenvector,
        reciprocity and Burt's measures are sparse-matrix code on both.

    Returns
    -------
    pandas.DataFrame
        Columns ``degree, in_degree, out_degree, in_strength, out_strength, betweenness,
        pagerank, harmonic, eigenvector, clustering, coreness, constraint, effective_size,
        reciprocity, component`` (weighted measures use ``weight``), then ``coordinator,
        itinerant, representative, gatekeeper, liaison, brokerage`` when ``group`` is given.
        One row per node in ``list(G.nodes)`` order. ``attrs`` is ``{"betweenness": ...,
        "harmonic": ..., "group": group}`` with the sampling records of both measures.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_edge("a", "b", weight=2.0)
    >>> G.add_edge("b", "c", weight=1.0)
    >>> G.add_node("z")
    >>> df = centrality_table(G)
    >>> df.shape, df.index.tolist()
    ((4, 15), ['a', 'b', 'c', 'z'])
    >>> df.loc["z", ["degree", "betweenness", "constraint", "component"]].tolist()
    [0.0, 0.0, nan, 1.0]
    """
    n = G.number_of_nodes()
    eng = engines.resolve_engine(engine, n)
    Aw = adjacency(G, "weight")
    Au = Aw.copy()
    Au.data = np.ones_like(Au.data)
    if eng == "networkit":
        kh = engines.default_k(Au.nnz, engines.HARMONIC_WORK, DEFAULT_K)
        plan = _plan(n, k, seed, exact_max_nodes, default_k=kh)
    else:
        plan = _plan(n, k, seed, exact_max_nodes)
    Su = symmetric(Au)
    con, eff = burt_arrays(Aw)
    df = _degrees(G, Aw)
    if eng == "networkit":
        kb = engines.default_k(Au.nnz, engines.BETWEENNESS_WORK, engines.NETWORKIT_K)
        bplan = _plan(n, k, seed, exact_max_nodes, default_k=kb)
        g = engines.to_networkit(Au, directed=True, weighted=False)
        gu = engines.to_networkit(Su, directed=False, weighted=False)
        raw = engines.betweenness(
            Au, k=bplan["k"] if bplan["sampled"] else None, seed=seed, graph=g
        )
        if bplan["sampled"]:
            bplan["estimator"] = "linear-scaling"
        bc = _series(raw, G, "betweenness")
        bc.attrs = bplan
        sources = _sources(G, plan)
        hc = _finish_harmonic(G, engines.harmonic_sums(Au, sources, graph=g), sources, plan)
        df["betweenness"] = bc
        df["pagerank"] = _series(engines.pagerank(Aw, alpha=0.85), G, "pagerank")
        df["harmonic"] = hc
        df["eigenvector"] = _eigenvector(G, _undirected(G, Aw, "weight"))
        df["clustering"] = _series(engines.clustering(Su, graph=gu), G, "clustering")
        df["coreness"] = _series(engines.coreness(Su, graph=gu), G, "coreness", dtype=np.int64)
        labels = engines.components(Au, graph=g)
    else:
        sums = np.zeros(n)  # harmonic sums, from the same searches as betweenness
        bc = _betweenness(G, Au, plan, sums)
        hc = _finish_harmonic(G, sums, _sources(G, plan), plan)
        df["betweenness"] = bc
        df["pagerank"] = _pagerank(G, Aw, 0.85)
        df["harmonic"] = hc
        df["eigenvector"] = _eigenvector(G, _undirected(G, Aw, "weight"))
        df["clustering"] = _clustering(G, Au)
        df["coreness"] = _coreness(G, Su)
        labels = None
    df["constraint"] = con
    df["effective_size"] = eff
    df["reciprocity"] = _reciprocity(G, Au)
    df["component"] = _components(G, Au, labels)
    if group is not None:
        roles = brokerage_roles(G, group, matrix=Au)
        for col in (*ROLES, "brokerage"):
            df[col] = roles[col]
    df.attrs = {"betweenness": dict(bc.attrs), "harmonic": dict(hc.attrs), "group": group}
    return df
