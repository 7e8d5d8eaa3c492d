"""pln collect bluesky: recorded searchPosts pages replayed with ``respx`` (no network)."""

from __future__ import annotations

import base64
import json
import logging
import time
import traceback
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import respx

from plnanalytics import Store
from plnanalytics.analysis import analyze
from plnanalytics.collect import raw_path
from plnanalytics.collect.bluesky import (
    CollectError,
    CollectReport,
    collect_bluesky,
    collection_key,
    hashtag_query,
)
from plnanalytics.errors import OptionError, PlnError
from plnanalytics.graph.build import build_graph
from plnanalytics.ingest.bluesky import NOTE_OUTSIDE
from tests.conftest import Sleeps, assert_raw_kept_when_store_fails, cli_said, run_cli, store_rows

FIX = Path(__file__).parent / "fixtures" / "bluesky"
LOGIN = "https://bsky.social/xrpc/com.atproto.server.createSession"
PDS = "https://puffball.us-east.host.bsky.network/xrpc"
SEARCH = f"{PDS}/app.bsky.feed.searchPosts"
REFRESH = f"{PDS}/com.atproto.server.refreshSession"
HANDLE = "pln-research.bsky.social"
PASSWORD = "qz4m-7hxt-k2wd-9pvn"  # an app password's shape
QUERY = "#NAESPchat"
U2, U3 = "2024-01-09T20:12:44.701Z", "2024-01-09T20:01:12.346Z"  # the later time ranges
#: (until, cursor) of every request of a full collection, and the page each gets
ORDER = [(None, None), (None, "3"), (None, "6"), (U2, None), (U2, "3"), (U2, "4"), (U3, None)]
PAGES = {key: json.loads((FIX / f"search_{n}.json").read_text(encoding="utf-8"))
         for n, key in enumerate(ORDER, 1)}
SESSION = json.loads((FIX / "session.json").read_text(encoding="utf-8"))
ANA, BO, CY, DEE, NAESP = (f"did:plc:{s}" for s in (
    "k3a7f2mqx4yzm6wbyrnq5d2e", "b2hvn5ycj3pwt7r4kqsmxz6a", "c7tq2w4x6rrzlmn3vy5pa3ko",
    "d4gw6kh2m5nq7rz3xt2bv6ls", "e5yc3pq7ln2wr4vh6mzt2kfa"))
ALL_URIS = sorted({p["uri"] for page in PAGES.values() for p in page["posts"]})


def fixture(name: str) -> dict[str, Any]:
    return json.loads((FIX / f"{name}.json").read_text(encoding="utf-8"))


