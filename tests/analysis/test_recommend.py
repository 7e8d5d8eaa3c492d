"""Suggested introductions: exclusions, triad counts against networkx, the options, the sample."""

from __future__ import annotations

import itertools
import math
import random

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from conftest import SAMPLE
from random_graphs import make_graph

from plnanalytics import Dataset
from plnanalytics.analysis.isolation import flag_isolation
from plnanalytics.analysis.recommend import COLUMNS, Weights, node_groups, suggest_introductions
from plnanalytics.errors import OptionError
from plnanalytics.graph.build import build_graph, undirected


def people_graph(people: dict[str, dict], edges: list[tuple[str, str]]) -> nx.DiGraph:
    """Roster nodes with the given attributes (label defaults to the key upper-cased)."""
    G = nx.DiGraph()
    for p, attrs in people.items():
        G.add_node(p, on_roster=True, label=attrs.pop("label", p.upper()), **attrs)
    G.add_edges_from(edges, weight=1.0, count=1)
    return G


def pairs(df: pd.DataFrame) -> list[tuple[str, str]]:
    return list(zip(df["node"], df["candidate"], strict=True))


def picks(df: pd.DataFrame, node: str) -> list[str]:
    return df.loc[df["node"] == node, "candidate"].tolist()


# -- exclusions ---------------------------------------------------------------------------

def test_never_self_nor_tied_in_either_direction():
    for seed in range(4):
        G = make_graph(40, 0.06, seed)
        nx.set_node_attributes(G, True, "on_roster")
        df = suggest_introductions(G, k=10, group=None, experience=None)
        assert list(df.columns) == list(COLUMNS)
        for u, c in pairs(df):
            assert u != c
            assert not G.has_edge(u, c) and not G.has_edge(c, u)
            assert c in G
        # every person gets min(k, number of untied others) suggestions
        for u in G:
            untied = set(G) - set(G.successors(u)) - set(G.predecessors(u)) - {u}
            assert len(picks(df, u)) == min(10, len(untied))
            assert df.loc[df["node"] == u, "rank"].tolist() == list(
                range(1, len(picks(df, u)) + 1))


def test_one_way_tie_excludes_both_ways():
    G = people_graph({p: {} for p in "abc"}, [("a", "b")])
    df = suggest_introductions(G, k=3, group=None, experience=None)
    assert picks(df, "a") == ["c"] and picks(df, "b") == ["c"]
    assert sorted(picks(df, "c")) == ["a", "b"]


# -- triad counts -------------------------------------------------------------------------

@pytest.mark.parametrize("seed", [0, 1, 2])
def test_common_contacts_and_adamic_adar_equal_networkx(seed):
    G = make_graph(35, 0.08, seed)
    G.add_edge("p0", "p0")  # a self-loop is no contact
    nx.set_node_attributes(G, True, "on_roster")
    H = nx.Graph(undirected(G))
    H.remove_edges_from(nx.selfloop_edges(H))
    df = suggest_introductions(G, k=len(G), group=None, experience=None)
    assert len(df) == sum(len(G) - 1 - H.degree(u) for u in G)
    got = {(u, c): (cc, aa) for u, c, cc, aa in df[["node", "candidate", "common_contacts",
                                                    "adamic_adar"]].itertuples(index=False)}
    expected_aa = dict(((u, v), p) for u, v, p in nx.adamic_adar_index(H, list(got)))
    for (u, c), (cc, aa) in got.items():
        assert cc == len(list(nx.common_neighbors(H, u, c)))
        assert aa == pytest.approx(expected_aa[(u, c)], abs=1e-12)
    # the mentor columns: contacts and reciprocity of the candidate (self-loops aside)
    G.remove_edges_from(nx.selfloop_edges(G))
    for c, deg, rec in df[["candidate", "candidate_contacts",
                           "candidate_reciprocity"]].drop_duplicates().itertuples(index=False):
        assert deg == H.degree(c)
        if deg:
            assert rec == pytest.approx(nx.reciprocity(G, [c])[c])
        else:
            assert math.isnan(rec)


def test_triad_closure_ranks_first():
    # u knows a, b, c; x shares all three, y shares one, z none; all else equal
    people = {p: {"organization": "D1"} for p in ["u", "a", "b", "c", "x", "y", "z"]}
    edges = [("u", "a"), ("u", "b"), ("u", "c"), ("x", "a"), ("b", "x"), ("x", "c"),
             ("y", "a"), ("z", "q")]
    G = people_graph(people, edges)
    G.add_node("q", on_roster=True, organization="D1")
    df = suggest_introductions(G, who=["u"], k=3, experience=None,
                               communities={p: 0 for p in G})
    assert picks(df, "u")[:2] == ["x", "y"]
    top = df.iloc[0]
    assert top["common_contacts"] == 3 and top["reason"].startswith(
        "3 contacts in common (B, C and A)")  # strongest (fewest contacts) first
    assert top["adamic_adar"] == pytest.approx(1 / math.log(3) + 2 / math.log(2))
    assert df.iloc[1]["adamic_adar"] == pytest.approx(1 / math.log(3))


