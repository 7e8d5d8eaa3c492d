"""Burt's constraint / effective size against networkx; Gould-Fernandez against brute force."""

from __future__ import annotations

import itertools
import math
import random

import networkx as nx
import numpy as np
import pytest
from random_graphs import make_graph

from plnanalytics.analysis.brokerage import (
    ROLES,
    brokerage_roles,
    constraint,
    effective_size,
)
from plnanalytics.graph.arrays import is_missing

TOL = {"rtol": 1e-9, "atol": 1e-12}




GRAPHS = [(20, 0.15, 1), (60, 0.06, 2), (150, 0.03, 3), (250, 0.02, 4)]


@pytest.fixture(params=GRAPHS, ids=lambda g: f"n{g[0]}-s{g[2]}")
def G(request) -> nx.DiGraph:
    return make_graph(*request.param)


def as_array(ref: dict, nodes) -> np.ndarray:
    return np.array([ref[v] for v in nodes], dtype=float)


def mutual_graph(G: nx.Graph, weight: str | None) -> nx.Graph:
    """Undirected graph whose ``mw`` is the mutual weight of each pair in ``G``.

    networkx's per-node formulas on it give the directed values up to a factor that the
    normalizations cancel, and its undirected neighbour test has no successor-only bug.
    """
    D = G if G.is_directed() else G.to_directed()
    U = nx.Graph()
    U.add_nodes_from(D)
    for u, v, d in D.edges(data=True):
        if u == v:
            continue
        w = d.get(weight, 1) if weight else 1
        if U.has_edge(u, v):
            U[u][v]["mw"] += w
        else:
            U.add_edge(u, v, mw=w)
    return U


# ---------------------------------------------------------------- constraint


@pytest.mark.parametrize("weight", ["weight", None])
@pytest.mark.parametrize("directed", [True, False])
def test_constraint_matches_networkx(G, weight, directed):
    H = G if directed else nx.Graph(G)
    s = constraint(H, weight=weight)
    assert list(s.index) == list(H.nodes) and s.index.name == "node"
    assert s.name == "constraint"
    np.testing.assert_allclose(
        s.to_numpy(), as_array(nx.constraint(H, weight=weight), H), equal_nan=True, **TOL
    )
    # networkx's per-node path, on the mutual-weight graph (see mutual_graph)
    U = mutual_graph(H, weight)
    tied = [v for v in H if U.degree(v) > 0]
    ref = nx.constraint(U, nodes=tied, weight="mw")
    np.testing.assert_allclose(s[tied].to_numpy(), as_array(ref, tied), **TOL)
    assert s[["iso_a", "iso_b"]].isna().all()
    assert s.isna().sum() == len(H) - len(tied)


def test_constraint_default_weight_is_weight(G):
    np.testing.assert_allclose(
        constraint(G).to_numpy(),
        as_array(nx.constraint(G, weight="weight"), G),
        equal_nan=True,
        **TOL,
    )


# ---------------------------------------------------------------- effective size


@pytest.mark.parametrize("weight", ["weight", None])
@pytest.mark.parametrize("directed", [True, False])
def test_effective_size_matches_networkx_definition(G, weight, directed):
    H = G if directed else nx.Graph(G)
    s = effective_size(H, weight=weight)
    assert list(s.index) == list(H.nodes) and s.name == "effective_size"
    U = mutual_graph(H, weight)
    tied = [v for v in H if U.degree(v) > 0]
    ref = nx.effective_size(U, nodes=tied, weight="mw")
    np.testing.assert_allclose(s[tied].to_numpy(), as_array(ref, tied), **TOL)
    # directly on H, for the nodes networkx's per-node path handles (those with successors)
    out = [v for v in H if len(H[v]) > 0]
    ref = nx.effective_size(H, nodes=out, weight=weight)
    np.testing.assert_allclose(s[out].to_numpy(), as_array(ref, out), **TOL)
    assert s[["iso_a", "iso_b"]].isna().all()
    assert s.isna().sum() == len(H) - len(tied)


