"""Brokerage: Burt's structural holes and Gould-Fernandez brokerage roles.

All measures are computed with integer-coded sparse matrices (scipy.sparse) and vectorized
triangle enumeration, never with per-node or per-triple Python loops, so that they scale to
graphs of 10k-200k nodes.

Conventions shared by every function here:

* The input is a networkx ``DiGraph`` (an undirected ``Graph`` is read as the symmetric
  digraph with each tie in both directions, as networkx itself does for these measures).
* Self-loops are ignored.
* Results are indexed by node in ``list(G.nodes)`` order (index name ``"node"``), one row
  per node: isolates are kept, with NaN where a measure is undefined for them.

How the work scales: constraint, effective size and the closed-triad correction of the
brokerage roles only need the triangles of the undirected tie pattern. These are listed with
the degree-ordered ("forward") algorithm, O(m^1.5) in the worst case, in bounded chunks; a
hub with many contacts costs nothing extra, unlike the n x n products networkx builds.
"""

from __future__ import annotations

from collections.abc import Hashable

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..graph.arrays import (
    TiePattern,
    adjacency,
    attribute_codes,
    node_index,
    pair_keys,
    symmetric,
)

__all__ = ["ROLES", "brokerage_roles", "constraint", "effective_size"]

#: Gould-Fernandez roles, in the column order of :func:`brokerage_roles`.
ROLES: tuple[str, ...] = ("coordinator", "itinerant", "representative", "gatekeeper", "liaison")



# --------------------------------------------------------------------------------------
# Burt's constraint and effective size
# --------------------------------------------------------------------------------------


def burt_arrays(A: sp.csr_array) -> tuple[np.ndarray, np.ndarray]:
    """Constraint and effective size of every node from the weighted adjacency ``A``.

    With mutual weights ``a_uv = w(u->v) + w(v->u)``, ``p_uv = a_uv / sum_x a_ux`` and
    ``m_uv = a_uv / max_x a_ux``:

    * constraint ``c(u) = sum_{v in N(u)} (p_uv + sum_w p_uw p_wv)^2``;
    * effective size ``e(u) = sum_{v in N(u)} (1 - sum_w p_uw m_vw)``.

    The inner sums only run over common neighbours ``w`` of ``u`` and ``v``, i.e. over
    triangles, which are enumerated once each and scattered to their six ordered ties.
    """
    n = A.shape[0]
    S = symmetric(A)
    pat = TiePattern(S)
    data = S.data
    rowsum = np.bincount(pat.rows, weights=data, minlength=n)
    rowmax = np.zeros(n)
    has = pat.degree > 0
    if has.any():
        rowmax[has] = np.maximum.reduceat(data, pat.indptr[:-1][has])
    P = data / rowsum[pat.rows] if data.size else data
    M = data / rowmax[pat.rows] if data.size else data
    rev = pat.rev
    indirect = np.zeros(pat.nnz)
    redundancy = np.zeros(n)
    for u, v, w, uv, uw, vw in pat.triangles():
        vu, wu, wv = rev[uv], rev[uw], rev[vw]
        idx = np.concatenate([uv, vu, uw, wu, vw, wv])
        val = np.concatenate([
            P[uw] * P[wv],  # u -> w -> v
            P[vw] * P[wu],  # v -> w -> u
            P[uv] * P[vw],  # u -> v -> w
            P[wv] * P[vu],  # w -> v -> u
            P[vu] * P[uw],  # v -> u -> w
            P[wu] * P[uv],  # w -> u -> v
        ])
        indirect += np.bincount(idx, weights=val, minlength=pat.nnz)
        red = np.concatenate([
            P[uw] * M[vw] + P[uv] * M[wv],  # ego u
            P[vw] * M[uw] + P[vu] * M[wu],  # ego v
            P[wv] * M[uv] + P[wu] * M[vu],  # ego w
        ])
        redundancy += np.bincount(np.concatenate([u, v, w]), weights=red, minlength=n)
    con = np.bincount(pat.rows, weights=(P + indirect) ** 2, minlength=n).astype(float)
    eff = pat.degree - redundancy
    con[~has] = np.nan
    eff[~has] = np.nan
    return con, eff


def constraint(G: nx.Graph, *, weight: str | None = "weight") -> pd.Series:
    """Burt's constraint of every node.

    The constraint on ``u`` is ``c(u) = sum_{v in N(u)} (p_uv + sum_w p_uw p_wv)^2`` where
    ``N(u)`` are the contacts of ``u`` in either direction and ``p_uv`` is the mutual weight
    ``w(u->v) + w(v->u)`` of ``u`` and ``v`` divided by the sum of the mutual weights of
    ``u`` with all its contacts. High constraint means a closed, redundant ego network;
    low constraint means that ``u`` spans structural holes.

    This is exactly :func:`networkx.constraint` (``nx.constraint(G, weight=weight)``),
    computed with sparse matrices and vectorized triangle enumeration.

    Parameters
    ----------
    G : networkx.DiGraph or networkx.Graph
        Directed interaction graph; an undirected graph is also accepted (each tie is then
        one mutual tie, as in networkx). Self-loops are ignored.
    weight : str or None, default "weight"
        Edge attribute holding the tie weight (a missing attribute counts as 1); None counts
        every edge as 1. Note that networkx's own default is ``weight=None``. With
        ``weight=None`` on a directed graph a reciprocated tie still has mutual weight 2 and
        a one-way tie 1.

    Returns
    -------
    pandas.Series
        Named ``"constraint"``, indexed by node in ``list(G.nodes)`` order. Isolates keep
        their row with NaN (constraint is undefined without contacts, as in networkx).

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b"), ("b", "a"), ("a", "c"), ("c", "b"), ("d", "a")])
    >>> G.add_node("z")
    >>> constraint(G, weight=None).round(4).to_dict()
    {'a': 0.6267, 'b': 0.9444, 'c': 1.2569, 'd': 1.0, 'z': nan}
    """
    con, _ = burt_arrays(adjacency(G, weight))
    return pd.Series(con, index=node_index(G), name="constraint", dtype=float)


