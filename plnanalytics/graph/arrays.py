"""Graphs as integer-coded arrays: the sparse matrices and codes the metrics compute on.

Every metric of :mod:`plnanalytics.analysis` reads a networkx graph once into these shapes
(positions follow ``list(G.nodes)``), then works with numpy and scipy.sparse instead of
per-node Python loops.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp

#: Upper bound on the wedges (candidate triangles) :meth:`TiePattern.triangles` examines at
#: once.
WEDGE_CHUNK = 2_000_000


def node_index(G: nx.Graph) -> pd.Index:
    """The result index: nodes in ``list(G.nodes)`` order, named ``"node"``."""
    return pd.Index(list(G.nodes), name="node", tupleize_cols=False)


#: The matrices read within :func:`shared_adjacency` (the graph, and a matrix per weight).
_SHARED: ContextVar[dict[Any, Any] | None] = ContextVar("pln_shared_adjacency", default=None)


@contextmanager
def shared_adjacency(G: nx.Graph, weighted: sp.csr_array | None = None) -> Iterator[None]:
    """Within the block, :func:`adjacency` reads ``G`` once per weight and hands out copies.

    For a run of measures over one graph that does not change meanwhile (as
    :func:`plnanalytics.analysis.analyze`), so that each does not read millions of edges
    again. Outside the block (or for another graph) every call reads the graph.
    ``weighted``, when given, is ``adjacency(G, "weight")`` made elsewhere (by
    :func:`plnanalytics.graph.build.build_network`, straight from DuckDB): the graph is then
    not read for it, nor for the unweighted pattern (the same entries, all 1).

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b")])
    >>> with shared_adjacency(G):
    ...     first, again = adjacency(G, None), adjacency(G, None)
    >>> (first != again).nnz, first is again
    (0, False)
    """
    memo: dict[Any, Any] = {"graph": G}
    if weighted is not None:
        n = G.number_of_nodes()
        if weighted.shape != (n, n):
            raise ValueError(f"the matrix is {weighted.shape[0]} x {weighted.shape[1]}, the "
                             f"graph has {n} nodes")
        memo["weight"] = sp.csr_array(weighted)
        pattern = memo["weight"].copy()
        pattern.data = np.ones_like(pattern.data)
        memo[None] = pattern
    token = _SHARED.set(memo)
    try:
        yield
    finally:
        _SHARED.reset(token)


def adjacency(G: nx.Graph, weight: str | None) -> sp.csr_array:
    """Directed adjacency matrix of ``G`` in ``list(G.nodes)`` order, self-loops removed.

    Entry ``(i, j)`` is the ``weight`` of the edge ``i -> j`` (1 when ``weight`` is None or
    the edge lacks it). An undirected graph gives a symmetric matrix. The result is CSR,
    float64, with sorted indices and no duplicates. (Read straight from the adjacency
    dicts: several times faster than ``nx.to_scipy_sparse_array``.)
    """
    memo = _SHARED.get()
    if memo is None or memo["graph"] is not G:
        return _read_adjacency(G, weight)
    if weight not in memo:
        memo[weight] = _read_adjacency(G, weight)
    return memo[weight].copy()


def _read_adjacency(G: nx.Graph, weight: str | None) -> sp.csr_array:
    n = G.number_of_nodes()
    if n == 0 or G.number_of_edges() == 0:
        return sp.csr_array((n, n), dtype=float)
    rows, cols, data, _ = arcs(G, weight)
    off = rows != cols
    A = sp.coo_array((data[off], (rows[off], cols[off])), shape=(n, n)).tocsr()
    A.sum_duplicates()
    A.sort_indices()
    return A


def arcs(G: nx.Graph, weight: str | None, extra: str | None = None
         ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[Any] | None]:
    """Every edge of ``G`` as positions (in ``list(G.nodes)`` order) and weight, and the
    values of the edge attribute ``extra``.

    Read straight from the adjacency dicts, in ``G.edges`` order (an undirected edge once
    from each end); self-loops included. Edges without ``weight`` (every edge when it is
    None) weigh 1; ``values`` is None without ``extra``.

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b", {"weight": 2.0, "kind": "x"}), ("b", "c")])
    >>> rows, cols, data, kinds = arcs(G, "weight", "kind")
    >>> rows.tolist(), cols.tolist(), data.tolist(), kinds
    ([0, 1], [1, 2], [2.0, 1.0], ['x', None])
    """
    index = {v: i for i, v in enumerate(G)}
    nbrs = [nbr for _, nbr in G.adjacency()]
    n = len(nbrs)
    deg = np.fromiter(map(len, nbrs), dtype=np.int64, count=n)
    m = int(deg.sum())
    rows = np.repeat(np.arange(n, dtype=np.int64), deg)
    cols = np.fromiter((index[v] for nbr in nbrs for v in nbr), dtype=np.int64, count=m)
    if weight is None:
        data = np.ones(m)
    else:
        data = np.fromiter(
            (d.get(weight, 1.0) for nbr in nbrs for d in nbr.values()), dtype=float, count=m
        )
    values = None if extra is None else [d.get(extra) for nbr in nbrs for d in nbr.values()]
    return rows, cols, data, values


def entry_rows(M: sp.csr_array) -> np.ndarray:
    """Row index of every stored entry of a CSR matrix."""
    return np.repeat(np.arange(M.shape[0], dtype=np.int64), np.diff(M.indptr))


def pair_keys(rows: np.ndarray, cols: np.ndarray, n: int) -> np.ndarray:
    """One sortable int64 key per (row, col) pair."""
    return rows.astype(np.int64) * n + cols.astype(np.int64)


def symmetric(A: sp.csr_array) -> sp.csr_array:
    """``A + A.T`` as canonical CSR (sorted indices, no duplicates)."""
    S = (A + A.T).tocsr()
    S.sum_duplicates()
    S.sort_indices()
    return S


class TiePattern:
    """A symmetric sparsity pattern with the lookups triangle enumeration needs.

    ``rows``/``cols`` list the stored entries (each undirected tie twice), ``keys`` their
    sorted keys and ``rev[e]`` the position of the transposed entry of ``e``.
    """

    def __init__(self, S: sp.csr_array) -> None:
        self.n = S.shape[0]
        self.indptr = S.indptr.astype(np.int64)
        self.cols = S.indices.astype(np.int64)
        self.rows = entry_rows(S)
        self.keys = pair_keys(self.rows, self.cols, self.n)
        self.rev = np.searchsorted(self.keys, pair_keys(self.cols, self.rows, self.n))
        self.degree = np.diff(self.indptr)

    @property
    def nnz(self) -> int:
        return int(self.cols.size)

    def find(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Positions of the given (existing) entries."""
        return np.searchsorted(self.keys, pair_keys(rows, cols, self.n))

    def triangles(
        self, chunk: int = WEDGE_CHUNK
    ) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
        """Every triangle ``{u, v, w}`` once, in chunks.

        Yields ``(u, v, w, e_uv, e_uw, e_vw)``: node indices and the positions of the entries
        ``(u, v)``, ``(u, w)`` and ``(v, w)``. Nodes are ranked by (degree, index); each
        triangle is found from its lowest-ranked node ``u`` by pairing two of its
        higher-ranked neighbours ``v, w`` and looking the tie ``v - w`` up.
        """
        n = self.n
        if self.nnz == 0:
            return
        rank = np.empty(n, dtype=np.int64)
        rank[np.lexsort((np.arange(n), self.degree))] = np.arange(n)
        fwd = np.flatnonzero(rank[self.rows] < rank[self.cols])  # entry positions, CSR order
        frow = self.rows[fwd]
        fcol = self.cols[fwd]
        fptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(frow, minlength=n), out=fptr[1:])
        # forward entry i of row u pairs with the later forward entries of the same row
        later = fptr[frow + 1] - 1 - np.arange(fwd.size)
        total = np.cumsum(later)
        if total.size == 0 or total[-1] == 0:
            return
        start = 0
        while start < fwd.size:
            base = total[start - 1] if start else 0
            stop = int(np.searchsorted(total, base + chunk, side="right"))
            stop = max(stop, start + 1)
            counts = later[start:stop]
            m = int(counts.sum())
            if m:
                first = np.repeat(np.arange(start, stop, dtype=np.int64), counts)
                offs = np.arange(m, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
                second = first + 1 + offs
                v = fcol[first]
                w = fcol[second]
                pos = np.searchsorted(self.keys, pair_keys(v, w, n))
                pos[pos >= self.nnz] = 0
                hit = self.keys[pos] == pair_keys(v, w, n)
                if hit.any():
                    first, second = first[hit], second[hit]
                    yield (
                        frow[first], v[hit], w[hit], fwd[first], fwd[second], pos[hit],
                    )
            start = stop


def is_missing(value: Any) -> bool:
    """Whether a node attribute value counts as absent: None, NaN/NA/NaT or a blank string."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    if isinstance(value, float):
        return math.isnan(value)
    try:
        res = pd.isna(value)
    except (TypeError, ValueError):  # pragma: no cover - exotic objects
        return False
    return isinstance(res, bool | np.bool_) and bool(res)


def attribute_codes(G: nx.Graph, attribute: Any) -> tuple[np.ndarray, list]:
    """Integer codes of a node attribute in ``list(G.nodes)`` order, -1 where it is missing
    (see :func:`is_missing`), numbered in order of first appearance.

    Returns the codes and the distinct values (``values[code]``).

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_nodes_from([("a", {"d": "N"}), ("b", {}), ("c", {"d": "S"}), ("e", {"d": "N"})])
    >>> codes, values = attribute_codes(G, "d")
    >>> codes.tolist(), values
    ([0, -1, 1, 0], ['N', 'S'])
    """
    raw = [d.get(attribute) for _, d in G.nodes(data=True)]
    keyed = [None if is_missing(x) else x for x in raw]
    codes, uniques = pd.factorize(pd.Series(keyed, dtype=object), use_na_sentinel=True)
    return np.asarray(codes, dtype=np.int64), list(uniques)
