"""Store: opening, idempotent add, provenance, accounts merge, reading, info, export, sql.

Ingest of each format is covered in tests/ingest/; this file covers the store itself.
"""

from __future__ import annotations

import csv
import itertools
import json
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from conftest import SAMPLE

from plnanalytics import Dataset, Store, StoreError
from plnanalytics.schema import TABLES

NAMES = ["posts", "interactions", "accounts", "people", "identities", "memberships"]
UTC = "UTC"


def post(pid: str, *, author: str = "x:1", at: str = "2024-01-09T20:00:00Z", text: str = "",
         platform: str = "x", **kw: object) -> dict:
    return {"post_id": pid, "platform": platform, "author": author, "created_at": at,
            "text": text, **kw}


def tie(pid: str, dst: str, *, kind: str = "mention", src: str = "x:1", platform: str = "x",
        **kw: object) -> dict:
    return {"platform": platform, "kind": kind, "src": src, "dst": dst, "post_id": pid,
            "ts": "2024-01-09T20:00:00Z", **kw}


def rows(frame: pd.DataFrame) -> list[dict]:
    """Records without the ingest id, comparable across stores."""
    return frame.drop(columns="ingest_id").to_dict("records")


# -- opening ------------------------------------------------------------------------------

def test_a_new_file_is_created_with_the_tables(tmp_path: Path) -> None:
    path = tmp_path / "new.duckdb"
    with Store(path) as store:
        assert path.is_file()
        names = set(store.sql("SELECT table_name FROM information_schema.tables").table_name)
        assert names >= {*NAMES, "ingests", "rejects", "pln_meta"}
        assert store.counts() == dict.fromkeys(NAMES, 0)
        for name in NAMES:
            assert list(store.table(name).columns) == TABLES[name].names
        assert store.ingests().empty and store.rejects().empty
        assert repr(store) == f"Store({str(path)!r})"


def test_reopening_keeps_the_data(tmp_path: Path) -> None:
    path = tmp_path / "p.duckdb"
    ds = Dataset.from_records(posts=[post("1", text="hello")], interactions=[tie("1", "x:2")])
    with Store(path) as store:
        store.add(ds)
        posts = store.table("posts")
    with Store(path) as again:
        assert again.counts()["posts"] == 1 and again.counts()["interactions"] == 1
        again.add(Dataset.from_records(posts=[post("2")]))
    with Store(path, read_only=True) as ro:
        assert ro.counts()["posts"] == 2
        assert rows(ro.table("posts").iloc[:1]) == rows(posts)
        assert ro.ingests().ingest_id.tolist() == [1, 2]


def test_read_only_on_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.duckdb"
    with pytest.raises(StoreError, match=r"absent.duckdb: no such store"):
        Store(path, read_only=True)
    assert not path.exists()


def test_a_file_that_is_not_duckdb(tmp_path: Path) -> None:
    path = tmp_path / "x.duckdb"
    path.write_text("name,school\nAnn,Lincoln\n")
    for read_only in (False, True):
        with pytest.raises(StoreError) as exc:
            Store(path, read_only=read_only)
        msg = str(exc.value)
        assert msg.startswith(f"{path}: cannot open as a DuckDB store (")
        assert "Traceback" not in msg and "\n" not in msg
    assert path.read_text() == "name,school\nAnn,Lincoln\n"  # not overwritten


def test_a_duckdb_file_that_is_not_a_store(tmp_path: Path) -> None:
    path = tmp_path / "other.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE t (a INTEGER)")
    con.close()
    with pytest.raises(StoreError, match="a DuckDB file, but not a plnanalytics store"):
        Store(path, read_only=True)


def test_a_store_from_a_newer_version(tmp_path: Path) -> None:
    path = tmp_path / "p.duckdb"
    Store(path).close()
    con = duckdb.connect(str(path))
    con.execute("UPDATE pln_meta SET value = '99' WHERE key = 'schema_version'")
    con.close()
    with pytest.raises(StoreError, match=r"made by a newer plnanalytics \(layout 99\)"):
        Store(path)


