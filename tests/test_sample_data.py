"""The synthetic sample in data/sample: deterministic, readable, and its ground truth holds.

The planted structure (ground_truth.json) is checked on the ties plnanalytics itself draws:
the twarc2 file through ``Store.ingest(format="twarc2")`` and the TAGS file through
``format="tags"``; when the TAGS reader is not importable, the TAGS ties are computed here
from the CSV with the same rules (reply, mention, retweet; a reply is not also a mention, a
retweet ties only to the original author, self-loops are not ties).
"""

from __future__ import annotations

import csv
import importlib.util
import json
import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import networkx as nx
import pytest

from plnanalytics import Store

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
SCRIPT = ROOT / "scripts" / "make_sample_data.py"
FILES = ("naespchat_twarc2.jsonl", "principallife_tags.csv", "roster.csv", "ground_truth.json",
         "README.md")
TAGS_HEADER = [
    "id_str", "from_user", "text", "created_at", "time", "geo_coordinates", "user_lang",
    "in_reply_to_user_id_str", "in_reply_to_screen_name", "from_user_id_str",
    "in_reply_to_status_id_str", "source", "profile_image_url", "user_followers_count",
    "user_friends_count", "user_location", "status_url", "entities_str",
]
DST_END = datetime(2025, 11, 2, 6, tzinfo=UTC)


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_sample_data", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _has_tags_reader() -> bool:
    return importlib.util.find_spec("plnanalytics.ingest.tags") is not None


