"""pln collect mastodon: recorded tag timelines and threads replayed with ``responses``."""

from __future__ import annotations

import json
import logging
import re
import traceback
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses

from plnanalytics import Store
from plnanalytics.analysis import analyze
from plnanalytics.collect import CollectError, CollectReport, raw_path
from plnanalytics.collect.mastodon import collect_mastodon, collection_key, token_variable
from plnanalytics.errors import OptionError, PlnError
from plnanalytics.graph.build import build_graph
from plnanalytics.ingest.mastodon import NOTE_OUTSIDE_WINDOW
from tests.conftest import Sleeps, assert_raw_kept_when_store_fails, store_rows

FIX = Path(__file__).parent / "fixtures" / "mastodon"
REALDATA = Path(__file__).resolve().parents[1].parent / "shared" / "realdata"
TAG = "NAESPchat"
MS, EDU = "mastodon.social", "edu.social"
TOKEN = "PLNTESTMASTODON-3f9a1c-never-written"


def statuses(server: str) -> list[dict[str, Any]]:
    return json.loads((FIX / f"{server}.json").read_text())


#: The fixture statuses by name, from words of their text.
NAMES = {"Q1:": "Q1", "A1:": "A1", "Listening": "R1", "Agree": "A1b", "Warming": "L",
         "Our PLC": "E", "Q2:": "Q2", "A2:": "A2", "Shout-out": "C", "Thanks": "T"}


def by_text(server: str) -> dict[str, dict[str, Any]]:
    """A server's fixture statuses by name (Q1 is question 1, A1 its answer...)."""
    out = {}
    for st in statuses(server):
        [name] = [n for words, n in NAMES.items() if words in st["content"]]
        out[name] = st
    return out


MS_BY = by_text(MS)
EDU_BY = by_text(EDU)


def ids(*names: str, server: str = MS) -> list[str]:
    table = MS_BY if server == MS else EDU_BY
    return [table[n]["id"] for n in names]


def snowflake(when: str) -> str:
    """What Mastodon.py sends for a time: ``(unix seconds << 16) * 1000``."""
    return str((int(datetime.fromisoformat(when).timestamp()) << 16) * 1000)


def iso(seconds_from_now: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds_from_now)).isoformat()


