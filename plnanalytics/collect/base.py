"""What every collector shares: the checkpointed page loop, retries and the raw files.

A collection (one query, time window and server of one collector) is a row of the store's
``collections`` table, keyed by :func:`key_of` its parts. :class:`Collection` runs it page
by page:

1. :meth:`Collection.append` writes a response, with a ``__pln`` block saying where it came
   from (never a credential), to the raw JSONL file ``<store stem>.raw/<collector>/<key>.jsonl``,
   flushed and fsynced;
2. :meth:`Collection.commit` stores the page's normalized rows and the new checkpoint in ONE
   transaction, so a page is either stored with its checkpoint or not at all.

:func:`fetch` makes one request, waiting out rate limits and retrying server errors and lost
connections with exponential backoff; a collector only says what each exception means
(:class:`Wait`, :class:`Retry` or :class:`Stop`).

Examples
--------
>>> key_of("#NAESPchat", "", "") == key_of("#NAESPchat", "", "")
True
>>> raw_path("chats.duckdb", "mastodon", key_of("a")).parent.as_posix()
'chats.raw/mastodon'
>>> utc("2024-01-09 15:00-05:00", "since", "collect x")
'2024-01-09T20:00:00Z'
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from ..errors import OptionError, PlnError
from ..ingest.base import Batch, ReadLog, time_option
from ..store import IngestReport, Store

#: Tries of one request on server errors and lost connections.
MAX_TRIES = 5


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
    """What one run of a collection did.

    Attributes
    ----------
    query, key, raw_path : str
        The query (``#NAESPchat`` or an X search), its collection key and the raw JSONL file
        of its pages.
    since, until : str or None
        The time window (UTC, ISO 8601).
    since_id : str or None
        Only posts newer than this were asked for (incremental runs): a post id on X and
        Mastodon, a time on Bluesky.
    resumed : bool
        Whether this run continued a stored position.
    pages, posts, kept, rejected : int
        Pages stored, posts read, posts new to the store, posts that could not be read.
    waited : float
        Seconds waited for rate limits.
    retries : int
        Requests repeated after server errors.
    state : str
        ``done`` (no more pages), ``stopped`` (``max_pages`` reached or the API refused) or
        ``running`` (interrupted).
    newest_id : str or None
        Newest post stored for this collection (an id, or a time on Bluesky).
    collector : str
        ``x``, ``mastodon`` or ``bluesky``.
    server : str or None
        The Mastodon server of the collection.
    extra : int
        Further requests made for the pages (Mastodon ``--threads`` contexts).
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
    collector: str = "x"
    server: str | None = None
    extra: int = 0


class CollectError(PlnError):
    """A collection stopped before its last page; ``report`` tells what was kept.

    ``reports`` holds the reports of every collection of the run (one per Mastodon server),
    the stopped ones and the others.
    """

    def __init__(self, message: str, report: CollectReport,
                 reports: list[CollectReport] | None = None) -> None:
        super().__init__(message)
        self.report = report
        self.reports = reports if reports is not None else [report]


# -- what an exception means -----------------------------------------------------------------
class Stop(Exception):
    """The API refused to go on (the reason is the message)."""


@dataclass
class Wait:
    """Wait ``seconds`` (a rate limit), then ask again; not counted as a try."""

    seconds: float
    message: str


@dataclass
class Retry:
    """A server error or lost connection: retry with backoff (at most :data:`MAX_TRIES`)."""

    message: str


Verdict = Wait | Retry | Stop | None


def fetch(call: Callable[[], Any], classify: Callable[[Exception], Verdict], api: str,
          report: CollectReport, progress: ProgressFn | None,
          sleep: Callable[[float], Any]) -> Any:
    """Make one request, waiting out rate limits and retrying server errors.

    Parameters
    ----------
    call : callable
        Makes the request and returns its result.
    classify : callable
        Says what an exception of ``call`` means: :class:`Wait`, :class:`Retry`, a
        :class:`Stop` (raised) or None (not an API error: raised as it is).
    api : str
        The API's name in messages (``the X API``).
    report, progress, sleep
        The run's report (waits and retries are added), progress callback and sleep.

    Raises
    ------
    Stop
        The API refused, or failed :data:`MAX_TRIES` times in a row.

    Examples
    --------
    >>> answers = iter([ConnectionError("reset"), "page"])
    >>> def call():
    ...     answer = next(answers)
    ...     if isinstance(answer, Exception):
    ...         raise answer
    ...     return answer
    >>> waits = []
    >>> report = CollectReport("#edchat", "k", "raw.jsonl")
    >>> fetch(call, lambda exc: Retry("connection failed"), "the API", report, None,
    ...       waits.append), waits, report.retries
    ('page', [1], 1)
    """
    tries = 0
    while True:
        try:
            return call()
        except Exception as exc:
            verdict = classify(exc)
            if verdict is None:
                raise
            if isinstance(verdict, Stop):
                raise verdict from None
            if isinstance(verdict, Wait):
                wait = max(1.0, float(verdict.seconds))
                report.waited += wait
                say(progress, report, f"{verdict.message}: waiting {wait:,.0f} s", wait=wait)
                sleep(wait)
                continue
            tries += 1
            if tries >= MAX_TRIES:
                raise Stop(f"{api} failed {tries} times in a row ({verdict.message})") from None
            wait = 2 ** (tries - 1)
            report.retries += 1
            say(progress, report, f"{verdict.message}: retrying in {wait} s (try {tries + 1} of "
                                  f"{MAX_TRIES})", wait=wait)
            sleep(wait)


# -- one collection ---------------------------------------------------------------------------
class Collection:
    """The checkpointed state of one collection while it runs.

    Parameters
    ----------
    store : Store
        The project store.
    collector, key, query : str
        The collector, the collection's key and its query (shown in the store and messages).
    since, until : str or None
        The time window.
    resume : bool
        Continue the stored position: an error when there is none, or the collection
        finished.
    again : str
        The command that continues the collection (``pln collect x --query ...``), without
        ``--resume``; said when it stops.

    Attributes
    ----------
    checkpoint : dict
        The current checkpoint (see :meth:`Store.checkpoint`).
    previous : dict or None
        The checkpoint stored before this run.
    report : CollectReport
        What this run did so far.
    raw : Path
        The raw JSONL file.
    line : int
        Lines in the raw file.
    """

    def __init__(self, store: Store, collector: str, key: str, query: str, since: str | None,
                 until: str | None, *, resume: bool, again: str) -> None:
        self.store, self.again = store, again
        self.raw = raw_path(store.path, collector, key)
        previous = store.checkpoint(collector, key)
        if resume:
            if previous is None:
                raise PlnError(f"nothing to resume: no collection of {query!r} in this time "
                               f"window in {store.path}; run without --resume")
            if previous["state"] == "done":
                raise PlnError(f"nothing to resume: the collection of {query!r} finished "
                               f"({previous['pages']} pages); run without --resume to fetch "
                               "newer posts")
            since_id, next_token = previous["since_id"], previous["next_token"]
        else:
            since_id = None if previous is None else (
                previous["newest_id"] if previous["state"] == "done" else previous["since_id"])
            next_token = None
        self.previous = previous
        newest = previous["newest_id"] if previous else None
        self.report = CollectReport(query, key, str(self.raw), since, until, since_id, resume,
                                    newest_id=newest, collector=collector)
        self.checkpoint: dict[str, Any] = {
            "collector": collector, "key": key, "query": query, "since": since, "until": until,
            "since_id": since_id, "next_token": next_token, "newest_id": newest,
            "pages": previous["pages"] if previous else 0,
            "posts": previous["posts"] if previous else 0, "state": "running"}
        store.save_checkpoint(self.checkpoint)
        self.raw.parent.mkdir(parents=True, exist_ok=True)
        self.line = count_lines(self.raw)

    @property
    def since_id(self) -> str | None:
        return self.checkpoint["since_id"]

    @property
    def next_token(self) -> str | None:
        return self.checkpoint["next_token"]

    def append(self, response: Any, **about: Any) -> dict[str, Any]:
        """Write one response to the raw file (with its ``__pln`` block) and return the record.

        A JSON object gets the block as a key; anything else (a JSON array) is kept under
        ``data``, as ``{"data": [...], "__pln": {...}}``.
        """
        record = dict(response) if isinstance(response, dict) else {"data": response}
        c = self.checkpoint
        record["__pln"] = {
            "collector": c["collector"], "query": c["query"], "since": c["since"],
            "until": c["until"], "since_id": c["since_id"], "next_token": c["next_token"],
            "page": c["pages"] + 1, **about,
            "retrieved_at": datetime.now(UTC).isoformat(timespec="seconds")}
        append_raw(self.raw, record)
        self.line += 1
        return record

    def commit(self, batch: Batch, log: ReadLog, *, format: str, next_token: str | None,
               newest_id: str | None, max_pages: int | None, progress: ProgressFn | None,
               **changes: Any) -> bool:
        """Store a page's rows with the new checkpoint; True when the collection goes on.

        The collection is ``done`` when ``next_token`` is None, ``stopped`` when this run
        stored ``max_pages`` pages; ``changes`` update other checkpoint fields.
        """
        pages = self.report.pages + 1
        stop = next_token is not None and max_pages is not None and pages >= max_pages
        new = {**self.checkpoint, **changes, "next_token": next_token, "newest_id": newest_id,
               "pages": self.checkpoint["pages"] + 1,
               "posts": self.checkpoint["posts"] + log.records,
               "state": "done" if next_token is None else "stopped" if stop else "running"}
        new.pop("updated_at", None)
        stored: IngestReport = self.store.add_batch(batch, log, source=str(self.raw),
                                                    format=format, checkpoint=new)
        self.checkpoint = new
        r = self.report
        r.pages, r.posts, r.kept = pages, r.posts + log.records, r.kept + stored.kept
        r.rejected += log.rejected
        r.newest_id, r.state = newest_id, new["state"]
        say(progress, r, f"page {r.pages}: {log.records} posts ({stored.kept} new)")
        return new["state"] == "running"

    def stopped(self, why: Stop) -> CollectError:
        """Mark the collection stopped; the error to raise, saying what was kept."""
        self.checkpoint = {**self.checkpoint, "state": "stopped"}
        self.checkpoint.pop("updated_at", None)
        self.store.save_checkpoint(self.checkpoint)
        self.report.state = "stopped"
        return CollectError(
            f"{why}. Kept {self.report.pages} page(s) of this run ({self.report.kept} new "
            f"posts) in {self.store.path}, raw pages in {self.raw}; continue later with: "
            f"{self.again} --resume", self.report)


# -- helpers ----------------------------------------------------------------------------------
def key_of(*parts: str) -> str:
    """The key of a collection: the SHA-1 of its parts (query, window, server...)."""
    return hashlib.sha1("\x00".join(parts).encode()).hexdigest()


def raw_path(store_path: str | Path, collector: str, key: str) -> Path:
    """The raw JSONL file of a collection: ``<store stem>.raw/<collector>/<key>.jsonl``."""
    store_path = Path(store_path)
    return store_path.parent / f"{store_path.stem}.raw" / collector / f"{key}.jsonl"


def raw_records(path: Path) -> Iterator[dict[str, Any]]:
    """The records of a raw file (a line cut short by a crash is skipped)."""
    if not path.exists():
        return
    with open(path, "rb") as fh:
        for line in fh:
            try:
                record = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue
            if isinstance(record, dict):
                yield record


def append_raw(path: Path, record: dict[str, Any]) -> None:
    """Append one record to a raw file and make sure it is on disk."""
    with open(path, "ab") as fh:
        fh.write(orjson.dumps(record) + b"\n")
        fh.flush()
        os.fsync(fh.fileno())


def count_lines(path: Path) -> int:
    if not path.exists():
        return 0
    n = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            n += chunk.count(b"\n")
    return n


def say(progress: ProgressFn | None, report: CollectReport, message: str,
        wait: float = 0.0) -> None:
    if progress is not None:
        progress(CollectProgress(report.pages, report.posts, report.kept, message, wait))


def utc(value: str | datetime | None, name: str, command: str) -> str | None:
    """A time as ``YYYY-MM-DDTHH:MM:SSZ`` (naive times are UTC)."""
    try:
        when = time_option(value)
    except ValueError:
        raise OptionError(f"{command}: --{name} {value!r} is not a time (give ISO 8601, "
                          "e.g. 2024-01-09 or 2024-01-09T20:00:00Z)") from None
    return None if when is None else when.strftime("%Y-%m-%dT%H:%M:%SZ")


def shell(text: str) -> str:
    """``text`` quoted for a POSIX shell."""
    return "'" + text.replace("'", "'\\''") + "'"


def window_args(since: str | None, until: str | None) -> str:
    return (f" --since {since}" if since else "") + (f" --until {until}" if until else "")


class _Redact(logging.Filter):
    """Replace secrets in log records (client libraries log request headers at debug level)."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(s in message for s in self.secrets):
            for s in self.secrets:
                message = message.replace(s, "***")
            record.msg, record.args = message, ()
        return True


@contextmanager
def redacted(secrets: Iterable[str | None], loggers: Iterable[str]) -> Iterator[None]:
    """Within the block, the named loggers never show any of ``secrets``."""
    values = [s for s in secrets if s]
    if not values:
        yield
        return
    found = [logging.getLogger(n) for n in loggers]
    redact = _Redact(values)
    for lg in found:
        lg.addFilter(redact)
    try:
        yield
    finally:
        for lg in found:
            lg.removeFilter(redact)
