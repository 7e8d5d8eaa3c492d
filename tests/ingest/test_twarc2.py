"""twarc2 JSONL: conformance on real pages and flattened files, both reading paths, bad input."""

from __future__ import annotations

import json
import runpy
from pathlib import Path

import orjson
import pytest

from plnanalytics import FormatError, RecordError, Store
from plnanalytics.ingest import sniff
from plnanalytics.ingest.twarc2 import Twarc2Reader

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"

COMPARED = {
    "posts": ["post_id", "platform", "author", "created_at", "text", "lang", "post_type",
              "parent_post_id", "conversation_id", "repost_of", "quote_of", "contexts", "url"],
    "interactions": ["platform", "kind", "src", "dst", "ts", "weight", "context", "post_id"],
    "accounts": ["account", "platform", "handle", "display_name", "description", "location",
                 "followers_count", "following_count", "post_count", "verified",
                 "account_created_at", "profile_seen_at"],
}


def ingest_both(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **kw):
    """Ingest a file through the vectorized path and through the record path."""
    with Store(tmp_path / "fast.duckdb") as fast:
        fast_report = fast.ingest(path, **kw)
        fast_tables = {t: fast.table(t)[cols] for t, cols in COMPARED.items()}
    with monkeypatch.context() as m:
        m.setattr(Twarc2Reader, "fast_path", lambda self: None)
        with Store(tmp_path / "slow.duckdb") as slow:
            slow_report = slow.ingest(path, **kw)
            slow_tables = {t: slow.table(t)[cols] for t, cols in COMPARED.items()}
    return fast_report, fast_tables, slow_report, slow_tables


def assert_same(a: dict, b: dict) -> None:
    for name in COMPARED:
        left = a[name].sort_values(list(a[name].columns[:4])).reset_index(drop=True)
        right = b[name].sort_values(list(b[name].columns[:4])).reset_index(drop=True)
        assert left.astype(str).to_dict("records") == right.astype(str).to_dict("records"), name


def expected_from_pages(path: Path) -> dict:
    """Counts read straight from the JSON, independently of the ingester."""
    tweets, users, refs = [], {}, {}
    for line in path.read_text().splitlines():
        page = json.loads(line)
        tweets += page["data"]
        for u in page["includes"].get("users", []):
            users[u["id"]] = u
        for t in page["includes"].get("tweets", []):
            refs[t["id"]] = t
    kinds = {"reply": set(), "retweet": set(), "quote": set(), "mention": set()}
    for t in tweets:
        types = {r["type"]: r["id"] for r in t.get("referenced_tweets", [])}
        a = t["author_id"]
        if "retweeted" in types:
            kinds["retweet"].add((t["id"], refs[types["retweeted"]]["author_id"]))
            continue
        reply_user = t.get("in_reply_to_user_id")
        if reply_user and reply_user != a:
            kinds["reply"].add((t["id"], reply_user))
        if "quoted" in types and refs[types["quoted"]]["author_id"] != a:
            kinds["quote"].add((t["id"], refs[types["quoted"]]["author_id"]))
        for m in t.get("entities", {}).get("mentions", []):
            if m["id"] not in (a, reply_user):
                kinds["mention"].add((t["id"], m["id"]))
    return {"tweets": tweets, "users": users, "kinds": kinds}


def test_brexit_pages_conformance(realdata: Path, store: Store) -> None:
    path = realdata / "twarc2-brexit" / "brexit.jsonl"
    exp = expected_from_pages(path)
    report = store.ingest(path)
    assert report.format == "twarc2" and report.method == "vectorized"
    assert report.records == len(exp["tweets"]) == 100
    assert report.rejected == 0
    posts = store.table("posts")
    assert set(posts.post_id) == {t["id"] for t in exp["tweets"]}
    assert posts.post_type.value_counts().to_dict() == {
        "retweet": 67, "post": 12, "quote": 11, "reply": 10}
    inter = store.table("interactions")
    for kind, pairs in exp["kinds"].items():
        rows = inter[inter.kind == kind]
        got = {(r.post_id, r.dst.removeprefix("x:")) for r in rows.itertuples()}
        assert got == pairs, kind
    # every author who posted is a node, with the handle from includes
    accounts = store.table("accounts").set_index("account")
    for t in exp["tweets"]:
        handle = exp["users"][t["author_id"]]["username"]
        assert accounts.loc["x:" + t["author_id"], "handle"] == handle
    assert (inter.src != inter.dst).all()
    # the time comes from created_at, in UTC
    first = next(t for t in exp["tweets"])
    row = posts.set_index("post_id").loc[first["id"]]
    assert row.created_at.isoformat().startswith(first["created_at"][:19])
    assert str(row.created_at.tz) == "UTC"


