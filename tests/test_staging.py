"""Reading files in chunks of lines, and staging rows as Parquet before the store merges them."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from plnanalytics.ingest.base import NotFast, arrow_type, line_chunks
from plnanalytics.schema import PROFILE_FIELDS, TABLES
from plnanalytics.staging import Staging


def lines_of(path: Path, size: int) -> list[tuple[int, str]]:
    out = []
    for chunk in line_chunks(path, size):
        d = chunk.table.to_pydict()
        out += list(zip(d["line_no"], d["line"], strict=True))
    return out


@pytest.mark.parametrize("size", [1, 3, 8, 1000])
def test_line_chunks_keep_every_line_and_its_number(tmp_path: Path, size: int) -> None:
    data = (b'{"a": 1}\r\n\n  \nthe longest line of them all\n\xc3\xa9t\xc3\xa9\n'
            b"no newline at the end")
    path = tmp_path / "x.jsonl"
    path.write_bytes(data)
    got = lines_of(path, size)
    expected = data.decode().splitlines(keepends=True)
    assert [n for n, _ in got] == list(range(1, len(expected) + 1))
    assert [line for _, line in got] == expected


def test_line_chunks_report_where_they_end(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_bytes(b"aa\nbb\ncc\n")
    ends = [c.end for c in line_chunks(path, 4)]
    assert ends[-1] == path.stat().st_size and ends == sorted(ends)


def test_line_chunks_refuse_text_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_bytes(b'{"a": "caf\xe9"}\n')
    with pytest.raises(NotFast, match="not UTF-8 near line 1"):
        list(line_chunks(path))


def test_line_chunks_of_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_bytes(b"")
    assert list(line_chunks(path)) == []


def test_staging_round_trip(tmp_path: Path) -> None:
    con = duckdb.connect()
    staging = Staging(con, tmp_path)
    assert con.execute(f"SELECT count(*) FROM {staging.relation('accounts')}").fetchall() == [(0,)]
    cols = [c for c in TABLES["accounts"].columns if c.name != "ingest_id"]
    row = {"account": "x:1", "platform": "x", "handle": "ann",
           "profile_seen_at": pa.scalar(0, pa.timestamp("us", tz="UTC"))}
    table = pa.table({c.name: pa.array([row.get(c.name)], arrow_type(c)) for c in cols})
    staging.write("accounts", table)
    staging.copy("posts", "SELECT '1', 'x', 'x:1', TIMESTAMPTZ '2025-09-10 00:00:00+00', "
                          "'hi', 'en', 'post', NULL, NULL, NULL, NULL, ['#a'], NULL")
    got = con.execute(f"SELECT account, handle, _seen_handle, _seen_location "
                      f"FROM {staging.relation('accounts')}").fetchall()
    assert got[0][:2] == ("x:1", "ann") and got[0][2] == got[0][3] is not None
    names = [d[0] for d in con.execute(f"SELECT * FROM {staging.relation('accounts')}")
             .description]
    assert names[-len(PROFILE_FIELDS):] == [f"_seen_{f}" for f in PROFILE_FIELDS]
    posts = con.execute(f"SELECT post_id, contexts FROM {staging.relation('posts')}").fetchall()
    assert posts == [("1", ["#a"])]
    staging.clear()
    assert not list(tmp_path.iterdir())
    assert con.execute(f"SELECT count(*) FROM {staging.relation('posts')}").fetchall() == [(0,)]


def test_ingest_leaves_no_scratch_files(tmp_path: Path) -> None:
    from plnanalytics import Store

    path = tmp_path / "e.csv"
    path.write_text("source,target\na,b\n")
    with Store(tmp_path / "s.duckdb") as store:
        store.ingest(path)
        bad = tmp_path / "bad.csv"
        bad.write_text("source,target\na,b\n,c\n")
        with pytest.raises(Exception, match="line 3"):
            store.ingest(bad, strict=True)
    leftovers = [p.name for p in tmp_path.iterdir() if "ingest" in p.name]
    assert leftovers == []
