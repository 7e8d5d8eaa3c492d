"""``pln collect x``: X API v2 search through tweepy, raw pages first, resumable and incremental.

One request at a time, following ``next_token``. Each response page is

1. appended, with a ``__pln`` block (collector, endpoint, query, window, ``since_id``, the
   ``next_token`` it was fetched with, its page number and when it was retrieved; no URL and
   never the token), to a raw JSONL file beside the store,
   ``<store stem>.raw/x/<key>.jsonl``, then flushed and fsynced;
2. normalized by the twarc2 page code (:func:`~plnanalytics.ingest.twarc2.page_batch`) and
   merged into the store in ONE transaction with the collection's checkpoint (table
   ``collections``), so a page is either stored with its checkpoint or not at all.

The key of a collection is the SHA-1 of its query and time window. ``resume=True`` continues
an interrupted or stopped collection from its stored ``next_token`` (with the ``since_id``
it started from). A page that was fetched and written to the raw file but not committed
(a crash between the two) is fetched again on resume, so the raw file then holds it twice;
the store holds it once (and re-ingesting the raw file is idempotent). A new run (not a
resume) after a finished one asks only for posts newer than the newest stored
(``since_id``); after an unfinished one it starts again from the top with the ``since_id``
of that run.

Rate limits (429) wait until ``x-rate-limit-reset`` and retry; server errors (5xx) and lost
connections are retried with exponential backoff (1, 2, 4, 8 s; at most 5 tries). A 401,
403 (access level), a usage cap (429 ``UsageCapExceeded``) or any other refusal stops with a
:class:`CollectError` saying what was kept and how to resume. The bearer token is read only
from ``PLN_X_BEARER_TOKEN`` and never written to the store, the raw files, messages or logs
(tweepy's debug log of request headers is redacted).

Examples
--------
>>> collection_key("#NAESPchat", None, None) == collection_key("#NAESPchat", None, None)
True
>>> collection_key("#NAESPchat", "2024-01-01T00:00:00Z", None) == collection_key(
...     "#NAESPchat", None, None)
False
>>> collection_key("#NAESPchat", None, None) == collection_key("#NAESPchat", None, None,
...                                                             archive=True)
False
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pandas as pd
import requests
import tweepy

from ..errors import OptionError, PlnError
from ..ingest.base import ReadLog
from ..ingest.twarc2 import page_batch
from ..store import Store

#: The environment variable holding the X API bearer token (the only place it is read from).
TOKEN_VARIABLE = "PLN_X_BEARER_TOKEN"
#: Posts asked for per page.
MAX_RESULTS = 100
#: Tries of one request on server errors and lost connections.
MAX_TRIES = 5
EXPANSIONS = ["author_id", "referenced_tweets.id", "referenced_tweets.id.author_id",
              "in_reply_to_user_id", "entities.mentions.username"]
TWEET_FIELDS = ["id", "text", "author_id", "created_at", "conversation_id",
                "in_reply_to_user_id", "referenced_tweets", "entities", "lang", "public_metrics"]
USER_FIELDS = ["id", "name", "username", "created_at", "description", "location",
               "public_metrics", "verified"]


@dataclass
class CollectProgress:
    """What a collection has done so far, given to the ``progress`` callback.

    Attributes
    ----------
    pages, posts, kept : int
        Pages stored, posts read and posts new to the store in this run.
    message : str
        What just happened (``page 3: 100 posts``, ``rate limited: waiting 37 s``).
    wait : float
        Seconds about to be waited (0 unless waiting).
    """

    pages: int
    posts: int
    kept: int
    message: str = ""
    wait: float = 0.0


ProgressFn = Callable[[CollectProgress], None]


@dataclass
class CollectReport:
    """What one run of :func:`collect_x` did.

    Attributes
    ----------
    query, key, raw_path : str
        The query, its collection key and the raw JSONL file of its pages.
    since, until : str or None
        The time window (UTC, ISO 8601).
    since_id : str or None
        Only posts newer than this id were asked for (incremental runs).
    resumed : bool
        Whether this run continued a stored ``next_token``.
    pages, posts, kept, rejected : int
        Pages stored, posts read, posts new to the store, tweets that could not be read.
    waited : float
        Seconds waited for rate limits.
    retries : int
        Requests repeated after server errors.
    state : str
        ``done`` (no more pages), ``stopped`` (``max_pages`` reached or the API refused) or
        ``running`` (interrupted).
    newest_id : str or None
        Newest post id stored for this query and window.
    """

    query: str
    key: str
    raw_path: str
    since: str | None = None
    until: str | None = None
    since_id: str | None = None
    resumed: bool = False
    pages: int = 0
    posts: int = 0
    kept: int = 0
    rejected: int = 0
    waited: float = 0.0
    retries: int = 0
    state: str = "running"
    newest_id: str | None = None


class CollectError(PlnError):
    """A collection stopped before its last page; ``report`` tells what was kept."""

    def __init__(self, message: str, report: CollectReport) -> None:
        super().__init__(message)
        self.report = report


class _Stop(Exception):
    """The API refused to go on (the reason is the message)."""


def collection_key(query: str, since: str | None, until: str | None, *,
                   archive: bool = False) -> str:
    """The key of a collection: the SHA-1 of its query, time window and endpoint (recent
    search, or the full archive: their ``next_token`` values are not interchangeable)."""
    text = f"{query}\x00{since or ''}\x00{until or ''}" + ("\x00archive" if archive else "")
    return hashlib.sha1(text.encode()).hexdigest()


def raw_path(store_path: str | Path, collector: str, key: str) -> Path:
    """The raw JSONL file of a collection: ``<store stem>.raw/<collector>/<key>.jsonl``."""
    store_path = Path(store_path)
    return store_path.parent / f"{store_path.stem}.raw" / collector / f"{key}.jsonl"


def collect_x(
    store: Store,
    query: str,
    *,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    archive: bool = False,
    resume: bool = False,
    max_pages: int | None = None,
    progress: ProgressFn | None = None,
    client: Any = None,
    sleep: Callable[[float], Any] = time.sleep,
) -> CollectReport:
    """Search X (API v2) and store every page with its checkpoint; see the module notes.

    Parameters
    ----------
    store : Store
        The project store (opened for writing).
    query : str
        An X search query, such as ``#NAESPchat -is:retweet``.
    since, until : str or datetime, optional
        The time window (``start_time`` and ``end_time``); naive times are UTC.
    archive : bool
        Search the full archive (``search_all_tweets``, academic/pro access) instead of
        the last 7 days.
    resume : bool
        Continue the interrupted or stopped collection of the same query and window.
    max_pages : int, optional
        Stop (state ``stopped``, resumable) after this many pages.
    progress : callable, optional
        Called with a :class:`CollectProgress` after each page, wait and retry.
    client : tweepy.Client, optional
        For tests; by default one is made with the token of ``PLN_X_BEARER_TOKEN``.
    sleep : callable
        Waits a number of seconds (for tests).

    Returns
    -------
    CollectReport

    Raises
    ------
    PlnError
        No token, nothing to resume, or bad options.
    CollectError
        The API refused to go on; pages committed so far are kept and the collection can be
        resumed.
    """
    if not query or not query.strip():
        raise OptionError("collect x: give a search query (--query)")
    if max_pages is not None and max_pages < 1:
        raise OptionError(f"collect x: --max-pages must be at least 1, not {max_pages}")
    since_s, until_s = _utc(since, "since"), _utc(until, "until")
    token = os.environ.get(TOKEN_VARIABLE, "").strip()
    if client is None:
        if not token:
            raise PlnError(f"{TOKEN_VARIABLE} is not set: export {TOKEN_VARIABLE}=<your X API "
                           "bearer token> (it is read only from this variable)")
        client = tweepy.Client(bearer_token=token, return_type=dict, wait_on_rate_limit=False)
    key = collection_key(query, since_s, until_s, archive=archive)
    raw = raw_path(store.path, "x", key)
    cp = store.checkpoint("x", key)
    if resume:
        if cp is None:
            raise PlnError(f"nothing to resume: no collection of {query!r} in this time window "
                           f"in {store.path}; run without --resume")
        if cp["state"] == "done":
            raise PlnError(f"nothing to resume: the collection of {query!r} finished "
                           f"({cp['pages']} pages); run without --resume to fetch newer posts")
        since_id, next_token = cp["since_id"], cp["next_token"]
    else:
        since_id = (cp["newest_id"] if cp["state"] == "done" else cp["since_id"]) if cp else None
        next_token = None
    report = CollectReport(query, key, str(raw), since_s, until_s, since_id, resume,
                           newest_id=cp["newest_id"] if cp else None)
    state: dict[str, Any] = {
        "collector": "x", "key": key, "query": query, "since": since_s, "until": until_s,
        "since_id": since_id, "next_token": next_token,
        "newest_id": cp["newest_id"] if cp else None,
        "pages": cp["pages"] if cp else 0, "posts": cp["posts"] if cp else 0,
        "state": "running"}
    store.save_checkpoint(state)
    raw.parent.mkdir(parents=True, exist_ok=True)
    line = _count_lines(raw)
    search = client.search_all_tweets if archive else client.search_recent_tweets
    params: dict[str, Any] = {"max_results": MAX_RESULTS, "expansions": EXPANSIONS,
                              "tweet_fields": TWEET_FIELDS, "user_fields": USER_FIELDS}
    if since_id:  # newer than the newest stored (which lies in the window anyway)
        params["since_id"] = since_id
    elif since_s:
        params["start_time"] = since_s
    if until_s:
        params["end_time"] = until_s
    endpoint = "all" if archive else "recent"
    with _redacted(token):
        try:
            while True:
                page = _fetch(search, query, params, next_token, endpoint, report, progress,
                              sleep)
                record = {**page, "__pln": {
                    "collector": "x", "endpoint": endpoint, "query": query, "since": since_s,
                    "until": until_s, "since_id": since_id, "next_token": next_token,
                    "page": state["pages"] + 1,
                    "retrieved_at": datetime.now(UTC).isoformat(timespec="seconds")}}
                _append(raw, record)
                line += 1
                log = ReadLog(str(raw))
                batch = page_batch(record, log, line=line)
                page_next = (page.get("meta") or {}).get("next_token")
                stop = page_next is not None and max_pages is not None \
                    and report.pages + 1 >= max_pages
                new = {**state, "next_token": page_next,
                       "newest_id": _newest(state["newest_id"], page),
                       "pages": state["pages"] + 1, "posts": state["posts"] + log.records,
                       "state": "done" if page_next is None else "stopped" if stop
                       else "running"}
                stored = store.add_batch(batch, log, source=str(raw), format="x-api",
                                         checkpoint=new)
                state = new
                report.pages += 1
                report.posts += log.records
                report.kept += stored.kept
                report.rejected += log.rejected
                report.newest_id = state["newest_id"]
                report.state = state["state"]
                _say(progress, report, f"page {report.pages}: {log.records} posts "
                                       f"({stored.kept} new)")
                if page_next is None or stop:
                    return report
                next_token = page_next
        except _Stop as why:
            state = {**state, "state": "stopped"}
            store.save_checkpoint(state)
            report.state = "stopped"
            raise CollectError(
                f"{why}. Kept {report.pages} page(s) of this run ({report.kept} new posts) in "
                f"{store.path}, raw pages in {raw}; continue later with: pln collect x "
                f"--query {_shell(query)}{_window(since_s, until_s)}"
                f"{' --archive' if archive else ''} --resume --store {_shell(str(store.path))}",
                report) from None


def _fetch(search: Callable[..., Any], query: str, params: dict[str, Any],
           next_token: str | None, endpoint: str, report: CollectReport,
           progress: ProgressFn | None, sleep: Callable[[float], Any]) -> dict[str, Any]:
    """One page, waiting out rate limits and retrying server errors."""
    tries = 0
    while True:
        try:
            page = search(query, next_token=next_token, **params)
        except tweepy.TooManyRequests as exc:
            if "UsageCapExceeded" in _body(exc) or "usage-capped" in _body(exc):
                raise _Stop("the X API usage cap of this app is exhausted (429 "
                            "UsageCapExceeded); it resets at the start of the next "
                            "billing period") from None
            reset = exc.response.headers.get("x-rate-limit-reset")
            try:
                wait = max(1, math.ceil(float(reset) - time.time()))
            except (TypeError, ValueError):
                wait = 60
            report.waited += wait
            _say(progress, report, f"rate limited: waiting {wait} s", wait=wait)
            sleep(wait)
            continue
        except (tweepy.TwitterServerError, requests.ConnectionError, requests.Timeout) as exc:
            tries += 1
            what = (f"{exc.response.status_code} server error"
                    if isinstance(exc, tweepy.HTTPException) else "connection failed")
            if tries >= MAX_TRIES:
                raise _Stop(f"the X API failed {tries} times in a row ({what})") from None
            wait = 2 ** (tries - 1)
            report.retries += 1
            _say(progress, report, f"{what}: retrying in {wait} s (try {tries + 1} of "
                                   f"{MAX_TRIES})", wait=wait)
            sleep(wait)
            continue
        except tweepy.Unauthorized:
            raise _Stop(f"the X API rejected the bearer token (401 Unauthorized); check "
                        f"{TOKEN_VARIABLE}") from None
        except tweepy.Forbidden as exc:
            raise _Stop(f"the X API refused the {endpoint} search (403 Forbidden: "
                        f"{_messages(exc)}); your access level may not include it") from None
        except tweepy.HTTPException as exc:
            raise _Stop(f"the X API refused the request ({exc.response.status_code}: "
                        f"{_messages(exc)})") from None
        if not isinstance(page, dict):
            raise _Stop("the X API answered with something other than a JSON page")
        return page


def _body(exc: tweepy.HTTPException) -> str:
    try:
        return exc.response.text or ""
    except (AttributeError, ValueError):
        return ""


def _messages(exc: tweepy.HTTPException) -> str:
    return "; ".join(str(m) for m in exc.api_messages) or exc.response.reason or "no details"


def _newest(stored: str | None, page: dict[str, Any]) -> str | None:
    """The newer of the stored newest id and the page's (ids are numbers as strings)."""
    ids = [t.get("id") for t in page.get("data") or () if isinstance(t, dict)]
    ids += [stored, (page.get("meta") or {}).get("newest_id")]
    numeric = [i for i in ids if isinstance(i, str) and i.isdigit()]
    return max(numeric, key=int) if numeric else None


