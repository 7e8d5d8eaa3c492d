"""pln collect x: recorded API v2 pages replayed with ``responses`` (no network)."""

from __future__ import annotations

import json
import logging
import time
import traceback
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses

from plnanalytics import Store
from plnanalytics.analysis import analyze
from plnanalytics.collect import CollectReport, collect_x, collection_key, raw_path
from plnanalytics.collect.x import EXPANSIONS, TWEET_FIELDS, USER_FIELDS, CollectError
from plnanalytics.errors import OptionError, PlnError
from plnanalytics.graph.build import build_graph
from tests.conftest import Sleeps, assert_raw_kept_when_store_fails, cli_said, run_cli, store_rows

FIX = Path(__file__).parent / "fixtures" / "x"
RECENT = "https://api.twitter.com/2/tweets/search/recent"
ARCHIVE = "https://api.twitter.com/2/tweets/search/all"
TOKEN = "PLNTESTBEARER-9d41c7e2-never-written"
QUERY = "#NAESPchat"
PAGES = [json.loads((FIX / f"page{n}.json").read_text()) for n in (1, 2, 3, 4)]
TOKENS = [None] + [p["meta"]["next_token"] for p in PAGES[:3]]
ALL_IDS = ["1001", "1003", "1004", "1005", "1006", "1007", "1008", "1009"]


def fixture(name: str) -> dict[str, Any]:
    return json.loads((FIX / f"{name}.json").read_text())


