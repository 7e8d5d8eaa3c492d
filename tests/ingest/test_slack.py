"""Slack export reader: conformance with a real export, tie rules, memberships, bad and unsafe
zips, sniffing."""

from __future__ import annotations

import json
import re
import zipfile
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import collect_rows

from plnanalytics.errors import FormatError, RecordError
from plnanalytics.ingest import sniff
from plnanalytics.ingest.base import ReadLog, read_head
from plnanalytics.ingest.slack import (
    NOTE_BOT_MESSAGES,
    NOTE_BOT_USERS,
    NOTE_IGNORED,
    NOTE_MENTION_BOT,
    NOTE_REPLY_TO_BOT,
    NOTE_REPLY_UNKNOWN,
    SlackReader,
    slack_time,
)

SLACK_FILE = ("slack-sev", "testarchive.zip")
T = "T9"


def _k(uid: str, team: str = T) -> str:
    return f"slack:{team}/{uid}"


def _at(ts: str) -> datetime:
    sec, _, frac = ts.partition(".")
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=int(sec),
                                                        microseconds=int(frac.ljust(6, "0")))


def _zip(path: Path, files: dict[str, object]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in files.items():
            z.writestr(name, content if isinstance(content, bytes)
                       else json.dumps(content).encode())
    return path


def _edges(rows: list) -> set[tuple[str, str, str, str]]:
    return {(r[1], r[2], r[3], r[7]) for r in rows}


def _store_edges(store) -> set[tuple[str, str, str, str]]:
    df = store.table("interactions")
    return set(zip(df.kind, df.src, df.dst, df.post_id, strict=True))


# -- a synthetic export -----------------------------------------------------------------------
PARENT = "1704712800.000100"  # ann's question in #principals
BOT_TS = "1704714000.000001"  # a bot's reminder, which someone replies to


def _msg(user: str | None, ts: str, text: str = "hello", **extra: object) -> dict:
    m: dict = {"type": "message", "text": text, "ts": ts, **extra}
    if user is not None:
        m["user"] = user
    return m


def _users() -> list:
    return [
        {"id": "U1", "team_id": T, "name": "ann", "real_name": "Ann Lee", "updated": 1700000000,
         "profile": {"email": "ann@cedar.k12.us", "title": "Principal, Oak ES",
                     "real_name": "Ann Lee"}},
        {"id": "U2", "team_id": T, "name": "bo", "real_name": "",
         "profile": {"real_name": "", "display_name": "Bo N"}},
        {"id": "U3", "team_id": T, "name": "cy", "deleted": True,
         "profile": {"real_name": "Cy Ra"}},
        {"id": "U4", "team_id": T, "name": "dee", "profile": {}},
        {"id": "UBOT", "team_id": T, "name": "pollbot", "is_bot": True, "profile": {}},
        {"id": "USLACKBOT", "team_id": T, "name": "slackbot", "is_bot": False, "profile": {}},
    ]


def _principals() -> list:
    return [
        _msg("U4", "1704700000.000001", "<@U4> has joined the channel", subtype="channel_join"),
        _msg("U1", PARENT, "Who uses the new walkthrough form?", thread_ts=PARENT,
             reply_count=3),
        _msg("U2", "1704713000.123456", "<@U1> we do, ask <@U3|cy> too", thread_ts=PARENT,
             parent_user_id="U1"),
        _msg("U3", "1704713100.000002", "same here, says <@U3>", thread_ts=PARENT),
        _msg(None, BOT_TS, "Reminder: budgets due", subtype="bot_message", bot_id="B1"),
        _msg("U4", "1704715000.000001", "done", thread_ts=BOT_TS),
        _msg("UBOT", "1704715100.000001", "Poll: which day?"),
        _msg("U1", "1704716000.000001", "<@U1> uploaded a file: <https://x|plan>",
             subtype="file_share", files=[{"id": "F1"}], bot_id=None),
        _msg("U2", "1704716100.000001", "waves", subtype="me_message"),
        _msg("U1", "1704716200.000001", "set the topic", subtype="channel_topic"),
        _msg("U2", "1704716300.000001", "<@UBOT> vote please"),
        _msg("U4", "1704716400.000001", "late to this <@U2>", thread_ts=PARENT,
             parent_user_id="U1", subtype="thread_broadcast"),
        _msg("U2", "1704716500.000001", "old thread", thread_ts="1600000000.000001"),
        _msg("U4", "1704720000.000001", "<@U4> has left the channel", subtype="channel_leave"),
    ]


def _export() -> dict[str, object]:
    return {
        "users.json": _users(),
        "channels.json": [
            {"id": "C1", "name": "principals", "members": ["U1", "U2", "U3", "UBOT"]},
            {"id": "C2", "name": "district-news", "members": ["U1", "U4"]},
        ],
        "groups.json": [{"id": "G1", "name": "cabinet", "members": ["U1", "U4"]}],
        "dms.json": [{"id": "D1", "members": ["U1", "U2"]}],
        "integration_logs.json": [],
        "principals/2024-01-08.json": _principals(),
        "principals/2024-01-09.json": b"[{not json",
        "principals/2024-01-10.json": {"messages": []},
        "principals/2024-01-11.json": [
            "a string", 5, _msg("U1", "1704931200.000001", "third day"),
            _msg("U1", "yesterday"), _msg(None, "1704931300.000001", "who wrote this?")],
        "district-news/2024-01-08.json": [_msg("U4", "1704720100.000001", "<@U1> thanks")],
        "D1/2024-01-08.json": [_msg("U1", "1704720200.000001", "hi <@U2>"),
                               _msg("U2", "1704720300.000001", "hi")],
        "cabinet/2024-01-08.json": [_msg("U4", "1704720400.000001", "agenda?")],
        "../evil.json": [_msg("U1", "1704720500.000001", "<@U2>")],
    }


@pytest.fixture
def export(tmp_path: Path) -> Path:
    return _zip(tmp_path / "cedar-slack.zip", _export())


def _read(path: Path, **kw: object):
    log = ReadLog(str(path), **kw)
    batches = list(SlackReader(path).batches(log))
    posts = [r for b in batches for r in b.rows["posts"]]
    edges = [r for b in batches for r in b.rows["interactions"]]
    accounts = {r[0]: r for b in batches for r in b.rows["accounts"]}
    members = {(r[0], r[1]): r for b in batches for r in b.rows["memberships"]}
    return posts, edges, accounts, members, log


def test_threads_mentions_and_dms(export):
    _, edges, _, _, log = _read(export)
    reply = "C1/1704713000.123456"
    assert _edges(edges) == {
        # a reply that also mentions the starter: one message tie, no mention of the starter
        ("message", _k("U2"), _k("U1"), reply), ("mention", _k("U2"), _k("U3"), reply),
        # the starter found in the export (no parent_user_id); a self-mention is no tie
        ("message", _k("U3"), _k("U1"), "C1/1704713100.000002"),
        # a broadcast thread reply
        ("message", _k("U4"), _k("U1"), "C1/1704716400.000001"),
        ("mention", _k("U4"), _k("U2"), "C1/1704716400.000001"),
        ("mention", _k("U4"), _k("U1"), "C2/1704720100.000001"),
        # a DM ties its author to the other member; the recipient is not mentioned again
        ("message", _k("U1"), _k("U2"), "D1/1704720200.000001"),
        ("message", _k("U2"), _k("U1"), "D1/1704720300.000001"),
    }
    assert Counter(r[1] for r in edges)["message"] == 5
    assert all(r[0] == "slack" and r[5] == 1.0 for r in edges)
    contexts = {r[7]: r[6] for r in edges}
    assert contexts[reply] == "#principals" and contexts["D1/1704720200.000001"] == "#d1"
    assert len([r for r in edges if r[7] == reply]) == 2
    assert log.notes[NOTE_REPLY_TO_BOT] == 1
    assert log.notes[NOTE_REPLY_UNKNOWN] == 1
    assert log.notes[NOTE_MENTION_BOT] == 1


def test_posts(export):
    posts, _, _, _, log = _read(export)
    by_id = {p[0]: p for p in posts}
    assert set(by_id) == {
        "C1/" + PARENT, "C1/1704713000.123456", "C1/1704713100.000002", "C1/1704715000.000001",
        "C1/1704716000.000001", "C1/1704716100.000001", "C1/1704716300.000001",
        "C1/1704716400.000001", "C1/1704716500.000001", "C1/1704931200.000001",
        "C2/1704720100.000001", "D1/1704720200.000001", "D1/1704720300.000001",
        "G1/1704720400.000001"}
    assert log.records == len(posts) == len(by_id)
    (_, platform, author, created, text, lang, post_type, parent, conversation, repost,
     quote, contexts, url) = by_id["C1/1704713000.123456"]
    assert (platform, author, post_type, parent, conversation) == (
        "slack", _k("U2"), "reply", "C1/" + PARENT, "C1/" + PARENT)
    assert created == datetime(2024, 1, 8, 11, 23, 20, 123456, tzinfo=UTC)
    assert text == "<@U1> we do, ask <@U3|cy> too"
    assert contexts == ["#principals"] and url is None and lang is None
    assert repost is None and quote is None
    start = by_id["C1/" + PARENT]
    assert start[6:9] == ("post", None, "C1/" + PARENT)
    assert by_id["C1/1704716500.000001"][6:9] == ("reply", "C1/1600000000.000001",
                                                  "C1/1600000000.000001")
    assert by_id["C1/1704716000.000001"][4].startswith("<@U1> uploaded a file")  # file_share
    assert by_id["C1/1704716100.000001"][4] == "waves"  # me_message
    assert by_id["G1/1704720400.000001"][11] == ["#cabinet"]
    for p in posts:
        assert p[3] == _at(p[0].split("/")[1]) and p[3].tzinfo is UTC


def test_bots_and_notices_are_not_conversation(export):
    posts, edges, accounts, members, log = _read(export)
    ids = {p[0] for p in posts}
    assert "C1/" + BOT_TS not in ids and "C1/1704715100.000001" not in ids
    assert not {"C1/1704700000.000001", "C1/1704716200.000001", "C1/1704720000.000001"} & ids
    assert log.notes[NOTE_BOT_MESSAGES] == 2  # a bot_message and a bot user's message
    assert log.notes["channel_join notices skipped (not conversation)"] == 1
    assert log.notes["channel_leave notices skipped (not conversation)"] == 1
    assert log.notes["channel_topic notices skipped (not conversation)"] == 1
    assert log.notes[NOTE_BOT_USERS] == 2  # pollbot and Slackbot
    bots = {_k("UBOT"), _k("USLACKBOT")}
    assert not bots & set(accounts)
    assert not bots & {r[3] for r in edges} and not bots & {m for m, _ in members}


def test_accounts(export):
    _, _, accounts, _, _ = _read(export)
    assert set(accounts) == {_k(u) for u in ("U1", "U2", "U3", "U4")}
    ann = accounts[_k("U1")]
    assert ann[1:6] == ("slack", "ann", "Ann Lee", "ann@cedar.k12.us", "Principal, Oak ES")
    assert ann[12] == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)  # users.json 'updated'
    assert accounts[_k("U2")][2:5] == ("bo", "Bo N", None)  # profile display name
    assert accounts[_k("U3")][2:4] == ("cy", "Cy Ra")  # deleted users are kept


