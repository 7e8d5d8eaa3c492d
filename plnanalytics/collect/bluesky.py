"""``pln collect bluesky``: ``app.bsky.feed.searchPosts`` through the atproto SDK, raw pages
first, resumable and incremental.

The collector logs in with the handle in ``PLN_BLUESKY_HANDLE`` and the app password in
``PLN_BLUESKY_APP_PASSWORD`` (``com.atproto.server.createSession`` on bsky.social; the search
then goes to the account's PDS, which forwards it to the Bluesky AppView) and asks for the
newest posts first (``sort=latest``, 100 a page), one request at a time, following
``cursor``. Each response page is

1. appended, with a ``__pln`` block (collector, query, window, the time range and cursor it
   was fetched with, its page number and when it was retrieved; never a credential), to a raw
   JSONL file beside the store, ``<store stem>.raw/bluesky/<key>.jsonl``, then flushed and
   fsynced;
2. normalized by the ``--format bluesky`` reader
   (:func:`~plnanalytics.ingest.bluesky.response_batch`: DIDs as keys, mention facets sliced
   by UTF-8 byte offsets, replies tied to the DID of the parent's ``at://`` URI, quotes from
   record embeds) and merged into the store in ONE transaction with the collection's
   checkpoint, so a page is either stored with its checkpoint or not at all.

Time ranges: the search stops paginating after a bounded number of results (the cursor
disappears, or pages come back empty) even when older posts exist. So a collection walks
time ranges ("segments"), newest first: the first asks for posts before ``until`` (or now);
when a range ends, having returned posts older than the range before it, a new range asks
for posts up to the oldest post seen (``until`` is exclusive: the oldest post's millisecond
plus one, so posts of that very millisecond are asked again rather than lost). The
collection is done when a range brings nothing older than the one before, or passes
``since``. Posts seen twice are stored once. Post times here are ``sortAt``, what the search
sorts and filters by: the earlier of ``record.createdAt`` and ``indexedAt``.

The checkpoint's ``next_token`` is a compact JSON object with the current range (``until``),
its ``cursor``, the oldest post time seen in the range (``oldest``) and the oldest of the
range before (``floor``), so ``resume=True`` continues exactly where the collection stopped.
A page fetched and written raw but not committed (a crash between the two) is fetched again
on resume, so the raw file then holds it twice; the store holds it once. ``newest_id`` is the
newest post time stored: a new run (not a resume) after a finished one asks only for posts
from that time on (``since``; the newest post comes back once more and is a duplicate).

Posts the search returns outside ``[since, until)`` (by their stored time,
``record.createdAt``) stay in the raw file but are not stored (a note counts them; the
reader applies the same window when the raw file is ingested again).

Rate limits (429) wait until ``ratelimit-reset`` (or ``retry-after``, else 60 s) and retry;
server errors (5xx, 502) and lost connections are retried with exponential backoff (1, 2, 4,
8 s; at most 5 tries). An expired session (400 ``ExpiredToken``; the SDK itself refreshes it
before it expires) is refreshed once. A 401, 403 or any other refusal (400: a bad query or
cursor) stops with a :class:`CollectError` saying what was kept and how to resume. The app
password and the session tokens are never written to the store, the raw files, messages or
logs (the SDK's and httpx's loggers are redacted).

Examples
--------
>>> hashtag_query("NAESPchat"), hashtag_query("#NAESPchat")
('#NAESPchat', '#NAESPchat')
>>> collection_key("#NAESPchat", None, None) == collection_key("#NAESPchat", None, None)
True
>>> collection_key("#NAESPchat", "2024-01-01T00:00:00Z", None) == collection_key(
...     "#NAESPchat", None, None)
False
"""

from __future__ import annotations

import inspect
import math
import os
import time
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson

