"""Node centrality against networkx references, isolates kept, sampling recorded."""

from __future__ import annotations

import math
import random

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from random_graphs import make_graph

from plnanalytics.analysis.brokerage import ROLES, brokerage_roles, constraint, effective_size
from plnanalytics.analysis.centrality import (
    TABLE_COLUMNS,
    betweenness,
    centrality_table,
    clustering,
    components,
    coreness,
    degrees,
    eigenvector,
    harmonic,
    pagerank,
    reciprocity,
)
from plnanalytics.graph.build import undirected

TOL = {"rtol": 1e-9, "atol": 1e-12}




GRAPHS = [(20, 0.15, 1), (60, 0.05, 2), (120, 0.03, 3), (200, 0.02, 4)]


@pytest.fixture(params=GRAPHS, ids=lambda g: f"n{g[0]}-s{g[2]}")
def G(request) -> nx.DiGraph:
    return make_graph(*request.param)


def values(ref: dict, G: nx.Graph) -> np.ndarray:
    return np.array([np.nan if ref.get(v) is None else ref[v] for v in G], dtype=float)


def check_index(s: pd.Series | pd.DataFrame, G: nx.Graph) -> None:
    assert s.index.name == "node"
    assert list(s.index) == list(G.nodes)


# ---------------------------------------------------------------- degrees


def test_degrees_match_networkx(G):
    df = degrees(G)
    check_index(df, G)
    assert list(df.columns) == ["degree", "in_degree", "out_degree", "in_strength", "out_strength"]
    assert df["degree"].tolist() == [len(set(nx.all_neighbors(G, v))) for v in G]
    assert df["in_degree"].tolist() == [G.in_degree(v) for v in G]
    assert df["out_degree"].tolist() == [G.out_degree(v) for v in G]
    np.testing.assert_allclose(df["in_strength"], [G.in_degree(v, weight="weight") for v in G])
    np.testing.assert_allclose(df["out_strength"], [G.out_degree(v, weight="weight") for v in G])
    for col in ("degree", "in_degree", "out_degree"):
        assert df[col].dtype == np.int64
    assert (df.loc[["iso_a", "iso_b"]] == 0).all().all()


# ---------------------------------------------------------------- betweenness


def test_betweenness_exact_matches_networkx(G):
    s = betweenness(G)
    check_index(s, G)
    assert s.name == "betweenness"
    ref = nx.betweenness_centrality(G, normalized=True, weight=None)
    np.testing.assert_allclose(s.to_numpy(), values(ref, G), **TOL)
    assert s.attrs == {"sampled": False, "k": None, "seed": None}
    assert s["iso_a"] == 0.0


@pytest.mark.parametrize("k,seed", [(7, 0), (7, 3), (25, 11), (2, 5)])
def test_betweenness_sampled_matches_networkx(G, k, seed):
    s = betweenness(G, k=k, seed=seed)
    ref = nx.betweenness_centrality(G, k=k, seed=seed, normalized=True)
    np.testing.assert_allclose(s.to_numpy(), values(ref, G), **TOL)
    assert s.attrs == {"sampled": True, "k": k, "seed": seed}
    check_index(s, G)


def test_betweenness_default_sample_above_threshold():
    G = make_graph(600, 0.004, 7)
    n = G.number_of_nodes()
    s = betweenness(G, exact_max_nodes=100, seed=4)
    assert s.attrs == {"sampled": True, "k": 500, "seed": 4}
    ref = nx.betweenness_centrality(G, k=500, seed=4, normalized=True)
    np.testing.assert_allclose(s.to_numpy(), values(ref, G), **TOL)
    # a sample as large as the graph is the exact computation
    small = make_graph(40, 0.08, 1)
    t = betweenness(small, exact_max_nodes=10)
    assert t.attrs == {"sampled": False, "k": None, "seed": None}
    np.testing.assert_allclose(t.to_numpy(), betweenness(small).to_numpy(), **TOL)
    assert betweenness(small, k=10_000).attrs["sampled"] is False
    assert n > 500


def test_betweenness_k1_source_is_nan_like_networkx():
    G = make_graph(30, 0.1, 2)
    s = betweenness(G, k=1, seed=0)
    ref = nx.betweenness_centrality(G, k=1, seed=0, normalized=True)
    np.testing.assert_allclose(s.to_numpy(), values(ref, G), equal_nan=True, **TOL)
    assert s.isna().sum() == 1


def test_betweenness_rejects_nonpositive_k(G):
    with pytest.raises(ValueError):
        betweenness(G, k=0)


def test_sampling_is_deterministic(G):
    a, b = betweenness(G, k=9, seed=42), betweenness(G, k=9, seed=42)
    pd.testing.assert_series_equal(a, b)
    c, d = harmonic(G, k=9, seed=42), harmonic(G, k=9, seed=42)
    pd.testing.assert_series_equal(c, d)
    assert not np.allclose(harmonic(G, k=9, seed=1).to_numpy(), c.to_numpy())


# ---------------------------------------------------------------- harmonic


