"""build_graph: nodes, edges, attributes, filters, people, and Dataset/Store agreement."""

from __future__ import annotations

import networkx as nx
import pytest
from conftest import SAMPLE

from plnanalytics import Dataset, OptionError, Store
from plnanalytics.analysis import analyze
from plnanalytics.graph.arrays import adjacency
from plnanalytics.graph.build import build_graph, build_network, undirected


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


# -- the SQL data path against the former pandas one ---------------------------------------

def _reference_graph(data, *, kinds=None, since=None, until=None, contexts=None, people=True,
                     projection="count", backbone=None, alpha=0.05) -> nx.DiGraph:
    """build_graph as it was before the aggregation moved to DuckDB: every interaction row in
    pandas, a groupby per (u, v), a per-row ``to_dict``. Kept as the reference."""
    import pandas as pd

    from plnanalytics.graph import build as b
    from plnanalytics.identity import resolve_identities

    kinds = b._as_list(kinds)
    raw = [c.lower() for c in b._as_list(contexts, split=False)]
    tags = sorted({t if t.startswith("#") else f"#{t}" for t in raw} | set(raw))
    lo, hi = b._as_time(since, "since"), b._as_time(until, "until")
    con = data.con if isinstance(data, Store) else b._connect(data)
    where, params, post_where, post_params = b._filters(kinds, lo, hi, tags)

    def df(query, p=None):
        return b._objects(con.execute(query, p or []).df())

    edges = df("SELECT kind, src, dst, weight, context FROM interactions WHERE "
               + " AND ".join(where) + " ORDER BY platform, post_id, kind, dst", params)
    posts = df("SELECT author FROM posts WHERE " + " AND ".join(post_where), post_params)
    accounts = df("SELECT account, platform, handle, display_name, email FROM accounts")
    roster = df("SELECT person_id, name, email, organization, unit, role, attributes "
                "FROM people ORDER BY person_id")
    links = df("SELECT account, person_id, method, confidence, ingest_id FROM identities")
    members = df('SELECT member, "group", role FROM memberships ORDER BY member, "group"')
    if not isinstance(data, Store):
        con.close()
    if kinds and not set(kinds) & set(b.POST_KINDS):
        posts = posts.iloc[:0]
    seen = set(edges["src"]) | set(edges["dst"]) | set(posts["author"]) | set(members["member"])
    ids = (resolve_identities(links, roster, b._account_frame(
        accounts, sorted(seen - set(accounts["account"])))) if people else links.iloc[:0])
    node_of = dict(zip(ids["account"], "roster:" + ids["person_id"], strict=True))
    edges["u"] = b._nodes_of(edges["src"], node_of)
    edges["v"] = b._nodes_of(edges["dst"], node_of)
    posts["u"] = b._nodes_of(posts["author"], node_of)
    members["u"] = b._nodes_of(members["member"], node_of)
    answered = members["role"].eq("respondent") & members["group"].str.startswith("survey:")
    respondents, members = members[answered], members[~answered]
    if "comember" in kinds:
        edges = pd.concat([edges, b._comember_edges(members, projection, backbone, alpha)],
                          ignore_index=True)
    G = nx.DiGraph()
    loops = edges["u"] == edges["v"]
    surveys = sorted({g.removeprefix("survey:") for g in respondents["group"]})
    G.graph.update(kinds=" ".join(kinds), since=b._iso(lo), until=b._iso(hi),
                   contexts=" | ".join(raw), people=people, surveys=" ".join(surveys),
                   interactions=len(edges), self_loops_dropped=int(loops.sum()))
    if "comember" in kinds:
        G.graph.update(projection=projection, backbone=backbone or "", alpha=alpha)
    for key in ("kinds", "since", "until", "contexts", "surveys", "backbone"):
        if key in G.graph and not G.graph[key]:
            del G.graph[key]

    # nodes
    n_posts = posts.groupby("u").size()
    touches = pd.concat([edges["u"], edges["v"][edges["u"] != edges["v"]]])
    traces = n_posts.add(touches.value_counts(), fill_value=0)
    people_keys = "roster:" + roster["person_id"]
    keys = pd.Index(sorted(set(traces.index) | set(people_keys)), name="node")
    nodes = pd.DataFrame(index=keys)
    nodes["posts"] = n_posts.reindex(keys, fill_value=0).astype(int)
    nodes["traces"] = traces.reindex(keys, fill_value=0).astype(int)
    own = keys[~keys.isin(people_keys)]
    acc = pd.concat([pd.DataFrame({"account": own, "node": own}),
                     pd.DataFrame({"account": ids["account"],
                                   "node": "roster:" + ids["person_id"]})],
                    ignore_index=True).merge(accounts, on="account", how="left")
    acc["platform"] = acc["platform"].fillna(acc["account"].str.split(":", n=1).str[0])
    by_node = acc.sort_values(["node", "account"]).groupby("node", sort=False)
    nodes["accounts"] = by_node["account"].agg(" ".join)
    nodes["platform"] = by_node["platform"].agg(lambda s: " ".join(dict.fromkeys(s)))
    nodes["handle"] = by_node["handle"].first()
    nodes["display_name"] = by_node["display_name"].first()
    persons = roster.assign(node="roster:" + roster["person_id"]).set_index("node")
    for col in ("person_id", "name", "organization", "unit", "role"):
        nodes[col] = persons[col].reindex(keys)
    nodes["on_roster"] = keys.isin(people_keys)
    nodes["node_type"] = pd.Series("account", index=keys).where(~nodes["on_roster"], "person")
    extra = b._roster_attributes(persons).reindex(keys)
    label = nodes["name"].fillna("@" + nodes["handle"]).fillna(nodes["display_name"])
    nodes["label"] = label.fillna(pd.Series(keys, index=keys))
    nodes = nodes[[f for f in b.NODE_FIELDS if f in nodes]].join(extra).reset_index()
    nodes["groups"] = nodes["node"].map(members.drop_duplicates(["u", "group"])
                                        .groupby("u").size()).fillna(0).astype(int)
    answers = respondents.assign(relation=respondents["group"].str.removeprefix("survey:"))
    answered_by = answers.drop_duplicates(["u", "relation"]).sort_values("relation")
    nodes["responded"] = nodes["node"].map(answered_by.groupby("u")["relation"].agg(" ".join))
    nodes["traces"] += nodes["node"].map(answered_by.groupby("u").size()).fillna(0).astype(int)
    G.add_nodes_from((row.pop("node"), {k: v for k, v in row.items() if b._present(v)})
                     for row in nodes.to_dict("records"))

    # edges
    edges = edges[~loops]
    if edges.empty:
        return G
    edges = edges.assign(weight=edges["weight"].fillna(1.0))
    agg = edges.groupby(["u", "v"], sort=True).agg(weight=("weight", "sum"),
                                                    count=("weight", "size"))
    per_kind = edges.groupby(["u", "v", "kind"]).size().unstack("kind", fill_value=0)
    per_kind = per_kind.reindex(sorted(per_kind.columns), axis=1)
    per_kind.columns = [f"n_{k}" for k in per_kind.columns]
    agg = agg.join(per_kind)
    tokens = edges[["u", "v", "context"]].dropna()
    tokens = tokens.assign(context=b._context_items(tokens["context"])).explode("context")
    tokens = tokens.dropna()
    if not tokens.empty:
        freq = tokens.groupby(["u", "v", "context"]).size().rename("n").reset_index()
        freq = freq.sort_values(["u", "v", "n", "context"], ascending=[True, True, False, True])
        agg = agg.join(freq.groupby(["u", "v"], sort=False)["context"]
                       .agg(b.CONTEXT_SEPARATOR.join).rename("contexts"))
    agg["count"] = agg["count"].astype(int)
    G.add_edges_from(
        (r.pop("u"), r.pop("v"),
         {k: (int(v) if k.startswith("n_") else v) for k, v in r.items()
          if b._present(v) and not (k.startswith("n_") and v == 0)})
        for r in agg.reset_index().to_dict("records"))
    return G


