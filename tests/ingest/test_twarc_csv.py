"""twarc-csv reader: conformance with the twarc2 JSONL it was made from, and bad input."""

from __future__ import annotations

import csv
import gzip
import json
from collections import Counter
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from conftest import collect_rows, write_csv

from plnanalytics import Store
from plnanalytics.errors import FormatError, RecordError
from plnanalytics.ingest import FORMATS, sniff
from plnanalytics.ingest.base import ReadLog, read_head
from plnanalytics.ingest.twarc_csv import TwarcCsvReader

HEADER = ["id", "conversation_id", "referenced_tweets.replied_to.id",
          "referenced_tweets.retweeted.id", "referenced_tweets.quoted.id", "author_id",
          "in_reply_to_user_id", "in_reply_to_username", "retweeted_user_id",
          "retweeted_username", "quoted_user_id", "quoted_username", "created_at", "text",
          "lang", "entities.hashtags", "entities.mentions", "author.id", "author.created_at",
          "author.username", "author.name", "author.description", "author.location",
          "author.public_metrics.followers_count", "author.public_metrics.following_count",
          "author.public_metrics.tweet_count", "author.verified", "__twarc.retrieved_at"]

BREXIT = "twarc2-brexit"


def tweet(tid: str, uid: str, username: str, text: str, **fields: object) -> dict[str, str]:
    row = dict.fromkeys(HEADER, "")
    row.update({"id": tid, "conversation_id": tid, "author_id": uid, "author.id": uid,
                "author.username": username, "text": text, "lang": "en",
                "created_at": "2024-01-09T20:05:00.000Z",
                "__twarc.retrieved_at": "2024-01-10T08:00:00+00:00"})
    for k, v in fields.items():
        row[k.replace("__", ".") if k != "retrieved_at" else "__twarc.retrieved_at"] = (
            json.dumps(v) if isinstance(v, list) else str(v))
    return row


def write(path: Path, rows: list[dict[str, str]], header: list[str] = HEADER) -> Path:
    return write_csv(path, rows, header, missing="")


def read(path: Path, **kw) -> tuple[list, list, dict, ReadLog]:
    return collect_rows(TwarcCsvReader(path), ReadLog(str(path), **kw))


# -- conformance -------------------------------------------------------------------------------
def _posts(store: Store) -> set[tuple]:
    posts = store.table("posts").itertuples()
    return {(p.platform, p.post_id, p.author, p.post_type) for p in posts}


def _edges(store: Store) -> set[tuple]:
    return {(e.kind, e.src, e.dst, e.post_id) for e in store.table("interactions").itertuples()}