# -- options ------------------------------------------------------------------------------

def district_graph() -> nx.DiGraph:
    people = {"u": {"organization": "North"}, "n1": {"organization": "North"},
              "n2": {"organization": "North"}, "s1": {"organization": "South"},
              "s2": {"organization": "South"}}
    return people_graph(people, [])


def test_cross_district_flips_the_preference():
    G = district_graph()
    near = suggest_introductions(G, who=["u"], k=2, experience=None)
    far = suggest_introductions(G, who=["u"], k=2, experience=None, cross_district=True)
    assert picks(near, "u") == ["n1", "n2"] and near["same_district"].all()
    assert picks(far, "u") == ["s1", "s2"] and not far["same_district"].any()
    assert near.loc[0, "reason"].startswith("same district (North)")
    assert "from another district (South)" in far.loc[0, "reason"]
    # "district" is an alias of organization
    alias = suggest_introductions(G, who=["u"], k=2, experience=None, group="district")
    assert picks(alias, "u") == ["n1", "n2"]


def test_prefer_experienced_for_novices_only():
    people = {"nov": {"years_as_principal": "1"}, "mid": {"years_as_principal": 4},
              "old": {"years_as_principal": 12}, "vet": {"years_as_principal": 20},
              "hub": {"years_as_principal": 1}, "h1": {}, "h2": {}, "h3": {}}
    # "hub" is a well-connected, triad-closing novice: without the option they come first
    edges = [("nov", "h1"), ("hub", "h1"), ("hub", "h2"), ("h2", "hub"), ("hub", "h3"),
             ("mid", "h2"), ("h3", "mid")]
    G = people_graph(people, edges)
    base = dict(group=None, k=3, communities={p: 0 for p in G})
    plain = suggest_introductions(G, who=["nov", "mid"], **base)
    mentor = suggest_introductions(G, who=["nov", "mid"], prefer_experienced=True, **base)
    assert picks(plain, "nov")[0] == "hub"
    assert picks(mentor, "nov")[:2] == ["old", "vet"]
    assert "peer mentoring" in mentor.loc[mentor["node"] == "nov", "reason"].iloc[0]
    assert mentor.loc[mentor["node"] == "nov", "candidate_experience"].tolist()[:2] == [12, 20]
    # a non-novice gets the same suggestions, scores and reasons with or without the option
    pd.testing.assert_frame_equal(plain[plain["node"] == "mid"].reset_index(drop=True),
                                  mentor[mentor["node"] == "mid"].reset_index(drop=True))


def test_shared_groups_and_role():
    people = {"u": {"role": "principal"}, "a": {"role": "principal"},
              "b": {"role": "assistant principal"}, "c": {"role": "assistant principal"}}
    G = people_graph(people, [])
    groups = {"u": {"Math PLC", "slack:#general"}, "b": {"Math PLC", "slack:#general"},
              "c": {"slack:#general"}}
    df = suggest_introductions(G, who=["u"], k=3, groups=groups, experience=None)
    assert picks(df, "u")[0] == "b"
    assert df.loc[0, "shared_groups"] == 2
    assert "both in Math PLC and #general (Slack)" in df.loc[0, "reason"]
    assert df.set_index("candidate")["same_role"].to_dict() == {"a": True, "b": False,
                                                                "c": False}


def test_who_watchlist_frame_and_order():
    G = people_graph({p: {} for p in "abcdef"}, [("a", "b"), ("c", "d")])
    G.nodes["f"]["traces"] = 0
    for n in "abcde":
        G.nodes[n]["traces"] = 1
    flags = flag_isolation(G)
    df = suggest_introductions(G, who=flags, k=2, group=None, experience=None)
    order = list(dict.fromkeys(flags["node"]))
    assert list(dict.fromkeys(df["node"])) == order
    assert df.groupby("node").size().eq(2).all()
    # a plain list keeps its order too, and duplicates count once
    df2 = suggest_introductions(G, who=["e", "a", "e"], k=1, group=None, experience=None)
    assert df2["node"].tolist() == ["e", "a"]