def test_harmonic_exact_matches_networkx(G):
    s = harmonic(G)
    check_index(s, G)
    n = G.number_of_nodes()
    ref = nx.harmonic_centrality(G)
    np.testing.assert_allclose(s.to_numpy(), values(ref, G) / (n - 1), **TOL)
    assert s.attrs == {"sampled": False, "k": None, "seed": None}
    assert s["iso_a"] == 0.0
    assert s.between(0, 1).all()


@pytest.mark.parametrize("k,seed", [(5, 0), (12, 8), (20, 2)])
def test_harmonic_sampled_is_scaled_networkx_on_the_same_sources(G, k, seed):
    s = harmonic(G, k=k, seed=seed)
    assert s.attrs == {"sampled": True, "k": k, "seed": seed}
    sources = random.Random(seed).sample(list(G.nodes), k)
    ref = nx.harmonic_centrality(G, sources=sources)
    scale = np.array([k - (v in sources) for v in G], dtype=float)
    np.testing.assert_allclose(s.to_numpy(), values(ref, G) / scale, **TOL)


def test_harmonic_sampling_is_unbiased_on_average():
    G = make_graph(40, 0.08, 5)
    exact = harmonic(G).to_numpy()
    mean = np.mean([harmonic(G, k=10, seed=s).to_numpy() for s in range(400)], axis=0)
    assert np.abs(mean - exact).max() < 0.05 * max(exact.max(), 1e-9) + 0.01


def test_harmonic_tiny_graphs():
    one = nx.DiGraph()
    one.add_node("a")
    assert harmonic(one).tolist() == [0.0]
    assert betweenness(one).tolist() == [0.0]
    empty = nx.DiGraph()
    assert harmonic(empty).empty and betweenness(empty).empty


# ---------------------------------------------------------------- pagerank, eigenvector


def test_pagerank_matches_networkx(G):
    s = pagerank(G)
    check_index(s, G)
    np.testing.assert_allclose(s.to_numpy(), values(nx.pagerank(G, weight="weight"), G), **TOL)
    ref = nx.pagerank(G, alpha=0.7, weight=None)
    np.testing.assert_allclose(pagerank(G, alpha=0.7, weight=None), values(ref, G), **TOL)
    assert s["iso_a"] > 0


@pytest.mark.parametrize("weight", ["weight", None, "count"])
def test_eigenvector_connected_matches_networkx(weight):
    R = make_graph(80, 0.06, 9)
    core = max(nx.weakly_connected_components(R), key=len)
    G = R.subgraph(core).copy()
    s = eigenvector(G, weight=weight)
    ref = nx.eigenvector_centrality_numpy(undirected(G), weight=weight)
    np.testing.assert_allclose(s.to_numpy(), values(ref, G), **TOL)
    assert np.isclose(np.linalg.norm(s), 1.0)


@pytest.mark.parametrize("weight", ["weight", None])
def test_eigenvector_per_component(G, weight):
    G = G.copy()
    G.add_edge("pair_a", "pair_b", weight=2.0)
    s = eigenvector(G, weight=weight)
    check_index(s, G)
    H = undirected(G)
    comps = [c for c in nx.connected_components(H) if len(c) >= 2]
    tied = sum(len(c) for c in comps)
    for c in comps:
        nodes = [v for v in G if v in c]
        if len(c) == 2:
            expected = np.full(2, 1 / math.sqrt(2))
        else:
            ref = nx.eigenvector_centrality_numpy(H.subgraph(c), weight=weight)
            expected = np.array([ref[v] for v in nodes])
        np.testing.assert_allclose(
            s[nodes].to_numpy(), expected * math.sqrt(len(c) / tied), **TOL
        )
    assert s["iso_a"] == 0.0 and s["iso_b"] == 0.0
    assert np.isclose(np.linalg.norm(s), 1.0)
    assert (s >= 0).all()


def test_eigenvector_large_component_uses_sparse_solver():
    R = make_graph(400, 0.01, 3)
    core = max(nx.weakly_connected_components(R), key=len)
    assert len(core) > 64
    G = R.subgraph(core).copy()
    ref = nx.eigenvector_centrality_numpy(undirected(G), weight="weight")
    np.testing.assert_allclose(eigenvector(G).to_numpy(), values(ref, G), **TOL)


# ---------------------------------------------------------------- clustering, coreness


def test_clustering_and_coreness_match_networkx(G):
    H = undirected(G)
    c = clustering(G)
    check_index(c, G)
    np.testing.assert_allclose(c.to_numpy(), values(nx.clustering(H), G), **TOL)
    k = coreness(G)
    check_index(k, G)
    assert k.tolist() == [nx.core_number(H)[v] for v in G]
    assert k.dtype == np.int64
    assert c["iso_a"] == 0.0 and k["iso_a"] == 0


