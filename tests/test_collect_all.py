"""The three collectors into one store, through the CLI, and on to analysis and the report.

Each collector's own tests replay its API in detail; this one shows that what they collect
together flows through ``pln analyze`` and ``pln report`` unchanged, and that the raw files
they keep are read back by ``pln ingest`` (formats sniffed) into exactly the same rows.
"""

from __future__ import annotations

import json

import pytest
import responses
import respx

from plnanalytics import Store
from tests.conftest import cli_said, run_cli, store_rows
from tests.test_collect_bluesky import HANDLE, PASSWORD, FakeBluesky
from tests.test_collect_mastodon import MS, FakeMastodon
from tests.test_collect_x import PAGES, FakeX

X_TOKEN = "PLNTESTBEARER-all-platforms"


@pytest.fixture
def apis(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PLN_X_BEARER_TOKEN", X_TOKEN)
    monkeypatch.setenv("PLN_BLUESKY_HANDLE", HANDLE)
    monkeypatch.setenv("PLN_BLUESKY_APP_PASSWORD", PASSWORD)
    monkeypatch.setattr("time.sleep", lambda seconds: None)  # no real waits, should any come
    with responses.RequestsMock(assert_all_requests_are_fired=False) as http, \
            respx.mock(assert_all_called=False) as xrpc:
        FakeX(http, PAGES)
        FakeMastodon(http, MS)
        FakeBluesky(xrpc)
        yield


def test_three_platforms_collected_then_analyzed_and_reported(apis, tmp_path):
    store = tmp_path / "chats.duckdb"
    for args in (["x", "--query", "#NAESPchat"],
                 ["mastodon", "--hashtag", "NAESPchat", "--instance", f"https://{MS}",
                  "--threads"],
                 ["bluesky", "--hashtag", "NAESPchat"]):
        result = run_cli("collect", *args, "--store", store)
        assert result.exit_code == 0, cli_said(result)
        assert "Collected" in result.output and "done" in result.output
    with Store(store) as st:
        posts = st.table("posts")
        by_platform = posts.groupby("platform").size().to_dict()
        assert set(by_platform) == {"x", "mastodon", "bluesky"}
        assert all(n >= 5 for n in by_platform.values())
        cps = st.sql("SELECT collector, state FROM collections ORDER BY collector")
        assert cps.values.tolist() == [["bluesky", "done"], ["mastodon", "done"], ["x", "done"]]
        collected = store_rows(st)
        raw_files = sorted((tmp_path / "chats.raw").rglob("*.jsonl"))
    assert [p.parent.name for p in raw_files] == ["bluesky", "mastodon", "x"]
    result = run_cli("info", "--store", store)
    assert result.exit_code == 0, cli_said(result)
    assert "Files read" in result.output
    for path in raw_files:  # one line per raw file, however many pages it holds
        assert result.output.count(path.name) == 1

    # analysis and report see every platform's accounts
    out = tmp_path / "results"
    result = run_cli("analyze", "--store", store, "--out", out)
    assert result.exit_code == 0, cli_said(result)
    metrics = (out / "metrics.csv").read_text()
    for prefix in ("x:", "mastodon:", "bluesky:did:plc:"):
        assert prefix in metrics
    summary = json.loads((out / "summary.json").read_text())
    assert summary["edges"] > 0
    result = run_cli("report", "--store", store, "--out", tmp_path / "report.html")
    assert result.exit_code == 0, cli_said(result)
    html = (tmp_path / "report.html").read_text()
    for label in ("@ann@mastodon.social", "@di_naesp", "@dee-edu.bsky.social"):
        assert label in html
    for path, fmt in zip(raw_files, ("bluesky", "mastodon", "x-api"), strict=True):
        # provenance: one row per raw file, however many pages were read into the store
        assert html.count(f"<td>{path}</td><td>{fmt}</td>") == 1

    # the raw files, sniffed and read again, give the very same rows
    again = tmp_path / "again.duckdb"
    result = run_cli("ingest", *raw_files, "--store", again)
    assert result.exit_code == 0, cli_said(result)
    with Store(again) as st:
        assert store_rows(st) == collected
