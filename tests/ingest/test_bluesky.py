"""Bluesky XRPC JSON reader: conformance with real responses, ties, bad input, sniffing."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pandas as pd
import pytest

from plnanalytics.errors import FormatError, RecordError
from plnanalytics.ingest import sniff
from plnanalytics.ingest.base import ReadLog, read_head
from plnanalytics.ingest.bluesky import NOTE_TIME_FALLBACK, BlueskyReader, parse_bluesky_time

SEARCH = ("bluesky-atrrr", "searchPosts_rstats_a.json")
THREAD = ("bluesky-atrrr", "getPostThread_jbgruber_3kbi55xm6u62v.json")
T0 = "2024-01-09T20:05:00.000Z"
MENTION = "app.bsky.richtext.facet#mention"


def _did_of(uri: str) -> str:
    return uri.split("/")[2]


def _uri(did: str, rkey: str) -> str:
    return f"at://{did}/app.bsky.feed.post/{rkey}"


def _post(did: str, rkey: str, text: str = "hello", *, created: object = T0,
          indexed: object = T0, **record: object) -> dict:
    return {"uri": _uri(did, rkey), "cid": "bafy" + rkey,
            "author": {"did": did, "handle": did.rsplit(":", 1)[-1] + ".bsky.social",
                       "displayName": did.rsplit(":", 1)[-1].title()},
            "record": {"$type": "app.bsky.feed.post", "text": text, "createdAt": created,
                       "langs": ["en"], **record},
            "indexedAt": indexed}


def _mention(text: str, handle: str, did: str) -> dict:
    """A mention facet for ``@handle`` in ``text``, with UTF-8 byte offsets."""
    start = text.encode("utf-8").index(("@" + handle).encode("utf-8"))
    return {"index": {"byteStart": start, "byteEnd": start + len(handle.encode()) + 1},
            "features": [{"$type": MENTION, "did": did}]}


def _reply(parent: str, root: str | None = None) -> dict:
    return {"parent": {"uri": parent, "cid": "x"}, "root": {"uri": root or parent, "cid": "x"}}


def _write(path: Path, *lines: object) -> Path:
    with open(path, "wb") as fh:
        for line in lines:
            fh.write((line if isinstance(line, bytes) else orjson.dumps(line)) + b"\n")
    return path


def _edges(store) -> set[tuple[str, str, str, str]]:
    df = store.table("interactions")
    return set(zip(df.kind, df.src, df.dst, df.post_id, strict=True))


def _utc(value: str) -> pd.Timestamp:
    return pd.Timestamp(datetime.fromisoformat(value)).tz_convert("UTC")


# -- conformance with the real files ---------------------------------------------------------
@pytest.mark.realdata
def test_real_search_posts_authors_and_replies(realdata, store):
    path = realdata.joinpath(*SEARCH)
    posts = json.loads(path.read_text(encoding="utf-8"))["posts"]
    report = store.ingest(path, format="bluesky")
    assert report.format == "bluesky" and report.rejected == 0
    assert report.records == report.kept == len(posts) == 100
    stored = store.table("posts").set_index("post_id")
    assert set(stored.author) == {"bluesky:" + p["author"]["did"] for p in posts}
    assert stored.author.nunique() == 45
    replies = [p for p in posts if "reply" in p["record"]]
    assert len(replies) == 10
    expected_replies = {
        ("reply", "bluesky:" + p["author"]["did"],
         "bluesky:" + _did_of(p["record"]["reply"]["parent"]["uri"]), p["uri"])
        for p in replies if _did_of(p["record"]["reply"]["parent"]["uri"]) != p["author"]["did"]}
    edges = _edges(store)
    assert {e for e in edges if e[0] == "reply"} == expected_replies
    for p in replies:
        row = stored.loc[p["uri"]]
        assert row.post_type == "reply"
        assert row.parent_post_id == p["record"]["reply"]["parent"]["uri"]
        assert row.conversation_id == p["record"]["reply"]["root"]["uri"]
    # mentions: every mention facet (not the author, not the replied-to account) once
    expected_mentions = set()
    for p in posts:
        me = p["author"]["did"]
        parent = p["record"].get("reply", {}).get("parent", {}).get("uri")
        for f in p["record"].get("facets", []):
            for feat in f["features"]:
                if feat["$type"] == MENTION and feat["did"] not in (
                        me, parent and _did_of(parent)):
                    expected_mentions.add(("mention", "bluesky:" + me, "bluesky:" + feat["did"],
                                           p["uri"]))
    assert expected_mentions
    assert {e for e in edges if e[0] == "mention"} == expected_mentions
    accounts = store.table("accounts").set_index("account")
    for p in posts:
        acc = accounts.loc["bluesky:" + p["author"]["did"]]
        assert acc.handle == p["author"]["handle"]


@pytest.mark.realdata
def test_real_search_fields_and_mixed_time_zones(realdata, store):
    path = realdata.joinpath(*SEARCH)
    posts = json.loads(path.read_text(encoding="utf-8"))["posts"]
    store.ingest(path, format="bluesky")
    stored = store.table("posts").set_index("post_id")
    assert str(stored.created_at.dtype) == "datetime64[us, UTC]"
    zones = {p["record"]["createdAt"][-6:] for p in posts}
    assert {"+00:00", "-05:00"} <= zones and any(z.endswith("Z") for z in zones)
    for p in posts:
        row = stored.loc[p["uri"]]
        rec = p["record"]
        assert row.created_at == _utc(rec["createdAt"].replace("Z", "+00:00"))
        assert row.text == rec["text"]
        assert row.lang == (rec["langs"][0] if rec.get("langs") else None)
        tags = {f2["tag"].lower() for f in rec.get("facets", []) for f2 in f["features"]
                if f2["$type"].endswith("#tag")} | {t.lower() for t in rec.get("tags", [])}
        assert set(row.contexts) == {"#" + t for t in tags}
        rkey = p["uri"].rsplit("/", 1)[1]
        assert row.url == f"https://bsky.app/profile/{p['author']['handle']}/post/{rkey}"
    minus5 = next(p for p in posts if p["record"]["createdAt"].endswith("-05:00"))
    local = datetime.fromisoformat(minus5["record"]["createdAt"])
    assert stored.loc[minus5["uri"], "created_at"].hour == (local.hour + 5) % 24
    quotes = [p for p in posts if p["record"].get("embed", {}).get("$type")
              == "app.bsky.embed.record"]
    assert quotes
    for p in quotes:
        assert stored.loc[p["uri"], "quote_of"] == p["record"]["embed"]["record"]["uri"]


@pytest.mark.realdata
def test_real_thread_chain(realdata, store):
    path = realdata.joinpath(*THREAD)
    report = store.ingest(path, format="bluesky")
    assert report.rejected == 0 and report.kept == 4
    thread = json.loads(path.read_text(encoding="utf-8"))["thread"]
    chain, node = [], thread
    while node:
        chain.append(node["post"]["uri"])
        node = (node.get("replies") or [None])[0]
    stored = store.table("posts").set_index("post_id")
    assert set(stored.index) == set(chain)
    assert stored.loc[chain[0], "parent_post_id"] is None
    assert len(chain) == 4
    for parent, child in itertools.pairwise(chain):
        assert stored.loc[child, "parent_post_id"] == parent
        assert stored.loc[child, "conversation_id"] == chain[0]
    # the starter mentions two accounts whose handles come from byte-offset slices
    accounts = store.table("accounts").set_index("account")
    assert accounts.loc["bluesky:did:plc:vuvsifrusnjsys7mhkpk662u", "handle"] == \
        "benguinaudeau.bsky.social"
    assert accounts.loc["bluesky:did:plc:46yyakot3byghwqc6rhmqzqd", "handle"] == \
        "favstats.bsky.social"
    assert {e[0] for e in _edges(store)} == {"mention"}  # self-replies are not ties


@pytest.mark.realdata
def test_real_duplicates_across_files_stored_once(realdata, store, tmp_path):
    search = realdata.joinpath(*SEARCH)
    thread = realdata.joinpath(*THREAD)
    posts = json.loads(search.read_text(encoding="utf-8"))["posts"]
    # a second search overlapping the first, and the thread, one response a line
    mixed = _write(tmp_path / "more.jsonl", {"posts": posts[:30], "cursor": "30"},
                   json.loads(thread.read_text(encoding="utf-8")), {"posts": posts[20:40]})
    store.ingest(search, format="bluesky")
    counts = store.counts()
    report = store.ingest(mixed, format="bluesky")
    assert report.records == 54 and report.kept == 4 and report.rejected == 0
    after = store.counts()
    assert after["posts"] == counts["posts"] + 4
    assert store.table("posts").post_id.is_unique
    assert store.table("accounts").account.is_unique


@pytest.mark.realdata
def test_real_reingest_adds_nothing(realdata, store):
    path = realdata.joinpath(*SEARCH)
    first = store.ingest(path, format="bluesky")
    counts = store.counts()
    again = store.ingest(path, format="bluesky")
    assert again.kept == 0 and again.duplicates == first.records
    assert store.counts() == counts


# -- ties on hand-made records ----------------------------------------------------------------
def test_mention_after_multibyte_text_uses_byte_offsets(tmp_path, store):
    text = "Grüße 🚀 from Zürich, @ann.bsky.social and @cy.bsky.social!"
    post = _post("did:plc:bo", "3k1", text,
                 facets=[_mention(text, "ann.bsky.social", "did:plc:ann"),
                         _mention(text, "cy.bsky.social", "did:plc:cy")])
    # character offsets would be wrong here: the text has multibyte characters first
    assert text.index("@ann") != post["record"]["facets"][0]["index"]["byteStart"]
    store.ingest(_write(tmp_path / "m.jsonl", {"posts": [post]}), format="bluesky")
    assert _edges(store) == {("mention", "bluesky:did:plc:bo", "bluesky:did:plc:ann",
                              post["uri"]),
                             ("mention", "bluesky:did:plc:bo", "bluesky:did:plc:cy", post["uri"])}
    accounts = store.table("accounts").set_index("account")
    assert accounts.loc["bluesky:did:plc:ann", "handle"] == "ann.bsky.social"
    assert accounts.loc["bluesky:did:plc:cy", "handle"] == "cy.bsky.social"


def test_reply_is_not_also_a_mention_and_self_reply_is_no_tie(tmp_path, store):
    parent = _uri("did:plc:ann", "3k0")
    text = "@ann.bsky.social agreed"
    reply = _post("did:plc:bo", "3k1", text, reply=_reply(parent),
                  facets=[_mention(text, "ann.bsky.social", "did:plc:ann")])
    own = _post("did:plc:bo", "3k2", "and more", reply=_reply(reply["uri"], parent))
    store.ingest(_write(tmp_path / "r.jsonl", reply, own), format="bluesky")
    assert _edges(store) == {("reply", "bluesky:did:plc:bo", "bluesky:did:plc:ann",
                              reply["uri"])}
    posts = store.table("posts").set_index("post_id")
    assert posts.loc[own["uri"], "conversation_id"] == parent
    assert posts.loc[reply["uri"], "conversation_id"] == parent


def test_quotes_with_and_without_media(tmp_path, store):
    quoted = _uri("did:plc:ann", "3k0")
    plain = _post("did:plc:bo", "3k1", "look", embed={
        "$type": "app.bsky.embed.record", "record": {"uri": quoted, "cid": "x"}})
    plain["embed"] = {"$type": "app.bsky.embed.record#view", "record": {
        "$type": "app.bsky.embed.record#viewRecord", "uri": quoted,
        "author": {"did": "did:plc:ann", "handle": "ann.bsky.social", "displayName": "Ann"}}}
    media = _post("did:plc:cy", "3k2", "this", embed={
        "$type": "app.bsky.embed.recordWithMedia",
        "record": {"$type": "app.bsky.embed.record", "record": {"uri": quoted, "cid": "x"}},
        "media": {"$type": "app.bsky.embed.images", "images": []}})
    feed_gen = _post("did:plc:cy", "3k3", "a feed", embed={
        "$type": "app.bsky.embed.record",
        "record": {"uri": "at://did:plc:ann/app.bsky.feed.generator/news", "cid": "x"}})
    store.ingest(_write(tmp_path / "q.jsonl", {"posts": [plain, media, feed_gen]}),
                 format="bluesky")
    assert _edges(store) == {("quote", "bluesky:did:plc:bo", "bluesky:did:plc:ann", plain["uri"]),
                             ("quote", "bluesky:did:plc:cy", "bluesky:did:plc:ann", media["uri"])}
    posts = store.table("posts").set_index("post_id")
    assert list(posts.loc[[plain["uri"], media["uri"]], "post_type"]) == ["quote", "quote"]
    assert posts.loc[feed_gen["uri"], "quote_of"] is None
    accounts = store.table("accounts").set_index("account")
    assert accounts.loc["bluesky:did:plc:ann", "display_name"] == "Ann"


def test_repost_in_a_feed_is_a_retweet_tie(tmp_path, store):
    text = "hi @cy.bsky.social"
    original = _post("did:plc:ann", "3k0", text,
                     facets=[_mention(text, "cy.bsky.social", "did:plc:cy")])
    feed = {"feed": [
        {"post": original, "reason": {
            "$type": "app.bsky.feed.defs#reasonRepost", "indexedAt": "2024-01-10T08:00:00Z",
            "by": {"did": "did:plc:bo", "handle": "bo.bsky.social"}}},
        {"post": _post("did:plc:bo", "3k5", "mine")},
    ], "cursor": "x"}
    path = tmp_path / "feed.json"
    path.write_text(json.dumps(feed, indent=2), encoding="utf-8")  # pretty-printed
    report = store.ingest(path, format="bluesky")
    assert report.rejected == 0
    edges = _edges(store)
    retweets = {e for e in edges if e[0] == "retweet"}
    assert {(k, s, d) for k, s, d, _ in retweets} == {
        ("retweet", "bluesky:did:plc:bo", "bluesky:did:plc:ann")}
    # the original's mention is the original author's, not the reposter's
    assert {(k, s, d) for k, s, d, _ in edges if k == "mention"} == {
        ("mention", "bluesky:did:plc:ann", "bluesky:did:plc:cy")}
    posts = store.table("posts").set_index("post_id")
    repost = posts[posts.post_type == "retweet"]
    assert len(repost) == 1 and repost.iloc[0].repost_of == original["uri"]
    assert repost.iloc[0].created_at == pd.Timestamp("2024-01-10T08:00:00Z")


def test_time_zones_and_fallback_to_indexed_at(tmp_path, store):
    posts = [_post("did:plc:a", "1", created="2024-01-09T15:05:00-05:00"),
             _post("did:plc:a", "2", created="2024-01-09T20:05:00+00:00"),
             _post("did:plc:a", "3", created="2024-01-09T20:05:00.123456789Z"),
             _post("did:plc:a", "4", created="yesterday", indexed="2024-01-09T20:05:00Z"),
             _post("did:plc:a", "5", created="2024-01-09T20:05:00")]  # no zone
    report = store.ingest(_write(tmp_path / "t.jsonl", {"posts": posts}), format="bluesky")
    assert report.rejected == 0
    when = store.table("posts").set_index("post_id").created_at
    assert set(when.dt.floor("s")) == {pd.Timestamp("2024-01-09T20:05:00Z")}
    assert report.notes[NOTE_TIME_FALLBACK] == 2
    assert parse_bluesky_time("2024-01-09T15:05:00-05:00") == datetime(
        2024, 1, 9, 20, 5, tzinfo=UTC)


# -- bad input --------------------------------------------------------------------------------
def test_bad_records_are_named_by_line_and_item(tmp_path, store):
    no_uri = _post("did:plc:a", "2")
    del no_uri["uri"]
    no_author = _post("did:plc:a", "3")
    del no_author["author"]
    no_record = _post("did:plc:a", "4")
    del no_record["record"]
    no_time = _post("did:plc:a", "5", created="soon", indexed=None)
    path = _write(tmp_path / "bad.jsonl",
                  {"posts": [_post("did:plc:a", "1"), no_uri, no_author]},
                  b'{"posts": [',
                  {"thread": {"post": _post("did:plc:b", "6"), "replies": [
                      {"post": no_record}, {"$type": "app.bsky.feed.defs#notFoundPost",
                                            "uri": _uri("did:plc:c", "7"), "notFound": True},
                      {"replies": []}]}},
                  b"", {"hello": 1}, no_time)
    report = store.ingest(path, format="bluesky")
    assert report.records == 2 and report.kept == 2 and report.rejected == 7
    reasons = [(r.line, r.reason) for r in report.rejects]
    assert [line for line, _ in reasons] == [1, 1, 2, 3, 3, 5, 6]
    assert "post 2 of 'posts'" in reasons[0][1] and "'uri'" in reasons[0][1]
    assert "post 3 of 'posts'" in reasons[1][1] and "'author'" in reasons[1][1]
    assert "not valid JSON" in reasons[2][1]
    assert "thread.replies[0].post" in reasons[3][1] and "'record'" in reasons[3][1]
    assert "thread.replies[2]" in reasons[4][1] and "without 'post'" in reasons[4][1]
    assert "neither" in reasons[5][1]
    assert "'soon'" in reasons[6][1] and "indexedAt" in reasons[6][1]
    assert report.notes["thread or feed entries that are not posts (not found, blocked) "
                        "skipped"] == 1


def test_strict_raises_and_leaves_store_unchanged(tmp_path, store):
    store.ingest(_write(tmp_path / "good.jsonl", _post("did:plc:a", "1")), format="bluesky")
    counts = store.counts()
    bad = _post("did:plc:a", "3")
    del bad["record"]
    path = _write(tmp_path / "bad.jsonl", _post("did:plc:a", "2"), {"posts": [bad]})
    with pytest.raises(RecordError) as err:
        store.ingest(path, format="bluesky", strict=True)
    assert err.value.line == 2 and "bad.jsonl" in str(err.value)
    assert store.counts() == counts
    assert len(store.ingests()) == 1


def test_not_json_is_a_format_error(tmp_path, store):
    path = tmp_path / "edges.json"
    path.write_text("source,target\nann,bo\n")
    with pytest.raises(FormatError) as err:
        store.ingest(path, format="bluesky")
    assert "edges.json" in str(err.value) and "Bluesky" in str(err.value)
    assert sum(store.counts().values()) == 0 and len(store.ingests()) == 0


def test_reader_log_counts(tmp_path):
    path = _write(tmp_path / "p.jsonl", _post("did:plc:a", "1"), _post("did:plc:b", "2"))
    log = ReadLog(str(path))
    batches = list(BlueskyReader(path).batches(log))
    assert log.records == 2 and sum(len(b.rows["posts"]) for b in batches) == 2


# -- sniffing ---------------------------------------------------------------------------------
@pytest.mark.realdata
def test_sniff_claims_the_real_bluesky_files_only(realdata):
    mine = {realdata.joinpath(*SEARCH), realdata.joinpath(*THREAD)}
    for p in mine:
        assert BlueskyReader.sniff(p, read_head(p)), p
        assert sniff(p) == "bluesky"
    others = [p for p in realdata.rglob("*") if p.is_file() and p not in mine]
    assert others
    for p in others:
        assert not BlueskyReader.sniff(p, read_head(p)), p


def test_sniff_layouts(tmp_path):
    post = _post("did:plc:a", "1")
    for name, obj in (("search", {"posts": [post]}), ("thread", {"thread": {"post": post}}),
                      ("feed", {"feed": [{"post": post}]}), ("one", post), ("array", [post])):
        path = _write(tmp_path / f"{name}.json", obj)
        assert BlueskyReader.sniff(path, read_head(path)), name
    long = {"posts": [_post("did:plc:a", str(i), "x" * 1000) for i in range(100)]}
    path = _write(tmp_path / "long.json", long)
    head = read_head(path)
    assert len(head) < path.stat().st_size and BlueskyReader.sniff(path, head)
    mastodon_like = {"id": "1", "uri": "https://mastodon.social/users/a/statuses/1",
                     "account": {}, "content": "<p>hi</p>"}
    for obj in (mastodon_like, {"posts": [{"uri": "https://x", "record": {}}]},
                {"data": [{"id": "1"}]}, {}):
        path = _write(tmp_path / "other.json", obj)
        assert not BlueskyReader.sniff(path, read_head(path))
