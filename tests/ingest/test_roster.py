"""Roster reader: columns found by name or option, accounts, XLSX, bad rows, sniffing, CLI."""

from __future__ import annotations

import csv
import gzip
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import write_rows
from typer.testing import CliRunner

from plnanalytics.cli import app
from plnanalytics.errors import FormatError, OptionError, RecordError
from plnanalytics.ingest import FORMATS, reader_class, sniff
from plnanalytics.ingest.base import ReadLog, read_head
from plnanalytics.ingest.roster import RosterReader, _cell_text

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
ROSTER = SAMPLE / "roster.csv"
runner = CliRunner()


_csv = write_rows


def _read(path: Path, **options: Any) -> tuple[list[tuple], list[tuple], ReadLog]:
    log = ReadLog(str(path))
    people, identities = [], []
    for batch in RosterReader(path, **options).batches(log):
        people += batch.rows["people"]
        identities += batch.rows["identities"]
    return people, identities, log


def _people(path: Path, **options: Any) -> dict[str, dict[str, Any]]:
    """People by id, as dicts of the people columns (attributes parsed)."""
    cols = ("person_id", "name", "email", "role", "organization", "unit", "attributes")
    out = {}
    for row in _read(path, **options)[0]:
        d = dict(zip(cols, row, strict=True))
        d["attributes"] = json.loads(d["attributes"])
        out[d["person_id"]] = d
    return out