def test_same_network_as_the_jsonl_it_was_made_from(realdata: Path, tmp_path: Path) -> None:
    csv_path = realdata / BREXIT / "brexit.twarc-csv.csv"
    jsonl_path = realdata / BREXIT / "brexit.jsonl"
    with Store(tmp_path / "csv.duckdb") as from_csv, Store(tmp_path / "json.duckdb") as from_json:
        report = from_csv.ingest(csv_path)
        from_json.ingest(jsonl_path, format="twarc2")
        assert report.format == "twarc-csv" and report.rejected == 0
        assert _posts(from_csv) == _posts(from_json)

        # The one justified difference: twarc-csv keeps only "@username" for a mention, so a
        # mention can be tied only when that username appears with an id somewhere in the CSV
        # (as an author, or a replied-to, retweeted or quoted user). The JSONL has every
        # mentioned user's id. Derive, from the two files, the mention ties the CSV cannot give.
        with open(csv_path, encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        known = {r[n].lower() for r in rows
                 for n in ("author.username", "in_reply_to_username", "retweeted_username",
                           "quoted_username") if r[n]}
        username = {}  # (post id, mentioned user id) -> username, from the JSONL
        with open(jsonl_path, encoding="utf-8") as fh:
            for line in fh:
                for t in json.loads(line)["data"]:
                    for m in t.get("entities", {}).get("mentions", []):
                        username[(t["id"], "x:" + m["id"])] = m["username"].lower()
        json_edges, csv_edges = _edges(from_json), _edges(from_csv)
        untied = {e for e in json_edges
                  if e[0] == "mention" and username[(e[3], e[2])] not in known}
        assert untied  # the difference is real in this file ...
        assert csv_edges == json_edges - untied  # ... and the only one

        # each unresolved mention is counted as a note (derived from the CSV itself)
        unresolved = sum(m[1:].lower() not in known for r in rows
                         if not r["referenced_tweets.retweeted.id"]
                         for m in json.loads(r["entities.mentions"] or "[]"))
        assert sum(report.notes.values()) == unresolved

        # author profiles agree (twarc-csv writes an empty description as an empty cell)
        authors = sorted({"x:" + r["author_id"] for r in rows})
        cols = ["handle", "display_name", "description", "followers_count", "following_count",
                "post_count", "verified", "account_created_at", "profile_seen_at"]
        a = from_csv.table("accounts").set_index("account").loc[authors, cols]
        b = from_json.table("accounts").set_index("account").loc[authors, cols]
        b["description"] = b["description"].replace("", None)
        pd.testing.assert_frame_equal(a, b)


def test_counts_derived_from_the_csv(realdata: Path, store: Store) -> None:
    path = realdata / BREXIT / "brexit.twarc-csv.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    retweets = [r for r in rows if r["referenced_tweets.retweeted.id"]]
    replies = [r for r in rows if r not in retweets
               and (r["referenced_tweets.replied_to.id"] or r["in_reply_to_user_id"])]
    quotes = [r for r in rows if r not in retweets and r not in replies
              and r["referenced_tweets.quoted.id"]]
    report = store.ingest(path, format="twarc-csv")
    assert report.records == report.kept == len(rows)
    types = Counter(store.table("posts")["post_type"])
    assert types == {"retweet": len(retweets), "reply": len(replies), "quote": len(quotes),
                     "post": len(rows) - len(retweets) - len(replies) - len(quotes)}
    edges = store.table("interactions")
    kinds = Counter(edges["kind"])
    assert kinds["retweet"] == sum(r["retweeted_user_id"] != r["author_id"] for r in retweets)
    assert kinds["reply"] == sum(r["in_reply_to_user_id"] not in ("", r["author_id"])
                                 for r in replies)
    assert kinds["quote"] == sum(r["quoted_user_id"] not in ("", r["author_id"]) for r in quotes)
    # retweet rows carry the original's mentions: none is credited to the retweeter
    rt_ids = {r["id"] for r in retweets}
    assert any(r["entities.mentions"] for r in retweets)
    assert set(edges[edges["post_id"].isin(rt_ids)]["kind"]) == {"retweet"}
    # times are UTC and exact
    posts = store.table("posts").set_index("post_id")
    for r in rows[:10]:
        assert posts.loc[r["id"], "created_at"] == datetime.fromisoformat(r["created_at"])


def test_sniff_real_files(realdata: Path) -> None:
    for f in sorted(realdata.rglob("*")):
        if f.is_file():
            assert TwarcCsvReader.sniff(f, read_head(f)) == (f.suffix == ".csv"
                                                              and f.parent.name == BREXIT), f


def test_sniff_registry(realdata: Path, tmp_path: Path) -> None:
    for module in FORMATS.values():  # other readers may not be written yet
        pytest.importorskip(f"plnanalytics.ingest.{module.split(':')[0]}")
    assert sniff(realdata / BREXIT / "brexit.twarc-csv.csv") == "twarc-csv"
    assert sniff(write(tmp_path / "t.csv", [tweet("1", "10", "ann", "hi")])) == "twarc-csv"
    assert sniff(realdata / "tags-aect19" / "sample-data.csv") != "twarc-csv"


# -- synthetic ---------------------------------------------------------------------------------
def test_retweet_mentions_are_not_the_retweeters(tmp_path: Path) -> None:
    rows = [
        tweet("1", "10", "ann", "Q1 @bo @cy", entities__mentions=["@bo", "@cy"]),
        tweet("2", "11", "bo", "hi"),
        tweet("3", "12", "cy", "hey"),
        # default twarc-csv: the retweet row has the ORIGINAL's text and mentions
        tweet("4", "13", "dee", "Q1 @bo @cy", referenced_tweets__retweeted__id="1",
              retweeted_user_id="10", retweeted_username="ann",
              entities__mentions=["@bo", "@cy"]),
        # original deleted: the retweet keeps its own "RT @user:" text
        tweet("5", "14", "eve", "RT @Ann: Q1", referenced_tweets__retweeted__id="99"),
        tweet("6", "15", "fay", "RT @nobody: gone", referenced_tweets__retweeted__id="98"),
    ]
    posts, edges, _, log = read(write(tmp_path / "t.csv", rows))
    assert [(p[0], p[6], p[9]) for p in posts][3:] == [
        ("4", "retweet", "1"), ("5", "retweet", "99"), ("6", "retweet", "98")]
    assert [(e[1], e[2], e[3], e[7]) for e in edges] == [
        ("mention", "x:10", "x:11", "1"), ("mention", "x:10", "x:12", "1"),
        ("retweet", "x:13", "x:10", "4"), ("retweet", "x:14", "x:10", "5")]
    assert log.notes == {
        "mentions whose username has no user id in the file (twarc-csv gives only @usernames; "
        "no tie drawn)": 1,
        "retweets whose original author is unknown (no tie drawn)": 1}


def test_reply_quote_and_mentions_resolved_across_the_file(tmp_path: Path) -> None:
    rows = [
        # mentions @cy before cy's own row: resolved all the same (first pass over the file)
        tweet("2", "11", "bo", "@ann @CY yes\\nand #NAESPchat", conversation_id="1",
              referenced_tweets__replied_to__id="1", in_reply_to_user_id="10",
              in_reply_to_username="ann", entities__mentions=["@ann", "@CY", "@cy"],
              entities__hashtags=["#NAESPchat"]),
        tweet("3", "12", "cy", "so true", referenced_tweets__quoted__id="2",
              quoted_user_id="11", quoted_username="bo",
              author__public_metrics__followers_count="1200.0", author__verified="True",
              author__description="line\\nbreak", author__created_at="2010-05-01T00:00:00.000Z"),
        tweet("4", "12", "cy", "quoting a deleted tweet", referenced_tweets__quoted__id="77"),
    ]
    posts, edges, accounts, log = read(write(tmp_path / "t.csv", rows))
    assert [(p[0], p[6], p[7], p[8], p[10]) for p in posts] == [
        ("2", "reply", "1", "1", None), ("3", "quote", None, "3", "2"),
        ("4", "quote", None, "4", "77")]
    assert posts[0][4] == "@ann @CY yes\nand #NAESPchat" and posts[0][11] == ["#naespchat"]
    assert [(e[1], e[2], e[3]) for e in edges] == [
        ("reply", "x:11", "x:10"), ("mention", "x:11", "x:12"), ("quote", "x:12", "x:11")]
    cy = accounts["x:12"]
    assert (cy[2], cy[5], cy[7], cy[10], str(cy[11]), str(cy[12])) == (
        "cy", "line\nbreak", 1200, True, "2010-05-01 00:00:00+00:00",
        "2024-01-10 08:00:00+00:00")
    assert accounts["x:10"][2] == "ann"  # a replied-to user's handle
    assert log.notes == {"quotes of posts whose author is unknown (no tie drawn)": 1}


def test_bad_rows_are_rejected_with_line_and_reason(tmp_path: Path, store: Store) -> None:
    path = write(tmp_path / "t.csv", [
        tweet("1", "10", "ann", "two\nlines"),  # lines 2-3
        tweet("2", "10", "ann", "x", entities__mentions="['@bo']"),  # line 4: not JSON
        tweet("3", "10", "ann", "x", entities__hashtags='{"a": 1}'),  # line 5: not a list
        tweet("1.44E+18", "10", "ann", "x"),  # line 6: rounded id
        tweet("5", "", "ann", "x"),  # line 7: no author
        tweet("6", "10", "ann", "x", created_at="22/09/2021"),  # line 8
    ])
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("7,7,,\n")  # line 9: too few fields
    report = store.ingest(path, format="twarc-csv")
    assert (report.records, report.kept, report.rejected) == (1, 1, 6)
    reasons = {r.line: r.reason for r in report.rejects}
    assert sorted(reasons) == [4, 5, 6, 7, 8, 9]
    assert "entities.mentions is not a JSON list" in reasons[4]
    assert "entities.hashtags is not a JSON list" in reasons[5]
    assert "'1.44E+18' is not a tweet id" in reasons[6]
    assert "author_id" in reasons[7] and "created_at" in reasons[8]
    assert f"4 fields, expected {len(HEADER)}" in reasons[9]


def test_strict_leaves_store_unchanged(tmp_path: Path, store: Store) -> None:
    store.ingest(write(tmp_path / "ok.csv", [tweet("9", "10", "ann", "first")]))
    before = store.counts()
    path = write(tmp_path / "t.csv", [tweet("1", "11", "bo", "fine"),
                                      tweet("2", "11", "bo", "x", entities__hashtags="[")])
    with pytest.raises(RecordError) as err:
        store.ingest(path, format="twarc-csv", strict=True)
    assert err.value.line == 3 and "entities.hashtags" in err.value.reason
    assert store.counts() == before


def test_missing_columns_is_a_format_error(tmp_path: Path, store: Store) -> None:
    header = [c for c in HEADER if c not in ("author_id", "created_at")]
    path = write(tmp_path / "t.csv", [tweet("1", "10", "ann", "hi")], header=header)
    with pytest.raises(FormatError, match=r"t\.csv: missing column\(s\) author_id, created_at"):
        store.ingest(path, format="twarc-csv")
    assert sum(store.counts().values()) == 0
    notcsv = tmp_path / "n.csv"
    notcsv.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe")
    with pytest.raises(FormatError, match=r"n\.csv: not UTF-8"):
        store.ingest(notcsv, format="twarc-csv")
    assert sum(store.counts().values()) == 0


def test_duplicates_gzip_and_progress(tmp_path: Path, store: Store) -> None:
    rows = [tweet(str(i), "10", "ann", f"post {i}") for i in range(1, 6)]
    plain = write(tmp_path / "t.csv", [*rows, rows[0]])
    gz = tmp_path / "t.csv.gz"
    gz.write_bytes(gzip.compress(plain.read_bytes()))
    calls: list[tuple[int, int]] = []
    report = store.ingest(gz, progress=lambda done, total: calls.append((done, total)))
    assert report.format == "twarc-csv"
    assert (report.records, report.kept, report.duplicates) == (6, 5, 1)
    size = gz.stat().st_size
    assert calls[-1] == (size, size) and all(0 <= d <= t == size for d, t in calls)
    log = ReadLog(str(plain))
    reader = TwarcCsvReader(plain)
    reader.batch_rows = 2
    assert [len(b.rows["posts"]) for b in reader.batches(log)] == [2, 2, 2, 0]