from ..errors import OptionError, PlnError
from ..ingest.base import ReadLog
from ..ingest.bluesky import parse_bluesky_time, post_time, response_batch
from ..store import Store
from .base import (
    CollectError,
    Collection,
    CollectProgress,
    CollectReport,
    ProgressFn,
    Retry,
    Stop,
    Verdict,
    Wait,
    fetch,
    key_of,
    raw_path,
    redacted,
    say,
    shell,
    utc,
    window_args,
)

__all__ = ["CollectError", "CollectProgress", "CollectReport", "collect_bluesky",
           "collection_key", "hashtag_query", "raw_path"]

#: The environment variable holding the account's handle (or DID, or e-mail).
HANDLE_VARIABLE = "PLN_BLUESKY_HANDLE"
#: The environment variable holding an app password of that account.
PASSWORD_VARIABLE = "PLN_BLUESKY_APP_PASSWORD"
#: Posts asked for per page (the most searchPosts gives).
LIMIT = 100
#: The XRPC method searched.
SEARCH = "app.bsky.feed.searchPosts"
#: Loggers that could show a request's headers or body: redacted while collecting.
LOGGERS = ("atproto", "atproto_client", "atproto_core", "httpx", "httpcore")

_SETUP = (f"export {HANDLE_VARIABLE}=<your handle, e.g. ann.bsky.social> and "
          f"{PASSWORD_VARIABLE}=<an app password, made in Bluesky under Settings > Privacy "
          "and security > App passwords; not your account password>")


def hashtag_query(tag: str) -> str:
    """The search query of a hashtag: ``#`` and the tag (given with or without ``#``).

    Examples
    --------
    >>> hashtag_query(" edchat ")
    '#edchat'
    >>> hashtag_query("#")
    Traceback (most recent call last):
    ...
    plnanalytics.errors.OptionError: collect bluesky: give a hashtag, such as NAESPchat
    """
    bare = tag.strip().lstrip("#").strip()
    if not bare:
        raise OptionError("collect bluesky: give a hashtag, such as NAESPchat")
    return "#" + bare


def collection_key(query: str, since: str | None, until: str | None) -> str:
    """The key of a collection: the SHA-1 of ``bluesky``, its query and time window."""
    return key_of("bluesky", query, since or "", until or "")


