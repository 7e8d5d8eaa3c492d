"""Unit tests of plnanalytics.analysis.communities on hand-built and random graphs."""

from __future__ import annotations

import math
import random

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from plnanalytics.analysis.communities import community_table, louvain, modularity
from plnanalytics.graph.build import undirected


def two_triangles() -> nx.DiGraph:
    """Two directed triangles joined by one arc, plus an isolate."""
    G = nx.DiGraph()
    G.add_node("zed")  # isolate, inserted first
    G.add_edges_from([("a", "b"), ("b", "c"), ("c", "a")], weight=1.0)
    G.add_edges_from([("x", "y"), ("y", "z"), ("z", "x"), ("y", "x")], weight=2.0)
    G.add_edge("c", "x", weight=0.5)
    return G


def planted(n_groups: int = 6, size: int = 25, p_in: float = 0.3, p_out: float = 0.01, seed=7):
    """A directed planted-partition graph with string keys, weights, contexts and isolates."""
    rng = random.Random(seed)
    G = nx.DiGraph()
    nodes = [f"p{g}-{i}" for g in range(n_groups) for i in range(size)]
    G.add_nodes_from(nodes)
    for u in nodes:
        for v in nodes:
            if u == v:
                continue
            same = u.split("-")[0] == v.split("-")[0]
            if rng.random() < (p_in if same else p_out):
                G.add_edge(u, v, weight=float(rng.randint(1, 4)), contexts="#edchat")
    G.add_nodes_from(["iso-1", "iso-2"])
    return G


def shuffled_copy(G: nx.DiGraph, seed: int) -> nx.DiGraph:
    """The same graph with nodes and edges inserted in another order."""
    rng = random.Random(seed)
    nodes = list(G.nodes(data=True))
    edges = list(G.edges(data=True))
    rng.shuffle(nodes)
    rng.shuffle(edges)
    H = nx.DiGraph()
    H.add_nodes_from(nodes)
    H.add_edges_from(edges)
    return H


def random_weighted(n: int, m: int, seed: int) -> nx.DiGraph:
    G = nx.gnm_random_graph(n, m, seed=seed, directed=True)
    rng = random.Random(seed)
    G = nx.relabel_nodes(G, {i: f"v{i:03d}" for i in G})
    for u, v in G.edges:
        G[u][v]["weight"] = rng.uniform(0.1, 5.0)
    return G


# --------------------------------------------------------------------------- louvain
def test_louvain_two_triangles_and_isolate():
    G = two_triangles()
    c = louvain(G, seed=0)
    assert list(c.index) == list(G.nodes)
    assert c.index.name == "node" and c.name == "community"
    assert c.dtype == np.int64
    # sizes 3, 3, 1: the tie between the triangles goes to the smaller key ("a" < "x")
    assert c.to_dict() == {"zed": 2, "a": 0, "b": 0, "c": 0, "x": 1, "y": 1, "z": 1}


def test_louvain_edgeless_single_and_empty():
    G = nx.DiGraph()
    G.add_nodes_from(["b", "c", "a"])
    c = louvain(G)
    assert list(c.index) == ["b", "c", "a"]
    assert c.to_dict() == {"a": 0, "b": 1, "c": 2}

    single = nx.DiGraph()
    single.add_node("only")
    assert louvain(single).to_dict() == {"only": 0}

    empty = louvain(nx.DiGraph())
    assert empty.empty and empty.name == "community" and empty.index.name == "node"


def test_louvain_two_components_each_isolate_own_community():
    G = nx.DiGraph([("a", "b"), ("b", "a"), ("c", "d")])
    G.add_nodes_from(["i1", "i2", "i3"])
    c = louvain(G, seed=3)
    assert c["a"] == c["b"] and c["c"] == c["d"] and c["a"] != c["c"]
    isolates = c[["i1", "i2", "i3"]]
    assert isolates.nunique() == 3
    assert not set(isolates).intersection({c["a"], c["c"]})
    # communities numbered by size then smallest key
    assert c.to_dict() == {"a": 0, "b": 0, "c": 1, "d": 1, "i1": 2, "i2": 3, "i3": 4}


