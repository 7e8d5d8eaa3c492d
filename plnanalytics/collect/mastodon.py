"""``pln collect mastodon``: a hashtag's statuses from Mastodon servers, raw pages first.

Each server is a collection of its own (its checkpoint, raw file and newest id), keyed by
the tag, the time window and the server: a tag timeline only shows what that server knows,
and status ids are local to it. Servers are collected one after another; one that stops
does not stop the others.

Requests go through Mastodon.py (``timeline_hashtag``, ``status_context``), which builds
them, reads the rate-limit headers and the ``Link`` header and raises typed errors. The
raw files keep the server's exact JSON, taken from a response hook of the requests
session given to Mastodon.py (not its typed objects, which turn times into datetimes).
Each tag timeline page (40 statuses, newest first) is

1. appended as ``{"data": [...], "__pln": {...}}`` to ``<store stem>.raw/mastodon/<key>.jsonl``
   (the block says the server, endpoint, tag, window, ``since_id``, the ``max_id`` the page
   was fetched with and when; never the token), flushed and fsynced; with ``threads``, so
   is the ``/context`` of each reply, or status with replies, on the page that no context
   fetched earlier in the collection showed (``endpoint: context``, ``context_of``);
2. normalized by the ``--format mastodon`` code (:class:`~plnanalytics.ingest.mastodon.
   MastodonPages`, which carries what earlier pages taught: local ids, accounts, thread
   roots) and stored with the checkpoint in ONE transaction (the page and its contexts).

Keys are global: an account is ``mastodon:user@domain`` (Mastodon gives ``acct`` bare for
the server's own accounts), a post its ``uri``, so a status seen on two servers is stored
once. The next page is asked with the ``max_id`` of the ``Link: rel="next"`` header (else
the page's smallest id); ``--until`` is the first ``max_id`` and ``--since`` the
``since_id`` (as times: Mastodon ids are snowflakes of their time), pagination stops at the
first page reaching before ``since``, and statuses the server still returns outside the
window are kept raw but not stored (noted). A new run after a finished one asks only for
statuses newer than the newest stored from that server (``since_id``). ``resume=True``
continues the servers whose collection stopped or was interrupted, from their stored
``max_id``; what earlier pages taught is rebuilt from the committed lines of the raw file,
so a resumed collection stores exactly the rows of an uninterrupted one.

Rate limits: when a server's ``X-RateLimit-Remaining`` runs low (under 5% of the limit, or
3), requests are spread over the time to ``X-RateLimit-Reset``; a 429 waits until the
reset (60 s when unknown). Server errors (5xx) and lost connections are retried with
backoff (1, 2, 4, 8 s; at most 5 tries). A 401 or 403 (the server wants a login), 404 (no
Mastodon API there), any other refusal or an answer that is not JSON stops that server with
a message saying how to resume it. A token is optional (tag timelines are public on most
servers): ``PLN_MASTODON_TOKEN_<SERVER>`` (the server's name upper-cased, other characters
as ``_``), or ``PLN_MASTODON_TOKEN`` when a single server is collected (a token is never
sent to a server it was not named for when there are several). Tokens are read only from
the environment and never written to the store, the raw files, messages or logs.

Examples
--------
>>> token_variable("mastodon.social"), token_variable("https://edu-chat.example.org/")
('PLN_MASTODON_TOKEN_MASTODON_SOCIAL', 'PLN_MASTODON_TOKEN_EDU_CHAT_EXAMPLE_ORG')
>>> collection_key("#NAESPchat", "mastodon.social") == collection_key("naespchat",
...                                                                    "https://mastodon.social")
True
>>> collection_key("naespchat", "mastodon.social") == collection_key("naespchat", "fosstodon.org")
False
"""

from __future__ import annotations

import math
import os
import re
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

import mastodon
import orjson
import requests
from mastodon.errors import MastodonWarning

from ..errors import OptionError, PlnError
from ..ingest.base import ReadLog, parse_iso_utc
from ..ingest.mastodon import MastodonPages, normalize_instance
from ..store import Store
from .base import (
    CollectError,
    Collection,
    CollectReport,
    ProgressFn,
    Retry,
    Stop,
    Verdict,
    Wait,
    fetch,
    key_of,
    raw_records,
    redacted,
    say,
    shell,
    utc,
    window_args,
)

__all__ = ["collect_mastodon", "collection_key", "normalize_tag", "token_variable"]

