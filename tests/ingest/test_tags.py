"""TAGS archive CSV reader: real exports (conformance) and synthetic bad input."""

from __future__ import annotations

import csv
import gzip
import importlib
import json
from email.utils import parsedate_to_datetime
from pathlib import Path

import pandas as pd
import pytest
from conftest import collect_rows, write_csv

from plnanalytics.errors import FormatError, RecordError
from plnanalytics.ingest import FORMATS, sniff
from plnanalytics.ingest.base import ReadLog, read_head
from plnanalytics.ingest.tags import TagsReader

HEADER = ["id_str", "from_user", "text", "created_at", "time", "geo_coordinates", "user_lang",
          "in_reply_to_user_id_str", "in_reply_to_screen_name", "from_user_id_str",
          "in_reply_to_status_id_str", "source", "profile_image_url", "user_followers_count",
          "user_friends_count", "user_location", "status_url", "entities_str"]


def entities(mentions=(), hashtags=()) -> str:
    return json.dumps({
        "hashtags": [{"text": h, "indices": [0, 1]} for h in hashtags],
        "symbols": [],
        "user_mentions": [{"screen_name": n, "name": n.title(), "id": int(i), "id_str": i,
                           "indices": [0, 1]} for n, i in mentions],
        "urls": []})


def tweet(tid: str, user: str, uid: str, text: str, **fields: str) -> dict[str, str]:
    row = dict.fromkeys(HEADER, "NA")
    row.update(id_str=tid, from_user=user, from_user_id_str=uid, text=text,
               created_at="Sun Apr 19 19:22:23 +0000 2020", time="2020-04-19T20:22:23Z",
               status_url=f"http://twitter.com/{user}/statuses/{tid}",
               entities_str=entities())
    row.update(fields)
    return row


def write(path: Path, rows: list[dict[str, str]], header: list[str] = HEADER) -> Path:
    return write_csv(path, rows, header, missing="NA")


def read(path: Path, **kw) -> tuple[list, list, dict, ReadLog]:
    reader = TagsReader(path)
    reader.batch_rows = 2
    return collect_rows(reader, ReadLog(str(path), **kw))


# -- real exports ------------------------------------------------------------------------------
def _real_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_real_sample_data(realdata: Path, store) -> None:
    path = realdata / "tags-aect19" / "sample-data.csv"
    rows = _real_rows(path)
    report = store.ingest(path)
    assert report.format == "tags"
    assert report.records == len(rows) and report.rejected == 0

    posts = store.table("posts").set_index("post_id")
    ids = [r["status_url"].rsplit("/", 1)[1] for r in rows]
    assert sorted(posts.index) == sorted(ids)
    for r, tid in zip(rows, ids, strict=True):
        p = posts.loc[tid]
        assert p["author"] == "x:" + r["from_user_id_str"]
        # created_at, never the sheet-local `time` column (an hour off in this file)
        assert p["created_at"] == parsedate_to_datetime(r["created_at"])
        assert p["post_type"] == ("retweet" if r["text"].startswith("RT @") else "post")
        assert p["repost_of"] is None  # TAGS does not give the original's id
    assert any(r["time"][11:16] != parsedate_to_datetime(r["created_at"]).strftime("%H:%M")
               for r in rows)

    # retweet edges: retweeter -> the user_mentions entry named after "RT @"
    expected_rt = set()
    expected_mentions = set()
    for r, tid in zip(rows, ids, strict=True):
        ents = json.loads(r["entities_str"])
        if r["text"].startswith("RT @"):
            name = r["text"][4:].split(":", 1)[0].lower()
            orig = next(m["id_str"] for m in ents["user_mentions"]
                        if m["screen_name"].lower() == name)
            expected_rt.add(("x:" + r["from_user_id_str"], "x:" + orig, tid))
        else:
            expected_mentions |= {("x:" + r["from_user_id_str"], "x:" + m["id_str"], tid)
                                  for m in ents["user_mentions"]
                                  if m["id_str"] != r["from_user_id_str"]}
    edges = store.table("interactions")
    got = {k: {(e.src, e.dst, e.post_id) for e in edges.itertuples() if e.kind == k}
           for k in set(edges["kind"])}
    assert got.pop("retweet") == expected_rt
    assert got.pop("mention", set()) == expected_mentions
    assert got == {}

    # profiles: the latest observation of each author wins
    accounts = store.table("accounts").set_index("account")
    latest: dict[str, dict[str, str]] = {}
    for r in sorted(rows, key=lambda r: parsedate_to_datetime(r["created_at"])):
        latest["x:" + r["from_user_id_str"]] = r
    for key, r in latest.items():
        a = accounts.loc[key]
        assert a["handle"] == r["from_user"]
        followers = r["user_followers_count"]
        assert (pd.isna(a["followers_count"]) if followers == "NA"
                else a["followers_count"] == int(followers))
    assert len(latest) < len(rows)  # an author tweeting twice, with changing counts


