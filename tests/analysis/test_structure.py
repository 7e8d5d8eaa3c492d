"""Unit tests of plnanalytics.analysis.structure on hand-built and random graphs."""

from __future__ import annotations

import json
import math
import random

import networkx as nx
import pytest

from plnanalytics.analysis.communities import louvain, modularity
from plnanalytics.analysis.structure import (
    assortativity,
    average_path_length,
    degree_centralization,
    ei_index,
    summary,
)
from plnanalytics.graph.build import undirected

SUMMARY_KEYS = {
    "nodes", "edges", "ties", "density", "reciprocity", "components", "largest_component_nodes",
    "largest_component_share", "isolates", "in_centralization", "out_centralization",
    "modularity", "communities", "average_clustering", "average_path_length", "path_length",
    "attribute", "ei_index", "assortativity", "seed",
}


def keyed(G: nx.Graph) -> nx.Graph:
    return nx.relabel_nodes(G, {n: f"n{n}" for n in G})


def random_digraph(n: int, p: float, seed: int) -> nx.DiGraph:
    return keyed(nx.gnp_random_graph(n, p, seed=seed, directed=True))


def with_orgs(G: nx.Graph, seed: int, groups=("North", "South", "East"), missing=0.2):
    rng = random.Random(seed)
    for n in G:
        if rng.random() >= missing:
            G.nodes[n]["organization"] = rng.choice(groups)
    return G


# --------------------------------------------------------------------------- centralization
@pytest.mark.parametrize("n", [3, 5, 12])
def test_centralization_stars_are_one(n):
    leaves = [f"l{i}" for i in range(n - 1)]
    inward = nx.DiGraph([(x, "hub") for x in leaves])
    outward = nx.DiGraph([("hub", x) for x in leaves])
    assert degree_centralization(inward, direction="in") == pytest.approx(1.0)
    assert degree_centralization(outward, direction="out") == pytest.approx(1.0)
    assert degree_centralization(inward, direction="all") == pytest.approx(1.0)
    assert degree_centralization(outward, direction="all") == pytest.approx(1.0)
    star = keyed(nx.star_graph(n - 1))
    for direction in ("in", "out", "all"):  # undirected input: every direction is "all"
        assert degree_centralization(star, direction=direction) == pytest.approx(1.0)


@pytest.mark.parametrize("n", [3, 6, 10])
def test_centralization_cycles_are_zero(n):
    directed = keyed(nx.cycle_graph(n, create_using=nx.DiGraph))
    for direction in ("in", "out", "all"):
        assert degree_centralization(directed, direction=direction) == 0.0
    assert degree_centralization(keyed(nx.cycle_graph(n)), direction="all") == 0.0
    assert degree_centralization(keyed(nx.complete_graph(n, nx.DiGraph))) == 0.0


@pytest.mark.parametrize("seed", range(5))
def test_centralization_matches_formula_on_random_graphs(seed):
    G = random_digraph(40, 0.08, seed)
    G.add_node("isolate")
    G.add_edge("n0", "n0")  # a self-loop is not a tie
    n = G.number_of_nodes()
    d_in = [len(set(G.predecessors(x)) - {x}) for x in G]
    d_out = [len(set(G.successors(x)) - {x}) for x in G]
    H = nx.Graph(G.to_undirected())
    H.remove_edges_from(nx.selfloop_edges(H))
    d_all = [d for _, d in H.degree()]
    expect_in = sum(max(d_in) - d for d in d_in) / (n - 1) ** 2
    expect_out = sum(max(d_out) - d for d in d_out) / (n - 1) ** 2
    expect_all = sum(max(d_all) - d for d in d_all) / ((n - 1) * (n - 2))
    assert degree_centralization(G, direction="in") == pytest.approx(expect_in, abs=1e-12)
    assert degree_centralization(G, direction="out") == pytest.approx(expect_out, abs=1e-12)
    assert degree_centralization(G, direction="all") == pytest.approx(expect_all, abs=1e-12)


