"""The networkit engine against the networkx engine and networkx itself."""

from __future__ import annotations

import random

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from random_graphs import make_graph

from plnanalytics.analysis import analyze
from plnanalytics.analysis import centrality as c
from plnanalytics.analysis.communities import community_table, detect, louvain, modularity
from plnanalytics.errors import OptionError
from plnanalytics.graph import engines
from plnanalytics.graph.arrays import adjacency, symmetric
from plnanalytics.graph.build import undirected

TOL = {"rtol": 1e-9, "atol": 1e-12}
EXACT = ["degree", "in_degree", "out_degree", "in_strength", "out_strength", "betweenness",
         "harmonic", "eigenvector", "clustering", "coreness", "constraint", "effective_size",
         "reciprocity", "component"]


def karate_directed(variant: int) -> nx.DiGraph:
    """Karate club as a digraph: both directions, a random orientation, or partly mutual."""
    K = nx.karate_club_graph()
    rng = random.Random(variant)
    G = nx.DiGraph()
    G.add_nodes_from(f"k{v}" for v in K)
    for u, v, d in K.edges(data=True):
        a, b = f"k{u}", f"k{v}"
        w = float(d.get("weight", 1))
        if variant == 0 or (variant == 2 and rng.random() < 0.5):
            G.add_edge(a, b, weight=w)
            G.add_edge(b, a, weight=w + 1)
        elif rng.random() < 0.5:
            G.add_edge(a, b, weight=w)
        else:
            G.add_edge(b, a, weight=w)
    return G


def random_directed(n: int = 2000, m: int = 6000, seed: int = 5) -> nx.DiGraph:
    """Random weighted digraph with isolates, several components and self-loops."""
    rng = random.Random(seed)
    R = nx.gnm_random_graph(n, m, seed=seed, directed=True)
    G = nx.DiGraph()
    nodes = [f"n{i}" for i in range(n)] + ["iso1", "iso2", "c1", "c2", "c3"]
    rng.shuffle(nodes)
    G.add_nodes_from(nodes)
    for u, v in R.edges:
        G.add_edge(f"n{u}", f"n{v}", weight=rng.uniform(0.5, 4.0))
    G.add_edges_from([("c1", "c2"), ("c2", "c3")], weight=2.0)
    for i in range(0, n, 97):
        G.add_edge(f"n{i}", f"n{i}", weight=3.0)  # self-loops: ignored everywhere
    return G


GRAPHS = {
    "karate-mutual": lambda: karate_directed(0),
    "karate-oriented": lambda: karate_directed(1),
    "karate-mixed": lambda: karate_directed(2),
    "random-60": lambda: make_graph(60, 0.05, 2),
    "random-2000": random_directed,
}


@pytest.fixture(params=sorted(GRAPHS), scope="module")
def G(request) -> nx.DiGraph:
    return GRAPHS[request.param]()


@pytest.fixture(scope="module")
def tables(G):
    return (c.centrality_table(G, engine="networkx", group=None),
            c.centrality_table(G, engine="networkit", group=None))


# ---------------------------------------------------------------- choices


def test_resolve_engine_and_errors():
    assert engines.resolve_engine("auto", engines.AUTO_MIN_NODES - 1) == "networkx"
    assert engines.resolve_engine("auto", engines.AUTO_MIN_NODES) == "networkit"
    assert engines.resolve_engine("networkx", 10**6) == "networkx"
    with pytest.raises(OptionError, match="networkx, networkit"):
        engines.resolve_engine("graph-tool", 5)
    with pytest.raises(OptionError, match="louvain, plm, leiden"):
        engines.resolve_communities("infomap", "networkx")
    with pytest.raises(OptionError):
        c.centrality_table(nx.DiGraph([(1, 2)]), engine="nope")
    with pytest.raises(OptionError):
        detect(nx.DiGraph([(1, 2)]), method="nope")
    with pytest.raises(OptionError):
        analyze(nx.DiGraph([(1, 2)]), engine="nope")
    with pytest.raises(OptionError):
        analyze(nx.DiGraph([(1, 2)]), communities="nope")