class FakeMastodon:
    """One server: its tag timeline (pages by ``max_id``/``since_id`` with a ``Link``
    header), ``/context`` of any status it knows, and rate-limit headers.

    ``plan`` maps a request number (1-based, tag and context requests) to what that request
    gets instead: an exception to raise in the transport, or ``(status, headers, body)``.
    """

    def __init__(self, api: responses.RequestsMock, server: str = MS,
                 known: list[dict[str, Any]] | None = None, *, page_size: int = 3,
                 tag: str = "naespchat", honour_since: bool = True) -> None:
        self.server, self.base, self.tag = server, f"https://{server}", tag
        self.known = known if known is not None else statuses(server)
        self.page_size, self.honour_since = page_size, honour_since
        self.plan: dict[int, Any] = {}
        self.remaining: dict[int, int] = {}  # request number -> X-RateLimit-Remaining
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.auth: list[str] = []
        base = re.escape(self.base)
        api.add_callback(responses.GET, re.compile(base + r"/api/v1/timelines/tag/[^?]+(\?.*)?$"),
                         callback=self)
        api.add_callback(responses.GET, re.compile(base + r"/api/v1/statuses/\d+/context$"),
                         callback=self)
        api.add(responses.GET, f"{self.base}/api/v2/instance/",
                json={"domain": server, "title": server, "version": "4.2.8",
                      "configuration": {"statuses": {"max_characters": 500}}})

    @property
    def tagged(self) -> list[dict[str, Any]]:
        return sorted((s for s in self.known if any(t["name"].lower() == self.tag
                                                    for t in s["tags"])),
                      key=lambda s: int(s["id"]), reverse=True)

    def __call__(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        url = urlsplit(request.url)
        params = {k: v[0] for k, v in parse_qs(url.query).items()}
        self.requests.append((url.path, params))
        self.auth.append(request.headers.get("Authorization", ""))
        logging.getLogger("urllib3").debug("request headers: %s", dict(request.headers))
        n = len(self.requests)
        step = self.plan.get(n)
        if isinstance(step, BaseException):
            raise step
        headers = {"content-type": "application/json; charset=utf-8",
                   "X-RateLimit-Limit": "300",
                   "X-RateLimit-Remaining": str(self.remaining.get(n, 300 - n)),
                   "X-RateLimit-Reset": iso(300)}
        if step is not None:
            status, extra, body = step
            text = body if isinstance(body, str) else json.dumps(body)
            return status, {**headers, **extra}, text
        if url.path.endswith("/context"):
            return 200, headers, json.dumps(self.context(url.path.split("/")[-2]))
        top = int(params.get("max_id", 10**20))
        bottom = int(params.get("since_id", 0)) if self.honour_since else 0
        page = [s for s in self.tagged if bottom < int(s["id"]) < top][:self.page_size]
        if page:
            tag_url = f"{self.base}/api/v1/timelines/tag/{self.tag}"
            headers["Link"] = (f'<{tag_url}?max_id={page[-1]["id"]}>; rel="next", '
                               f'<{tag_url}?min_id={page[0]["id"]}>; rel="prev"')
        return 200, headers, json.dumps(page)

    def context(self, sid: str) -> dict[str, Any]:
        by_id = {s["id"]: s for s in self.known}
        ancestors, cur = [], by_id[sid].get("in_reply_to_id")
        while cur in by_id:
            ancestors.insert(0, by_id[cur])
            cur = by_id[cur].get("in_reply_to_id")

        def below(parent: str) -> list[dict[str, Any]]:
            kids = [s for s in self.known if s.get("in_reply_to_id") == parent]
            return kids + [d for k in kids for d in below(k["id"])]

        return {"ancestors": ancestors,
                "descendants": sorted(below(sid), key=lambda s: int(s["id"]))}

    @property
    def tag_params(self) -> list[dict[str, str]]:
        return [p for path, p in self.requests if "/timelines/tag/" in path]

    @property
    def contexts(self) -> list[str]:
        return [path.split("/")[-2] for path, _ in self.requests if path.endswith("/context")]


@pytest.fixture
def api():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture(autouse=True)
def no_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PLN_MASTODON_TOKEN", token_variable(MS), token_variable(EDU)):
        monkeypatch.delenv(name, raising=False)


def raw_file(store: Store, server: str = MS, since: str | None = None,
             until: str | None = None) -> Path:
    return raw_path(store.path, "mastodon", collection_key(TAG, server, since, until))


def raw_lines(store: Store, server: str = MS) -> list[dict[str, Any]]:
    return [json.loads(line) for line in raw_file(store, server).read_text().splitlines()]


def ties(store: Store) -> set[tuple[str, str, str, str]]:
    t = store.table("interactions")
    return set(zip(t.kind, t.src, t.dst, t.post_id, strict=True))


def uri(name: str) -> str:
    return MS_BY[name]["uri"] if name in MS_BY else EDU_BY[name]["uri"]


ANN, BO = "mastodon:ann@mastodon.social", "mastodon:bo@mastodon.social"
CY, DI = "mastodon:cy@edu.social", "mastodon:di@k12.social"
IN_TAG = ["T", "C", "A2", "Q2", "L", "A1b", "A1", "Q1"]  # newest first on mastodon.social


def clean_run(tmp_path: Path, api: responses.RequestsMock, **options: Any) -> tuple[list, list]:
    FakeMastodon(api)
    with Store(tmp_path / "clean.duckdb") as clean:
        collect_mastodon(clean, TAG, [MS], sleep=Sleeps(), **options)
        return store_rows(clean)


# -- pagination, raw pages, keys --------------------------------------------------------------
def test_paginates_by_max_id_and_stores_global_keys(api, store):
    fake = FakeMastodon(api)
    seen: list[str] = []
    reports = collect_mastodon(store, f"#{TAG}", [f"https://{MS}/"], sleep=Sleeps(),
                               progress=lambda e: seen.append(e.message))
    [report] = reports
    assert isinstance(report, CollectReport)
    assert (report.collector, report.server, report.query) == ("mastodon", MS,
                                                               "#naespchat on mastodon.social")
    assert (report.pages, report.posts, report.kept, report.state) == (4, 8, 8, "done")
    # three pages of three statuses, then an empty page; max_id from the Link header
    assert fake.tag_params == [{"limit": "40"}, {"max_id": ids("A2")[0], "limit": "40"},
                               {"max_id": ids("A1b")[0], "limit": "40"},
                               {"max_id": ids("Q1")[0], "limit": "40"}]
    assert {p for p, _ in fake.requests} == {"/api/v1/timelines/tag/naespchat"}
    assert fake.auth == [""] * 4  # no token needed for a public tag timeline
    assert sorted(store.table("posts")["post_id"]) == sorted(uri(n) for n in IN_TAG)
    accounts = store.table("accounts").set_index("account")
    assert sorted(accounts.index) == sorted([ANN, BO, CY, DI])
    assert accounts.loc[ANN, "handle"] == "ann@mastodon.social"
    assert accounts.loc[CY, "description"] == "Instructional coach & PLC nerd"
    assert accounts.loc[CY, "followers_count"] == 388
    assert ties(store) == {
        ("reply", CY, ANN, uri("A1")), ("reply", BO, CY, uri("A1b")),
        ("mention", BO, ANN, uri("A1b")), ("mention", ANN, DI, uri("Q2")),
        ("reply", DI, ANN, uri("A2")), ("mention", CY, BO, uri("C"))}
    posts = store.table("posts").set_index("post_id")
    # replies come a page before their parents (newest first): still resolved to the uri
    assert posts.loc[uri("A2"), "parent_post_id"] == uri("Q2")
    assert posts.loc[uri("A1b"), "parent_post_id"] == uri("A1")
    assert posts.loc[uri("A1b"), "conversation_id"] == uri("Q1")
    assert posts.loc[uri("A1"), "text"].startswith("@ann A1: Show up")
    cp = store.checkpoint("mastodon", collection_key(TAG, MS))
    assert (cp["state"], cp["pages"], cp["posts"], cp["newest_id"], cp["next_token"]) == \
        ("done", 4, 8, ids("T")[0], None)
    assert seen[-1] == "page 4: 0 posts (0 new)"


def test_raw_pages_are_the_served_json_and_read_back_equal(api, store, monkeypatch):
    fake = FakeMastodon(api)
    collect_mastodon(store, TAG, [MS], sleep=Sleeps())
    lines = raw_lines(store)
    assert [line["__pln"]["page"] for line in lines] == [1, 2, 3, 4]
    assert [line["__pln"]["next_token"] for line in lines] == [None, *ids("A2", "A1b", "Q1")]
    tagged = fake.tagged
    served = [tagged[0:3], tagged[3:6], tagged[6:8], []]
    for line, page in zip(lines, served, strict=True):
        meta = line.pop("__pln")
        assert (meta["collector"], meta["server"], meta["endpoint"]) == ("mastodon", MS, "tag")
        assert meta["query"] == "#naespchat on mastodon.social" and "url" not in meta
        assert line == {"data": page}  # the server's JSON, times as text
    before = store_rows(store)
    again = store.ingest(raw_file(store), format="mastodon")  # the server from __pln
    assert (again.format, again.records, again.kept, again.rejected) == ("mastodon", 8, 0, 0)
    assert store_rows(store) == before

    # the page is on disk before the store is touched: a failing write keeps it raw
    assert_raw_kept_when_store_fails(
        store, monkeypatch, lambda other: collect_mastodon(other, TAG, [MS], sleep=Sleeps()),
        raw_lines)


def test_two_servers_store_a_shared_status_once(api, store):
    FakeMastodon(api, MS)
    edu = FakeMastodon(api, EDU)
    reports = collect_mastodon(store, TAG, [MS, EDU, "https://mastodon.social"],
                               sleep=Sleeps())
    assert [(r.server, r.state, r.kept) for r in reports] == [(MS, "done", 8), (EDU, "done", 1)]
    assert reports[0].key != reports[1].key and reports[0].raw_path != reports[1].raw_path
    assert edu.tag_params[0] == {"limit": "40"}
    # the same status has other local ids on edu.social, and cy's acct is bare there
    assert EDU_BY["Q1"]["id"] != MS_BY["Q1"]["id"] and EDU_BY["Q1"]["uri"] == MS_BY["Q1"]["uri"]
    assert EDU_BY["A1"]["account"]["acct"] == "cy" and MS_BY["A1"]["account"]["acct"] == \
        "cy@edu.social"
    posts = store.table("posts")
    assert sorted(posts.post_id) == sorted(uri(n) for n in [*IN_TAG, "E"])
    assert posts.post_id.is_unique
    assert sorted(store.table("accounts").account) == sorted([ANN, BO, CY, DI])
    assert ("reply", CY, ANN, uri("A1")) in ties(store)
    assert len(store.table("interactions")) == 6
    for server in (MS, EDU):
        assert store.checkpoint("mastodon", collection_key(TAG, server))["state"] == "done"


def test_threads_fetch_contexts_only_where_needed(api, store):
    fake = FakeMastodon(api)
    [report] = collect_mastodon(store, TAG, [MS], threads=True, sleep=Sleeps())
    # A2 (a reply: its root Q2 next), then A1b (its root Q1 next, covering A1, R1 and A1b);
    # Q2, A1 and Q1 are covered already; T, C and L are neither replies nor replied to
    assert fake.contexts == ids("A2", "Q2", "A1b", "Q1")
    assert report.extra == 4 and report.pages == 4
    assert sorted(store.table("posts").post_id) == sorted(uri(n) for n in [*IN_TAG, "R1"])
    assert ("reply", DI, ANN, uri("R1")) in ties(store)  # a reply outside the tag
    posts = store.table("posts").set_index("post_id")
    assert posts.loc[uri("R1"), "parent_post_id"] == uri("Q1")
    assert posts.loc[uri("R1"), "conversation_id"] == uri("Q1")
    lines = raw_lines(store)
    assert [(line["__pln"]["page"], line["__pln"]["endpoint"], line["__pln"].get("context_of"))
            for line in lines] == [
        (1, "tag", None), (1, "context", ids("A2")[0]), (1, "context", ids("Q2")[0]),
        (2, "tag", None), (2, "context", ids("A1b")[0]), (2, "context", ids("Q1")[0]),
        (3, "tag", None), (4, "tag", None)]
    assert {k for k in lines[1] if k != "__pln"} == {"ancestors", "descendants"}
    again = store.ingest(raw_file(store), format="mastodon")
    assert again.kept == 0


# -- resume, increments, window -----------------------------------------------------------
@pytest.mark.parametrize("crash_at", [2, 5, 7])
def test_resume_after_a_crash_in_the_transport_equals_an_uninterrupted_run(api, tmp_path,
                                                                           crash_at):
    expected = clean_run(tmp_path, api, threads=True)
    api.reset()
    fake = FakeMastodon(api)
    # requests: 1 page 1, 2-3 its contexts, 4 page 2, 5-6 its contexts, 7 page 3, 8 page 4
    fake.plan[crash_at] = KeyboardInterrupt()  # the process is killed mid-request
    with Store(tmp_path / "crashed.duckdb") as st:
        with pytest.raises(KeyboardInterrupt):
            collect_mastodon(st, TAG, [MS], threads=True, sleep=Sleeps())
        committed = {2: 0, 5: 1, 7: 2}[crash_at]
        cp = st.checkpoint("mastodon", collection_key(TAG, MS))
        assert (cp["state"], cp["pages"]) == ("running", committed)
        [report] = collect_mastodon(st, TAG, [MS], threads=True, resume=True, sleep=Sleeps())
        assert report.resumed and report.state == "done"
        assert store_rows(st) == expected
        # the crashed page is fetched again (its contexts too), nothing else
        assert len(fake.contexts) == 4 + {2: 1, 5: 1, 7: 0}[crash_at]
        with pytest.raises(PlnError, match=r"nothing to resume"):
            collect_mastodon(st, TAG, [MS], resume=True)
    with Store(tmp_path / "never.duckdb") as st, \
            pytest.raises(PlnError, match="nothing to resume: no stopped or interrupted"):
        collect_mastodon(st, TAG, [MS], resume=True)


def test_a_page_fetched_but_not_committed_is_fetched_again(api, tmp_path, monkeypatch):
    expected = clean_run(tmp_path, api, threads=True)
    api.reset()
    fake = FakeMastodon(api)
    add_batch = Store.add_batch
    calls = []

    def crash_on_second(self: Store, *args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt  # killed between the raw append and the commit
        return add_batch(self, *args, **kwargs)

    monkeypatch.setattr(Store, "add_batch", crash_on_second)
    with Store(tmp_path / "crashed.duckdb") as st:
        with pytest.raises(KeyboardInterrupt):
            collect_mastodon(st, TAG, [MS], threads=True, sleep=Sleeps())
        assert st.checkpoint("mastodon", collection_key(TAG, MS))["pages"] == 1
        monkeypatch.setattr(Store, "add_batch", add_batch)
        collect_mastodon(st, TAG, [MS], threads=True, resume=True, sleep=Sleeps())
        assert store_rows(st) == expected
        # page 2 and its two contexts: raw twice (uncommitted, then fetched again)
        assert fake.contexts == ids("A2", "Q2", "A1b", "Q1", "A1b", "Q1")
        assert [(line["__pln"]["page"], line["__pln"]["endpoint"]) for line in raw_lines(st)
                ][3:9] == [(2, "tag"), (2, "context"), (2, "context")] * 2
        assert st.ingest(raw_file(st), format="mastodon").kept == 0


def test_a_repeated_run_asks_only_for_newer_statuses(api, store):
    known = statuses(MS)
    newest = json.loads(json.dumps(MS_BY["T"]))
    newest.update(id=str(int(newest["id"]) + (60_000 << 16)),
                  uri=newest["uri"].replace("statuses/", "statuses/9"),
                  created_at="2024-01-09T20:41:00.000Z", content="<p>One more #NAESPchat</p>")
    fake = FakeMastodon(api, known=list(known))
    collect_mastodon(store, TAG, [MS], sleep=Sleeps())
    fake.known.append(newest)
    [report] = collect_mastodon(store, TAG, [MS], sleep=Sleeps())
    assert fake.tag_params[4] == {"since_id": ids("T")[0], "limit": "40"}
    assert fake.tag_params[5] == {"since_id": ids("T")[0], "max_id": newest["id"],
                                  "limit": "40"}
    assert (report.since_id, report.kept, report.newest_id) == (ids("T")[0], 1, newest["id"])
    assert store.counts()["posts"] == 9
    collect_mastodon(store, TAG, [MS], sleep=Sleeps())
    assert fake.tag_params[6] == {"since_id": newest["id"], "limit": "40"}


def test_time_window(api, store):
    fake = FakeMastodon(api)
    since, until = "2024-01-09T20:03:00+00:00", "2024-01-09T20:35:00+00:00"
    [report] = collect_mastodon(store, TAG, [MS], since="2024-01-09 15:03-05:00",
                                until=datetime(2024, 1, 9, 20, 35), sleep=Sleeps())
    assert (report.since, report.until, report.state) == ("2024-01-09T20:03:00Z",
                                                          "2024-01-09T20:35:00Z", "done")
    assert fake.tag_params[0] == {"max_id": snowflake(until), "since_id": snowflake(since),
                                  "limit": "40"}
    assert {p["since_id"] for p in fake.tag_params} == {snowflake(since)}
    # L arrived at 20:12 (its id) but was written at 19:30: kept raw, not stored
    assert MS_BY["L"]["created_at"] < since
    assert MS_BY["L"] in [s for line in raw_lines_window(store) for s in line.get("data", [])]
    assert sorted(store.table("posts").post_id) == sorted(uri(n) for n in
                                                          ["C", "A2", "Q2", "A1b", "A1"])
    notes = store.ingests()["notes"].astype(str).str.cat()
    assert NOTE_OUTSIDE_WINDOW in notes
    with pytest.raises(OptionError, match="--since 'last week' is not a time"):
        collect_mastodon(store, TAG, [MS], since="last week")


def raw_lines_window(store: Store) -> list[dict[str, Any]]:
    path = raw_file(store, MS, "2024-01-09T20:03:00Z", "2024-01-09T20:35:00Z")
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_pagination_stops_before_since_when_the_server_ignores_since_id(api, store):
    fake = FakeMastodon(api, honour_since=False)
    collect_mastodon(store, TAG, [MS], since="2024-01-09T20:21:00Z", sleep=Sleeps())
    assert len(fake.tag_params) == 2  # page 2 (Q2 20:20, L, A1b) reaches before since
    assert sorted(store.table("posts").post_id) == sorted(uri(n) for n in ["T", "C", "A2"])


# -- rate limits and errors -----------------------------------------------------------------
def test_requests_are_paced_when_few_remain(api, store):
    fake = FakeMastodon(api)
    fake.remaining[1] = 2
    sleeps, messages = Sleeps(), []
    [report] = collect_mastodon(store, TAG, [MS], sleep=sleeps,
                                progress=lambda e: messages.append((e.message, e.wait)))
    assert len(sleeps) == 1 and 145 <= sleeps[0] <= 151  # 300 s to the reset / 2 left
    assert any("2 requests left" in m and w == sleeps[0] for m, w in messages)
    assert (report.waited, report.state) == (sleeps[0], "done")


def test_rate_limit_waits_until_reset_then_retries(api, store):
    fake = FakeMastodon(api)
    fake.plan[2] = (429, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": iso(37)},
                    {"error": "Too many requests"})
    sleeps, messages = Sleeps(), []
    [report] = collect_mastodon(store, TAG, [MS], sleep=sleeps,
                                progress=lambda e: messages.append(e.message))
    assert len(sleeps) == 1 and 35 <= sleeps[0] <= 38
    assert f"mastodon.social rate limited: waiting {sleeps[0]:.0f} s" in messages
    assert [p.get("max_id") for p in fake.tag_params] == [None, *ids("A2", "A2", "A1b", "Q1")]
    assert (report.pages, report.kept, report.state, report.waited) == (4, 8, "done", sleeps[0])


def test_server_errors_are_retried_with_backoff_then_stop(api, store):
    fake = FakeMastodon(api)
    fake.plan.update({n: (503, {}, "<html>Service Unavailable</html>") for n in range(2, 7)})
    sleeps = Sleeps()
    with pytest.raises(CollectError, match=r"mastodon.social failed 5 times in a row "
                                           r"\(503 server error\)\. Kept 1 page\(s\)") as info:
        collect_mastodon(store, TAG, [MS], sleep=sleeps)
    assert sleeps == [1, 2, 4, 8]
    assert info.value.report.state == "stopped" and info.value.report.retries == 4
    assert "pln collect mastodon --hashtag 'naespchat' --instance mastodon.social" in \
        str(info.value)
    # page 1 is kept, its reply (A2, waiting for its parent) too
    assert sorted(store.table("posts").post_id) == sorted(uri(n) for n in ["T", "C", "A2"])
    assert store.checkpoint("mastodon", collection_key(TAG, MS))["state"] == "stopped"
    [report] = collect_mastodon(store, TAG, [MS], resume=True, sleep=sleeps)
    assert (report.pages, report.state) == (3, "done")
    assert sorted(store.table("posts").post_id) == sorted(uri(n) for n in IN_TAG)


def test_refusals_stop_a_server_and_the_others_are_collected(api, store):
    ms = FakeMastodon(api, MS)
    ms.plan[1] = (401, {}, {"error": "This method requires an authenticated user"})
    edu = FakeMastodon(api, EDU)
    edu.plan[2] = (403, {}, {"error": "This action is not allowed"})
    k12 = FakeMastodon(api, "k12.social", known=[])
    k12.plan[1] = (404, {}, "<html><body>Not Found</body></html>")
    with pytest.raises(CollectError) as info:
        collect_mastodon(store, TAG, [MS, EDU, "k12.social"], since="2024-01-01",
                         sleep=Sleeps())
    message = str(info.value)
    assert message.startswith("3 of 3 servers stopped (0 collected)")
    assert ("mastodon.social requires a login for the tag timeline (401: This method requires "
            "an authenticated user): set PLN_MASTODON_TOKEN_MASTODON_SOCIAL") in message
    assert "edu.social requires a login for the tag timeline (403: This action is not " \
           "allowed): set PLN_MASTODON_TOKEN_EDU_SOCIAL" in message
    assert ("k12.social has no Mastodon API at "
            "https://k12.social/api/v1/timelines/tag/naespchat (404 Not Found)") in message
    for server in (MS, EDU, "k12.social"):
        assert (f"pln collect mastodon --hashtag 'naespchat' --instance {server} --since "
                f"2024-01-01T00:00:00Z --store '{store.path}' --resume") in message
    assert [(r.server, r.state, r.pages) for r in info.value.reports] == [
        (MS, "stopped", 0), (EDU, "stopped", 1), ("k12.social", "stopped", 0)]
    assert info.value.report.server == MS
    # a 422 says the server's own words
    api.reset()
    ms = FakeMastodon(api, MS)
    ms.plan[1] = (422, {}, {"error": "Validation failed: tag is invalid"})
    FakeMastodon(api, EDU)
    with pytest.raises(CollectError) as info:
        collect_mastodon(store, TAG, [MS, EDU], since="2024-01-01", resume=True,
                         sleep=Sleeps())
    assert str(info.value).startswith("1 of 2 servers stopped (1 collected): [mastodon.social]"
                                      " mastodon.social refused the tag timeline (422: "
                                      "Validation failed: tag is invalid)")
    assert [(r.server, r.state) for r in info.value.reports] == [(MS, "stopped"),
                                                                 (EDU, "done")]
    # resume: only the stopped one (edu.social is done)
    api.reset()
    ms = FakeMastodon(api, MS)
    edu = FakeMastodon(api, EDU)
    reports = collect_mastodon(store, TAG, [MS, EDU], since="2024-01-01", resume=True,
                               sleep=Sleeps())
    assert [(r.server, r.state) for r in reports] == [(MS, "done")]
    assert edu.requests == []
    assert sorted(store.table("posts").post_id) == sorted(uri(n) for n in [*IN_TAG, "E"])


def test_an_answer_that_is_not_json_stops(api, store):
    fake = FakeMastodon(api)
    fake.plan[1] = (200, {"content-type": "text/html"}, "<html>Welcome to nginx!</html>")
    with pytest.raises(CollectError, match=r"mastodon\.social answered the tag timeline with "
                                           r"something other than JSON \(is it a Mastodon "):
        collect_mastodon(store, TAG, [MS], sleep=Sleeps())
    fake.plan[2] = (200, {}, {"error": "not a list"})
    with pytest.raises(CollectError, match="other than a list of statuses"):
        collect_mastodon(store, TAG, [MS], resume=True, sleep=Sleeps())


def test_max_pages_stops_resumably(api, store):
    FakeMastodon(api)
    [report] = collect_mastodon(store, TAG, [MS], max_pages=2, sleep=Sleeps())
    assert (report.pages, report.state) == (2, "stopped")
    # the stopped collection's waiting reply (A1b, its parent on page 3) is stored
    assert uri("A1b") in set(store.table("posts").post_id)
    [report] = collect_mastodon(store, TAG, [MS], resume=True, sleep=Sleeps())
    assert (report.pages, report.state) == (2, "done")
    assert sorted(store.table("posts").post_id) == sorted(uri(n) for n in IN_TAG)
    with pytest.raises(OptionError, match="--max-pages must be at least 1"):
        collect_mastodon(store, TAG, [MS], max_pages=0)


def test_options(store):
    assert collection_key("#NAESPchat", "https://Mastodon.Social/") == \
        collection_key("naespchat", MS)
    for bad in ("", "#", "two words", "a#b"):
        with pytest.raises(OptionError, match="is not a hashtag"):
            collect_mastodon(store, bad, [MS])
    with pytest.raises(OptionError, match="at least one server"):
        collect_mastodon(store, TAG, [])
    with pytest.raises(OptionError, match="instance="):
        collect_mastodon(store, TAG, ["not a server"])
    assert token_variable("https://edu-chat.example.org") == \
        "PLN_MASTODON_TOKEN_EDU_CHAT_EXAMPLE_ORG"


# -- tokens -----------------------------------------------------------------------------------
def test_the_token_is_never_written(api, tmp_path, caplog, monkeypatch):
    monkeypatch.setenv(token_variable(MS), TOKEN)
    caplog.set_level(logging.DEBUG)
    texts: list[str] = []
    path = tmp_path / "chats.duckdb"
    with Store(path) as st:
        fake = FakeMastodon(api)
        edu = FakeMastodon(api, EDU)
        collect_mastodon(st, TAG, [MS, EDU], max_pages=1, sleep=Sleeps())
        fake.plan.update({2: (503, {}, "down"), 3: (403, {}, {"error": "Forbidden"})})
        fake.plan[4] = (401, {}, {"error": "The access token is invalid"})
        for status in ("403", "401"):
            with pytest.raises(CollectError, match=status) as info:
                collect_mastodon(st, TAG, [MS], resume=True, threads=True, sleep=Sleeps())
            assert "refused the access token" in str(info.value)
            texts += [str(info.value), repr(info.value),
                      "".join(traceback.format_exception(info.value))]
        collect_mastodon(st, TAG, [MS], resume=True, threads=True, sleep=Sleeps())
        for table in ("ingests", "collections", "rejects", "pln_meta", "posts", "accounts",
                      "interactions"):
            texts.append(st.sql(f"SELECT * FROM {table}").to_csv())
    assert fake.auth and all(a == f"Bearer {TOKEN}" for a in fake.auth)  # it was used
    assert edu.auth and not any(edu.auth)  # never sent to another server
    assert "'Authorization': 'Bearer ***'" in caplog.text  # header logs, redacted
    texts.append(caplog.text)
    for text in texts:
        assert TOKEN not in text
    files = [f for f in [*tmp_path.rglob("*"), *FIX.rglob("*")] if f.is_file()]
    assert sum(f.suffix == ".jsonl" for f in files) == 2
    for f in files:
        assert TOKEN.encode() not in f.read_bytes(), f


def test_the_shared_token_goes_to_a_single_server_only(api, store, monkeypatch):
    monkeypatch.setenv("PLN_MASTODON_TOKEN", TOKEN)
    ms, edu = FakeMastodon(api, MS), FakeMastodon(api, EDU)
    collect_mastodon(store, TAG, [MS], max_pages=1, sleep=Sleeps())
    assert ms.auth == [f"Bearer {TOKEN}"]
    collect_mastodon(store, TAG, [MS, EDU], max_pages=1, sleep=Sleeps())
    assert ms.auth[1:] == [""] and edu.auth == [""]
    monkeypatch.setenv(token_variable(EDU), "edu-token")
    collect_mastodon(store, TAG, [MS, EDU], max_pages=1, sleep=Sleeps())
    assert ms.auth[2:] == [""] and edu.auth[1:] == ["Bearer edu-token"]


# -- analysis ---------------------------------------------------------------------------------
def test_collected_statuses_flow_through_graph_and_analysis(api, store):
    FakeMastodon(api, MS)
    FakeMastodon(api, EDU)
    collect_mastodon(store, TAG, [MS, EDU], threads=True, sleep=Sleeps())
    G = build_graph(store)
    assert set(G.nodes) == {ANN, BO, CY, DI}
    assert G.has_edge(BO, CY) and G.has_edge(CY, ANN) and G.has_edge(DI, ANN)
    assert G.has_edge(ANN, DI) and G.has_edge(CY, BO)
    result = analyze(G, group=None)
    assert result.summary["nodes"] == 4


@pytest.mark.realdata
def test_a_real_tag_timeline_replayed_in_pages(api, tmp_path):
    path = REALDATA / "mastodon-rtoot" / "timeline_tag_rstats_fosstodon.json"
    if not path.is_file():
        pytest.skip("../shared/realdata is not beside this checkout")
    served = json.loads(path.read_text(encoding="utf-8"))
    fake = FakeMastodon(api, "fosstodon.org", known=served, page_size=2, tag="rstats")
    with Store(tmp_path / "collected.duckdb") as st:
        [report] = collect_mastodon(st, "#rstats", ["fosstodon.org"], sleep=Sleeps())
        assert (report.pages, report.posts, report.rejected) == (4, len(served), 0)
        assert len(fake.tag_params) == 4
        collected = store_rows(st)
    with Store(tmp_path / "ingested.duckdb") as st:
        st.ingest(path, format="mastodon", instance="fosstodon.org")
        assert store_rows(st) == collected