def effective_size(G: nx.Graph, *, weight: str | None = "weight") -> pd.Series:
    """Burt's effective size of every node's ego network.

    ``e(u) = sum_{v in N(u)} (1 - sum_w p_uw m_vw)``: the number of contacts of ``u``
    minus their redundancy, where ``p_uw`` is the mutual weight of ``u`` and ``w``
    normalized by the sum over ``u``'s contacts and ``m_vw`` the mutual weight of ``v`` and
    ``w`` normalized by ``v``'s largest mutual weight (see :func:`constraint`). On an
    unweighted undirected graph this is Borgatti's ``n - 2t/n``.

    This is exactly :func:`networkx.effective_size` (``nx.effective_size(G,
    weight=weight)``), computed without networkx's dense n x n matrix.

    Parameters
    ----------
    G : networkx.DiGraph or networkx.Graph
        Directed interaction graph; an undirected graph is also accepted. Self-loops are
        ignored.
    weight : str or None, default "weight"
        Edge attribute holding the tie weight; None counts every edge as 1.

    Returns
    -------
    pandas.Series
        Named ``"effective_size"``, indexed by node in ``list(G.nodes)`` order. Isolates keep
        their row with NaN (undefined, as in networkx).

    Examples
    --------
    >>> G = nx.Graph([("a", "b"), ("a", "c"), ("b", "c"), ("a", "d")])
    >>> G.add_node("z")
    >>> effective_size(G, weight=None).round(4).to_dict()
    {'a': 2.3333, 'b': 1.0, 'c': 1.0, 'd': 1.0, 'z': nan}
    """
    _, eff = burt_arrays(adjacency(G, weight))
    return pd.Series(eff, index=node_index(G), name="effective_size", dtype=float)


# --------------------------------------------------------------------------------------
# Gould-Fernandez brokerage roles
# --------------------------------------------------------------------------------------


def _role_of(ga: np.ndarray, gb: np.ndarray, gc: np.ndarray) -> np.ndarray:
    """Role number (index into :data:`ROLES`) of two-paths a -> b -> c from group codes."""
    ab, bc, ac = ga == gb, gb == gc, ga == gc
    role = np.full(ga.shape, 4, dtype=np.int64)  # liaison: all three differ
    role[ac & ~ab] = 1  # itinerant
    role[ab & ~bc] = 2  # representative
    role[bc & ~ab] = 3  # gatekeeper
    role[ab & bc] = 0  # coordinator
    return role


