"""build_graph: nodes, edges, attributes, filters, people, and Dataset/Store agreement."""

from __future__ import annotations

import networkx as nx
import pytest
from conftest import SAMPLE

from plnanalytics import Dataset, OptionError, Store
from plnanalytics.graph.build import build_graph, undirected


def post(pid, author, when, tags=("#naespchat",), platform="x"):
    return {"post_id": pid, "platform": platform, "author": author, "created_at": when,
            "contexts": list(tags)}


def tie(pid, kind, src, dst, when="2025-09-10T00:05:00Z", context="#naespchat", weight=None,
        platform="x"):
    row = {"platform": platform, "kind": kind, "src": src, "dst": dst, "ts": when,
           "post_id": pid, "context": context}
    if weight is not None:
        row["weight"] = weight
    return row


@pytest.fixture
def ds() -> Dataset:
    return Dataset.from_records(
        people=[{"person_id": "P1", "name": "Ann Lee", "organization": "North", "unit": "Elm",
                 "attributes": '{"years": "4"}'},
                {"person_id": "P2", "name": "Bo Diaz", "organization": "South"},
                {"person_id": "P3", "name": "Cy Ray", "organization": "South"}],
        identities=[{"account": "x:1", "person_id": "P1", "method": "explicit"},
                    {"account": "mastodon:ann@edu.social", "person_id": "P1",
                     "method": "explicit"},
                    {"account": "x:2", "person_id": "P2", "method": "explicit"}],
        accounts=[{"account": "x:1", "platform": "x", "handle": "AnnLeads"},
                  {"account": "x:9", "platform": "x", "handle": "Mod", "display_name": "M"},
                  {"account": "x:8", "platform": "x", "display_name": "Lurker"}],
        posts=[post("1", "x:1", "2025-09-10T00:05:00Z"),
               post("2", "x:2", "2025-10-10T00:05:00Z", tags=("#principallife",)),
               post("3", "x:8", "2025-09-11T00:00:00Z"),
               post("m1", "mastodon:ann@edu.social", "2025-09-12T00:00:00Z",
                    platform="mastodon")],
        interactions=[tie("1", "reply", "x:1", "x:9"), tie("1b", "mention", "x:1", "x:9"),
                      tie("2", "mention", "x:2", "x:1", "2025-10-10T00:05:00Z",
                          "#principallife #edchat"),
                      tie("m1", "mention", "mastodon:ann@edu.social", "x:1",
                          "2025-09-12T00:00:00Z", platform="mastodon"),
                      tie("s1", "advice", "x:9", "x:2", None, "Whom do you ask?", weight=3.0,
                          platform="survey")],
    )


def test_nodes_people_and_accounts(ds):
    G = build_graph(ds)
    assert list(G.nodes) == sorted(G.nodes)
    assert set(G.nodes) == {"roster:P1", "roster:P2", "roster:P3", "x:9", "x:8"}
    p1 = G.nodes["roster:P1"]
    assert p1["accounts"] == "mastodon:ann@edu.social x:1"
    assert p1["platform"] == "mastodon x" and p1["handle"] == "AnnLeads"
    assert p1["label"] == "Ann Lee" and p1["years"] == "4" and p1["unit"] == "Elm"
    assert p1["node_type"] == "person" and p1["on_roster"] is True
    assert p1["posts"] == 2
    # the roster person with no trace is a node, with no None attributes anywhere
    assert G.nodes["roster:P3"]["traces"] == 0 and G.degree("roster:P3") == 0
    assert all(v is not None for _, d in G.nodes(data=True) for v in d.values())
    # a poster without ties is a node; labels fall back to @handle, display name, key
    assert G.degree("x:8") == 0 and G.nodes["x:8"]["label"] == "Lurker"
    assert G.nodes["x:9"]["label"] == "@Mod" and G.nodes["x:9"]["node_type"] == "account"


def test_edges_weights_kinds_contexts_and_self_loops(ds):
    G = build_graph(ds)
    e = G["roster:P1"]["x:9"]
    assert e == {"weight": 2.0, "count": 2, "n_mention": 1, "n_reply": 1,
                 "contexts": "#naespchat"}
    assert G["roster:P2"]["roster:P1"]["contexts"] == "#edchat; #principallife"
    assert G["x:9"]["roster:P2"] == {"weight": 3.0, "count": 1, "n_advice": 1,
                                     "contexts": "Whom do you ask?"}
    # Ann's Mastodon account mentioning her X account is a self-loop of one person
    assert not G.has_edge("roster:P1", "roster:P1")
    assert G.graph["self_loops_dropped"] == 1 and G.graph["interactions"] == 5


def test_people_false_keeps_accounts_apart(ds):
    G = build_graph(ds, people=False)
    assert {"x:1", "x:2", "mastodon:ann@edu.social", "roster:P1"} <= set(G.nodes)
    assert G.has_edge("mastodon:ann@edu.social", "x:1")
    assert G.nodes["roster:P1"]["traces"] == 0 and G.degree("roster:P1") == 0