def collect_bluesky(
    store: Store,
    query: str,
    *,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    resume: bool = False,
    max_pages: int | None = None,
    progress: ProgressFn | None = None,
    client: Any = None,
    sleep: Callable[[float], Any] = time.sleep,
) -> CollectReport:
    """Search Bluesky posts and store every page with its checkpoint; see the module notes.

    Parameters
    ----------
    store : Store
        The project store (opened for writing).
    query : str
        A Bluesky search query, such as ``#NAESPchat`` (see :func:`hashtag_query`).
    since, until : str or datetime, optional
        The time window (``since`` included, ``until`` not); naive times are UTC.
    resume : bool
        Continue the interrupted or stopped collection of the same query and window.
    max_pages : int, optional
        Stop (state ``stopped``, resumable) after this many pages.
    progress : callable, optional
        Called with a :class:`CollectProgress` after each page, new time range, wait and
        retry.
    client : atproto.Client, optional
        A client to search with as it is (for tests or another server); by default an
        ``atproto.Client`` logged in with ``PLN_BLUESKY_HANDLE`` and
        ``PLN_BLUESKY_APP_PASSWORD``.
    sleep : callable
        Waits a number of seconds (for tests).

    Returns
    -------
    CollectReport
        ``since_id`` and ``newest_id`` are post times (ISO 8601, UTC) on Bluesky.

    Raises
    ------
    PlnError
        No credentials, a refused login, nothing to resume, or bad options.
    CollectError
        The API refused to go on; pages committed so far are kept and the collection can be
        resumed.

    Examples
    --------
    Options are checked before anything is asked (the tests replay recorded responses):

    >>> import tempfile, pathlib
    >>> from plnanalytics import Store
    >>> with Store(pathlib.Path(tempfile.mkdtemp()) / "s.duckdb") as st:
    ...     collect_bluesky(st, "#NAESPchat", since="2024-01-10", until="2024-01-09")
    Traceback (most recent call last):
    ...
    plnanalytics.errors.OptionError: collect bluesky: --since 2024-01-10T00:00:00Z is not \
before --until 2024-01-09T00:00:00Z
    """
    if not query or not query.strip():
        raise OptionError("collect bluesky: give a search query (--query) or a hashtag "
                          "(--hashtag)")
    if max_pages is not None and max_pages < 1:
        raise OptionError(f"collect bluesky: --max-pages must be at least 1, not {max_pages}")
    since_s = utc(since, "since", "collect bluesky")
    until_s = utc(until, "until", "collect bluesky")
    if since_s and until_s and since_s >= until_s:
        raise OptionError(f"collect bluesky: --since {since_s} is not before --until {until_s}")
    handle = os.environ.get(HANDLE_VARIABLE, "").strip()
    password = os.environ.get(PASSWORD_VARIABLE, "").strip()
    if client is None and not (handle and password):
        raise PlnError(f"{HANDLE_VARIABLE} and {PASSWORD_VARIABLE} must both be set to log in "
                       f"to Bluesky: {_SETUP}")
    key = collection_key(query, since_s, until_s)
    again = (f"pln collect bluesky --query {shell(query)}{window_args(since_s, until_s)} "
             f"--store {shell(str(store.path))}")
    with ExitStack() as secrets:
        secrets.enter_context(redacted([password], LOGGERS))
        run = Collection(store, "bluesky", key, query, since_s, until_s, resume=resume,
                         again=again)
        if client is None:
            client = _login(handle, password, run, progress, sleep, secrets)
        else:
            _watch_session(client, secrets)
        state = _Segment.load(run.next_token, until_s)
        lowest = _time(run.since_id) or _time(since_s)  # the oldest post time asked for
        refreshed: list[bool] = []
        try:
            while True:
                params = state.params(query, run.since_id or since_s)
                page = fetch(lambda p=params: _search(client, p),
                             lambda exc: _verdict(exc, client, refreshed), "the Bluesky API",
                             run.report, progress, sleep)
                if not isinstance(page, dict) or not isinstance(page.get("posts"), list):
                    raise Stop("the Bluesky API answered with something other than a "
                               "searchPosts page")
                record = run.append(page, segment_until=state.until, cursor=state.cursor)
                log = ReadLog(str(run.raw))
                batch = response_batch(record, log, line=run.line)
                newest = _newest(run.checkpoint["newest_id"], page["posts"], since_s, until_s)
                following, message = state.after(page, lowest)
                going = run.commit(batch, log, format="bluesky",
                                   next_token=following.dump() if following else None,
                                   newest_id=newest, max_pages=max_pages, progress=progress)
                if message and following is not None:
                    say(progress, run.report, message)
                if not going:
                    return run.report
                assert following is not None  # a running collection has a next page
                state = following
        except Stop as why:
            raise run.stopped(why) from None