def test_effective_size_unweighted_undirected_matches_networkx_default(G):
    U = nx.Graph(G)
    ref = nx.effective_size(U)  # all-nodes sparse path and Borgatti's formula agree here
    np.testing.assert_allclose(
        effective_size(U, weight=None).to_numpy(), as_array(ref, U), equal_nan=True, **TOL
    )


def test_effective_size_follows_the_documented_row_max_not_networkx_sparse_path():
    # networkx 3.6's all-nodes path divides mutual weights by the max of the wrong node
    # (networkx PR #8906); its per-node path follows Burt: m_vw = a_vw / max_x a_vx.
    G = nx.Graph()
    G.add_edge("x1", "x2", weight=2.0)
    G.add_edge("x2", "x3", weight=1.0)
    G.add_edge("x3", "x1", weight=3.0)
    s = effective_size(G)
    # ego x1: contacts x2 (p = 0.4) and x3 (p = 0.6); m(x2, x3) = 1/2, m(x3, x2) = 1/3
    assert s["x1"] == pytest.approx((1 - 0.6 * 0.5) + (1 - 0.4 * 1 / 3), rel=1e-12)
    ref = nx.effective_size(G, nodes=list(G), weight="weight")
    np.testing.assert_allclose(s.to_numpy(), as_array(ref, G), **TOL)


def test_burt_on_a_graph_with_a_large_hub():
    rng = np.random.default_rng(0)
    n = 3000
    G = nx.DiGraph()
    G.add_nodes_from(f"v{i}" for i in range(n))
    src, dst, wts = rng.integers(0, n, 9000), rng.integers(0, n, 9000), rng.integers(1, 6, 9000)
    G.add_weighted_edges_from(
        (f"v{a}", f"v{b}", float(w)) for a, b, w in zip(src, dst, wts, strict=True) if a != b
    )
    for i in rng.choice(np.arange(1, n), 500, replace=False):
        G.add_edge("v0", f"v{i}", weight=1.0)
    assert len(set(nx.all_neighbors(G, "v0"))) >= 500
    c = constraint(G)
    e = effective_size(G)
    assert len(c) == len(e) == n
    assert c.notna().sum() == e.notna().sum() == sum(1 for v in G if G.degree(v) > 0)
    assert c["v0"] < 0.05 and e["v0"] > 400


# ---------------------------------------------------------------- brokerage


def brute_force(G: nx.DiGraph, attribute: str, weight: str | None = None) -> np.ndarray:
    """Per-triple Gould-Fernandez counts, straight from the definition."""
    out = {v: [0.0] * 5 for v in G}
    for b in G:
        for a, c in itertools.product(G.predecessors(b), G.successors(b)):
            if len({a, b, c}) < 3 or G.has_edge(a, c):
                continue
            ga, gb, gc = (G.nodes[x].get(attribute) for x in (a, b, c))
            if any(is_missing(g) for g in (ga, gb, gc)):
                continue
            if ga == gb == gc:
                role = 0
            elif ga == gc:
                role = 1
            elif ga == gb:
                role = 2
            elif gb == gc:
                role = 3
            else:
                role = 4
            out[b][role] += 1 if weight is None else G[a][b][weight] * G[b][c][weight]
    return np.array([out[v] for v in G])


def with_groups(G: nx.DiGraph, seed: int) -> nx.DiGraph:
    G = G.copy()
    rng = random.Random(seed)
    for v in G:
        g = rng.choice(["A", "B", "C", "D", "A", "B", None, math.nan, "", "missing"])
        if g != "missing":
            G.nodes[v]["district"] = g
    G.nodes["t3"]["district"] = "A"
    return G


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_brokerage_matches_brute_force(G, seed):
    H = with_groups(G, seed)
    df = brokerage_roles(H, "district")
    assert list(df.columns) == [*ROLES, "brokerage"]
    assert list(df.index) == list(H.nodes) and df.index.name == "node"
    assert (df.dtypes == np.int64).all()
    expected = brute_force(H, "district")
    np.testing.assert_array_equal(df[list(ROLES)].to_numpy(), expected)
    np.testing.assert_array_equal(df["brokerage"].to_numpy(), expected.sum(axis=1))
    assert (df.loc[["iso_a", "iso_b"]] == 0).all().all()
    assert df.to_numpy().sum() > 0