@pytest.mark.parametrize(
    "R",
    [
        nx.gnp_random_graph(60, 0.3, seed=1, directed=True),
        nx.barabasi_albert_graph(300, 4, seed=2),
        nx.path_graph(50, create_using=nx.DiGraph),
        nx.complete_graph(7, create_using=nx.DiGraph),
    ],
    ids=["dense", "barabasi-albert", "path", "complete"],
)
def test_coreness_and_clustering_on_varied_graphs(R):
    G = nx.relabel_nodes(R, {v: f"v{v}" for v in R})
    G.add_node("lonely")
    H = undirected(G)
    assert coreness(G).tolist() == [nx.core_number(H)[v] for v in G]
    np.testing.assert_allclose(clustering(G).to_numpy(), values(nx.clustering(H), G), **TOL)


# ---------------------------------------------------------------- reciprocity, components


def test_reciprocity_matches_networkx(G):
    s = reciprocity(G)
    check_index(s, G)
    tied = [v for v in G if G.degree(v) > 0]
    ref = nx.reciprocity(G, tied)
    np.testing.assert_allclose(s[tied].to_numpy(), [ref[v] for v in tied], **TOL)
    assert s[["iso_a", "iso_b"]].isna().all()
    assert s.isna().sum() == len(G) - len(tied)


def test_components_numbering(G):
    s = components(G)
    check_index(s, G)
    comps = sorted(nx.weakly_connected_components(G), key=lambda c: (-len(c), min(c)))
    expected = {v: i for i, c in enumerate(comps) for v in c}
    assert s.tolist() == [expected[v] for v in G]
    assert s.dtype == np.int64
    assert s["iso_a"] != s["iso_b"]
    assert s["iso_a"] < s["iso_b"]  # equal sizes: ordered by smallest key


def test_components_ties_by_smallest_key():
    G = nx.DiGraph([("m", "n"), ("b", "z")])
    G.add_nodes_from(["y", "c"])
    assert components(G).to_dict() == {"m": 1, "n": 1, "b": 0, "z": 0, "y": 3, "c": 2}


# ---------------------------------------------------------------- robustness


def test_self_loops_are_ignored(G):
    L = G.copy()
    L.add_edge("iso_a", "iso_a", weight=3.0, count=3)
    for v in list(G)[:5]:
        L.add_edge(v, v, weight=2.0, count=2)
    a = centrality_table(G)
    b = centrality_table(L)
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-9, atol=1e-12)
    assert math.isnan(b.loc["iso_a", "constraint"])


def test_undirected_input_is_read_as_symmetric(G):
    U = nx.Graph(G)
    df = degrees(U)
    assert (df["in_degree"] == df["out_degree"]).all()
    assert (df["degree"] == [U.degree(v) for v in U]).all()
    np.testing.assert_allclose(df["in_strength"], [U.degree(v, weight="weight") for v in U])
    ref = nx.betweenness_centrality(U, normalized=True)
    np.testing.assert_allclose(betweenness(U).to_numpy(), values(ref, U), **TOL)
    n = U.number_of_nodes()
    ref = nx.harmonic_centrality(U)
    np.testing.assert_allclose(harmonic(U).to_numpy(), values(ref, U) / (n - 1), **TOL)
    np.testing.assert_allclose(pagerank(U).to_numpy(), values(nx.pagerank(U), U), **TOL)
    r = reciprocity(U)
    assert (r.dropna() == 1.0).all() and r["iso_a"] != r["iso_a"]
    # the same as the symmetric digraph
    D = U.to_directed()
    pd.testing.assert_frame_equal(centrality_table(U), centrality_table(D))


# ---------------------------------------------------------------- table


def test_centrality_table(G):
    df = centrality_table(G, seed=3)
    check_index(df, G)
    assert tuple(df.columns) == TABLE_COLUMNS
    assert df.attrs == {
        "betweenness": {"sampled": False, "k": None, "seed": None},
        "harmonic": {"sampled": False, "k": None, "seed": None},
        "group": None,
    }
    parts = [
        degrees(G), betweenness(G), pagerank(G), harmonic(G), eigenvector(G), clustering(G),
        coreness(G), constraint(G), effective_size(G), reciprocity(G), components(G),
    ]
    expected = pd.concat(parts, axis=1)
    pd.testing.assert_frame_equal(df, expected, check_exact=False, rtol=1e-9, atol=1e-12)
    assert df.loc["iso_a", "degree"] == 0
    assert math.isnan(df.loc["iso_a", "constraint"])


def test_centrality_table_sampled_with_groups(G):
    G = G.copy()
    rng = random.Random(1)
    for v in G:
        if rng.random() < 0.9:
            G.nodes[v]["district"] = rng.choice("ABC")
    df = centrality_table(G, k=6, seed=2, group="district")
    assert list(df.columns) == [*TABLE_COLUMNS, *ROLES, "brokerage"]
    assert df.attrs["betweenness"] == {"sampled": True, "k": 6, "seed": 2}
    assert df.attrs["harmonic"] == {"sampled": True, "k": 6, "seed": 2}
    assert df.attrs["group"] == "district"
    pd.testing.assert_series_equal(df["betweenness"], betweenness(G, k=6, seed=2))
    pd.testing.assert_frame_equal(df[[*ROLES, "brokerage"]], brokerage_roles(G, "district"))
    pd.testing.assert_frame_equal(df, centrality_table(G, k=6, seed=2, group="district"))
