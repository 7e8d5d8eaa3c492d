"""The isolation watchlist: every flag on hand-built graphs, positive and negative."""

from __future__ import annotations

import random

import networkx as nx
import pandas as pd
import pytest

from plnanalytics.analysis.isolation import COLUMNS, FLAGS, Thresholds, flag_isolation
from plnanalytics.graph.build import undirected


def roster_graph(edges, people, *, absent=(), posts=None) -> nx.DiGraph:
    """A graph whose ``people`` are roster nodes; ``absent`` ones have no trace."""
    G = nx.DiGraph()
    for p in people:
        G.add_node(p, on_roster=True, label=p.upper(), traces=0 if p in absent else 1,
                   posts=(posts or {}).get(p, 1), organization="D1")
    G.add_edges_from(edges, weight=1.0, count=1)
    return G


def flags_of(frame: pd.DataFrame, node: str) -> set[str]:
    return set(frame.loc[frame["node"] == node, "flag"])


def clique(names: list[str]) -> list[tuple[str, str]]:
    return [(a, b) for a in names for b in names if a != b]


def test_columns_and_empty():
    out = flag_isolation(nx.DiGraph())
    assert list(out.columns) == list(COLUMNS) and out.empty


def test_absent_versus_isolate():
    G = roster_graph([], ["a", "b", "c"], absent=["a"])
    G.nodes["c"]["accounts"] = "groups:c x:9"
    G.nodes["c"]["traces"] = 0
    G.nodes["c"]["groups"] = 2
    out = flag_isolation(G)
    assert flags_of(out, "a") == {"absent"} and flags_of(out, "c") == {"absent"}
    assert flags_of(out, "b") == {"isolate"}
    reasons = dict(zip(out["node"], out["reason"], strict=True))
    assert "no account is linked" in reasons["a"]
    assert "their account (x:9) did not post" in reasons["c"] and "groups:c" not in reasons["c"]
    assert "listed in 2 groups" in reasons["c"] and "listed in" not in reasons["a"]
    assert "Posted once" in reasons["b"]
    assert (out["severity"] == "high").all()


def test_isolates_never_vanish_even_without_roster():
    G = nx.DiGraph([("a", "b")])
    G.add_node("lonely", traces=3, posts=3)
    out = flag_isolation(G, everyone=True)
    assert "isolate" in flags_of(out, "lonely")
    assert flag_isolation(G).empty  # nobody is on a roster: nobody is judged by default


def test_cut_off_only_outside_the_main_component():
    main = clique(["a", "b", "c", "d"])
    G = roster_graph([*main, ("e", "f"), ("f", "g"), ("g", "e")],
                     ["a", "b", "c", "d", "e", "f", "g"])
    out = flag_isolation(G)
    for n in "efg":
        assert "cut_off" in flags_of(out, n)
    for n in "abcd":
        assert flags_of(out, n) == set()
    reason = out.loc[(out.node == "e") & (out.flag == "cut_off"), "reason"].item()
    assert "separate group of 3 (F and G)" in reason and "main network of 4" in reason


def test_single_tie_names_the_contact_and_counts_interactions():
    G = roster_graph(clique(["a", "b", "c"]), ["a", "b", "c", "d"])
    G.add_edge("d", "a", weight=2.0, count=2)
    G.add_edge("a", "d", weight=1.0, count=1)
    out = flag_isolation(G)
    row = out[out.node == "d"].iloc[0]
    assert row.flag == "single_tie" and row.via == "a"
    assert "Has one contact only: A (3 interactions)" in row.reason
    assert "single_tie" not in flags_of(out, "a")


def test_bridge_dependent_group_behind_one_articulation_point():
    core = clique(list("abcdefghijkl"))
    spur = [("s1", "s2"), ("s2", "s3"), ("s3", "s1"), ("s1", "a"), ("s2", "a")]
    people = [*"abcdefghijkl", "s1", "s2", "s3"]
    G = roster_graph(core + spur, people)
    out = flag_isolation(G)
    for n in ("s1", "s2", "s3"):
        row = out[(out.node == n) & (out.flag == "bridge_dependent")]
        assert len(row) == 1 and row.via.item() == "a"
    reason = out.loc[(out.node == "s3") & (out.flag == "bridge_dependent"), "reason"].item()
    assert "only through A" in reason and "2 others (S1 and S2)" in reason
    assert "rest of the main network (11 people)" in reason
    assert not (out.node.isin(list("abcdefghijkl")) & (out.flag == "bridge_dependent")).any()