def test_real_re_collection_is_stored_once(realdata: Path, store) -> None:
    data = realdata / "tags-aect19" / "sample-data.csv"
    one = realdata / "tags-aect19" / "sample-tweet.csv"
    ids_data = {r["status_url"].rsplit("/", 1)[1] for r in _real_rows(data)}
    ids_one = [r["status_url"].rsplit("/", 1)[1] for r in _real_rows(one)]
    store.ingest(data)
    report = store.ingest(one)
    overlap = sum(t in ids_data for t in ids_one)
    assert overlap == 1  # the single tweet of sample-tweet.csv was collected again
    assert report.records == len(ids_one)
    assert report.duplicates == overlap and report.kept == len(ids_one) - overlap
    assert store.counts()["posts"] == len(ids_data | set(ids_one))


def test_sniff_real_files(realdata: Path) -> None:
    for f in sorted(realdata.rglob("*")):
        if not f.is_file():
            continue
        claimed = TagsReader.sniff(f, read_head(f))
        assert claimed == (f.parent.name == "tags-aect19" and f.suffix == ".csv"), f


def test_sniff_registry(realdata: Path, tmp_path: Path) -> None:
    for module in FORMATS.values():  # other readers may not be written yet
        pytest.importorskip(f"plnanalytics.ingest.{module.split(':')[0]}")
    assert sniff(realdata / "tags-aect19" / "sample-data.csv") == "tags"
    assert sniff(write(tmp_path / "a.csv", [tweet("5", "ann", "10", "hi")])) == "tags"
    assert sniff(realdata / "twarc2-brexit" / "brexit.twarc-csv.csv") != "tags"


# -- synthetic ---------------------------------------------------------------------------------
def test_ids_from_status_url_not_rounded_id_str(tmp_path: Path) -> None:
    rows = [
        tweet("1251954312772812801", "ann", "10", "a", id_str="1.25195E+18"),
        tweet("1251954312772812802", "ann", "10", "b",
              status_url="https://twitter.com/ann/status/1251954312772812802?s=20"),
        tweet("1251954312772812803", "ann", "10", "c", status_url="NA"),  # id_str fallback
        tweet("x", "ann", "10", "d", id_str="1.2E+18", status_url=""),  # neither: rejected
    ]
    posts, _, _, log = read(write(tmp_path / "t.csv", rows))
    assert [p[0] for p in posts] == ["1251954312772812801", "1251954312772812802",
                                     "1251954312772812803"]
    assert log.records == 3 and log.rejected == 1
    assert log.rejects[0].line == 5 and "no tweet id" in log.rejects[0].reason


def test_retweet_reply_mention_semantics(tmp_path: Path) -> None:
    rows = [
        # retweet: original author from user_mentions, case-insensitive; other mentions dropped
        tweet("1", "bo", "11", "RT @ANN: hi @cy #AECT19",
              entities_str=entities([("ann", "10"), ("cy", "12")], ["AECT19"])),
        # reply: the replied-to account is not counted again as a mention
        tweet("2", "cy", "12", "@ann @bo yes", in_reply_to_user_id_str="10",
              in_reply_to_screen_name="ann", in_reply_to_status_id_str="1",
              entities_str=entities([("ann", "10"), ("bo", "11")])),
        # retweet whose original author is not among the mentions: post kept, no tie, noted
        tweet("3", "dee", "13", "RT @gone: bye", entities_str=entities()),
    ]
    posts, edges, accounts, log = read(write(tmp_path / "t.csv", rows))
    assert [(p[0], p[6], p[7], p[9]) for p in posts] == [
        ("1", "retweet", None, None), ("2", "reply", "1", None), ("3", "retweet", None, None)]
    assert [(e[1], e[2], e[3], e[7]) for e in edges] == [
        ("retweet", "x:11", "x:10", "1"), ("reply", "x:12", "x:10", "2"),
        ("mention", "x:12", "x:11", "2")]
    assert posts[0][11] == ["#aect19"]
    assert log.notes == {"retweets whose original author is unknown (no tie drawn)": 1}
    assert accounts["x:10"][2] == "ann"  # handle of a mentioned account