def test_seeded_restores_threads():
    import networkit as nk

    before = nk.getCurrentNumberOfThreads()
    with pytest.raises(RuntimeError), engines.seeded(1):
        raise RuntimeError
    assert nk.getCurrentNumberOfThreads() == before


# ---------------------------------------------------------------- exact measures


def test_exact_measures_equal_networkx_engine(G, tables):
    ref, got = tables
    assert list(got.index) == list(ref.index) == list(G.nodes)
    assert list(got.columns) == list(ref.columns)
    assert got.attrs == ref.attrs
    for col in EXACT:
        np.testing.assert_allclose(got[col].to_numpy(float), ref[col].to_numpy(float),
                                   equal_nan=True, err_msg=col, **TOL)
    assert got["coreness"].dtype == ref["coreness"].dtype == np.int64
    assert got["component"].tolist() == ref["component"].tolist()


def test_pagerank_equals_networkx_at_tight_tolerance(G, tables):
    Aw = adjacency(G, "weight")
    tight = c._pagerank(G, Aw, 0.85, max_iter=100_000, tol=1e-16).to_numpy()
    np.testing.assert_allclose(engines.pagerank(Aw), tight, rtol=1e-9, atol=1e-12)
    H = G.copy()
    H.remove_edges_from(nx.selfloop_edges(H))
    ref = nx.pagerank(H, tol=1e-15, max_iter=100_000)
    np.testing.assert_allclose(tables[1]["pagerank"].to_numpy(), [ref[v] for v in G],
                               rtol=1e-8, atol=1e-12)


def test_measures_equal_networkx_functions(G, tables):
    got = tables[1]
    H = G.copy()
    H.remove_edges_from(nx.selfloop_edges(H))
    U = undirected(H)
    if G.number_of_nodes() <= 200:
        bc = nx.betweenness_centrality(H, normalized=True)
        np.testing.assert_allclose(got["betweenness"], [bc[v] for v in G], **TOL)
        hc = nx.harmonic_centrality(H)
        np.testing.assert_allclose(got["harmonic"], [hc[v] / (len(G) - 1) for v in G], **TOL)
    core = nx.core_number(U)
    assert got["coreness"].tolist() == [core[v] for v in G]
    cl = nx.clustering(U)
    np.testing.assert_allclose(got["clustering"], [cl[v] for v in G], **TOL)
    comps = sorted(nx.weakly_connected_components(H), key=len, reverse=True)
    for comp in comps:
        assert got.loc[list(comp), "component"].nunique() == 1
    assert got["component"].nunique() == len(comps)


def test_engine_functions_on_edge_cases():
    empty = sp.csr_array((0, 0))
    assert engines.pagerank(empty).size == 0
    lonely = sp.csr_array((4, 4))
    assert engines.betweenness(lonely).tolist() == [0.0] * 4
    assert engines.coreness(lonely).tolist() == [0] * 4
    assert engines.clustering(lonely).tolist() == [0.0] * 4
    assert engines.components(lonely).tolist() == [0, 1, 2, 3]
    assert engines.harmonic_sums(lonely, np.arange(4)).tolist() == [0.0] * 4
    assert engines.communities(lonely, seed=0).tolist() == [0, 1, 2, 3]
    np.testing.assert_allclose(engines.pagerank(lonely), [0.25] * 4)


def test_sampled_harmonic_same_on_both_engines():
    G = random_directed(600, 2400, seed=2)
    a = c.centrality_table(G, engine="networkx", k=40, seed=3)
    b = c.centrality_table(G, engine="networkit", k=40, seed=3)
    assert a.attrs["harmonic"] == b.attrs["harmonic"] == {"sampled": True, "k": 40, "seed": 3}
    np.testing.assert_allclose(b["harmonic"], a["harmonic"], equal_nan=True, **TOL)
    assert b.attrs["betweenness"] == {"sampled": True, "k": 40, "seed": 3,
                                      "estimator": "linear-scaling"}


