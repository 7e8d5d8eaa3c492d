"""`pln analyze` and `pln flags` on the sample data, driven with typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import cli_said, run_cli

from plnanalytics.report.export import ANALYSIS_FILES

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
run, said = run_cli, cli_said


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "demo.duckdb"
    r = run("ingest", SAMPLE / "naespchat_twarc2.jsonl", SAMPLE / "principallife_tags.csv",
            SAMPLE / "roster.csv", "--store", path)
    assert r.exit_code == 0, said(r)
    return path


def test_analyze_writes_the_files(store, tmp_path):
    r = run("analyze", "--store", store, "--out", tmp_path / "out")
    assert r.exit_code == 0, said(r)
    for name in ANALYSIS_FILES:
        assert (tmp_path / "out" / name).stat().st_size > 0
        assert f"Wrote {tmp_path / 'out' / name}" in r.output
    assert "modularity" in r.output and "isolates" in r.output
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["nodes"] == 107 and summary["settings"]["group"] == "organization"


def test_analyze_filters_and_group(store, tmp_path):
    r = run("analyze", "--store", store, "--out", tmp_path, "--kinds", "reply,mention",
            "--since", "2025-10-01", "--until", "2025-11-01", "--context", "NAESPchat",
            "--group", "school", "--seed", "7")
    assert r.exit_code == 0, said(r)
    s = json.loads((tmp_path / "summary.json").read_text())
    assert s["graph"]["kinds"] == "reply mention" and s["graph"]["contexts"] == "naespchat"
    assert s["settings"] == {**s["settings"], "group": "unit", "seed": 7}
    m = pd.read_csv(tmp_path / "metrics.csv")
    assert {"liaison", "coordinator"} <= set(m.columns)


def test_analyze_engine_and_community_method(store, tmp_path):
    default = run("analyze", "--store", store, "--out", tmp_path / "auto")
    forced = run("analyze", "--store", store, "--out", tmp_path / "nk", "--engine", "networkit",
                 "--communities", "leiden")
    assert default.exit_code == 0 and forced.exit_code == 0, said(forced)
    auto = json.loads((tmp_path / "auto" / "summary.json").read_text())
    nk = json.loads((tmp_path / "nk" / "summary.json").read_text())
    assert (auto["settings"]["engine"], auto["settings"]["communities"]) == ("networkx",
                                                                             "louvain")
    assert (nk["settings"]["engine"], nk["settings"]["communities"]) == ("networkit", "leiden")
    assert nk["modularity"] > 0.9 * auto["modularity"]
    a = pd.read_csv(tmp_path / "auto" / "metrics.csv").set_index("node")
    b = pd.read_csv(tmp_path / "nk" / "metrics.csv").set_index("node")
    for col in ("degree", "betweenness", "harmonic", "coreness", "clustering", "constraint"):
        # exact on both engines (the sample is small)
        assert np.allclose(a[col], b.loc[a.index, col], atol=1e-9, equal_nan=True), col
    # networkx's PageRank stops at a looser tolerance than networkit's
    gap = (a["pagerank"] - b.loc[a.index, "pagerank"]).abs().max()
    assert gap < 1e-4, gap
    sampled = run("analyze", "--store", store, "--out", tmp_path / "k", "--k", "20",
                  "--engine", "networkx")
    assert sampled.exit_code == 0, said(sampled)
    settings = json.loads((tmp_path / "k" / "summary.json").read_text())["settings"]
    assert settings["k"] == 20
    bad = run("analyze", "--store", store, "--out", tmp_path / "x", "--engine", "igraph")
    assert bad.exit_code == 1
    assert "error: unknown engine 'igraph': choose one of auto, networkx, networkit" in said(bad)


def test_analyze_bad_date_is_one_clear_line(store, tmp_path):
    r = run("analyze", "--store", store, "--out", tmp_path, "--since", "tuesday")
    assert r.exit_code == 1
    assert "error: since: 'tuesday' is not a date" in said(r)
    assert "Traceback" not in said(r)


def test_flags_table_and_csv(store, tmp_path):
    out = tmp_path / "flags.csv"
    r = run("flags", "--store", store, "--out", out)
    assert r.exit_code == 0, said(r)
    assert "16 flag(s) for 16 of 60 roster people." in r.output
    assert "Gideon Vickery" in r.output and "bridge_dependent" in r.output
    flags = pd.read_csv(out, dtype={"person_id": str})
    assert len(flags) == 16
    assert {"person_id", "name", "flag", "severity", "reason", "degree"} <= set(flags.columns)
    assert set(flags.loc[flags.flag == "absent", "person_id"]) == {"P014", "P039", "P056",
                                                                  "P060"}


def test_flags_thresholds_everyone_and_errors(store, tmp_path):
    r = run("flags", "--store", store, "--threshold", "never_sought_min_out=1",
            "--threshold", "bridge_max_share=0.01", "--limit", "0")
    assert r.exit_code == 0, said(r)
    assert "bridge_dependent" not in r.output
    r = run("flags", "--store", store, "--everyone", "--limit", "3")
    assert r.exit_code == 0 and "of 107 nodes" in r.output and "more (use --limit 0" in r.output
    r = run("flags", "--store", store, "--threshold", "loneliness=3")
    assert r.exit_code == 1 and "expected name=value with a name among" in said(r)
    r = run("flags", "--store", store, "--threshold", "never_sought_min_out=many")
    assert r.exit_code == 1 and "is not a number" in said(r)


def test_flags_without_a_roster(tmp_path):
    path = tmp_path / "s.duckdb"
    assert run("ingest", SAMPLE / "principallife_tags.csv", "--store", path).exit_code == 0
    r = run("flags", "--store", path)
    assert r.exit_code == 0 and "No roster in the store" in r.output
    assert "0 flag(s) for 0 of 0 roster people." in r.output


def test_pseudonymized_analysis_and_flags_carry_no_names(store, tmp_path):
    roster = pd.read_csv(SAMPLE / "roster.csv", dtype=str)
    secrets = set(roster["name"]) | set(roster["x_handle"].dropna()) | set(roster["email"])
    out = tmp_path / "private"
    r = run("analyze", "--store", store, "--out", out, "--pseudonymize")
    assert r.exit_code == 0, said(r)
    r = run("flags", "--store", store, "--out", out / "flags.csv", "--pseudonymize")
    assert r.exit_code == 0, said(r)
    assert "Person " in r.output
    for path in out.iterdir():
        text = path.read_text(encoding="utf-8")
        leaked = [s for s in secrets if s in text]
        assert not leaked, (path.name, leaked[:3])
        assert "roster:P0" not in text and "x:4047951857" not in text, path.name
    # stable: the same pseudonym for the same person in both files and across runs
    flags = pd.read_csv(out / "flags.csv")
    again = tmp_path / "again.csv"
    assert run("flags", "--store", store, "--out", again, "--pseudonymize").exit_code == 0
    assert pd.read_csv(again)["node"].tolist() == flags["node"].tolist()
    metrics = pd.read_csv(out / "metrics.csv")
    assert set(flags["node"]) <= set(metrics["node"])