class FakeX:
    """The search endpoint: serves recorded pages by ``next_token`` and records every request.

    ``plan`` maps a request number (1-based) to what that request gets instead: an exception
    to raise (a crash in the transport) or ``(status, headers, body)``.
    """

    def __init__(self, api: responses.RequestsMock, pages: list[dict[str, Any]],
                 url: str = RECENT) -> None:
        self.by_token: dict[str | None, dict[str, Any]] = {}
        previous = None
        for page in pages:
            self.by_token[previous] = page
            previous = page["meta"].get("next_token")
        self.plan: dict[int, Any] = {}
        self.params: list[dict[str, str]] = []
        self.auth: list[str] = []
        api.add_callback(responses.GET, url, callback=self)

    def __call__(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        self.params.append({k: v[0] for k, v in parse_qs(urlsplit(request.url).query).items()})
        self.auth.append(request.headers.get("Authorization", ""))
        step = self.plan.get(len(self.params))
        if isinstance(step, BaseException):
            raise step
        if step is not None:
            status, headers, body = step
            return status, {"content-type": "application/json", **headers}, json.dumps(body)
        page = self.by_token[self.params[-1].get("next_token")]
        return 200, {"content-type": "application/json"}, json.dumps(page)

    @property
    def tokens(self) -> list[str | None]:
        return [p.get("next_token") for p in self.params]


@pytest.fixture
def token(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("PLN_X_BEARER_TOKEN", TOKEN)
    return TOKEN


@pytest.fixture
def api():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def raw_lines(store: Store) -> list[dict[str, Any]]:
    path = raw_path(store.path, "x", collection_key(QUERY, None, None))
    return [json.loads(line) for line in path.read_text().splitlines()]


def clean_run(tmp_path: Path, api: responses.RequestsMock) -> tuple[list, list]:
    FakeX(api, PAGES)
    with Store(tmp_path / "clean.duckdb") as clean:
        collect_x(clean, QUERY, sleep=Sleeps())
        return store_rows(clean)


def test_paginates_one_request_at_a_time_with_the_fields_the_network_needs(token, api, store):
    fake = FakeX(api, PAGES)
    seen: list[str] = []
    report = collect_x(store, QUERY, progress=lambda e: seen.append(e.message), sleep=Sleeps())
    assert isinstance(report, CollectReport)
    assert (report.pages, report.posts, report.kept, report.state) == (4, 8, 8, "done")
    assert fake.tokens == TOKENS
    for params in fake.params:
        assert params["query"] == QUERY
        assert params["max_results"] == "100"
        assert params["expansions"] == ",".join(EXPANSIONS)
        assert params["tweet.fields"] == ",".join(TWEET_FIELDS)
        assert params["user.fields"] == ",".join(USER_FIELDS)
        assert "since_id" not in params and "start_time" not in params
    assert fake.auth == [f"Bearer {TOKEN}"] * 4
    assert sorted(store.table("posts")["post_id"]) == ALL_IDS
    kinds = set(zip(store.table("interactions")["kind"], store.table("interactions")["src"],
                    store.table("interactions")["dst"], strict=True))
    assert ("retweet", "x:12", "x:11") in kinds  # 1008 retweets bo's 1003 (from includes)
    assert ("quote", "x:11", "x:12") in kinds
    assert ("reply", "x:10", "x:12") in kinds
    assert ("mention", "x:10", "x:13") in kinds  # cy is the replied-to, not a mention
    assert ("mention", "x:10", "x:12") not in kinds
    assert ("mention", "x:12", "x:11") not in kinds  # a retweet's mentions are bo's
    accounts = store.table("accounts").set_index("account")
    assert accounts.loc["x:13", "handle"] == "di_naesp"
    assert accounts.loc["x:13", "followers_count"] == 9000
    cp = store.checkpoint("x", collection_key(QUERY, None, None))
    assert (cp["state"], cp["pages"], cp["posts"], cp["newest_id"], cp["next_token"]) == \
        ("done", 4, 8, "1009", None)
    assert seen[-1] == "page 4: 2 posts (2 new)"


def test_window_and_archive_endpoint(token, api, store):
    fake = FakeX(api, PAGES, url=ARCHIVE)
    report = collect_x(store, QUERY, since="2024-01-09", until="2024-01-10T02:00:00+02:00",
                       archive=True, sleep=Sleeps())
    assert report.state == "done"
    assert fake.params[0]["start_time"] == "2024-01-09T00:00:00Z"
    assert {p["end_time"] for p in fake.params} == {"2024-01-10T00:00:00Z"}
    assert store.checkpoint("x", collection_key(QUERY, "2024-01-09T00:00:00Z",
                                                "2024-01-10T00:00:00Z", archive=True)
                            )["state"] == "done"
    # recent search and the full archive are different collections (their tokens differ)
    assert store.checkpoint("x", collection_key(QUERY, "2024-01-09T00:00:00Z",
                                                "2024-01-10T00:00:00Z")) is None
    with pytest.raises(OptionError, match="--since 'last week' is not a time"):
        collect_x(store, QUERY, since="last week")
    with pytest.raises(OptionError, match="query"):
        collect_x(store, "  ")


def test_raw_pages_are_written_first_and_read_back_equal(token, api, store, monkeypatch):
    FakeX(api, PAGES)
    collect_x(store, QUERY, sleep=Sleeps())
    lines = raw_lines(store)
    assert [line["__pln"]["page"] for line in lines] == [1, 2, 3, 4]
    assert [line["__pln"]["next_token"] for line in lines] == TOKENS
    for line, page in zip(lines, PAGES, strict=True):
        meta = line.pop("__pln")
        assert meta["query"] == QUERY and meta["endpoint"] == "recent" and "url" not in meta
        assert meta["retrieved_at"].endswith("+00:00")
        assert line == page
    before = store_rows(store)
    again = store.ingest(raw_path(store.path, "x", collection_key(QUERY, None, None)))
    assert (again.format, again.records, again.kept) == ("twarc2", 8, 0)
    assert store_rows(store) == before

    # the page is on disk before the store is touched: a failing write keeps it raw
    assert_raw_kept_when_store_fails(
        store, monkeypatch, lambda other: collect_x(other, QUERY, sleep=Sleeps()), raw_lines)


def test_resume_after_a_crash_equals_an_uninterrupted_run(token, api, tmp_path):
    expected = clean_run(tmp_path, api)
    api.reset()
    fake = FakeX(api, PAGES)
    fake.plan[3] = requests.exceptions.ChunkedEncodingError("simulated crash after page 2")
    with Store(tmp_path / "crashed.duckdb") as st:
        with pytest.raises(requests.exceptions.ChunkedEncodingError):
            collect_x(st, QUERY, sleep=Sleeps())
        cp = st.checkpoint("x", collection_key(QUERY, None, None))
        assert (cp["state"], cp["pages"], cp["next_token"]) == ("running", 2, TOKENS[2])
        assert st.counts()["posts"] == 4
        assert len(raw_lines(st)) == 2
        report = collect_x(st, QUERY, resume=True, sleep=Sleeps())
        assert fake.tokens == [*TOKENS[:3], *TOKENS[2:]]
        assert (report.resumed, report.pages, report.kept, report.state) == (True, 2, 4, "done")
        assert store_rows(st) == expected
        assert [line["__pln"]["page"] for line in raw_lines(st)] == [1, 2, 3, 4]
        with pytest.raises(PlnError, match=r"nothing to resume.*finished"):
            collect_x(st, QUERY, resume=True)
    with Store(tmp_path / "never.duckdb") as st, \
            pytest.raises(PlnError, match="nothing to resume: no collection"):
        collect_x(st, QUERY, resume=True)


def test_a_page_fetched_but_not_committed_is_fetched_again(token, api, tmp_path, monkeypatch):
    expected = clean_run(tmp_path, api)
    api.reset()
    fake = FakeX(api, PAGES)
    add_batch = Store.add_batch
    calls = []

    def crash_on_third(self: Store, *args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt  # killed between the raw append and the commit
        return add_batch(self, *args, **kwargs)

    monkeypatch.setattr(Store, "add_batch", crash_on_third)
    with Store(tmp_path / "crashed.duckdb") as st:
        with pytest.raises(KeyboardInterrupt):
            collect_x(st, QUERY, sleep=Sleeps())
        assert st.counts()["posts"] == 4
        monkeypatch.setattr(Store, "add_batch", add_batch)
        collect_x(st, QUERY, resume=True, sleep=Sleeps())
        assert fake.tokens == [*TOKENS[:3], *TOKENS[2:]]
        assert store_rows(st) == expected
        # pages 1-2 (committed) once; page 3 raw twice: fetched uncommitted, then refetched
        pages = [line["__pln"]["page"] for line in raw_lines(st)]
        assert pages == [1, 2, 3, 3, 4]


def test_a_repeated_run_asks_only_for_newer_posts(token, api, store):
    fake = FakeX(api, PAGES)
    collect_x(store, QUERY, since="2024-01-01", sleep=Sleeps())
    api.reset()
    newer = FakeX(api, [fixture("page_newer")])
    report = collect_x(store, QUERY, since="2024-01-01", sleep=Sleeps())
    assert newer.params[0]["since_id"] == "1009"
    assert "start_time" not in newer.params[0] and "next_token" not in newer.params[0]
    assert (report.since_id, report.kept, report.newest_id) == ("1009", 2, "1011")
    assert store.counts()["posts"] == 10
    collect_x(store, QUERY, since="2024-01-01", sleep=Sleeps())
    assert newer.params[1]["since_id"] == "1011"
    assert "since_id" not in fake.params[0]


def test_rate_limit_waits_until_reset_then_retries(token, api, store):
    fake = FakeX(api, PAGES)
    fake.plan[2] = (429, {"x-rate-limit-reset": str(int(time.time()) + 37),
                          "x-rate-limit-remaining": "0"}, fixture("rate_limited"))
    sleeps, messages = Sleeps(), []
    report = collect_x(store, QUERY, sleep=sleeps,
                       progress=lambda e: messages.append((e.message, e.wait)))
    assert len(sleeps) == 1 and 35 <= sleeps[0] <= 38
    assert (f"rate limited: waiting {sleeps[0]:.0f} s", sleeps[0]) in messages
    assert fake.tokens == [TOKENS[0], TOKENS[1], *TOKENS[1:]]
    assert (report.pages, report.kept, report.state, report.waited) == (4, 8, "done", sleeps[0])


def test_server_errors_are_retried_with_exponential_backoff(token, api, store):
    fake = FakeX(api, PAGES)
    fake.plan.update({2: (503, {}, fixture("server_error")),
                      3: (500, {}, fixture("server_error"))})
    sleeps = Sleeps()
    report = collect_x(store, QUERY, sleep=sleeps)
    assert sleeps == [1, 2]
    assert (report.retries, report.pages, report.state) == (2, 4, "done")
    assert sorted(store.table("posts")["post_id"]) == ALL_IDS


def test_five_server_errors_stop_with_what_was_kept(token, api, store):
    fake = FakeX(api, PAGES)
    fake.plan.update({n: (503, {}, fixture("server_error")) for n in range(2, 7)})
    sleeps = Sleeps()
    with pytest.raises(CollectError, match=r"failed 5 times in a row \(503 server error\)"
                                           r"\. Kept 1 page\(s\)") as info:
        collect_x(store, QUERY, sleep=sleeps)
    assert sleeps == [1, 2, 4, 8]
    assert info.value.report.state == "stopped"
    assert store.counts()["posts"] == 2
    assert store.checkpoint("x", collection_key(QUERY, None, None))["state"] == "stopped"
    report = collect_x(store, QUERY, resume=True, sleep=sleeps)
    assert (report.pages, report.state) == (3, "done")
    assert sorted(store.table("posts")["post_id"]) == ALL_IDS


def test_forbidden_stops_keeping_committed_pages_and_says_how_to_resume(token, api, store):
    fake = FakeX(api, PAGES)
    fake.plan[3] = (403, {}, fixture("forbidden"))
    with pytest.raises(CollectError) as info:
        collect_x(store, QUERY, since="2024-01-01", sleep=Sleeps())
    message = str(info.value)
    assert "403 Forbidden" in message and "access level" in message
    assert "Kept 2 page(s) of this run (4 new posts)" in message
    assert (f"pln collect x --query '{QUERY}' --since 2024-01-01T00:00:00Z "
            f"--store '{store.path}' --resume") in message
    assert store.counts()["posts"] == 4
    cp = store.checkpoint("x", collection_key(QUERY, "2024-01-01T00:00:00Z", None))
    assert (cp["state"], cp["next_token"]) == ("stopped", TOKENS[2])
    collect_x(store, QUERY, since="2024-01-01", resume=True, sleep=Sleeps())
    assert sorted(store.table("posts")["post_id"]) == ALL_IDS


def test_usage_cap_stops_without_waiting(token, api, store):
    fake = FakeX(api, PAGES)
    fake.plan[2] = (429, {"x-rate-limit-reset": str(int(time.time()) + 900)},
                    fixture("usage_cap"))
    sleeps = Sleeps()
    with pytest.raises(CollectError, match=r"usage cap.*Kept 1 page.*--resume"):
        collect_x(store, QUERY, sleep=sleeps)
    assert sleeps == []
    assert store.counts()["posts"] == 2


def test_max_pages_stops_resumably(token, api, store):
    FakeX(api, PAGES)
    report = collect_x(store, QUERY, max_pages=2, sleep=Sleeps())
    assert (report.pages, report.state) == (2, "stopped")
    report = collect_x(store, QUERY, resume=True, sleep=Sleeps())
    assert (report.pages, report.state) == (2, "done")
    assert sorted(store.table("posts")["post_id"]) == ALL_IDS


def test_missing_token_is_a_clear_error(monkeypatch, store):
    monkeypatch.delenv("PLN_X_BEARER_TOKEN", raising=False)
    with pytest.raises(PlnError, match="PLN_X_BEARER_TOKEN is not set"):
        collect_x(store, QUERY)


def test_the_token_is_never_written(token, api, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    texts: list[str] = []
    path = tmp_path / "chats.duckdb"
    with Store(path) as st:
        fake = FakeX(api, PAGES)
        collect_x(st, QUERY, max_pages=2, sleep=Sleeps())
        fake.plan.update({3: (503, {}, fixture("server_error")),
                          4: (403, {}, fixture("forbidden"))})
        fake.plan[5] = (401, {}, {"title": "Unauthorized", "status": 401})
        for status in ("403", "401"):
            with pytest.raises(CollectError, match=status) as info:
                collect_x(st, QUERY, resume=True, sleep=Sleeps())
            texts += [str(info.value), repr(info.value),
                      "".join(traceback.format_exception(info.value))]
        collect_x(st, QUERY, resume=True, sleep=Sleeps())
        for table in ("ingests", "collections", "rejects", "pln_meta", "posts", "accounts",
                      "interactions"):
            texts.append(st.sql(f"SELECT * FROM {table}").to_csv())
    assert fake.auth and all(a == f"Bearer {TOKEN}" for a in fake.auth)  # it was used
    result = run_cli("collect", "x", "--query", QUERY, "--store", path)
    texts.append(cli_said(result))
    assert "Bearer ***" in caplog.text  # tweepy's debug log of request headers, redacted
    texts.append(caplog.text)
    for text in texts:
        assert TOKEN not in text
    files = [f for f in [*tmp_path.rglob("*"), *FIX.rglob("*")] if f.is_file()]
    assert any(f.suffix == ".jsonl" for f in files)
    for f in files:
        assert TOKEN.encode() not in f.read_bytes(), f


def test_cli_collect_x(token, api, tmp_path):
    FakeX(api, PAGES)
    path = tmp_path / "chats.duckdb"
    result = run_cli("collect", "x", "--query", QUERY, "--store", path, "--max-pages", "3")
    said = cli_said(result)
    assert result.exit_code == 0, said
    assert "Collected" in said and "stopped" in said and "--resume" in said
    result = run_cli("collect", "x", "--query", QUERY, "--store", path, "--resume")
    assert result.exit_code == 0, cli_said(result)
    assert "done" in cli_said(result)
    with Store(path, read_only=True) as st:
        assert sorted(st.table("posts")["post_id"]) == ALL_IDS
        G = build_graph(st)
    assert analyze(G, group=None).summary["nodes"] == 4


def test_cli_collect_x_errors_are_one_line(token, api, tmp_path, monkeypatch):
    fake = FakeX(api, PAGES)
    fake.plan[1] = (403, {}, fixture("forbidden"))
    path = tmp_path / "chats.duckdb"
    result = run_cli("collect", "x", "--query", QUERY, "--store", path)
    said = cli_said(result)
    assert result.exit_code == 1
    assert "error: the X API refused the recent search (403 Forbidden" in said
    assert "Traceback" not in said
    monkeypatch.delenv("PLN_X_BEARER_TOKEN")
    result = run_cli("collect", "x", "--query", QUERY, "--store", path)
    assert result.exit_code == 1 and "PLN_X_BEARER_TOKEN is not set" in cli_said(result)