def test_isolate_gets_suggestions_from_attributes():
    people = {"iso": {"organization": "North", "role": "principal"},
              "a": {"organization": "North", "role": "principal"},
              "b": {"organization": "South", "role": "principal"},
              "c": {"organization": "South", "role": "principal"},
              "d": {"organization": "South", "role": "principal"}}
    G = people_graph(people, [("b", "c"), ("c", "b"), ("b", "d"), ("d", "b")])
    df = suggest_introductions(G, who=["iso"], k=2, experience=None)
    assert len(df) == 2 and (df["common_contacts"] == 0).all()
    # the best connected, who answers back, then the same district (over c and d, who have
    # one contact each); the role, which everybody shares, says nothing
    assert picks(df, "iso") == ["b", "a"]
    assert df.loc[0, "reason"] == ("well connected (2 contacts) and answers back (100% of "
                                   "ties mutual)")
    assert df.loc[1, "reason"] == "same district (North)"
    assert df["reason"].str.len().gt(0).all()


def test_deterministic_and_independent_of_insertion_order():
    G = make_graph(50, 0.05, 7)
    rng = random.Random(3)
    for v in G:
        G.nodes[v].update(on_roster=True, organization=rng.choice("NSEW"),
                          years=rng.randint(0, 20))
    a = suggest_introductions(G, k=4, prefer_experienced=True)
    b = suggest_introductions(G, k=4, prefer_experienced=True)
    pd.testing.assert_frame_equal(a, b)
    H = nx.DiGraph()
    nodes = list(G.nodes(data=True))
    rng.shuffle(nodes)
    H.add_nodes_from(nodes)
    H.add_edges_from(sorted(G.edges(data=True), key=lambda e: rng.random()))
    c = suggest_introductions(H, who=list(G), k=4, prefer_experienced=True)
    pd.testing.assert_frame_equal(a, c)


def test_ties_in_score_go_by_candidate_key():
    G = people_graph({p: {} for p in ["u", "d", "b", "c", "a"]}, [])
    df = suggest_introductions(G, who=["u"], k=4, group=None, experience=None)
    assert picks(df, "u") == ["a", "b", "c", "d"]
    assert df["score"].nunique() == 1


def test_candidates_and_weights():
    G = district_graph()
    df = suggest_introductions(G, who=["u"], k=5, candidates=["s2", "n1"], experience=None)
    assert picks(df, "u") == ["n1", "s2"]
    zero = Weights(**{f: 0.0 for f in Weights().as_dict()})
    flat = suggest_introductions(G, who=["u"], k=5, experience=None, weights=zero)
    assert (flat["score"] == 0).all() and flat["reason"].str.len().gt(0).all()


def test_default_who_is_the_roster():
    G = people_graph({"a": {}, "b": {}}, [])
    G.add_node("x:1", label="@someone")
    df = suggest_introductions(G, group=None, experience=None)
    assert sorted(set(df["node"])) == ["a", "b"] and "x:1" not in set(df["candidate"])
    H = nx.DiGraph([("x", "y")])
    H.add_node("z")
    assert set(suggest_introductions(H, group=None)["node"]) == {"x", "y", "z"}


def test_errors():
    G = district_graph()
    with pytest.raises(OptionError, match="k must be"):
        suggest_introductions(G, k=0)
    with pytest.raises(OptionError, match=r"who: 1 node.*'nobody'"):
        suggest_introductions(G, who=["u", "nobody"])
    with pytest.raises(OptionError, match=r"candidates: .*'ghost'"):
        suggest_introductions(G, candidates=["ghost"])
    with pytest.raises(OptionError, match="group: no node has the attribute 'county'"):
        suggest_introductions(G, group="county")
    with pytest.raises(OptionError, match="experience: no node has the attribute 'tenure'"):
        suggest_introductions(G, experience="tenure")
    with pytest.raises(OptionError, match="'node' column"):
        suggest_introductions(G, who=pd.DataFrame({"x": ["u"]}))
    # the defaults never fail for lack of the attribute
    bare = nx.DiGraph([("a", "b")])
    bare.add_node("c")
    assert suggest_introductions(bare, who=["a"])["candidate"].tolist() == ["c"]


def test_empty_who():
    out = suggest_introductions(district_graph(), who=[])
    assert out.empty and list(out.columns) == list(COLUMNS)


def test_scales_to_a_sparse_graph():
    n = 20000
    rng = np.random.default_rng(0)
    src, dst = rng.integers(0, n, 60000), rng.integers(0, n, 60000)
    G = nx.DiGraph()
    G.add_nodes_from(range(n))
    G.add_edges_from(zip(src.tolist(), dst.tolist(), strict=True))
    G = nx.relabel_nodes(G, {i: f"n{i:05d}" for i in range(n)})
    who = [f"n{i:05d}" for i in range(0, n, 100)]
    df = suggest_introductions(G, who=who, k=3, group=None, communities={})
    assert df.groupby("node").size().eq(3).all()
    assert all(not G.has_edge(u, c) and not G.has_edge(c, u) for u, c in pairs(df))