def test_a_folder_that_does_not_exist(tmp_path: Path) -> None:
    path = tmp_path / "nope" / "p.duckdb"
    with pytest.raises(StoreError, match=rf"folder {tmp_path / 'nope'} does not exist"):
        Store(path)
    assert not (tmp_path / "nope").exists()


# -- add: idempotent upsert and provenance -----------------------------------------------

def test_add_is_idempotent(store: Store) -> None:
    ds = Dataset.from_records(
        posts=[post("1"), post("2"), post("3")],
        interactions=[tie("1", "x:2"), tie("1", "x:3"), tie("2", "x:2", kind="reply")],
        accounts=[{"account": "x:1", "platform": "x"}])
    first = store.add(ds)
    assert (first.records, first.kept, first.duplicates, first.rejected) == (3, 3, 0, 0)
    counts = store.counts()
    tables = {n: rows(store.table(n)) for n in NAMES}
    second = store.add(ds)
    assert (second.records, second.kept, second.duplicates) == (3, 0, 3)
    assert second.added == dict.fromkeys(NAMES, 0)
    assert store.counts() == counts
    assert {n: rows(store.table(n)) for n in NAMES} == tables


def test_the_keys_of_posts_and_interactions(store: Store) -> None:
    store.add(Dataset.from_records(posts=[post("1", text="first")],
                                   interactions=[tie("1", "x:2", src="x:1")]))
    report = store.add(Dataset.from_records(
        posts=[post("1", text="changed"),                    # same key: not stored again
               post("1", platform="mastodon", author="mastodon:a@b.social")],  # other platform
        interactions=[
            tie("1", "x:2", src="x:9"),                      # same key: the first one stays
            tie("1", "x:2", kind="reply"),                   # another kind
            tie("1", "x:3"),                                 # another target
            tie("2", "x:2"),                                 # another post
            tie("1", "mastodon:x", platform="mastodon")]))   # another platform
    assert report.added["posts"] == 1 and report.added["interactions"] == 4
    posts = store.table("posts")
    assert posts.set_index(["platform", "post_id"]).loc[("x", "1"), "text"] == "first"
    inter = store.table("interactions")
    keyed = inter.set_index(["platform", "post_id", "kind", "dst"])
    assert keyed.loc[("x", "1", "mention", "x:2"), "src"] == "x:1"
    assert len(inter) == 5 and not keyed.index.duplicated().any()


def test_overlapping_datasets_add_only_the_new_rows(store: Store) -> None:
    a = Dataset.from_records(posts=[post(str(i)) for i in (1, 2, 3)],
                             interactions=[tie(str(i), "x:2") for i in (1, 2, 3)])
    b = Dataset.from_records(posts=[post(str(i)) for i in (2, 3, 4, 5)],
                             interactions=[tie(str(i), "x:2") for i in (2, 3, 4, 5)])
    store.add(a, source="a")
    report = store.add(b, source="b")
    assert (report.records, report.kept, report.duplicates) == (4, 2, 2)
    assert report.added["posts"] == 2 and report.added["interactions"] == 2
    assert sorted(store.table("posts").post_id) == ["1", "2", "3", "4", "5"]
    ingest_of = dict(zip(store.table("posts").post_id, store.table("posts").ingest_id,
                         strict=True))
    assert ingest_of == {"1": 1, "2": 1, "3": 1, "4": 2, "5": 2}


