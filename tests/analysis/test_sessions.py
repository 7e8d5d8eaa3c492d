"""Chat sessions and retention: constructed chats, the synthetic #NAESPchat term, real files."""

from __future__ import annotations

import importlib.util
import json
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from plnanalytics import Dataset
from plnanalytics.analysis.sessions import (
    PARTICIPANT_COLUMNS,
    QUESTION_COLUMNS,
    RETENTION_COLUMNS,
    SESSION_COLUMNS,
    ChatSessions,
    chat_sessions,
    retention,
    session_retention,
)
from plnanalytics.errors import OptionError
from plnanalytics.graph.build import build_graph

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"
SCRIPT = ROOT / "scripts" / "make_sample_data.py"
EASTERN = ZoneInfo("America/New_York")

MOD = "x:1"
#: Who takes part in each constructed week: x:11..x:15 first, then newcomers x:16, x:17.
WEEKS = (
    ("x:11", "x:12", "x:13", "x:14", "x:15"),
    ("x:11", "x:12", "x:13", "x:16"),
    ("x:11", "x:13", "x:16", "x:17", "x:14"),
    ("x:12", "x:17", "x:11", "x:15"),
)
#: Minutes (after the start) of the moderator's three questions.
Q_MINUTES = (2, 20, 40)


def _post(pid: str, author: str, t: datetime, text: str, *, parent: str | None = None,
          tags: tuple[str, ...] = ("#naespchat",), post_type: str | None = None
          ) -> dict[str, Any]:
    kind = post_type or ("reply" if parent else "post")
    return {"post_id": pid, "platform": "x", "author": author, "created_at": t, "text": text,
            "parent_post_id": parent, "post_type": kind, "contexts": list(tags)}


def _chat(w: int, start: datetime, people: tuple[str, ...]) -> tuple[list[dict], dict]:
    """One hour of chat, one post a minute: an intro, Q1..Q3 by the moderator, answers.

    Q1 and Q3 are answered by replies ("@mod ..."), Q2 by plain "A2: ..." posts; one Q1
    reply also starts with "A1:" (counted once); one Q3 reply is a retweet (no answer)
    and one post replies to an answer (a reply, not an answer). Returns the posts and
    the expected numbers.
    """
    posts, qids = [], {}
    expected = {"answers": {1: 0, 2: 0, 3: 0}, "answerers": {1: set(), 2: set(), 3: set()},
                "replies_q": {1: 0, 2: 0, 3: 0}, "people": {MOD, *people}, "replies": 0,
                "posts": 60, "retweets": 0, "by": {}}
    last_answer: dict[str, Any] | None = None
    cycle = 0
    for m in range(60):
        t = start + timedelta(minutes=m, seconds=7)
        pid = f"{w}{m:02d}"
        if m == 0:
            posts.append(_post(pid, MOD, t, "Welcome to #NAESPchat! Introduce yourselves."))
            continue
        if m in Q_MINUTES:
            k = Q_MINUTES.index(m) + 1
            qids[k] = pid
            posts.append(_post(pid, MOD, t, f"Q{k}: question {k} of week {w} #NAESPchat"))
            continue
        who = people[cycle % len(people)]
        cycle += 1
        k = sum(m > q for q in Q_MINUTES)  # the question being discussed
        if k == 0:
            posts.append(_post(pid, who, t, f"Hi #NAESPchat, I am {who}"))
            continue
        if m == Q_MINUTES[2] + 5:  # a retweet of Q3: participation, not an answer
            posts.append(_post(pid, who, t, f"RT @Mod: Q3: question 3 of week {w}",
                               post_type="retweet", parent=None))
            expected["retweets"] += 1
            continue
        if m == Q_MINUTES[2] + 6 and last_answer is not None and last_answer["author"] != who:
            # a reply to an answer: a reply of the session, not an answer
            posts.append(_post(pid, who, t, f"@{last_answer['author']} so true",
                               parent=last_answer["post_id"]))
            expected["replies"] += 1
            continue
        if k == 2:
            text = f"A2: my answer, {who} #NAESPchat"
            post = _post(pid, who, t, text)
        else:
            text = ("@Mod A1: replying and numbering" if (k == 1 and m == 3)
                    else f"@Mod my answer to {k}, {who} #NAESPchat")
            post = _post(pid, who, t, text, parent=qids[k])
            expected["replies_q"][k] += 1
            expected["replies"] += 1
        posts.append(post)
        last_answer = post
        expected["answers"][k] += 1
        expected["answerers"][k].add(who)
    expected["by"] = pd.Series([p["author"] for p in posts]).value_counts().to_dict()
    return posts, expected