def test_centralization_small_graphs_nan_and_bad_direction():
    assert math.isnan(degree_centralization(nx.DiGraph([("a", "b")])))
    single = nx.DiGraph()
    single.add_node("a")
    for direction in ("in", "out", "all"):
        assert math.isnan(degree_centralization(single, direction=direction))
        assert math.isnan(degree_centralization(nx.DiGraph(), direction=direction))
    edgeless = nx.empty_graph(["a", "b", "c"], create_using=nx.DiGraph)
    assert degree_centralization(edgeless, direction="all") == 0.0
    with pytest.raises(ValueError, match="direction"):
        degree_centralization(edgeless, direction="both")


# --------------------------------------------------------------------------- E-I index
def test_ei_index_hand_built():
    G = nx.DiGraph([("a", "b"), ("b", "a"), ("a", "c"), ("c", "d"), ("d", "e")])
    nx.set_node_attributes(G, {"a": "N", "b": "N", "c": "N", "d": "S"}, "organization")
    # undirected ties with both ends known: a-b, a-c inside; c-d across; d-e unknown
    assert ei_index(G, "organization") == pytest.approx((1 - 2) / 3)
    assert ei_index(undirected(G), "organization") == pytest.approx((1 - 2) / 3)
    assert ei_index(G, "role") != ei_index(G, "role")  # NaN: nobody has a role
    same = nx.Graph([("a", "b")])
    nx.set_node_attributes(same, "N", "organization")
    assert ei_index(same, "organization") == -1.0
    nx.set_node_attributes(same, {"a": "N", "b": "S"}, "organization")
    assert ei_index(same, "organization") == 1.0
    edgeless = nx.empty_graph(["a", "b"], create_using=nx.DiGraph)
    nx.set_node_attributes(edgeless, "N", "organization")
    assert math.isnan(ei_index(edgeless, "organization"))


@pytest.mark.parametrize("seed", range(4))
def test_ei_index_brute_force(seed):
    G = with_orgs(random_digraph(60, 0.06, seed), seed)
    H = undirected(G)
    org = nx.get_node_attributes(G, "organization")
    ties = [(u, v) for u, v in H.edges if u in org and v in org]
    external = sum(org[u] != org[v] for u, v in ties)
    internal = len(ties) - external
    assert ei_index(G, "organization") == pytest.approx((external - internal) / len(ties))


# --------------------------------------------------------------------------- assortativity
@pytest.mark.parametrize("seed", range(4))
def test_assortativity_matches_networkx_on_subgraph(seed):
    G = with_orgs(random_digraph(60, 0.08, seed), seed)
    keep = [n for n, d in G.nodes(data=True) if "organization" in d]
    expected = nx.attribute_assortativity_coefficient(G.subgraph(keep), "organization")
    assert assortativity(G, "organization") == pytest.approx(expected, abs=1e-12)
    H = undirected(G)
    expected_u = nx.attribute_assortativity_coefficient(H.subgraph(keep), "organization")
    assert assortativity(H, "organization") == pytest.approx(expected_u, abs=1e-12)


def test_assortativity_undefined_cases_are_nan():
    G = nx.DiGraph([("a", "b"), ("b", "c")])
    assert math.isnan(assortativity(G, "organization"))  # nobody has it
    nx.set_node_attributes(G, "N", "organization")
    assert math.isnan(assortativity(G, "organization"))  # one category
    edgeless = nx.empty_graph(["a", "b"], create_using=nx.DiGraph)
    nx.set_node_attributes(edgeless, {"a": "N", "b": "S"}, "organization")
    assert math.isnan(assortativity(edgeless, "organization"))
    split = nx.DiGraph([("a", "b"), ("c", "d")])
    nx.set_node_attributes(split, {"a": "N", "b": "N", "c": "S", "d": "S"}, "organization")
    assert assortativity(split, "organization") == pytest.approx(1.0)