def jwt(scope: str, exp: int) -> str:
    """A token shaped like the PDS's (the SDK reads its ``exp`` to decide when to refresh)."""
    def part(obj: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return ".".join([part({"typ": "at+jwt", "alg": "ES256K"}),
                     part({"scope": scope, "sub": SESSION["did"], "iat": 1704830400,
                           "exp": exp}), f"c2lnbmF0dXJl{exp}"])


class FakeBluesky:
    """bsky.social's createSession and the PDS's searchPosts and refreshSession: serves the
    recorded pages by ``(until, cursor)`` and records every request.

    ``plan`` maps a search request number (1-based) to what it gets instead: an exception to
    raise (a crash in the transport) or ``(status, headers, body)``. ``first_until`` is the
    ``until`` of the first time range (the collection's own; None serves it as the default).
    """

    def __init__(self, mock: respx.MockRouter, pages: dict[tuple, dict] | None = None, *,
                 first_until: str | None = None, session: dict[str, Any] | None = None) -> None:
        self.pages = PAGES if pages is None else pages
        self.first_until = first_until
        self.session = session or SESSION
        self.plan: dict[int, Any] = {}
        self.login_answer: tuple[int, dict[str, Any]] | None = None
        self.params: list[dict[str, str]] = []
        self.auth: list[str] = []
        self.logins: list[dict[str, Any]] = []
        self.refreshes: list[str] = []
        self.new_tokens: tuple[str, str] | None = None
        self.log_secrets = False
        mock.post(LOGIN).mock(side_effect=self.login)
        mock.post(REFRESH).mock(side_effect=self.refresh)
        mock.get(SEARCH).mock(side_effect=self.search)

    def login(self, request: httpx.Request) -> httpx.Response:
        self.logins.append(json.loads(request.content))
        if self.log_secrets:  # as a client library logging request bodies would
            logging.getLogger("atproto_client").debug("createSession body %s", request.content)
        if self.login_answer is not None:
            return httpx.Response(self.login_answer[0], json=self.login_answer[1])
        return httpx.Response(200, json=self.session)

    def refresh(self, request: httpx.Request) -> httpx.Response:
        self.refreshes.append(request.headers["authorization"])
        self.new_tokens = (jwt("com.atproto.appPass", 4102444800 + len(self.refreshes)),
                           jwt("com.atproto.refresh", 4102444900 + len(self.refreshes)))
        return httpx.Response(200, json={
            "did": SESSION["did"], "handle": HANDLE, "didDoc": SESSION["didDoc"],
            "accessJwt": self.new_tokens[0], "refreshJwt": self.new_tokens[1], "active": True})

    def search(self, request: httpx.Request) -> httpx.Response:
        self.params.append(dict(request.url.params))
        self.auth.append(request.headers.get("authorization", ""))
        if self.log_secrets:  # as a client library logging request headers would
            logging.getLogger("httpx").debug("request headers %s", dict(request.headers))
        step = self.plan.get(len(self.params))
        if isinstance(step, BaseException):
            raise step
        if step is not None:
            status, headers, body = step
            return httpx.Response(status, headers=headers, json=body)
        until = self.params[-1].get("until")
        until = None if until == self.first_until else until
        return httpx.Response(200, json=self.pages[(until, self.params[-1].get("cursor"))])

    @property
    def keys(self) -> list[tuple[str | None, str | None]]:
        return [(None if p.get("until") == self.first_until else p.get("until"),
                 p.get("cursor")) for p in self.params]


@pytest.fixture
def login(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("PLN_BLUESKY_HANDLE", HANDLE)
    monkeypatch.setenv("PLN_BLUESKY_APP_PASSWORD", PASSWORD)
    return PASSWORD


@pytest.fixture
def api():
    with respx.mock(assert_all_called=False) as mock:
        yield mock


def raw_lines(store: Store, since: str | None = None, until: str | None = None
              ) -> list[dict[str, Any]]:
    path = raw_path(store.path, "bluesky", collection_key(QUERY, since, until))
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def token_of(store: Store, since: str | None = None, until: str | None = None
             ) -> dict[str, Any] | None:
    cp = store.checkpoint("bluesky", collection_key(QUERY, since, until))
    return None if cp["next_token"] is None else json.loads(cp["next_token"])


def clean_run(tmp_path: Path, api: respx.MockRouter) -> tuple[list, list]:
    FakeBluesky(api)
    with Store(tmp_path / "clean.duckdb") as clean:
        collect_bluesky(clean, QUERY, sleep=Sleeps())
        rows = store_rows(clean)
    api.reset()
    api.routes.clear()
    return rows


def test_paginates_by_cursor_and_splits_long_windows_into_time_ranges(login, api, store):
    fake = FakeBluesky(api)
    seen: list[str] = []
    report = collect_bluesky(store, QUERY, progress=lambda e: seen.append(e.message),
                             sleep=Sleeps())
    assert isinstance(report, CollectReport)
    # one login, no profile lookup, then the searches on the account's PDS
    assert [str(c.request.url) for c in api.calls][:2] == [LOGIN, SEARCH + "?q=%23NAESPchat"
                                                            "&limit=100&sort=latest"]
    assert fake.logins == [{"identifier": HANDLE, "password": PASSWORD}]
    assert fake.auth == [f"Bearer {SESSION['accessJwt']}"] * 7
    # a range ends when the cursor disappears (page 3) or a page comes back empty (page 6);
    # the next asks for posts up to the oldest seen (its millisecond included); the third
    # brings nothing older, so the collection is done
    assert fake.keys == ORDER
    for params in fake.params:
        assert (params.pop("q"), params.pop("limit"), params.pop("sort")) == \
            (QUERY, "100", "latest")
        assert set(params) <= {"cursor", "until"}
    assert (report.pages, report.posts, report.kept, report.state) == (7, 13, 11, "done")
    assert (report.collector, report.newest_id) == ("bluesky", "2024-01-09T20:58:10.100Z")
    assert sorted(store.table("posts")["post_id"]) == ALL_URIS
    assert "the search stopped at 2024-01-09T20:12:44.700Z: new time range from there back" \
        in seen
    assert seen.index("page 3: 2 posts (2 new)") + 1 == seen.index(
        "the search stopped at 2024-01-09T20:12:44.700Z: new time range from there back")
    assert seen[-1] == "page 7: 1 posts (0 new)"
    cp = store.checkpoint("bluesky", collection_key(QUERY, None, None))
    assert (cp["state"], cp["pages"], cp["posts"], cp["next_token"], cp["newest_id"]) == \
        ("done", 7, 13, None, "2024-01-09T20:58:10.100Z")


def test_mentions_replies_and_quotes_become_ties(login, api, store):
    FakeBluesky(api)
    collect_bluesky(store, QUERY, sleep=Sleeps())
    df = store.table("interactions")
    edges = set(zip(df.kind, df.src, df.dst, strict=True))
    b = "bluesky:"
    assert edges == {
        # Dee's "Grüße aus Zürich 👋 @principal-ana…": a byte-offset facet after multibyte text
        ("mention", b + DEE, b + ANA),
        # Bo replies to Cy and mentions Cy: one reply tie (the parent URI's DID), no mention
        ("reply", b + BO, b + CY),
        ("reply", b + DEE, b + NAESP),
        ("quote", b + ANA, b + NAESP),  # app.bsky.embed.record
        ("quote", b + BO, b + CY),  # app.bsky.embed.recordWithMedia
        ("mention", b + BO, b + NAESP),
    }
    accounts = store.table("accounts").set_index("account")
    assert accounts.loc[b + ANA, "handle"] == "principal-ana.bsky.social"
    assert accounts.loc[b + CY, "handle"] == "cy.naesp-leaders.org"
    assert accounts.loc[b + DEE, "display_name"] == "Dee Müller"
    posts = store.table("posts").set_index("post_id")
    reply = PAGES[(None, None)]["posts"][1]
    assert posts.loc[reply["uri"], "parent_post_id"] == reply["record"]["reply"]["parent"]["uri"]
    # createdAt with -05:00 is stored in UTC
    assert str(posts.loc[reply["uri"], "created_at"]) == "2024-01-09 20:55:03.250000+00:00"
    assert set(posts.contexts.map(tuple)) == {("#naespchat",)}


def test_raw_pages_are_the_served_json_and_read_back_equal(login, api, store, monkeypatch):
    FakeBluesky(api)
    collect_bluesky(store, QUERY, sleep=Sleeps())
    lines = raw_lines(store)
    assert [line["__pln"]["page"] for line in lines] == [1, 2, 3, 4, 5, 6, 7]
    assert [(line["__pln"]["segment_until"], line["__pln"]["cursor"]) for line in lines] == ORDER
    for line, key in zip(lines, ORDER, strict=True):
        meta = line.pop("__pln")
        assert meta["collector"] == "bluesky" and meta["query"] == QUERY and "url" not in meta
        assert meta["retrieved_at"].endswith("+00:00")
        assert line == PAGES[key]  # the server's JSON as it came, not the SDK's models
    before = store_rows(store)
    again = store.ingest(raw_path(store.path, "bluesky", collection_key(QUERY, None, None)),
                         format="bluesky")
    assert (again.records, again.kept, again.rejected) == (13, 0, 0)
    assert store_rows(store) == before

    # the page is on disk before the store is touched: a failing write keeps it raw
    assert_raw_kept_when_store_fails(
        store, monkeypatch, lambda other: collect_bluesky(other, QUERY, sleep=Sleeps()), raw_lines)


def test_posts_outside_the_window_stay_raw_only(login, api, store):
    since, until = "2024-01-09T20:10:00Z", "2024-01-09T20:50:00Z"
    fake = FakeBluesky(api, first_until=until)
    report = collect_bluesky(store, QUERY, since="2024-01-09T15:10:00-05:00",
                             until="2024-01-09 20:50", sleep=Sleeps())
    # the third range is not asked for: the second went past since
    assert fake.keys == ORDER[:6]
    assert {p["since"] for p in fake.params} == {since}
    assert [p["until"] for p in fake.params] == [until] * 3 + [U2] * 3
    stored = store.table("posts")
    assert len(stored) == 5 and report.kept == 5
    assert stored.created_at.min() >= pd_time(since) and stored.created_at.max() < pd_time(until)
    assert json.loads(store.ingests()["notes"].iloc[0]) == {NOTE_OUTSIDE: 3}  # page 1
    assert sum(json.loads(n).get(NOTE_OUTSIDE, 0) for n in store.ingests()["notes"]) == 6
    assert sum(len(line["posts"]) for line in raw_lines(store, since, until)) == 12
    again = store.ingest(raw_path(store.path, "bluesky", collection_key(QUERY, since, until)),
                         format="bluesky")
    assert again.kept == 0 and again.notes[NOTE_OUTSIDE] == 6
    assert store.checkpoint("bluesky", collection_key(QUERY, since, until))["state"] == "done"


def pd_time(value: str) -> Any:
    import pandas as pd

    return pd.Timestamp(value)


def test_resume_after_a_crash_equals_an_uninterrupted_run(login, api, tmp_path):
    expected = clean_run(tmp_path, api)
    fake = FakeBluesky(api)
    fake.plan[4] = RuntimeError("simulated crash in the transport")  # the second time range
    with Store(tmp_path / "crashed.duckdb") as st:
        with pytest.raises(RuntimeError, match="simulated crash"):
            collect_bluesky(st, QUERY, sleep=Sleeps())
        cp = st.checkpoint("bluesky", collection_key(QUERY, None, None))
        assert (cp["state"], cp["pages"]) == ("running", 3)
        assert token_of(st) == {"until": U2, "cursor": None, "oldest": None,
                                "floor": "2024-01-09T20:12:44.700Z"}
        assert st.counts()["posts"] == 8 and len(raw_lines(st)) == 3
        report = collect_bluesky(st, QUERY, resume=True, sleep=Sleeps())
        assert fake.keys == [*ORDER[:4], *ORDER[3:]]
        assert (report.resumed, report.pages, report.kept, report.state) == (True, 4, 3, "done")
        assert store_rows(st) == expected
        assert [line["__pln"]["page"] for line in raw_lines(st)] == [1, 2, 3, 4, 5, 6, 7]
        with pytest.raises(PlnError, match=r"nothing to resume.*finished"):
            collect_bluesky(st, QUERY, resume=True)
    with Store(tmp_path / "never.duckdb") as st, \
            pytest.raises(PlnError, match="nothing to resume: no collection"):
        collect_bluesky(st, QUERY, resume=True)


def test_a_page_fetched_but_not_committed_is_fetched_again(login, api, tmp_path, monkeypatch):
    expected = clean_run(tmp_path, api)
    fake = FakeBluesky(api)
    add_batch = Store.add_batch
    calls = []

    def crash_on_fifth(self: Store, *args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 5:
            raise KeyboardInterrupt  # killed between the raw append and the commit
        return add_batch(self, *args, **kwargs)

    monkeypatch.setattr(Store, "add_batch", crash_on_fifth)
    with Store(tmp_path / "crashed.duckdb") as st:
        with pytest.raises(KeyboardInterrupt):
            collect_bluesky(st, QUERY, sleep=Sleeps())
        assert st.counts()["posts"] == 10
        assert token_of(st)["cursor"] == "3" and token_of(st)["until"] == U2
        monkeypatch.setattr(Store, "add_batch", add_batch)
        collect_bluesky(st, QUERY, resume=True, sleep=Sleeps())
        assert fake.keys == [*ORDER[:5], *ORDER[4:]]
        assert store_rows(st) == expected
        # pages 1-4 (committed) once; page 5 raw twice: fetched uncommitted, then refetched
        pages = [line["__pln"]["page"] for line in raw_lines(st)]
        assert pages == [1, 2, 3, 4, 5, 5, 6, 7]


def test_a_repeated_run_asks_only_for_newer_posts(login, api, store):
    FakeBluesky(api)
    collect_bluesky(store, QUERY, sleep=Sleeps())
    api.routes.clear()
    newer = FakeBluesky(api, {(None, None): fixture("search_newer")},
                        first_until=None)
    report = collect_bluesky(store, QUERY, sleep=Sleeps())
    # since = the newest stored post's sortAt; the page reaches back to it, so it is done
    assert newer.params == [{"q": QUERY, "limit": "100", "sort": "latest",
                             "since": "2024-01-09T20:58:10.100Z"}]
    assert (report.since_id, report.posts, report.kept, report.state) == \
        ("2024-01-09T20:58:10.100Z", 3, 2, "done")
    assert report.newest_id == "2024-01-10T02:30:00.000Z"
    assert store.counts()["posts"] == 13
    df = store.table("interactions")
    assert ("mention", "bluesky:" + CY, "bluesky:" + BO) in set(zip(df.kind, df.src, df.dst,
                                                                     strict=True))
    collect_bluesky(store, QUERY, sleep=Sleeps())
    assert newer.params[1]["since"] == "2024-01-10T02:30:00.000Z"


def test_rate_limit_waits_until_reset_then_retries(login, api, store):
    fake = FakeBluesky(api)
    fake.plan[2] = (429, {"ratelimit-limit": "3000", "ratelimit-remaining": "0",
                          "ratelimit-reset": str(int(time.time()) + 37),
                          "ratelimit-policy": "3000;w=300"}, fixture("rate_limited"))
    fake.plan[4] = (429, {"retry-after": "12"}, fixture("rate_limited"))
    fake.plan[6] = (429, {}, fixture("rate_limited"))
    sleeps, messages = Sleeps(), []
    report = collect_bluesky(store, QUERY, sleep=sleeps,
                             progress=lambda e: messages.append((e.message, e.wait)))
    assert len(sleeps) == 3 and 35 <= sleeps[0] <= 38 and sleeps[1:] == [12, 60]
    assert (f"rate limited: waiting {sleeps[0]:.0f} s", sleeps[0]) in messages
    assert fake.keys == [ORDER[0], ORDER[1], ORDER[1], ORDER[2], ORDER[2], ORDER[3], *ORDER[3:]]
    assert (report.pages, report.kept, report.state, report.retries) == (7, 11, "done", 0)
    assert report.waited == sum(sleeps)


def test_server_errors_and_lost_connections_are_retried_with_backoff(login, api, store):
    fake = FakeBluesky(api)
    fake.plan.update({2: (503, {}, fixture("server_error")),
                      3: (502, {}, fixture("server_error")),
                      4: httpx.ConnectError("connection refused"),
                      5: httpx.RemoteProtocolError("peer closed connection")})
    sleeps = Sleeps()
    report = collect_bluesky(store, QUERY, sleep=sleeps)
    assert sleeps == [1, 2, 4, 8]
    assert (report.retries, report.pages, report.state) == (4, 7, "done")
    assert sorted(store.table("posts")["post_id"]) == ALL_URIS


def test_five_server_errors_stop_with_what_was_kept(login, api, store):
    fake = FakeBluesky(api)
    fake.plan.update({n: (500, {}, fixture("server_error")) for n in range(2, 7)})
    sleeps = Sleeps()
    with pytest.raises(CollectError, match=r"failed 5 times in a row \(500 server error\)"
                                           r"\. Kept 1 page\(s\)") as info:
        collect_bluesky(store, QUERY, since="2024-01-09", sleep=sleeps)
    assert sleeps == [1, 2, 4, 8]
    message = str(info.value)
    assert (f"pln collect bluesky --query '{QUERY}' --since 2024-01-09T00:00:00Z "
            f"--store '{store.path}' --resume") in message
    assert info.value.report.state == "stopped"
    assert store.counts()["posts"] == 3
    key = collection_key(QUERY, "2024-01-09T00:00:00Z", None)
    assert store.checkpoint("bluesky", key)["state"] == "stopped"
    report = collect_bluesky(store, QUERY, since="2024-01-09", resume=True, sleep=sleeps)
    assert (report.pages, report.state) == (6, "done")
    assert sorted(store.table("posts")["post_id"]) == ALL_URIS


@pytest.mark.parametrize(("status", "body", "said"), [
    (400, "bad_cursor", "the Bluesky API refused the search (400 InvalidRequest: invalid "
                        "cursor)"),
    (403, "forbidden", "the Bluesky API refused the search (403 Forbidden: Search is not "
                       "available for this account); searchPosts needs a logged-in account"),
    (401, "auth_failed", "the Bluesky API rejected the session (401 AuthenticationRequired: "
                         "Invalid identifier or password); check PLN_BLUESKY_HANDLE and "
                         "PLN_BLUESKY_APP_PASSWORD"),
])
def test_refusals_stop_with_clear_messages(login, api, store, status, body, said):
    fake = FakeBluesky(api)
    fake.plan[3] = (status, {}, fixture(body))
    sleeps = Sleeps()
    with pytest.raises(CollectError) as info:
        collect_bluesky(store, QUERY, sleep=sleeps)
    message = str(info.value)
    assert message.startswith(said)
    assert "Kept 2 page(s) of this run (6 new posts)" in message and "--resume" in message
    assert sleeps == [] and len(fake.params) == 3
    assert token_of(store)["cursor"] == "6"
    assert store.checkpoint("bluesky", collection_key(QUERY, None, None))["state"] == "stopped"
    collect_bluesky(store, QUERY, resume=True, sleep=sleeps)
    assert sorted(store.table("posts")["post_id"]) == ALL_URIS


def test_an_expired_session_is_refreshed_once(login, api, store):
    fake = FakeBluesky(api)
    fake.plan[2] = (400, {}, fixture("expired"))
    report = collect_bluesky(store, QUERY, sleep=Sleeps())
    assert fake.refreshes == [f"Bearer {SESSION['refreshJwt']}"]
    assert fake.new_tokens is not None
    assert fake.auth[:2] == [f"Bearer {SESSION['accessJwt']}"] * 2
    assert fake.auth[2:] == [f"Bearer {fake.new_tokens[0]}"] * 6
    assert (report.state, report.retries, report.kept) == ("done", 1, 11)
    # expired again right after the refresh: stop, resumable
    fake.plan.update({10: (400, {}, fixture("expired")), 11: (400, {}, fixture("expired"))})
    with Store(store.path.with_name("other.duckdb")) as other, \
            pytest.raises(CollectError, match=r"session expired \(400 ExpiredToken\); run "
                                              r"again to log in anew\. Kept 1 page") as info:
        collect_bluesky(other, QUERY, sleep=Sleeps())
    assert len(fake.refreshes) == 2 and info.value.report.state == "stopped"


def test_the_sdk_refreshes_a_session_about_to_expire(login, api, store):
    soon = {**SESSION, "accessJwt": jwt("com.atproto.appPass", int(time.time()) + 60)}
    fake = FakeBluesky(api, session=soon)
    collect_bluesky(store, QUERY, sleep=Sleeps())
    assert fake.refreshes == [f"Bearer {SESSION['refreshJwt']}"]  # before the first search
    assert fake.new_tokens is not None and set(fake.auth) == {f"Bearer {fake.new_tokens[0]}"}


def test_max_pages_stops_resumably(login, api, store):
    fake = FakeBluesky(api)
    report = collect_bluesky(store, QUERY, max_pages=3, sleep=Sleeps())
    assert (report.pages, report.state) == (3, "stopped")
    assert token_of(store)["until"] == U2  # stopped as the second time range begins
    report = collect_bluesky(store, QUERY, resume=True, max_pages=2, sleep=Sleeps())
    assert (report.pages, report.state) == (2, "stopped")
    report = collect_bluesky(store, QUERY, resume=True, sleep=Sleeps())
    assert (report.pages, report.state) == (2, "done")
    assert fake.keys == ORDER and len(fake.logins) == 3
    assert sorted(store.table("posts")["post_id"]) == ALL_URIS


def test_login_needs_both_variables_and_says_what_an_app_password_is(monkeypatch, api, store):
    fake = FakeBluesky(api)
    for handle, password in ((None, None), (HANDLE, None), (None, PASSWORD), (HANDLE, " ")):
        for name, value in (("PLN_BLUESKY_HANDLE", handle),
                            ("PLN_BLUESKY_APP_PASSWORD", password)):
            if value is None:
                monkeypatch.delenv(name, raising=False)
            else:
                monkeypatch.setenv(name, value)
        with pytest.raises(PlnError) as info:
            collect_bluesky(store, QUERY)
        message = str(info.value)
        assert "PLN_BLUESKY_HANDLE and PLN_BLUESKY_APP_PASSWORD must both be set" in message
        assert "app password" in message and "not your account password" in message
        assert PASSWORD not in message
    assert not api.calls and not fake.logins
    assert store.checkpoint("bluesky", collection_key(QUERY, None, None)) is None
    with pytest.raises(OptionError, match="give a search query"):
        collect_bluesky(store, " ")
    with pytest.raises(OptionError, match="--max-pages must be at least 1"):
        collect_bluesky(store, QUERY, max_pages=0)
    assert hashtag_query("NAESPchat") == hashtag_query("#NAESPchat") == QUERY


def test_a_refused_login_is_a_clear_error_without_the_password(login, api, store):
    fake = FakeBluesky(api)
    fake.login_answer = (401, fixture("auth_failed"))
    with pytest.raises(PlnError) as info:
        collect_bluesky(store, QUERY, sleep=Sleeps())
    message = str(info.value)
    assert not isinstance(info.value, CollectError)
    assert message.startswith("Bluesky refused the login (401 AuthenticationRequired: Invalid "
                              "identifier or password): check PLN_BLUESKY_HANDLE and "
                              "PLN_BLUESKY_APP_PASSWORD")
    text = message + "".join(traceback.format_exception(info.value))
    assert PASSWORD not in text
    assert fake.logins == [{"identifier": HANDLE, "password": PASSWORD}] and not fake.params
    # a rate-limited or failing login is waited out and retried like a search
    fake.login_answer = None
    api.post(LOGIN).mock(side_effect=[
        httpx.Response(429, headers={"retry-after": "5"}, json=fixture("rate_limited")),
        httpx.Response(503, json=fixture("server_error")),
        httpx.Response(200, json=SESSION)])
    sleeps = Sleeps()
    report = collect_bluesky(store, QUERY, sleep=sleeps)
    assert sleeps == [5, 1] and report.state == "done"


def test_credentials_are_never_written(login, api, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    texts: list[str] = []
    path = tmp_path / "chats.duckdb"
    fake = FakeBluesky(api)
    fake.log_secrets = True
    with Store(path) as st:
        collect_bluesky(st, QUERY, max_pages=2, sleep=Sleeps())
        fake.plan.update({3: (400, {}, fixture("expired")),
                          4: (500, {}, fixture("server_error")),
                          5: (403, {}, fixture("forbidden")),
                          6: (401, {}, fixture("auth_failed"))})
        for status in ("403", "401"):
            with pytest.raises(CollectError, match=status) as info:
                collect_bluesky(st, QUERY, resume=True, sleep=Sleeps())
            texts += [str(info.value), repr(info.value),
                      "".join(traceback.format_exception(info.value))]
        collect_bluesky(st, QUERY, resume=True, sleep=Sleeps())
        for table in ("ingests", "collections", "rejects", "pln_meta", "posts", "accounts",
                      "interactions"):
            texts.append(st.sql(f"SELECT * FROM {table}").to_csv())
    assert fake.new_tokens is not None  # the session was refreshed: new tokens to hide too
    secrets = [PASSWORD, SESSION["accessJwt"], SESSION["refreshJwt"], *fake.new_tokens]
    # they were all used
    assert {login["password"] for login in fake.logins} == {PASSWORD}
    assert {f"Bearer {SESSION['accessJwt']}", f"Bearer {fake.new_tokens[0]}"} <= set(fake.auth)
    assert fake.refreshes == [f"Bearer {SESSION['refreshJwt']}"]
    result = run_cli("collect", "bluesky", "--hashtag", "NAESPchat", "--store", path)
    assert result.exit_code == 0, cli_said(result)
    texts.append(cli_said(result))
    # what the libraries logged at debug level (headers, the login body) is redacted
    assert "'authorization': 'Bearer ***'" in caplog.text
    assert '"password":"***"' in caplog.text
    texts.append(caplog.text)
    for text in texts:
        for secret in secrets:
            assert secret not in text
    files = [f for f in tmp_path.rglob("*") if f.is_file()]
    assert any(f.suffix == ".jsonl" for f in files) and any(f.suffix == ".duckdb" for f in files)
    for f in files:
        data = f.read_bytes()
        for secret in secrets:
            assert secret.encode() not in data, f


def test_the_collected_store_goes_through_graph_and_analysis(login, api, tmp_path):
    FakeBluesky(api)
    path = tmp_path / "chats.duckdb"
    result = run_cli("collect", "bluesky", "--hashtag", "NAESPchat", "--store", path,
                     "--max-pages", "4")
    said = cli_said(result)
    assert result.exit_code == 0, said
    assert "stopped" in said and "--resume" in said
    result = run_cli("collect", "bluesky", "--query", QUERY, "--store", path, "--resume")
    assert result.exit_code == 0, cli_said(result)
    with Store(path, read_only=True) as st:
        assert sorted(st.table("posts")["post_id"]) == ALL_URIS
        G = build_graph(st)
    summary = analyze(G, group=None).summary
    assert summary["nodes"] == 5
    assert set(G.nodes) == {"bluesky:" + d for d in (ANA, BO, CY, DEE, NAESP)}


def test_cli_errors_are_one_line(login, api, tmp_path, monkeypatch):
    fake = FakeBluesky(api)
    fake.plan[1] = (403, {}, fixture("forbidden"))
    path = tmp_path / "chats.duckdb"
    result = run_cli("collect", "bluesky", "--hashtag", "NAESPchat", "--store", path)
    said = cli_said(result)
    assert result.exit_code == 1 and "Traceback" not in said
    assert "the Bluesky API refused the search (403 Forbidden" in said
    monkeypatch.delenv("PLN_BLUESKY_APP_PASSWORD")
    result = run_cli("collect", "bluesky", "--hashtag", "NAESPchat", "--store", path)
    assert result.exit_code == 1 and "PLN_BLUESKY_APP_PASSWORD" in cli_said(result)


@pytest.mark.realdata
def test_a_real_search_response_replayed_in_pages(realdata, login, api, tmp_path):
    real = orjson.loads(realdata.joinpath("bluesky-atrrr", "searchPosts_rstats_a.json")
                        .read_bytes())
    posts = real["posts"]
    pages = {(None, None if i == 0 else str(i)): {
        "posts": posts[i:i + 25], **({"cursor": str(i + 25)} if i + 25 < len(posts) else {})}
        for i in range(0, len(posts), 25)}
    # the oldest post's sortAt is its createdAt (indexed a second later), given as -05:00
    assert posts[-1]["record"]["createdAt"] == "2025-07-03T03:02:04-05:00"
    pages[("2025-07-03T08:02:04.001Z", None)] = {"posts": posts[-1:]}
    fake = FakeBluesky(api, pages)
    with Store(tmp_path / "collected.duckdb") as st:
        report = collect_bluesky(st, "#rstats", sleep=Sleeps())
        collected = store_rows(st)
    assert fake.keys == [*pages]
    assert (report.pages, report.posts, report.kept, report.rejected) == (5, 101, 100, 0)
    with Store(tmp_path / "ingested.duckdb") as st:
        st.ingest(realdata.joinpath("bluesky-atrrr", "searchPosts_rstats_a.json"),
                  format="bluesky")
        assert store_rows(st) == collected