# -- node_groups --------------------------------------------------------------------------

def test_node_groups_maps_accounts_and_roster_members(store):
    ds = Dataset.from_records(
        people=[{"person_id": "P1", "name": "Ann Lee"}, {"person_id": "P2", "name": "Bo Diaz"},
                {"person_id": "P3", "name": "Cy Ode"}],
        identities=[{"account": "x:10", "person_id": "P1", "method": "explicit"},
                    {"account": "slack:T1/U2", "person_id": "P2", "method": "explicit"}],
        posts=[{"post_id": "1", "platform": "x", "author": "x:77",
                "created_at": "2025-09-10T00:05:00Z"}],
        memberships=[{"member": "x:10", "group": "Math PLC"},
                     {"member": "slack:T1/U2", "group": "slack:#general"},
                     {"member": "slack:T1/U2", "group": "Math PLC"},
                     {"member": "roster:P3", "group": "Cohort 2025"},
                     {"member": "P3", "group": "Mentors"},
                     {"member": "x:77", "group": "slack:#general"},
                     {"member": "x:404", "group": "Ghost Group"},
                     {"member": "survey:P1", "group": "survey:advice", "role": "respondent"}])
    store.add(ds)
    G = build_graph(store)
    got = node_groups(store, G)
    assert got == {"roster:P1": {"Math PLC"}, "roster:P2": {"Math PLC", "slack:#general"},
                   "roster:P3": {"Cohort 2025", "Mentors"}, "x:77": {"slack:#general"}}
    assert node_groups(ds, build_graph(ds)) == got
    df = suggest_introductions(G, who=["roster:P1"], k=1, groups=got, experience=None)
    assert df.loc[0, "candidate"] == "roster:P2" and df.loc[0, "shared_groups"] == 1
    assert "both in Math PLC" in df.loc[0, "reason"]


# -- the sample project -------------------------------------------------------------------

@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    from plnanalytics import Store

    with Store(tmp_path_factory.mktemp("rec") / "s.duckdb") as st:
        st.ingest(SAMPLE / "naespchat_twarc2.jsonl")
        st.ingest(SAMPLE / "principallife_tags.csv")
        st.ingest(SAMPLE / "roster.csv", format="roster")
        st.ingest(SAMPLE / "district_slack.zip")
        st.ingest(SAMPLE / "plc_groups.csv", format="groups")
        st.ingest(SAMPLE / "advice_survey.csv", format="survey", min_frequency=3)
        G = build_graph(st)
        groups = node_groups(st, G)
    return G, groups


def test_sample_suggestions_for_flagged_people(sample):
    G, groups = sample
    roster = {v for v, d in G.nodes(data=True) if d.get("on_roster")}
    assert set(groups) & roster and all(
        not g.startswith("survey:") for gs in groups.values() for g in gs)
    flags = flag_isolation(G)
    for options in ({}, {"prefer_experienced": True}, {"cross_district": True}):
        df = suggest_introductions(G, who=flags, groups=groups, k=3, **options)
        assert list(dict.fromkeys(df["node"])) == list(dict.fromkeys(flags["node"]))
        assert df.groupby("node").size().eq(3).all()
        for u, c in pairs(df):
            assert c in roster and c != u
            assert not G.has_edge(u, c) and not G.has_edge(c, u)
        assert df["reason"].str.strip().str.len().gt(0).all()
        assert df["name"].notna().all() and df["candidate_name"].notna().all()
    # the roster's years_as_principal (text in the roster) is read as a number
    assert df["candidate_experience"].notna().all()


def test_sample_mentoring_gives_novices_experienced_peers(sample):
    G, groups = sample
    df = suggest_introductions(G, groups=groups, k=3, prefer_experienced=True)
    years = {v: float(d["years_as_principal"]) for v, d in G.nodes(data=True)
             if d.get("years_as_principal") is not None}
    novices = [v for v in dict.fromkeys(df["node"]) if years.get(v, 99) <= 2]
    assert novices
    for u in novices:
        assert (df.loc[df["node"] == u, "candidate_experience"] >= 5).all()


def test_every_pair_of_a_tiny_graph():
    G = people_graph({p: {} for p in "abc"}, [])
    df = suggest_introductions(G, k=2, group=None, experience=None)
    assert sorted(pairs(df)) == sorted(itertools.permutations("abc", 2))
