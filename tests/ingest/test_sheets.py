"""The shared table module: CSV/TSV/.gz and workbook records, headers, rows, cells, options."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import write_workbook

from plnanalytics.errors import FormatError, OptionError, RecordError
from plnanalytics.ingest.base import Batch, ReadLog
from plnanalytics.ingest.sheets import (
    MISSING,
    Table,
    TableReader,
    cell_text,
    cell_value,
    column_names,
    csv_records,
    data_rows,
    find_columns,
    first_of,
    header_row,
    is_workbook,
    norm_name,
    open_table,
    open_text,
    pairs_option,
    sheet_records,
    workbook_header,
)

EXPECTED = "a test table with a header row"


def _read(path: Path, log: ReadLog | None = None, **kwargs: Any
          ) -> tuple[list[str], list[tuple[int, list[str]]], ReadLog]:
    """The header and the data rows of a table file, and the log."""
    log = log or ReadLog(str(path))
    with open_table(path, log, expected=EXPECTED, **kwargs) as table:
        header = table.header()
        rows = list(table.rows(len(header), log))
    return header, rows, log


_xlsx = write_workbook


# -- CSV and TSV ---------------------------------------------------------------------------------
def test_csv_with_bom_and_semicolons(tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes("\ufeffid;name;note\r\n\r\nP1;Ann;\"a;b\"\r\nP2;\"Bo\r\nNg\";\r\n"
                     "P3;Cy;x;y\r\nP4\r\n".encode())
    header, rows, log = _read(path)
    assert header == ["id", "name", "note"]  # BOM removed, ; guessed from the first line
    assert rows == [(3, ["P1", "Ann", "a;b"]), (4, ["P2", "Bo\r\nNg", ""])]
    assert [(r.line, r.reason) for r in log.rejects] == [
        (6, "row has 4 fields, the header has 3"),  # a record's line is where it starts
        (7, "row has 1 fields, the header has 3"),  # a short CSV row is rejected
    ]


def test_tsv_gz_and_progress_position(tmp_path):
    path = tmp_path / "people.tsv.gz"
    path.write_bytes(gzip.compress(b"id\tname, full\nP1\tAnn, Lee\n\nP2\tBo\t\n"))
    log = ReadLog(str(path))
    with open_table(path, log, expected=EXPECTED) as table:
        assert not table.workbook and table.fh is not None
        assert table.header() == ["id", "name, full"]  # .tsv: tab, whatever the first line
        assert list(table.rows(2, log)) == [(2, ["P1", "Ann, Lee"]), (4, ["P2", "Bo"])]
        raw = table.fh.fileobj  # type: ignore[attr-defined]
    assert raw.closed  # the .gz file's own file is closed too
    assert log.rejects == []


def test_txt_prefers_tabs_and_csv_prefers_commas(tmp_path):
    assert _read(_write(tmp_path / "a.txt", "id\tname\nP1\tAnn\n"))[1] == [(2, ["P1", "Ann"])]
    assert _read(_write(tmp_path / "b.csv", "id\nP1\n"))[1] == [(2, ["P1"])]


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_decode_errors_name_the_line_and_give_a_hint(tmp_path):
    latin = tmp_path / "latin.csv"
    latin.write_bytes("id,name\nP1,Ann\nP2,Jos\xe9\n".encode("latin-1"))
    with pytest.raises(FormatError) as err:
        _read(latin)
    # text is decoded a block at a time: the line is where the block starts
    assert str(err.value) == (f"{latin}: not UTF-8 text near line 1; expected {EXPECTED} "
                              "(save it as CSV UTF-8)")
    book = _xlsx(tmp_path / "book.xlsx", {"S": [["id"], ["P1"]]})
    renamed = tmp_path / "book.csv"
    renamed.write_bytes(book.read_bytes())
    with pytest.raises(FormatError, match=r"near line 1; expected a test table with a header "
                                          r"row \(it looks like an Excel workbook: name it "
                                          r"\.xlsx\)$"):
        _read(renamed)


def test_csv_error_is_rejected_with_its_line(tmp_path):
    path = _write(tmp_path / "big.csv", "id,note\nP1,ok\nP2," + "x" * 140_000 + "\nP3,ok\n")
    _, rows, log = _read(path)
    assert [line for line, _ in rows] == [2, 4]
    assert log.rejects[0].line == 3
    assert log.rejects[0].reason.startswith("not a readable CSV row (field larger than")
    with pytest.raises(RecordError) as err:
        _read(path, ReadLog(str(path), strict=True))
    assert err.value.line == 3


def test_damaged_gz_is_a_format_error(tmp_path):
    path = tmp_path / "cut.csv.gz"
    data = b"id,name\n" + b"".join(b"P%d,Ann\n" % i for i in range(20_000))
    path.write_bytes(gzip.compress(data)[:-40])
    with pytest.raises(FormatError, match="cannot read"):
        _read(path)


def test_empty_file(tmp_path):
    with pytest.raises(FormatError, match=f"the file is empty; expected {EXPECTED}$"):
        _read(_write(tmp_path / "empty.csv", "\n , \n"))


def test_csv_records_and_open_text(tmp_path):
    path = _write(tmp_path / "x.csv", "a|b\n1|2\n")
    log = ReadLog(str(path))
    with open_text(path) as (fh, text):
        assert list(csv_records(text, path, log, expected=EXPECTED)) == [
            (1, ["a", "b"]), (2, ["1", "2"])]
    assert fh.closed


# -- workbooks -----------------------------------------------------------------------------------
@pytest.fixture
def book(tmp_path) -> Path:
    return _xlsx(tmp_path / "book.xlsx", {
        "Notes": [["nothing here"]],
        "Staff": [["id", "start", "score", "big", "note", "  "],
                  [17, date(2024, 8, 15), 2.5, 1443309687712595975, "x"],
                  [18.0, datetime(2024, 8, 15, 9, 30), 3.0, 1e16, True],
                  [None, None],
                  [19],
                  [20, None, None, None, None, None, "extra"]],
    })


def test_workbook_rows_as_text(book):
    header, rows, log = _read(book, sheet="Staff")
    assert header == ["id", "start", "score", "big", "note"]  # trailing empty cells dropped
    assert rows == [
        (2, ["17", "2024-08-15", "2.5", "1.443309687712596e+18", "x"]),  # rounded: says so
        (3, ["18", "2024-08-15T09:30:00", "3", "1e+16", "TRUE"]),
        (5, ["19", "", "", "", ""]),  # a sheet's short row is padded
    ]
    assert [(r.line, r.reason) for r in log.rejects] == [(6, "row has 7 cells, the header has 5")]


def test_sheet_selection(book):
    assert _read(book)[0] == ["nothing here"]  # the first sheet by default
    assert _read(book, sheet=" STAFF ")[0][0] == "id"  # by name, ignoring case and spaces
    records = sheet_records(book, expected=EXPECTED, sheet="Staff")
    assert next(records) == (1, ["id", "start", "score", "big", "note", "  "])
    records.close()


def test_unknown_sheet_is_an_option_error(book):
    with pytest.raises(OptionError) as err:
        _read(book, sheet="People")
    assert str(err.value) == (f"{book}: no sheet 'People' (option sheet); the workbook has "
                              "sheets: Notes, Staff")


def test_broken_and_empty_workbooks(tmp_path):
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not a workbook")
    with pytest.raises(FormatError, match=f"cannot read as an Excel workbook .*; expected "
                                          f"{EXPECTED}$"):
        _read(broken)
    with pytest.raises(FormatError, match="the file is empty"):
        _read(_xlsx(tmp_path / "empty.xlsx", {"S": []}))


def test_workbook_header(book, tmp_path):
    assert workbook_header(book) == ["nothing here"]
    late = _xlsx(tmp_path / "late.xlsx", {"S": [[None], [None, "id", "name", None]]})
    assert workbook_header(late) == ["", "id", "name"]
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    assert workbook_header(broken) is None


# -- cells, names, header and rows ---------------------------------------------------------------
def test_missing_values():
    assert {"", "na", "n/a", "#n/a", "null", "none"} == MISSING
    assert [cell_value(c) for c in ("NA", " n/a ", "#N/A", "Null", "None", "", "  ")] == [None] * 7
    assert [cell_value(c) for c in (" P01 ", "0", "nan", "-")] == ["P01", "0", "nan", "-"]


def test_cell_text():
    assert cell_text(17) == cell_text(17.0) == "17"
    assert cell_text(-2.5) == "-2.5" and cell_text(False) == "FALSE"
    assert cell_text(1e15) == "1e+15"  # more digits than a spreadsheet holds exactly
    assert cell_text(date(2024, 3, 1)) == cell_text(datetime(2024, 3, 1)) == "2024-03-01"


def test_header_names():
    assert norm_name(" E-mail  Address ") == "e-mail_address"
    norm = ["name", "id", "person_id", "id"]
    assert first_of(norm, ["person_id", "id"]) == 2
    assert first_of(norm, ["person_id", "id"], {2}) == 1
    assert first_of(norm, ["id"], {1, 3}) is None
    assert column_names(["a", " ", "a", "a", "a.1"]) == ["a", "column 2", "a.1", "a.2", "a.1.1"]


def test_find_columns_named_first():
    header = ["Name", "ID", "Person ID"]
    defaults = {"id_col": ("id", "person_id"), "name_col": ("name",)}
    have = ", ".join(header)
    found, taken = find_columns(Path("r.csv"), header, {"name_col": "id"}, defaults, have)
    assert found == {"name_col": 1, "id_col": 2} and taken == {1, 2}  # the default skips ID
    found, _ = find_columns(Path("r.csv"), header, {}, defaults, have, search=["name_col"])
    assert found == {"name_col": 0}
    with pytest.raises(OptionError, match=r"no column 'mail' \(option id_col\); the file has "
                                          r"columns: Name, ID, Person ID"):
        find_columns(Path("r.csv"), header, {"id_col": "mail"}, defaults, have)


def test_header_row_and_data_rows():
    records = iter([(1, ["", " "]), (2, [" id ", "name", "", ""]), (3, ["P1"])])
    assert header_row(records, Path("x"), expected=EXPECTED) == ["id", "name", "", ""]
    assert next(records) == (3, ["P1"])
    trimmed = header_row(iter([(1, ["id", "", ""])]), Path("x"), expected=EXPECTED, trim=True)
    assert trimmed == ["id"]
    log = ReadLog("x")
    rows = [(2, ["a", "b", " "]), (3, ["c"]), (4, ["d", "e", "f"])]
    assert list(data_rows(iter(rows), 2, log, pad=True)) == [(2, ["a", "b"]), (3, ["c", ""])]
    assert [r.reason for r in log.rejects] == ["row has 3 fields, the header has 2"]


def test_is_workbook():
    assert is_workbook(Path("a.xlsm")) and not is_workbook(Path("a.csv.gz"))
    assert is_workbook(Path("a.xlsx"), sheet="S")
    with pytest.raises(OptionError, match="option sheet applies only to Excel workbooks"):
        is_workbook(Path("a.tsv"), sheet=0)


def test_pairs_option():
    kw = {"expected": "a mapping or a list", "form": "k=v", "example": "a=b"}
    assert pairs_option("o", {"a": 1}, **kw) == [("a", "1")]
    assert pairs_option("o", ("a=b=c",), **kw) == [("a", "b=c")]
    assert pairs_option("o", ("a=b=c",), last=True, **kw) == [("a=b", "c")]
    with pytest.raises(OptionError, match=r"^option o: expected a mapping or a list, got 3$"):
        pairs_option("o", 3, **kw)
    with pytest.raises(OptionError, match=r"^option o: 'ab' is not k=v \(e\.g\. a=b\)$"):
        pairs_option("o", "ab", **kw)


# -- the reader base class -----------------------------------------------------------------------
class _Cells(TableReader):
    format = "cells"
    description = "test table"
    unit = "rows"
    option_names = ("key_col", "flag", "sheet")
    expected = EXPECTED
    column_options = ("key_col",)

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> bool:
        return False

    def _parse_options(self) -> None:
        if self.options.get("flag") == "bad":
            raise OptionError("option flag is bad")

    def _read(self, table: Table, log: ReadLog) -> Iterator[Batch]:
        header = table.header()
        key = self._column(header, "key_col", self.options.get("key_col", "id"), "")
        batch = Batch()
        for line, cells in table.rows(len(header), log):
            batch.rows["memberships"].append((cells[key], str(line), None, None, None))
        yield batch


def test_table_reader(tmp_path, book):
    path = _write(tmp_path / "t.csv", "id,group\nP1,A\n")
    batch = next(_Cells(path).batches(ReadLog(str(path))))
    assert batch.rows["memberships"] == [("P1", "2", None, None, None)]
    batch = next(_Cells(book, sheet="staff").batches(ReadLog(str(book))))
    assert [m[:2] for m in batch.rows["memberships"]] == [("17", "2"), ("18", "3"), ("19", "5")]
    # options are checked in order: column options, the reader's own, then sheet
    with pytest.raises(OptionError, match="option key_col must name a column"):
        _Cells(path, key_col=" ", flag="bad", sheet="S")
    with pytest.raises(OptionError, match="option flag is bad"):
        _Cells(path, flag="bad", sheet="S")
    with pytest.raises(OptionError, match="option sheet applies only"):
        _Cells(path, sheet="S")