def test_provenance_rows(store: Store) -> None:
    store.add(Dataset.from_records(
        posts=[post("1"), post("2")], interactions=[tie("1", "x:2")],
        accounts=[{"account": "x:1", "platform": "x"}, {"account": "x:2", "platform": "x"}],
        people=[{"person_id": "P1"}], identities=[{"account": "x:1", "person_id": "P1"}],
        memberships=[{"member": "P1", "group": "PLC"}]), source="roster+chat")
    store.add(Dataset.from_records(posts=[post("2"), post("3")],
                                   interactions=[tie("1", "x:2"), tie("3", "x:1")]),
              source="more")
    store.add(Dataset.from_records(interactions=[tie("9", "x:5"), tie("9", "x:6")]),
              source="ties")
    ing = store.ingests()
    assert ing.ingest_id.tolist() == [1, 2, 3]
    assert ing.path.tolist() == ["roster+chat", "more", "ties"]
    assert (ing.format == "dataset").all()
    assert ing.unit.tolist() == ["posts", "posts", "rows"]
    counts = ["records", "kept", "duplicates", "rejected"]
    assert ing[counts].values.tolist() == [[2, 2, 0, 0], [2, 1, 1, 0], [2, 2, 0, 0]]
    added = [f"{n}_added" for n in NAMES]
    assert ing[added].values.tolist() == [[2, 1, 2, 1, 1, 1], [1, 1, 0, 0, 0, 0],
                                          [0, 2, 0, 0, 0, 0]]
    assert (ing.finished_at >= ing.started_at).all()
    assert str(ing.started_at.dt.tz) == UTC


# -- accounts: the latest observation wins ----------------------------------------------

OLD = {"account": "x:1", "platform": "x", "handle": "old_handle", "display_name": "Old Name",
       "location": "Paris", "followers_count": 10, "profile_seen_at": "2024-01-01T00:00:00Z"}
NEW = {"account": "x:1", "platform": "x", "handle": "new_handle", "display_name": None,
       "description": "Principal, Lincoln MS", "followers_count": 25,
       "profile_seen_at": "2024-06-01T12:00:00Z"}
UNDATED = {"account": "x:1", "platform": "x", "handle": "undated", "following_count": 7,
           "location": "Nowhere"}
MERGED = {"account": "x:1", "platform": "x", "handle": "new_handle", "display_name": "Old Name",
          "description": "Principal, Lincoln MS", "location": "Paris", "followers_count": 25,
          "profile_seen_at": pd.Timestamp("2024-06-01 12:00", tz="UTC")}


def account_row(store: Store) -> dict:
    frame = store.table("accounts")
    assert frame.account.tolist() == ["x:1"]
    row = rows(frame)[0]
    return {k: (None if v is pd.NA else v) for k, v in row.items()}


@pytest.mark.parametrize("order", [["OLD", "NEW"], ["NEW", "OLD"]])
def test_latest_profile_wins_in_either_order(store: Store, order: list[str]) -> None:
    obs = {"OLD": OLD, "NEW": NEW}
    for name in order:
        store.add(Dataset.from_records(accounts=[obs[name]]), source=name)
    got = account_row(store)
    assert {k: got[k] for k in MERGED} == MERGED
    assert got["following_count"] is None and got["verified"] is None


@pytest.mark.parametrize("records", [[OLD, NEW], [NEW, OLD]])
def test_latest_profile_wins_within_one_dataset(store: Store, records: list[dict]) -> None:
    report = store.add(Dataset.from_records(accounts=records))
    assert report.added["accounts"] == 1
    got = account_row(store)
    assert {k: got[k] for k in MERGED} == MERGED


@pytest.mark.parametrize("order", [["OLD", "NEW", "UNDATED"], ["NEW", "OLD", "UNDATED"]])
def test_an_undated_observation_only_fills_gaps(store: Store, order: list[str]) -> None:
    obs = {"OLD": OLD, "NEW": NEW, "UNDATED": UNDATED}
    for name in order:
        store.add(Dataset.from_records(accounts=[obs[name]]))
    got = account_row(store)
    assert {k: got[k] for k in MERGED} == MERGED
    assert got["following_count"] == 7


def test_each_field_takes_its_latest_known_value_in_any_order(tmp_path: Path) -> None:
    jan = {"account": "x:1", "platform": "x", "location": "Paris",
           "profile_seen_at": "2024-01-01T00:00:00Z"}
    mar = {"account": "x:1", "platform": "x", "location": "Lyon",
           "profile_seen_at": "2024-03-01T00:00:00Z"}
    jun = {"account": "x:1", "platform": "x", "handle": "ann",
           "profile_seen_at": "2024-06-01T00:00:00Z"}
    results = {}
    for i, order in enumerate(itertools.permutations([jan, mar, jun])):
        with Store(tmp_path / f"{i}.duckdb") as s:
            for obs in order:
                s.add(Dataset.from_records(accounts=[obs]))
            row = s.table("accounts").iloc[0]
            results[i] = (row.handle, row.location)
    # Lyon (March) is the latest known location, whatever the order of ingests
    assert set(results.values()) == {("ann", "Lyon")}