def _noise(start: datetime, days: int, n: int, seed: int = 7) -> list[dict[str, Any]]:
    """``n`` background posts at random times, away from Tuesday/Wednesday 22:00-03:00 UTC."""
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < n:
        t = start + timedelta(seconds=int(rng.integers(0, days * 86400)))
        if t.weekday() in (1, 2) and (t.hour >= 22 or t.hour < 3):
            continue
        out.append(_post(f"n{len(out)}", f"x:{200 + int(rng.integers(30))}", t,
                         "Proud of my teachers today #NAESPchat"))
    return out


def _accounts() -> list[dict[str, Any]]:
    return [{"account": MOD, "platform": "x", "handle": "Mod"}] + [
        {"account": f"x:{i}", "platform": "x", "handle": f"p{i}"} for i in range(11, 18)]


START = datetime(2025, 9, 10, 0, 0, tzinfo=UTC)  # a Wednesday


@pytest.fixture(scope="module")
def four_weeks() -> tuple[Dataset, list[dict]]:
    posts, expected = [], []
    for w, people in enumerate(WEEKS):
        p, e = _chat(w, START + timedelta(weeks=w), people)
        posts += p
        expected.append(e)
    posts += _noise(START - timedelta(days=3), 31, 400)
    return Dataset.from_records(posts=posts, accounts=_accounts()), expected


def test_four_weekly_chats(four_weeks):
    ds, expected = four_weeks
    cs = chat_sessions(ds, contexts=["NAESPchat"])
    s = cs.sessions
    assert list(s.columns) == list(SESSION_COLUMNS)
    assert list(cs.participants.columns) == list(PARTICIPANT_COLUMNS)
    assert list(cs.questions.columns) == list(QUESTION_COLUMNS)
    assert s["session"].tolist() == [1, 2, 3, 4]
    starts = [START + timedelta(weeks=w, seconds=7) for w in range(4)]
    assert s["start"].tolist() == [pd.Timestamp(t) for t in starts]
    assert s["end"].tolist() == [pd.Timestamp(t + timedelta(minutes=59)) for t in starts]
    assert s["minutes"].tolist() == [59.0] * 4
    assert s["label"].tolist() == [f"2025-09-{d} 00:00 UTC" for d in (10, 17, 24)] + [
        "2025-10-01 00:00 UTC"]
    assert s["posts"].tolist() == [60] * 4
    assert s["retweets"].tolist() == [e["retweets"] for e in expected]
    assert s["participants"].tolist() == [len(e["people"]) for e in expected]
    # x:1 and x:11..x:15 new in week 1, x:16 in week 2, x:17 in week 3, nobody in week 4
    assert s["newcomers"].tolist() == [6, 1, 1, 0]
    assert s["returning"].tolist() == [0, 4, 5, 5]
    assert s["moderator"].tolist() == [MOD] * 4
    assert s["moderator_label"].tolist() == ["@Mod"] * 4
    assert s["questions"].tolist() == [3] * 4
    assert s["answers"].tolist() == [sum(e["answers"].values()) for e in expected]
    assert s["replies"].tolist() == [e["replies"] for e in expected]
    assert s["contexts"].tolist() == ["#naespchat"] * 4

    q = cs.questions
    assert q["number"].tolist() == [1, 2, 3] * 4
    assert q["node"].eq(MOD).all()
    for w, e in enumerate(expected):
        qw = q[q["session"] == w + 1].set_index("number")
        assert qw["answers"].to_dict() == e["answers"]
        assert qw["answerers"].to_dict() == {k: len(v) for k, v in e["answerers"].items()}
        assert qw["replies"].to_dict() == e["replies_q"]
        assert qw["post_id"].tolist() == [f"{w}{m:02d}" for m in Q_MINUTES]

    p = cs.participants
    assert len(p) == sum(len(e["people"]) for e in expected)
    first = p[p["session"] == 1].set_index("node")
    assert first["posts"].to_dict() == expected[0]["by"]
    assert first.loc[MOD, "is_moderator"] and not first.drop(MOD)["is_moderator"].any()
    assert first.loc[MOD, "label"] == "@Mod" and first.loc["x:11", "label"] == "@p11"
    assert first["newcomer"].all()
    assert p.loc[p["session"] == 4, "newcomer"].sum() == 0
    # the moderator receives every direct reply to a question, nothing else
    assert first.loc[MOD, "replies_received"] == sum(expected[0]["replies_q"].values())
    assert p.groupby("session")["answers"].sum().tolist() == s["answers"].tolist()

    assert cs.schedule == {
        "weekday": "Wednesday", "hour_utc": 0, "hours_utc": {0: 4}, "minutes": 60,
        "every_days": 7, "share": 1.0, "sessions": 4,
        "text": "Weekly on Wednesdays at 00:00 UTC (about 60 minutes)"}
    assert cs.settings["contexts"] == ["#naespchat", "naespchat"]
    assert "sessions=4" in repr(cs)


