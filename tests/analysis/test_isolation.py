"""The isolation watchlist: every flag on hand-built graphs, positive and negative."""

from __future__ import annotations

import networkx as nx
import pandas as pd
import pytest

from plnanalytics.analysis.isolation import COLUMNS, FLAGS, Thresholds, flag_isolation


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