# -- reading ------------------------------------------------------------------------------

def test_table_types(store: Store) -> None:
    store.add(Dataset.from_records(
        posts=[post("1", at="2024-01-09T15:00:00-05:00", contexts=["#a", "#b"]),
               post("2", text=None)],
        accounts=[{"account": "x:1", "platform": "x", "followers_count": 3, "verified": True},
                  {"account": "x:2", "platform": "x"}]))
    posts = store.table("posts")
    assert str(posts.created_at.dtype.tz) == UTC
    assert posts.created_at.tolist() == [pd.Timestamp("2024-01-09 20:00", tz="UTC")] * 2
    assert posts.contexts.tolist() == [["#a", "#b"], []]
    assert all(type(v) is list for v in posts.contexts)
    assert posts.text.tolist() == ["", None]
    assert posts.ingest_id.dtype == "Int64"
    acc = store.table("accounts")
    assert acc.followers_count.dtype == "Int64" and acc.following_count.dtype == "Int64"
    assert acc.followers_count.tolist()[0] == 3 and pd.isna(acc.followers_count[1])
    assert acc.verified.dtype == "boolean"
    with pytest.raises(StoreError, match="unknown table 'tweets'"):
        store.table("tweets")


def test_dataset_round_trips(store: Store) -> None:
    ds = Dataset.from_records(
        posts=[post("2", text="b", contexts=["#x"], lang="en"),
               post("1", text="a", at="2024-01-10T01:02:03.456Z", parent_post_id="2")],
        interactions=[tie("1", "x:2", weight=2.5, context="#x"), tie("2", "x:3", weight=1)],
        accounts=[{"account": "x:1", "platform": "x", "handle": "ann", "followers_count": 5,
                   "verified": False, "profile_seen_at": "2024-01-01T00:00:00Z"}],
        people=[{"person_id": "P1", "name": "Ann", "email": "ann@example.org"}],
        identities=[{"account": "x:1", "person_id": "P1", "method": "email",
                     "confidence": 0.9}],
        memberships=[{"member": "P1", "group": "PLC-A", "role": "facilitator",
                      "since": "2024-01-01T00:00:00Z"}])
    store.add(ds)
    back = store.dataset()
    assert isinstance(back, Dataset) and back.counts() == ds.counts()
    for name, spec in TABLES.items():
        key = list(spec.key)
        want = getattr(ds, name).drop(columns="ingest_id").sort_values(key)
        got = getattr(back, name).drop(columns="ingest_id").sort_values(key)
        pd.testing.assert_frame_equal(got.reset_index(drop=True), want.reset_index(drop=True),
                                      check_dtype=True, obj=name)
        assert (getattr(back, name).ingest_id == 1).all()


