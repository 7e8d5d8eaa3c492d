"""Over time, chat sessions and introductions through the CLI, the project runner and the
report, on the sample data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import cli_said, run_cli
from report_fixtures import SAMPLE, sample_store

from plnanalytics import Store, build_graph
from plnanalytics.analysis.isolation import flag_isolation
from plnanalytics.analysis.recommend import node_groups, suggest_introductions
from plnanalytics.analysis.sessions import chat_sessions
from plnanalytics.analysis.temporal import timeline
from plnanalytics.config import ConfigError, load_config
from plnanalytics.runner import run_project

NY = "America/New_York"


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    return sample_store(tmp_path_factory.mktemp("time") / "s.duckdb")


@pytest.fixture(scope="module")
def reference(store):
    """What the library says, for the CLI to be compared with."""
    with Store(store, read_only=True) as st:
        G = build_graph(st)
        tl = timeline(st, window="1w", tz=NY)
        watch = flag_isolation(G, timeline=tl)
        cs = chat_sessions(st, G=G)
        groups = node_groups(st, G)
    return G, tl, watch, cs, groups


def secrets() -> set[str]:
    roster = pd.read_csv(SAMPLE / "roster.csv", dtype=str)
    return set(roster["name"]) | set(roster["x_handle"].dropna())


def test_timeline_command_writes_the_tables(store, reference, tmp_path):
    _, tl, watch, _, _ = reference
    r = run_cli("timeline", "--store", store, "--window", "1w", "--tz", NY, "--out", tmp_path)
    said = cli_said(r)
    assert r.exit_code == 0, said
    assert "13 window(s) of week from 2025-09-08 to 2025-12-07" in said
    windows = pd.read_csv(tmp_path / "windows.csv")
    assert windows["window"].tolist() == [w.label for w in tl.windows]
    assert windows["interactions"].tolist() == tl.summary["interactions"].tolist()
    people = pd.read_csv(tmp_path / "people_over_time.csv")
    assert len(people) == len(tl.people)
    wide = pd.read_csv(tmp_path / "trajectories.csv", index_col="node")
    assert wide.loc["roster:P001"].tolist() == tl.trajectories("degree").loc[
        "roster:P001"].tolist()
    retention = pd.read_csv(tmp_path / "retention.csv")
    assert retention["newcomers"].sum() == tl.people.loc[tl.people["active"], "node"].nunique()
    fell = pd.read_csv(tmp_path / "declining.csv")
    assert set(fell["node"]) == set(watch.loc[watch["flag"] == "declining", "node"])
    for name in set(fell["label"]):
        assert name in said
    assert (tmp_path / "timeline.png").stat().st_size > 10_000


def test_timeline_command_pseudonymizes(store, tmp_path):
    r = run_cli("timeline", "--store", store, "--window", "1m", "--out", tmp_path,
                "--pseudonymize")
    assert r.exit_code == 0, cli_said(r)
    for name in ("people_over_time.csv", "trajectories.csv", "declining.csv"):
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert not [s for s in secrets() if s in text], name
    assert "Person " in (tmp_path / "people_over_time.csv").read_text(encoding="utf-8")


def test_timeline_command_mistakes(store):
    r = run_cli("timeline", "--store", store, "--window", "fortnight")
    assert r.exit_code == 1 and "expected a length such as 1w" in cli_said(r)
    r = run_cli("timeline", "--store", store, "--window", "1w", "--tz", "Nowhere/Land")
    assert r.exit_code == 1 and "time zone" in cli_said(r)


def test_flags_window_adds_declining(store, reference):
    _, _, watch, _, _ = reference
    plain = run_cli("flags", "--store", store, "--limit", 0)
    timed = run_cli("flags", "--store", store, "--limit", 0, "--window", "1w", "--tz", NY)
    assert plain.exit_code == 0 and timed.exit_code == 0, cli_said(timed)
    fell = watch[watch["flag"] == "declining"]
    assert len(fell) > 0 and "declining" not in cli_said(plain)
    for reason in fell["reason"]:
        assert reason[:40] in cli_said(timed)


def test_sessions_command(store, reference, tmp_path):
    _, _, _, cs, _ = reference
    r = run_cli("sessions", "--store", store, "--out", tmp_path)
    said = cli_said(r)
    assert r.exit_code == 0, said
    assert "Weekly on Wednesdays" in said
    sessions = pd.read_csv(tmp_path / "sessions.csv")
    assert len(sessions) == 12 == len(cs.sessions)
    assert sessions["participants"].tolist() == cs.sessions["participants"].tolist()
    questions = pd.read_csv(tmp_path / "session_questions.csv")
    assert len(questions) == len(cs.questions)
    for name in ("session_participants.csv", "session_retention.csv", "sessions.png"):
        assert (tmp_path / name).stat().st_size > 0
    # no chat in the TAGS archive alone: said plainly
    r = run_cli("sessions", "--store", store, "--context", "principallife")
    assert r.exit_code == 0 and "No chat sessions found" in cli_said(r)


def test_introduce_command(store, reference, tmp_path):
    G, _, _, _, groups = reference
    out = tmp_path / "introductions.csv"
    r = run_cli("introduce", "--store", store, "--out", out, "--k", 2)
    said = cli_said(r)
    assert r.exit_code == 0, said
    got = pd.read_csv(out, dtype={"person_id": str})
    want = suggest_introductions(G, who=flag_isolation(G), k=2, groups=groups)
    assert got["node"].tolist() == want["node"].tolist()
    assert got["candidate"].tolist() == want["candidate"].tolist()
    for u, c in zip(got["node"], got["candidate"], strict=True):
        assert not G.has_edge(u, c) and not G.has_edge(c, u) and u != c
    assert (got["rank"] <= 2).all() and got["reason"].str.len().gt(10).all()
    assert f"{len(got)} suggestion(s) for {got['node'].nunique()} people on the watchlist" \
        in said


def test_introduce_for_everyone_with_options(store, tmp_path):
    out = tmp_path / "all.csv"
    r = run_cli("introduce", "--store", store, "--out", out, "--all", "--k", 1,
                "--cross-district", "--pseudonymize")
    assert r.exit_code == 0, cli_said(r)
    got = pd.read_csv(out)
    assert got["node"].nunique() == 60  # every roster person
    text = out.read_text(encoding="utf-8")
    assert not [s for s in secrets() if s in text]
    same = tmp_path / "same.csv"
    assert run_cli("introduce", "--store", store, "--out", same, "--all", "--k", 1
                   ).exit_code == 0
    near = pd.read_csv(same)
    crossing = (got["organization"] != got["candidate_organization"]).mean()
    assert crossing == 1.0 > (near["organization"] != near["candidate_organization"]).mean()


def test_report_has_the_new_sections(store, tmp_path):
    html = tmp_path / "r.html"
    r = run_cli("report", "--store", store, "--out", html, "--window", "1w", "--tz", NY)
    assert r.exit_code == 0, cli_said(r)
    page = html.read_text(encoding="utf-8")
    for heading in ("Suggested introductions", "The network window by window",
                    "Do newcomers come back?", "Chat sessions",
                    "Do first-time participants come back?", "Weekly on Wednesdays"):
        assert heading in page, heading
    assert "Tue 09 Sep 2025, 20:00 (America/New_York)" in page  # the first chat, local time
    bare = tmp_path / "bare.html"
    r = run_cli("report", "--store", store, "--out", bare, "--window", "none",
                "--pseudonymize")
    assert r.exit_code == 0, cli_said(r)
    page = bare.read_text(encoding="utf-8")
    assert "The network window by window" not in page and "Chat sessions" in page
    assert not [s for s in secrets() if s in page]


def project(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "pln.toml"
    path.write_text(f"""\
