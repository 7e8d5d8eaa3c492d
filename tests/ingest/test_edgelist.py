"""Generic edge list reader: options, stable row keys, weights and times, bad input, sniffing."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import networkx as nx
import pandas as pd
import pytest
from conftest import write_rows

from plnanalytics.errors import FormatError, OptionError, RecordError
from plnanalytics.ingest.base import ReadLog, read_head
from plnanalytics.ingest.edgelist import EdgelistReader, parse_time

_csv = write_rows


def _ties(store) -> list[tuple]:
    df = store.table("interactions")
    return sorted(zip(df.kind, df.src, df.dst, df.weight, df.context, strict=True))


# -- options and columns ----------------------------------------------------------------------
def test_named_columns_and_all_options(tmp_path, store):
    path = _csv(tmp_path / "survey.csv", [
        ["Respondent", "Nominee", "Strength", "When", "Question"],
        ["p1", "p2", "3", "2024-01-09T20:05:00Z", "advice"],
        ["p2", "p3", "", "2024-01-09T15:05:00-05:00", "friendship"],
    ])
    report = store.ingest(path, format="edgelist", src_col="Respondent", dst_col="Nominee",
                          kind="nomination", weight_col="Strength", time_col="When",
                          context_col="Question", platform="survey")
    assert (report.format, report.unit) == ("edgelist", "rows")
    assert (report.records, report.kept, report.duplicates, report.rejected) == (2, 2, 0, 0)
    assert _ties(store) == [
        ("nomination", "survey:p1", "survey:p2", 3.0, "advice"),
        ("nomination", "survey:p2", "survey:p3", 1.0, "friendship")]
    ts = store.table("interactions").ts
    assert set(ts) == {pd.Timestamp("2024-01-09T20:05:00Z")}
    accounts = store.table("accounts")
    assert list(accounts.account) == ["survey:p1", "survey:p2", "survey:p3"]
    assert list(accounts.handle) == ["p1", "p2", "p3"]
    assert set(accounts.platform) == {"survey"}
    assert store.counts()["posts"] == 0


@pytest.mark.parametrize("pair", [("Source", "Target"), ("src", "dst"), ("FROM", "to"),
                                  ("ego", "alter"), ("sender", "Receiver")])
def test_default_column_pairs(tmp_path, store, pair):
    path = _csv(tmp_path / "e.csv", [["note", *pair], ["x", "a", "b"]])
    store.ingest(path, format="edgelist")
    assert _ties(store) == [("tie", "edgelist:a", "edgelist:b", 1.0, None)]


def test_first_default_pair_wins(tmp_path, store):
    path = _csv(tmp_path / "e.csv", [["from", "to", "source", "target"], ["a", "b", "c", "d"]])
    store.ingest(path, format="edgelist")
    assert _ties(store) == [("tie", "edgelist:c", "edgelist:d", 1.0, None)]


def test_missing_named_column_is_an_option_error(tmp_path, store):
    path = _csv(tmp_path / "e.csv", [["source", "target"], ["a", "b"]])
    for opts, missing in (({"src_col": "ego"}, "'ego'"), ({"weight_col": "w"}, "'w'"),
                          ({"time_col": "date"}, "'date'"), ({"context_col": "q"}, "'q'")):
        with pytest.raises(OptionError) as err:
            store.ingest(path, format="edgelist", **opts)
        msg = str(err.value)
        assert "e.csv" in msg and missing in msg and "source, target" in msg
    assert sum(store.counts().values()) == 0 and len(store.ingests()) == 0


def test_no_default_pair_is_an_option_error(tmp_path, store):
    path = _csv(tmp_path / "e.csv", [["a", "b"], ["1", "2"]])
    with pytest.raises(OptionError) as err:
        store.ingest(path, format="edgelist")
    msg = str(err.value)
    assert "e.csv" in msg and "src_col" in msg and "a, b" in msg and "source/target" in msg
    assert sum(store.counts().values()) == 0


def test_bad_options(tmp_path):
    path = _csv(tmp_path / "e.csv", [["source", "target"], ["a", "b"]])
    with pytest.raises(OptionError, match="unknown_col"):
        EdgelistReader(path, unknown_col="x")
    with pytest.raises(OptionError, match="platform"):
        EdgelistReader(path, platform="a:b")
    with pytest.raises(OptionError, match="same column"):
        list(EdgelistReader(path, src_col="source", dst_col="Source").batches(ReadLog("e")))


def test_keys_are_not_prefixed_twice(tmp_path, store):
    path = _csv(tmp_path / "e.csv", [["source", "target"], [" x:1 ", "x:2"], ["3", "x:1"]])
    store.ingest(path, format="edgelist", platform="x")
    assert _ties(store) == [("tie", "x:1", "x:2", 1.0, None), ("tie", "x:3", "x:1", 1.0, None)]
    accounts = store.table("accounts").set_index("account")
    assert accounts.loc["x:3", "handle"] == "3"


# -- stable row keys ----------------------------------------------------------------------------
def test_reingest_adds_nothing(tmp_path, store):
    path = _csv(tmp_path / "e.csv", [["source", "target", "weight"], ["a", "b", "1"],
                                     ["b", "c", "2"], ["a", "b", "1"]])
    first = store.ingest(path, format="edgelist", weight_col="weight")
    assert (first.records, first.kept, first.duplicates) == (3, 3, 0)  # a->b twice: two ties
    counts = store.counts()
    again = store.ingest(path, format="edgelist", weight_col="weight")
    assert (again.records, again.kept, again.duplicates) == (3, 0, 3)
    assert store.counts() == counts


def test_overlapping_files(tmp_path, store):
    header = ["source", "target", "time"]
    rows = [["a", "b", "2024-01-01T10:00:00Z"], ["b", "c", "2024-01-02T10:00:00Z"],
            ["c", "a", "2024-01-03T10:00:00Z"], ["a", "b", "2024-01-04T10:00:00Z"]]
    one = _csv(tmp_path / "jan1.csv", [header, *rows[:3]])
    # the same rows exported again, with times in another layout, plus a new one
    two = _csv(tmp_path / "jan2.tsv", [header, ["b", "c", "2024-01-02 05:00:00-05:00"],
                                        rows[2], rows[3]], delimiter="\t")
    assert store.ingest(one, format="edgelist", time_col="time").kept == 3
    report = store.ingest(two, format="edgelist", time_col="time")
    assert (report.records, report.kept, report.duplicates) == (3, 1, 2)
    assert store.counts()["interactions"] == 4


def test_row_key_recipe(tmp_path):
    import hashlib

    path = _csv(tmp_path / "e.csv", [["src", "dst", "ctx"], ["a", "b", "q1"], ["a", "b", "q1"]])
    batch = next(EdgelistReader(path, context_col="ctx").batches(ReadLog(str(path))))
    digest = hashlib.sha1(b"edgelist|tie|edgelist:a|edgelist:b||q1").hexdigest()[:20]
    assert [r[7] for r in batch.rows["interactions"]] == [f"row:{digest}:0", f"row:{digest}:1"]


# -- weights and times -------------------------------------------------------------------------
def test_weights(tmp_path, store):
    path = _csv(tmp_path / "w.csv", [["source", "target", "w"], ["a", "b", "2.5"],
                                     ["b", "c", ""], ["c", "d", "heavy"], ["d", "e", "-1"],
                                     ["e", "f", "nan"], ["f", "g", "0"]])
    report = store.ingest(path, format="edgelist", weight_col="w")
    assert report.records == 3 and report.rejected == 3
    assert [w for *_, w, _ in _ties(store)] == [2.5, 1.0, 0.0]
    reasons = {r.line: r.reason for r in report.rejects}
    assert set(reasons) == {4, 5, 6}
    assert "'heavy' is not a number" in reasons[4]
    assert "negative" in reasons[5]


def test_times(tmp_path, store):
    path = _csv(tmp_path / "t.csv", [
        ["source", "target", "at"],
        ["a", "b", "2024-01-09T20:05:00Z"],
        ["a", "c", "2024-01-09 20:05"],          # no zone: UTC
        ["a", "d", "01/09/2024 20:05"],           # US order, no zone
        ["a", "e", "1704830700"],                # Unix seconds
        ["a", "f", "Tue, 09 Jan 2024 21:05:00 +0100"],
        ["a", "g", "2024-01-09"],                # a date: midnight UTC
        ["a", "h", ""],                          # no time
        ["a", "i", "last tuesday"],
    ])
    report = store.ingest(path, format="edgelist", time_col="at")
    assert report.records == 7 and report.rejected == 1
    assert report.rejects[0].line == 9 and "last tuesday" in report.rejects[0].reason
    assert report.notes == {"times without a time zone read as UTC": 3}
    df = store.table("interactions").set_index("dst")
    t = pd.Timestamp("2024-01-09T20:05:00Z")
    assert [df.loc[f"edgelist:{k}", "ts"] for k in "bcdef"] == [t] * 5
    assert df.loc["edgelist:g", "ts"] == pd.Timestamp("2024-01-09T00:00:00Z")
    assert pd.isna(df.loc["edgelist:h", "ts"])


def test_parse_time():
    t = datetime(2024, 1, 9, 20, 5, tzinfo=UTC)
    assert parse_time("2024/01/09 20:05:00") == (t, True)
    assert parse_time("09.01.2024 20:05") == (t, True)
    assert parse_time("Tue Jan 09 20:05:00 +0000 2024") == (t, False)
    assert parse_time("1704830700000") == (t, False)
    with pytest.raises(ValueError, match="month/day/year"):
        parse_time("25/12/2024")


# -- self-loops, empty ends and bad rows ---------------------------------------------------------
def test_self_loops_are_skipped_and_noted(tmp_path, store):
    path = _csv(tmp_path / "e.csv", [["source", "target"], ["a", "a"], ["a", "b"],
                                     ["c", "edgelist:c"]])
    report = store.ingest(path, format="edgelist")
    assert report.records == 1 and report.kept == 1 and report.duplicates == 0
    assert report.notes == {"self-loops skipped": 2}
    assert _ties(store) == [("tie", "edgelist:a", "edgelist:b", 1.0, None)]
    # the nodes of a self-loop are still accounts
    assert set(store.table("accounts").account) == {"edgelist:a", "edgelist:b", "edgelist:c"}


def test_bad_rows_are_counted_named_and_skipped(tmp_path, store):
    path = tmp_path / "e.csv"
    path.write_text('source,target,ctx\na,b,"two\nlines"\n,c,x\nd, ,x\ne,f\n\ng,h,x,y\n'
                    "i,j,x,\n")
    report = store.ingest(path, format="edgelist", context_col="ctx")
    assert report.records == 2 and report.rejected == 4
    reasons = {r.line: r.reason for r in report.rejects}
    assert set(reasons) == {4, 5, 6, 8}
    assert "empty 'source'" in reasons[4] and "empty 'target'" in reasons[5]
    assert "2 fields" in reasons[6] and "4 fields" in reasons[8]
    assert _ties(store) == [("tie", "edgelist:a", "edgelist:b", 1.0, "two\nlines"),
                            ("tie", "edgelist:i", "edgelist:j", 1.0, "x")]


def test_strict_raises_and_leaves_store_unchanged(tmp_path, store):
    store.ingest(_csv(tmp_path / "ok.csv", [["source", "target"], ["a", "b"]]),
                 format="edgelist")
    counts = store.counts()
    path = _csv(tmp_path / "bad.csv", [["source", "target", "w"], ["b", "c", "1"],
                                       ["c", "d", "x"]])
    with pytest.raises(RecordError) as err:
        store.ingest(path, format="edgelist", weight_col="w", strict=True)
    assert err.value.line == 3 and "bad.csv" in str(err.value)
    assert store.counts() == counts and len(store.ingests()) == 1


def test_unreadable_files_are_format_errors(tmp_path, store):
    latin = tmp_path / "latin.csv"
    latin.write_bytes("source,target\nJos\xe9,Ana\n".encode("latin-1"))
    empty = tmp_path / "empty.csv"
    empty.write_text("\n\n")
    for path, words in ((latin, "UTF-8"), (empty, "empty")):
        with pytest.raises(FormatError) as err:
            store.ingest(path, format="edgelist")
        assert path.name in str(err.value) and words in str(err.value)
    assert sum(store.counts().values()) == 0 and len(store.ingests()) == 0


# -- delimiters, compression, batches -------------------------------------------------------------
@pytest.mark.parametrize(("name", "delimiter"), [("e.tsv", "\t"), ("e.txt", "\t"),
                                                 ("e.csv", ";"), ("e.csv", ",")])
def test_delimiters(tmp_path, store, name, delimiter):
    path = _csv(tmp_path / name, [["source", "target", "w"], ["a, jr", "b", "2"]],
                delimiter=delimiter)
    store.ingest(path, format="edgelist", weight_col="w")
    assert _ties(store) == [("tie", "edgelist:a, jr", "edgelist:b", 2.0, None)]


def test_gzip_batches_and_progress(tmp_path):
    rows = [["source", "target"]] + [[f"n{i}", f"n{i + 1}"] for i in range(25)]
    plain = _csv(tmp_path / "e.csv", rows)
    path = tmp_path / "e.csv.gz"
    path.write_bytes(gzip.compress(plain.read_bytes()))
    reader = EdgelistReader(path)
    reader.batch_rows = 10
    calls: list[tuple[int, int]] = []
    log = ReadLog(str(path), progress=lambda done, total: calls.append((done, total)))
    batches = list(reader.batches(log))
    assert [len(b.rows["interactions"]) for b in batches] == [10, 10, 5]
    assert log.records == 25 and len(calls) == 3
    assert calls[-1] == (path.stat().st_size, path.stat().st_size)
    assert {r[0] for b in batches for r in b.rows["accounts"]} == {f"edgelist:n{i}"
                                                                   for i in range(26)}


# -- a real network ------------------------------------------------------------------------------
def test_karate_club(tmp_path, store):
    G = nx.karate_club_graph()
    path = _csv(tmp_path / "karate.csv",
                [["source", "target", "weight"]]
                + [[u, v, d["weight"]] for u, v, d in G.edges(data=True)])
    report = store.ingest(path, format="edgelist", weight_col="weight")
    assert report.records == G.number_of_edges() == 78
    assert report.kept == 78 and report.rejected == 0
    counts = store.counts()
    assert counts["interactions"] == 78 and counts["accounts"] == G.number_of_nodes() == 34
    df = store.table("interactions")
    assert df.weight.sum() == sum(d["weight"] for *_, d in G.edges(data=True))
    H = nx.from_pandas_edgelist(df, "src", "dst")
    assert nx.is_isomorphic(H, G)


# -- sniffing ------------------------------------------------------------------------------------
def test_sniff(tmp_path):
    for name, rows, delimiter, expected in (
        ("e.csv", [["Source", "Target"], ["a", "b"]], ",", True),
        ("e.tsv", [["ego", "alter"], ["a", "b"]], "\t", True),
        ("e.csv", [["source", "weight"], ["a", "1"]], ",", False),
        ("e.txt", [["source", "target"], ["a", "b"]], ",", False),
    ):
        path = _csv(tmp_path / name, rows, delimiter)
        assert EdgelistReader.sniff(path, read_head(path)) is expected, (name, rows)
    gz = tmp_path / "e.csv.gz"
    gz.write_bytes(gzip.compress(b"from,to\na,b\n"))
    assert EdgelistReader.sniff(gz, read_head(gz))


@pytest.mark.realdata
def test_sniff_does_not_claim_other_formats(realdata):
    files = [p for p in realdata.rglob("*") if p.is_file()]
    assert any(p.suffix == ".csv" for p in files)
    for p in files:
        assert not EdgelistReader.sniff(p, read_head(p)), p
