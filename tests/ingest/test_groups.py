"""Group rosters reader: long and wide forms, CSV and XLSX, options, bad rows, store, sniffing."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import write_rows, write_workbook

from plnanalytics.errors import FormatError, OptionError, RecordError
from plnanalytics.graph.projection import comember_ties
from plnanalytics.ingest import FORMATS, reader_class, sniff
from plnanalytics.ingest.base import ReadLog, read_head
from plnanalytics.ingest.groups import GroupsReader, _mark

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"


_csv = write_rows


_xlsx = write_workbook


def _read(path: Path, strict: bool = False, **options: Any
          ) -> tuple[list[tuple], dict[str, tuple], ReadLog]:
    log = ReadLog(str(path), strict=strict)
    memberships, accounts = [], {}
    for batch in GroupsReader(path, **options).batches(log):
        memberships += batch.rows["memberships"]
        accounts.update({a[0]: a for a in batch.rows["accounts"]})
    return memberships, accounts, log


def _pairs(path: Path, **options: Any) -> list[tuple[str, str]]:
    return [m[:2] for m in _read(path, **options)[0]]


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# -- long form -----------------------------------------------------------------------------------
def test_long_form(tmp_path):
    path = _csv(tmp_path / "plcs.csv", [
        ["Person", "Group", "Role", "Since", "Until"],
        ["P001", " Literacy PLC ", "facilitator", "2024-08-15T09:00:00-04:00", ""],
        ["P002", "Literacy PLC", "", "08/15/2024", "2025-06-01T00:00:00Z"],
        ["P001", "New Principals Cohort", "member", "", ""],
        ["groups:P003", "Literacy PLC", "NA", "1723680000", ""],
    ])
    memberships, accounts, log = _read(path)
    assert memberships == [
        ("groups:P001", "Literacy PLC", "facilitator", _utc(2024, 8, 15, 13), None),
        ("groups:P002", "Literacy PLC", None, _utc(2024, 8, 15), _utc(2025, 6, 1)),
        ("groups:P001", "New Principals Cohort", "member", None, None),
        ("groups:P003", "Literacy PLC", None, _utc(2024, 8, 15), None),
    ]
    assert accounts["groups:P001"] == ("groups:P001", "groups", None, "P001", None,
                                       *(None,) * 8)
    assert accounts["groups:P003"][3] == "P003"  # the key's prefix is not part of the name
    assert log.records == 4 and log.rejected == 0
    assert log.notes == {"times without a time zone read as UTC": 1}  # 08/15/2024


@pytest.mark.parametrize(("header", "expected"), [
    (["member_id", "PLC", "group_role", "joined", "left"], ("m1", "Math", "lead")),
    (["person_id", "Cohort", "role", "start_date", "end_date"], ("m1", "Math", "lead")),
    (["Email", "Committee", "Role", "start", "end"], ("m1", "Math", "lead")),
    (["name", "group_name", "role", "joined_at", "left_at"], ("m1", "Math", "lead")),
])
def test_long_form_column_synonyms(tmp_path, header, expected):
    path = _csv(tmp_path / "g.csv", [header, ["m1", "Math", "lead", "2024-01-01T00:00Z",
                                              "2024-06-30 00:00:00+00:00"]])
    (row,), _, _ = _read(path)
    assert (row[0].removeprefix("groups:"), row[1], row[2]) == expected
    assert (row[3], row[4]) == (_utc(2024, 1, 1), _utc(2024, 6, 30))


def test_name_and_email_columns_fill_the_account(tmp_path):
    path = _csv(tmp_path / "g.csv", [["person_id", "name", "email", "group"],
                                     ["P1", "Ann Lee", "ann@x.org", "PLC"],
                                     ["P2", "", "", "PLC"]])
    _, accounts, _ = _read(path)
    assert accounts["groups:P1"][2:5] == (None, "Ann Lee", "ann@x.org")
    assert accounts["groups:P2"][2:5] == (None, "P2", None)
    by_email = _csv(tmp_path / "e.csv", [["email", "group"], ["bo@x.org", "PLC"]])
    _, accounts, _ = _read(by_email)
    assert accounts["groups:bo@x.org"][3:5] == ("bo@x.org", "bo@x.org")


def test_explicit_options(tmp_path):
    path = _csv(tmp_path / "g.csv", [
        ["Who", "Team", "Hat", "From date", "To date", "member", "group"],
        ["Ann", "Math", "chair", "2024-01-01T00:00:00Z", "", "ignored", "ignored"],
    ])
    memberships, _, _ = _read(path, member_col="who", group_col="TEAM", role_col="Hat",
                              since_col="From date", until_col="To date")
    assert memberships == [("groups:Ann", "Math", "chair", _utc(2024, 1, 1), None)]
    assert _pairs(path) == [("groups:ignored", "ignored")]  # defaults: member, group


def test_option_errors(tmp_path, store):
    path = _csv(tmp_path / "g.csv", [["member", "group"], ["a", "G"]])
    for opts, words in (({"member_col": "who"}, "'who' (option member_col)"),
                        ({"group_col": "team"}, "'team' (option group_col)"),
                        ({"since_col": "joined"}, "'joined' (option since_col)"),
                        ({"group_cols": ["PLC A"]}, "'PLC A' (option group_cols)")):
        with pytest.raises(OptionError) as err:
            store.ingest(path, format="groups", **opts)
        assert "g.csv" in str(err.value) and words in str(err.value)
        assert "columns: member, group" in str(err.value)
    for opts, match in (({"src_col": "a"}, "src_col"),
                        ({"sheet": "Groups"}, "sheet applies only"),
                        ({"member_col": " "}, "member_col must name a column"),
                        ({"wide": "sometimes"}, "wide must be true or false"),
                        ({"group_cols": "G", "wide": False}, "wide=False"),
                        ({"wide": True, "group_col": "group"}, "group_col apply only"),
                        ({"group_cols": " , "}, "at least one column"),
                        ({"group_cols": 3}, "list of column names")):
        with pytest.raises(OptionError, match=match):
            store.ingest(path, format="groups", **opts)
    with pytest.raises(OptionError, match="group_col names the member column"):
        store.ingest(path, format="groups", member_col="member", group_col="MEMBER")
    with pytest.raises(OptionError, match="group_cols names the member column"):
        store.ingest(path, format="groups", group_cols="member")
    assert sum(store.counts().values()) == 0 and len(store.ingests()) == 0


def test_no_member_or_group_column_is_a_format_error(tmp_path):
    path = _csv(tmp_path / "g.csv", [["school", "group"], ["Elm", "G"]])
    with pytest.raises(FormatError) as err:
        _read(path)
    assert "no member column" in str(err.value) and "member_col" in str(err.value)
    assert "school, group" in str(err.value)
    only = _csv(tmp_path / "only.csv", [["person_id", "name"], ["P1", "Ann"]])
    with pytest.raises(FormatError, match=r"no group column.*group_cols"):
        _read(only)  # no group column, and no column left for the wide form
    with pytest.raises(FormatError, match=r"no group column.*wide"):
        _read(only, wide=False)
    empty = tmp_path / "empty.csv"
    empty.write_text("\n\n")
    with pytest.raises(FormatError, match="empty"):
        _read(empty)


# -- bad rows ------------------------------------------------------------------------------------
def test_rejects_with_line_numbers(tmp_path, store):
    path = tmp_path / "g.csv"
    path.write_text(
        "member,group,role,since,until\n"           # 1
        "a,PLC,,2024-01-01T00:00Z,\n"               # 2
        ",PLC,,,\n"                                 # 3  no member
        "b,,,,\n"                                   # 4  no group
        "c,PLC,,yesterday,\n"                       # 5  bad since
        "d,PLC,,2024/02/01,2024/01/01\n"            # 6  until before since
        "e,PLC\n"                                   # 7  too few fields
        "f,PLC,,,,extra\n"                          # 8  too many fields
        "g,PLC,,,,\n"                               # 9  a trailing empty field is fine
        "\n"                                        # 10 blank: skipped
        "\"h\nmultiline\",PLC,,,\n"                 # 11 a quoted line break
        "i,PLC,,,31.12.2024\n"                      # 13
        "a,PLC,lead,,\n"                            # 14 repeats line 2: kept once
        "NA,PLC,,,\n"                               # 15 missing member
    )
    report = store.ingest(path, format="groups")
    assert (report.format, report.unit) == ("groups", "memberships")
    assert (report.records, report.kept, report.duplicates, report.rejected) == (5, 4, 1, 7)
    reasons = {r.line: r.reason for r in report.rejects}
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8, 15]
    assert reasons[3] == "no member (column 'member' is empty)" == reasons[15]
    assert reasons[4] == "no group (column 'group' is empty)"
    assert reasons[5].startswith("since: time 'yesterday' is not a date and time")
    assert reasons[6] == ("until 2024-01-01T00:00:00+00:00 is before since "
                          "2024-02-01T00:00:00+00:00")
    assert "2 fields, the header has 5" in reasons[7] and "6 fields" in reasons[8]
    assert report.notes == {
        "(member, group) pairs repeated in the file (the first row is kept)": 1,
        "times without a time zone read as UTC": 1}  # line 13 (line 6 was rejected)
    members = store.table("memberships")
    assert sorted(members.member) == ["groups:a", "groups:g", "groups:h\nmultiline",
                                      "groups:i"]
    assert members.set_index("member").loc["groups:a", "role"] is None  # the first row
    assert members.set_index("member").loc["groups:i", "until"] == pd.Timestamp(
        "2024-12-31", tz="UTC")
    assert list(store.rejects().line) == [3, 4, 5, 6, 7, 8, 15]


def test_strict_raises_and_leaves_store_unchanged(tmp_path, store):
    store.ingest(_csv(tmp_path / "ok.csv", [["member", "group"], ["z", "G"]]), format="groups")
    counts = store.counts()
    for rows, line, words in (
        ([["member", "group"], ["a", "G"], ["", "G"]], 3, "no member"),
        ([["member", "group", "since"], ["a", "G", "soon"]], 2, "not a date"),
        ([["name", "PLC A"], ["Ann", "1"], ["Bo", "maybe"]], 3, "column 'PLC A'"),
    ):
        path = _csv(tmp_path / "bad.csv", rows)
        with pytest.raises(RecordError) as err:
            store.ingest(path, format="groups", strict=True)
        assert err.value.line == line and "bad.csv" in str(err.value)
        assert words in err.value.reason
        assert store.counts() == counts and len(store.ingests()) == 1


def test_not_utf8_is_a_format_error(tmp_path, store):
    latin = tmp_path / "latin.csv"
    latin.write_bytes("member,group\nJos\xe9,PLC\n".encode("latin-1"))
    with pytest.raises(FormatError, match="UTF-8"):
        store.ingest(latin, format="groups")
    assert sum(store.counts().values()) == 0


# -- wide form -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("cell", "member"), [
    ("1", True), ("yes", True), ("Y", True), ("TRUE", True), ("x", True), ("X", True),
    ("✓", True), ("✔", True), ("2", True), ("0.5", True), (" 1.0 ", True),
    ("0", False), ("no", False), ("N", False), ("false", False), ("", False), ("0.0", False),
])
def test_wide_form_marks(tmp_path, cell, member):
    path = _csv(tmp_path / "w.csv", [["person_id", "PLC A"], ["P1", cell]])
    memberships, _, log = _read(path)
    assert memberships == ([("groups:P1", "PLC A", None, None, None)] if member else [])
    assert log.rejected == 0
    assert _mark(cell) is member


def test_wide_form(tmp_path, store):
    path = _csv(tmp_path / "w.csv", [
        ["Person ID", "Name", "Email", "District", "School", "x_handle", "Literacy PLC",
         "Math PLC ", "Mentors", ""],
        ["P1", "Ann Lee", "ann@x.org", "Cedar", "Elm", "annlee", "x", "", "yes", ""],    # 2
        ["P2", "Bo Ng", "", "Cedar", "Oak", "", "0", "1", "maybe", ""],                 # 3
        ["", "Nobody", "", "", "", "", "1", "", "", ""],                                 # 4
        ["P3", "Cy Ra", "", "", "", "", "NA", "-1", "✓", "stray"],                       # 5
        ["P1", "Ann Lee", "", "", "", "", "1", "", "", ""],                             # 6
    ])
    report = store.ingest(path, format="groups")
    assert (report.records, report.kept, report.duplicates, report.rejected) == (5, 4, 1, 3)
    reasons = {(r.line, r.reason.split(":")[0]) for r in report.rejects}
    assert reasons == {(3, "column 'Mentors'"), (4, "no member (column 'Person ID' is empty)"),
                       (5, "column 'Math PLC'")}
    assert next(r.reason for r in report.rejects if r.line == 3) == (
        "column 'Mentors': 'maybe' is not a membership mark (1, yes, y, true, x or ✓ for a "
        "member; 0, no, n, false or empty for not)")
    assert report.notes == {
        "(member, group) pairs repeated in the file (the first row is kept)": 1,
        "wide-form cells marked missing (NA, null...) read as not a member": 1,
        "wide-form cells under a column without a name ignored": 1}
    members = store.table("memberships")
    assert sorted(zip(members.member, members.group, strict=True)) == [
        ("groups:P1", "Literacy PLC"), ("groups:P1", "Mentors"), ("groups:P2", "Math PLC"),
        ("groups:P3", "Mentors")]
    assert members[["role", "since", "until"]].isna().all().all()
    accounts = store.table("accounts").set_index("account")
    assert accounts.loc["groups:P1", "display_name"] == "Ann Lee"
    assert accounts.loc["groups:P1", "email"] == "ann@x.org"
    again = store.ingest(path, format="groups")
    assert (again.kept, again.duplicates) == (0, 5)


def test_wide_form_options(tmp_path):
    path = _csv(tmp_path / "w.csv", [["member", "cohort", "PLC A", "PLC B", "notes"],
                                     ["a", "1", "1", "", "call back"]])
    # a cohort column makes this long form unless told otherwise
    assert _pairs(path) == [("groups:a", "1")]
    memberships, _, log = _read(path, wide=True)
    assert [m[1] for m in memberships] == ["PLC A"]  # cohort is a known attribute column
    assert log.rejects[0].reason.startswith("column 'notes': 'call back'")
    assert _pairs(path, group_cols=["PLC B", "plc a", "PLC A"]) == [("groups:a", "PLC A")]
    assert _pairs(path, group_cols="PLC A, cohort", member_col="member") == [
        ("groups:a", "cohort"), ("groups:a", "PLC A")]
    assert _pairs(path, wide="yes", group_cols=["PLC A"]) == [("groups:a", "PLC A")]
    with pytest.raises(OptionError, match="role_col apply only to the long form"):
        GroupsReader(path, group_cols=["PLC A"], role_col="notes")


# -- workbooks -----------------------------------------------------------------------------------
def test_xlsx_long_form(tmp_path, store):
    path = _xlsx(tmp_path / "groups.xlsx", {
        "Groups": [
            [None],                                                           # 1 blank
            ["Member", "Group", "Role", "Joined", None],                      # 2
            [17, "Literacy PLC", "lead", datetime(2024, 8, 15)],              # 3 int member
            ["P2", "Literacy PLC", None, "2024-09-01T08:00:00Z"],             # 4
            [None, "Math PLC", None, None],                                   # 5 no member
            ["P3", "Math PLC", None, "soon"],                                 # 6 bad date
            ["P4", "Math PLC", None, None, "stray"],                          # 7 extra cell
        ],
        "Other": [["member", "group"], ["Z", "Zed"]],
    })
    assert GroupsReader.sniff(path, read_head(path)) and sniff(path) == "groups"
    report = store.ingest(path)
    assert report.format == "groups"
    assert (report.records, report.kept, report.rejected) == (2, 2, 3)
    assert sorted(r.line for r in report.rejects) == [5, 6, 7]
    assert "5 cells, the header has 4" in next(r.reason for r in report.rejects if r.line == 7)
    members = store.table("memberships").set_index("member")
    assert list(members.index) == ["groups:17", "groups:P2"]
    assert members.loc["groups:17", "since"] == pd.Timestamp("2024-08-15", tz="UTC")
    assert report.notes == {"times without a time zone read as UTC": 1}
    assert _pairs(path, sheet="other") == [("groups:Z", "Zed")]
    with pytest.raises(OptionError, match=r"'Third'.*Groups, Other"):
        _read(path, sheet="Third")


def test_xlsx_wide_form(tmp_path):
    path = _xlsx(tmp_path / "wide.xlsx", {"Sheet": [
        ["person_id", "name", "Literacy PLC", "Math PLC", "Board"],
        ["P1", "Ann", True, 0, 1.0],
        ["P2", "Bo", False, 1, "✓"],
        ["P3", "Cy", "x", None, -2],
    ]})
    memberships, accounts, log = _read(path)
    assert [m[:2] for m in memberships] == [
        ("groups:P1", "Literacy PLC"), ("groups:P1", "Board"), ("groups:P2", "Math PLC"),
        ("groups:P2", "Board"), ("groups:P3", "Literacy PLC")]
    assert [(r.line, r.reason.split(":")[0]) for r in log.rejects] == [(4, "column 'Board'")]
    assert accounts["groups:P2"][3] == "Bo"
    # a wide workbook is not claimed by sniffing: it is read as a roster unless named
    assert not GroupsReader.sniff(path, read_head(path)) and sniff(path) == "roster"


def test_broken_xlsx_is_a_format_error(tmp_path, store):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(FormatError, match="Excel workbook"):
        store.ingest(path, format="groups")
    assert not GroupsReader.sniff(path, read_head(path))


# -- the store -----------------------------------------------------------------------------------
def test_store_ingest_reingest_and_projection(tmp_path, store):
    path = _csv(tmp_path / "committees.csv", [
        ["person_id", "group", "role"],
        ["P001", "Equity Committee", "chair"], ["P002", "Equity Committee", ""],
        ["P003", "Equity Committee", ""], ["P001", "Mentor Cohort", ""],
        ["P002", "Mentor Cohort", ""], ["P001", "Equity Committee", "member"],
    ])
    assert sniff(path) == "groups"
    first = store.ingest(path)
    assert first.format == "groups"
    assert (first.records, first.kept, first.duplicates) == (6, 5, 1)
    assert first.added["accounts"] == 3 and first.added["memberships"] == 5
    counts = store.counts()
    again = store.ingest(path)
    assert (again.records, again.kept, again.duplicates) == (6, 0, 6)
    assert store.counts() == counts
    accounts = store.table("accounts")
    assert list(accounts.account) == ["groups:P001", "groups:P002", "groups:P003"]
    assert set(accounts.platform) == {"groups"} and list(accounts.display_name) == [
        "P001", "P002", "P003"]
    ties = comember_ties(store.table("memberships"))
    assert ties[["u", "v", "shared"]].values.tolist() == [
        ["groups:P001", "groups:P002", 2], ["groups:P001", "groups:P003", 1],
        ["groups:P002", "groups:P003", 1]]


def test_tsv_gzip_batches_and_progress(tmp_path):
    rows = [["member", "group"]] + [[f"P{i}", f"G{i % 3}"] for i in range(25)]
    plain = _csv(tmp_path / "g.tsv", rows, delimiter="\t")
    path = tmp_path / "g.tsv.gz"
    path.write_bytes(gzip.compress(plain.read_bytes()))
    assert sniff(path) == "groups"
    reader = GroupsReader(path)
    reader.batch_rows = 10
    calls: list[tuple[int, int]] = []
    log = ReadLog(str(path), progress=lambda done, total: calls.append((done, total)))
    batches = list(reader.batches(log))
    assert [len(b.rows["memberships"]) for b in batches] == [10, 10, 5]
    assert [len(b.rows["accounts"]) for b in batches] == [10, 10, 5]
    assert log.records == 25 and calls[-1] == (path.stat().st_size, path.stat().st_size)


# -- sniffing ------------------------------------------------------------------------------------
def test_sniff(tmp_path):
    for name, header, expected in (
        ("g.csv", ["Person", "Group"], True),
        ("g.csv", ["member_id", "group_name", "role", "since", "until"], True),
        ("g.tsv", ["person_id", "name", "email", "group", "joined"], True),
        ("g.csv", ["person", "cohort"], False),                  # no literal group column
        ("g.csv", ["person_id", "name", "district", "group"], False),  # roster-like
        ("g.csv", ["group", "school"], False),                   # no member column
        ("g.csv", ["member", "group", "source", "target"], False),  # an edge list
        ("g.csv", ["name", "PLC A", "PLC B"], False),            # wide: needs --format
        ("g.txt", ["member", "group"], False),
    ):
        path = _csv(tmp_path / name, [header, ["1"] * len(header)],
                    delimiter="\t" if name.endswith(".tsv") else ",")
        assert GroupsReader.sniff(path, read_head(path)) is expected, (name, header)


def test_other_formats_still_sniff_as_before(tmp_path):
    assert sniff(SAMPLE / "roster.csv") == "roster"
    assert sniff(SAMPLE / "naespchat_twarc2.jsonl") == "twarc2"
    assert sniff(SAMPLE / "principallife_tags.csv") == "tags"
    assert sniff(_csv(tmp_path / "r.csv", [["person_id", "name", "group"], ["P1", "A", "G"]])
                 ) == "groups"
    assert sniff(_csv(tmp_path / "r2.csv", [["person_id", "name", "school", "group"],
                                           ["P1", "A", "Elm", "G"]])) == "roster"
    assert sniff(_csv(tmp_path / "e.csv", [["source", "target", "group"], ["a", "b", "G"]])
                 ) == "edgelist"
    roster = _xlsx(tmp_path / "roster.xlsx", {"S": [["person_id", "name"], ["P1", "Ann"]]})
    assert sniff(roster) == "roster"


@pytest.mark.realdata
def test_sniff_does_not_claim_other_formats(realdata):
    files = [p for p in realdata.rglob("*") if p.is_file()]
    for p in files:
        assert not GroupsReader.sniff(p, read_head(p)), p


def test_registry():
    assert FORMATS["groups"] == "groups:GroupsReader"
    assert reader_class("groups") is GroupsReader
    assert GroupsReader.unit == "memberships" and GroupsReader.primary_table == "memberships"
