"""DiscordChatExporter JSON reader: replies, mentions, bots and system messages, memberships,
bad input, sniffing."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from plnanalytics.errors import FormatError, RecordError
from plnanalytics.ingest import sniff
from plnanalytics.ingest.base import ReadLog, read_head
from plnanalytics.ingest.discord import (
    NOTE_BOT_MESSAGES,
    NOTE_MENTION_BOT,
    NOTE_REPLY_TO_BOT,
    NOTE_REPLY_UNKNOWN,
    DiscordReader,
)

GUILD, CHANNEL = "700000000000000001", "800000000000000002"
ANN, BO, CY, DEE, BOT = ("111111111111111111", "222222222222222222", "333333333333333333",
                         "444444444444444444", "999999999999999999")
NAMES = {ANN: ("ann", "Ann (Oak ES)"), BO: ("bo", "bo"), CY: ("cy", "Cy R."),
         DEE: ("dee", "dee"), BOT: ("MEE6", "MEE6")}


def _user(uid: str) -> dict:
    name, nick = NAMES[uid]
    return {"id": uid, "name": name, "discriminator": "0000", "nickname": nick,
            "color": None, "isBot": uid == BOT, "avatarUrl": "https://cdn/x.png"}


def _m(mid: str, author: str, content: str = "hello", *, kind: str = "Default",
       time: str = "2024-01-09T15:00:00.123-05:00", mentions: tuple[str, ...] = (),
       ref: str | None = None) -> dict:
    m = {"id": mid, "type": kind, "timestamp": time, "timestampEdited": None,
         "callEndedTimestamp": None, "isPinned": False, "content": content,
         "author": _user(author), "attachments": [], "embeds": [], "stickers": [],
         "reactions": [], "mentions": [_user(u) for u in mentions]}
    if ref is not None:
        m["reference"] = {"messageId": ref, "channelId": CHANNEL, "guildId": GUILD}
    return m


def _messages() -> list:
    return [
        _m("1001", DEE, "", kind="GuildMemberJoin", time="2024-01-09T14:00:00+00:00"),
        _m("1002", ANN, "@bo who uses the walkthrough form?", mentions=(BO,),
           time="2024-01-09T15:00:00.1234567-05:00"),
        _m("1003", BO, "@ann we do, ask @cy", kind="Reply", ref="1002", mentions=(ANN, CY),
           time="2024-01-09T20:05:00+00:00"),
        _m("1004", CY, "same", kind="Reply", ref="1003", mentions=(BO,),
           time="2024-01-09T20:06:00+00:00"),
        _m("1005", BOT, "Reminder: budgets due", time="2024-01-09T20:07:00+00:00"),
        _m("1006", DEE, "done @MEE6 @dee", kind="Reply", ref="1005", mentions=(BOT, DEE),
           time="2024-01-09T20:08:00+00:00"),
        _m("1007", ANN, "", kind="ChannelPinnedMessage", ref="1002",
           time="2024-01-09T20:09:00+00:00"),
        _m("1008", BO, "about that old thread", kind="Reply", ref="555",
           time="2024-01-09T20:10:00+00:00"),
        _m("1009", CY, "thanks all", time="2024-01-10T09:00:00+01:00"),
    ]


def _export(messages: list | None = None, **top: object) -> dict:
    msgs = _messages() if messages is None else messages
    return {
        "guild": {"id": GUILD, "name": "Cedar Principals", "iconUrl": "https://cdn/g.png"},
        "channel": {"id": CHANNEL, "type": "GuildTextChat", "categoryId": "3",
                    "category": "Leadership", "name": "walkthroughs", "topic": None},
        "dateRange": {"after": None, "before": None},
        "messages": msgs, "messageCount": len(msgs), **top,
    }


def _write(path: Path, obj: object) -> Path:
    path.write_text(json.dumps(obj, indent=2), encoding="utf-8")
    return path


@pytest.fixture
def export(tmp_path: Path) -> Path:
    return _write(tmp_path / "cedar - walkthroughs.json", _export())


def _read(path: Path, **kw: object):
    log = ReadLog(str(path), **kw)
    batches = list(DiscordReader(path).batches(log))
    posts = {r[0]: r for b in batches for r in b.rows["posts"]}
    edges = {(r[1], r[2], r[3], r[7]) for b in batches for r in b.rows["interactions"]}
    accounts = [r for b in batches for r in b.rows["accounts"]]
    members = {r[0]: r for b in batches for r in b.rows["memberships"]}
    return posts, edges, accounts, members, log


def _k(uid: str) -> str:
    return "discord:" + uid


def test_replies_and_mentions(export):
    _, edges, _, _, log = _read(export)
    assert edges == {
        ("mention", _k(ANN), _k(BO), "1002"),
        # a reply that also mentions the replied-to author: one reply tie, no mention
        ("reply", _k(BO), _k(ANN), "1003"), ("mention", _k(BO), _k(CY), "1003"),
        ("reply", _k(CY), _k(BO), "1004"),
    }
    assert log.notes[NOTE_REPLY_TO_BOT] == 1  # 1006 replies to the bot
    assert log.notes[NOTE_MENTION_BOT] == 1  # and mentions it (and itself: no tie)
    assert log.notes[NOTE_REPLY_UNKNOWN] == 1  # 1008 replies to a message not in the file


def test_posts(export):
    posts, _, _, _, log = _read(export)
    assert sorted(posts) == ["1002", "1003", "1004", "1006", "1008", "1009"]
    assert log.records == 6 and log.rejected == 0
    (_, platform, author, created, text, lang, post_type, parent, conversation, repost,
     quote, contexts, url) = posts["1003"]
    assert (platform, author, post_type, parent, conversation) == (
        "discord", _k(BO), "reply", "1002", "1002")
    assert created == datetime(2024, 1, 9, 20, 5, tzinfo=UTC)
    assert text == "@ann we do, ask @cy" and lang is None and repost is None and quote is None
    assert contexts == ["#walkthroughs"]
    assert url == f"https://discord.com/channels/{GUILD}/{CHANNEL}/1003"
    assert posts["1004"][6:9] == ("reply", "1003", "1002")  # the chain's root
    assert posts["1002"][6:9] == ("post", None, "1002")
    assert posts["1008"][6:9] == ("reply", "555", "555")  # as far as the file reaches
    assert posts["1002"][3] == datetime(2024, 1, 9, 20, 0, 0, 123456, tzinfo=UTC)
    assert posts["1009"][3] == datetime(2024, 1, 10, 8, 0, tzinfo=UTC)


def test_bots_and_system_messages_are_not_conversation(export):
    posts, edges, accounts, members, log = _read(export)
    assert not {"1001", "1005", "1007"} & set(posts)
    assert log.notes[NOTE_BOT_MESSAGES] == 1
    assert log.notes["GuildMemberJoin messages skipped (not conversation)"] == 1
    assert log.notes["ChannelPinnedMessage messages skipped (not conversation)"] == 1
    assert _k(BOT) not in {a[0] for a in accounts} | set(members)
    assert _k(BOT) not in {e[2] for e in edges}


def test_accounts_and_memberships(export):
    _, _, accounts, members, _ = _read(export)
    latest = {}
    for row in sorted(accounts, key=lambda r: r[12]):
        latest[row[0]] = row
    assert set(latest) == {_k(ANN), _k(BO), _k(CY), _k(DEE)}
    assert latest[_k(ANN)][1:4] == ("discord", "ann", "Ann (Oak ES)")
    assert latest[_k(CY)][2:4] == ("cy", "Cy R.")
    assert all(r[12] is not None and r[12].tzinfo is UTC for r in accounts)
    # co-presence of authors, since their first message; the join notice is not a post
    assert set(members) == {_k(ANN), _k(BO), _k(CY), _k(DEE)}
    assert {r[1] for r in members.values()} == {"discord:#walkthroughs"}
    assert members[_k(CY)][2:] == ("member", datetime(2024, 1, 9, 20, 6, tzinfo=UTC), None)
    assert members[_k(DEE)][3] == datetime(2024, 1, 9, 20, 8, tzinfo=UTC)


def test_store_ingest_and_reingest_adds_nothing(export, store):
    first = store.ingest(export)  # sniffed
    assert first.format == "discord" and first.records == first.kept == 6
    counts = store.counts()
    assert counts["posts"] == 6 and counts["interactions"] == 4 and counts["memberships"] == 4
    again = store.ingest(export)
    assert again.kept == 0 and again.duplicates == 6
    assert store.counts() == counts
    accounts = store.table("accounts").set_index("account")
    assert accounts.loc[_k(ANN), "display_name"] == "Ann (Oak ES)"


def test_direct_messages_and_gzip(tmp_path):
    obj = _export()
    obj["guild"] = {"id": "0", "name": "Direct Messages"}
    obj["channel"]["name"] = "Ann"
    gz = tmp_path / "dm.json.gz"
    gz.write_bytes(gzip.compress(json.dumps(obj).encode()))
    posts, _, _, members, _ = _read(gz)
    assert posts["1002"][12] == f"https://discord.com/channels/@me/{CHANNEL}/1002"
    assert posts["1002"][11] == ["#ann"] and members[_k(ANN)][1] == "discord:#ann"


# -- bad input ---------------------------------------------------------------------------------
def test_not_json(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"guild": {"id": "1"}, "channel": {')
    with pytest.raises(FormatError, match=r"broken.json: not valid JSON .*expected a "
                                          r"DiscordChatExporter JSON export"):
        _read(path)


def test_messages_not_a_list_or_no_channel(tmp_path):
    for name, obj, match in (
        ("a.json", _export(messages={"1": {}}), "no 'messages' list"),
        ("b.json", [1, 2], "no 'messages' list"),
        ("c.json", {**_export(), "channel": "walkthroughs"}, "no 'channel' object with an 'id'"),
    ):
        with pytest.raises(FormatError, match=rf"{name}: {match}; expected a Discord"):
            _read(_write(tmp_path / name, obj))


def test_bad_messages_are_rejected(tmp_path):
    no_id = _m("x", ANN)
    del no_id["id"]
    no_author = _m("2002", ANN)
    del no_author["author"]["id"]
    naive = _m("2003", ANN, time="2024-01-09T15:00:00")
    messages = [_m("2000", ANN), "hello", no_id, no_author, naive, _m("2004", BO, "ok",
                                                                      kind="Reply", ref="2000")]
    posts, edges, _, _, log = _read(_write(tmp_path / "bad.json", _export(messages)))
    assert [(r.line, r.reason) for r in log.rejects] == [
        (2, "message 2: not a JSON object"),
        (3, "message 3: no 'id'"),
        (4, "message 4: no 'author' with an 'id'"),
        (5, "message 5: timestamp '2024-01-09T15:00:00' has no UTC offset"),
    ]
    assert sorted(posts) == ["2000", "2004"]
    assert edges == {("reply", _k(BO), _k(ANN), "2004")}


def test_unknown_reference_keeps_the_post(tmp_path):
    messages = [_m("3001", ANN, "re", kind="Reply", ref="3000", mentions=(BO,))]
    posts, edges, _, _, log = _read(_write(tmp_path / "r.json", _export(messages)))
    assert posts["3001"][6:9] == ("reply", "3000", "3000")
    assert edges == {("mention", _k(ANN), _k(BO), "3001")}
    assert log.notes == {NOTE_REPLY_UNKNOWN: 1}


def test_strict_raises_and_stores_nothing(tmp_path, store):
    messages = [_m("2000", ANN), "hello"]
    path = _write(tmp_path / "strict.json", _export(messages))
    with pytest.raises(RecordError, match=r"strict.json, line 2: message 2: not a JSON object"):
        store.ingest(path, strict=True)
    assert sum(store.counts().values()) == 0


# -- sniffing ----------------------------------------------------------------------------------
def test_sniff(export, tmp_path):
    assert DiscordReader.sniff(export, read_head(export)) and sniff(export) == "discord"
    long = _write(tmp_path / "long.json",
                  _export([_m(str(4000 + i), ANN, "x" * 500) for i in range(300)]))
    head = read_head(long)
    assert len(head) < long.stat().st_size and DiscordReader.sniff(long, head)
    compact = tmp_path / "compact.json"
    compact.write_text(json.dumps(_export()))
    assert sniff(compact) == "discord"
    for obj in ({"guild": {}, "channel": {}}, {"messages": []}, [1]):
        other = _write(tmp_path / "other.json", obj)
        assert not DiscordReader.sniff(other, read_head(other))


@pytest.mark.realdata
def test_sniff_claims_no_real_file(realdata):
    for p in (p for p in realdata.rglob("*") if p.is_file()):
        assert not DiscordReader.sniff(p, read_head(p)), p