def test_reply_target_not_counted_again_as_mention(realdata: Path, store: Store) -> None:
    path = realdata / "twarc2-brexit" / "brexit.jsonl"
    page = json.loads(path.read_text())
    replies = [t for t in page["data"] if t.get("in_reply_to_user_id")]
    doubled = [t for t in replies if any(m["id"] == t["in_reply_to_user_id"]
                                         for m in t.get("entities", {}).get("mentions", []))]
    assert doubled, "the file has replies that also list the replied-to account as a mention"
    store.ingest(path)
    inter = store.table("interactions")
    for t in doubled:
        rows = inter[(inter.post_id == t["id"]) & (inter.dst == "x:" + t["in_reply_to_user_id"])]
        assert rows.kind.tolist() == ["reply"]


def test_retweet_mentions_are_not_the_retweeters(realdata: Path, store: Store) -> None:
    path = realdata / "twarc2-brexit" / "brexit.jsonl"
    page = json.loads(path.read_text())
    rts = [t for t in page["data"]
           if any(r["type"] == "retweeted" for r in t.get("referenced_tweets", []))]
    store.ingest(path)
    inter = store.table("interactions")
    for t in rts:
        assert inter[inter.post_id == t["id"]].kind.tolist() in (["retweet"], [])


def test_flat_file_conformance(realdata: Path, store: Store) -> None:
    path = realdata / "twarc2-brexit" / "flat.jsonl"
    tweets = [json.loads(line) for line in path.read_text().splitlines()]
    assert sniff(path) == "twarc2"
    report = store.ingest(path)
    assert report.method == "records" and report.records == len(tweets) and report.rejected == 0
    posts = store.table("posts")
    assert set(posts.post_id) == {t["id"] for t in tweets}
    inter = store.table("interactions")
    n_rt = sum(any(r["type"] == "retweeted" for r in t.get("referenced_tweets", []))
               for t in tweets)
    assert (posts.post_type == "retweet").sum() == n_rt
    rt_edges = inter[inter.kind == "retweet"]
    for t in tweets:
        for r in t.get("referenced_tweets", []):
            if r["type"] == "retweeted" and r["author_id"] != t["author_id"]:
                hit = rt_edges[(rt_edges.post_id == t["id"])]
                assert hit.dst.tolist() == ["x:" + r["author_id"]]


def test_reingest_and_overlap_add_nothing(realdata: Path, store: Store, tmp_path: Path) -> None:
    path = realdata / "twarc2-brexit" / "brexit.jsonl"
    first = store.ingest(path)
    counts = store.counts()
    again = store.ingest(path)
    assert again.kept == 0 and again.duplicates == first.records
    assert store.counts() == counts
    # an overlapping export: the same page twice in one file, plus a copy with half the tweets
    page = json.loads(path.read_text())
    half = dict(page, data=page["data"][:50])
    overlap = tmp_path / "overlap.jsonl"
    overlap.write_bytes(orjson.dumps(half) + b"\n" + orjson.dumps(page) + b"\n")
    report = store.ingest(overlap)
    assert report.records == 150 and report.kept == 0 and report.duplicates == 150
    assert store.counts() == counts