[project]
store = "p.duckdb"
out = "out"

[[sources]]
path = "{SAMPLE / 'naespchat_twarc2.jsonl'}"

[[sources]]
path = "{SAMPLE / 'roster.csv'}"

[report]
enabled = false
{extra}
""", encoding="utf-8")
    return path


def test_project_runs_the_time_features(tmp_path):
    result = run_project(load_config(project(tmp_path, """
[time]
window = "2w"
tz = "America/New_York"

[introductions]
k = 2
prefer_experienced = true
""")))
    out = tmp_path / "out"
    names = {p.name for p in result.files}
    assert {"windows.csv", "people_over_time.csv", "trajectories.csv", "retention.csv",
            "sessions.csv", "session_participants.csv", "session_questions.csv",
            "session_retention.csv", "introductions.csv", "flags.csv"} <= names
    assert result.timeline is not None and result.timeline.windows[0].unit == "2 weeks"
    assert len(pd.read_csv(out / "sessions.csv")) == 12
    intro = pd.read_csv(out / "introductions.csv")
    assert intro["rank"].max() <= 2 and len(intro) == len(result.introductions)


def test_project_without_time_or_with_features_off(tmp_path):
    path = project(tmp_path, """
[sessions]
enabled = false

[introductions]
enabled = false
""")
    path.write_text(path.read_text().replace("enabled = false\n", "enabled = true\n", 1))
    result = run_project(load_config(path))
    names = {p.name for p in result.files}
    assert not names & {"windows.csv", "sessions.csv", "introductions.csv"}
    assert result.timeline is None and result.sessions is None
    page = result.report.read_text(encoding="utf-8")  # the report says so, not "none found"
    assert "Suggested introductions are turned off for this report." in page
    assert "Chat-session detection is turned off for this report." in page
    assert "The network window by window" not in page


@pytest.mark.parametrize(("extra", "said"), [
    ('[time]\nwindow = "fortnight"', "time.window"),
    ('[time]\nwindow = "1w"\ntz = "Mars/Base"', "time.tz"),
    ('[time]\ntz = "UTC"', "missing key window"),
    ("[introductions]\nk = 0", "introductions.k"),
    ('[sessions]\ncolour = "red"', "sessions.colour: unknown key"),
])
def test_project_file_mistakes(tmp_path, extra, said):
    with pytest.raises(ConfigError, match=said):
        load_config(project(tmp_path, extra))


def test_auto_window_leaves_big_networks_out_with_a_note(store, monkeypatch):
    from plnanalytics.report import content

    with Store(store, read_only=True) as st:
        small = content.report_content(st, window="auto", tz=NY)
        assert small.time_note.startswith("13 windows of one week (2025-09-08 to 2025-12-07")
        monkeypatch.setattr(content, "AUTO_TIMELINE_MAX_TIES", 100)
        big = content.report_content(st, window="auto")
        assert big.time_note == "" and big.over_time.empty
        assert any("window by window is left out" in n for n in big.notes)
        given = content.report_content(st, window="1m")  # asked for: always built
        assert given.time_note.startswith("4 windows of one month")


def test_report_draws_the_watchlists_decliners(store, reference):
    from plnanalytics.analysis.isolation import Thresholds
    from plnanalytics.report import content

    G, tl, watch, _, _ = reference
    with Store(store, read_only=True) as st:
        drawn = content.report_content(st, graph=G, timeline=tl, flags=watch)
        strict = flag_isolation(G, timeline=tl,
                                thresholds=Thresholds(declining_min_before=100))
        none = content.report_content(st, graph=G, timeline=tl, flags=strict)
    assert (watch["flag"] == "declining").any() and "declining" in drawn.figures
    assert "declining" not in none.figures  # the figure follows the watchlist's thresholds