# --------------------------------------------------------------------------- path length
@pytest.mark.parametrize("seed", range(3))
def test_average_path_length_exact_equals_networkx(seed):
    G = random_digraph(80, 0.03, seed)
    G.add_edge("x1", "x2")  # a second small component
    G.add_node("alone")
    H = undirected(G)
    largest = max(nx.connected_components(H), key=len)
    expected = nx.average_shortest_path_length(H.subgraph(largest))
    value, info = average_path_length(G)
    assert value == expected
    assert info == {"sampled": False, "k": len(largest), "seed": 0,
                    "component_nodes": len(largest)}


def test_average_path_length_sampled_is_seeded_and_close():
    G = keyed(nx.connected_watts_strogatz_graph(400, 6, 0.1, seed=3))
    exact, _ = average_path_length(G)
    est, info = average_path_length(G, k=100, seed=5, exact_max_nodes=100)
    again, _ = average_path_length(G, k=100, seed=5, exact_max_nodes=100)
    other, _ = average_path_length(G, k=100, seed=6, exact_max_nodes=100)
    assert info == {"sampled": True, "k": 100, "seed": 5, "component_nodes": 400}
    assert est == again
    assert est != other
    assert est == pytest.approx(exact, rel=0.05)
    # insertion order does not change the sample
    H = nx.Graph()
    H.add_nodes_from(sorted(G, reverse=True))
    H.add_edges_from(sorted(G.edges, reverse=True))
    assert average_path_length(H, k=100, seed=5, exact_max_nodes=100)[0] == est
    # k at least the component size: every node is a source, so the value is exact
    full, info_full = average_path_length(G, k=1000, exact_max_nodes=100)
    assert full == exact and info_full["sampled"] is False


def test_average_path_length_degenerate_graphs():
    for G in (nx.DiGraph(), nx.empty_graph(["a", "b"], create_using=nx.DiGraph)):
        value, info = average_path_length(G)
        assert math.isnan(value) and info["sampled"] is False
    single = nx.DiGraph()
    single.add_node("a")
    value, info = average_path_length(single)
    assert math.isnan(value) and info["component_nodes"] == 1
    value, info = average_path_length(nx.DiGraph([("a", "b")]))
    assert value == 1.0 and info["component_nodes"] == 2


def test_average_path_length_tie_between_components_is_deterministic():
    G = nx.DiGraph([("y", "z"), ("z", "w"), ("b", "a"), ("a", "c"), ("c", "d")])
    # both components have 3 or 4 nodes: the largest one (b, a, c, d) wins
    assert average_path_length(G)[1]["component_nodes"] == 4
    tie = nx.Graph([("y", "z"), ("b", "a"), ("a", "c"), ("y", "q")])
    value, info = average_path_length(tie)
    assert info["component_nodes"] == 3
    assert value == pytest.approx(4 / 3)


# --------------------------------------------------------------------------- summary
def roundtrip(s: dict) -> dict:
    return json.loads(json.dumps(s, allow_nan=False))


def test_summary_random_graph_matches_networkx_and_json():
    G = with_orgs(random_digraph(70, 0.05, 11), 11)
    G.add_nodes_from(["iso-1", "iso-2"])
    s = summary(G, seed=2)
    assert set(s) == SUMMARY_KEYS
    assert roundtrip(s) == s
    H = undirected(G)
    assert s["nodes"] == 72 and s["edges"] == G.number_of_edges()
    assert s["ties"] == H.number_of_edges()
    assert s["density"] == nx.density(G)
    assert s["reciprocity"] == nx.reciprocity(G)
    assert s["components"] == nx.number_weakly_connected_components(G)
    largest = max(len(c) for c in nx.weakly_connected_components(G))
    assert s["largest_component_nodes"] == largest
    assert s["largest_component_share"] == largest / 72
    assert s["isolates"] == nx.number_of_isolates(G)
    assert s["in_centralization"] == degree_centralization(G, direction="in")
    assert s["out_centralization"] == degree_centralization(G, direction="out")
    c = louvain(G, seed=2)
    assert s["modularity"] == modularity(G, c)
    assert s["communities"] == int((c.value_counts() >= 2).sum())
    assert s["average_clustering"] == nx.average_clustering(H)
    value, info = average_path_length(G, seed=2)
    assert s["average_path_length"] == value and s["path_length"] == info
    assert s["attribute"] == "organization" and s["seed"] == 2
    assert s["ei_index"] == ei_index(G, "organization")
    assert s["assortativity"] == assortativity(G, "organization")
    assert all(type(v) in (int, float, str, bool, type(None), dict) for v in s.values())