def brokerage_roles(
    G: nx.Graph, attribute: Hashable, *, weight: str | None = None,
    matrix: sp.csr_array | None = None,
) -> pd.DataFrame:
    """Gould-Fernandez brokerage roles of every node, by the groups in a node attribute.

    Node ``b`` brokers every directed two-path ``a -> b -> c`` with ``a``, ``b``, ``c``
    distinct and no edge ``a -> c``. With ``g(x) = G.nodes[x][attribute]`` the two-path
    counts towards one role of ``b``:

    ==============  ==========================
    coordinator     g(a) = g(b) = g(c)
    itinerant       g(a) = g(c) != g(b) (consultant)
    representative  g(a) = g(b) != g(c)
    gatekeeper      g(b) = g(c) != g(a)
    liaison         g(a), g(b), g(c) all differ
    ==============  ==========================

    Two-paths in which any of the three nodes lacks the attribute (absent, None, NaN or a
    blank string) are not counted at all: the node's group is unknown, so its role is too.
    A node without the attribute therefore has all counts 0 (its row is kept).

    Counts are computed per middle node from sparse group-by-neighbour tallies (all
    two-paths ``in x out``, minus the ``a = c`` returns), then the closed two-paths (those
    with ``a -> c``) are removed using the triangles of the tie pattern. No per-triple loop.

    Parameters
    ----------
    G : networkx.DiGraph or networkx.Graph
        Directed interaction graph. An undirected graph is read as a symmetric digraph, so
        every open undirected two-path is counted once in each direction. Self-loops are
        ignored.
    attribute : hashable
        Node attribute holding the group (district, school, role...).
    weight : str or None, default None
        None counts two-paths (int64 columns). An edge attribute name weights each two-path
        ``a -> b -> c`` by ``w(a->b) * w(b->c)`` (float64 columns); whether ``a -> c`` exists
        still decides if it is brokered.
    matrix : scipy.sparse.csr_array, optional
        ``adjacency(G, weight)`` when the caller has it already (it is not built again).

    Returns
    -------
    pandas.DataFrame
        Columns ``coordinator, itinerant, representative, gatekeeper, liaison, brokerage``
        (the total), indexed by node in ``list(G.nodes)`` order, isolates included (0).

    Examples
    --------
    >>> G = nx.DiGraph([(a, "b") for a in ("a1", "a2", "a3")] + [("b", "c1"), ("b", "c2")])
    >>> groups = {"a1": "X", "a2": "Y", "a3": "Z", "b": "Y", "c1": "X", "c2": "Y"}
    >>> nx.set_node_attributes(G, groups, "district")
    >>> G.add_node("z")
    >>> roles = brokerage_roles(G, "district")
    >>> roles.loc["b"].to_dict()
    {'coordinator': 1, 'itinerant': 1, 'representative': 1, 'gatekeeper': 2, 'liaison': 1, \
'brokerage': 6}
    >>> G.add_edge("a3", "c2")  # closes a3 -> b -> c2: no longer brokered
    >>> int(brokerage_roles(G, "district").loc["b", "gatekeeper"])
    1
    """
    index = node_index(G)
    n = len(index)
    codes = attribute_codes(G, attribute)[0]
    A = (adjacency(G, weight) if matrix is None else matrix).tocoo()
    keep = (codes[A.row] >= 0) & (codes[A.col] >= 0)
    r = A.row[keep].astype(np.int64)
    c = A.col[keep].astype(np.int64)
    w = A.data[keep]
    k = int(codes.max()) + 1 if n else 0

    counts = np.zeros((n, len(ROLES)))
    if r.size:
        gr, gc = codes[r], codes[c]
        same = gr == gc
        in_tot = np.bincount(c, weights=w, minlength=n)
        out_tot = np.bincount(r, weights=w, minlength=n)
        in_same = np.bincount(c[same], weights=w[same], minlength=n)
        out_same = np.bincount(r[same], weights=w[same], minlength=n)
        # sum over groups h of (weight in from h) * (weight out to h), per middle node
        ins = sp.coo_array((w, (c, gr)), shape=(n, k)).tocsr()
        outs = sp.coo_array((w, (r, gc)), shape=(n, k)).tocsr()
        per_group = np.asarray(ins.multiply(outs).sum(axis=1)).ravel()
        # a = c returns: a -> b -> a, counted at b = c-side of the edge a -> b
        keys = pair_keys(r, c, n)  # sorted: CSR order survives tocoo() and the filter
        rk = pair_keys(c, r, n)
        pos = np.searchsorted(keys, rk)
        pos[pos >= keys.size] = 0
        back = np.where(keys[pos] == rk, w[pos], 0.0)  # weight of c -> r, 0 if absent
        ret = w * back  # two-path r -> c -> r, middle c
        ret_same = np.bincount(c[same], weights=ret[same], minlength=n)
        ret_other = np.bincount(c[~same], weights=ret[~same], minlength=n)
        in_other = in_tot - in_same
        out_other = out_tot - out_same
        same_same = in_same * out_same
        counts[:, 0] = same_same - ret_same
        counts[:, 1] = (per_group - same_same) - ret_other
        counts[:, 2] = in_same * out_other
        counts[:, 3] = in_other * out_same
        counts[:, 4] = in_other * out_other - (per_group - same_same)

        # remove closed two-paths (a -> c present); they all lie on triangles
        Av = sp.coo_array((w, (r, c)), shape=(n, n)).tocsr()
        pat = TiePattern(symmetric(Av))
        dw = np.zeros(pat.nnz)
        dw[pat.find(r, c)] = w
        rev = pat.rev
        closed = np.zeros(n * len(ROLES))
        for u, v, x, uv, ux, vx in pat.triangles():
            vu, xu, xv = rev[uv], rev[ux], rev[vx]
            # (a, b, c) orderings of the triangle with the entries ab, bc, ac
            for a, b, cc, ab, bc, ac in (
                (u, v, x, uv, vx, ux),
                (u, x, v, ux, xv, uv),
                (v, u, x, vu, ux, vx),
                (v, x, u, vx, xu, vu),
                (x, u, v, xu, uv, xv),
                (x, v, u, xv, vu, xu),
            ):
                hit = (dw[ab] > 0) & (dw[bc] > 0) & (dw[ac] > 0)
                if not hit.any():
                    continue
                role = _role_of(codes[a[hit]], codes[b[hit]], codes[cc[hit]])
                closed += np.bincount(
                    b[hit] * len(ROLES) + role,
                    weights=dw[ab[hit]] * dw[bc[hit]],
                    minlength=n * len(ROLES),
                )
        counts -= closed.reshape(n, len(ROLES))

    df = pd.DataFrame(counts, index=index, columns=list(ROLES))
    df["brokerage"] = counts.sum(axis=1)
    if weight is None:
        df = df.round().astype(np.int64)
    return df
