"""Shared fixtures: the real-format files in ../shared/realdata and a fresh store."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from plnanalytics import Store
from plnanalytics.ingest.base import Reader, ReadLog

ROOT = Path(__file__).resolve().parents[1]
REALDATA = ROOT.parent / "shared" / "realdata"
SAMPLE = ROOT / "data" / "sample"


@pytest.fixture
def realdata() -> Path:
    """The folder of real-format conformance files; skips the test when it is absent."""
    if not REALDATA.is_dir():
        pytest.skip("../shared/realdata is not beside this checkout")
    return REALDATA


@pytest.fixture
def store(tmp_path: Path):
    """A new, empty project store in a temporary folder."""
    with Store(tmp_path / "project.duckdb") as s:
        yield s


def collect_rows(reader: Reader, log: ReadLog) -> tuple[list, list, dict, ReadLog]:
    """Run a reader over its file: posts and interaction rows, accounts by key, and the log."""
    posts, edges, accounts = [], [], {}
    for batch in reader.batches(log):
        posts += batch.rows["posts"]
        edges += batch.rows["interactions"]
        accounts.update({a[0]: a for a in batch.rows["accounts"]})
    return posts, edges, accounts, log


def write_csv(path: Path, rows: list[dict[str, str]], header: list[str], missing: str) -> Path:
    """Write rows (dicts) as a CSV file with ``header``; absent cells become ``missing``."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for r in rows:
            w.writerow([r.get(c, missing) for c in header])
    return path


def run_cli(*args: object) -> Any:
    """Run ``pln`` in-process with typer's CliRunner, wide enough that rich never wraps."""
    from typer.testing import CliRunner

    from plnanalytics.cli import app

    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "400"})


def cli_said(result: Any) -> str:
    """Everything the user saw, whether or not this click version mixes stderr into output."""
    try:
        return result.output + (result.stderr or "")
    except ValueError:
        return result.output


def write_rows(path: Path, rows: list[list[object]], delimiter: str = ",") -> Path:
    """Write ``rows`` (the header first) as a CSV or TSV file."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, delimiter=delimiter).writerows(rows)
    return path


def write_workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    """An Excel workbook with these sheets, in order (None cells left empty)."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


class Sleeps(list):
    """A fake ``sleep`` recording the seconds it was asked to wait."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def store_rows(store: Store) -> tuple[list, list]:
    posts = store.table("posts").drop(columns="ingest_id")
    edges = store.table("interactions").drop(columns="ingest_id")
    return (sorted(map(tuple, posts.astype(str).values.tolist())),
            sorted(map(tuple, edges.astype(str).values.tolist())))


def assert_raw_kept_when_store_fails(store: Store, monkeypatch: pytest.MonkeyPatch,
                                     collect: Any, raw_lines: Any) -> None:
    """A collector writes a page to its raw file before the store is touched: when the
    store's write fails, the page is kept raw and nothing is stored. ``collect(other)``
    runs the collection into a fresh store; ``raw_lines(other)`` reads its raw file."""
    def fail(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    with Store(store.path.with_name("other.duckdb")) as other:
        monkeypatch.setattr(Store, "add_batch", fail)
        with pytest.raises(RuntimeError, match="disk full"):
            collect(other)
        assert len(raw_lines(other)) == 1
        assert other.counts()["posts"] == 0