def test_missing_values_and_no_entities(tmp_path: Path) -> None:
    rows = [tweet("1", "ann", "10", "hi @bo #NAESPchat and #1 #Lead_2",
                  entities_str="", user_followers_count="", user_friends_count="NA",
                  user_location="Ohio", in_reply_to_user_id_str="")]
    posts, edges, accounts, log = read(write(tmp_path / "t.csv", rows))
    assert posts[0][6] == "post" and posts[0][11] == ["#lead_2", "#naespchat"]
    assert edges == []
    acct = accounts["x:10"]
    assert acct[6:9] == ("Ohio", None, None)
    assert str(acct[12]) == "2020-04-19 19:22:23+00:00"  # profile seen when the tweet was made
    assert sum(log.notes.values()) == 1 and "entities_str" in next(iter(log.notes))


def test_duplicate_rows_are_stored_once(tmp_path: Path, store) -> None:
    rows = [tweet("1", "ann", "10", "@bo hi", entities_str=entities([("bo", "11")])),
            tweet("2", "bo", "11", "hello")]
    path = write(tmp_path / "t.csv", [*rows, rows[0]])
    report = store.ingest(path, format="tags")
    assert (report.records, report.kept, report.duplicates) == (3, 2, 1)
    assert store.counts()["interactions"] == 1


def test_bad_rows_are_rejected_with_line_and_reason(tmp_path: Path, store) -> None:
    good = tweet("1", "ann", "10", "two\nlines")  # a record spanning lines 2-3
    path = write(tmp_path / "t.csv", [
        good,
        tweet("2", "ann", "10", "bad time", created_at="19/04/2020 19:22"),  # line 4
        tweet("3", "ann", "NA", "no author"),  # line 5
        tweet("4", "ann", "10", "bad json", entities_str="{\"hashtags\": ["),  # line 6
    ])
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("5,ann,too few fields\n")  # line 7
    report = store.ingest(path, format="tags")
    assert report.records == 1 and report.kept == 1 and report.rejected == 4
    lines = {r.line: r.reason for r in report.rejects}
    assert sorted(lines) == [4, 5, 6, 7]
    assert "created_at" in lines[4]
    assert "from_user_id_str" in lines[5]
    assert "entities_str" in lines[6]
    assert "3 fields, expected 18" in lines[7]
    assert list(store.rejects()["line"]) == [4, 5, 6, 7]


def test_strict_leaves_store_unchanged(tmp_path: Path, store) -> None:
    store.ingest(write(tmp_path / "ok.csv", [tweet("9", "ann", "10", "first")]))
    before = store.counts()
    path = write(tmp_path / "t.csv", [tweet("1", "bo", "11", "fine"),
                                      tweet("2", "bo", "11", "x", created_at="yesterday")])
    with pytest.raises(RecordError) as err:
        store.ingest(path, format="tags", strict=True)
    assert err.value.line == 3 and "created_at" in err.value.reason
    assert store.counts() == before


def test_missing_columns_is_a_format_error(tmp_path: Path, store) -> None:
    header = [c for c in HEADER if c not in ("status_url", "from_user_id_str")]
    path = write(tmp_path / "t.csv", [tweet("1", "ann", "10", "hi")], header=header)
    with pytest.raises(FormatError, match=r"t\.csv.*status_url, from_user_id_str"):
        store.ingest(path, format="tags")
    assert sum(store.counts().values()) == 0
    empty = tmp_path / "empty.csv"
    empty.write_text("\n\n", encoding="utf-8")
    with pytest.raises(FormatError, match="no header"):
        read(empty)


def test_not_utf8_is_a_format_error(tmp_path: Path, store) -> None:
    path = write(tmp_path / "t.csv", [tweet("1", "ann", "10", "hi")])
    path.write_bytes(path.read_bytes().replace(b"hi", "caf\u00e9".encode("latin-1")))
    with pytest.raises(FormatError, match=r"t\.csv: not UTF-8"):
        store.ingest(path, format="tags")
    assert sum(store.counts().values()) == 0


def test_gzip_batches_and_progress(tmp_path: Path) -> None:
    rows = [tweet(str(i), "ann", "10", f"post {i}") for i in range(1, 8)]
    plain = write(tmp_path / "t.csv", rows)
    gz = tmp_path / "t.csv.gz"
    gz.write_bytes(gzip.compress(plain.read_bytes()))
    calls: list[tuple[int, int]] = []
    log = ReadLog(str(gz), progress=lambda done, total: calls.append((done, total)))
    reader = TagsReader(gz)
    reader.batch_rows = 3
    sizes = [len(b.rows["posts"]) for b in reader.batches(log)]
    assert sizes == [3, 3, 1] and log.records == 7
    assert calls[-1] == (gz.stat().st_size, gz.stat().st_size) and len(calls) == 3
    assert TagsReader.sniff(gz, read_head(gz))


def test_format_module_is_registered() -> None:
    module, cls = FORMATS["tags"].split(":")
    assert getattr(importlib.import_module(f"plnanalytics.ingest.{module}"), cls) is TagsReader