def _append(path: Path, record: dict[str, Any]) -> None:
    """Append one page to the raw file and make sure it is on disk."""
    with open(path, "ab") as fh:
        fh.write(orjson.dumps(record) + b"\n")
        fh.flush()
        os.fsync(fh.fileno())


def _count_lines(path: Path) -> int:
    if not path.exists():
        return 0
    n = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            n += chunk.count(b"\n")
    return n


def _say(progress: ProgressFn | None, report: CollectReport, message: str,
         wait: float = 0.0) -> None:
    if progress is not None:
        progress(CollectProgress(report.pages, report.posts, report.kept, message, wait))


def _utc(value: str | datetime | None, name: str) -> str | None:
    """A time as ``YYYY-MM-DDTHH:MM:SSZ`` (naive times are UTC)."""
    if value is None or value == "":
        return None
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise OptionError(f"collect x: --{name} {value!r} is not a time (give ISO 8601, "
                          "e.g. 2024-01-09 or 2024-01-09T20:00:00Z)") from None
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ")


def _shell(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def _window(since: str | None, until: str | None) -> str:
    return (f" --since {since}" if since else "") + (f" --until {until}" if until else "")


class _Redact(logging.Filter):
    """Replace a secret in log records (tweepy logs request headers at debug level)."""

    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.secret in message:
            record.msg, record.args = message.replace(self.secret, "***"), ()
        return True


@contextmanager
def _redacted(secret: str) -> Iterator[None]:
    if not secret:
        yield
        return
    loggers = [logging.getLogger(n) for n in ("tweepy", "tweepy.client")]
    redact = _Redact(secret)
    for lg in loggers:
        lg.addFilter(redact)
    try:
        yield
    finally:
        for lg in loggers:
            lg.removeFilter(redact)
