"""Tables written for spreadsheets neutralize formulas, in CSV and in Excel alike."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from plnanalytics import PlnError, write_table

HOSTILE = pd.DataFrame({"name": ["=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "Ann"],
                        "degree": [1, 2, 3, 4, 5]})


def test_xlsx_cells_are_guarded(tmp_path):
    assert write_table(HOSTILE, tmp_path / "t.xlsx") == 5
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx").active
    names = [ws.cell(row=i, column=1).value for i in range(2, 7)]
    assert names == ["'=HYPERLINK(\"http://x\")", "'+1", "'-2", "'@SUM(A1)", "Ann"]
    assert [ws.cell(row=i, column=2).value for i in range(2, 7)] == [1, 2, 3, 4, 5]
    assert not any(ws.cell(row=i, column=1).data_type == "f" for i in range(2, 7))
    assert not (tmp_path / "t.xlsx.part").exists()


def test_csv_guarded_unless_raw_and_unknown_suffix(tmp_path):
    write_table(HOSTILE, tmp_path / "t.csv")
    assert "'=HYPERLINK" in (tmp_path / "t.csv").read_text()
    write_table(HOSTILE, tmp_path / "raw.csv", guard=False)
    assert "\n=HYPERLINK" in (tmp_path / "raw.csv").read_text().replace('"=', "=")
    with pytest.raises(PlnError, match=r"\.csv, \.xlsx or \.parquet"):
        write_table(HOSTILE, tmp_path / "t.json")