def test_summary_given_communities_and_resolution():
    G = random_digraph(40, 0.1, 4)
    comm = {n: int(n[1:]) % 3 for n in G}
    s = summary(G, communities=comm, resolution=0.5)
    assert s["modularity"] == pytest.approx(modularity(G, comm, resolution=0.5))
    assert s["communities"] == 3


def test_summary_edgeless_single_and_empty_graphs():
    edgeless = nx.empty_graph(["a", "b", "c"], create_using=nx.DiGraph)
    s = summary(edgeless)
    assert roundtrip(s) == s
    assert s["nodes"] == 3 and s["edges"] == 0 and s["ties"] == 0
    assert s["reciprocity"] is None and s["modularity"] is None
    assert s["isolates"] == 3 and s["components"] == 3 and s["communities"] == 0
    assert s["average_path_length"] is None and s["ei_index"] is None
    assert s["in_centralization"] == 0.0

    single = nx.DiGraph()
    single.add_node("only", organization="North")
    s = summary(single)
    assert roundtrip(s) == s
    assert s["nodes"] == 1 and s["isolates"] == 1 and s["largest_component_share"] == 1.0
    assert s["in_centralization"] is None and s["assortativity"] is None

    s = summary(nx.DiGraph())
    assert roundtrip(s) == s
    assert s["nodes"] == 0 and s["components"] == 0 and s["largest_component_share"] is None
    assert s["average_clustering"] is None


def test_summary_undirected_graph():
    G = keyed(nx.karate_club_graph())
    s = summary(G)
    assert s["edges"] == s["ties"] == 78
    assert s["reciprocity"] is None
    assert s["in_centralization"] == s["out_centralization"]
    assert roundtrip(s) == s


# --------------------------------------------------------------------------- vectorized
def _reference(G: nx.DiGraph) -> dict:
    H = undirected(G)
    largest = max(nx.connected_components(H), key=len)
    return {
        "ties": H.number_of_edges(),
        "reciprocity": nx.reciprocity(G) if G.is_directed() else None,
        "components": nx.number_connected_components(H),
        "isolates": sum(1 for x in H if H.degree(x) == 0),
        "average_clustering": nx.average_clustering(H),
        "average_path_length": nx.average_shortest_path_length(H.subgraph(largest)),
    }


@pytest.mark.parametrize("seed", range(3))
def test_summary_vectorized_equals_networkx(seed):
    G = with_orgs(random_digraph(90, 0.03, seed), seed)
    G.add_nodes_from(["iso-a", "iso-b"])
    G.add_edges_from([("x1", "x2"), ("x2", "x3"), ("x3", "x1")])
    s = summary(G, seed=seed)
    for key, expected in _reference(G).items():
        assert s[key] == pytest.approx(expected, abs=1e-12), key
    keep = [n for n, d in G.nodes(data=True) if "organization" in d]
    expected = nx.attribute_assortativity_coefficient(G.subgraph(keep), "organization")
    assert s["assortativity"] == pytest.approx(expected, abs=1e-12)
    assert s["modularity"] == pytest.approx(modularity(G, louvain(G, seed=seed)), abs=1e-12)


def test_summary_vectorized_karate():
    G = keyed(nx.karate_club_graph())
    s = summary(G)
    ref = _reference(nx.DiGraph(G))
    assert s["ties"] == ref["ties"] and s["components"] == 1
    assert s["average_clustering"] == pytest.approx(ref["average_clustering"], abs=1e-12)
    assert s["average_path_length"] == pytest.approx(ref["average_path_length"], abs=1e-12)
