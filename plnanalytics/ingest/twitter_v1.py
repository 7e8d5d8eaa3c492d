"""Twitter API v1.1 statuses as JSON lines (``tweet_mode=extended``).

A line holds one status object, a search response (``{"statuses": [...],
"search_metadata": ...}``) or a JSON array of statuses; every status is one record. The
status's own fields give the ties: ``in_reply_to_user_id_str`` for replies, the embedded
``retweeted_status`` for retweets (retweeter -> original author), ``quoted_status`` (or only
``quoted_status_id_str``, when the quoted author is unknown) for quotes, and
``entities.user_mentions`` for mentions; :class:`~plnanalytics.ingest.tweets.PostSink`
applies the edge rules (a retweet's entities carry the original's mentions, which are not
the retweeter's, so a retweet gives only its retweet tie). Ids are always the ``*_id_str``
fields: the numeric ``id`` loses digits in any reader that parses numbers as floats.

Profiles come from ``user`` and the users of embedded ``retweeted_status`` and
``quoted_status``, dated by the carrying status's ``created_at``. Mentioned accounts get
their id, handle and name, undated, so they only fill gaps in what profiles say. v1.1 has
no conversation id; ``lang`` is the status's own language tag.

Examples
--------
>>> import orjson, tempfile, pathlib
>>> from plnanalytics.ingest.base import ReadLog
>>> status = {"id_str": "2", "created_at": "Wed Oct 10 20:19:24 +0000 2018",
...           "full_text": "@ann yes #NAESPchat", "in_reply_to_status_id_str": "1",
...           "in_reply_to_user_id_str": "10",
...           "user": {"id_str": "11", "screen_name": "bo", "followers_count": 5},
...           "entities": {"user_mentions": [{"id_str": "10", "screen_name": "ann"}],
...                        "hashtags": [{"text": "NAESPchat"}]}}
>>> path = pathlib.Path(tempfile.mkdtemp()) / "statuses.jsonl"
>>> _ = path.write_bytes(orjson.dumps(status) + b"\\n")
>>> batch = next(TwitterV1Reader(path).batches(ReadLog(str(path))))
>>> [(r[1], r[2], r[3], r[6]) for r in batch.rows["interactions"]]
[('reply', 'x:11', 'x:10', '#naespchat')]
>>> sorted((r[0], r[2]) for r in batch.rows["accounts"])
[('x:10', 'ann'), ('x:11', 'bo')]
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from ..errors import FormatError
from .base import Batch, Reader, ReadLog, open_binary, raw_position
from .tweets import NOTE_MENTION_UNKNOWN, PostSink, parse_twitter_time

#: Keys of the streaming API's notices, which are not statuses.
_STREAM_NOTICES = frozenset(
    {"delete", "limit", "scrub_geo", "status_withheld", "user_withheld", "disconnect", "warning"})

#: Give up on a file when this many lines in a row, from its start, hold no status.
_GIVE_UP_AFTER = 1000

_BOM = b"\xef\xbb\xbf"


class TwitterV1Reader(Reader):
    """Reader for Twitter API v1.1 statuses, one status (or search response, or array) a line."""

    format = "twitter-v1"
    description = ("Twitter API v1.1 statuses JSONL: one status, search response or array of "
                   "statuses a line")
    unit = "posts"

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> bool:
        for line in head.splitlines():
            line = line.removeprefix(_BOM)
            if not line.strip():
                continue
            try:
                obj = orjson.loads(line)
            except orjson.JSONDecodeError:  # a line longer than the head
                return bool(_SEARCH_START.match(line)) or (
                    line.lstrip()[:1] in (b"{", b"[") and b'"id_str"' in line
                    and bool(_V1_TIME.search(line)))
            return _looks_v1(obj)
        return False

    def batches(self, log: ReadLog) -> Iterator[Batch]:
        total = self.path.stat().st_size
        sink = PostSink("x", log)
        without_status = 0  # non-empty lines from the start of the file with no status read
        with open_binary(self.path) as fh:
            for lineno, line in enumerate(_lines(fh, self.path), 1):
                if lineno == 1:
                    line = line.removeprefix(_BOM)
                if not line.strip():
                    continue
                reason = self._line(line, lineno, sink, log)
                if reason is not None:
                    log.reject(lineno, reason)
                if not log.records:
                    without_status += 1
                    if without_status >= _GIVE_UP_AFTER and log.rejected:
                        raise self._not_v1(log)
                if sink.size >= self.batch_rows:
                    if log.progress:
                        log.progress(raw_position(fh), total)
                    yield sink.take()
            if not log.records and log.rejected:
                raise self._not_v1(log)
            if log.progress:
                log.progress(total, total)
        yield sink.take()

    def _not_v1(self, log: ReadLog) -> FormatError:
        first = log.rejects[0] if log.rejects else None
        where = f"; line {first.line}: {first.reason}" if first else ""
        return FormatError(
            f"{self.path}: no Twitter API v1.1 status could be read (expected one status object, "
            f"search response or array of statuses a line{where})")

    def _line(self, line: bytes, lineno: int, sink: PostSink, log: ReadLog) -> str | None:
        """Read one line; return why it is unreadable as a whole, or None."""
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            return f"not valid JSON ({exc})"
        if isinstance(obj, list):
            statuses: list[Any] = obj
        elif not isinstance(obj, dict):
            return "expected a JSON object (a status or a search response) or an array of statuses"
        elif "statuses" in obj:
            statuses = obj["statuses"]
            if not isinstance(statuses, list):
                return "'statuses' is not a list of statuses"
        elif "id_str" in obj or "user" in obj or "created_at" in obj:
            reason = self._status(obj, sink, log)
            if reason is not None:
                return reason
            log.records += 1
            return None
        elif _STREAM_NOTICES & obj.keys():
            log.note("streaming API notices skipped (delete, limit, withheld, ...)")
            return None
        else:
            return "neither a status (id_str, user, created_at) nor a search response (statuses)"
        for i, status in enumerate(statuses, 1):
            reason = self._status(status, sink, log)
            if reason is not None:
                log.reject(lineno, f"status {i} of the line: {reason}")
            else:
                log.records += 1
        return None

    def _status(self, st: object, sink: PostSink, log: ReadLog) -> str | None:
        """Add one status to the sink; return why it is unreadable, or None."""
        if not isinstance(st, dict):
            return "a status must be a JSON object"
        try:
            post_id = _required_id(st, "id_str", "status")
            user = st.get("user")
            if not isinstance(user, dict):
                return "no 'user' object"
            author = _required_id(user, "id_str", "user")
            created = parse_twitter_time(st.get("created_at"))
        except ValueError as exc:
            return str(exc)
        ext = st.get("extended_tweet")
        ext = ext if isinstance(ext, dict) else {}
        text = _first_str(st.get("full_text"), ext.get("full_text"), st.get("text"))
        entities = ext.get("entities")
        if not isinstance(entities, dict):
            entities = st.get("entities")
        entities = entities if isinstance(entities, dict) else {}

        users = [user]
        retweet_of = retweet_user = quote_of = quote_user = None
        rt = st.get("retweeted_status")
        is_retweet = isinstance(rt, dict)
        if is_retweet:
            retweet_of = _id(rt, "id_str")
            rt_user = rt.get("user")
            if isinstance(rt_user, dict):
                retweet_user = _id(rt_user, "id_str")
                users.append(rt_user)
            inner = rt.get("quoted_status")
            if isinstance(inner, dict) and isinstance(inner.get("user"), dict):
                users.append(inner["user"])
        qs = st.get("quoted_status")
        if isinstance(qs, dict) and isinstance(qs.get("user"), dict):
            users.append(qs["user"])
        if not is_retweet:  # a retweet of a quote: the quote is the original author's
            quote_of = _id(st, "quoted_status_id_str")
            if isinstance(qs, dict):
                quote_of = quote_of or _id(qs, "id_str")
                if isinstance(qs.get("user"), dict):
                    quote_user = _id(qs["user"], "id_str")

        mentions = []
        for m in entities.get("user_mentions") or ():
            mid = _id(m, "id_str") if isinstance(m, dict) else None
            if mid is None:
                log.note(NOTE_MENTION_UNKNOWN)
                continue
            mentions.append(mid)
            sink.account(mid, None, handle=_str(m.get("screen_name")),
                         display_name=_str(m.get("name")))
        hashtags = [h["text"] for h in entities.get("hashtags") or ()
                    if isinstance(h, dict) and isinstance(h.get("text"), str)]
        for u in users:
            _account(sink, u, created, log)
        sink.post(
            post_id, author, created, text,
            lang=_str(st.get("lang")),
            handle=_str(user.get("screen_name")),
            reply_to_post=_id(st, "in_reply_to_status_id_str"),
            reply_to_user=_id(st, "in_reply_to_user_id_str"),
            conversation_id=None,
            retweet_of=retweet_of, retweet_of_user=retweet_user, is_retweet=is_retweet,
            quote_of=quote_of, quote_of_user=quote_user,
            mentions=mentions, hashtags=hashtags,
        )
        return None


def _account(sink: PostSink, u: dict[str, Any], seen_at: datetime, log: ReadLog) -> None:
    uid = _id(u, "id_str")
    if uid is None:
        log.note("embedded users without an id_str (profile not kept)")
        return
    created = u.get("created_at")
    account_created = None
    if created is not None:
        try:
            account_created = parse_twitter_time(created)
        except ValueError:
            log.note("account creation times that could not be read")
    sink.account(
        uid, seen_at, _str(u.get("screen_name")), _str(u.get("name")),
        _str(u.get("description")), _str(u.get("location")), _int(u.get("followers_count")),
        _int(u.get("friends_count")), _int(u.get("statuses_count")),
        u.get("verified") if isinstance(u.get("verified"), bool) else None, account_created,
    )


def _lines(fh: Any, path: Path) -> Iterator[bytes]:
    """The file's lines; a damaged compressed file is a FormatError."""
    try:
        yield from fh
    except (OSError, EOFError) as exc:
        raise FormatError(f"{path}: cannot read ({exc})") from None