def test_bridge_dependent_respects_the_share_threshold():
    core = clique(["a", "b", "c", "d"])
    spur = [*clique(["s1", "s2", "s3"]), ("s1", "a"), ("a", "s1")]
    G = roster_graph(core + spur, [*"abcd", "s1", "s2", "s3"])
    # the spur (s2, s3 behind s1... and s1 behind a) is 3 of 7 nodes: above 25%
    assert "bridge_dependent" not in set(flag_isolation(G)["flag"])
    wide = flag_isolation(G, thresholds=Thresholds(bridge_max_share=0.5))
    assert {"s2", "s3"} <= set(wide.loc[wide.flag == "bridge_dependent", "node"])


def test_nested_gateways_name_the_nearest_articulation_point():
    core = clique([f"c{i}" for i in range(12)])
    chain = [("x1", "x2"), ("x2", "x1"), ("x1", "c0"), ("x2", "c0"),  # x1, x2 behind c0
             ("y1", "x1"), ("y2", "x1"), ("y1", "y2")]                 # y1, y2 behind x1
    nodes = [f"c{i}" for i in range(12)] + ["x1", "x2", "y1", "y2"]
    out = flag_isolation(roster_graph(core + chain, nodes))
    via = out[out.flag == "bridge_dependent"].set_index("node")["via"].to_dict()
    # x1 is a gateway itself, and reaches the core only through c0
    assert via == {"x1": "c0", "x2": "c0", "y1": "x1", "y2": "x1"}


def test_never_sought_and_unreciprocated():
    base = clique(["a", "b", "c", "d"])
    G = roster_graph([*base, ("n", "a"), ("n", "b"), ("u", "a"), ("u", "b"), ("u", "c"),
                      ("d", "u"), ("one", "a")],
                     ["a", "b", "c", "d", "n", "u", "one"])
    out = flag_isolation(G)
    assert "never_sought" in flags_of(out, "n")
    assert "unreciprocated" not in flags_of(out, "n")
    assert "unreciprocated" in flags_of(out, "u") and "never_sought" not in flags_of(out, "u")
    assert "never_sought" not in flags_of(out, "one")  # one act: single_tie says it better
    reason = out.loc[(out.node == "u") & (out.flag == "unreciprocated"), "reason"].item()
    assert "Reached out to 3 people" in reason and "1 other did" in reason
    strict = flag_isolation(G, thresholds=Thresholds(never_sought_min_out=1))
    assert "never_sought" in flags_of(strict, "one")
    G.add_edge("a", "u")
    assert "unreciprocated" not in flags_of(flag_isolation(G), "u")


def test_peripheral_needs_a_deep_core():
    core = clique(["a", "b", "c", "d", "e"])  # a 4-core
    G = roster_graph([*core, ("p", "a"), ("p", "q"), ("q", "r")], [*"abcde", "p", "q", "r"])
    out = flag_isolation(G)
    assert "peripheral" in flags_of(out, "p") and "peripheral" in flags_of(out, "q")
    assert "peripheral" not in flags_of(out, "r")  # one contact: single_tie
    shallow = roster_graph([("a", "b"), ("b", "c"), ("c", "a"), ("p", "a"), ("p", "q")],
                           [*"abc", "p", "q"])
    assert "peripheral" not in set(flag_isolation(shallow)["flag"])


def test_flag_selection_sorting_and_unknown_flag():
    G = roster_graph([("a", "b")], ["a", "b", "c"], absent=["c"])
    out = flag_isolation(G)
    assert list(out["flag"]) == ["absent", "single_tie", "single_tie"]
    only = flag_isolation(G, flags=["single_tie"])
    assert set(only["flag"]) == {"single_tie"}
    with pytest.raises(ValueError, match="unknown flags"):
        flag_isolation(G, flags=["lonely"])
    assert set(FLAGS.values()) == {"high", "medium", "low"}


