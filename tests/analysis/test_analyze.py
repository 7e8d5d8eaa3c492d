"""analyze(), the files it writes, and the sample data's planted structure end to end."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest
from conftest import SAMPLE

from plnanalytics import Store
from plnanalytics.analysis import analyze, flag_isolation, resolve_attribute
from plnanalytics.graph.build import build_graph, undirected
from plnanalytics.report.export import ANALYSIS_FILES, write_analysis

TRUTH = json.loads((SAMPLE / "ground_truth.json").read_text())


@pytest.fixture(scope="module")
def sample_graph(tmp_path_factory) -> nx.DiGraph:
    path = tmp_path_factory.mktemp("sample") / "s.duckdb"
    with Store(path) as st:
        st.ingest(SAMPLE / "naespchat_twarc2.jsonl")
        st.ingest(SAMPLE / "principallife_tags.csv")
        st.ingest(SAMPLE / "roster.csv", format="roster")
        return build_graph(st)


@pytest.fixture(scope="module")
def sample_result(sample_graph):
    return analyze(sample_graph, seed=0)


def pid(node: str) -> str:
    return node.removeprefix("roster:")


def test_every_node_has_a_metrics_row(sample_graph, sample_result):
    m = sample_result.metrics
    assert list(m["node"]) == list(sample_graph.nodes)
    roster = m[m["on_roster"] == True]  # noqa: E712 - object column
    assert len(roster) == 60
    absent = roster[roster["person_id"].isin(["P014", "P039", "P056", "P060"])]
    assert (absent["degree"] == 0).all() and absent["constraint"].isna().all()
    assert m["community"].notna().all() and m["component"].notna().all()


def test_metrics_equal_networkx(sample_graph, sample_result):
    m = sample_result.metrics.set_index("node")
    ref = nx.betweenness_centrality(sample_graph, normalized=True)
    assert max(abs(m.loc[n, "betweenness"] - v) for n, v in ref.items()) < 1e-9
    pr = nx.pagerank(sample_graph, weight="weight")
    assert max(abs(m.loc[n, "pagerank"] - v) for n, v in pr.items()) < 1e-9
    core = nx.core_number(undirected(sample_graph))
    assert all(m.loc[n, "coreness"] == v for n, v in core.items())


def test_sample_degrees_match_the_ground_truth(sample_result):
    m = sample_result.metrics.set_index("node")
    hub = m.loc[TRUTH["hub"]["account"]]
    assert hub["degree"] == TRUTH["hub"]["degree"] == 66
    assert m["degree"].drop(TRUTH["hub"]["account"]).max() == TRUTH["hub"]["next_highest_degree"]


def test_planted_structure_is_found(sample_graph, sample_result):
    flags = flag_isolation(sample_graph)
    got = flags.groupby("person_id")["flag"].agg(set).to_dict()
    expect = {
        "absent": ["P014", "P039", "P056", "P060"],
        "isolate": ["P030", "P049"],
        "single_tie": ["P007", "P040", "P048"],
        "bridge_dependent": ["P043", "P050", "P052", "P054"],
        "never_sought": ["P021", "P047"],
    }
    for flag, people in expect.items():
        assert {p for p, f in got.items() if flag in f} == set(people), flag
    bridge = flags[flags.flag == "bridge_dependent"]
    assert set(bridge["via"]) == {"roster:P041"}
    assert all("Gideon Vickery" in r for r in bridge["reason"])
    # the broker: contacts in all three districts, and the most liaison brokerage
    m = sample_result.metrics.set_index("node")
    broker = m.loc["roster:P041"]
    assert broker["liaison"] + broker["representative"] + broker["gatekeeper"] > 0
    clique = [f"roster:{p}" for p in ("P008", "P010", "P011", "P018", "P022")]
    assert m.loc[clique, "community"].nunique() == 1
    assert (m.loc[clique, "coreness"] >= 4).all()


def test_communities_and_summary(sample_graph, sample_result):
    s = sample_result.summary
    assert s["nodes"] == sample_graph.number_of_nodes() and s["isolates"] == 10
    assert s["attribute"] == "organization" and s["settings"]["seed"] == 0
    c = sample_result.communities
    assert c["size"].sum() == sample_graph.number_of_nodes()
    assert c["modularity_share"].sum() == pytest.approx(s["modularity"], abs=1e-9)
    assert c["top_contexts"].str.contains("#naespchat").any()


def test_group_aliases_and_missing_groups(sample_graph):
    assert resolve_attribute(sample_graph, "district") == "organization"
    assert resolve_attribute(sample_graph, "school") == "unit"
    assert resolve_attribute(sample_graph, "years_as_principal") == "years_as_principal"
    assert resolve_attribute(sample_graph, "nothing") is None
    G = nx.DiGraph([("a", "b"), ("b", "c")])
    result = analyze(G, group="district")
    assert "liaison" not in result.metrics.columns
    assert result.summary["settings"]["group"] is None


def read_outputs(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in ANALYSIS_FILES}


def test_files_written_and_deterministic(sample_graph, tmp_path):
    a = write_analysis(analyze(sample_graph, seed=3), tmp_path / "a")
    b = write_analysis(analyze(sample_graph.copy(), seed=3), tmp_path / "b")
    assert [p.name for p in a] == list(ANALYSIS_FILES) == [p.name for p in b]
    assert read_outputs(tmp_path / "a") == read_outputs(tmp_path / "b")
    metrics = pd.read_csv(tmp_path / "a" / "metrics.csv", dtype={"person_id": str})
    assert len(metrics) == sample_graph.number_of_nodes()
    summary = json.loads((tmp_path / "a" / "summary.json").read_text())
    assert summary["nodes"] == sample_graph.number_of_nodes()
    for name in ("graph.graphml", "graph.gexf"):
        reader = nx.read_graphml if name.endswith("graphml") else nx.read_gexf
        H = reader(tmp_path / "a" / name)
        assert H.number_of_nodes() == sample_graph.number_of_nodes()
        assert H.number_of_edges() == sample_graph.number_of_edges()
    H = nx.read_graphml(tmp_path / "a" / "graph.graphml")
    d = H.nodes["roster:P041"]
    assert d["label"] == "Gideon Vickery" and d["organization"] == "Riverbend Public Schools"
    assert "pagerank" in d and "community" in d
    assert H["roster:P008"]["roster:P010"]["weight"] > 0


def test_results_do_not_depend_on_insertion_order(sample_graph):
    H = nx.DiGraph()
    H.graph.update(sample_graph.graph)
    H.add_nodes_from(reversed(list(sample_graph.nodes(data=True))))
    H.add_edges_from(reversed(list(sample_graph.edges(data=True))))
    a = analyze(sample_graph, seed=5).metrics.set_index("node").sort_index()
    b = analyze(H, seed=5).metrics.set_index("node").sort_index()
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-9, atol=1e-12)