def test_louvain_numbering_by_size_descending():
    G = planted(n_groups=3, size=10)
    G.remove_nodes_from([f"p2-{i}" for i in range(5)])  # make group 2 the smallest
    c = louvain(G, seed=0)
    sizes = c.value_counts().sort_index()
    assert list(sizes.index) == list(range(len(sizes)))
    assert sizes.is_monotonic_decreasing


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_louvain_deterministic_and_independent_of_insertion_order(seed):
    G = planted()
    first = louvain(G, seed=seed)
    assert first.equals(louvain(G, seed=seed))
    for k in range(3):
        H = shuffled_copy(G, k)
        other = louvain(H, seed=seed)
        assert list(other.index) == list(H.nodes)
        assert other.to_dict() == first.to_dict()


def test_louvain_recovers_planted_groups():
    G = planted()
    c = louvain(G, seed=0)
    for g in range(6):
        assert c[[f"p{g}-{i}" for i in range(25)]].nunique() == 1
    assert c[[f"p{g}-0" for g in range(6)]].nunique() == 6
    assert c["iso-1"] != c["iso-2"]


def test_louvain_accepts_undirected_graph_and_matches_directed():
    G = planted()
    assert louvain(undirected(G), seed=1).to_dict() == louvain(G, seed=1).to_dict()


def test_louvain_resolution_changes_granularity():
    G = planted(n_groups=4, size=20)
    coarse = louvain(G, seed=0, resolution=0.05).nunique()
    fine = louvain(G, seed=0, resolution=5.0).nunique()
    assert coarse < fine


# --------------------------------------------------------------------------- modularity
@pytest.mark.parametrize("seed", range(6))
def test_modularity_equals_networkx_on_random_graphs(seed):
    G = random_weighted(60, 240, seed)
    G.add_node("isolated")
    H = undirected(G)
    rng = np.random.default_rng(seed)
    labels = pd.Series(rng.integers(0, 5, len(G)), index=list(G.nodes))
    sets = [set(labels.index[labels == k]) for k in labels.unique()]
    for resolution in (0.5, 1.0, 2.0):
        expected = nx.community.modularity(H, sets, weight="weight", resolution=resolution)
        assert modularity(G, labels, resolution=resolution) == pytest.approx(expected, abs=1e-9)
        assert modularity(G, sets, resolution=resolution) == pytest.approx(expected, abs=1e-9)
    found = louvain(G, seed=seed)
    found_sets = [set(found.index[found == k]) for k in found.unique()]
    assert modularity(G, found) == pytest.approx(
        nx.community.modularity(H, found_sets, weight="weight"), abs=1e-9
    )
    unweighted = nx.community.modularity(H, found_sets, weight=None)
    assert modularity(G, found, weight=None) == pytest.approx(unweighted, abs=1e-9)


def test_modularity_undirected_input_with_self_loop_matches_networkx():
    H = nx.Graph([("a", "b"), ("b", "c"), ("c", "d"), ("d", "a"), ("a", "c")])
    H.add_edge("a", "a", weight=3.0)
    sets = [{"a", "b"}, {"c", "d"}]
    assert modularity(H, sets) == pytest.approx(nx.community.modularity(H, sets), abs=1e-12)


def test_modularity_edgeless_is_nan_and_partition_is_checked():
    G = nx.DiGraph()
    G.add_nodes_from("abc")
    assert math.isnan(modularity(G, {"a": 0, "b": 1, "c": 2}))
    assert math.isnan(modularity(nx.DiGraph(), {}))
    with pytest.raises(ValueError, match="have none"):
        modularity(two_triangles(), {"a": 0})
    with pytest.raises(ValueError, match="more than one"):
        modularity(nx.Graph([("a", "b")]), [{"a", "b"}, {"b"}])


