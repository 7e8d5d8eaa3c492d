"""Random test graphs shared by the metric tests."""

from __future__ import annotations

import random

import networkx as nx


def make_graph(n: int, p: float, seed: int) -> nx.DiGraph:
    """Random directed graph with weights 1..5, two isolates and a second small component.

    Nodes are inserted in a shuffled order so that ``list(G.nodes)`` is not sorted.
    """
    rng = random.Random(seed)
    R = nx.gnp_random_graph(n, p, seed=seed, directed=True)
    edges = [(f"p{u}", f"p{v}") for u, v in R.edges()]
    edges += [("t1", "t2"), ("t2", "t3"), ("t3", "t1"), ("t3", "t4"), ("t4", "t3"), ("t5", "t4")]
    nodes = [f"p{i}" for i in range(n)] + [f"t{i}" for i in range(1, 6)] + ["iso_a", "iso_b"]
    rng.shuffle(nodes)
    G = nx.DiGraph()
    G.add_nodes_from(nodes)
    for u, v in edges:
        w = float(rng.randint(1, 5))
        G.add_edge(u, v, weight=w, count=int(w))
    return G
