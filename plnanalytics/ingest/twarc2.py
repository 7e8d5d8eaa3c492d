"""twarc2 JSONL: X API v2 search pages (``data``/``includes``/``meta``/``__twarc``), one a
line, or flattened files with one expanded tweet a line (``twarc2 flatten``).

The tweet's own fields give the ties: ``in_reply_to_user_id`` for replies,
``referenced_tweets`` for retweets and quotes (the original's author from ``includes`` or,
for a flattened file, the embedded tweet; for a deleted original, from the ``RT @user:``
mention at the start of the text), and ``entities.mentions`` for mentions. Profiles come
from ``includes.users`` (or the embedded ``author``), dated by ``__twarc.retrieved_at``.

Examples
--------
>>> import orjson, tempfile, pathlib
>>> from plnanalytics.ingest.base import ReadLog
>>> page = {"data": [{"id": "2", "author_id": "11", "text": "@ann yes",
...                   "created_at": "2024-01-09T20:05:00.000Z", "in_reply_to_user_id": "10",
...                   "referenced_tweets": [{"type": "replied_to", "id": "1"}],
...                   "entities": {"mentions": [{"start": 0, "end": 4, "username": "ann",
...                                              "id": "10"}]}}],
...         "includes": {"users": [{"id": "11", "username": "bo", "name": "Bo"},
...                                {"id": "10", "username": "ann", "name": "Ann"}]},
...         "meta": {"result_count": 1}}
>>> path = pathlib.Path(tempfile.mkdtemp()) / "chat.jsonl"
>>> _ = path.write_bytes(orjson.dumps(page) + b"\\n")
>>> batch = next(Twarc2Reader(path).batches(ReadLog(str(path))))
>>> [(r[1], r[2], r[3]) for r in batch.rows["interactions"]]
[('reply', 'x:11', 'x:10')]
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
import re
from typing import Any

import orjson

from .base import Batch, Reader, ReadLog, open_binary, raw_position
from .tweets import PostSink

_fromiso = datetime.fromisoformat


class Twarc2Reader(Reader):
    """Reader for twarc2 JSONL (API v2 pages or flattened tweets)."""

    format = "twarc2"
    description = "twarc2 JSONL: X API v2 response pages or flattened tweets, one per line"
    unit = "posts"

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> bool:
        first = _first_json_line(head)
        if not isinstance(first, dict):
            return False
        if "data" in first or "includes" in first or "__twarc" in first:
            return True
        if isinstance(first.get("meta"), dict) and "result_count" in first["meta"]:
            return True
        return {"id", "text", "author_id"} <= first.keys()

    def batches(self, log: ReadLog) -> Iterator[Batch]:
        total = self.path.stat().st_size
        sink = PostSink("x", log)
        with open_binary(self.path) as fh:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    obj = orjson.loads(line)
                except orjson.JSONDecodeError as exc:
                    log.reject(lineno, f"not valid JSON ({exc})")
                    continue
                if not isinstance(obj, dict):
                    log.reject(lineno, "expected a JSON object (an API page or a tweet)")
                elif "data" in obj or "meta" in obj:
                    self._page(obj, lineno, sink, log)
                elif "id" in obj and "text" in obj:
                    self._flat(obj, lineno, sink, log)
                else:
                    log.reject(lineno, "neither an API v2 page (data/includes/meta) nor a tweet")
                if sink.size >= self.batch_rows:
                    if log.progress:
                        log.progress(raw_position(fh), total)
                    yield sink.take()
            if log.progress:
                log.progress(total, total)
        yield sink.take()

    # -- one API page ------------------------------------------------------------------------
    def _page(self, page: dict[str, Any], lineno: int, sink: PostSink, log: ReadLog) -> None:
        data = page.get("data") or []
        if isinstance(data, dict):  # a single-tweet lookup
            data = [data]
        if not isinstance(data, list):
            log.reject(lineno, "'data' is neither a list of tweets nor a tweet")
            return
        includes = page.get("includes") or {}
        users = {u["id"]: u for u in includes.get("users", ()) if isinstance(u, dict) and "id" in u}
        tweets = {t["id"]: t for t in includes.get("tweets", ()) if isinstance(t, dict) and "id" in t}
        by_name = {u.get("username", "").lower(): i for i, u in users.items()}
        seen_at = _retrieved_at(page)
        for i, tweet in enumerate(data, 1):
            try:
                self._tweet(tweet, sink, users, tweets, by_name)
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                log.reject(lineno, f"tweet {i} of the page: {_why(exc)}")
                continue
            log.records += 1
        page_time = seen_at
        if page_time is None:
            times = [p[3] for p in sink.batch.rows["posts"][-len(data):] if p[3] is not None]
            page_time = max(times) if times else None
        for u in users.values():
            _account(sink, u, page_time)

    def _tweet(self, t: dict[str, Any], sink: PostSink, users: dict[str, Any],
               tweets: dict[str, Any], by_name: dict[str, str]) -> None:
        tid = t["id"]
        author = t["author_id"]
        created = _fromiso(t["created_at"])
        reply_to = retweet_of = quote_of = None
        rt_user = quote_user = None
        for ref in t.get("referenced_tweets") or ():
            kind = ref["type"]
            if kind == "replied_to":
                reply_to = ref["id"]
            elif kind == "retweeted":
                retweet_of = ref["id"]
                original = tweets.get(retweet_of)
                rt_user = original.get("author_id") if original else None
            elif kind == "quoted":
                quote_of = ref["id"]
                original = tweets.get(quote_of)
                quote_user = original.get("author_id") if original else None
        entities = t.get("entities") or {}
        mentions = []
        for m in entities.get("mentions") or ():
            uid = m.get("id") or by_name.get(m.get("username", "").lower())
            if uid:
                mentions.append(uid)
        if retweet_of is not None and rt_user is None:
            rt_user = _rt_author(t, entities)
        user = users.get(author)
        sink.post(
            tid, author, created, t.get("text"),
            lang=t.get("lang"),
            handle=user.get("username") if user else None,
            reply_to_post=reply_to,
            reply_to_user=t.get("in_reply_to_user_id"),
            conversation_id=t.get("conversation_id"),
            retweet_of=retweet_of, retweet_of_user=rt_user,
            quote_of=quote_of, quote_of_user=quote_user,
            mentions=mentions,
            hashtags=[h["tag"] for h in entities.get("hashtags") or ()],
        )

    # -- one flattened tweet -----------------------------------------------------------------
    def _flat(self, t: dict[str, Any], lineno: int, sink: PostSink, log: ReadLog) -> None:
        try:
            users: dict[str, Any] = {}
            tweets: dict[str, Any] = {}
            author = t.get("author")
            if isinstance(author, dict) and "id" in author:
                users[author["id"]] = author
            for ref in t.get("referenced_tweets") or ():
                if "author_id" in ref:
                    tweets[ref["id"]] = ref
                    if isinstance(ref.get("author"), dict):
                        users[ref["author"]["id"]] = ref["author"]
            replied = t.get("in_reply_to_user")
            if isinstance(replied, dict) and "id" in replied:
                users[replied["id"]] = replied
            for m in (t.get("entities") or {}).get("mentions") or ():
                if "id" in m and "username" in m and m["id"] not in users:
                    users[m["id"]] = {"id": m["id"], "username": m["username"]}
            by_name = {u.get("username", "").lower(): i for i, u in users.items()}
            self._tweet(t, sink, users, tweets, by_name)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            log.reject(lineno, _why(exc))
            return
        log.records += 1
        seen_at = _retrieved_at(t) or sink.batch.rows["posts"][-1][3]
        for u in users.values():
            _account(sink, u, seen_at)


def _account(sink: PostSink, u: dict[str, Any], seen_at: datetime | None) -> None:
    metrics = u.get("public_metrics") or {}
    created = u.get("created_at")
    sink.account(
        u["id"], seen_at, u.get("username"), u.get("name"), u.get("description"),
        u.get("location"), metrics.get("followers_count"), metrics.get("following_count"),
        metrics.get("tweet_count"), u.get("verified"),
        _fromiso(created) if isinstance(created, str) else None,
    )


def _rt_author(t: dict[str, Any], entities: dict[str, Any]) -> str | None:
    """The original author of a retweet whose original is missing: the ``RT @user:`` mention."""
    text = t.get("text") or ""
    if not text.startswith("RT @"):
        return None
    for m in entities.get("mentions") or ():
        if m.get("start") == 3 and m.get("id"):
            return m["id"]
    return None


def _retrieved_at(obj: dict[str, Any]) -> datetime | None:
    meta = obj.get("__twarc")
    if isinstance(meta, dict) and isinstance(meta.get("retrieved_at"), str):
        try:
            return _fromiso(meta["retrieved_at"])
        except ValueError:
            return None
    return None


def _first_json_line(head: bytes) -> object:
    """The first JSON value of a file's head; for a page longer than the head, its keys."""
    for line in head.splitlines():
        if line.strip():
            try:
                return orjson.loads(line)
            except orjson.JSONDecodeError:
                match = _PAGE_START.match(line)
                return {match.group(1).decode(): None} if match else None
    return None


#: The start of an API page too long to parse from a file's head.
_PAGE_START = re.compile(rb'^\s*\{\s*"(data|includes|meta|__twarc)"\s*:')


def _why(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return f"missing field {exc.args[0]!r}"
    return f"{type(exc).__name__}: {exc}"
