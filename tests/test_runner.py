"""`run_project` and `pln run` on a small project made of sample files (by absolute path)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import cli_said, run_cli

from plnanalytics import Store
from plnanalytics import runner as runner_module
from plnanalytics.config import load_config
from plnanalytics.report.export import ANALYSIS_FILES
from plnanalytics.runner import STEPS, RunEvent, run_project

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


def project(tmp_path: Path, report: str = "enabled = false") -> Path:
    path = tmp_path / "pln.toml"
    path.write_text(f"""\
[project]
name = "Small"
store = "store/small.duckdb"
out = "out/analysis"

[[sources]]
path = "{SAMPLE / 'roster.csv'}"

[[sources]]
path = "{SAMPLE / 'advice_survey.csv'}"
format = "survey"
min_frequency = 3

[analysis]
group = "district"
seed = 0

[flags]
never_sought_min_out = 1

[report]
{report}
""", encoding="utf-8")
    return path


def test_run_project_writes_the_files(tmp_path):
    events: list[RunEvent] = []
    result = run_project(load_config(project(tmp_path)), progress=events.append)
    out = tmp_path / "out" / "analysis"
    assert [Path(r.path).name for r in result.ingests] == ["roster.csv", "advice_survey.csv"]
    assert result.ingests[0].added["people"] == 60
    assert result.ingests[1].added["interactions"] > 0
    # no [time] window, no posts (so no chat sessions): the introductions for the watchlist
    names = [*ANALYSIS_FILES, "flags.csv", "introductions.csv", "links.csv"]
    assert result.files == [out / n for n in names]
    for p in result.files:
        assert p.stat().st_size > 0
    flags = pd.read_csv(out / "flags.csv")
    assert result.flags == len(flags) > 0
    assert result.flag_counts == flags["flag"].value_counts().to_dict()
    assert result.flagged == flags["node"].nunique() and result.judged == 60
    assert sum(result.identities.values()) == len(pd.read_csv(out / "links.csv"))
    summary = json.loads((out / "summary.json").read_text())
    assert summary["nodes"] == result.summary["nodes"]
    assert summary["settings"]["group"] == "organization"  # "district" is understood
    assert result.report is None and "enabled = false" in result.report_note
    # every step started or finished, in order, and each finished once
    finished = [e.step for e in events if e.finished]
    assert finished == list(STEPS)
    assert any(e.step == "ingest" and e.total for e in events)


def test_rerun_adds_nothing_to_the_store(tmp_path):
    config = load_config(project(tmp_path))
    run_project(config)
    with Store(config.project.store, read_only=True) as st:
        before = st.counts()
    again = run_project(config)
    assert all(n == 0 for n in again.added.values())
    assert [r.kept for r in again.ingests] == [0, 0]
    with Store(config.project.store, read_only=True) as st:
        assert st.counts() == before


def test_report_step_calls_the_writer(tmp_path, monkeypatch):
    calls = {}

    def fake(store, out_html, **options):
        calls.update(options, store=store)
        Path(out_html).write_text("<html></html>")
        return runner_module.RunResult  # any object without html/pdf attributes

    monkeypatch.setattr(runner_module, "report_writer", lambda: (fake, None))
    config = load_config(project(tmp_path, 'title = "T"\npseudonymize = true\nmin_group = 3'))
    result = run_project(config)
    assert result.report == tmp_path / "out" / "analysis" / "report.html"
    assert result.files[-1] == result.report and result.pdf is None
    assert calls["title"] == "T" and calls["names"] is False and calls["min_group"] == 3
    assert calls["pdf"] is None and calls["seed"] == 0
    assert calls["graph"] is not None and calls["analysis"] is not None
    assert isinstance(calls["flags"], pd.DataFrame)


def test_report_unavailable_is_said(tmp_path, monkeypatch):
    monkeypatch.setattr(runner_module, "report_writer",
                        lambda: (None, "the HTML report is not available (test)"))
    events: list[RunEvent] = []
    result = run_project(load_config(project(tmp_path, "")), progress=events.append)
    assert result.report is None and result.report_note == "the HTML report is not available (test)"
    assert events[-1] == RunEvent("report", "skipped: the HTML report is not available (test)",
                                  finished=True)


def test_cli_run(tmp_path, monkeypatch):
    monkeypatch.setattr(runner_module, "report_writer",
                        lambda: (None, "the HTML report is not available (test)"))
    path = project(tmp_path, "")
    r = run_cli("run", path)
    assert r.exit_code == 0, cli_said(r)
    said = cli_said(r)
    assert "Small" in said and "Ingested" in said
    for name in [*ANALYSIS_FILES, "flags.csv", "links.csv"]:
        assert f"Wrote {tmp_path / 'out' / 'analysis' / name}" in said
    assert "No report: the HTML report is not available (test)" in said
    assert "Flags: " in said


def test_cli_run_reports_config_mistakes(tmp_path):
    path = project(tmp_path)
    path.write_text(path.read_text().replace("seed = 0", "seed = 'zero'"))
    r = run_cli("run", path)
    assert r.exit_code == 1
    assert f"error: {path}, line 16: analysis.seed: expected a whole number" in cli_said(r)
    assert not (tmp_path / "store").exists()


@pytest.mark.parametrize("missing", ["nope.toml"])
def test_cli_run_missing_file(tmp_path, missing):
    r = run_cli("run", tmp_path / missing)
    assert r.exit_code == 1 and "no such project file" in cli_said(r)


def test_pseudonymized_project_writes_no_names(tmp_path):
    result = run_project(load_config(project(tmp_path, "enabled = false\nnames = false")))
    out = tmp_path / "out" / "analysis"
    assert not (out / "links.csv").exists()  # it pairs accounts with people
    roster = pd.read_csv(SAMPLE / "roster.csv", dtype=str)
    secrets = set(roster["name"]) | set(roster["email"])
    for path in result.files:
        text = path.read_text(encoding="utf-8")
        assert not [s for s in secrets if s in text], path.name
    assert "Person " in (out / "flags.csv").read_text(encoding="utf-8")
