"""The synthetic sample in data/sample: deterministic, readable, and its ground truth holds.

The planted structure (ground_truth.json) is checked on the ties plnanalytics itself draws:
the twarc2 file through ``Store.ingest(format="twarc2")`` and the TAGS file through
``format="tags"``; when the TAGS reader is not importable, the TAGS ties are computed here
from the CSV with the same rules (reply, mention, retweet; a reply is not also a mention, a
retweet ties only to the original author, self-loops are not ties).

The three further sources (``district_slack.zip``, ``advice_survey.csv``, ``plc_groups.csv``,
from ``scripts/make_sample_sources.py``) are checked against ``ground_truth.json["sources"]``
by reading the files here, independently of the generator: the export's layout and counts,
the survey's planted rows and names (resolved with rapidfuzz), the groups, and the
person-level expectations over all sources together.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import json
import re
import sys
import unicodedata
import zipfile
from collections import Counter
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
         "README.md", "district_slack.zip", "advice_survey.csv", "plc_groups.csv")
#: The X files and the roster predate the further sources, which must not change them.
PINNED = {
    "naespchat_twarc2.jsonl": "11b296669f429c3c24fb7af9934b22d4c71db9b61d17d55ae35a58a7c5ee1b56",
    "principallife_tags.csv": "a3bb389a00097af90f906f10bead0b37a8d10ab691fa48ed2a2eba9f3449d25d",
    "roster.csv": "9db073d77935431791c388245602937ae98067ec1adafaecf2c026d058d7e6cd",
}
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


# -- the further sources: Slack, advice survey, groups -----------------------------------------
SLACK_DAY = re.compile(r"([a-z0-9-]+)/(\d{4}-\d\d-\d\d)\.json")
SLACK_MENTION = re.compile(r"<@(U[A-Z0-9]+)(?:\|[^>]*)?>")
NOTICES = ("channel_join", "channel_leave")


@pytest.fixture(scope="module")
def sources(gt: dict[str, Any]) -> dict[str, Any]:
    return gt["sources"]


@pytest.fixture(scope="module")
def slack_export() -> dict[str, Any]:
    """users, channels and (channel, day, message) of the Slack export, and the zip's infos."""
    with zipfile.ZipFile(SAMPLE / "district_slack.zip") as zf:
        infos = zf.infolist()
        users = json.loads(zf.read("users.json"))
        channels = json.loads(zf.read("channels.json"))
        messages = []
        for info in infos:
            hit = SLACK_DAY.fullmatch(info.filename)
            if hit:
                for m in json.loads(zf.read(info)):
                    messages.append((hit.group(1), hit.group(2), m))
    return {"infos": infos, "users": users, "channels": channels, "messages": messages}


