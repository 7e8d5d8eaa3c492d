"""Twitter API v1.1 statuses reader: conformance with a real file, layouts, bad input, sniffing."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pandas as pd
import pytest

from plnanalytics.errors import FormatError, RecordError
from plnanalytics.ingest.base import ReadLog, read_head
from plnanalytics.ingest.tweets import parse_twitter_time
from plnanalytics.ingest.twitter_v1 import TwitterV1Reader

V1_FILE = ("twitter-v1-aect", "aect_v1_statuses_lookup.jsonl")
T0 = "Wed Oct 10 20:19:24 +0000 2018"
V1_FMT = "%a %b %d %H:%M:%S %z %Y"


def _v1_file(realdata: Path) -> Path:
    return realdata.joinpath(*V1_FILE)


def _user(uid: str, handle: str, **extra: object) -> dict:
    return {"id": int(uid), "id_str": uid, "screen_name": handle, "name": handle.title(),
            **extra}


def _status(sid: str, uid: str, handle: str = "bo", text: str = "hello", *,
            created: str = T0, mentions: tuple[tuple[str, str], ...] = (),
            hashtags: tuple[str, ...] = (), **extra: object) -> dict:
    return {
        "created_at": created, "id": int(sid), "id_str": sid, "full_text": text,
        "entities": {"user_mentions": [{"id_str": i, "screen_name": h, "name": h}
                                       for i, h in mentions],
                     "hashtags": [{"text": t} for t in hashtags]},
        "user": _user(uid, handle), "lang": "en", **extra,
    }


def _write(path: Path, *lines: object) -> Path:
    with open(path, "wb") as fh:
        for line in lines:
            fh.write((line if isinstance(line, bytes) else orjson.dumps(line)) + b"\n")
    return path


def _edges(store) -> set[tuple[str, str, str, str]]:
    df = store.table("interactions")
    return set(zip(df.kind, df.src, df.dst, df.post_id, strict=True))


# -- conformance with the real file ---------------------------------------------------------
def _expected(path: Path) -> dict:
    """Read the real file independently and derive posts, ties and accounts by DESIGN.md."""
    posts, edges, accounts, mentioned = {}, set(), set(), set()
    latest: dict[str, tuple[datetime, dict]] = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            st = json.loads(line)
            sid, author = st["id_str"], st["user"]["id_str"]
            when = datetime.strptime(st["created_at"], V1_FMT)
            posts[sid] = st
            users = [st["user"]]
            rt, qs = st.get("retweeted_status"), st.get("quoted_status")
            if rt:
                users.append(rt["user"])
                if rt.get("quoted_status"):
                    users.append(rt["quoted_status"]["user"])
            if qs:
                users.append(qs["user"])
            for u in users:
                accounts.add(u["id_str"])
                if u["id_str"] not in latest or when >= latest[u["id_str"]][0]:
                    latest[u["id_str"]] = (when, u)
            for m in st["entities"]["user_mentions"]:
                accounts.add(m["id_str"])
                mentioned.add(m["id_str"])
            if rt:
                if rt["user"]["id_str"] != author:
                    edges.add(("retweet", "x:" + author, "x:" + rt["user"]["id_str"], sid))
                continue
            reply_to = st.get("in_reply_to_user_id_str")
            if reply_to and reply_to != author:
                edges.add(("reply", "x:" + author, "x:" + reply_to, sid))
            if qs and qs["user"]["id_str"] != author:
                edges.add(("quote", "x:" + author, "x:" + qs["user"]["id_str"], sid))
            for m in st["entities"]["user_mentions"]:
                if m["id_str"] not in (author, reply_to):
                    edges.add(("mention", "x:" + author, "x:" + m["id_str"], sid))
    return {"posts": posts, "edges": edges, "accounts": accounts, "latest": latest,
            "mentioned": mentioned}


@pytest.mark.realdata
def test_real_file_posts_ties_and_accounts(realdata, store):
    path = _v1_file(realdata)
    exp = _expected(path)
    report = store.ingest(path, format="twitter-v1")
    assert report.format == "twitter-v1" and report.unit == "posts"
    assert report.rejected == 0
    assert report.records == len(exp["posts"])
    assert report.kept == len(exp["posts"])
    assert _edges(store) == exp["edges"]
    kinds = Counter(k for k, *_ in exp["edges"])
    assert kinds["retweet"] > 0 and kinds["reply"] > 0 and kinds["quote"] > 0
    accounts = store.table("accounts").set_index("account")
    assert set(accounts.index) == {"x:" + a for a in exp["accounts"]}
    # mentioned accounts have handles
    assert accounts.loc[["x:" + m for m in exp["mentioned"]], "handle"].notna().all()


@pytest.mark.realdata
def test_real_file_retweets_give_no_mention_ties(realdata, store):
    path = _v1_file(realdata)
    exp = _expected(path)
    store.ingest(path, format="twitter-v1")
    retweets = {sid for sid, st in exp["posts"].items() if "retweeted_status" in st}
    with_mentions = [sid for sid in retweets
                     if len(exp["posts"][sid]["entities"]["user_mentions"]) > 1]
    assert with_mentions  # the file has retweets carrying the original's mentions
    df = store.table("interactions")
    assert set(df[df.post_id.isin(retweets)].kind) == {"retweet"}
    posts = store.table("posts").set_index("post_id")
    assert (posts.loc[sorted(retweets), "post_type"] == "retweet").all()
    assert posts.loc[sorted(retweets), "quote_of"].isna().all()
    originals = {st["retweeted_status"]["id_str"] for st in exp["posts"].values()
                 if "retweeted_status" in st}
    assert set(posts.loc[sorted(retweets), "repost_of"]) == originals


@pytest.mark.realdata
def test_real_file_fields(realdata, store):
    path = _v1_file(realdata)
    exp = _expected(path)
    store.ingest(path, format="twitter-v1")
    posts = store.table("posts").set_index("post_id")
    for sid, st in exp["posts"].items():
        row = posts.loc[sid]
        assert row.author == "x:" + st["user"]["id_str"]
        assert row.created_at == datetime.strptime(st["created_at"], V1_FMT)
        assert row.text == st["full_text"]
        assert row.lang == st["lang"]
        assert row.conversation_id is None
        assert row.url == f"https://twitter.com/{st['user']['screen_name']}/status/{sid}"
        assert row.parent_post_id == st["in_reply_to_status_id_str"]
        tags = {"#" + h["text"].lower() for h in st["entities"]["hashtags"]}
        assert set(row.contexts) == tags
    accounts = store.table("accounts").set_index("account")
    for uid, (when, u) in exp["latest"].items():
        row = accounts.loc["x:" + uid]
        assert row.handle == u["screen_name"]
        assert row.display_name == u["name"]
        assert row.followers_count == u["followers_count"]
        assert row.following_count == u["friends_count"]
        assert row.post_count == u["statuses_count"]
        assert bool(row.verified) == u["verified"]
        assert row.account_created_at == datetime.strptime(u["created_at"], V1_FMT)
        assert row.profile_seen_at == when


@pytest.mark.realdata
def test_real_file_reingest_adds_nothing(realdata, store):
    path = _v1_file(realdata)
    first = store.ingest(path, format="twitter-v1")
    counts = store.counts()
    again = store.ingest(path, format="twitter-v1")
    assert again.kept == 0 and again.duplicates == first.records
    assert store.counts() == counts


@pytest.mark.realdata
def test_real_file_gzip_and_batches(realdata, tmp_path):
    path = _v1_file(realdata)
    gz = tmp_path / "statuses.jsonl.gz"
    gz.write_bytes(gzip.compress(path.read_bytes()))
    n = sum(1 for line in path.read_bytes().splitlines() if line.strip())
    reader = TwitterV1Reader(gz)
    reader.batch_rows = 40
    calls: list[tuple[int, int]] = []
    log = ReadLog(str(gz), progress=lambda done, total: calls.append((done, total)))
    batches = list(reader.batches(log))
    assert log.records == n and log.rejected == 0
    assert [len(b.rows["posts"]) for b in batches[:-1]] == [40] * (n // 40)
    assert sum(len(b.rows["posts"]) for b in batches) == n
    assert len(calls) >= n // 40 and calls[-1] == (gz.stat().st_size, gz.stat().st_size)


# -- layouts ---------------------------------------------------------------------------------
def test_search_response_and_array_lines(tmp_path, store):
    path = _write(
        tmp_path / "search.jsonl",
        {"statuses": [_status("1", "10", "ann", "hi @bo", mentions=(("11", "bo"),)),
                      _status("2", "11", "bo", "hi @cy", mentions=(("12", "cy"),))],
         "search_metadata": {"count": 2}},
        [_status("3", "12", "cy", "yo"), _status("4", "10", "ann", "@cy!",
                                                mentions=(("12", "cy"),))],
    )
    report = store.ingest(path, format="twitter-v1")
    assert report.records == 4 and report.kept == 4 and report.rejected == 0
    assert {(k, s, d) for k, s, d, _ in _edges(store)} == {
        ("mention", "x:10", "x:11"), ("mention", "x:11", "x:12"), ("mention", "x:10", "x:12")}
    assert store.table("accounts").set_index("account").loc["x:12", "handle"] == "cy"


def test_bad_status_in_array_is_named_by_line_and_position(tmp_path, store):
    bad = _status("2", "11")
    del bad["id_str"]
    path = _write(tmp_path / "a.jsonl", _status("1", "10"), [_status("3", "12"), bad])
    report = store.ingest(path, format="twitter-v1")
    assert report.records == 2 and report.rejected == 1
    (reject,) = report.rejects
    assert reject.line == 2
    assert "status 2 of the line" in reject.reason and "'id_str'" in reject.reason
    assert "loses digits" in reject.reason


def test_extended_tweet_text_and_entities(tmp_path, store):
    st = _status("5", "10", "ann", "short @bo…", mentions=(("11", "bo"),), truncated=True)
    del st["full_text"]
    st["text"] = "short @bo…"
    st["extended_tweet"] = {
        "full_text": "short @bo and @cy #EdChat",
        "entities": {"user_mentions": [{"id_str": "11", "screen_name": "bo"},
                                       {"id_str": "12", "screen_name": "cy"}],
                     "hashtags": [{"text": "EdChat"}]}}
    path = _write(tmp_path / "stream.jsonl", st)
    store.ingest(path, format="twitter-v1")
    post = store.table("posts").iloc[0]
    assert post.text == "short @bo and @cy #EdChat"
    assert list(post.contexts) == ["#edchat"]
    assert {(k, d) for k, _, d, _ in _edges(store)} == {("mention", "x:11"), ("mention", "x:12")}


def test_plain_text_when_no_full_text(tmp_path, store):
    st = _status("5", "10", "ann")
    del st["full_text"]
    st["text"] = "classic 140"
    store.ingest(_write(tmp_path / "t.jsonl", st), format="twitter-v1")
    assert store.table("posts").iloc[0].text == "classic 140"


def test_retweet_ties_and_embedded_profiles(tmp_path, store):
    original = _status("1", "10", "ann", "@cy look #EdChat", mentions=(("12", "cy"),),
                       hashtags=("EdChat",))
    original["user"]["followers_count"] = 99
    quoted = _status("7", "13", "di", "quoted")
    original["quoted_status"] = quoted
    original["quoted_status_id_str"] = "7"
    rt = _status("2", "11", "bo", "RT @ann: @cy look #EdChat",
                 created="Thu Oct 11 20:19:24 +0000 2018",
                 mentions=(("10", "ann"), ("12", "cy")), hashtags=("EdChat",),
                 retweeted_status=original, quoted_status_id_str="7", quoted_status=quoted)
    report = store.ingest(_write(tmp_path / "rt.jsonl", rt), format="twitter-v1")
    assert report.records == 1
    assert _edges(store) == {("retweet", "x:11", "x:10", "2")}
    post = store.table("posts").iloc[0]
    assert (post.post_type, post.repost_of, post.quote_of) == ("retweet", "1", None)
    accounts = store.table("accounts").set_index("account")
    assert set(accounts.index) == {"x:10", "x:11", "x:12", "x:13"}
    assert accounts.loc["x:10", "followers_count"] == 99
    assert accounts.loc["x:10", "profile_seen_at"] == datetime(2018, 10, 11, 20, 19, 24,
                                                               tzinfo=UTC)
    assert accounts.loc["x:12", "handle"] == "cy"
    assert pd.isna(accounts.loc["x:12", "profile_seen_at"])


def test_quote_without_embedded_status_is_noted(tmp_path, store):
    st = _status("3", "10", "ann", "so true", quoted_status_id_str="1", is_quote_status=True)
    report = store.ingest(_write(tmp_path / "q.jsonl", st), format="twitter-v1")
    assert report.records == 1 and _edges(store) == set()
    assert report.notes == {"quotes of posts whose author is unknown (no tie drawn)": 1}
    post = store.table("posts").iloc[0]
    assert (post.post_type, post.quote_of) == ("quote", "1")


def test_reply_is_not_also_a_mention(tmp_path, store):
    st = _status("3", "10", "ann", "@bo @cy yes", mentions=(("11", "bo"), ("12", "cy")),
                 in_reply_to_status_id_str="2", in_reply_to_user_id_str="11",
                 in_reply_to_status_id=2, in_reply_to_user_id=11)
    store.ingest(_write(tmp_path / "r.jsonl", st), format="twitter-v1")
    assert _edges(store) == {("reply", "x:10", "x:11", "3"), ("mention", "x:10", "x:12", "3")}
    assert store.table("posts").iloc[0].parent_post_id == "2"


def test_stream_notices_are_noted(tmp_path, store):
    path = _write(tmp_path / "s.jsonl", _status("1", "10"),
                  {"delete": {"status": {"id_str": "9", "user_id_str": "3"}}},
                  {"limit": {"track": 5}})
    report = store.ingest(path, format="twitter-v1")
    assert report.records == 1 and report.rejected == 0
    assert sum(report.notes.values()) == 2


def test_created_at_parser_matches_strptime():
    for s in (T0, "Sat Feb 29 00:00:00 +0000 2020", "Mon Jan 01 23:59:59 -0530 2024",
              "Tue Dec 31 12:00:00 +1345 2019"):
        assert parse_twitter_time(s) == datetime.strptime(s, V1_FMT)
        assert parse_twitter_time(s).tzinfo is UTC
    for bad in ("2018-10-10T20:19:24Z", "Wed Foo 10 20:19:24 +0000 2018",
                "Wed Feb 30 20:19:24 +0000 2018", None, 1539202764):
        with pytest.raises(ValueError):
            parse_twitter_time(bad)


# -- bad input --------------------------------------------------------------------------------
def test_malformed_lines_are_counted_named_and_skipped(tmp_path, store):
    no_time = _status("4", "10")
    no_time["created_at"] = "yesterday"
    no_user = _status("5", "10")
    del no_user["user"]
    path = _write(tmp_path / "bad.jsonl", _status("1", "10"), b'{"id_str": "2", "user"',
                  b"", b"42", _status("3", "11"), no_time, no_user, {"hello": 1})
    report = store.ingest(path, format="twitter-v1")
    assert report.records == 2 and report.kept == 2 and report.rejected == 5
    reasons = {r.line: r.reason for r in report.rejects}
    assert set(reasons) == {2, 4, 6, 7, 8}
    assert "not valid JSON" in reasons[2]
    assert "JSON object" in reasons[4]
    assert "yesterday" in reasons[6]
    assert "'user'" in reasons[7]
    assert "neither a status" in reasons[8]
    assert list(store.rejects().line) == [2, 4, 6, 7, 8]


def test_strict_raises_and_leaves_store_unchanged(tmp_path, store):
    store.ingest(_write(tmp_path / "good.jsonl", _status("1", "10")), format="twitter-v1")
    counts = store.counts()
    path = _write(tmp_path / "bad.jsonl", _status("2", "11"), b"{not json")
    with pytest.raises(RecordError) as err:
        store.ingest(path, format="twitter-v1", strict=True)
    assert err.value.line == 2 and "bad.jsonl" in str(err.value)
    assert store.counts() == counts
    assert len(store.ingests()) == 1


def test_not_json_at_all_is_a_format_error(tmp_path, store):
    path = tmp_path / "edges.jsonl"
    path.write_text("source,target\nann,bo\n")
    with pytest.raises(FormatError) as err:
        store.ingest(path, format="twitter-v1")
    assert "edges.jsonl" in str(err.value) and "v1.1" in str(err.value)
    assert "line 1" in str(err.value)
    assert sum(store.counts().values()) == 0 and len(store.ingests()) == 0


def test_other_json_is_a_format_error(tmp_path, store):
    path = _write(tmp_path / "v2.jsonl", {"data": [{"id": "1", "text": "hi", "author_id": "2"}]})
    with pytest.raises(FormatError, match=r"no Twitter API v1\.1 status"):
        store.ingest(path, format="twitter-v1")
    assert sum(store.counts().values()) == 0


def test_float_prone_id_is_never_used(tmp_path, store):
    st = _status("1225122317849657345", "10")
    del st["id_str"]
    report = store.ingest(_write(tmp_path / "ids.jsonl", st, _status("2", "10")),
                          format="twitter-v1")
    assert report.records == 1 and report.rejected == 1
    assert list(store.table("posts").post_id) == ["2"]


# -- sniffing ---------------------------------------------------------------------------------
@pytest.mark.realdata
def test_sniff_claims_the_real_v1_file_only(realdata):
    v1 = _v1_file(realdata)
    assert TwitterV1Reader.sniff(v1, read_head(v1))
    others = [p for p in realdata.rglob("*") if p.is_file() and p != v1]
    assert others
    for p in others:
        assert not TwitterV1Reader.sniff(p, read_head(p)), p


def test_sniff_layouts(tmp_path):
    st = _status("1", "10")
    for name, obj in (("one", st), ("search", {"statuses": [st], "search_metadata": {}}),
                      ("array", [st, st])):
        path = _write(tmp_path / f"{name}.jsonl", obj)
        assert TwitterV1Reader.sniff(path, read_head(path)), name
    long = _status("1", "10", "ann", "x" * 100_000)
    path = _write(tmp_path / "long.jsonl", long)
    head = read_head(path)
    assert len(head) < path.stat().st_size and TwitterV1Reader.sniff(path, head)
    for obj in ({"id": "1", "text": "v2", "author_id": "2"}, [{"id": "1", "account": {}}], {}):
        path = _write(tmp_path / "other.jsonl", obj)
        assert not TwitterV1Reader.sniff(path, read_head(path))
