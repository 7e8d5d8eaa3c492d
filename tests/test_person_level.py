"""One person, many traces: the sample's X archives, Slack export, advice survey and group
rosters, merged per roster person (data/sample/ground_truth.json, key "sources")."""

from __future__ import annotations

import json

import pytest
from conftest import SAMPLE

from plnanalytics import Store, analyze, build_graph, flag_isolation, undirected

TRUTH = json.loads((SAMPLE / "ground_truth.json").read_text())["sources"]
LEVEL = TRUTH["person_level"]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("sources") / "all.duckdb"
    with Store(path) as st:
        for name in ("naespchat_twarc2.jsonl", "principallife_tags.csv", "roster.csv",
                     "district_slack.zip"):
            assert st.ingest(SAMPLE / name).rejected == 0
        st.ingest(SAMPLE / "advice_survey.csv", format="survey",
                  min_frequency=LEVEL["min_advice_frequency"])
        st.ingest(SAMPLE / "plc_groups.csv", format="groups")
        yield st


@pytest.fixture(scope="module")
def graph(store):
    return build_graph(store)


def people_flagged(flags, flag):
    return sorted(flags.loc[flags.flag == flag, "person_id"])


def test_accounts_merge_into_people(graph):
    p030 = graph.nodes["roster:P030"]
    assert {a.split(":")[0] for a in p030["accounts"].split()} >= {"x", "slack"}
    kinds = {k for _, _, d in graph.edges("roster:P030", data=True) for k in d
             if k.startswith("n_")}
    assert "n_message" in kinds or "n_mention" in kinds
    # advice ties reach the roster people whose names respondents misspelled
    for row in TRUTH["survey"]["misspelled"]:
        src, dst = f"roster:{row['respondent']}", f"roster:{row['person_id']}"
        assert graph[src][dst].get("n_advice") == 1, row


def test_ambiguous_names_go_to_review(store):
    from plnanalytics.identity import review_store

    review = review_store(store).set_index("account")
    for row in TRUTH["survey"]["ambiguous"]:
        entry = review.loc[f"survey:{row['written']}"]
        assert entry["status"] == "ambiguous"
        assert all(pid in entry["candidates"] for pid in row["candidates"])


def test_person_level_watchlist_across_sources(graph):
    flags = flag_isolation(graph)
    assert people_flagged(flags, "absent") == LEVEL["absent"]
    assert people_flagged(flags, "isolate") == LEVEL["isolates"]
    for pid in LEVEL["no_longer_absent"] + LEVEL["no_longer_isolated"]:
        assert not {"absent", "isolate"} & set(flags.loc[flags.person_id == pid, "flag"])
    # a nominee name the review must settle ("Odette": two roster people) stays an account of
    # its own, so its tie is kept but goes to nobody on the roster
    H = undirected(graph)
    unresolved = [n for n in H if n.startswith("survey:")]
    assert unresolved == ["survey:Odette"]
    assert H.number_of_edges() - H.degree("survey:Odette") == LEVEL["ties"]
    # survey: not answering is kept apart from naming nobody
    survey = TRUTH["survey"]
    assert people_flagged(flags, "no_response") == sorted(survey["non_respondents"])
    assert set(survey["named_nobody"]) <= set(people_flagged(flags, "named_nobody"))
    reasons = flags.set_index(["person_id", "flag"])["reason"]
    # P039: a Slack channel (a join notice only), a PLC and the mentoring circle
    assert "listed in 3 groups" in reasons[("P039", "absent")]
    assert "2 respondents named them" in reasons[("P056", "no_response")]


def test_summary_counts_survey_response(graph):
    s = analyze(graph).summary
    advice = s["surveys"]["advice"]
    assert advice["respondents"] == TRUTH["survey"]["respondents"]
    assert advice["roster_nonrespondents"] == len(TRUTH["survey"]["non_respondents"])


def test_account_level_graph_stays_available(store):
    G = build_graph(store, people=False)
    assert any(n.startswith("slack:") for n in G) and any(n.startswith("x:") for n in G)
    assert G.nodes["roster:P030"]["traces"] == 0  # the roster node stands apart


def test_comember_ties_only_when_asked(store, graph):
    assert not any(d.get("n_comember") for *_, d in graph.edges(data=True))
    G = build_graph(store, kinds=["comember"])
    p039 = "roster:P039"
    assert G.degree(p039) > 0 and all(d.get("n_comember") for *_, d in G.edges(data=True))
    assert G.graph["projection"] == "count"