#: The variable holding a token for every server (used when a single server is collected).
TOKEN_VARIABLE = "PLN_MASTODON_TOKEN"
#: Statuses asked for per page (the API's maximum).
LIMIT = 40
#: Seconds a request may take.
TIMEOUT = 30
#: Pace requests when fewer than this share of the rate limit, or :data:`LOW_REMAINING`
#: requests, remain.
LOW_SHARE, LOW_REMAINING = 0.05, 3
#: Loggers that may show request headers (redacted while collecting).
LOGGERS = ("mastodon", "urllib3", "requests")
TAG_PATH = "/api/v1/timelines/tag/"


def normalize_tag(hashtag: str) -> str:
    """A hashtag without ``#``, lowercase.

    Raises
    ------
    OptionError
        When it is empty or holds spaces.

    Examples
    --------
    >>> normalize_tag("#NAESPchat"), normalize_tag("edchat")
    ('naespchat', 'edchat')
    """
    tag = (hashtag or "").strip().removeprefix("#")
    if not tag or re.search(r"\s|#", tag):
        raise OptionError(f"collect mastodon: --hashtag {hashtag!r} is not a hashtag (give one "
                          "name, such as NAESPchat or #NAESPchat)")
    return tag.lower()


def token_variable(server: str) -> str:
    """The environment variable holding a token for one server."""
    name = re.sub(r"[^A-Z0-9]", "_", normalize_instance(server).upper())
    return f"{TOKEN_VARIABLE}_{name}"


def collection_key(hashtag: str, server: str, since: str | None = None,
                   until: str | None = None) -> str:
    """The key of one server's collection: the SHA-1 of the tag, window and server."""
    return key_of("mastodon", normalize_tag(hashtag), since or "", until or "",
                  normalize_instance(server))


def collect_mastodon(
    store: Store,
    hashtag: str,
    instances: Sequence[str],
    *,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    threads: bool = False,
    resume: bool = False,
    max_pages: int | None = None,
    progress: ProgressFn | None = None,
    clients: Mapping[str, Any] | None = None,
    sleep: Callable[[float], Any] = time.sleep,
) -> list[CollectReport]:
    """Collect a hashtag's statuses from Mastodon servers; see the module notes.

    Parameters
    ----------
    store : Store
        The project store (opened for writing).
    hashtag : str
        The tag, with or without ``#`` (``NAESPchat``).
    instances : sequence of str
        The servers (``mastodon.social`` or ``https://mastodon.social``), collected in this
        order; repeats are dropped.
    since, until : str or datetime, optional
        The time window; naive times are UTC.
    threads : bool
        Also fetch the ``/context`` of replies and replied-to statuses, to store replies
        outside the tag.
    resume : bool
        Continue the servers whose collection of this tag and window stopped or was
        interrupted (the others are skipped).
    max_pages : int, optional
        Stop each server (state ``stopped``, resumable) after this many pages.
    progress : callable, optional
        Called with a :class:`~plnanalytics.collect.base.CollectProgress` after each page,
        wait and retry.
    clients : mapping, optional
        For tests: a ``mastodon.Mastodon`` client by server domain (made by default).
    sleep : callable
        Waits a number of seconds (for tests).

    Returns
    -------
    list of CollectReport
        One per server collected (``server`` says which).

    Raises
    ------
    PlnError
        Bad options, or nothing to resume.
    CollectError
        One or more servers stopped: the message says why for each, and how to resume it;
        ``reports`` holds every server's report. The others were collected.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with Store(pathlib.Path(tempfile.mkdtemp()) / "s.duckdb") as s:
    ...     collect_mastodon(s, "#NAESPchat", [])
    Traceback (most recent call last):
    ...
    plnanalytics.errors.OptionError: collect mastodon: give at least one server (--instance)
    """
    tag = normalize_tag(hashtag)
    given = servers = list(dict.fromkeys(normalize_instance(i) for i in instances))
    if not servers:
        raise OptionError("collect mastodon: give at least one server (--instance)")
    if max_pages is not None and max_pages < 1:
        raise OptionError(f"collect mastodon: --max-pages must be at least 1, not {max_pages}")
    since_s = utc(since, "since", "collect mastodon")
    until_s = utc(until, "until", "collect mastodon")
    if resume:
        servers = [s for s in servers if _resumable(store, tag, s, since_s, until_s)]
        if not servers:
            raise PlnError(f"nothing to resume: no stopped or interrupted collection of #{tag} "
                           f"from {', '.join(given)} in this time window in {store.path}; run "
                           "without --resume")
    tokens = {s: _token(s, several=len(given) > 1) for s in servers}
    reports: list[CollectReport] = []
    errors: list[CollectError] = []
    with redacted(tokens.values(), LOGGERS):
        for server in servers:
            run = _Server(store, tag, server, since_s, until_s, threads=threads, resume=resume,
                          max_pages=max_pages, progress=progress, sleep=sleep,
                          client=(clients or {}).get(server), token=tokens[server])
            reports.append(run.report)
            try:
                run.collect()
            except CollectError as exc:
                errors.append(exc)
    if errors:
        if len(errors) == 1 and len(reports) == 1:
            message = str(errors[0])
        else:
            done = len(reports) - len(errors)
            message = (f"{len(errors)} of {len(reports)} servers stopped ({done} collected): "
                       + " ".join(f"[{e.report.server}] {e}" for e in errors))
        raise CollectError(message, errors[0].report, reports=reports)
    return reports


