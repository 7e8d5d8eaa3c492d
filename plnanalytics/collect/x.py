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

import math
import os
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import requests
import tweepy

from ..errors import OptionError, PlnError
from ..ingest.base import ReadLog
from ..ingest.twarc2 import page_batch
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
    shell,
    utc,
    window_args,
)

__all__ = ["CollectError", "CollectProgress", "CollectReport", "collect_x", "collection_key",
           "raw_path"]

#: The environment variable holding the X API bearer token (the only place it is read from).
TOKEN_VARIABLE = "PLN_X_BEARER_TOKEN"
#: Posts asked for per page.
MAX_RESULTS = 100
EXPANSIONS = ["author_id", "referenced_tweets.id", "referenced_tweets.id.author_id",
              "in_reply_to_user_id", "entities.mentions.username"]
TWEET_FIELDS = ["id", "text", "author_id", "created_at", "conversation_id",
                "in_reply_to_user_id", "referenced_tweets", "entities", "lang", "public_metrics"]
USER_FIELDS = ["id", "name", "username", "created_at", "description", "location",
               "public_metrics", "verified"]


def collection_key(query: str, since: str | None, until: str | None, *,
                   archive: bool = False) -> str:
    """The key of a collection: the SHA-1 of its query, time window and endpoint (recent
    search, or the full archive: their ``next_token`` values are not interchangeable)."""
    return key_of(query, since or "", until or "", *(["archive"] if archive else []))


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
    since_s, until_s = utc(since, "since", "collect x"), utc(until, "until", "collect x")
    token = os.environ.get(TOKEN_VARIABLE, "").strip()
    if client is None:
        if not token:
            raise PlnError(f"{TOKEN_VARIABLE} is not set: export {TOKEN_VARIABLE}=<your X API "
                           "bearer token> (it is read only from this variable)")
        client = tweepy.Client(bearer_token=token, return_type=dict, wait_on_rate_limit=False)
    key = collection_key(query, since_s, until_s, archive=archive)
    again = (f"pln collect x --query {shell(query)}{window_args(since_s, until_s)}"
             f"{' --archive' if archive else ''} --store {shell(str(store.path))}")
    run = Collection(store, "x", key, query, since_s, until_s, resume=resume, again=again)
    search = client.search_all_tweets if archive else client.search_recent_tweets
    params: dict[str, Any] = {"max_results": MAX_RESULTS, "expansions": EXPANSIONS,
                              "tweet_fields": TWEET_FIELDS, "user_fields": USER_FIELDS}
    if run.since_id:  # newer than the newest stored (which lies in the window anyway)
        params["since_id"] = run.since_id
    elif since_s:
        params["start_time"] = since_s
    if until_s:
        params["end_time"] = until_s
    endpoint = "all" if archive else "recent"
    with redacted([token], ("tweepy", "tweepy.client")):
        try:
            while True:
                page = fetch(lambda: search(query, next_token=run.next_token, **params),
                             lambda exc: _verdict(exc, endpoint), "the X API", run.report,
                             progress, sleep)
                if not isinstance(page, dict):
                    raise Stop("the X API answered with something other than a JSON page")
                record = run.append(page, endpoint=endpoint)
                log = ReadLog(str(run.raw))
                batch = page_batch(record, log, line=run.line)
                if not run.commit(batch, log, format="x-api",
                                  next_token=(page.get("meta") or {}).get("next_token"),
                                  newest_id=_newest(run.checkpoint["newest_id"], page),
                                  max_pages=max_pages, progress=progress):
                    return run.report
        except Stop as why:
            raise run.stopped(why) from None


def _verdict(exc: Exception, endpoint: str) -> Verdict:
    """What a tweepy or requests exception means."""
    if isinstance(exc, tweepy.TooManyRequests):
        if "UsageCapExceeded" in _body(exc) or "usage-capped" in _body(exc):
            return Stop("the X API usage cap of this app is exhausted (429 UsageCapExceeded); "
                        "it resets at the start of the next billing period")
        reset = exc.response.headers.get("x-rate-limit-reset")
        try:
            wait = max(1, math.ceil(float(reset) - time.time()))
        except (TypeError, ValueError):
            wait = 60
        return Wait(wait, "rate limited")
    if isinstance(exc, tweepy.TwitterServerError):
        return Retry(f"{exc.response.status_code} server error")
    if isinstance(exc, requests.ConnectionError | requests.Timeout):
        return Retry("connection failed")
    if isinstance(exc, tweepy.Unauthorized):
        return Stop(f"the X API rejected the bearer token (401 Unauthorized); check "
                    f"{TOKEN_VARIABLE}")
    if isinstance(exc, tweepy.Forbidden):
        return Stop(f"the X API refused the {endpoint} search (403 Forbidden: "
                    f"{_messages(exc)}); your access level may not include it")
    if isinstance(exc, tweepy.HTTPException):
        return Stop(f"the X API refused the request ({exc.response.status_code}: "
                    f"{_messages(exc)})")
    return None


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