def test_filters(ds):
    G = build_graph(ds, kinds=["mention"])
    assert G.number_of_edges() == 2 and G.graph["kinds"] == "mention"
    survey = build_graph(ds, kinds="advice")
    assert survey.number_of_edges() == 1
    assert survey.nodes["x:8"]["posts"] == 0 if "x:8" in survey else True
    assert "x:8" not in survey  # posts make nodes only for post-derived kinds
    sept = build_graph(ds, since="2025-09-01", until="2025-10-01")
    assert set(sept.edges) == {("roster:P1", "x:9")}  # undated survey tie left out
    assert sept.nodes["roster:P2"]["posts"] == 0
    assert sept.graph["since"] == "2025-09-01T00:00:00Z"
    tagged = build_graph(ds, contexts=["EdChat"])
    assert set(tagged.edges) == {("roster:P2", "roster:P1")}
    assert tagged.graph["contexts"] == "edchat"
    asked = build_graph(ds, contexts=["whom do you ask?"])
    assert set(asked.edges) == {("x:9", "roster:P2")}
    with pytest.raises(OptionError, match="since"):
        build_graph(ds, since="last tuesday")


def test_store_and_dataset_give_the_same_graph(ds, store):
    store.add(ds)
    a, b = build_graph(ds), build_graph(store)
    assert list(a.nodes(data=True)) == list(b.nodes(data=True))
    assert list(a.edges(data=True)) == list(b.edges(data=True))
    assert a.graph == b.graph


def test_edgelist_endpoints_equal_to_roster_ids_are_people():
    ds = Dataset.from_records(
        people=[{"person_id": "P1", "name": "Ann"}, {"person_id": "P2", "name": "Bo"}],
        interactions=[tie("row:1", "advice", "edgelist:P1", "edgelist:P2", None, None,
                          platform="edgelist"),
                      tie("row:2", "advice", "edgelist:P2", "edgelist:zed", None, None,
                          platform="edgelist")])
    G = build_graph(ds)
    assert set(G.edges) == {("roster:P1", "roster:P2"), ("roster:P2", "edgelist:zed")}


def test_undirected_view_is_derived():
    G = nx.DiGraph()
    G.add_edge("a", "b", weight=1.0, count=1)
    G.add_edge("b", "a", weight=2.0, count=2)
    G.add_node("c", label="C")
    H = undirected(G)
    assert H["a"]["b"] == {"weight": 3.0, "count": 3} and H.nodes["c"] == {"label": "C"}
    assert undirected(H) is H


def test_sample_graph(tmp_path):
    with Store(tmp_path / "s.duckdb") as st:
        st.ingest(SAMPLE / "naespchat_twarc2.jsonl")
        st.ingest(SAMPLE / "principallife_tags.csv")
        G = build_graph(st)
    # ground truth: 103 accounts post, 97 have ties, 238 distinct undirected ties
    assert sum(1 for _, d in G.nodes(data=True) if d["posts"]) == 103
    H = undirected(G)
    assert H.number_of_edges() == 238
    assert sum(1 for n in H if H.degree(n)) == 97


def test_one_principal_three_platforms_one_node():
    """An X account (roster id column), a Mastodon account (handle column) and a Slack user
    (email) of one principal are one node carrying the ties of all three."""
    ds = Dataset.from_records(
        people=[{"person_id": "P1", "name": "Ann Lee", "email": "ann.lee@north.example.org",
                 "organization": "North",
                 "attributes": '{"mastodon_handle": "@annlee@edu.social", "x_user_id": "10"}'},
                {"person_id": "P2", "name": "Bo Diaz", "organization": "North"}],
        identities=[{"account": "x:10", "person_id": "P1", "method": "explicit",
                     "confidence": 1.0}],
        accounts=[{"account": "x:10", "platform": "x", "handle": "AnnLeads"},
                  {"account": "mastodon:109", "platform": "mastodon",
                   "handle": "annlee@edu.social"},
                  {"account": "slack:T1/U7", "platform": "slack", "handle": "ann",
                   "email": "Ann.Lee@north.example.org"},
                  {"account": "x:20", "platform": "x", "handle": "moderator"}],
        interactions=[tie("1", "reply", "x:10", "x:20"),
                      tie("2", "mention", "mastodon:109", "x:20", platform="mastodon"),
                      tie("3", "message", "slack:T1/U7", "x:20", platform="slack"),
                      tie("4", "mention", "x:20", "slack:T1/U7", platform="slack")])
    G = build_graph(ds)
    assert set(G.nodes) == {"roster:P1", "roster:P2", "x:20"}
    assert G.nodes["roster:P1"]["accounts"] == "mastodon:109 slack:T1/U7 x:10"
    assert G["roster:P1"]["x:20"] == {"weight": 3.0, "count": 3, "n_mention": 1,
                                      "n_message": 1, "n_reply": 1, "contexts": "#naespchat"}
    assert G.has_edge("x:20", "roster:P1")
    accounts = build_graph(ds, people=False)
    assert {"x:10", "mastodon:109", "slack:T1/U7"} <= set(accounts.nodes)


def test_two_people_with_one_name_are_not_merged():
    ds = Dataset.from_records(
        people=[{"person_id": "P1", "name": "Ann Lee", "organization": "North"},
                {"person_id": "P2", "name": "Ann Lee", "organization": "South",
                 "email": "ann@south.example.org"}],
        accounts=[{"account": "x:1", "platform": "x", "display_name": "Ann Lee"},
                  {"account": "slack:T/U1", "platform": "slack", "display_name": "Ann Lee",
                   "email": "ann@south.example.org"}],
        interactions=[tie("1", "mention", "x:1", "slack:T/U1")])
    G = build_graph(ds)
    # the X account's name fits both: it stays an account; the Slack user's email is P2's
    assert set(G.nodes) == {"roster:P1", "roster:P2", "x:1"}
    assert G.has_edge("x:1", "roster:P2") and G.degree("roster:P1") == 0