def test_deterministic():
    G = nx.gnp_random_graph(60, 0.04, seed=3, directed=True)
    G = nx.relabel_nodes(G, {n: f"n{n}" for n in G})
    nx.set_node_attributes(G, True, "on_roster")
    a = flag_isolation(G)
    b = flag_isolation(nx.DiGraph(G))
    pd.testing.assert_frame_equal(a, b)


def test_survey_non_response_is_kept_apart_from_naming_nobody():
    G = roster_graph([], ["a", "b", "c", "d", "e"], absent=["d", "e"])
    G.graph["surveys"] = "advice"
    for n in ("a", "b", "c"):
        G.nodes[n]["responded"] = "advice"
    G.add_edge("a", "b", weight=4.0, count=1, n_advice=1)
    G.add_edge("a", "d", weight=3.0, count=1, n_advice=1)
    G.add_edge("b", "d", weight=3.0, count=1, n_advice=1)
    G.nodes["c"]["posts"] = 0
    out = flag_isolation(G)
    reasons = out.set_index(["node", "flag"])["reason"]
    # c answered and named nobody: a statement of isolation
    assert reasons[("c", "named_nobody")].startswith("Answered the advice survey but named nobody")
    assert "no_response" not in flags_of(out, "c")
    # d did not answer, but two respondents named them: not absent, not named_nobody
    assert flags_of(out, "d") == {"no_response"}
    assert "2 respondents named them" in reasons[("d", "no_response")]
    # e did not answer and is found nowhere: absent, and the survey gap is said too
    assert flags_of(out, "e") == {"absent", "no_response"}
    assert "nobody named them either" in reasons[("e", "no_response")]
    # a and b answered and named someone
    assert "named_nobody" not in flags_of(out, "a") | flags_of(out, "b")
    assert out.loc[out.flag == "named_nobody", "severity"].item() == "medium"


def test_no_survey_no_survey_flags():
    G = roster_graph([("a", "b")], ["a", "b"])
    assert not {"no_response", "named_nobody"} & set(flag_isolation(G)["flag"])


def test_cut_off_reason_names_a_few_and_counts_the_rest():
    main = clique([f"m{i}" for i in range(10)])
    ring = [(f"r{i}", f"r{(i + 1) % 8}") for i in range(8)]
    G = roster_graph([*main, *ring], [f"m{i}" for i in range(10)] + [f"r{i}" for i in range(8)])
    out = flag_isolation(G)
    reason = out.loc[(out.node == "r0") & (out.flag == "cut_off"), "reason"].item()
    assert reason == ("In a separate group of 8 (R1, R2, R3, R4, R5 and 2 others) with no tie "
                      "to the main network of 10.")
    assert (out.flag == "cut_off").sum() == 8


# -- the array facts against the networkx ones, on bigger graphs ----------------------------

class _ReferenceFacts:
    """The facts the flags read, computed the way they were before the arrays (networkx
    connected components, core numbers, biconnected components and a block-cut tree per
    call): the reference the array version must agree with."""

    def __init__(self, G: nx.DiGraph, th: Thresholds) -> None:
        H = undirected(G)
        H.remove_edges_from(nx.selfloop_edges(H))
        self.H = H
        self.comps = sorted(nx.connected_components(H), key=lambda c: (-len(c), min(c)))
        self.component = {n: i for i, c in enumerate(self.comps) for n in c}
        self.sizes = [len(c) for c in self.comps]
        self.core = nx.core_number(H)
        self.depth = max(self.core.values(), default=0)
        self.labels: dict = {}
        main = H.subgraph(self.comps[0]) if self.comps else H
        self.gateways = (_reference_gateways(main, th.bridge_max_share) if len(main) > 2
                         else {})

    def contacts(self, n):
        return list(self.H[n])

    def members(self, comp):
        return list(self.comps[comp])

    def core_of(self, n):
        return self.core.get(n, 0)

    def component_of(self, n):
        return self.component[n]

    def gateway(self, n):
        return self.gateways.get(n)