class _Segment:
    """Where a collection is: its time range (``until``), the cursor in it, the oldest post
    time seen in it and the oldest of the range before (``floor``)."""

    def __init__(self, until: str | None, cursor: str | None = None,
                 oldest: str | None = None, floor: str | None = None) -> None:
        self.until, self.cursor, self.oldest, self.floor = until, cursor, oldest, floor

    @classmethod
    def load(cls, token: str | None, until: str | None) -> _Segment:
        """The stored position (a checkpoint's ``next_token``), or the first range."""
        if not token:
            return cls(until)
        try:
            data = orjson.loads(token)
            return cls(data.get("until"), data.get("cursor"), data.get("oldest"),
                       data.get("floor"))
        except (orjson.JSONDecodeError, AttributeError):
            raise PlnError(f"the stored position of this collection ({token!r}) is not one "
                           "pln collect bluesky wrote; run without --resume") from None

    def dump(self) -> str:
        return orjson.dumps({"until": self.until, "cursor": self.cursor, "oldest": self.oldest,
                             "floor": self.floor}).decode()

    def params(self, query: str, since: str | None) -> dict[str, Any]:
        params: dict[str, Any] = {"q": query, "limit": LIMIT, "sort": "latest"}
        for name, value in (("cursor", self.cursor), ("since", since), ("until", self.until)):
            if value:
                params[name] = value
        return params

    def after(self, page: dict[str, Any], lowest: datetime | None
              ) -> tuple[_Segment | None, str | None]:
        """The position after ``page`` (None when the collection is done: the range brought
        nothing older than the range before, or reached ``lowest``, the ``since`` asked
        for), and a message when a new time range starts."""
        times = [t for t in map(_sort_time, page["posts"]) if t is not None]
        oldest = min([*times, *filter(None, [_time(self.oldest)])], default=None)
        cursor = page.get("cursor")
        if page["posts"] and isinstance(cursor, str) and cursor:
            return _Segment(self.until, cursor, _iso(oldest), self.floor), None
        # the range ended: go on only if it brought posts older than the range before it
        before = _time(self.floor)
        if oldest is None or (before is not None and oldest >= before) or (
                lowest is not None and oldest <= lowest):
            return None, None
        until = _iso(oldest + timedelta(milliseconds=1))
        return (_Segment(until, None, None, _iso(oldest)),
                f"the search stopped at {_iso(oldest)}: new time range from there back")


def _login(handle: str, password: str, run: Collection, progress: ProgressFn | None,
           sleep: Callable[[float], Any], secrets: ExitStack) -> Any:
    """An ``atproto.Client`` logged in with the handle and app password."""
    from atproto import Client

    client = Client()
    _watch_session(client, secrets)
    options: dict[str, Any] = {}
    if "fetch_bsky_profile" in inspect.signature(client.login).parameters:
        options["fetch_bsky_profile"] = False  # the profile is not needed: one request less
    try:
        fetch(lambda: client.login(handle, password, **options), _login_verdict,
              "the Bluesky login", run.report, progress, sleep)
    except Stop as why:
        raise PlnError(str(why)) from None
    return client


def _watch_session(client: Any, secrets: ExitStack) -> None:
    """Redact the session's tokens from the logs, now and after every refresh."""
    def hide(_event: object, session: Any) -> None:
        secrets.enter_context(redacted(_tokens(session), LOGGERS))

    hide(None, getattr(client, "_session", None))
    if callable(getattr(client, "on_session_change", None)):
        client.on_session_change(hide)


def _tokens(session: Any) -> list[str | None]:
    return [getattr(session, "access_jwt", None), getattr(session, "refresh_jwt", None)]


def _search(client: Any, params: dict[str, Any]) -> Any:
    """One searchPosts request; the server's JSON as it came (not the SDK's model)."""
    from atproto_client import models

    response = client.invoke_query(SEARCH, params=models.AppBskyFeedSearchPosts.Params(**params),
                                   output_encoding="application/json")
    return getattr(response, "content", response)


def _verdict(exc: Exception, client: Any, refreshed: list[bool]) -> Verdict:
    """What an atproto SDK (or httpx) exception of a search means."""
    from atproto_client import exceptions as ax

    common = _common_verdict(exc)
    if common is not None:
        return common
    status, error, message = _details(exc)
    if isinstance(exc, ax.BadRequestError) and error == "ExpiredToken":
        refresh = getattr(client, "_refresh_and_set_session", None)
        if not refreshed and callable(refresh):
            refreshed.append(True)
            try:
                refresh()
            except (ax.RequestErrorBase, ax.LoginRequiredError) as failed:
                return Stop(f"the Bluesky session expired and could not be refreshed "
                            f"({_summary(*_details(failed))}); run again to log in anew")
            return Retry("the Bluesky session expired: refreshed it")
        return Stop("the Bluesky session expired (400 ExpiredToken); run again to log in anew")
    if isinstance(exc, ax.UnauthorizedError) and status == 403:
        return Stop(f"the Bluesky API refused the search ({_summary(status, error, message)}); "
                    "searchPosts needs a logged-in account and may be restricted for it")
    if isinstance(exc, ax.UnauthorizedError):
        return Stop(f"the Bluesky API rejected the session ({_summary(status, error, message)})"
                    f"; check {HANDLE_VARIABLE} and {PASSWORD_VARIABLE}")
    if isinstance(exc, ax.BadRequestError):
        return Stop(f"the Bluesky API refused the search ({_summary(status, error, message)})")
    if isinstance(exc, ax.RequestErrorBase):
        return Stop(f"the Bluesky API refused the request ({_summary(status, error, message)})")
    return None