def test_memberships(export):
    _, _, _, members, _ = _read(export)
    assert set(members) == {
        (_k("U1"), "slack:#principals"), (_k("U2"), "slack:#principals"),
        (_k("U3"), "slack:#principals"), (_k("U4"), "slack:#principals"),
        (_k("U1"), "slack:#district-news"), (_k("U4"), "slack:#district-news"),
        (_k("U1"), "slack:#cabinet"), (_k("U4"), "slack:#cabinet"),
        (_k("U1"), "slack:#D1"), (_k("U2"), "slack:#D1"),
    }
    assert {r[2] for r in members.values()} == {"member"}
    # since: the first post (or join) seen; until: a leave after the last post, unlisted
    assert members[(_k("U1"), "slack:#principals")][3:] == (_at(PARENT), None)
    assert members[(_k("U4"), "slack:#principals")][3:] == (
        _at("1704700000.000001"), _at("1704720000.000001"))
    assert members[(_k("U1"), "slack:#district-news")][3:] == (None, None)  # listed, silent
    assert members[(_k("U4"), "slack:#district-news")][3] == _at("1704720100.000001")


def test_bad_and_unsafe_members_are_named(export, monkeypatch):
    opened: list[str] = []
    real_open = zipfile.ZipFile.open

    def spy(self, name, *args, **kwargs):
        opened.append(name if isinstance(name, str) else name.filename)
        return real_open(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    _, _, _, _, log = _read(export)
    assert "../evil.json" not in opened
    rejects = [(r.line, r.reason) for r in log.rejects]
    assert log.rejected == len(rejects) == 7
    assert rejects[0] == (0, "../evil.json: member name is absolute or contains '..'; "
                             "not opened")
    by_member = [r for r in rejects if r[1].startswith("principals/2024-01-09.json")]
    assert by_member == [(0, by_member[0][1])] and "not valid JSON" in by_member[0][1]
    assert (0, "principals/2024-01-10.json: not a JSON array of messages") in rejects
    assert (1, "principals/2024-01-11.json, message 1: not a JSON object") in rejects
    assert (2, "principals/2024-01-11.json, message 2: not a JSON object") in rejects
    assert (4, "principals/2024-01-11.json, message 4: ts 'yesterday' is not a Slack "
               "timestamp (epoch seconds such as '1452837318.000002')") in rejects
    assert (5, "principals/2024-01-11.json, message 5: no 'user' (the author)") in rejects
    assert log.notes[NOTE_IGNORED] == 1  # integration_logs.json


def test_absolute_member_is_rejected(tmp_path):
    files = _export()
    del files["../evil.json"]
    files["/etc/passwd.json"] = []
    _, _, _, _, log = _read(_zip(tmp_path / "abs.zip", files))
    assert log.rejects[0].reason.startswith("/etc/passwd.json: member name is absolute")


def test_oversized_member_is_rejected_unread(tmp_path, monkeypatch):
    big = [_msg("U1", f"1704800000.{i:06d}", "x" * 200) for i in range(40)]
    files = {"users.json": _users(), "channels.json": [{"id": "C1", "name": "principals"}],
             "principals/2024-01-08.json": _principals(), "principals/2024-01-12.json": big}
    path = _zip(tmp_path / "big.zip", files)
    with zipfile.ZipFile(path) as z:
        size = z.getinfo("principals/2024-01-12.json").file_size
    monkeypatch.setattr("plnanalytics.ingest.slack.MAX_MEMBER_BYTES", 4000)
    posts, _, _, _, log = _read(path)
    assert log.rejects == [(0, f"principals/2024-01-12.json: {size:,} bytes uncompressed, "
                               "more than the limit of 4,000; not read")]
    assert len(posts) == 9  # the other day file is read


def test_too_many_members(tmp_path, monkeypatch):
    monkeypatch.setattr("plnanalytics.ingest.slack.MAX_MEMBERS", 3)
    path = _zip(tmp_path / "many.zip", _export())
    with pytest.raises(FormatError, match=r"many.zip: 13 zip members, more than the 3"):
        _read(path)


def test_not_a_slack_export(tmp_path):
    no_users = _export()
    del no_users["users.json"]
    path = _zip(tmp_path / "nousers.zip", no_users)
    with pytest.raises(FormatError, match=r"nousers.zip: a zip without users.json and "
                                          r"channels.json; a Slack workspace export is a .zip "
                                          r"holding users.json"):
        _read(path)
    text = tmp_path / "notes.zip"
    text.write_text("not a zip")
    with pytest.raises(FormatError, match=r"notes.zip: not a zip file; a Slack workspace export"):
        _read(text)
    bad_users = _zip(tmp_path / "badusers.zip", {**_export(), "users.json": {"members": []}})
    with pytest.raises(FormatError, match=r"users.json: not a JSON array"):
        _read(bad_users)
    bad_json = _zip(tmp_path / "badjson.zip", {**_export(), "channels.json": b"[{"})
    with pytest.raises(FormatError, match=r"channels.json: not valid JSON"):
        _read(bad_json)


def test_strict_raises_and_stores_nothing(export, store):
    with pytest.raises(RecordError, match=r"cedar-slack.zip, line 0: ../evil.json: member name"):
        store.ingest(export, format="slack", strict=True)
    assert sum(store.counts().values()) == 0
    files = _export()
    del files["../evil.json"]
    with pytest.raises(RecordError, match=r"principals/2024-01-09.json: not valid JSON"):
        store.ingest(_zip(export.parent / "s.zip", files), strict=True)
    assert sum(store.counts().values()) == 0


def test_store_ingest_and_reingest_adds_nothing(export, store):
    first = store.ingest(export)  # sniffed
    assert first.format == "slack" and first.unit == "posts"
    assert first.records == first.kept == 14 and first.rejected == 7
    counts = store.counts()
    assert counts["posts"] == 14 and counts["interactions"] == 8
    assert counts["accounts"] == 4 and counts["memberships"] == 10
    again = store.ingest(export)
    assert again.kept == 0 and again.duplicates == first.records
    assert store.counts() == counts
    accounts = store.table("accounts").set_index("account")
    assert accounts.loc[_k("U1"), "email"] == "ann@cedar.k12.us"
    posts = store.table("posts").set_index("post_id")
    assert posts.loc["C1/1704713000.123456", "created_at"] == datetime(
        2024, 1, 8, 11, 23, 20, 123456, tzinfo=UTC)


def test_batches_and_progress(export):
    reader = SlackReader(export)
    reader.batch_rows = 3
    calls: list[tuple[int, int]] = []
    log = ReadLog(str(export), progress=lambda done, total: calls.append((done, total)))
    batches = list(reader.batches(log))
    assert len(batches) > 3
    assert sum(len(b.rows["posts"]) for b in batches) == log.records == 14
    size = export.stat().st_size
    assert calls[-1] == (size, size) and all(done <= total for done, total in calls)


def test_export_under_a_top_folder(tmp_path, export):
    nested = _zip(tmp_path / "nested.zip", {f"cedar/{k}": v for k, v in _export().items()
                                            if not k.startswith("..")})
    assert SlackReader.sniff(nested, read_head(nested))
    assert {p[0] for p in _read(nested)[0]} == {p[0] for p in _read(export)[0]}


def test_team_from_messages_or_zip_name(tmp_path):
    users = [{k: v for k, v in u.items() if k != "team_id"} for u in _users()]
    files = {"users.json": users, "channels.json": [{"id": "C1", "name": "principals"}],
             "principals/2024-01-08.json": [_msg("U1", "1704720200.000001", "hi <@U2>",
                                                 team="T5")]}
    _, edges, _, _, log = _read(_zip(tmp_path / "a.zip", files))
    assert _edges(edges) == {("mention", _k("U1", "T5"), _k("U2", "T5"),
                              "C1/1704720200.000001")}
    del files["principals/2024-01-08.json"][0]["team"]
    _, edges, _, _, log = _read(_zip(tmp_path / "oak-district.zip", files))
    assert {r[2] for r in edges} == {"slack:oak-district/U1"}
    assert log.notes["exports without a team id in users.json or messages (account keys use "
                     "the zip's name 'oak-district' as the team)"] == 1


def test_unknown_authors_and_unlisted_folders(tmp_path):
    files = {"users.json": _users(), "channels.json": [],
             "lobby/2024-01-08.json": [
                 _msg("U7", "1704720200.000001", "hi <@U8|eve>",
                      user_profile={"name": "gus", "real_name": "Gus Ito"}),
                 _msg("U8", "1704720300.000001", "hi", thread_ts="1704720200.000001")]}
    posts, edges, accounts, _, log = _read(_zip(tmp_path / "u.zip", files))
    assert [p[0] for p in posts] == ["lobby/1704720200.000001", "lobby/1704720300.000001"]
    assert accounts[_k("U7")][2:4] == ("gus", "Gus Ito")
    assert accounts[_k("U8")][2] == "eve"  # from <@U8|eve>
    assert _edges(edges) == {("mention", _k("U7"), _k("U8"), "lobby/1704720200.000001"),
                             ("message", _k("U8"), _k("U7"), "lobby/1704720300.000001")}
    assert sum(n for note, n in log.notes.items() if note.startswith("day files of folders")) == 1


def test_slack_time():
    assert slack_time("1704713000.123456") == datetime(2024, 1, 8, 11, 23, 20, 123456,
                                                       tzinfo=UTC)
    assert slack_time("1704713000") == datetime(2024, 1, 8, 11, 23, 20, tzinfo=UTC)
    for bad in ("", "1.2.3", "abc", 1704713000.5, None):
        with pytest.raises(ValueError):
            slack_time(bad)


def test_sniff_synthetic(export, tmp_path):
    assert SlackReader.sniff(export, read_head(export)) and sniff(export) == "slack"
    other = _zip(tmp_path / "book.zip", {"xl/workbook.xml": b"<workbook/>"})
    assert not SlackReader.sniff(other, read_head(other))
    text = tmp_path / "users.json"
    text.write_text("[]")
    assert not SlackReader.sniff(text, read_head(text))


# -- conformance with the real export -----------------------------------------------------------
def _real(realdata: Path) -> Path:
    return realdata.joinpath(*SLACK_FILE)


def _expected(path: Path) -> dict:
    """Read the real export independently and derive what DESIGN.md says it holds."""
    with zipfile.ZipFile(path) as z:
        users = json.loads(z.read("users.json"))
        channels = json.loads(z.read("channels.json"))
        ids = {c["name"]: c["id"] for c in channels}
        team = users[0]["team_id"]
        messages, posts, edges, bots, notices = 0, {}, set(), 0, Counter()
        for name in sorted(z.namelist()):
            folder, _, day = name.partition("/")
            if not day.endswith(".json"):
                continue
            for m in json.loads(z.read(name)):
                messages += 1
                subtype = m.get("subtype")
                if subtype == "bot_message":
                    assert "user" not in m
                    bots += 1
                    continue
                if subtype not in (None, "file_share", "file_comment"):
                    notices[subtype] += 1
                    continue
                user = m.get("user") or m["comment"]["user"]
                post_id = f"{ids[folder]}/{m['ts']}"
                posts[post_id] = (user, m["text"], folder)
                for uid in re.findall(r"<@(U[A-Z0-9]+)(?:\|[^>]*)?>", m["text"]):
                    if uid != user:
                        edges.add(("mention", f"slack:{team}/{user}", f"slack:{team}/{uid}",
                                   post_id))
    return {"users": users, "channels": channels, "team": team, "messages": messages,
            "posts": posts, "edges": edges, "bots": bots, "notices": notices}


@pytest.mark.realdata
def test_real_export_counts_and_ties(realdata, store):
    path = _real(realdata)
    exp = _expected(path)
    assert len(exp["users"]) == 4 and len(exp["channels"]) == 2
    assert exp["messages"] == 158 and exp["bots"] == 94
    report = store.ingest(path)
    assert report.format == "slack" and report.rejected == 0
    assert report.records == report.kept == len(exp["posts"]) == 158 - 94 - 11
    assert _store_edges(store) == exp["edges"] and exp["edges"]
    assert report.notes[NOTE_BOT_MESSAGES] == 94
    assert report.notes["channel_join notices skipped (not conversation)"] == 8
    assert report.notes["bot_add notices skipped (not conversation)"] == 3
    assert dict(exp["notices"]) == {"channel_join": 8, "bot_add": 3}
    assert report.notes[NOTE_IGNORED] == 1  # integration_logs.json
    posts = store.table("posts").set_index("post_id")
    assert set(posts.index) == set(exp["posts"])
    for post_id, (user, text, folder) in exp["posts"].items():
        row = posts.loc[post_id]
        assert row.author == f"slack:{exp['team']}/{user}" and row.text == text
        assert list(row.contexts) == [f"#{folder}"] and row.post_type == "post"


@pytest.mark.realdata
def test_real_export_accounts_and_memberships(realdata, store):
    path = _real(realdata)
    exp = _expected(path)
    store.ingest(path)
    accounts = store.table("accounts").set_index("account")
    team = exp["team"]
    assert set(accounts.index) == {f"slack:{team}/{u['id']}" for u in exp["users"]}
    for u in exp["users"]:
        row = accounts.loc[f"slack:{team}/{u['id']}"]
        assert row.handle == u["name"] and row.display_name == u["real_name"]
        assert row.platform == "slack"
    members = store.table("memberships")
    expected = {(f"slack:{team}/{m}", f"slack:#{c['name']}") for c in exp["channels"]
                for m in c["members"]}
    assert set(zip(members.member, members.group, strict=True)) == expected
    assert members.since.notna().all()  # everyone has a channel_join notice


@pytest.mark.realdata
def test_real_export_reingest_adds_nothing(realdata, store):
    path = _real(realdata)
    first = store.ingest(path, format="slack")
    counts = store.counts()
    again = store.ingest(path, format="slack")
    assert again.kept == 0 and again.duplicates == first.records
    assert store.counts() == counts


@pytest.mark.realdata
def test_real_export_sniffing(realdata):
    files = [p for p in realdata.rglob("*") if p.is_file()]
    for p in files:
        assert SlackReader.sniff(p, read_head(p)) == (p.name == "testarchive.zip"), p
    assert sniff(_real(realdata)) == "slack"


@pytest.mark.realdata
def test_real_export_reader_rows(realdata):
    path = _real(realdata)
    posts, edges, accounts, log = collect_rows(SlackReader(path), ReadLog(str(path)))
    assert len(posts) == log.records == 53 and len(accounts) == 4 and len(edges) == 14
    assert all(p[1] == "slack" and p[12] is None for p in posts)