def test_sampled_betweenness_is_reproducible_and_unbiased():
    G = random_directed(800, 3200, seed=4)
    A = adjacency(G, None)
    one = engines.betweenness(A, k=200, seed=7)
    for _ in range(5):
        assert np.array_equal(one, engines.betweenness(A, k=200, seed=7))
    tiny = adjacency(karate_directed(1), None)
    first = engines.betweenness(tiny, k=6, seed=1)  # runs too short to overlap in time
    for _ in range(20):
        assert np.array_equal(first, engines.betweenness(tiny, k=6, seed=1))
    assert not np.array_equal(one, engines.betweenness(A, k=200, seed=8))
    exact = engines.betweenness(A)
    assert abs(one.sum() / exact.sum() - 1) < 0.05
    runs = np.mean([engines.betweenness(A, k=100, seed=s) for s in range(20)], axis=0)
    top = np.argsort(-exact)[:50]
    assert abs(np.mean(runs[top] / exact[top]) - 1) < 0.03  # no bias toward either end


def chat_matrix(nodes: int, ties: int, seed: int) -> sp.csr_array:
    """A chat-like digraph (as scripts/bench_analyze.py): heavy-tailed activity and
    popularity, communities of about 200, 80% of ties inside them."""
    rng = np.random.default_rng(seed)
    community = rng.integers(0, max(1, nodes // 200), nodes)
    activity = rng.pareto(1.5, nodes) + 1
    popularity = rng.pareto(1.2, nodes) + 1
    src = rng.choice(nodes, ties, p=activity / activity.sum())
    dst = rng.choice(nodes, ties, p=popularity / popularity.sum())
    inside = np.flatnonzero(rng.random(ties) < 0.8)
    order = np.argsort(community, kind="stable")
    bounds = np.searchsorted(community[order], np.arange(community.max() + 2))
    for comm in np.unique(community[src[inside]]):
        idx = inside[community[src[inside]] == comm]
        pool = order[bounds[comm] : bounds[comm + 1]]
        dst[idx] = rng.choice(pool, len(idx), p=popularity[pool] / popularity[pool].sum())
    keep = src != dst
    A = sp.coo_array((np.ones(keep.sum()), (src[keep], dst[keep])), shape=(nodes, nodes))
    A = A.tocsr()
    A.sum_duplicates()
    A.data[:] = 1.0
    return A


def test_sampled_betweenness_top_100_matches_exact_on_20k_nodes():
    """Default sample on a 20,000-node heavy-tailed digraph: top-100 overlap >= 90%."""
    A = chat_matrix(20_000, 100_000, seed=1)  # 84,000 arcs, the density of the benchmarks
    k = engines.default_k(A.nnz, engines.BETWEENNESS_WORK, engines.NETWORKIT_K)
    assert 1000 <= k <= engines.NETWORKIT_K
    import networkit as nk

    with engines._threads(nk.getMaxNumberOfThreads()):
        exact = engines.betweenness(A)
    top = set(np.argsort(-exact)[:100].tolist())
    est = engines.betweenness(A, k=k, seed=0)  # seeds 0-4 at k=1000 gave 92-95
    overlap = len(top & set(np.argsort(-est)[:100].tolist()))
    assert overlap >= 90, overlap


# ---------------------------------------------------------------- communities


def planted(groups: int = 8, size: int = 40, seed: int = 3) -> nx.DiGraph:
    rng = random.Random(seed)
    G = nx.DiGraph()
    nodes = [f"g{g}-{i}" for g in range(groups) for i in range(size)]
    G.add_nodes_from(nodes)
    for u in nodes:
        for v in nodes:
            same = u.split("-")[0] == v.split("-")[0]
            if u != v and rng.random() < (0.2 if same else 0.01):
                G.add_edge(u, v, weight=float(rng.randint(1, 3)), contexts="#edchat; #k12")
    G.add_node("alone")
    return G


@pytest.mark.parametrize("method", ["plm", "leiden"])
def test_networkit_communities_match_python_louvain(method):
    G = planted()
    ref = louvain(G, seed=0)
    got = detect(G, method=method, seed=0)
    assert list(got.index) == list(G.nodes) and got.name == "community"
    assert got.dtype == np.int64
    q_ref, q_got = modularity(G, ref), modularity(G, got)
    assert q_got >= 0.97 * q_ref, (q_got, q_ref)
    assert got["alone"] == got.max()  # the isolate is a community of its own, the smallest
    sizes = got.value_counts().sort_index().tolist()
    assert sizes == sorted(sizes, reverse=True)  # numbered by size


@pytest.mark.parametrize("method", ["plm", "leiden"])
def test_networkit_communities_reproducible_and_order_independent(method):
    G = random_directed(1500, 4000, seed=9)
    a = detect(G, method=method, seed=4)
    assert a.equals(detect(G, method=method, seed=4))
    rng = random.Random(1)
    nodes, edges = list(G.nodes(data=True)), list(G.edges(data=True))
    rng.shuffle(nodes)
    rng.shuffle(edges)
    H = nx.DiGraph()
    H.add_nodes_from(nodes)
    H.add_edges_from(edges)
    b = detect(H, method=method, seed=4)
    assert b.reindex(a.index).equals(a)


def test_communities_resolution_and_unweighted():
    G = planted()
    fine = detect(G, method="plm", resolution=3.0)
    coarse = detect(G, method="plm", resolution=0.3)
    assert fine.nunique() > coarse.nunique()
    assert detect(G, method="plm", weight=None).nunique() >= 2


# ---------------------------------------------------------------- analyze


def test_analyze_engines_agree_on_exact_measures():
    G = planted()
    nx_res = analyze(G, engine="networkx", communities="louvain")
    nk_res = analyze(G, engine="networkit", communities="louvain")
    a, b = nx_res.metrics, nk_res.metrics
    assert list(a.columns) == list(b.columns)
    for col in [*EXACT, "community"]:
        np.testing.assert_allclose(b[col].to_numpy(float), a[col].to_numpy(float),
                                   equal_nan=True, err_msg=col, **TOL)
    np.testing.assert_allclose(b["pagerank"], a["pagerank"], atol=1e-5)
    assert nx_res.summary["settings"]["engine"] == "networkx"
    assert nk_res.summary["settings"]["engine"] == "networkit"
    assert nk_res.summary["settings"]["communities"] == "louvain"
    assert nx_res.summary["modularity"] == pytest.approx(nk_res.summary["modularity"])


def test_analyze_auto_on_small_graphs_is_todays_result():
    G = planted()
    auto = analyze(G, seed=2)
    old = louvain(G, seed=2)
    assert auto.metrics["community"].tolist() == old.tolist()
    table = c.centrality_table(G, seed=2, group="organization")
    np.testing.assert_array_equal(auto.metrics["pagerank"], table["pagerank"])
    assert auto.summary["settings"]["engine"] == "networkx"
    assert auto.summary["settings"]["communities"] == "louvain"


@pytest.mark.parametrize("method", ["plm", "leiden"])
def test_analyze_with_networkit_communities_reports_modularity(method):
    G = planted()
    res = analyze(G, engine="networkit", communities=method, seed=1)
    assert res.summary["settings"]["communities"] == method
    part = res.metrics.set_index("node")["community"]
    assert res.summary["modularity"] == pytest.approx(modularity(G, part))
    assert res.summary["modularity"] > 0.5
    assert res.communities["size"].sum() == G.number_of_nodes()


# ---------------------------------------------------------------- community table


def test_community_table_fast_path_equals_edge_loop():
    """The array path (directed graphs) equals the per-edge path (undirected input)."""
    G = planted()
    rng = random.Random(2)
    for *_, d in G.edges(data=True):
        d["contexts"] = rng.choice(["#a; #b", "#b", ["#c", "#a", "#c"], None, "#a;#a ; #d", ""])
    part = louvain(G, seed=0)
    pr = c.pagerank(G)
    fast = community_table(G, part, pagerank=pr, top=3)
    # the slow path, forced: the same ties and arcs, read edge by edge
    from plnanalytics.analysis import communities as cm

    slow = cm._top_contexts_edges(G, np.asarray(part.to_numpy()), list(G.nodes), "weight", 3,
                                  fast.index)
    assert fast["top_contexts"].tolist() == slow.tolist()
    assert symmetric(adjacency(G, None)).nnz // 2 == undirected(G).number_of_edges()