def test_info(store: Store, tmp_path: Path) -> None:
    store.add(Dataset.from_records(
        posts=[post("1", at="2024-01-03T10:00:00Z", contexts=["#naespchat", "#edchat"]),
               post("2", at="2024-01-01T09:30:00-05:00", contexts=["#naespchat"]),
               post("3", at="2024-01-02T00:00:00Z", contexts=["#edchat", "#principallife"]),
               post("9", platform="mastodon", author="mastodon:a@b.social",
                    at="2024-01-05T00:00:00Z", contexts=["#naespchat"])],
        interactions=[tie("1", "x:3", kind="reply", src="x:1"),
                      tie("2", "x:3", kind="reply", src="x:2"),
                      tie("3", "x:4", src="x:2")],
        accounts=[{"account": "x:1", "platform": "x"}, {"account": "x:2", "platform": "x"}]))
    junk = tmp_path / "junk.jsonl"
    junk.write_text('{"hello": "world"}\n{"not": "a page"}\n')
    assert store.ingest(junk, format="twarc2").rejected == 2
    info = store.info()
    assert info.path == str(store.path)
    assert info.counts == {"posts": 4, "interactions": 3, "accounts": 2, "people": 0,
                           "identities": 0, "memberships": 0}
    assert info.platforms.to_dict("records") == [
        {"platform": "x", "posts": 3, "accounts": 2, "interactions": 3},
        {"platform": "mastodon", "posts": 1, "accounts": 0, "interactions": 0}]
    assert info.kinds.to_dict("records") == [
        {"kind": "reply", "interactions": 2, "sources": 2, "targets": 1},
        {"kind": "mention", "interactions": 1, "sources": 1, "targets": 1}]
    assert info.first_post == pd.Timestamp("2024-01-01 14:30", tz="UTC")
    assert info.last_post == pd.Timestamp("2024-01-05 00:00", tz="UTC")
    assert str(info.first_post.tz) == UTC
    assert info.top_contexts.to_dict("records") == [
        {"context": "#naespchat", "posts": 3}, {"context": "#edchat", "posts": 2},
        {"context": "#principallife", "posts": 1}]
    assert store.info(top=1).top_contexts.context.tolist() == ["#naespchat"]
    assert info.rejected == 2
    assert info.ingests.format.tolist() == ["dataset", "twarc2"]


def test_info_on_an_empty_store(store: Store) -> None:
    info = store.info()
    assert info.counts == dict.fromkeys(NAMES, 0)
    assert info.first_post is None and info.last_post is None
    assert info.platforms.empty and info.kinds.empty and info.top_contexts.empty
    assert info.rejected == 0 and info.ingests.empty


# -- export -------------------------------------------------------------------------------

def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def files(folder: Path) -> list[str]:
    """Files in a folder, leaving out the store and its write-ahead log."""
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("project.duckdb"))


@pytest.fixture
def filled(store: Store) -> Store:
    store.add(Dataset.from_records(
        posts=[post("1", text="=HYPERLINK(\"http://evil.example\")", contexts=["#a", "#b"]),
               post("2", text="+1 agreed"), post("3", text="-2 degrees, \"cold\"\nout"),
               post("4", text="@here see this"), post("5", text="\tindented"),
               post("6", text="<script>alert(1)</script>"), post("7", text="2 = 1 + 1"),
               post("8", text=None, at="2024-01-09T15:00:00-05:00")],
        interactions=[tie("1", "x:2", weight=2.5, context="#a #b"),
                      tie("2", "x:3", kind="reply", context="=cmd")],
        accounts=[{"account": "x:1", "platform": "x", "display_name": "=1+2"}]))
    return store


def test_export_interactions_csv_has_exactly_the_design_columns(filled: Store,
                                                                tmp_path: Path) -> None:
    out = tmp_path / "ties.csv"
    assert filled.export("interactions", out) == 2
    header, data = read_csv(out)
    assert header == ["platform", "kind", "src", "dst", "ts", "weight", "context", "post_id"]
    assert data[0] == {"platform": "x", "kind": "mention", "src": "x:1", "dst": "x:2",
                       "ts": "2024-01-09T20:00:00Z", "weight": "2.5", "context": "#a #b",
                       "post_id": "1"}
    assert data[1]["context"] == "'=cmd" and data[1]["weight"] == "1.0"


def test_export_posts_csv(filled: Store, tmp_path: Path) -> None:
    out = tmp_path / "posts.csv"
    assert filled.export("posts", out) == 8
    header, data = read_csv(out)
    assert header[:5] == ["post_id", "platform", "author", "created_at", "text"]
    assert "contexts" in header and "ingest_id" not in header
    by_id = {r["post_id"]: r for r in data}
    assert by_id["1"]["contexts"] == "#a #b"
    assert by_id["8"]["created_at"] == "2024-01-09T20:00:00Z"
    assert by_id["8"]["text"] == ""