def _login_verdict(exc: Exception) -> Verdict:
    """What an exception of ``createSession`` means."""
    from atproto_client import exceptions as ax

    common = _common_verdict(exc)
    if common is not None:
        return common
    if isinstance(exc, ax.RequestErrorBase):
        return Stop(f"Bluesky refused the login ({_summary(*_details(exc))}): check "
                    f"{HANDLE_VARIABLE} and {PASSWORD_VARIABLE} ({_SETUP})")
    return None


def _common_verdict(exc: Exception) -> Verdict:
    """Rate limits, server errors and lost connections (any request)."""
    from atproto_client import exceptions as ax

    if isinstance(exc, ax.RateLimitExceededError):
        reset, after = exc.reset_at, exc.retry_after
        if reset is not None:
            wait = math.ceil((reset - datetime.now(UTC)).total_seconds())
        elif after is not None:
            wait = math.ceil(after)
        else:
            wait = 60
        return Wait(max(1, wait), "rate limited")
    if isinstance(exc, ax.InvokeTimeoutError):
        return Retry("the request timed out")
    if isinstance(exc, ax.NetworkError):
        status = exc.response.status_code if exc.response is not None else None
        return Retry(f"{status} server error" if status else "connection failed")
    if isinstance(exc, httpx.TransportError):
        return Retry("connection failed")
    if isinstance(exc, ax.RequestException) and exc.response is not None \
            and exc.response.status_code >= 500:
        return Retry(f"{exc.response.status_code} server error")
    return None


def _details(exc: Exception) -> tuple[int | None, str | None, str | None]:
    """The status, XRPC ``error`` and ``message`` of an SDK exception."""
    response = getattr(exc, "response", None)
    if response is None:
        return None, None, None
    content = response.content
    error = getattr(content, "error", None)
    message = getattr(content, "message", None)
    if isinstance(content, dict):
        error, message = content.get("error"), content.get("message")
    return response.status_code, _text(error), _text(message)


def _summary(status: int | None, error: str | None, message: str | None) -> str:
    said = ": ".join(s for s in (error, message) if s)
    return " ".join(str(s) for s in (status, said) if s) or "no details"


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _time(value: object) -> datetime | None:
    try:
        return parse_bluesky_time(value)
    except ValueError:
        return None


def _sort_time(pv: object) -> datetime | None:
    """``sortAt``: the earlier of ``record.createdAt`` and ``indexedAt``."""
    if not isinstance(pv, dict):
        return None
    record = pv.get("record")
    times = [t for t in (_time(record.get("createdAt")) if isinstance(record, dict) else None,
                         _time(pv.get("indexedAt"))) if t is not None]
    return min(times, default=None)


def _iso(when: datetime | None) -> str | None:
    """A time as ISO 8601 UTC with milliseconds (finer fractions are cut)."""
    if when is None:
        return None
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + \
        f"{when.microsecond // 1000:03d}Z"


def _newest(stored: str | None, posts: Iterable[Any], since: str | None,
            until: str | None) -> str | None:
    """The newer of the stored newest time and the sort times of the page's posts in the
    window (the ones stored)."""
    low, high = _time(since), _time(until)
    times = [_time(stored)]
    for pv in posts:
        when = post_time(pv)
        if when is not None and (low is None or when >= low) and (high is None or when < high):
            times.append(_sort_time(pv))
    return _iso(max(filter(None, times), default=None))