def test_both_paths_agree_on_real_pages(realdata: Path, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    path = realdata / "twarc2-brexit" / "brexit.jsonl"
    fr, ft, sr, st = ingest_both(path, tmp_path, monkeypatch)
    assert fr.method == "vectorized" and sr.method == "records"
    assert (fr.records, fr.kept, fr.added, fr.notes) == (sr.records, sr.kept, sr.added, sr.notes)
    assert_same(ft, st)


def test_both_paths_agree_on_sample_and_benchmark_data(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    bench = runpy.run_path(str(ROOT / "scripts" / "bench_ingest.py"))
    generated = tmp_path / "bench.jsonl"
    bench["generate"](generated, 3000)
    for path in (SAMPLE / "naespchat_twarc2.jsonl", generated):
        (tmp_path / path.stem).mkdir()
        fr, ft, sr, st = ingest_both(path, tmp_path / path.stem, monkeypatch)
        assert fr.method == "vectorized" and fr.rejected == sr.rejected == 0
        assert (fr.records, fr.added, fr.notes) == (sr.records, sr.added, sr.notes)
        assert_same(ft, st)


def _tweet(tid: str, author: str, text: str, **extra: object) -> dict:
    return {"id": tid, "author_id": author, "text": text, "lang": "en",
            "created_at": f"2025-09-10T00:{int(tid) % 60:02d}:00.000Z", "conversation_id": tid,
            **extra}


def _mention(text: str, username: str, uid: str | None) -> dict:
    start = text.index("@" + username)
    m = {"start": start, "end": start + len(username) + 1, "username": username}
    if uid:
        m["id"] = uid
    return m


def edge_case_pages() -> list[dict]:
    """Pages with every tie rule the design states, including deleted originals."""
    users = [{"id": str(i), "username": f"user{i}", "name": f"User {i}",
              "created_at": "2015-01-01T00:00:00.000Z",
              "public_metrics": {"followers_count": i, "following_count": 1, "tweet_count": 2}}
             for i in range(1, 8)]
    t_rt_deleted = "RT @user2: an original that was deleted"
    t_reply = "@user1 @user3 agreed #NAESPchat #naespchat #PrincipalLife"
    t_self = "@user4 continuing my own thread"
    t_quote_missing = "quoting something gone"
    t_byname = "hello @user5 and @User6 and @ghost"
    data = [
        _tweet("11", "1", "Q1: what helps? #NAESPchat",
               entities={"hashtags": [{"start": 17, "end": 27, "tag": "NAESPchat"}]}),
        _tweet("12", "3", t_rt_deleted,
               referenced_tweets=[{"type": "retweeted", "id": "999"}],
               entities={"mentions": [_mention(t_rt_deleted, "user2", "2")]}),
        _tweet("13", "2", t_reply, in_reply_to_user_id="1",
               referenced_tweets=[{"type": "replied_to", "id": "11"}],
               entities={"mentions": [_mention(t_reply, "user1", "1"),
                                      _mention(t_reply, "user3", "3")],
                         "hashtags": [{"start": 20, "end": 30, "tag": "NAESPchat"},
                                      {"start": 31, "end": 41, "tag": "naespchat"},
                                      {"start": 42, "end": 56, "tag": "PrincipalLife"}]}),
        _tweet("14", "4", t_self, in_reply_to_user_id="4",
               referenced_tweets=[{"type": "replied_to", "id": "10"}],
               entities={"mentions": [_mention(t_self, "user4", "4")]}),
        _tweet("15", "5", "RT @user1: Q1: what helps?",
               referenced_tweets=[{"type": "retweeted", "id": "11"}],
               entities={"mentions": [_mention("RT @user1: Q1", "user1", "1")]}),
        _tweet("16", "6", t_quote_missing, referenced_tweets=[{"type": "quoted", "id": "998"}]),
        _tweet("17", "7", "quoting Q1", referenced_tweets=[{"type": "quoted", "id": "11"}]),
        _tweet("18", "7", t_byname,
               entities={"mentions": [_mention(t_byname, "user5", None),
                                      _mention(t_byname, "User6", None),
                                      _mention(t_byname, "ghost", None)]}),
        _tweet("19", "1", "RT @user1: my own", referenced_tweets=[{"type": "retweeted",
                                                                   "id": "11"}]),
    ]
    includes = {"users": users, "tweets": [data[0] | {"author_id": "1"}]}
    first = {"data": data[:5], "includes": includes, "meta": {"result_count": 5},
             "__twarc": {"retrieved_at": "2025-09-11T00:00:00+00:00"}}
    second = {"data": data[5:], "includes": includes, "meta": {"result_count": 4}}
    empty = {"meta": {"result_count": 0}}
    return [first, second, empty]


def write_pages(path: Path, pages: list[dict]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(p) + b"\n" for p in pages))
    return path


def test_edge_cases_follow_the_design(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_pages(tmp_path / "edge.jsonl", edge_case_pages())
    fr, ft, sr, st = ingest_both(path, tmp_path, monkeypatch)
    assert fr.method == "vectorized"
    assert_same(ft, st)
    assert fr.notes == sr.notes == {
        "quotes of posts whose author is unknown (no tie drawn)": 1,
        "mentions whose user id is unknown (no tie drawn)": 1,
    }
    edges = {(r.post_id, r.kind, r.src, r.dst) for r in ft["interactions"].itertuples()}
    assert edges == {
        ("12", "retweet", "x:3", "x:2"),      # deleted original: author from "RT @user2:"
        ("13", "reply", "x:2", "x:1"),        # reply counted once, not again as a mention
        ("13", "mention", "x:2", "x:3"),
        ("15", "retweet", "x:5", "x:1"),      # a retweet's mentions are not the retweeter's
        ("17", "quote", "x:7", "x:1"),
        ("18", "mention", "x:7", "x:5"),      # mention ids resolved by username
        ("18", "mention", "x:7", "x:6"),
    }                                         # 14 (self-reply) and 19 (self-retweet): no edge
    posts = ft["posts"].set_index("post_id")
    assert list(posts.loc["13", "contexts"]) == ["#naespchat", "#principallife"]
    assert posts.loc["13", "post_type"] == "reply" and posts.loc["16", "post_type"] == "quote"
    assert posts.loc["12", "repost_of"] == "999"
    assert posts.loc["11", "url"] == "https://twitter.com/user1/status/11"
    assert len(ft["accounts"]) == 7  # every author is a node, with the latest profile


def test_malformed_lines_are_named_and_skipped(tmp_path: Path, store: Store) -> None:
    pages = edge_case_pages()
    broken = tmp_path / "broken.jsonl"
    bad_tweet = {"data": [{"id": "50", "text": "no author", "created_at": "2025-09-10T00:00:00Z"}],
                 "meta": {"result_count": 1}}
    broken.write_bytes(orjson.dumps(pages[0]) + b"\n{not json\n" + orjson.dumps(bad_tweet)
                       + b"\n\n[1, 2]\n" + orjson.dumps(pages[1]) + b"\n")
    report = store.ingest(broken)
    assert report.method == "records"
    assert report.records == 9 and report.kept == 9 and report.rejected == 3
    assert [r.line for r in report.rejects] == [2, 3, 5]
    assert "not valid JSON" in report.rejects[0].reason
    assert "tweet 1 of the page: missing field 'author_id'" in report.rejects[1].reason
    assert "expected a JSON object" in report.rejects[2].reason
    stored = store.rejects()
    assert stored.line.tolist() == [2, 3, 5] and (stored.path == str(broken)).all()


def test_strict_stops_and_leaves_the_store_unchanged(tmp_path: Path, store: Store) -> None:
    good = write_pages(tmp_path / "good.jsonl", edge_case_pages()[:1])
    store.ingest(good)
    before = store.counts()
    broken = tmp_path / "broken.jsonl"
    broken.write_bytes(orjson.dumps(edge_case_pages()[1]) + b"\n{not json\n")
    with pytest.raises(RecordError, match=r"broken.jsonl, line 2: not valid JSON"):
        store.ingest(broken, strict=True)
    assert store.counts() == before
    assert len(store.ingests()) == 1


def test_a_failure_mid_file_leaves_the_store_unchanged(tmp_path: Path, store: Store,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_pages(tmp_path / "p.jsonl", edge_case_pages())
    monkeypatch.setattr(Twarc2Reader, "fast_path", lambda self: None)
    monkeypatch.setattr(Twarc2Reader, "batch_rows", 2)
    original = Twarc2Reader.batches

    def failing(self, log):
        for i, batch in enumerate(original(self, log)):
            if i == 2:
                raise OSError("disk went away")
            yield batch

    monkeypatch.setattr(Twarc2Reader, "batches", failing)
    with pytest.raises(OSError):
        store.ingest(path)
    assert store.counts() == dict.fromkeys(store.counts(), 0)
    assert store.ingests().empty


def test_not_twarc2(tmp_path: Path, store: Store) -> None:
    other = tmp_path / "x.jsonl"
    other.write_text('{"hello": "world"}\n')
    with pytest.raises(FormatError, match="cannot tell its format"):
        store.ingest(other)
    report = store.ingest(other, format="twarc2")
    assert report.rejected == 1 and report.records == 0
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    with pytest.raises(FormatError, match="empty"):
        store.ingest(empty)


def test_gzip_is_read(tmp_path: Path, store: Store) -> None:
    import gzip

    path = tmp_path / "pages.jsonl.gz"
    with gzip.open(path, "wb") as fh:
        for p in edge_case_pages():
            fh.write(orjson.dumps(p) + b"\n")
    report = store.ingest(path)
    assert report.format == "twarc2" and report.records == 9


def test_sniff_claims_only_twarc2(realdata: Path) -> None:
    assert Twarc2Reader.sniff(realdata / "twarc2-brexit" / "brexit.jsonl",
                              (realdata / "twarc2-brexit" / "brexit.jsonl").read_bytes()[:65536])
    v1 = realdata / "twitter-v1-aect" / "aect_v1_statuses_lookup.jsonl"
    assert not Twarc2Reader.sniff(v1, v1.read_bytes()[:65536])
    tags = realdata / "tags-aect19" / "sample-data.csv"
    assert not Twarc2Reader.sniff(tags, tags.read_bytes()[:65536])


def test_chunk_boundaries_do_not_change_the_result(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import plnanalytics.ingest.base as base

    path = SAMPLE / "naespchat_twarc2.jsonl"
    with Store(tmp_path / "one.duckdb") as one:
        whole = one.ingest(path)
        tables = {t: one.table(t)[cols] for t, cols in COMPARED.items()}
    monkeypatch.setattr(base, "CHUNK_BYTES", 150_000)  # pages are ~100 KB: many chunks
    assert len(list(base.line_chunks(path))) > 5
    with Store(tmp_path / "many.duckdb") as many:
        chunked = many.ingest(path)
        assert chunked.method == "vectorized"
        assert (chunked.records, chunked.added) == (whole.records, whole.added)
        assert_same(tables, {t: many.table(t)[cols] for t, cols in COMPARED.items()})


def test_profiles_are_dated_by_their_own_page(tmp_path: Path, store: Store) -> None:
    """Without __twarc, a page's profiles take the time of its latest readable tweet."""
    early = {"data": [_tweet("5", "1", "hello"), _tweet("6", "1", "again")],
             "includes": {"users": [{"id": "1", "username": "ann", "name": "Ann"}]},
             "meta": {"result_count": 2}}
    late = {"data": [{"id": "7", "text": "no author"}, _tweet("3", "1", "older")],
            "includes": {"users": [{"id": "1", "username": "ann", "name": "Zed"}]},
            "meta": {"result_count": 2}}
    path = write_pages(tmp_path / "p.jsonl", [early, late])
    report = store.ingest(path)
    assert report.rejected == 1 and report.records == 3
    account = store.table("accounts").set_index("account").loc["x:1"]
    assert account.display_name == "Ann"  # seen at 00:06; "Zed" only at 00:03
    assert account.profile_seen_at == store.table("posts").created_at.max()