# --------------------------------------------------------------------------- table
def table_graph() -> nx.DiGraph:
    """Five educators of one district bloc (4 Cedar Valley + 1 Riverbend) and a pair."""
    G = nx.DiGraph()
    cedar = {"organization": "Cedar Valley Unified"}
    G.add_node("p1", label="Ana Diaz", **cedar)
    G.add_node("p2", label="Ben Ode", **cedar)
    G.add_node("p3", **cedar)  # no label: the key is shown
    G.add_node("p4", label="Dee Fox", **cedar)
    G.add_node("p5", label="Eli Gray", organization="Riverbend")
    G.add_node("q1", label="Quinn")
    G.add_node("q2", label="Rae", organization="")
    G.add_node("lone", label="Lone Wolf", organization="Riverbend")
    G.add_edge("p1", "p2", weight=3.0, contexts="#naespchat; #edchat")
    G.add_edge("p2", "p1", weight=1.0, contexts="#edchat")
    G.add_edge("p2", "p3", weight=1.0, contexts="#principallife")
    G.add_edge("p3", "p4", weight=1.0, contexts="#naespchat")
    G.add_edge("p4", "p5", weight=1.0, contexts="")
    G.add_edge("p5", "p1", weight=2.0)
    G.add_edge("q1", "q2", weight=1.0, contexts="#zeta; #alpha")
    G.add_edge("p5", "q1", weight=1.0, contexts="#crossing")
    return G


def test_community_table_hand_built():
    G = table_graph()
    comm = {"p1": 0, "p2": 0, "p3": 0, "p4": 0, "p5": 0, "q1": 1, "q2": 1, "lone": 2}
    pr = pd.Series({"p1": 0.3, "p2": 0.1, "p3": 0.2, "p4": 0.05, "p5": 0.05, "q1": 0.1,
                    "q2": 0.2, "lone": 0.0})
    t = community_table(G, comm, pagerank=pr, top=3)
    assert list(t.columns) == [
        "community", "size", "internal_ties", "internal_density", "modularity_share",
        "top_members", "top_contexts", "dominant_groups", "ei_index",
    ]
    assert t["community"].tolist() == [0, 1, 2]
    assert t["size"].tolist() == [5, 2, 1]
    # p1-p2 (both ways: one tie), p2-p3, p3-p4, p4-p5, p5-p1
    assert t["internal_ties"].tolist() == [5, 1, 0]
    assert t.loc[0, "internal_density"] == pytest.approx(5 / 10)
    assert t.loc[1, "internal_density"] == 1.0
    assert math.isnan(t.loc[2, "internal_density"])
    # ties p4/p5 on pagerank are broken by node key
    assert t.loc[0, "top_members"] == "Ana Diaz; p3; Ben Ode"
    assert t.loc[1, "top_members"] == "Rae; Quinn"
    assert t.loc[2, "top_members"] == "Lone Wolf"
    # #edchat 3+1, #naespchat 3+1 (tie: alphabetical), #principallife 1; the crossing
    # context is on an edge between communities and counts for neither
    assert t.loc[0, "top_contexts"] == "#edchat; #naespchat; #principallife"
    assert t.loc[1, "top_contexts"] == "#alpha; #zeta"
    assert t.loc[2, "top_contexts"] == ""
    assert t.loc[0, "dominant_groups"] == "Cedar Valley Unified 80%; Riverbend 20%"
    assert t.loc[1, "dominant_groups"] == "unknown 100%"
    assert t.loc[2, "dominant_groups"] == "Riverbend 100%"
    # E-I: community 0 has I=5, E=1; community 1 I=1, E=1; the isolate has no ties
    assert t.loc[0, "ei_index"] == pytest.approx((1 - 5) / 6)
    assert t.loc[1, "ei_index"] == 0.0
    assert math.isnan(t.loc[2, "ei_index"])
    assert t["modularity_share"].sum() == pytest.approx(modularity(G, comm), abs=1e-12)
    assert t.loc[2, "modularity_share"] == 0.0