def _reference_gateways(H: nx.Graph, max_share: float) -> dict:
    blocks = [frozenset(b) for b in nx.biconnected_components(H)]
    cuts = set(nx.articulation_points(H))
    if not cuts:
        return {}
    T = nx.Graph()
    weight: dict = {}
    for i, b in enumerate(blocks):
        weight[("B", i)] = sum(1 for v in b if v not in cuts)
        T.add_edges_from((("B", i), ("C", v)) for v in b if v in cuts)
    for v in cuts:
        weight[("C", v)] = 1
    total = len(H)

    def subtree_weights(root):
        parent = dict(nx.bfs_predecessors(T, root))
        order = [root, *(v for _, v in nx.bfs_edges(T, root))]
        below = dict(weight)
        for t in reversed(order[1:]):
            below[parent[t]] += below[t]
        return parent, order, below

    node = min(T.nodes, key=str)
    parent, _, below = subtree_weights(node)
    while True:  # the weighted centroid
        heavy = max((c for c in T[node] if parent.get(c) == node),
                    key=lambda c: (below[c], str(c)), default=None)
        if heavy is None or below[heavy] * 2 <= total:
            break
        node = heavy
    parent, order, below = subtree_weights(node)
    members = {("B", i): sorted(v for v in b if v not in cuts) for i, b in enumerate(blocks)}
    members.update({("C", v): [v] for v in cuts})
    inherited: dict = {node: None}
    for t in order[1:]:
        p = parent[t]
        inherited[t] = ((p[1], t) if p[0] == "C" and below[t] <= max_share * total
                        else inherited[p])
    children: dict = {}
    for t in order[1:]:
        children.setdefault(parent[t], []).append(t)
    groups: dict = {}
    out: dict = {}
    for t in order:
        if inherited[t] is None:
            continue
        cut, top = inherited[t]
        if top not in groups:
            nodes, stack = [], [top]
            while stack:
                x = stack.pop()
                nodes.extend(members[x])
                stack.extend(children.get(x, ()))
            groups[top] = sorted(set(nodes))
        for v in members[t]:
            if v != cut:
                out.setdefault(v, (cut, groups[top]))
    return out


def watchlist_graph(n: int, seed: int) -> nx.DiGraph:
    """Blocks of every density chained through one or two nodes, pendant trees, pairs,
    isolates and separate groups; roster people, traces and labels (some repeated) at
    random."""
    rng = random.Random(seed)
    names = [f"n{i:05d}" for i in range(n)]
    rng.shuffle(names)
    G = nx.DiGraph()
    G.add_nodes_from(names)
    k = 0
    while k < n:
        size = rng.choice([1, 1, 2, 3, 4, 5, 8, 20, 60])
        group, k = names[k:k + size], k + size
        p = rng.choice([0.05, 0.2, 0.5, 1.0])
        G.add_edges_from(((a, b) for a in group for b in group if a != b and rng.random() < p),
                         count=rng.randint(1, 3))
        if k > size and rng.random() < 0.7:
            G.add_edge(group[0], rng.choice(names[:k - size]), count=1)
            if rng.random() < 0.3:
                G.add_edge(rng.choice(names[:k - size]), rng.choice(group))
    for v in names:
        d = G.nodes[v]
        d.update(on_roster=rng.random() < 0.6, traces=rng.choice([0, 1, 3]),
                 posts=rng.choice([0, 1, 2]))
        if rng.random() < 0.8:
            d["label"] = rng.choice(["Ann", "Bo", "", v.upper()])
        if rng.random() < 0.3:
            d["organization"] = rng.choice(["D1", "D2"])
    G.add_edge(names[0], names[0])
    return G


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_array_facts_agree_with_networkx_on_bigger_graphs(seed, monkeypatch):
    from plnanalytics.analysis import isolation

    G = watchlist_graph(3000, seed)
    options = [{"everyone": True}, {},
               {"everyone": True, "thresholds": Thresholds(bridge_max_share=0.1,
                                                           peripheral_min_depth=2)}]
    got = [flag_isolation(G, **o) for o in options]
    facts = isolation._facts(G, Thresholds())
    assert (facts.sizes > 1).sum() > 20 and facts.depth >= 3  # many groups, a deep core
    with monkeypatch.context() as m:
        m.setattr(isolation, "_facts", _ReferenceFacts)
        expected = [flag_isolation(G, **o) for o in options]
    assert {"bridge_dependent", "cut_off", "single_tie", "peripheral"} <= set(got[0]["flag"])
    for a, b in zip(got, expected, strict=True):
        pd.testing.assert_frame_equal(a, b)