def _required_id(obj: dict[str, Any], key: str, what: str) -> str:
    value = obj.get(key)
    if isinstance(value, str) and value.strip():
        return value
    if value is None:
        hint = " (the numeric 'id' is not used: it loses digits)" if "id" in obj else ""
        raise ValueError(f"the {what} has no {key!r}{hint}")
    raise ValueError(f"the {what}'s {key!r} is not a string of digits: {value!r}")


def _id(obj: dict[str, Any], key: str) -> str | None:
    value = obj.get(key)
    return value if isinstance(value, str) and value else None


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _first_str(*values: object) -> str | None:
    for v in values:
        if isinstance(v, str):
            return v
    return None


def _is_status(obj: object) -> bool:
    return isinstance(obj, dict) and "id_str" in obj and isinstance(obj.get("user"), dict)


def _looks_v1(obj: object) -> bool:
    if isinstance(obj, dict):
        return isinstance(obj.get("statuses"), list) or _is_status(obj)
    if isinstance(obj, list):
        return bool(obj) and all(_is_status(o) for o in obj[:5])
    return False


#: The start of a search response too long to parse from a file's head.
_SEARCH_START = re.compile(rb'^\s*\{\s*"statuses"\s*:\s*\[')
#: A v1.1 ``created_at`` (a status longer than the head).
_V1_TIME = re.compile(
    rb'"created_at"\s*:\s*"[A-Z][a-z]{2} [A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d [+-]\d{4} \d{4}"')