@pytest.fixture(scope="module")
def survey_rows() -> list[dict[str, str]]:
    with open(SAMPLE / "advice_survey.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def group_rows() -> list[dict[str, str]]:
    with open(SAMPLE / "plc_groups.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _slack_ties(export: dict[str, Any]) -> tuple[Counter, set[tuple[str, str]], set[str]]:
    """Interactions by kind, directed user pairs and conversation authors, by the chat rules:
    a thread reply ties the replier to the starter once (not again as a mention), mentions tie
    the author to the mentioned user, bots and join/leave notices are not conversation."""
    bots = {u["id"] for u in export["users"] if u["is_bot"]}
    parents = {(c, m["ts"]): m for c, _d, m in export["messages"]}
    kinds: Counter = Counter()
    pairs: set[tuple[str, str]] = set()
    authors: set[str] = set()
    for channel, _day, m in export["messages"]:
        if m.get("subtype") in (*NOTICES, "bot_message") or m.get("user") in bots:
            continue
        author = m["user"]
        authors.add(author)
        starter = None
        if m.get("thread_ts", m["ts"]) != m["ts"]:
            starter = parents[(channel, m["thread_ts"])]["user"]
            if starter != author:
                kinds["message"] += 1
                pairs.add((author, starter))
        for target in dict.fromkeys(SLACK_MENTION.findall(m["text"])):
            if target not in (author, starter):
                kinds["mention"] += 1
                pairs.add((author, target))
    return kinds, pairs, authors


def _fold(name: str) -> str:
    plain = "".join(c for c in unicodedata.normalize("NFKD", name)
                    if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


def _resolve_names(roster: list[dict[str, str]], names: set[str]) -> dict[str, tuple[str, Any]]:
    """Written name -> ("exact" | "fuzzy", person id) or ("ambiguous", candidates)."""
    from rapidfuzz import fuzz

    by_name = {_fold(r["name"]): r["person_id"] for r in roster}
    out: dict[str, tuple[str, Any]] = {}
    for written in names:
        key = _fold(written)
        if key in by_name:
            out[written] = ("exact", by_name[key])
        elif " " not in key:
            out[written] = ("ambiguous", sorted(r["person_id"] for r in roster
                                                if _fold(r["name"]).split()[0] == key))
        else:
            scores = sorted(((fuzz.token_sort_ratio(key, n), pid) for n, pid in by_name.items()),
                            reverse=True)
            assert scores[0][0] >= 85 and scores[0][0] - scores[1][0] >= 8, (written, scores[:2])
            out[written] = ("fuzzy", scores[0][1])
    return out


def test_old_files_are_unchanged() -> None:
    for name, digest in PINNED.items():
        assert hashlib.sha256((SAMPLE / name).read_bytes()).hexdigest() == digest, name


def test_sources_generator_is_deterministic(tmp_path: Path) -> None:
    """Two runs give the same bytes, and another seed gives another export."""
    module = _load_script()
    for sub, seed in (("a", 2024), ("b", 2024), ("c", 7)):
        assert module.main(["--out", str(tmp_path / sub), "--seed", str(seed)]) == 0
    for name in ("district_slack.zip", "advice_survey.csv", "plc_groups.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
        assert (tmp_path / "a" / name).read_bytes() != (tmp_path / "c" / name).read_bytes()
    assert "## More sources" in (SAMPLE / "README.md").read_text(encoding="utf-8")


def test_slack_zip_has_the_export_layout(slack_export: dict[str, Any],
                                         sources: dict[str, Any]) -> None:
    sl = sources["slack"]
    infos = slack_export["infos"]
    names = [i.filename for i in infos]
    assert names[:3] == ["channels.json", "integration_logs.json", "users.json"]
    assert len(names) == len(set(names)) == 3 + sl["day_files"]
    for info in infos:
        assert info.date_time == (2026, 1, 5, 14, 30, 0)
        assert info.compress_type == zipfile.ZIP_DEFLATED
    days = [SLACK_DAY.fullmatch(n) for n in names[3:]]
    assert all(days)
    assert {d.group(1) for d in days if d} == set(sl["channel_names"])
    # Slack's JSON style: 4-space indent and escaped slashes
    with zipfile.ZipFile(SAMPLE / "district_slack.zip") as zf:
        raw = zf.read("users.json").decode("ascii")
    assert raw.startswith("[\n    {") and "https:\\/\\/" in raw
    # channels
    channels = slack_export["channels"]
    user_ids = {u["id"] for u in slack_export["users"]}
    assert [c["name"] for c in channels] == sl["channel_names"] == [
        "general", "new-principals", "cedar-valley", "riverbend", "lakeshore"]
    for c in channels:
        assert re.fullmatch(r"C[A-Z0-9]{10}", c["id"]) and c["creator"] in user_ids
        assert set(c["members"]) <= user_ids and c["is_general"] == (c["name"] == "general")
        assert {"topic", "purpose", "created"} <= set(c)


def test_slack_users_are_roster_people_by_email(slack_export: dict[str, Any],
                                                sources: dict[str, Any],
                                                roster: list[dict[str, str]]) -> None:
    sl = sources["slack"]
    users = slack_export["users"]
    by_email = {r["email"]: r for r in roster}
    by_id = {u["id"]: u for u in users}
    assert len(users) == sl["users"] == 39
    assert all(u["team_id"] == sl["team_id"] == "T0PLNSMPL" for u in users)
    bots = [u for u in users if u["is_bot"]]
    assert len(bots) == sl["bot_users"] == 1
    assert "email" not in bots[0]["profile"] and bots[0]["id"] == sl["bot"]["user"]
    humans = [u for u in users if not u["is_bot"]]
    roster_users = [u for u in humans if u["profile"]["email"] in by_email]
    staff = [u for u in humans if u["profile"]["email"] not in by_email]
    assert len(roster_users) == sl["roster_users"] == 36
    assert len(staff) == sl["staff_users"] == 2
    assert {len({by_email[u["profile"]["email"]]["district"] for u in roster_users})} == {3}
    for u in staff:  # district staff: district domains, names that are nobody's on the roster
        assert u["profile"]["email"].split("@")[1] in {r["email"].split("@")[1] for r in roster}
        assert _fold(u["real_name"]) not in {_fold(r["name"]) for r in roster}
    # every roster principal's Slack email is the roster email, and the mapping is documented
    assert len(sl["user_of_person"]) == 36
    for pid, uid in sl["user_of_person"].items():
        row = next(r for r in roster if r["person_id"] == pid)
        assert by_id[uid]["profile"]["email"] == row["email"]
        assert by_id[uid]["real_name"] == row["name"]
    # display names: mostly the roster name, a few nicknames, a few empty
    for n in sl["nicknames"]:
        assert by_id[n["user"]]["profile"]["display_name"] == n["display_name"]
    assert any(n["person_id"] == "P030" and n["display_name"] == "Tam Cordova"
               for n in sl["nicknames"])
    shown = Counter("roster" if u["profile"]["display_name"] == u["real_name"] else
                    "empty" if not u["profile"]["display_name"] else "nick"
                    for u in roster_users)
    assert shown["roster"] > 2 * (shown["nick"] + shown["empty"]) and shown["nick"] >= 3
    # who is (not) in Slack
    in_slack = {by_email[u["profile"]["email"]]["person_id"] for u in roster_users}
    assert {"P030", "P014", "P039"} <= in_slack
    assert not in_slack & {"P049", "P056", "P060"}
    assert sorted(sl["not_in_slack"]) == ["P049", "P056", "P060"]


def test_slack_messages_and_counts(slack_export: dict[str, Any],
                                   sources: dict[str, Any]) -> None:
    sl = sources["slack"]
    messages = slack_export["messages"]
    user_ids = {u["id"] for u in slack_export["users"]}
    subtypes = Counter(m.get("subtype") for _c, _d, m in messages)
    assert len(messages) == sl["messages"]
    assert subtypes["channel_join"] == sl["joins"] > 0
    assert subtypes["channel_leave"] == sl["leaves"] >= 1
    assert subtypes["bot_message"] == sl["bot_messages"] > 0
    assert subtypes["file_share"] == sl["file_shares"] > 0
    assert subtypes["thread_broadcast"] == sl["thread_broadcasts"] > 0
    all_ts = [m["ts"] for _c, _d, m in messages]
    assert len(set(all_ts)) == len(all_ts)
    assert len({ts.split(".")[1] for ts in all_ts}) == len(all_ts)  # unique microsecond parts
    by_file: dict[tuple[str, str], list[str]] = {}
    replies: Counter = Counter()
    for channel, day, m in messages:
        assert m["type"] == "message" and re.fullmatch(r"17\d{8}\.\d{6}", m["ts"])
        when = datetime.fromtimestamp(float(m["ts"]), UTC)
        assert when.date().isoformat() == day
        assert datetime(2025, 9, 1, tzinfo=UTC) < when < datetime(2026, 1, 1, tzinfo=UTC)
        by_file.setdefault((channel, day), []).append(m["ts"])
        sub = m.get("subtype")
        if sub == "bot_message":
            assert "user" not in m and m["bot_id"] == sl["bot"]["bot_id"]
            assert m["username"] == sl["bot"]["username"]
            continue
        assert m["user"] in user_ids
        if sub in NOTICES:
            verb = "joined" if sub == "channel_join" else "left"
            assert m["text"] == f"<@{m['user']}> has {verb} the channel"
            continue
        for target in SLACK_MENTION.findall(m["text"]):
            assert target in user_ids
        if sub == "file_share":
            assert m["files"] and m["upload"] is True
        if m.get("thread_ts", m["ts"]) != m["ts"]:
            replies[(channel, m["thread_ts"])] += 1
            assert float(m["ts"]) > float(m["thread_ts"])
            if sub == "thread_broadcast":
                assert m["root"]["ts"] == m["thread_ts"]
            else:
                assert "parent_user_id" in m
    for tss in by_file.values():  # each day file in ts order
        assert tss == sorted(tss, key=float)
    parents = {(c, m["ts"]): m for c, _d, m in messages if m.get("reply_count")}
    assert len(parents) == sl["threads"] == len(replies)
    for key, parent in parents.items():
        assert parent["thread_ts"] == parent["ts"]
        assert parent["reply_count"] == replies[key] == len(parent["replies"])
        assert 1 <= parent["reply_count"] <= 5
        assert parent["reply_users"] == list(dict.fromkeys(r["user"] for r in parent["replies"]))
        for r in [m for c, _d, m in messages if (c, m.get("thread_ts")) == key
                  and m["ts"] != key[1] and m.get("subtype") != "thread_broadcast"]:
            assert r["parent_user_id"] == parent["user"]
    assert sum(replies.values()) == sl["thread_replies"]
    conversation = [m for _c, _d, m in messages
                    if m.get("subtype") not in (*NOTICES, "bot_message")]
    assert len(conversation) == sl["conversation_messages"]
    assert len(conversation) - sl["thread_replies"] == sl["top_level_posts"]
    assert sum(len(SLACK_MENTION.findall(m["text"])) for m in conversation) == sl["mentions"]
    kinds, pairs, _authors = _slack_ties(slack_export)
    assert dict(kinds) == sl["interactions"]
    assert len({frozenset(p) for p in pairs}) == sl["user_pairs_tied"]


def test_slack_planted_facts(slack_export: dict[str, Any], sources: dict[str, Any]) -> None:
    sl = sources["slack"]
    uid = sl["user_of_person"]
    messages = slack_export["messages"]
    channels = {c["name"]: c for c in slack_export["channels"]}
    # P039: a member of #general with a join notice and nothing else, never mentioned
    kit = uid["P039"]
    assert [n for n, c in channels.items() if kit in c["members"]] == ["general"]
    own = [(c, m) for c, _d, m in messages if m.get("user") == kit]
    assert [(c, m.get("subtype")) for c, m in own] == [("general", "channel_join")]
    assert not [m for _c, _d, m in messages if m.get("subtype") not in NOTICES
                and kit in SLACK_MENTION.findall(m["text"])]
    # P030 starts a thread in #riverbend answered by three peers, one of whom mentions her
    pt = sl["planted_thread"]
    assert (pt["channel"], pt["starter"]) == ("riverbend", "P030")
    replies = [m for c, _d, m in messages if c == "riverbend"
               and m.get("thread_ts") == pt["thread_ts"] and m["ts"] != pt["thread_ts"]]
    person = {u: p for p, u in uid.items()}
    repliers = {person[m["user"]] for m in replies} - {"P030"}
    assert sorted(repliers) == pt["repliers"] and len(repliers) == 3
    rm = sl["reply_mentions_starter"]
    hit = next(m for m in replies if m["ts"] == rm["ts"])
    assert hit["user"] == rm["user"] and hit["parent_user_id"] == rm["starter"] == uid["P030"]
    assert SLACK_MENTION.findall(hit["text"]) == [uid["P030"]]
    later = [m for c, _d, m in messages if m.get("user") == uid["P030"]
             and "thread_ts" not in m and uid[pt["later_mention_of"]] in m["text"]]
    assert len(later) == 1
    # P014 posts in #cedar-valley and a peer mentions him
    posts = [c for c, _d, m in messages if m.get("user") == uid["P014"]
             and m.get("subtype") is None]
    assert posts == ["cedar-valley"]
    assert [m for _c, _d, m in messages if m.get("user") != uid["P014"]
            and uid["P014"] in SLACK_MENTION.findall(m["text"])]


def test_survey_layout_counts_and_planted_rows(survey_rows: list[dict[str, str]],
                                               sources: dict[str, Any],
                                               roster: list[dict[str, str]]) -> None:
    sv = sources["survey"]
    with open(SAMPLE / "advice_survey.csv", encoding="utf-8", newline="") as fh:
        assert next(csv.reader(fh)) == ["respondent", "nominee", "relation", "frequency"]
    pids = {r["person_id"] for r in roster}
    assert len(survey_rows) == sv["rows"]
    assert {r["relation"] for r in survey_rows} == {"advice"}
    respondents = {r["respondent"] for r in survey_rows}
    assert respondents <= pids and len(respondents) == sv["respondents"] == 45
    assert sorted(pids - respondents) == sv["non_respondents"]
    assert {"P039", "P056", "P060", "P014"} <= set(sv["non_respondents"])
    empty = [r for r in survey_rows if not r["nominee"]]
    assert sorted(r["respondent"] for r in empty) == sv["named_nobody"]
    assert "P048" in sv["named_nobody"]
    for r in empty:
        assert r["frequency"] == ""
        assert [x for x in survey_rows if x["respondent"] == r["respondent"]] == [r]
    noms = [r for r in survey_rows if r["nominee"]]
    assert len(noms) == sv["nominations"]
    assert {r["frequency"] for r in noms} <= {"1", "2", "3", "4"}
    low = [r for r in noms if int(r["frequency"]) < sv["min_frequency"]]
    assert len(low) == sv["nominations_below_threshold"] > 0
    assert len(noms) - len(low) == sv["nominations_at_threshold"]
    per = Counter(r["respondent"] for r in noms)
    assert max(per.values()) <= 5
    # names resolve as documented
    resolved = _resolve_names(roster, {r["nominee"] for r in noms})
    misspelled = {(m["respondent"], m["written"]): m["person_id"] for m in sv["misspelled"]}
    folded = {(m["respondent"], m["written"]): m["person_id"]
              for m in sv["name_variants"]["folded"]}
    ambiguous = {(a["respondent"], a["written"]): a["candidates"] for a in sv["ambiguous"]}
    assert ("P028", "Gideon Vickrey") in misspelled and misspelled[("P028", "Gideon Vickrey")] \
        == "P041"
    assert [a["written"] for a in sv["ambiguous"]] == ["Odette"]
    assert sv["ambiguous"][0]["candidates"] == ["P001", "P052"]
    exact = 0
    named: dict[str, list[int]] = {}
    same_district = 0
    district = {r["person_id"]: r["district"] for r in roster}
    names = {r["person_id"]: r["name"] for r in roster}
    for r in noms:
        how, who = resolved[r["nominee"]]
        key = (r["respondent"], r["nominee"])
        if how == "ambiguous":
            assert ambiguous[key] == who
            continue
        if how == "fuzzy":
            assert misspelled[key] == who
        elif r["nominee"] == names[who]:
            exact += 1
        else:
            assert folded[key] == who
        named.setdefault(who, []).append(int(r["frequency"]))
        same_district += district[who] == district[r["respondent"]]
    assert exact == sv["name_variants"]["exact"]
    advice = {(r["respondent"], resolved[r["nominee"]][1]) for r in noms
              if int(r["frequency"]) >= sv["min_frequency"]
              and resolved[r["nominee"]][0] != "ambiguous"}
    assert len(advice) == sv["advice_ties"]
    assert {f["how"] for f in sv["name_variants"]["folded"]} == {"lower case", "spacing",
                                                                 "accents"}
    assert same_district > 0.6 * len(noms)  # mostly in their own district
    assert sorted(named["P056"]) == [3, 4]
    assert "P060" not in named and "P039" not in named
    assert all(f < sv["min_frequency"] for f in named.get("P049", []))
    assert all(int(r["frequency"]) < sv["min_frequency"] for r in noms if r["respondent"] == "P049")


def test_groups(group_rows: list[dict[str, str]], sources: dict[str, Any],
                roster: list[dict[str, str]]) -> None:
    gr = sources["groups"]
    with open(SAMPLE / "plc_groups.csv", encoding="utf-8", newline="") as fh:
        assert next(csv.reader(fh)) == ["person_id", "group", "role", "since"]
    by_pid = {r["person_id"]: r for r in roster}
    assert len(group_rows) == gr["memberships"]
    sizes = Counter(r["group"] for r in group_rows)
    assert dict(sizes) == gr["sizes"] and len(sizes) == gr["groups"] == 8
    assert len({(r["person_id"], r["group"]) for r in group_rows}) == len(group_rows)
    for r in group_rows:
        assert r["person_id"] in by_pid and re.fullmatch(r"\d{4}-\d\d-\d\d", r["since"])
    members = {g: {r["person_id"] for r in group_rows if r["group"] == g} for g in sizes}
    plcs = [g for g in sizes if g.endswith("Elementary PLC")]
    assert len(plcs) == 3
    for g in plcs:
        assert len({by_pid[p]["district"] for p in members[g]}) == 1
    cohort = [r for r in group_rows if r["group"] == "New Principals Cohort 2025"]
    assert {r["person_id"] for r in cohort if r["role"] == "member"} == {
        p for p, r in by_pid.items() if int(r["years_as_principal"]) <= 2}
    assert sum(r["role"] == "mentor" for r in cohort) == 2
    circle = members["Tri-District Mentoring Circle"]
    assert len(circle) == 8 and len({by_pid[p]["district"] for p in circle}) == 3
    committees = [g for g in sizes if g.endswith("District Leadership Committee")]
    assert len(committees) == 3 and all(sizes[g] == 5 for g in committees)
    kit = {g for g, m in members.items() if "P039" in m}
    assert "Tri-District Mentoring Circle" in kit and kit & set(plcs)
    assert sorted(kit) == sorted(gr["join_only_groups"])


def test_person_level_expectations_over_all_sources(
        network: tuple[nx.Graph, nx.DiGraph], posters: set[str], slack_export: dict[str, Any],
        survey_rows: list[dict[str, str]], roster: list[dict[str, str]],
        sources: dict[str, Any]) -> None:
    """Resolve every source to roster people and recount absent people and isolates."""
    g, _d = network
    pl = sources["person_level"]
    team = sources["slack"]["team_id"]
    person_of = {"x:" + r["x_user_id"]: r["person_id"] for r in roster if r["x_user_id"]}
    by_email = {r["email"]: r["person_id"] for r in roster}
    for u in slack_export["users"]:
        key = f"slack:{team}/{u['id']}"
        person_of[key] = by_email.get(u["profile"].get("email", ""), key)
    people = nx.Graph()
    people.add_nodes_from(person_of.get(a, a) for a in posters)
    for a, b in g.edges:
        people.add_edge(person_of.get(a, a), person_of.get(b, b))
    _kinds, pairs, authors = _slack_ties(slack_export)
    people.add_nodes_from(person_of[f"slack:{team}/{u}"] for u in authors)
    for a, b in pairs:
        pa, pb = person_of[f"slack:{team}/{a}"], person_of[f"slack:{team}/{b}"]
        if pa != pb:
            people.add_edge(pa, pb)
    resolved = _resolve_names(roster, {r["nominee"] for r in survey_rows if r["nominee"]})
    people.add_nodes_from(r["respondent"] for r in survey_rows)
    for r in survey_rows:
        if not r["nominee"] or int(r["frequency"]) < pl["min_advice_frequency"]:
            continue
        how, who = resolved[r["nominee"]]
        if how != "ambiguous" and who != r["respondent"]:
            people.add_edge(r["respondent"], who)
    pids = [r["person_id"] for r in roster]
    absent = sorted(p for p in pids if p not in people)
    isolates = sorted(p for p in pids if p in people and people.degree(p) == 0)
    assert absent == pl["absent"] == ["P039", "P060"]
    assert isolates == pl["isolates"] == ["P049"]
    assert pl["no_longer_absent"] == ["P014", "P056"]
    assert pl["no_longer_isolated"] == ["P030"]
    assert people.number_of_edges() == pl["ties"]
    for pid in pids:
        assert pl["people"][pid]["degree"] == (people.degree(pid) if pid in people else 0), pid
    assert sorted(people["P030"]) == pl["planted"]["thread_starter"]["slack_contacts"]
    assert sorted(people["P056"]) == pl["planted"]["survey_named"]["survey_contacts"]
    assert "P014" in people and people.degree("P014") >= 1
