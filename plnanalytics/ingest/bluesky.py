"""Bluesky XRPC JSON: saved ``searchPosts``, ``getPostThread`` and feed responses.

A file holds one response (pretty-printed or not) or one response a line (JSONL):

- ``app.bsky.feed.searchPosts`` (and ``getPosts``): ``{"posts": [postView, ...], "cursor"}``;
- ``app.bsky.feed.getPostThread``: ``{"thread": {"post", "parent", "replies"}}``, nested;
- ``app.bsky.feed.getAuthorFeed`` / ``getTimeline``: ``{"feed": [{"post", "reply",
  "reason"}]}``;
- a bare post view (``{"uri", "author", "record", ...}``) or a JSON array of them.

Every post view is one record. ``post_id`` is the post's ``at://`` URI, the author is
``bluesky:<did>`` and the time is ``record.createdAt`` in UTC (Bluesky clients write ``Z``,
``+00:00`` and local offsets alike; ``indexedAt`` is used, with a note, when it is missing or
unreadable). Ties follow DESIGN.md through :class:`~plnanalytics.ingest.tweets.PostSink`:

- a reply ties the author to the DID in the authority of ``record.reply.parent.uri``, once
  (a mention facet of that same account is not a second tie);
- ``app.bsky.richtext.facet#mention`` facets give ``mention`` ties to their ``did``. Facet
  offsets are UTF-8 *byte* offsets, so the mentioned handle is sliced from the encoded text;
- an ``app.bsky.embed.record`` (or ``recordWithMedia``) embedding a post is a ``quote`` of
  it, tied to the DID of the quoted URI;
- a feed item whose ``reason`` is ``app.bsky.feed.defs#reasonRepost`` is a repost by
  ``reason.by``: a ``retweet``-kind post and tie from the reposter to the author.

A ``searchPosts`` response written by ``pln collect bluesky`` carries a ``__pln`` block; its
time window (``since``, ``until``) is applied again, so posts the search returned outside it
are skipped (with a note) just as the collector skipped them, and re-reading a raw file gives
what the collection stored. :func:`response_batch` reads one response for the collector.

Hashtags (``#tag`` facets and ``record.tags``) become lowercase contexts. Profiles come from
the ``author`` objects (and the authors of quoted posts and reposters), dated by the post's
``indexedAt``. The same post seen twice (two searches, a thread and a search) is stored once.

Examples
--------
>>> import orjson, tempfile, pathlib
>>> from plnanalytics.ingest.base import ReadLog
>>> post = {"uri": "at://did:plc:bo/app.bsky.feed.post/3k2", "indexedAt": "2024-01-09T20:05:00Z",
...         "author": {"did": "did:plc:bo", "handle": "bo.bsky.social"},
...         "record": {"text": "@ann.bsky.social yes #NAESPchat",
...                    "createdAt": "2024-01-09T15:05:00-05:00",
...                    "reply": {"parent": {"uri": "at://did:plc:ann/app.bsky.feed.post/3k1"},
...                              "root": {"uri": "at://did:plc:ann/app.bsky.feed.post/3k1"}},
...                    "facets": [{"index": {"byteStart": 0, "byteEnd": 16}, "features": [
...                        {"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:ann"}]}],
...                    "tags": ["NAESPchat"]}}
>>> path = pathlib.Path(tempfile.mkdtemp()) / "search.json"
>>> _ = path.write_bytes(orjson.dumps({"posts": [post], "cursor": "1"}))
>>> batch = next(BlueskyReader(path).batches(ReadLog(str(path))))
>>> [(r[1], r[2], r[3], r[6]) for r in batch.rows["interactions"]]
[('reply', 'bluesky:did:plc:bo', 'bluesky:did:plc:ann', '#naespchat')]
>>> row = batch.rows["posts"][0]
>>> row[3].isoformat(), row[7], row[12]
('2024-01-09T20:05:00+00:00', 'at://did:plc:ann/app.bsky.feed.post/3k1', \
'https://bsky.app/profile/bo.bsky.social/post/3k2')
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from ..errors import FormatError
from .base import Batch, Reader, ReadLog, open_binary, parse_iso_utc, raw_position
from .tweets import PostSink

_BOM = b"\xef\xbb\xbf"

_REPOST = "app.bsky.feed.defs#reasonRepost"
_MENTION = "app.bsky.richtext.facet#mention"
_TAG = "app.bsky.richtext.facet#tag"
_EMBED_RECORD = "app.bsky.embed.record"
_EMBED_RECORD_MEDIA = "app.bsky.embed.recordWithMedia"
_POST_COLLECTION = "app.bsky.feed.post"

NOTE_TIME_FALLBACK = "posts whose createdAt could not be read (indexedAt used instead)"
NOTE_UNAVAILABLE = "thread or feed entries that are not posts (not found, blocked) skipped"
NOTE_REPLY_UNKNOWN = "replies whose parent URI names no DID (no reply tie drawn)"
NOTE_OUTSIDE = "posts outside the collection's time window (kept raw, not stored)"

#: An ISO 8601 fraction longer than microseconds (trimmed before parsing).
#: Bluesky post URIs in a file's head, and the keys of the responses read here.
_AT_POST = re.compile(rb'"uri"\s*:\s*"at://[^"/]+/app\.bsky\.feed\.post/')
_RESPONSE_START = re.compile(rb'^\s*\{\s*"(posts|thread|feed)"\s*:')


class BlueskyReader(Reader):
    """Reader for saved Bluesky XRPC JSON (searchPosts, getPostThread, feeds), or JSONL of them."""

    format = "bluesky"
    description = ("Bluesky XRPC JSON: searchPosts {posts}, getPostThread {thread} or feed "
                   "{feed} responses, one file or one response a line")
    unit = "posts"

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> bool:
        text = head.removeprefix(_BOM)
        try:
            obj = orjson.loads(text)
        except orjson.JSONDecodeError:
            obj = None
            for line in text.splitlines():
                if line.strip():
                    with contextlib.suppress(orjson.JSONDecodeError):
                        obj = orjson.loads(line)
                    break
        if obj is not None:
            return _looks_bluesky(obj)
        # a response longer than the head
        return bool(_RESPONSE_START.match(text)) and bool(_AT_POST.search(text)) and (
            b'"record"' in text)

    def batches(self, log: ReadLog) -> Iterator[Batch]:
        total = self.path.stat().st_size
        sink = PostSink("bluesky", log)
        with open_binary(self.path) as fh:
            try:
                data = fh.read()
            except (OSError, EOFError) as exc:
                raise FormatError(f"{self.path}: cannot read ({exc})") from None
            position = raw_position(fh)
        data = data.removeprefix(_BOM)
        documents = _documents(data)
        for lineno, doc in documents:
            if isinstance(doc, _NotJson):
                log.reject(lineno, f"not valid JSON ({doc.message})")
                continue
            reason = self._document(doc, lineno, sink, log)
            if reason is not None:
                log.reject(lineno, reason)
            if sink.size >= self.batch_rows:
                if log.progress:
                    log.progress(position, total)
                yield sink.take()
        log.require_some("Bluesky post", "a searchPosts, getPostThread or feed response, or "
                         "one of them a line")
        if log.progress:
            log.progress(total, total)
        yield sink.take()

    @staticmethod
    def _document(doc: Any, lineno: int, sink: PostSink, log: ReadLog) -> str | None:
        """Read one response; return why it is unreadable as a whole, or None."""
        if isinstance(doc, list):
            items = [(f"item {i} of the array", p, None) for i, p in enumerate(doc, 1)]
        elif not isinstance(doc, dict):
            return "expected a JSON object (a Bluesky response) or an array of posts"
        elif "posts" in doc:
            if not isinstance(doc["posts"], list):
                return "'posts' is not a list of posts"
            window = _window(doc.get("__pln"))
            items = [(f"post {i} of 'posts'", p, None) for i, p in enumerate(doc["posts"], 1)
                     if window is None or _inside(p, window, log)]
        elif "thread" in doc:
            if not isinstance(doc["thread"], dict):
                return "'thread' is not an object"
            items = [(where, p, None) for where, p in _thread_posts(doc["thread"], log)]
        elif "feed" in doc:
            if not isinstance(doc["feed"], list):
                return "'feed' is not a list of feed items"
            items = []
            for i, item in enumerate(doc["feed"], 1):
                where = f"feed item {i}"
                if not isinstance(item, dict):
                    items.append((where, item, None))
                    continue
                items.append((where, item.get("post"), item.get("reason")))
                reply = item.get("reply")
                for part in ("root", "parent") if isinstance(reply, dict) else ():
                    if _is_post_view(reply.get(part)):
                        items.append((f"{where}, reply.{part}", reply[part], None))
        elif "uri" in doc or "record" in doc:
            items = [("the post", doc, None)]
        else:
            return ("neither a searchPosts (posts), getPostThread (thread) nor feed (feed) "
                    "response, nor a post")
        for where, post, reason in items:
            problem = _post(post, sink, log, reason)
            if problem is not None:
                log.reject(lineno, f"{where}: {problem}")
            else:
                log.records += 1
        return None


def response_batch(doc: Any, log: ReadLog, *, line: int = 1) -> Batch:
    """Normalize one response (as :class:`BlueskyReader` reads a line of a file).

    Parameters
    ----------
    doc : dict
        A ``searchPosts`` (or thread, feed) response, optionally with the ``__pln`` block of a
        collected page, whose ``since`` and ``until`` skip posts outside the window.
    log : ReadLog
        Counts the posts read; bad posts are rejected with ``line``.
    line : int
        Where the response is (its line in a raw file), for rejects.

    Returns
    -------
    Batch
        Posts, interactions and accounts of the response.

    Examples
    --------
    >>> post = {"uri": "at://did:plc:bo/app.bsky.feed.post/3k2",
    ...         "author": {"did": "did:plc:bo", "handle": "bo.bsky.social"},
    ...         "indexedAt": "2024-01-09T20:05:01.000Z",
    ...         "record": {"text": "hi", "createdAt": "2024-01-09T20:05:00.000Z"}}
    >>> late = {**post, "uri": "at://did:plc:bo/app.bsky.feed.post/3k3",
    ...         "record": {"text": "later", "createdAt": "2024-01-09T21:30:00Z"}}
    >>> log = ReadLog("page")
    >>> batch = response_batch({"posts": [post, late], "__pln": {
    ...     "since": "2024-01-09T20:00:00Z", "until": "2024-01-09T21:00:00Z"}}, log)
    >>> [r[0] for r in batch.rows["posts"]], log.records, dict(log.notes)
    (['at://did:plc:bo/app.bsky.feed.post/3k2'], 1, \
{"posts outside the collection's time window (kept raw, not stored)": 1})
    """
    sink = PostSink("bluesky", log)
    reason = BlueskyReader._document(doc, line, sink, log)
    if reason is not None:
        log.reject(line, reason)
    return sink.take()


def post_time(pv: object) -> datetime | None:
    """The time a post view is stored with: ``record.createdAt``, else ``indexedAt`` (UTC).

    Examples
    --------
    >>> post_time({"record": {"createdAt": "2024-01-09T15:05:00-05:00"}}).isoformat()
    '2024-01-09T20:05:00+00:00'
    >>> post_time({"record": {"createdAt": "soon"}, "indexedAt": "2024-01-09T20:06:00Z"}).minute
    6
    >>> post_time("not a post") is None
    True
    """
    if not isinstance(pv, dict):
        return None
    record = pv.get("record")
    created = _time(record.get("createdAt")) if isinstance(record, dict) else None
    return created or _time(pv.get("indexedAt"))


def _window(about: object) -> tuple[datetime | None, datetime | None] | None:
    """The ``since`` and ``until`` of a ``__pln`` block, or None when it names no window."""
    if not isinstance(about, dict):
        return None
    since, until = _time(about.get("since")), _time(about.get("until"))
    return None if since is None and until is None else (since, until)


def _inside(pv: object, window: tuple[datetime | None, datetime | None], log: ReadLog) -> bool:
    """Whether a post lies in ``[since, until)`` (a post without a time is read, to be
    rejected with its reason); notes the ones outside."""
    when = post_time(pv)
    since, until = window
    if when is None or ((since is None or when >= since) and (until is None or when < until)):
        return True
    log.note(NOTE_OUTSIDE)
    return False


class _NotJson:
    def __init__(self, message: str) -> None:
        self.message = message


def _documents(data: bytes) -> list[tuple[int, Any]]:
    """The JSON documents of a file with their line numbers: the whole file when it is one
    document, otherwise one a line (a line that is not JSON gives a :class:`_NotJson`)."""
    stripped = data.strip()
    if not stripped:
        return []
    first = stripped.split(b"\n", 1)[0].strip()
    if first != stripped:
        try:
            orjson.loads(first)
        except orjson.JSONDecodeError:
            try:  # a pretty-printed response
                start = data[:len(data) - len(data.lstrip())].count(b"\n") + 1
                return [(start, orjson.loads(data))]
            except orjson.JSONDecodeError:
                pass
    out: list[tuple[int, Any]] = []
    for lineno, line in enumerate(data.split(b"\n"), 1):
        if not line.strip():
            continue
        try:
            out.append((lineno, orjson.loads(line)))
        except orjson.JSONDecodeError as exc:
            out.append((lineno, _NotJson(str(exc))))
    return out


def _thread_posts(thread: dict[str, Any], log: ReadLog) -> Iterator[tuple[str, Any]]:
    """The posts of a thread view: the post, its parents upwards and its replies downwards."""
    stack: list[tuple[str, Any, bool, bool]] = [("thread", thread, True, True)]
    while stack:
        where, node, up, down = stack.pop()
        if not isinstance(node, dict):
            yield where, node
            continue
        if "post" not in node:
            if node.get("notFound") or node.get("blocked") or str(
                    node.get("$type", "")).endswith(("#notFoundPost", "#blockedPost")):
                log.note(NOTE_UNAVAILABLE)
            else:
                yield where, "a thread entry without 'post'"
            continue
        yield f"{where}.post", node["post"]
        if up and isinstance(node.get("parent"), dict):
            stack.append((f"{where}.parent", node["parent"], True, False))
        replies = node.get("replies") if down else None
        if isinstance(replies, list):
            for i in range(len(replies) - 1, -1, -1):
                stack.append((f"{where}.replies[{i}]", replies[i], False, True))


def _post(pv: object, sink: PostSink, log: ReadLog, reason: object = None) -> str | None:
    """Add one post view (and a repost of it, when ``reason`` says so); return why it is
    unreadable, or None."""
    if isinstance(pv, str):  # a thread entry that holds no post
        return pv
    if not isinstance(pv, dict):
        return "a post must be a JSON object"
    uri = pv.get("uri")
    if not isinstance(uri, str) or not uri.startswith("at://"):
        return "no 'uri' (an at:// URI)" if uri is None else f"'uri' is not an at:// URI: {uri!r}"
    author = pv.get("author")
    did = author.get("did") if isinstance(author, dict) else None
    if not isinstance(did, str) or not did:
        return "no 'author' with a 'did'"
    record = pv.get("record")
    if not isinstance(record, dict):
        return "no 'record' object"
    indexed = _time(pv.get("indexedAt"))
    created = _time(record.get("createdAt"))
    if created is None:
        if indexed is None:
            return (f"createdAt {record.get('createdAt')!r} is not a time with a zone and "
                    f"there is no usable indexedAt")
        log.note(NOTE_TIME_FALLBACK)
        created = indexed
    seen = indexed or created
    handle = _str(author.get("handle"))
    _account(sink, author, seen)

    text = _str(record.get("text"))
    langs = record.get("langs")
    lang = _str(langs[0]) if isinstance(langs, list) and langs else None
    tags: list[str] = [t for t in record.get("tags") or () if isinstance(t, str)]
    mentions: list[str] = []
    encoded = text.encode("utf-8") if text is not None else b""
    for facet in record.get("facets") or ():
        if not isinstance(facet, dict):
            continue
        for feature in facet.get("features") or ():
            if not isinstance(feature, dict):
                continue
            kind = feature.get("$type")
            if kind == _TAG and isinstance(feature.get("tag"), str):
                tags.append(feature["tag"])
            elif kind == _MENTION and isinstance(feature.get("did"), str):
                mentions.append(feature["did"])
                sink.account(feature["did"], None,
                             handle=_mentioned_handle(encoded, facet.get("index")))

    reply = record.get("reply")
    parent_uri = root_uri = reply_to = None
    if isinstance(reply, dict):
        parent_uri = _ref_uri(reply.get("parent"))
        root_uri = _ref_uri(reply.get("root"))
        if parent_uri is not None:
            reply_to = did_of(parent_uri)
            if reply_to is None:
                log.note(NOTE_REPLY_UNKNOWN)

    quote_of = quote_user = None
    embed = record.get("embed")
    if isinstance(embed, dict):
        ref = None
        if embed.get("$type") == _EMBED_RECORD:
            ref = embed.get("record")
        elif embed.get("$type") == _EMBED_RECORD_MEDIA:
            inner = embed.get("record")
            ref = inner.get("record") if isinstance(inner, dict) else None
        quoted = _ref_uri(ref)
        if quoted is not None and _collection(quoted) == _POST_COLLECTION:
            quote_of, quote_user = quoted, did_of(quoted)
    view = pv.get("embed")
    if isinstance(view, dict):  # the quoted post's author, as the view shows it
        shown = view.get("record")
        if isinstance(shown, dict) and isinstance(shown.get("record"), dict):
            shown = shown["record"]  # recordWithMedia#view
        shown_author = shown.get("author") if isinstance(shown, dict) else None
        if isinstance(shown_author, dict) and isinstance(shown_author.get("did"), str):
            _account(sink, shown_author, seen)

    rkey = uri.rstrip("/").rsplit("/", 1)[-1]
    sink.post(
        uri, did, created, text, lang=lang, handle=handle,
        reply_to_post=parent_uri, reply_to_user=reply_to,
        conversation_id=root_uri or uri,
        quote_of=quote_of, quote_of_user=quote_user,
        mentions=mentions, hashtags=tags,
        url=f"https://bsky.app/profile/{_profile(handle, did)}/post/{rkey}",
    )
    if isinstance(reason, dict) and reason.get("$type") == _REPOST:
        _repost(reason, uri, did, created, sink)
    return None


def _repost(reason: dict[str, Any], uri: str, did: str, created: datetime,
            sink: PostSink) -> None:
    """A repost of the post ``uri`` (by ``did``) as a retweet-kind post and tie."""
    by = reason.get("by")
    by_did = by.get("did") if isinstance(by, dict) else None
    if not isinstance(by_did, str) or not by_did:
        sink.note("reposts whose reposter is unknown (skipped)")
        return
    when = _time(reason.get("indexedAt")) or created
    _account(sink, by, when)
    repost_id = _str(reason.get("uri")) or f"at://{by_did}/app.bsky.feed.repost/of/{uri}"
    sink.post(repost_id, by_did, when, None, handle=_str(by.get("handle")),
              conversation_id=uri, retweet_of=uri, retweet_of_user=did,
              url=f"https://bsky.app/profile/{_profile(_str(by.get('handle')), by_did)}")


def _account(sink: PostSink, author: dict[str, Any], seen: datetime | None) -> None:
    sink.account(author["did"], seen, handle=_str(author.get("handle")),
                 display_name=_str(author.get("displayName")),
                 description=_str(author.get("description")),
                 followers_count=_int(author.get("followersCount")),
                 following_count=_int(author.get("followsCount")),
                 post_count=_int(author.get("postsCount")),
                 account_created_at=_time(author.get("createdAt")))


def did_of(uri: str) -> str | None:
    """The DID in the authority of an ``at://`` URI; None when the authority is a handle.

    Examples
    --------
    >>> did_of("at://did:plc:abc/app.bsky.feed.post/3k2")
    'did:plc:abc'
    >>> did_of("at://ann.bsky.social/app.bsky.feed.post/3k2") is None
    True
    """
    authority = uri.removeprefix("at://").split("/", 1)[0]
    return authority if authority.startswith("did:") else None


def parse_bluesky_time(value: object) -> datetime:
    """Parse a Bluesky timestamp (ISO 8601 with ``Z`` or an offset) to UTC.

    Raises
    ------
    ValueError
        When the value is not a time or has no zone.

    Examples
    --------
    >>> parse_bluesky_time("2025-07-04T03:02:14-05:00").isoformat()
    '2025-07-04T08:02:14+00:00'
    >>> parse_bluesky_time("2025-07-04T08:19:23.271896123Z").microsecond
    271896
    """
    return parse_iso_utc(value)


def _time(value: object) -> datetime | None:
    try:
        return parse_bluesky_time(value)
    except ValueError:
        return None


def _mentioned_handle(encoded: bytes, index: object) -> str | None:
    """The handle a mention facet covers; its offsets count UTF-8 bytes, not characters."""
    if not isinstance(index, dict):
        return None
    start, end = index.get("byteStart"), index.get("byteEnd")
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(encoded)):
        return None
    try:
        span = encoded[start:end].decode("utf-8")
    except UnicodeDecodeError:
        return None
    return span[1:] if span.startswith("@") and len(span) > 1 else None


def _ref_uri(ref: object) -> str | None:
    uri = ref.get("uri") if isinstance(ref, dict) else None
    return uri if isinstance(uri, str) and uri.startswith("at://") else None


def _collection(uri: str) -> str | None:
    parts = uri.removeprefix("at://").split("/")
    return parts[1] if len(parts) > 2 else None


def _profile(handle: str | None, did: str) -> str:
    return handle if handle and handle != "handle.invalid" else did


def _is_post_view(obj: object) -> bool:
    return isinstance(obj, dict) and isinstance(obj.get("uri"), str) and "record" in obj \
        and isinstance(obj.get("author"), dict)


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _looks_bluesky(obj: object) -> bool:
    if isinstance(obj, list):
        return bool(obj) and all(_is_bsky_post(o) for o in obj[:5])
    if not isinstance(obj, dict):
        return False
    posts = obj.get("posts")
    if isinstance(posts, list):
        return bool(posts) and all(_is_bsky_post(p) for p in posts[:5])
    thread = obj.get("thread")
    if isinstance(thread, dict):
        return _is_bsky_post(thread.get("post"))
    feed = obj.get("feed")
    if isinstance(feed, list):
        return bool(feed) and all(isinstance(i, dict) and _is_bsky_post(i.get("post"))
                                  for i in feed[:5])
    return _is_bsky_post(obj)


def _is_bsky_post(obj: object) -> bool:
    return isinstance(obj, dict) and isinstance(obj.get("uri"), str) \
        and obj["uri"].startswith("at://") and isinstance(obj.get("record"), dict)