@pytest.fixture(scope="module")
def gt() -> dict[str, Any]:
    return json.loads((SAMPLE / "ground_truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def pages() -> list[dict[str, Any]]:
    with open(SAMPLE / "naespchat_twarc2.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


@pytest.fixture(scope="module")
def tags_rows() -> list[dict[str, str]]:
    with open(SAMPLE / "principallife_tags.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def roster() -> list[dict[str, str]]:
    with open(SAMPLE / "roster.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def twarc2_edges(tmp_path_factory: pytest.TempPathFactory) -> set[tuple[str, str, str]]:
    """(kind, src, dst) from ingesting the twarc2 file; no record may be rejected."""
    path = tmp_path_factory.mktemp("store") / "project.duckdb"
    with Store(path) as store:
        report = store.ingest(SAMPLE / "naespchat_twarc2.jsonl", format="twarc2")
        assert report.rejected == 0, report.rejects[:5]
        assert report.records == report.kept
        frame = store.table("interactions")
    return set(zip(frame["kind"], frame["src"], frame["dst"], strict=True))


def _tags_csv_edges(rows: list[dict[str, str]]) -> set[tuple[str, str, str]]:
    """TAGS ties by the PostSink rules, straight from the CSV."""
    edges = set()
    seen: set[str] = set()
    for row in rows:
        post_id = row["status_url"].rsplit("/", 1)[1]
        if post_id in seen:
            continue
        seen.add(post_id)
        author = row["from_user_id_str"]
        mentions = json.loads(row["entities_str"])["user_mentions"]
        rt = re.match(r"RT @(\w+):", row["text"])
        if rt:
            orig = next(m["id_str"] for m in mentions
                        if m["screen_name"].lower() == rt.group(1).lower())
            if orig != author:
                edges.add(("retweet", "x:" + author, "x:" + orig))
            continue
        replied = row["in_reply_to_user_id_str"]
        if replied != "NA" and replied != author:
            edges.add(("reply", "x:" + author, "x:" + replied))
        for m in mentions:
            if m["id_str"] not in (author, replied):
                edges.add(("mention", "x:" + author, "x:" + m["id_str"]))
    return edges


@pytest.fixture(scope="module")
def tags_edges(tmp_path_factory: pytest.TempPathFactory,
               tags_rows: list[dict[str, str]]) -> set[tuple[str, str, str]]:
    """(kind, src, dst) of the TAGS file: from the reader when it exists, else from the CSV."""
    if not _has_tags_reader():
        return _tags_csv_edges(tags_rows)
    path = tmp_path_factory.mktemp("tags") / "project.duckdb"
    with Store(path) as store:
        report = store.ingest(SAMPLE / "principallife_tags.csv", format="tags")
        assert report.rejected == 0, report.rejects[:5]
        frame = store.table("interactions")
    return set(zip(frame["kind"], frame["src"], frame["dst"], strict=True))


@pytest.fixture(scope="module")
def posters(pages: list[dict[str, Any]], tags_rows: list[dict[str, str]]) -> set[str]:
    authors = {"x:" + t["author_id"] for p in pages for t in p["data"]}
    return authors | {"x:" + r["from_user_id_str"] for r in tags_rows}


@pytest.fixture(scope="module")
def network(twarc2_edges: set[tuple[str, str, str]], tags_edges: set[tuple[str, str, str]],
            posters: set[str]) -> tuple[nx.Graph, nx.DiGraph]:
    """Undirected contacts and directed ties over both files; every poster is a node."""
    directed = nx.DiGraph()
    directed.add_nodes_from(sorted(posters))
    for _kind, src, dst in sorted(twarc2_edges | tags_edges):
        assert src != dst
        directed.add_edge(src, dst)
    return directed.to_undirected(), directed


# -- determinism ------------------------------------------------------------------------------
def test_regenerating_gives_byte_identical_files(tmp_path: Path) -> None:
    module = _load_script()
    assert module.main(["--out", str(tmp_path), "--seed", "2024"]) == 0
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (SAMPLE / name).read_bytes(), name


def test_files_are_small_and_sized_as_planned(gt: dict[str, Any], pages: list[dict[str, Any]],
                                              tags_rows: list[dict[str, str]]) -> None:
    for name in FILES:
        assert (SAMPLE / name).stat().st_size < 2_000_000, name
    tweets = sum(len(p["data"]) for p in pages)
    assert 1500 <= tweets <= 3000
    assert tweets == gt["files"]["twarc2"]["tweets"]
    assert 400 <= len(tags_rows) <= 800
    assert len(tags_rows) == gt["files"]["tags"]["rows"]
    ids = [r["status_url"].rsplit("/", 1)[1] for r in tags_rows]
    assert len(ids) - len(set(ids)) == gt["files"]["tags"]["duplicate_rows"] > 0
    assert gt["synthetic"] is True
    assert "synthetic" in (SAMPLE / "README.md").read_text(encoding="utf-8").lower()


# -- formats ----------------------------------------------------------------------------------
def test_twarc2_pages_look_like_the_api(pages: list[dict[str, Any]]) -> None:
    previous = None
    for n, page in enumerate(pages):
        assert set(page) == {"data", "includes", "meta", "__twarc"}
        data = page["data"]
        meta = page["meta"]
        assert 0 < len(data) <= 100 and meta["result_count"] == len(data)
        assert (meta["newest_id"], meta["oldest_id"]) == (data[0]["id"], data[-1]["id"])
        assert ("next_token" in meta) == (n + 1 < len(pages))
        assert set(page["__twarc"]) == {"url", "version", "retrieved_at"}
        for tweet in data:  # newest first; ids are 19-digit snowflakes that follow time
            tid = int(tweet["id"])
            assert len(tweet["id"]) == 19
            assert re.fullmatch(r"2025-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z", tweet["created_at"])
            if previous is not None:
                assert tid < previous[0] and tweet["created_at"] <= previous[1]
            previous = (tid, tweet["created_at"])
            snowflake_ms = (tid >> 22) + 1288834974657
            created = datetime.fromisoformat(tweet["created_at"]).timestamp() * 1000
            assert 0 <= snowflake_ms - created < 1000


def test_twarc2_entities_match_text(pages: list[dict[str, Any]]) -> None:
    for page in pages:
        for tweet in page["data"] + page["includes"]["tweets"]:
            text = tweet["text"]
            entities = tweet.get("entities", {})
            for m in entities.get("mentions", []):
                assert text[m["start"]:m["end"]] == "@" + m["username"]
            for h in entities.get("hashtags", []):
                assert text[h["start"]:h["end"]] == "#" + h["tag"]
            for u in entities.get("urls", []):
                assert text[u["start"]:u["end"]] == u["url"]
            if text.startswith("RT @"):
                assert len(text) <= 140
                assert entities["mentions"][0]["start"] == 3


def test_chats_follow_the_schedule(pages: list[dict[str, Any]], gt: dict[str, Any]) -> None:
    hub = gt["hub"]["account"].split(":", 1)[1]
    questions = [t for p in pages for t in p["data"]
                 if t["author_id"] == hub and re.match(r"Q\d: ", t["text"])]
    assert len(questions) == 12 * 6
    for q in questions:
        t = datetime.fromisoformat(q["created_at"])
        start_hour = 0 if t < DST_END else 1  # 8 pm US Eastern
        assert t.weekday() == 2 and t.hour == start_hour and "#NAESPchat" in q["text"]
    answers = [t for p in pages for t in p["data"] if re.match(r"@\w+ A\d: ", t["text"])]
    by_id = {t["id"]: t for p in pages for t in p["data"]}
    for a in answers:
        parent = by_id[a["referenced_tweets"][0]["id"]]
        assert parent["author_id"] == hub and a["in_reply_to_user_id"] == hub
        assert a["conversation_id"] == parent["id"]


def test_tags_file_has_the_tags_layout(tags_rows: list[dict[str, str]]) -> None:
    with open(SAMPLE / "principallife_tags.csv", encoding="utf-8", newline="") as fh:
        assert next(csv.reader(fh)) == TAGS_HEADER
    sci = 0
    for row in tags_rows:
        tid = row["status_url"].rsplit("/", 1)[1]
        assert row["status_url"] == f"http://twitter.com/{row['from_user']}/statuses/{tid}"
        if row["id_str"] != tid:
            sci += 1
            assert re.fullmatch(r"\d\.\d+E\+18", row["id_str"])
            assert abs(float(row["id_str"]) - int(tid)) < 1e4
        created = datetime.strptime(row["created_at"], "%a %b %d %H:%M:%S +0000 %Y")
        created = created.replace(tzinfo=UTC)
        local = datetime.strptime(row["time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        offset = timedelta(hours=4 if created < DST_END else 5)
        assert timedelta(0) <= created - offset - local <= timedelta(seconds=1)
        assert row["geo_coordinates"] == row["user_lang"] == "NA"
        entities = json.loads(row["entities_str"])
        for m in entities["user_mentions"]:
            s, e = m["indices"]
            assert row["text"][s:e] == "@" + m["screen_name"]
            assert m["id"] == int(m["id_str"]) or int(m["id_str"]) >= 2**53
        for h in entities["hashtags"]:
            s, e = h["indices"]
            assert row["text"][s:e] == "#" + h["text"]
        if row["text"].startswith("RT @"):
            assert row["in_reply_to_user_id_str"] == "NA"
            assert entities["user_mentions"][0]["indices"][0] == 3
    assert sci > 0


def test_tags_reader_ingests_the_archive(tmp_path: Path, gt: dict[str, Any],
                                         tags_rows: list[dict[str, str]]) -> None:
    pytest.importorskip("plnanalytics.ingest.tags")
    with Store(tmp_path / "p.duckdb") as store:
        report = store.ingest(SAMPLE / "principallife_tags.csv", format="tags")
        frame = store.table("interactions")
    assert report.rejected == 0
    assert report.records == len(tags_rows)
    assert report.kept == gt["files"]["tags"]["unique_tweets"]
    ingested = set(zip(frame["kind"], frame["src"], frame["dst"], strict=True))
    assert ingested == _tags_csv_edges(tags_rows)


def test_every_tie_points_at_an_account_in_the_data(
        pages: list[dict[str, Any]], tags_rows: list[dict[str, str]], posters: set[str]) -> None:
    for page in pages:
        users = {u["id"]: u for u in page["includes"]["users"]}
        refs = {t["id"]: t for t in page["includes"]["tweets"]}
        for tweet in page["data"]:
            named = [tweet["author_id"], *(m["id"] for m in
                                           tweet.get("entities", {}).get("mentions", []))]
            if "in_reply_to_user_id" in tweet:
                named.append(tweet["in_reply_to_user_id"])
            for ref in tweet.get("referenced_tweets", []):
                named.append(refs[ref["id"]]["author_id"])
            for uid in named:
                assert uid in users
                assert "x:" + uid in posters
    for row in tags_rows:
        named = [m["id_str"] for m in json.loads(row["entities_str"])["user_mentions"]]
        if row["in_reply_to_user_id_str"] != "NA":
            named.append(row["in_reply_to_user_id_str"])
        for uid in named:
            assert "x:" + uid in posters


def test_roster(roster: list[dict[str, str]], posters: set[str]) -> None:
    assert list(roster[0]) == ["person_id", "name", "email", "district", "school", "role",
                               "years_as_principal", "x_handle", "x_user_id"]
    assert 55 <= len(roster) <= 65
    assert len({r["district"] for r in roster}) == 3
    assert len({r["person_id"] for r in roster}) == len(roster)
    for r in roster:
        assert bool(r["x_handle"]) == bool(r["x_user_id"])
        assert r["email"].endswith(".example.org")
    assert sum(1 for r in roster if not r["x_handle"]) >= 1


# -- the planted ground truth -----------------------------------------------------------------
def test_planted_ground_truth_holds(network: tuple[nx.Graph, nx.DiGraph], gt: dict[str, Any],
                                    roster: list[dict[str, str]], posters: set[str]) -> None:
    g, d = network
    district = {"x:" + r["x_user_id"]: r["district"] for r in roster if r["x_user_id"]}
    by_pid = {r["person_id"]: r for r in roster}

    def nbrs(acc: str) -> set[str]:
        return set(g[acc]) if acc in g else set()

    # hub: the moderator has the highest degree, by far
    hub = gt["hub"]["account"]
    degrees = dict(g.degree())
    assert degrees[hub] == gt["hub"]["degree"]
    assert degrees[hub] > 2 * max(v for k, v in degrees.items() if k != hub)

    # absent: no activity at all
    for e in gt["absent"]:
        assert e["account"] is None or (e["account"] not in g and e["account"] not in posters)
        assert by_pid[e["person_id"]]["x_user_id"] in ("", e["account"].split(":")[1]
                                                       if e["account"] else "")
    # isolates: post, no ties either way
    for e in gt["isolates"]:
        assert e["account"] in posters and degrees[e["account"]] == 0
    # single tie: exactly one distinct contact
    for e in gt["single_tie"]:
        assert nbrs(e["account"]) == {e["contact"]}
    # never sought: reach out, nobody reaches them
    for e in gt["never_sought"]:
        assert d.in_degree(e["account"]) == 0 and d.out_degree(e["account"]) >= 2
    # clique: five principals of one district, all ordered pairs tied; nobody else is tied to
    # all five, and there is no other clique of five or more
    members = [m["account"] for m in gt["clique"]["members"]]
    assert len(members) == 5 and {district[m] for m in members} == {gt["clique"]["district"]}
    for u in members:
        for v in members:
            assert u == v or d.has_edge(u, v)
    assert not [x for x in g if x not in members and set(members) <= nbrs(x)]
    big = [sorted(c) for c in nx.find_cliques(g) if len(c) >= 5]
    assert big == [sorted(members)]
    # broker: contacts in all three districts, the only bridge to a district-C subgroup
    broker = gt["broker"]["account"]
    sub = {m["account"] for m in gt["broker"]["subgroup"]}
    assert {district[x] for x in nbrs(broker) if x in district} == set(gt["districts"])
    assert len({district[x] for x in sub}) == 1 and nbrs(broker) & sub
    for s in sub:
        assert nbrs(s) <= sub | {broker}
    assert nx.has_path(g, next(iter(sub)), hub)
    cut = g.copy()
    cut.remove_node(broker)
    for s in sub:
        assert nx.node_connected_component(cut, s) <= sub

    # the categories are exact: nobody else on the roster is absent, isolated, single-tied or
    # never sought, and everyone with a tie is in one network
    categories = {pid: p["category"] for pid, p in gt["people"].items()}
    for pid, r in by_pid.items():
        acc = "x:" + r["x_user_id"] if r["x_user_id"] else None
        active = acc is not None and acc in posters
        entry = gt["people"][pid]
        if not active:
            assert categories[pid] == "absent" and (acc is None or acc not in g)
            continue
        deg = degrees[acc]
        assert (entry["degree"], entry["in_degree"], entry["out_degree"]) == (
            deg, d.in_degree(acc), d.out_degree(acc))
        assert (deg == 0) == (categories[pid] == "isolate")
        assert (deg == 1) == (categories[pid] == "single_tie")
        assert (deg > 0 and d.in_degree(acc) == 0) == (categories[pid] == "never_sought")
    tied = [n for n in g if degrees[n] > 0]
    assert nx.is_connected(g.subgraph(tied))
    # more ties inside districts than across
    within = sum(1 for u, v in g.edges if u in district and v in district
                 and district[u] == district[v])
    across = sum(1 for u, v in g.edges if u in district and v in district
                 and district[u] != district[v])
    assert (within, across) == (gt["network"]["roster_ties_within_district"],
                                gt["network"]["roster_ties_across_districts"])
    assert within > 3 * across > 0


def test_retweets_give_no_mention_ties(pages: list[dict[str, Any]],
                                       twarc2_edges: set[tuple[str, str, str]],
                                       gt: dict[str, Any]) -> None:
    """The single-tie retweeter retweets a post that mentions two other clique members."""
    single = {e["account"] for e in gt["single_tie"]}
    mentions_in_rts = 0
    for page in pages:
        for t in page["data"]:
            if "x:" + t["author_id"] in single and t["text"].startswith("RT @"):
                mentions_in_rts += len(t["entities"]["mentions"]) - 1
    assert mentions_in_rts >= 2
    assert not [e for e in twarc2_edges if e[1] in single and e[0] == "mention"
                and e[2] in {m["account"] for m in gt["clique"]["members"]}]