def test_csv_guards_cells_a_spreadsheet_would_run(filled: Store, tmp_path: Path) -> None:
    out = tmp_path / "posts.csv"
    filled.export("posts", out)
    text = {r["post_id"]: r["text"] for r in read_csv(out)[1]}
    assert text == {"1": "'=HYPERLINK(\"http://evil.example\")", "2": "'+1 agreed",
                    "3": "'-2 degrees, \"cold\"\nout", "4": "'@here see this",
                    "5": "'\tindented", "6": "<script>alert(1)</script>", "7": "2 = 1 + 1",
                    "8": ""}
    filled.export("accounts", tmp_path / "acc.csv")
    assert read_csv(tmp_path / "acc.csv")[1][0]["display_name"] == "'=1+2"
    raw = tmp_path / "raw.csv"
    filled.export("posts", raw, guard_formulas=False)
    raw_text = {r["post_id"]: r["text"] for r in read_csv(raw)[1]}
    assert raw_text["1"] == "=HYPERLINK(\"http://evil.example\")"
    assert raw_text["2"] == "+1 agreed" and raw_text["4"] == "@here see this"
    assert raw_text["6"] == "<script>alert(1)</script>"


def test_export_parquet_keeps_types(filled: Store, tmp_path: Path) -> None:
    out = tmp_path / "posts.parquet"
    assert filled.export("posts", out) == 8
    back = pd.read_parquet(out)
    assert list(back.columns) == [c for c in TABLES["posts"].names if c != "ingest_id"]
    assert str(back.created_at.dtype.tz) == UTC
    by_id = back.set_index("post_id")
    assert by_id.loc["8", "created_at"] == pd.Timestamp("2024-01-09 20:00", tz="UTC")
    ctx = by_id.loc["1", "contexts"]
    assert isinstance(ctx, list | np.ndarray) and list(ctx) == ["#a", "#b"]
    assert list(by_id.loc["2", "contexts"]) == []
    assert by_id.loc["1", "text"] == "=HYPERLINK(\"http://evil.example\")"  # no guard in Parquet
    filled.export("interactions", tmp_path / "ties.parquet")
    ties = pd.read_parquet(tmp_path / "ties.parquet")
    assert ties.weight.dtype == "float64" and ties.weight.tolist() == [2.5, 1.0]
    assert str(ties.ts.dtype.tz) == UTC


def test_export_refuses_bad_names(filled: Store, tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"x.xlsx: expected a .csv or .parquet file name"):
        filled.export("posts", tmp_path / "x.xlsx")
    with pytest.raises(StoreError, match=r"does not exist"):
        filled.export("posts", tmp_path / "missing" / "x.csv")
    with pytest.raises(StoreError, match="unknown table 'edges'"):
        filled.export("edges", tmp_path / "x.csv")
    assert files(tmp_path) == []


def test_export_to_an_odd_folder_name(filled: Store, tmp_path: Path) -> None:
    folder = tmp_path / "o'brien's exports"
    folder.mkdir()
    assert filled.export("interactions", folder / "TIES.CSV") == 2
    assert len(read_csv(folder / "TIES.CSV")[1]) == 2