def test_retention_over_sessions(four_weeks):
    cs = chat_sessions(four_weeks[0])
    r = cs.retention()
    assert r.equals(session_retention(cs))
    # week 1: 6 newcomers (mod, 11..15); back in week 2: mod, 11, 12, 13; later: all 6
    # week 2: newcomer 16, back in week 3; week 3: newcomer 17, back in week 4
    assert r["period"].tolist() == [1, 2, 3, 4]
    assert r["active"].tolist() == [6, 5, 6, 5]
    assert r["newcomers"].tolist() == [6, 1, 1, 0]
    assert r["returned_next"].tolist() == [4, 1, 1, 0]
    assert r["returned_next_share"].tolist() == [4 / 6, 1.0, 1.0, None]
    assert r["returned_later"].tolist() == [6, 1, 1, 0]
    assert r["returned_later_share"].tolist() == [1.0, 1.0, 1.0, None]
    assert r["returning"].tolist() == [0, 4, 5, 5]
    assert r["label"].tolist() == cs.sessions["label"].tolist()


def test_noise_alone_is_no_session():
    ds = Dataset.from_records(posts=_noise(START, 28, 2000), accounts=_accounts())
    cs = chat_sessions(ds)
    assert cs.sessions.empty and list(cs.sessions.columns) == list(SESSION_COLUMNS)
    assert cs.participants.empty and cs.questions.empty and cs.schedule == {}
    assert cs.retention().empty


def test_thresholds_and_filters(four_weeks):
    ds, _ = four_weeks
    # the chats hold 60 posts by 5 or 6 participants
    assert chat_sessions(ds, min_posts=61).sessions.empty
    assert chat_sessions(ds, min_participants=6).sessions["label"].tolist() == [
        "2025-09-10 00:00 UTC", "2025-09-24 00:00 UTC"]
    assert chat_sessions(ds, min_participants=7).sessions.empty
    assert chat_sessions(ds, min_minutes=60).sessions.empty
    assert chat_sessions(ds, min_minutes=59).sessions['minutes'].tolist() == [59.0] * 4
    assert chat_sessions(ds, contexts="edchat").sessions.empty
    window = chat_sessions(ds, since="2025-09-16", until="2025-09-25")
    assert window.sessions["label"].tolist() == ["2025-09-17 00:00 UTC", "2025-09-24 00:00 UTC"]
    # in its own window, week 2 makes its people newcomers again
    assert window.sessions["newcomers"].tolist() == [5, 2]
    no_rt = chat_sessions(ds, retweets=False)
    assert no_rt.sessions["posts"].tolist() == [59] * 4
    assert no_rt.sessions["retweets"].tolist() == [0] * 4
    for bad in ({"bin_minutes": 0}, {"alpha": 1.5}, {"since": "soon"},
                {"background_hours": 0}, {"min_posts": -1}):
        with pytest.raises(OptionError):
            chat_sessions(ds, **bad)


def test_daylight_saving_shift_is_one_slot():
    posts = []
    # 8 pm US Eastern: 00:00 UTC in summer time, 01:00 UTC after 2 November 2025
    days = [date(2025, 10, 21), date(2025, 10, 28), date(2025, 11, 4), date(2025, 11, 11)]
    for w, d in enumerate(days):
        start = datetime(d.year, d.month, d.day, 20, tzinfo=EASTERN).astimezone(UTC)
        posts += _chat(w, start, WEEKS[0])[0]
    cs = chat_sessions(Dataset.from_records(posts=posts))
    assert [t.hour for t in cs.sessions["start"]] == [0, 0, 1, 1]
    assert {k: cs.schedule[k] for k in ("weekday", "hour_utc", "hours_utc", "sessions",
                                        "share")} == {
        "weekday": "Wednesday", "hour_utc": 0, "hours_utc": {0: 2, 1: 2}, "sessions": 4,
        "share": 1.0}
    assert cs.schedule["text"] == ("Weekly on Wednesdays at 00:00 UTC "
                                   "(01:00 UTC in 2 of 4; about 60 minutes)")