def test_brokerage_weighted_matches_brute_force(G):
    H = with_groups(G, 5)
    df = brokerage_roles(H, "district", weight="weight")
    assert (df.dtypes == np.float64).all()
    np.testing.assert_allclose(df[list(ROLES)].to_numpy(), brute_force(H, "district", "weight"))


def test_brokerage_dense_graph_with_many_closed_triads():
    H = with_groups(make_graph(40, 0.3, 8), 3)
    np.testing.assert_array_equal(
        brokerage_roles(H, "district")[list(ROLES)].to_numpy(), brute_force(H, "district")
    )


def two_path(ga, gb, gc) -> nx.DiGraph:
    G = nx.DiGraph([("a", "b"), ("b", "c")])
    nx.set_node_attributes(G, {"a": ga, "b": gb, "c": gc}, "g")
    G.add_node("lonely", g="Q")
    return G


@pytest.mark.parametrize(
    "groups,role",
    [
        (("X", "X", "X"), "coordinator"),
        (("X", "Y", "X"), "itinerant"),
        (("X", "X", "Y"), "representative"),
        (("Y", "X", "X"), "gatekeeper"),
        (("X", "Y", "Z"), "liaison"),
    ],
)
def test_each_role_by_hand(groups, role):
    G = two_path(*groups)
    df = brokerage_roles(G, "g")
    expected = dict.fromkeys([*ROLES, "brokerage"], 0)
    assert df.loc["a"].to_dict() == expected
    assert df.loc["lonely"].to_dict() == expected
    expected.update({role: 1, "brokerage": 1})
    assert df.loc["b"].to_dict() == expected
    # closing the triad a -> c removes the brokerage; c -> a does not
    G.add_edge("c", "a")
    assert brokerage_roles(G, "g").loc["b", role] == 1
    G.add_edge("a", "c")
    assert brokerage_roles(G, "g").loc["b", "brokerage"] == 0


def test_missing_groups_are_not_counted():
    for missing in (None, math.nan, "", "  "):
        G = two_path("X", "X", missing)
        assert brokerage_roles(G, "g")["brokerage"].sum() == 0
        G = two_path("X", missing, "X")
        assert brokerage_roles(G, "g")["brokerage"].sum() == 0
    G = nx.DiGraph([("a", "b"), ("b", "c")])
    assert brokerage_roles(G, "g")["brokerage"].sum() == 0


def test_return_path_is_not_brokerage():
    G = nx.DiGraph([("a", "b"), ("b", "a")])
    nx.set_node_attributes(G, "X", "g")
    assert brokerage_roles(G, "g")["brokerage"].sum() == 0


def test_brokerage_undirected_input_is_symmetric_digraph(G):
    H = with_groups(G, 4)
    U = nx.Graph(H)
    np.testing.assert_array_equal(
        brokerage_roles(U, "district").to_numpy(),
        brokerage_roles(U.to_directed(), "district").to_numpy(),
    )


def test_brokerage_ignores_self_loops(G):
    H = with_groups(G, 6)
    L = H.copy()
    L.add_edges_from((v, v) for v in list(L)[:10])
    np.testing.assert_array_equal(
        brokerage_roles(L, "district").to_numpy(), brokerage_roles(H, "district").to_numpy()
    )


def test_empty_graph():
    G = nx.DiGraph()
    assert constraint(G).empty and effective_size(G).empty
    df = brokerage_roles(G, "g")
    assert df.empty and list(df.columns) == [*ROLES, "brokerage"]