def _xlsx(path: Path, sheets: dict[str, list[list[object]]],
          float_cells: tuple[str, ...] = ()) -> Path:
    """Write a workbook; ``float_cells`` (e.g. "A3") are rewritten as ``<v>N.0</v>`` so they
    are read back as floats, as Excel stores every number."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(row=r, column=c, value=value)
    wb.save(path)
    if float_cells:
        with zipfile.ZipFile(path) as z:
            parts = {n: z.read(n) for n in z.namelist()}
        xml = parts["xl/worksheets/sheet1.xml"].decode()
        for ref in float_cells:
            xml, n = re.subn(rf'(<c r="{ref}"[^>]*><v>)(\d+)(</v>)', r"\g<1>\g<2>.0\g<3>", xml)
            assert n == 1, ref
        parts["xl/worksheets/sheet1.xml"] = xml.encode()
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in parts.items():
                z.writestr(name, data)
    return path


# -- the sample roster ------------------------------------------------------------------------
def test_sample_roster(store):
    with ROSTER.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    report = store.ingest(ROSTER, format="roster")
    assert (report.format, report.unit) == ("roster", "people")
    assert (report.records, report.kept, report.duplicates, report.rejected) == (60, 60, 0, 0)
    people = store.table("people")
    assert list(people.person_id) == [f"P{i:03d}" for i in range(1, 61)]
    p = people.set_index("person_id")
    first = rows[0]
    assert p.loc["P001", "name"] == first["name"] == "Odette Fairweather"
    assert p.loc["P001", "email"] == first["email"]
    assert p.loc["P001", "organization"] == first["district"]
    assert p.loc["P001", "unit"] == first["school"]
    assert p.loc["P001", "role"] == "principal"
    attributes = json.loads(p.loc["P001", "attributes"])
    assert attributes == {"years_as_principal": first["years_as_principal"],
                          "x_handle": first["x_handle"], "x_user_id": first["x_user_id"]}
    assert list(json.loads(p.loc["P001", "attributes"])) == sorted(attributes)
    assert json.loads(p.loc["P014", "attributes"]) == {"years_as_principal": "17"}  # no handle
    identities = store.table("identities")
    expected = {("x:" + r["x_user_id"], r["person_id"]) for r in rows if r["x_user_id"]}
    assert set(zip(identities.account, identities.person_id, strict=True)) == expected
    assert len(identities) == len(expected) == 57
    assert set(identities.method) == {"explicit"} and set(identities.confidence) == {1.0}
    counts = store.counts()
    assert counts["accounts"] == counts["posts"] == counts["interactions"] == 0


def test_sniffed_and_reingested(store):
    assert sniff(ROSTER) == "roster"
    first = store.ingest(ROSTER)
    assert first.format == "roster" and first.kept == 60
    counts = store.counts()
    assert (counts["people"], counts["identities"]) == (60, 57)
    again = store.ingest(ROSTER)
    assert (again.records, again.kept, again.duplicates) == (60, 0, 60)
    assert store.counts() == counts
    assert store.ingests().format.tolist() == ["roster", "roster"]


# -- columns -------------------------------------------------------------------------------------
@pytest.mark.parametrize(("header", "fields"), [
    (["ID", "Full Name", "E-mail", "Position", "Organisation", "Campus"],
     ("Ann Lee", "ann@x.org", "AP", "Cedar", "North")),
    (["Staff ID", "display_name", "Email Address", "Title", "association", "Site"],
     ("Ann Lee", "ann@x.org", "AP", "Cedar", "North")),
    (["employee_id", "NAME", "email", "role", "org", "unit"],
     ("Ann Lee", "ann@x.org", "AP", "Cedar", "North")),
    (["member_id", "name", "e-mail", "role", "District", "School"],
     ("Ann Lee", "ann@x.org", "AP", "Cedar", "North")),
])
def test_column_synonyms(tmp_path, header, fields):
    path = _csv(tmp_path / "r.csv", [header, ["7", *fields]])
    person = _people(path)["7"]
    assert (person["name"], person["email"], person["role"], person["organization"],
            person["unit"]) == fields
    assert person["attributes"] == {}


def test_first_id_synonym_wins_and_others_are_attributes(tmp_path):
    path = _csv(tmp_path / "r.csv", [["id", "person_id", "name"], ["row1", "P1", "Ann"]])
    assert _people(path)["P1"]["attributes"] == {"id": "row1"}


def test_first_and_last_name(tmp_path):
    path = _csv(tmp_path / "r.csv", [["person_id", "First Name", "last_name", "notes"],
                                     ["P1", "Ann", "Lee", "mentor"], ["P2", "Bo", "", ""],
                                     ["P3", "NA", "NA", ""]])
    people = _people(path)
    assert [people[p]["name"] for p in ("P1", "P2", "P3")] == ["Ann Lee", "Bo", None]
    assert people["P1"]["attributes"] == {"notes": "mentor"}  # the name parts are used


def test_name_column_beats_first_and_last(tmp_path):
    path = _csv(tmp_path / "r.csv", [["id", "first_name", "last_name", "name"],
                                     ["1", "Ann", "Lee", "Dr. Ann Lee"]])
    person = _people(path)["1"]
    assert person["name"] == "Dr. Ann Lee"
    assert person["attributes"] == {"first_name": "Ann", "last_name": "Lee"}


def test_explicit_options(tmp_path):
    path = _csv(tmp_path / "r.csv", [
        ["Badge", "Who", "Mail", "Job", "Region", "Building", "name", "Tw", "Toot", "x_id"],
        ["B1", "Ann Lee", "ann@x.org", "principal", "North", "Elm ES", "ignored", "55",
         "ann@mastodon.social", "x:99"],
    ])
    people = _people(path, id_col="badge", name_col="Who", email_col="Mail", role_col="Job",
                     organization_col="Region", unit_col="Building",
                     account_cols={"Tw": "twitter", "Toot": "Mastodon"})
    person = people["B1"]
    assert (person["name"], person["email"], person["role"], person["organization"],
            person["unit"]) == ("Ann Lee", "ann@x.org", "principal", "North", "Elm ES")
    assert person["attributes"] == {"name": "ignored", "Tw": "55",
                                    "Toot": "ann@mastodon.social", "x_id": "x:99"}
    _, identities, _ = _read(path, id_col="Badge", account_cols=["Tw=x", " Toot = mastodon "])
    assert identities == [("x:55", "B1", "explicit", 1.0),
                          ("mastodon:ann@mastodon.social", "B1", "explicit", 1.0),
                          ("x:99", "B1", "explicit", 1.0)]  # x_id found by name; prefix kept


def test_account_columns_found_by_name(tmp_path):
    path = _csv(tmp_path / "r.csv", [
        ["id", "name", "twitter_user_id", "mastodon_account", "bluesky_did", "slack_id",
         "x_handle", "facebook_id"],
        ["1", "Ann", "123", "ann@fosstodon.org", "did:plc:abc", "T01/U02", "ann", "fb9"],
        ["2", "Bo", "x:123", "", "", "", "", ""],
    ])
    people, identities, log = _read(path)
    assert sorted(identities) == sorted([
        ("x:123", "1", "explicit", 1.0), ("mastodon:ann@fosstodon.org", "1", "explicit", 1.0),
        ("bluesky:did:plc:abc", "1", "explicit", 1.0), ("slack:T01/U02", "1", "explicit", 1.0),
        ("x:123", "2", "explicit", 1.0)])
    assert log.notes == {"accounts given for more than one person": 1}
    assert json.loads(people[0][6])["x_handle"] == "ann"  # handles are attributes, not links


def test_missing_values_and_whitespace(tmp_path):
    path = _csv(tmp_path / "r.csv", [["person_id", "name", "email", "x_user_id", "notes"],
                                     [" P1 ", "  Ann Lee ", "N/A", "null", "None"],
                                     ["P2", "Bo", " NA ", "", "  ok "]])
    people, identities, log = _read(path)
    assert people == [("P1", "Ann Lee", None, None, None, None, "{}"),
                      ("P2", "Bo", None, None, None, None, '{"notes": "ok"}')]
    assert identities == [] and log.rejected == 0


def test_unknown_option_columns(tmp_path, store):
    path = _csv(tmp_path / "r.csv", [["person_id", "name"], ["P1", "Ann"]])
    for opts, missing in (({"id_col": "staff"}, "'staff' (option id_col)"),
                          ({"name_col": "who"}, "'who' (option name_col)"),
                          ({"unit_col": "school"}, "'school' (option unit_col)"),
                          ({"account_cols": ["x_user_id=x"]}, "'x_user_id' (option account_cols)")):
        with pytest.raises(OptionError) as err:
            store.ingest(path, format="roster", **opts)
        msg = str(err.value)
        assert "r.csv" in msg and missing in msg and "columns: person_id, name" in msg
    assert sum(store.counts().values()) == 0 and len(store.ingests()) == 0


def test_bad_options(tmp_path):
    path = _csv(tmp_path / "r.csv", [["person_id", "name"], ["P1", "Ann"]])
    with pytest.raises(OptionError, match="src_col"):
        RosterReader(path, src_col="a")
    with pytest.raises(OptionError, match="column=platform"):
        RosterReader(path, account_cols=["x_user_id"])
    with pytest.raises(OptionError, match="without ':'"):
        RosterReader(path, account_cols={"x_user_id": "x:y"})
    with pytest.raises(OptionError, match="sheet applies only"):
        RosterReader(path, sheet="People")
    with pytest.raises(OptionError, match="id_col"):
        RosterReader(path, id_col=" ")


def test_no_id_column_is_a_format_error(tmp_path, store):
    path = _csv(tmp_path / "staff.csv", [["name", "school"], ["Ann", "Elm"]])
    with pytest.raises(FormatError) as err:
        store.ingest(path, format="roster")
    msg = str(err.value)
    assert "staff.csv" in msg and "person_id, id, staff_id, employee_id, member_id" in msg
    assert "id_col" in msg and "name, school" in msg
    empty = tmp_path / "empty.csv"
    empty.write_text("\n\n")
    with pytest.raises(FormatError, match="empty"):
        list(RosterReader(empty).batches(ReadLog(str(empty))))


# -- bad rows ------------------------------------------------------------------------------------
def test_rejects_with_line_numbers(tmp_path, store):
    path = tmp_path / "r.csv"
    path.write_text(
        "person_id,name,x_user_id\n"      # 1
        "P1,Ann,111\n"                     # 2
        ",Nobody,222\n"                    # 3  no id
        "P1,Ann again,333\n"               # 4  repeats line 2
        "\n"                               # 5  blank: skipped
        "P2,Bo,1.44E+18\n"                 # 6  rounded account: cell rejected, person kept
        "P3,Cy\n"                          # 7  too few fields
        "P4,Di,444,extra\n"                # 8  too many fields
        "P5,Ed,555,\n"                     # 9  a trailing empty field is fine
        "P6,\"Fay\nMultiline\",666.0\n"    # 10 decimal point: cell rejected
        "P7,Gus,x:1.5e18\n"                # 12 rounded after the prefix
        "NA,Hal,777\n"                     # 13 missing id
    )
    report = store.ingest(path, format="roster")
    assert (report.records, report.kept, report.rejected) == (5, 5, 8)
    reasons = {r.line: r.reason for r in report.rejects}
    assert sorted(reasons) == [3, 4, 6, 7, 8, 10, 12, 13]
    assert reasons[3] == "no person id (column 'person_id' is empty)" == reasons[13]
    assert "'P1' repeats line 2" in reasons[4]
    assert "2 fields, the header has 3" in reasons[7] and "4 fields" in reasons[8]
    for line, value in ((6, "'1.44E+18'"), (10, "'666.0'"), (12, "'x:1.5e18'")):
        assert f"x_user_id {value}" in reasons[line] and "lost digits" in reasons[line]
        assert "person is kept" in reasons[line]
    people = store.table("people").set_index("person_id")
    assert list(people.index) == ["P1", "P2", "P5", "P6", "P7"]
    assert people.loc["P1", "name"] == "Ann" and people.loc["P6", "name"] == "Fay\nMultiline"
    assert json.loads(people.loc["P2", "attributes"]) == {"x_user_id": "1.44E+18"}
    identities = store.table("identities")
    assert list(zip(identities.account, identities.person_id, strict=True)) == [
        ("x:111", "P1"), ("x:555", "P5")]
    rejects = store.rejects()
    assert list(rejects.line) == [3, 4, 6, 7, 8, 10, 12, 13]


def test_person_id_in_scientific_notation_is_rejected(tmp_path):
    path = _csv(tmp_path / "r.csv", [["employee_id", "name"], ["1.23457E+11", "Ann"],
                                     ["12.5", "Bo"]])
    people, _, log = _read(path)
    assert [p[0] for p in people] == ["12.5"]  # ids are text exactly as written
    assert log.rejects[0].line == 2 and "scientific notation" in log.rejects[0].reason


def test_strict_raises_and_leaves_store_unchanged(tmp_path, store):
    store.ingest(_csv(tmp_path / "ok.csv", [["person_id", "name"], ["P0", "Zoe"]]),
                 format="roster")
    counts = store.counts()
    for rows, line, words in (
        ([["person_id", "name"], ["P1", "Ann"], ["P1", "Bo"]], 3, "repeats line 2"),
        ([["person_id", "name"], ["", "Ann"]], 2, "no person id"),
        ([["person_id", "name", "x_user_id"], ["P1", "Ann", "1.2E+18"]], 2, "lost digits"),
    ):
        path = _csv(tmp_path / "bad.csv", rows)
        with pytest.raises(RecordError) as err:
            store.ingest(path, format="roster", strict=True)
        assert err.value.line == line and "bad.csv" in str(err.value)
        assert words in err.value.reason
        assert store.counts() == counts and len(store.ingests()) == 1


def test_not_utf8_is_a_format_error(tmp_path, store):
    latin = tmp_path / "latin.csv"
    latin.write_bytes("person_id,name\nP1,Jos\xe9\n".encode("latin-1"))
    with pytest.raises(FormatError, match="UTF-8"):
        store.ingest(latin, format="roster")
    disguised = _xlsx(tmp_path / "book.xlsx", {"S": [["person_id", "name"], ["P1", "Ann"]]})
    renamed = tmp_path / "book.csv"
    renamed.write_bytes(disguised.read_bytes())
    with pytest.raises(FormatError, match=r"name it \.xlsx"):
        store.ingest(renamed, format="roster")
    assert sum(store.counts().values()) == 0


# -- delimiters, compression, batches ------------------------------------------------------------
def test_tsv_gzip_batches_and_progress(tmp_path):
    rows = [["person_id", "name", "school"]] + [[f"P{i}", f"N, {i}", "Elm"] for i in range(25)]
    plain = _csv(tmp_path / "r.tsv", rows, delimiter="\t")
    path = tmp_path / "r.tsv.gz"
    path.write_bytes(gzip.compress(plain.read_bytes()))
    assert sniff(path) == "roster"
    reader = RosterReader(path)
    reader.batch_rows = 10
    calls: list[tuple[int, int]] = []
    log = ReadLog(str(path), progress=lambda done, total: calls.append((done, total)))
    batches = list(reader.batches(log))
    assert [len(b.rows["people"]) for b in batches] == [10, 10, 5]
    assert log.records == 25 and calls[-1] == (path.stat().st_size, path.stat().st_size)
    assert batches[0].rows["people"][1][1] == "N, 1"


# -- workbooks -----------------------------------------------------------------------------------
def test_xlsx(tmp_path, store):
    path = _xlsx(tmp_path / "roster.xlsx", {
        "Principals": [
            [None],                                                        # 1 blank
            ["Person ID", "Name", "District", "School", "x_user_id", "Years", None],  # 2
            [17, "Ann Lee", "Cedar", "Elm ES", "1443309687712595975", 7],   # 3 int id
            [18, "Bo Ng", "Cedar", "Oak MS", 1443309687712595975, 2.5],     # 4 float id 18.0
            [None, None, None, None, None, None],                           # 5 blank
            ["P3", "Cy Ra", "NA", None, 123456789, None],                   # 6
            [17, "Ann again", None, None, None, None],                      # 7 repeats row 3
            [None, "No Id", None, None, None, None],                        # 8
            ["P4", "Di", None, None, None, None, "stray"],                  # 9 extra cell
        ],
        "Other": [["id", "name"], ["Z1", "Zed"]],
    }, float_cells=("A4",))
    assert RosterReader.sniff(path, read_head(path)) and sniff(path) == "roster"
    report = store.ingest(path)
    assert report.format == "roster"
    assert (report.records, report.kept, report.rejected) == (3, 3, 4)
    reasons = {r.line: r.reason for r in report.rejects}
    assert sorted(reasons) == [4, 7, 8, 9]
    assert "lost digits" in reasons[4] and "1.443309687712596e+18" in reasons[4]
    assert "'17' repeats line 3" in reasons[7]
    assert reasons[8] == "no person id (column 'Person ID' is empty)"
    assert "7 cells, the header has 6" in reasons[9]
    people = store.table("people").set_index("person_id")
    assert list(people.index) == ["17", "18", "P3"]
    assert people.loc["17", "unit"] == "Elm ES" and people.loc["P3", "organization"] is None
    assert json.loads(people.loc["17", "attributes"]) == {
        "Years": "7", "x_user_id": "1443309687712595975"}
    assert json.loads(people.loc["18", "attributes"])["Years"] == "2.5"
    identities = store.table("identities")
    assert list(zip(identities.account, identities.person_id, strict=True)) == [
        ("x:123456789", "P3"), ("x:1443309687712595975", "17")]
    again = store.ingest(path)
    assert (again.kept, again.duplicates) == (0, 3)


def test_xlsx_sheet_option(tmp_path, store):
    path = _xlsx(tmp_path / "r.xlsx", {"First": [["id", "name"], ["A1", "Ann"]],
                                       "Second": [["staff_id", "full_name"], ["B1", "Bo"]]})
    assert [p[0] for p in _read(path)[0]] == ["A1"]  # the first sheet by default
    assert [p[:2] for p in _read(path, sheet="second")[0]] == [("B1", "Bo")]
    with pytest.raises(OptionError) as err:
        store.ingest(path, sheet="Third")
    assert "'Third'" in str(err.value) and "First, Second" in str(err.value)


def test_broken_xlsx_is_a_format_error(tmp_path, store):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(FormatError) as err:
        store.ingest(path)
    assert "broken.xlsx" in str(err.value) and "Excel workbook" in str(err.value)


def test_cell_text():
    assert _cell_text(17) == _cell_text(17.0) == "17"
    assert _cell_text(1e15) == "1e+15"  # more digits than a spreadsheet holds exactly
    assert _cell_text(True) == "TRUE" and _cell_text(None) == ""


# -- sniffing ------------------------------------------------------------------------------------
def test_sniff(tmp_path):
    for name, header, expected in (
        ("r.csv", ["Person_ID", "Name", "x_user_id"], True),
        ("r.csv", ["staff id", "first_name", "last_name"], True),
        ("r.tsv", ["id", "full_name"], True),
        ("r.csv", ["id", "school"], False),                       # no name
        ("r.csv", ["name", "email"], False),                      # no id
        ("r.csv", ["id", "name", "source", "target"], False),     # an edge list
        ("r.txt", ["person_id", "name"], False),
    ):
        path = _csv(tmp_path / name, [header, ["1"] * len(header)],
                    delimiter="\t" if name.endswith(".tsv") else ",")
        assert RosterReader.sniff(path, read_head(path)) is expected, (name, header)


def test_other_formats_still_sniff_as_before(tmp_path):
    assert sniff(SAMPLE / "naespchat_twarc2.jsonl") == "twarc2"
    assert sniff(SAMPLE / "principallife_tags.csv") == "tags"
    edges = _csv(tmp_path / "advice.csv", [["id", "name", "source", "target"],
                                           ["1", "a", "P1", "P2"]])
    assert sniff(edges) == "edgelist"
    assert sniff(_csv(tmp_path / "e.csv", [["from", "to"], ["a", "b"]])) == "edgelist"
    odd = _csv(tmp_path / "odd.csv", [["a", "b"], ["1", "2"]])
    with pytest.raises(FormatError, match="cannot tell its format"):
        sniff(odd)


@pytest.mark.realdata
def test_sniff_does_not_claim_other_formats(realdata):
    files = [p for p in realdata.rglob("*") if p.is_file()]
    for p in files:
        assert not RosterReader.sniff(p, read_head(p)), p
        if p.suffix in (".csv", ".jsonl"):
            assert sniff(p) != "roster", p


def test_registry():
    assert FORMATS["roster"] == "roster:RosterReader"
    assert reader_class("roster") is RosterReader


# -- the command line ----------------------------------------------------------------------------
def _run(*args: object) -> Any:
    return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "400"})


def _text(result: Any) -> str:
    out = result.output
    try:
        err = result.stderr
    except ValueError:
        err = ""
    return out if err in out else out + "\n" + err


def test_cli_ingest_sample_roster(tmp_path):
    from plnanalytics import Store

    store = tmp_path / "p.duckdb"
    result = _run("ingest", ROSTER, "-s", store)
    out = _text(result)
    assert result.exit_code == 0, out
    row = next(line for line in out.splitlines() if "roster.csv" in line)
    assert "roster" in row and "60 people" in row and "57 identities" in row
    with Store(store, read_only=True) as st:
        assert st.counts()["people"] == 60 and st.counts()["identities"] == 57


def test_cli_roster_options(tmp_path):
    from plnanalytics import Store

    path = _xlsx(tmp_path / "staff.xlsx", {
        "Notes": [["nothing", "here"]],
        "Staff": [["Badge", "Who", "Tw", "Toot"],
                  ["B1", "Ann Lee", "55", "ann@mastodon.social"]],
    })
    store = tmp_path / "p.duckdb"
    result = _run("ingest", path, "-s", store, "--sheet", "Staff", "--id-col", "Badge",
                  "--name-col", "Who", "--account-col", "Tw=x", "--account-col", "Toot=mastodon")
    assert result.exit_code == 0, _text(result)
    with Store(store, read_only=True) as st:
        people = st.table("people")
        assert list(zip(people.person_id, people.name, strict=True)) == [("B1", "Ann Lee")]
        assert sorted(st.table("identities").account) == ["mastodon:ann@mastodon.social",
                                                          "x:55"]
        options = json.loads(st.ingests().options[0])
        assert options == {"id_col": "Badge", "name_col": "Who", "sheet": "Staff",
                           "account_cols": ["Tw=x", "Toot=mastodon"]}


def test_cli_roster_errors(tmp_path):
    store = tmp_path / "p.duckdb"
    result = _run("ingest", ROSTER, "-s", store, "--id-col", "badge")
    out = _text(result)
    assert result.exit_code == 1 and "Traceback" not in out
    errors = [line for line in out.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "'badge' (option id_col)" in errors[0]
    assert not store.exists()
    edges = _csv(tmp_path / "e.csv", [["source", "target"], ["a", "b"]])
    result = _run("ingest", edges, "-s", store, "--account-col", "x=x")
    assert result.exit_code == 1 and "account_cols" in _text(result)
    assert "do not apply to --format edgelist" in _text(result)


def test_cli_help_and_formats():
    result = _run("ingest", "--help")
    assert result.exit_code == 0
    out = re.sub(r"\s+", " ", result.output)
    for option in ("--id-col", "--name-col", "--account-col", "--sheet"):
        assert re.search(rf"{option} .*?roster", out), option
    result = _run("formats")
    assert result.exit_code == 0 and RosterReader.description in result.output