def test_no_recurring_slot():
    starts = [datetime(2025, 9, 8, 10, tzinfo=UTC), datetime(2025, 9, 18, 15, tzinfo=UTC),
              datetime(2025, 9, 27, 20, tzinfo=UTC)]
    posts = [p for w, t in enumerate(starts) for p in _chat(w, t, WEEKS[0])[0]]
    cs = chat_sessions(Dataset.from_records(posts=posts))
    assert len(cs.sessions) == 3 and cs.schedule == {}


def test_graph_maps_accounts_to_people():
    start = datetime(2025, 9, 10, tzinfo=UTC)
    posts = _chat(0, start, WEEKS[0])[0]
    # x:15 posts on another platform too: the same roster person P1
    for p in posts:
        if p["author"] == "x:15" and p["post_type"] == "post":
            p["author"], p["platform"] = "mastodon:ann@school.social", "mastodon"
    ds = Dataset.from_records(
        posts=posts, accounts=_accounts(),
        people=[{"person_id": "P1", "name": "Ann Lee"}],
        identities=[{"account": "x:15", "person_id": "P1", "method": "explicit"},
                    {"account": "mastodon:ann@school.social", "person_id": "P1",
                     "method": "explicit"}])
    plain = chat_sessions(ds)
    nodes = set(plain.participants["node"])
    assert {"x:15", "mastodon:ann@school.social"} <= nodes
    G = build_graph(ds)
    cs = chat_sessions(ds, G=G)
    p = cs.participants.set_index("node")
    assert "roster:P1" in p.index and "x:15" not in p.index
    assert p.loc["roster:P1", "label"] == "Ann Lee"
    by_account = plain.participants.set_index("node")["posts"]
    assert p.loc["roster:P1", "posts"] == (by_account["x:15"]
                                           + by_account["mastodon:ann@school.social"])
    assert cs.sessions.loc[0, "participants"] == plain.sessions.loc[0, "participants"] - 1
    assert cs.sessions.loc[0, "moderator_label"] == "@Mod"


def test_question_and_answer_forms():
    start = datetime(2025, 9, 10, tzinfo=UTC)
    texts = ["Q1: first?", "@Mod @x A1: yes", ".@Mod a1 - also", "A 1 minute is short",
             "q2. second?", "A2: two", "A12: no such question", "Q 3 is no question",
             "RT @Mod: Q2. second?"]
    posts = [_post(f"t{i}", f"x:{11 + i % 5}" if i else MOD, start + timedelta(minutes=i),
                   text, post_type="retweet" if text.startswith("RT") else None)
             for i, text in enumerate(texts)]
    posts[4]["author"] = MOD
    posts += [_post(f"f{i}", f"x:{11 + i % 5}", start + timedelta(minutes=10 + i, seconds=30),
                    "chatting") for i in range(20)]
    cs = chat_sessions(Dataset.from_records(posts=posts))
    q = cs.questions
    assert q[["number", "post_id", "answers", "answerers"]].to_dict("records") == [
        {"number": 1, "post_id": "t0", "answers": 2, "answerers": 2},
        {"number": 2, "post_id": "t4", "answers": 1, "answerers": 1}]
    assert cs.sessions.loc[0, "answers"] == 3 and cs.sessions.loc[0, "moderator"] == MOD


def test_retention_by_hand():
    presence = pd.DataFrame({
        "week": ["w1", "w1", "w1", "w1", "w2", "w2", "w4", "w4", "w4", "w1"],
        "who": ["a", "b", "c", "d", "a", "e", "b", "e", "f", "a"]})
    r = retention(presence, period="week", node="who", order=["w1", "w2", "w3", "w4"])
    assert r.to_dict("list") == {
        "period": ["w1", "w2", "w3", "w4"],
        "active": [4, 2, 0, 3],
        "newcomers": [4, 1, 0, 1],
        "returned_next": [1, 0, 0, 0],
        "returned_next_share": [0.25, 0.0, None, None],
        "returned_later": [2, 1, 0, 0],
        "returned_later_share": [0.5, 1.0, None, None],
        "returning": [0, 1, 0, 2],
    }
    assert retention(presence.rename(columns={"week": "period", "who": "node"}))[
        "period"].tolist() == ["w1", "w2", "w4"]
    with pytest.raises(OptionError):
        retention(presence, period="week", node="who", order=["w1", "w2"])
    with pytest.raises(OptionError):
        retention(presence)
    empty = retention(pd.DataFrame({"period": [], "node": []}))
    assert empty.empty and list(empty.columns) == list(RETENTION_COLUMNS)


# -- the synthetic #NAESPchat term ------------------------------------------------------------