def test_community_table_top_limits_and_default_pagerank():
    G = table_graph()
    comm = louvain(G, seed=0)
    t = community_table(G, comm, top=1)
    assert len(t) == comm.nunique()
    assert all(";" not in s for s in t["top_members"])
    assert all(s.count(";") <= 2 for s in t["dominant_groups"])
    pr = pd.Series(nx.pagerank(G))
    assert t.equals(community_table(G, comm, pagerank=pr, top=1))
    lone = comm["lone"]
    assert t.set_index("community").loc[lone, "top_members"] == "Lone Wolf"


def test_community_table_contexts_weighted_by_edge_weight():
    G = nx.DiGraph()
    G.add_edge("a", "b", weight=5.0, contexts="#rare")
    G.add_edge("b", "c", weight=1.0, contexts="#common")
    G.add_edge("c", "a", weight=1.0, contexts="#common; #common")  # counted once per edge
    G.add_edge("a", "c", weight=1.0, contexts="#common")
    t = community_table(G, {"a": 0, "b": 0, "c": 0}, top=5, attribute=None)
    assert t.loc[0, "top_contexts"] == "#rare; #common"
    assert t.loc[0, "dominant_groups"] == ""


def test_community_table_dominant_groups_top_three():
    G = nx.DiGraph()
    orgs = ["A"] * 4 + ["B"] * 3 + ["C"] * 2 + ["D"] * 1
    for i, org in enumerate(orgs):
        G.add_node(f"n{i}", organization=org)
    t = community_table(G, dict.fromkeys(G, 0))
    assert t.loc[0, "dominant_groups"] == "A 40%; B 30%; C 20%"
    assert t.loc[0, "internal_ties"] == 0
    assert math.isnan(t.loc[0, "modularity_share"])
    assert math.isnan(t.loc[0, "ei_index"])
    assert t.loc[0, "internal_density"] == 0.0


@pytest.mark.parametrize("seed", range(4))
def test_community_table_against_brute_force(seed):
    G = random_weighted(50, 200, seed)
    G.add_nodes_from(["iso-a", "iso-b"])
    c = louvain(G, seed=seed)
    t = community_table(G, c).set_index("community")
    H = undirected(G)
    assert t["modularity_share"].sum() == pytest.approx(modularity(G, c), abs=1e-9)
    assert t["size"].sum() == G.number_of_nodes()
    for k, members in c.groupby(c).groups.items():
        members = set(members)
        sub = H.subgraph(members)
        internal = sub.number_of_edges()
        external = sum(1 for u, v in H.edges if (u in members) != (v in members))
        assert t.loc[k, "internal_ties"] == internal
        if len(members) > 1:
            assert t.loc[k, "internal_density"] == pytest.approx(nx.density(sub))
        if internal + external:
            assert t.loc[k, "ei_index"] == pytest.approx((external - internal) /
                                                         (external + internal))
        else:
            assert math.isnan(t.loc[k, "ei_index"])


def test_community_table_accepts_sets_and_undirected_graph():
    G = table_graph()
    sets = [{"p1", "p2", "p3", "p4", "p5"}, {"q1", "q2"}, {"lone"}]
    t_sets = community_table(G, sets)
    t_map = community_table(G, {n: i for i, s in enumerate(sets) for n in s})
    pd.testing.assert_frame_equal(t_sets, t_map)
    t_undirected = community_table(undirected(G), sets, pagerank=nx.pagerank(G))
    cols = ["size", "internal_ties", "internal_density", "modularity_share", "ei_index"]
    pd.testing.assert_frame_equal(t_sets[cols], t_undirected[cols])


def test_community_table_empty_graph():
    t = community_table(nx.DiGraph(), {})
    assert t.empty and "modularity_share" in t.columns


def test_community_table_context_ties_survive_float_noise():
    G = nx.DiGraph()
    G.add_edge("a", "b", weight=0.1, contexts="#b")
    G.add_edge("b", "c", weight=0.2, contexts="#b")
    G.add_edge("c", "a", weight=0.3, contexts="#a")
    t = community_table(G, dict.fromkeys(G, 0))
    assert t.loc[0, "top_contexts"] == "#a; #b"
