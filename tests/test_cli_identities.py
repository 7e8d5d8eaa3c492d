"""`pln identities`: the review of account-person links, and the loop back through ingest."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import cli_said, run_cli

from plnanalytics import Dataset, Store
from plnanalytics.identity import REVIEW_COLUMNS

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
run, said = run_cli, cli_said


def cells(output: str, first: str) -> list[str]:
    """The cells of the table row whose first cell is ``first``."""
    for line in output.splitlines():
        parts = [c.strip() for c in line.strip().strip("│┃").split("│")]
        if parts and parts[0] == first:
            return parts
    raise AssertionError(f"no row {first!r} in:\n{output}")


@pytest.fixture
def store(tmp_path) -> Path:
    """The sample roster, plus accounts that are linked, ambiguous and unlinked by name."""
    path = tmp_path / "demo.duckdb"
    with Store(path) as st:
        st.ingest(SAMPLE / "roster.csv")
        st.add(Dataset.from_records(
            people=[{"person_id": "P901", "name": "Ann Lee", "organization": "North"},
                    {"person_id": "P902", "name": "Ann Lee", "organization": "South"}],
            accounts=[
                {"account": "x:77", "platform": "x", "handle": "ofw",
                 "display_name": "Odette Fairweathers"},
                {"account": "slack:T1/U1", "platform": "slack", "handle": "ann",
                 "display_name": "Ann Lee"},
                {"account": "slack:T1/U2", "platform": "slack", "handle": "mod",
                 "display_name": "Chat Moderator"}],
            interactions=[{"platform": "survey", "kind": "advice", "src": "survey:Lee, Ann",
                           "dst": "survey:P002", "post_id": "r1"}]))
    return path


def test_writes_the_review_and_shows_counts(store, tmp_path):
    out = tmp_path / "links.csv"
    r = run("identities", "--store", store, "--out", out)
    assert r.exit_code == 0, said(r)
    review = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(review.columns) == list(REVIEW_COLUMNS)
    by = review.set_index("account")
    assert len(review) == 57 + 5
    assert tuple(by.loc["x:77", ["status", "person_id", "method"]]) == ("linked", "P001", "fuzzy")
    assert tuple(by.loc["survey:P002", ["status", "person_id", "method"]]) == (
        "linked", "P002", "explicit")
    assert by.loc["slack:T1/U1", "status"] == "ambiguous"
    assert by.loc["slack:T1/U1", "candidates"] == "P901 Ann Lee (North); P902 Ann Lee (South)"
    assert by.loc["slack:T1/U2", "status"] == "unlinked"
    output = r.output
    assert cells(output, "linked")[1:] == ["explicit", "58"]
    assert [c[:3] for c in (cells(output, "ambiguous"), cells(output, "unlinked"))] == [
        ["ambiguous", "name", "2"], ["unlinked", "", "1"]]
    assert "59 linked, 2 ambiguous, 1 unlinked, 0 rejected of 62 accounts" in output
    assert cells(output, "slack:T1/U1")[1:] == [
        "Ann Lee", "name", "P901 Ann Lee (North); P902 Ann Lee (South)"]
    assert "survey:Lee, Ann" in output
    assert f"Wrote 62 accounts to {out}" in output
    hint = (f"Fix person_id in the CSV (a roster id, or none for no roster person) and run: "
            f"pln ingest {out} --format identities --store {store}")
    assert hint in " ".join(output.split())


def test_status_filter_and_the_loop_back(store, tmp_path):
    out = tmp_path / "open.csv"
    r = run("identities", "-s", store, "-o", out, "--status", "ambiguous",
            "--status", "unlinked")
    assert r.exit_code == 0, said(r)
    review = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert sorted(review.account) == ["slack:T1/U1", "slack:T1/U2", "survey:Lee, Ann"]
    review.loc[review.account == "slack:T1/U1", "person_id"] = "P902"
    review.loc[review.account == "slack:T1/U2", "person_id"] = "none"
    review.to_csv(out, index=False)
    r = run("ingest", out, "--format", "identities", "--store", store)
    assert r.exit_code == 0, said(r)
    assert cells(r.output, "open.csv")[1:4] == ["identities", "2 links", "2"]
    assert "1 rows without a person_id skipped (undecided)" in r.output
    r = run("identities", "-s", store, "--status", "rejected,ambiguous", "--limit", "0")
    assert r.exit_code == 0, said(r)
    assert "0 linked, 1 ambiguous, 0 unlinked, 1 rejected of 2 accounts" in r.output
    assert cells(r.output, "rejected")[1:] == ["rejected", "1"]
    assert "--out links.csv" in " ".join(r.output.split())
    r = run("identities", "-s", store, "--status", "linked", "-o", out)
    linked = pd.read_csv(out, dtype=str, keep_default_na=False).set_index("account")
    assert tuple(linked.loc["slack:T1/U1", ["person_id", "method", "person_name"]]) == (
        "P902", "manual", "Ann Lee")


def test_limit_of_ambiguous_rows(store):
    r = run("identities", "-s", store, "--limit", "1")
    assert r.exit_code == 0, said(r)
    assert "... 1 more (use --limit 0, or --out)" in r.output


def test_user_mistakes(store, tmp_path):
    r = run("identities", "-s", store, "--status", "maybe")
    assert r.exit_code == 1
    assert "--status 'maybe': expected one of linked, ambiguous, unlinked, rejected" in said(r)
    missing = tmp_path / "none.duckdb"
    r = run("identities", "-s", missing)
    assert r.exit_code == 1 and "no such store" in said(r) and not missing.exists()
    r = run("identities", "-s", store, "-o", tmp_path / "links.json")
    assert r.exit_code == 1 and "expected a .csv, .xlsx or .parquet file name" in said(r)
    assert "Traceback" not in said(r)


def test_an_empty_store(tmp_path):
    path = tmp_path / "empty.duckdb"
    Store(path).close()
    r = run("identities", "-s", path)
    assert r.exit_code == 0, said(r)
    assert "No accounts in the store." in r.output