def test_failed_export_leaves_nothing_half_written(filled: Store, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "posts.csv"
    out.write_text("previous export\n")

    def fail(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("plnanalytics.store.os.replace", fail)
    with pytest.raises(StoreError, match=r"posts.csv: cannot write \(disk full\)"):
        filled.export("posts", out)
    assert out.read_text() == "previous export\n"
    assert files(tmp_path) == ["posts.csv"]


def test_export_onto_a_folder_fails_cleanly(filled: Store, tmp_path: Path) -> None:
    (tmp_path / "posts.parquet").mkdir()
    with pytest.raises(StoreError, match="cannot write"):
        filled.export("posts", tmp_path / "posts.parquet")
    assert (tmp_path / "posts.parquet").is_dir()
    assert not (tmp_path / "posts.parquet.part").exists()


# -- sql ----------------------------------------------------------------------------------

def test_sql(filled: Store) -> None:
    frame = filled.sql("SELECT kind, count(*) AS n FROM interactions GROUP BY kind ORDER BY kind")
    assert frame.to_dict("records") == [{"kind": "mention", "n": 1}, {"kind": "reply", "n": 1}]
    one = filled.sql("SELECT post_id FROM posts WHERE text = ?", ["+1 agreed"])
    assert one.post_id.tolist() == ["2"]
    with pytest.raises(StoreError, match=r"^query failed: .*no_such_table"):
        filled.sql("SELECT * FROM no_such_table")
    with pytest.raises(StoreError, match=r"^query failed: "):
        filled.sql("SELEKT 1")


# -- several real formats into one store --------------------------------------------------

def _real_ids(realdata: Path) -> dict[str, set[str]]:
    """Post ids of each file, read straight from the files."""
    brexit = realdata / "twarc2-brexit"
    jsonl = {t["id"] for line in (brexit / "brexit.jsonl").read_text().splitlines()
             for t in json.loads(line)["data"]}
    with (brexit / "brexit.twarc-csv.csv").open(newline="", encoding="utf-8") as fh:
        twarc_csv = {r["id"] for r in csv.DictReader(fh)}
    v1_path = realdata / "twitter-v1-aect" / "aect_v1_statuses_lookup.jsonl"
    v1 = {json.loads(line)["id_str"] for line in v1_path.read_text().splitlines() if line}
    with (realdata / "tags-aect19" / "sample-data.csv").open(newline="", encoding="utf-8") as fh:
        tags = {r["status_url"].rstrip("/").rsplit("/", 1)[1] for r in csv.DictReader(fh)}
    return {"twarc2": jsonl, "twarc-csv": twarc_csv, "twitter-v1": v1, "tags": tags}


@pytest.mark.realdata
def test_several_real_formats_keep_one_row_per_post(realdata: Path, store: Store) -> None:
    ids = _real_ids(realdata)
    assert len(ids["twarc2"]) == 100 and ids["twarc-csv"] == ids["twarc2"]
    files = [("twarc2-brexit/brexit.jsonl", "twarc2"),
             ("twitter-v1-aect/aect_v1_statuses_lookup.jsonl", "twitter-v1"),
             ("tags-aect19/sample-data.csv", "tags"),
             ("twarc2-brexit/brexit.twarc-csv.csv", "twarc-csv")]
    seen: set[str] = set()
    for rel, fmt in files:
        report = store.ingest(realdata / rel)
        assert report.format == fmt and report.rejected == 0
        assert report.kept == len(ids[fmt] - seen), rel
        seen |= ids[fmt]
    posts = store.table("posts")
    assert set(posts.post_id) == seen
    assert len(posts) == len(seen) and (posts.platform == "x").all()
    ing = store.ingests().set_index("format")
    # the CSV holds the same 100 tweets as the JSONL: nothing new, not 200 posts
    assert ing.loc["twarc-csv", "posts_added"] == 0
    assert ing.loc["twarc-csv", "duplicates"] == 100
    assert ing.loc["twarc-csv", "interactions_added"] == 0
    assert not store.table("interactions").duplicated(
        ["platform", "post_id", "kind", "dst"]).any()
    assert not store.table("accounts").account.duplicated().any()


def test_a_store_made_before_the_email_column_gets_it(tmp_path):
    """Columns added to a table since a store was made are added when it is opened."""
    path = tmp_path / "old.duckdb"
    with Store(path) as s:
        s.ingest(SAMPLE / "principallife_tags.csv")
    con = duckdb.connect(str(path))
    con.execute('ALTER TABLE accounts DROP COLUMN email')
    con.execute('ALTER TABLE accounts DROP COLUMN "_seen_email"')
    con.close()
    with Store(path) as s:
        before = len(s.table("accounts"))
        assert "email" in s.table("accounts").columns
        report = s.ingest(SAMPLE / "naespchat_twarc2.jsonl")
        assert report.rejected == 0 and len(s.table("accounts")) >= before