def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_sample_data_sessions", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _raw_tweets() -> pd.DataFrame:
    """The tweets of the twarc2 file, read straight from its pages."""
    rows = []
    with open(SAMPLE / "naespchat_twarc2.jsonl", encoding="utf-8") as fh:
        for line in fh:
            page = json.loads(line)
            users = {u["id"]: u["username"] for u in page["includes"]["users"]}
            for t in page["data"]:
                rows.append({"id": t["id"], "author": "x:" + t["author_id"],
                             "handle": users.get(t["author_id"]),
                             "time": pd.Timestamp(t["created_at"]),
                             "tags": {h["tag"].lower()
                                      for h in t.get("entities", {}).get("hashtags", [])}})
    return pd.DataFrame(rows).drop_duplicates("id")


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory):
    from plnanalytics import Store

    path = tmp_path_factory.mktemp("sessions") / "project.duckdb"
    with Store(path) as s:
        s.ingest(SAMPLE / "naespchat_twarc2.jsonl", format="twarc2")
        yield s


def test_sample_naespchat_term(sample_store):
    script = _load_script()
    raw = _raw_tweets()
    cs = chat_sessions(sample_store)
    s = cs.sessions
    assert len(s) == len(script.CHAT_DAYS) == 12
    for start, day in zip(s["start"], script.CHAT_DAYS, strict=True):
        planned = datetime(day.year, day.month, day.day, 20, tzinfo=EASTERN)
        assert abs(start - pd.Timestamp(planned)) <= pd.Timedelta(minutes=3)
        assert pd.Timedelta(minutes=40) <= s.loc[s["start"] == start, "end"].iloc[0] - start
    mod = raw.loc[raw["handle"] == "NAESPchatMod", "author"].iloc[0]
    assert s["moderator"].tolist() == [mod] * 12
    assert s["moderator_label"].tolist() == ["@NAESPchatMod"] * 12
    assert s["questions"].tolist() == [len(q) for _, q in script.TOPICS[:12]]
    assert cs.questions.groupby("session")["number"].agg(list).tolist() == [
        list(range(1, len(q) + 1)) for _, q in script.TOPICS[:12]]
    for row in s.itertuples():
        inside = raw[(raw["time"] >= row.start) & (raw["time"] <= row.end)]
        assert row.participants == inside["author"].nunique()
        assert row.posts == len(inside)
    assert s["newcomers"].sum() == cs.participants["node"].nunique()
    assert cs.schedule["weekday"] == "Wednesday" and cs.schedule["hours_utc"] == {0: 8, 1: 4}
    assert cs.schedule["share"] == 1.0 and cs.schedule["every_days"] == 7
    assert cs.schedule["text"].startswith("Weekly on Wednesdays at 00:00 UTC (01:00 UTC in 4")

    # with the hashtag filter: the posts carrying #NAESPchat in the file's own entities
    tagged = chat_sessions(sample_store, contexts=["#NAESPchat"])
    assert len(tagged.sessions) == 12
    for row in tagged.sessions.itertuples():
        inside = raw[(raw["time"] >= row.start) & (raw["time"] <= row.end)
                     & raw["tags"].map(lambda t: "naespchat" in t)]
        assert row.participants == inside["author"].nunique()
        assert row.posts == len(inside)
    assert tagged.sessions["questions"].tolist() == s["questions"].tolist()


def test_sample_principallife_has_no_chat(store):
    store.ingest(SAMPLE / "principallife_tags.csv", format="tags")
    cs = chat_sessions(store)
    # daily traffic spread over the term: no five-minute bin holds more than two posts
    assert cs.sessions.empty and cs.schedule == {}
    assert isinstance(cs, ChatSessions)


def test_realdata_brexit_burst(realdata, store):
    """A real twarc2 search page: 100 tweets within 12 minutes, a burst but no chat."""
    store.ingest(realdata / "twarc2-brexit" / "brexit.jsonl", format="twarc2")
    assert chat_sessions(store).sessions.empty  # shorter than min_minutes
    cs = chat_sessions(store, min_minutes=5)
    facts = store.sql("SELECT min(created_at) AS lo, max(created_at) AS hi, "
                      "count(DISTINCT author) AS n, count(*) AS posts FROM posts")
    assert len(cs.sessions) == 1
    row = cs.sessions.iloc[0]
    assert row["start"] == pd.Timestamp(facts.loc[0, "lo"])
    assert row["end"] == pd.Timestamp(facts.loc[0, "hi"])
    assert row["participants"] == facts.loc[0, "n"] and row["posts"] == facts.loc[0, "posts"]
    assert row["questions"] == 0 and row["moderator"] is None
    assert cs.participants["newcomer"].all()