def assert_identical(a: nx.DiGraph, b: nx.DiGraph) -> None:
    """Same nodes, edges, attributes (values, types and order) and graph attributes, in the
    same order, successors and predecessors alike."""
    def typed(d):
        return [(k, v, type(v)) for k, v in d.items()]

    assert list(a.nodes) == list(b.nodes)
    for n in a:
        assert typed(a.nodes[n]) == typed(b.nodes[n]), n
        assert list(a.pred[n]) == list(b.pred[n]), n
    assert list(a.edges) == list(b.edges)
    for u, v, d in a.edges(data=True):
        assert typed(d) == typed(b[u][v]), (u, v)
        assert b.pred[v][u] is b[u][v]
    assert list(a.graph.items()) == list(b.graph.items())


def rich_dataset(seed: int) -> Dataset:
    """Several platforms, people with several accounts, accounts without a profile row,
    fractional and missing weights, hashtag and free-text contexts, self-loops, survey
    nominations and respondents, group memberships, Unicode and case in keys."""
    import random

    rng = random.Random(seed)
    platforms = ["x", "mastodon", "slack", "survey"]
    accounts = [f"{rng.choice(platforms[:3])}:{k}" for k in
                ["a1", "B2", "c3", "d4", "é5", "f6", "g7", "H8", "i9", "j10", "k11", "Z12",
                 "m13", "n14", "o15", "p16", "q17", "r18", "s19", "t20"]]
    people = [{"person_id": f"P{i}", "name": rng.choice([f"Name {i}", None]),
               "organization": rng.choice(["North", "South", None]),
               "unit": rng.choice(["Elm", None]),
               "attributes": rng.choice([None, '{"years": "3"}', '{"years": 4, "tier": "a"}'])}
              for i in range(8)]
    identities = [{"account": a, "person_id": f"P{rng.randrange(8)}", "method": "explicit"}
                  for a in rng.sample(accounts, 9)]
    identities = list({r["account"]: r for r in identities}.values())
    profile = [{"account": a, "platform": a.split(":")[0],
                "handle": rng.choice([f"h_{a[-2:]}", None]),
                "display_name": rng.choice(["Shown", None])} for a in accounts[:14]]
    tags = ["#edchat", "#naespchat", "#PrincipalLife", "#a #b", "#b #a #a", "#edchat #ptchat",
            "Whom do you ask?", "general", None, ""]
    kinds = ["reply", "mention", "retweet", "quote", "message", "advice"]
    ties, posts = [], []
    for i in range(400):
        src = rng.choice(accounts)
        dst = src if rng.random() < 0.05 else rng.choice([*accounts, "x:unseen", "x:Ω"])
        day = rng.randint(0, 59)
        when = (None if rng.random() < 0.05 else
                f"2025-{8 + day // 30:02d}-{day % 30 + 1:02d}T10:00:00Z")
        row = {"platform": src.split(":")[0], "kind": rng.choice(kinds), "src": src,
               "dst": dst, "ts": when, "post_id": f"t{i}", "context": rng.choice(tags)}
        if rng.random() < 0.5:
            row["weight"] = rng.choice([0.5, 1.0, 2.0, 0.25, 3.0])
        ties.append(row)
        if rng.random() < 0.3:
            posts.append({"post_id": f"p{i}", "platform": src.split(":")[0], "author": src,
                          "created_at": when or "2025-09-15T00:00:00Z",
                          "contexts": [t for t in rng.sample(tags[:3], 2)]})
    members = [{"member": rng.choice(accounts + [f"roster:P{i}" for i in range(8)]),
                "group": rng.choice(["plc:1", "plc:2", "cohort:A", "survey:advice"]),
                "role": rng.choice(["member", "respondent", None])} for _ in range(30)]
    members = list({(m["member"], m["group"]): m for m in members}.values())
    return Dataset.from_records(people=people, identities=identities, accounts=profile,
                                posts=posts, interactions=ties, memberships=members)


