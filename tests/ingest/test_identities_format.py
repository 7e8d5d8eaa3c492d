"""The identities format: corrections read from a review CSV, stored, sniffed and resolved."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pytest
from conftest import write_rows

from plnanalytics import Dataset
from plnanalytics.errors import FormatError, OptionError, RecordError
from plnanalytics.identity import (
    accounts_in_store,
    resolve_identities,
    review_identities,
    review_store,
)
from plnanalytics.ingest import _SNIFF_ORDER, FORMATS, reader_class, sniff
from plnanalytics.ingest.base import ReadLog, read_head
from plnanalytics.ingest.identities import IdentitiesReader
from plnanalytics.report.export import write_table

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"


_csv = write_rows


def _read(path: Path, **kw) -> tuple[list[tuple], ReadLog]:
    log = ReadLog(str(path), **kw)
    rows = [r for b in IdentitiesReader(path).batches(log) for r in b.rows["identities"]]
    return rows, log


# -- reading -------------------------------------------------------------------------------------

def test_decisions(tmp_path):
    path = _csv(tmp_path / "links.csv", [
        ["Account", "status", "Person_ID", "note"],
        ["x:10", "ambiguous", "P001", "checked with the district"],
        ["slack:T1/U2", "linked", "none", ""],
        ["mastodon:ann@m.social", "unlinked", "NONE", ""],
        ["x:11", "unlinked", "-", ""],
        ["x:12", "unlinked", "'-", ""],           # a spreadsheet guard
        ["survey:Ann Lee", "ambiguous", "", ""],  # undecided
        ["x:13", "linked", " P002 ", ""],
        [],
        ["x:14", "", "P003"],                     # a short row: the rest is empty
    ])
    rows, log = _read(path)
    assert rows == [("x:10", "P001", "manual", 1.0), ("slack:T1/U2", "", "rejected", 1.0),
                    ("mastodon:ann@m.social", "", "rejected", 1.0),
                    ("x:11", "", "rejected", 1.0), ("x:12", "", "rejected", 1.0),
                    ("x:13", "P002", "manual", 1.0), ("x:14", "P003", "manual", 1.0)]
    assert log.records == 7 and log.rejected == 0
    assert dict(log.notes) == {"rows without a person_id skipped (undecided)": 1}


def test_bad_rows_are_rejected_with_their_line(tmp_path):
    path = _csv(tmp_path / "links.csv", [
        ["account", "person_id"],
        ["", "P001"],
        ["ann", "P001"],
        [":12", "P001"],
        ["x:", "P001"],
        ["x:1", "P001", "extra"],
        ["x:2", "P002", ""],                      # an empty extra cell is fine
    ])
    rows, log = _read(path)
    assert rows == [("x:2", "P002", "manual", 1.0)]
    assert [(r.line, r.reason.split(" (")[0]) for r in log.rejects] == [
        (2, "no account"),
        (3, "account 'ann' is not an account key platform:native_id"),
        (4, "account ':12' is not an account key platform:native_id"),
        (5, "account 'x:' is not an account key platform:native_id"),
        (6, "row has 3 fields, the header has 2")]
    with pytest.raises(RecordError, match="line 2: no account"):
        _read(path, strict=True)


def test_a_later_row_for_an_account_replaces_an_earlier_one(tmp_path):
    path = _csv(tmp_path / "links.csv", [["account", "person_id"], ["x:1", "P001"],
                                         ["x:2", "P002"], ["x:1", "none"], ["x:1", "P003"],
                                         ["x:1", ""]])  # undecided: does not undo P003
    rows, log = _read(path)
    assert rows == [("x:2", "P002", "manual", 1.0), ("x:1", "P003", "manual", 1.0)]
    assert log.records == 2
    assert log.notes["rows replaced by a later row for the same account"] == 2


def test_tsv_and_gzip(tmp_path):
    tsv = _csv(tmp_path / "links.tsv", [["person_id", "account"], ["P001", "x:1"]], "\t")
    assert _read(tsv)[0] == [("x:1", "P001", "manual", 1.0)]
    gz = tmp_path / "links.csv.gz"
    gz.write_bytes(gzip.compress(b"\xef\xbb\xbfaccount;person_id\r\nx:1;P001\r\n"))
    assert _read(gz)[0] == [("x:1", "P001", "manual", 1.0)]


def test_files_that_are_not_identities(tmp_path):
    no_person = _csv(tmp_path / "a.csv", [["account", "name"], ["x:1", "Ann"]])
    with pytest.raises(FormatError, match=r"no column person_id.*the file has columns: account"):
        _read(no_person)
    empty = tmp_path / "e.csv"
    empty.write_text("\n\n")
    with pytest.raises(FormatError, match="the file is empty"):
        _read(empty)
    latin = tmp_path / "l.csv"
    latin.write_bytes("account,person_id\nx:1,Jos\xe9\n".encode("latin-1"))
    with pytest.raises(FormatError, match="not UTF-8"):
        _read(latin)
    with pytest.raises(OptionError, match="do not apply to --format identities"):
        IdentitiesReader(no_person, kind="advice")


# -- the store -----------------------------------------------------------------------------------

def test_through_the_store(tmp_path, store):
    path = _csv(tmp_path / "links.csv", [["account", "person_id"], ["x:1", "P001"],
                                         ["x:2", "none"], ["x:3", ""], ["", "P009"]])
    report = store.ingest(path)
    assert (report.format, report.unit, report.records, report.kept, report.rejected) == (
        "identities", "links", 2, 2, 1)
    assert report.added["identities"] == 2 and report.rejects[0].line == 5
    ids = store.table("identities")
    assert list(zip(ids.account, ids.person_id, ids.method, ids.confidence,
                    strict=True)) == [("x:1", "P001", "manual", 1.0),
                                      ("x:2", "", "rejected", 1.0)]
    assert set(ids.ingest_id) == {report.ingest_id}
    again = store.ingest(path)
    assert (again.kept, again.duplicates) == (0, 2)


def test_the_latest_ingest_wins_through_the_store(tmp_path, store):
    store.ingest(SAMPLE / "roster.csv")
    store.add(Dataset.from_records(accounts=[
        {"account": "x:77", "platform": "x", "display_name": "Odette Fairweathers"},
        {"account": "x:78", "platform": "x", "display_name": "Vaughn Foxworth"}]))
    people = store.table("people")

    def links() -> dict[str, tuple]:
        out = resolve_identities(store.table("identities"), people, ["x:77", "x:78"])
        return {r[0]: r[1:] for r in out.itertuples(index=False) if r[0] in ("x:77", "x:78")}

    start = resolve_identities(store.table("identities"), people, accounts_in_store(store))
    picked = {r[0]: r[1:3] for r in start.itertuples(index=False)}
    assert picked["x:77"] == ("P001", "fuzzy") and picked["x:78"] == ("P002", "name")
    store.ingest(_csv(tmp_path / "one.csv", [["account", "person_id"], ["x:77", "P003"],
                                             ["x:78", "none"]]))
    assert links() == {"x:77": ("P003", "manual", 1.0)}
    store.ingest(_csv(tmp_path / "two.csv", [["account", "person_id"], ["x:77", "P004"],
                                             ["x:78", "P002"]]))
    assert links() == {"x:77": ("P004", "manual", 1.0), "x:78": ("P002", "manual", 1.0)}
    store.ingest(_csv(tmp_path / "three.csv", [["account", "person_id"], ["x:77", "-"]]))
    assert links() == {"x:78": ("P002", "manual", 1.0)}


def test_the_review_file_round_trip(tmp_path, store):
    store.ingest(SAMPLE / "roster.csv")
    store.add(Dataset.from_records(accounts=[
        {"account": "x:77", "platform": "x", "display_name": "=Odette Fairweathers"},
        {"account": "x:78", "platform": "x", "display_name": "-Unknown"},
        {"account": "x:79", "platform": "x", "display_name": "@Somebody"}]))
    review = review_store(store)
    path = tmp_path / "links.csv"
    write_table(review, path)  # formula-guarded
    assert sniff(path) == "identities"
    text = path.read_text()
    assert "'=Odette" in text and "'-Unknown" in text
    edited = pd.read_csv(path, dtype=str, keep_default_na=False)
    edited.loc[edited.account == "x:77", "person_id"] = "P009"
    edited.loc[edited.account == "x:78", "person_id"] = "none"
    edited.to_csv(path, index=False)
    report = store.ingest(path)
    assert report.format == "identities" and report.rejected == 0
    # the 57 explicit links of the roster are already stored; x:77 and x:78 are new
    assert (report.records, report.kept) == (59, 2)
    after = review_store(store).set_index("account")
    assert tuple(after.loc["x:77", ["status", "person_id", "method"]]) == (
        "linked", "P009", "manual")
    assert tuple(after.loc["x:78", ["status", "person_id"]]) == ("rejected", "none")
    assert after.loc["x:79", "status"] == "unlinked"


# -- sniffing -------------------------------------------------------------------------------------

def test_sniff(tmp_path):
    for header, row, expected in (
        (["account", "person_id"], ["x:1", "P001"], True),
        (["Account", "Person_ID", "status"], ["slack:T/U", ""], True),
        (["account", "person_id"], None, True),                      # header only
        (["account", "person_id", "name"], ["annlee", "P001"], False),  # a roster's user names
        (["account", "person_id", "source", "target"], ["x:1", "P1"], False),  # an edge list
        (["account", "person"], ["x:1", "P001"], False),
        (["person_id", "name"], ["P001", "Ann"], False),
    ):
        path = _csv(tmp_path / "f.csv", [header] + ([row + [""] * (len(header) - len(row))]
                                                   if row else []))
        assert IdentitiesReader.sniff(path, read_head(path)) is expected, header
    txt = _csv(tmp_path / "f.txt", [["account", "person_id"], ["x:1", "P001"]])
    assert not IdentitiesReader.sniff(txt, read_head(txt))


def test_sniff_among_the_other_formats(tmp_path):
    review = review_identities(None, pd.DataFrame({"person_id": ["P1"], "name": ["Ann Lee"]}),
                               pd.DataFrame({"account": ["x:1", "survey:Bo"],
                                             "display_name": ["Ann Lee", None]}))
    path = tmp_path / "links.csv"
    write_table(review, path)
    assert sniff(path) == "identities"
    assert sniff(_csv(tmp_path / "min.csv", [["account", "person_id"], ["x:1", "P1"]])) == (
        "identities")
    # rosters and edge lists are left to their readers
    assert sniff(SAMPLE / "roster.csv") == "roster"
    roster = _csv(tmp_path / "roster.csv", [["person_id", "name", "account"],
                                            ["P1", "Ann Lee", "annlee"]])
    assert sniff(roster) == "roster"
    edges = _csv(tmp_path / "advice.csv", [["source", "target", "account", "person_id"],
                                           ["P1", "P2", "x:1", "P1"]])
    assert sniff(edges) == "edgelist"
    assert sniff(SAMPLE / "naespchat_twarc2.jsonl") == "twarc2"
    assert sniff(SAMPLE / "principallife_tags.csv") == "tags"


@pytest.mark.realdata
def test_sniff_claims_no_real_file(realdata):
    for p in sorted(realdata.rglob("*")):
        if p.is_file():
            assert not IdentitiesReader.sniff(p, read_head(p)), p


def test_registry():
    assert FORMATS["identities"] == "identities:IdentitiesReader"
    assert reader_class("identities") is IdentitiesReader
    assert _SNIFF_ORDER.index("identities") < _SNIFF_ORDER.index("roster")
    assert (IdentitiesReader.format, IdentitiesReader.unit, IdentitiesReader.primary_table) == (
        "identities", "links", "identities")