def _resumable(store: Store, tag: str, server: str, since: str | None,
               until: str | None) -> bool:
    cp = store.checkpoint("mastodon", collection_key(tag, server, since, until))
    return cp is not None and cp["state"] != "done"


def _token(server: str, *, several: bool) -> str | None:
    token = os.environ.get(token_variable(server), "").strip()
    if not token and not several:
        token = os.environ.get(TOKEN_VARIABLE, "").strip()
    return token or None


class _RawResponses:
    """A requests response hook keeping the last response of the session (its exact JSON)."""

    def __init__(self, session: requests.Session) -> None:
        self.last: requests.Response | None = None
        session.hooks.setdefault("response", []).append(self)

    def __call__(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self.last = response

    def take(self, path: str) -> Any:
        """The JSON of the last response, which must be of ``path``."""
        response, self.last = self.last, None
        if response is None or not response.request.path_url.startswith(path):
            raise Stop("Mastodon.py answered without a response of " + path)
        try:
            return orjson.loads(response.content)
        except orjson.JSONDecodeError:
            raise Stop(f"{response.request.url.split('?')[0]} answered with something other "
                       "than JSON") from None


class _Server:
    """One server's collection while it runs."""

    def __init__(self, store: Store, tag: str, server: str, since: str | None,
                 until: str | None, *, threads: bool, resume: bool, max_pages: int | None,
                 progress: ProgressFn | None, sleep: Callable[[float], Any], client: Any,
                 token: str | None) -> None:
        self.store, self.tag, self.server, self.threads = store, tag, server, threads
        self.max_pages, self.progress, self.sleep = max_pages, progress, sleep
        self.since = parse_iso_utc(since) if since else None
        self.until = parse_iso_utc(until) if until else None
        self.token = token
        self.variable = token_variable(server)
        again = (f"pln collect mastodon --hashtag {shell(tag)} --instance {server}"
                 f"{window_args(since, until)}{' --threads' if threads else ''} "
                 f"--store {shell(str(store.path))}")
        self.run = Collection(store, "mastodon", collection_key(tag, server, since, until),
                              f"#{tag} on {server}", since, until, resume=resume, again=again)
        self.report: CollectReport = self.run.report
        self.report.server = server
        if client is None:
            client = mastodon.Mastodon(api_base_url=f"https://{server}", access_token=token,
                                       ratelimit_method="throw", version_check_mode="none",
                                       request_timeout=TIMEOUT, session=requests.Session())
        self.client = client
        self.raw = _RawResponses(client.session)
        self.pages = MastodonPages(server)
        self.covered: set[str] = set()  # ids whose thread below is known (contexts)

    # -- the page loop ----------------------------------------------------------------------
    def collect(self) -> None:
        run = self.run
        self._replay()
        try:
            while True:
                statuses = self._request(self._page, "the tag timeline")
                data = self.raw.take(TAG_PATH)
                if not isinstance(data, list):
                    raise Stop(f"{self.server} answered the tag timeline with something other "
                               "than a list of statuses")
                first = run.line + 1
                records = [run.append(data, server=self.server, endpoint="tag")]
                if self.threads:
                    records += self._contexts(data)
                next_token = self._next(statuses, data)
                last = next_token is None or (self.max_pages is not None
                                              and self.report.pages + 1 >= self.max_pages)
                log = ReadLog(str(run.raw))
                batch = self.pages.add(records, log, line=first, flush=last)
                if not run.commit(batch, log, format="mastodon", next_token=next_token,
                                  newest_id=_newest(run.checkpoint["newest_id"], data),
                                  max_pages=self.max_pages, progress=self.progress):
                    return
        except Stop as why:
            self._flush()
            raise run.stopped(why) from None

    def _page(self) -> Any:
        """One tag timeline request (Mastodon.py turns datetimes into snowflake ids)."""
        run = self.run
        max_id: Any = run.next_token or self.until
        since_id: Any = run.since_id or self.since
        return self.client.timeline_hashtag(self.tag, max_id=max_id, since_id=since_id,
                                            limit=LIMIT)

    def _next(self, statuses: Any, data: list[Any]) -> str | None:
        """The ``max_id`` of the next page, or None at the end (or before ``since``)."""
        ids = [int(s["id"]) for s in data if isinstance(s, dict) and str(s.get("id")).isdigit()]
        if not data:
            return None
        if self.since is not None and self._before_since(data[-1]):  # the oldest
            return None
        following = getattr(statuses, "_pagination_next", None) or {}
        max_id = following.get("max_id")
        if max_id is None and ids:
            max_id = min(ids)
        return None if max_id is None else str(max_id)

    def _before_since(self, st: Any) -> bool:
        try:
            return parse_iso_utc(st.get("created_at")) < self.since
        except (AttributeError, ValueError):
            return False

    def _contexts(self, data: list[Any]) -> list[dict[str, Any]]:
        """The ``/context`` records of the page's replies and replied-to statuses.

        A status whose thread below it is known already (it, or an ancestor, was a context's
        focus) is skipped. The context of a reply gives its thread's root: the root's
        context, fetched next, covers the whole thread (other branches included).
        """
        records: list[dict[str, Any]] = []
        for st in data:
            if not isinstance(st, dict) or st.get("reblog") or not st.get("id"):
                continue
            sid = str(st["id"])
            wanted = st.get("in_reply_to_id") or (st.get("replies_count") or 0) > 0
            if not wanted or sid in self.covered or self._outside(st):
                continue
            ancestors = self._context(sid, records).get("ancestors")
            top = ancestors[0] if isinstance(ancestors, list) and ancestors else None
            if isinstance(top, dict) and top.get("id") and str(top["id"]) not in self.covered:
                self._context(str(top["id"]), records)
        return records

    def _context(self, sid: str, records: list[dict[str, Any]]) -> dict[str, Any]:
        """Fetch and append the ``/context`` of one status (empty when it is gone)."""
        try:
            self._request(lambda: self.client.status_context(sid),
                          f"the thread of status {sid}", context=True)
        except mastodon.MastodonNotFoundError:  # deleted meanwhile
            self.covered.add(sid)
            return {}
        context = self.raw.take(f"/api/v1/statuses/{sid}/context")
        if not isinstance(context, dict):
            raise Stop(f"{self.server} answered the thread of status {sid} with something "
                       "other than a /context response")
        self.report.extra += 1
        records.append(self.run.append(context, server=self.server, endpoint="context",
                                       context_of=sid))
        self._cover(context, sid)
        return context

    def _outside(self, st: dict[str, Any]) -> bool:
        try:
            created = parse_iso_utc(st.get("created_at"))
        except ValueError:
            return False
        return ((self.since is not None and created < self.since)
                or (self.until is not None and created >= self.until))

    def _cover(self, context: dict[str, Any], sid: str) -> None:
        """A context shows the thread below its focus: the focus and its descendants."""
        self.covered.add(sid)
        for st in context.get("descendants") or ():
            if isinstance(st, dict) and st.get("id") is not None:
                self.covered.add(str(st["id"]))

    def _replay(self) -> None:
        """Rebuild what the committed pages taught (and the contexts fetched) from the raw
        file, so the run goes on as if it had never stopped."""
        committed = (self.run.previous or {}).get("pages") or 0
        group: list[dict[str, Any]] = []
        page = line = first = 0
        for record in raw_records(self.run.raw):
            line += 1
            pln = record.get("__pln") or {}
            number = pln.get("page") if isinstance(pln, dict) else None
            if not isinstance(number, int) or number > committed:
                continue
            if number != page and group:
                self.pages.add(group, ReadLog(str(self.run.raw)), line=first)
                group = []
            if not group:
                page, first = number, line
            group.append(record)
            if pln.get("endpoint") == "context" and pln.get("context_of"):
                self._cover(record, str(pln["context_of"]))
        if group:
            self.pages.add(group, ReadLog(str(self.run.raw)), line=first)
        waiting = self.pages.pending
        if waiting:  # stored when the collection stopped or finished
            stored = self.store.sql("SELECT post_id FROM posts WHERE post_id IN "
                                    "(SELECT unnest(?))", [waiting])
            self.pages.forget(set(stored["post_id"]))

    def _flush(self) -> None:
        """Store the statuses still waiting for a parent (the collection stops)."""
        log = ReadLog(str(self.run.raw))
        batch = self.pages.flush(log)
        if not batch.rows["posts"]:
            return
        stored = self.store.add_batch(batch, log, source=str(self.run.raw), format="mastodon")
        self.report.posts += log.records
        self.report.kept += stored.kept

    # -- requests ---------------------------------------------------------------------------
    def _request(self, call: Callable[[], Any], what: str, *, context: bool = False) -> Any:
        """Make one request through :func:`fetch`, pacing it when the rate limit runs low."""
        self._pace()

        def quiet() -> Any:
            with warnings.catch_warnings():  # availability is told by the answer itself
                warnings.simplefilter("ignore", MastodonWarning)
                return call()

        return fetch(quiet, lambda exc: self._verdict(exc, what, context), self.server,
                     self.report, self.progress, self.sleep)

    def _pace(self) -> None:
        c = self.client
        limit, remaining, reset = c.ratelimit_limit, c.ratelimit_remaining, c.ratelimit_reset
        if reset is None or remaining is None:
            return
        if remaining >= max(LOW_REMAINING, LOW_SHARE * (limit or 0)):
            return
        wait = (float(reset) - time.time()) / max(remaining, 1)
        if wait <= 0:
            return
        self.report.waited += wait
        say(self.progress, self.report, f"{self.server}: {remaining} requests left until the "
                                        f"rate limit resets: waiting {wait:,.0f} s", wait=wait)
        self.sleep(wait)

    def _verdict(self, exc: Exception, what: str, context: bool) -> Verdict:
        """What a Mastodon.py exception means."""
        server = self.server
        if isinstance(exc, mastodon.MastodonRatelimitError):
            reset = self.client.ratelimit_reset
            wait = math.ceil(float(reset) - time.time()) if reset else 60
            return Wait(max(1, wait), f"{server} rate limited")
        if isinstance(exc, mastodon.MastodonNetworkError):
            return Retry("connection failed")
        if isinstance(exc, mastodon.MastodonServerError):
            return Retry(f"{_status(exc)} server error")
        if context and isinstance(exc, mastodon.MastodonNotFoundError):
            return None  # the status is gone: its thread is skipped
        if isinstance(exc, mastodon.MastodonAPIError):
            status, text = _status(exc), self._text(exc)
            if status in (401, 403):
                if self.token:
                    return Stop(f"{server} refused the access token for {what} ({status}: "
                                f"{text}); check {self.variable}")
                return Stop(f"{server} requires a login for {what} ({status}: {text}): set "
                            f"{self.variable} to an access token of an account there")
            if status == 404:
                return Stop(f"{server} has no Mastodon API at https://{server}"
                            f"{TAG_PATH}{self.tag} (404 Not Found)")
            if status is None:
                return Stop(f"{server} answered {what} with something other than JSON (is it "
                            "a Mastodon server?)")
            return Stop(f"{server} refused {what} ({status}: {text})")
        return None


    def _text(self, exc: Exception) -> str:
        """The server's error text (``{"error": ...}`` of the response), or the reason."""
        args = getattr(exc, "args", ())
        found = [args[3] if len(args) > 3 else None]
        last = self.raw.last
        if last is not None and not last.ok:
            try:
                body = orjson.loads(last.content)
            except orjson.JSONDecodeError:
                body = None
            found.insert(0, body.get("error") if isinstance(body, dict) else None)
        found.append(args[2] if len(args) > 2 else None)
        for value in found:
            if isinstance(value, str) and value.strip():
                return " ".join(value.split())[:300]
        return "no details"


def _status(exc: Exception) -> int | None:
    """The HTTP status of a Mastodon.py API error (its second argument)."""
    args = getattr(exc, "args", ())
    return args[1] if len(args) > 1 and isinstance(args[1], int) else None


def _newest(stored: str | None, data: list[Any]) -> str | None:
    """The largest of the stored newest id and the page's status ids (compared as numbers)."""
    ids = [str(s.get("id")) for s in data if isinstance(s, dict)] + [stored]
    numeric = [i for i in ids if isinstance(i, str) and i.isdigit()]
    return max(numeric, key=int) if numeric else None