OPTIONS = [{}, {"people": False}, {"kinds": "mention reply"}, {"kinds": "advice"},
           {"since": "2025-09-01", "until": "2025-10-01"}, {"contexts": ["#A", "general"]},
           {"kinds": ["comember", "mention"]},
           {"kinds": "comember", "projection": "newman"}]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sql_aggregation_matches_the_former_pandas_path(seed, store):
    ds = rich_dataset(seed)
    store.add(ds)
    for options in OPTIONS:
        expected = _reference_graph(ds, **options)
        assert expected.number_of_edges() > 0 or options.get("kinds") == "comember"
        assert_identical(build_graph(ds, **options), expected)
        assert_identical(build_graph(store, **options), expected)


def test_sample_graph_matches_the_former_pandas_path(tmp_path):
    with Store(tmp_path / "s.duckdb") as st:
        st.ingest(SAMPLE / "naespchat_twarc2.jsonl")
        st.ingest(SAMPLE / "principallife_tags.csv")
        for options in ({}, {"people": False}, {"contexts": "naespchat"}):
            assert_identical(build_graph(st, **options), _reference_graph(st, **options))


def test_store_connection_is_left_clean(ds, store):
    store.add(ds)
    before = store.con.execute("SELECT count(*) FROM duckdb_tables()").fetchone()
    build_graph(store, kinds="comember mention")
    assert store.con.execute("SELECT count(*) FROM duckdb_tables()").fetchone() == before
    assert not [n for (n,) in store.con.execute("SELECT view_name FROM duckdb_views()")
                .fetchall() if n.startswith("_pln_build")]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_network_matrix_from_duckdb_equals_the_graphs(seed, store):
    """build_network's matrix comes from DuckDB's integer-coded ties, not from the graph:
    it equals the matrix read from the graph, for every option set."""
    ds = rich_dataset(seed)
    store.add(ds)
    for options in OPTIONS:
        for data in (ds, store):
            G, A = build_network(data, **options)
            assert_identical(G, build_graph(data, **options))
            B = adjacency(G, "weight")
            assert A.shape == B.shape and (A != B).nnz == 0, options
            assert (A.indptr == B.indptr).all() and (A.indices == B.indices).all()


def test_analysis_from_the_duckdb_matrix_equals_reading_the_graph(store):
    store.add(rich_dataset(1))
    G, A = build_network(store)
    for engine in ("networkx", "networkit"):
        given = analyze(G, engine=engine, matrix=A).metrics
        read = analyze(G, engine=engine).metrics
        assert given.equals(read), engine
    with pytest.raises(ValueError, match="the graph has"):
        analyze(G, matrix=A[:-1, :-1])
