"""twarc2 JSONL: X API v2 search pages (``data``/``includes``/``meta``/``__twarc``), one a
line, or flattened files with one expanded tweet a line (``twarc2 flatten``).

The tweet's own fields give the ties: ``in_reply_to_user_id`` for replies,
``referenced_tweets`` for retweets and quotes (the original's author from ``includes`` or,
for a flattened file, the embedded tweet; for a deleted original, from the ``RT @user:``
mention at the start of the text), and ``entities.mentions`` for mentions. Profiles come
from ``includes.users`` (or the embedded ``author``), dated by ``__twarc.retrieved_at``.

Two ways read the same rows: :meth:`Twarc2Reader.fast_path` transforms API pages inside
DuckDB, chunk by chunk, for speed; :meth:`Twarc2Reader.batches` reads record by record with
orjson and names every bad line. The store uses the first and falls back to the second for
flattened files and files with anything unusual; the tests hold the two equal.

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

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from ..schema import PROFILE_FIELDS
from .base import (
    Batch,
    FastPath,
    Reader,
    ReadLog,
    line_chunks,
    open_binary,
    raw_position,
    sql_literal,
)
from .tweets import NOTE_MENTION_UNKNOWN, NOTE_QUOTE_UNKNOWN, NOTE_RETWEET_UNKNOWN, PostSink

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
        pln = first.get("__pln")
        if isinstance(pln, dict) and pln.get("collector", "x") != "x":
            return False  # a page another collector of ours wrote (Mastodon's {"data": [...]})
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

    def fast_path(self) -> FastPath | None:
        """Read API pages inside DuckDB (``json_transform``, vectorized), with the same ties.

        The file is read in chunks of lines (memory is bounded by the chunk); a flattened
        file, or any line or tweet the record path would reject, sends the store back to
        :meth:`batches`.
        """
        return _fast_path(self.path)

    # -- one API page ------------------------------------------------------------------------
    @classmethod
    def _page(cls, page: dict[str, Any], lineno: int, sink: PostSink, log: ReadLog) -> None:
        data = page.get("data") or []
        if isinstance(data, dict):  # a single-tweet lookup
            data = [data]
        if not isinstance(data, list):
            log.reject(lineno, "'data' is neither a list of tweets nor a tweet")
            return
        includes = page.get("includes")
        includes = includes if isinstance(includes, dict) else {}
        users = _by_id(includes.get("users"))
        tweets = _by_id(includes.get("tweets"))
        by_name = _ByName(users)
        posts = sink.batch.rows["posts"]
        first = len(posts)
        for i, tweet in enumerate(data, 1):
            try:
                cls._tweet(tweet, sink, users, tweets, by_name)
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                log.reject(lineno, f"tweet {i} of the page: {_why(exc)}")
                continue
            log.records += 1
        # profiles are dated by the page's retrieval, or else by its latest tweet read
        page_time = _retrieved_at(page) or max((p[3] for p in posts[first:]), default=None)
        for u in users.values():
            _account(sink, u, page_time)

    @staticmethod
    def _tweet(t: dict[str, Any], sink: PostSink, users: dict[str, Any],
               tweets: dict[str, Any], by_name: _ByName) -> None:
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
        if retweet_of is None:  # a retweet's mentions are the original author's
            for m in entities.get("mentions") or ():
                uid = m.get("id") or by_name.get((m.get("username") or "").lower())
                if uid:
                    mentions.append(uid)
                else:
                    sink.note(NOTE_MENTION_UNKNOWN)
        elif rt_user is None:
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
            self._tweet(t, sink, users, tweets, _ByName(users))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            log.reject(lineno, _why(exc))
            return
        log.records += 1
        seen_at = _retrieved_at(t) or sink.batch.rows["posts"][-1][3]
        for u in users.values():
            _account(sink, u, seen_at)


def page_batch(page: dict[str, Any], log: ReadLog, *, line: int = 1) -> Batch:
    """Normalize one X API v2 response page (as :class:`Twarc2Reader` reads a line).

    Parameters
    ----------
    page : dict
        ``data``, ``includes`` and ``meta`` of a search response, optionally with a
        ``__twarc`` or ``__pln`` block whose ``retrieved_at`` dates the profiles.
    log : ReadLog
        Counts the tweets read; bad tweets are rejected with ``line``.
    line : int
        Where the page is (its line in a raw file), for rejects.

    Returns
    -------
    Batch
        Posts, interactions and accounts of the page.

    Examples
    --------
    >>> page = {"data": [{"id": "5", "author_id": "11", "text": "RT @ann: hi",
    ...                   "created_at": "2024-01-09T20:05:00.000Z",
    ...                   "referenced_tweets": [{"type": "retweeted", "id": "4"}]}],
    ...         "includes": {"tweets": [{"id": "4", "author_id": "10", "text": "hi"}]},
    ...         "meta": {"result_count": 1}, "__pln": {"retrieved_at": "2024-01-10T00:00:00Z"}}
    >>> log = ReadLog("page")
    >>> batch = page_batch(page, log)
    >>> log.records, [(r[1], r[2], r[3]) for r in batch.rows["interactions"]]
    (1, [('retweet', 'x:11', 'x:10')])
    """
    if not isinstance(page, dict):
        log.reject(line, "expected a JSON object (an API page)")
        return Batch()
    sink = PostSink("x", log)
    Twarc2Reader._page(page, line, sink, log)
    return sink.take()


def _by_id(items: object) -> dict[str, Any]:
    """Objects of an ``includes`` list by their id (items without one are skipped)."""
    if not isinstance(items, list):
        return {}
    return {o["id"]: o for o in items if isinstance(o, dict) and "id" in o}


class _ByName:
    """User ids by lowercase username, built only when a mention lacks its id."""

    def __init__(self, users: dict[str, Any]) -> None:
        self.users = users
        self.index: dict[str, str] | None = None

    def get(self, username: str) -> str | None:
        if self.index is None:
            self.index = {u.get("username", "").lower(): i for i, u in self.users.items()}
        return self.index.get(username)


def _account(sink: PostSink, u: dict[str, Any], seen_at: datetime | None) -> None:
    metrics = u.get("public_metrics") or {}
    created = u.get("created_at")
    try:
        created = _fromiso(created) if isinstance(created, str) else None
    except ValueError:
        created = None
    sink.account(
        u["id"], seen_at, u.get("username"), u.get("name"), u.get("description"),
        u.get("location"), metrics.get("followers_count"), metrics.get("following_count"),
        metrics.get("tweet_count"), u.get("verified"),
        created,
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
    meta = obj.get("__twarc") or obj.get("__pln")  # twarc2's block, or pln collect x's
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


# -- the vectorized path (DuckDB) ----------------------------------------------------------------
#: What the vectorized path reads of a page (json_transform structure); the rest is skipped.
_TWEET = {
    "id": "VARCHAR", "author_id": "VARCHAR", "created_at": "VARCHAR", "text": "VARCHAR",
    "lang": "VARCHAR", "conversation_id": "VARCHAR", "in_reply_to_user_id": "VARCHAR",
    "referenced_tweets": [{"type": "VARCHAR", "id": "VARCHAR"}],
    "entities": {"mentions": [{"start": "BIGINT", "username": "VARCHAR", "id": "VARCHAR"}],
                 "hashtags": [{"tag": "VARCHAR"}]},
}
_USER = {
    "id": "VARCHAR", "username": "VARCHAR", "name": "VARCHAR", "description": "VARCHAR",
    "location": "VARCHAR", "created_at": "VARCHAR", "verified": "BOOLEAN",
    "public_metrics": {"followers_count": "BIGINT", "following_count": "BIGINT",
                       "tweet_count": "BIGINT"},
}
_PAGE = {
    "data": [_TWEET],
    "includes": {"users": [_USER], "tweets": [{"id": "VARCHAR", "author_id": "VARCHAR"}]},
    "meta": {"result_count": "BIGINT"},
    "__twarc": {"retrieved_at": "VARCHAR"},
    "__pln": {"retrieved_at": "VARCHAR"},
}

_PER_CHUNK = [
    """CREATE OR REPLACE TEMPORARY TABLE _tw_pages AS
       SELECT line_no AS page, j.data AS data, j.includes AS includes, j.meta AS meta,
              coalesce(j.__twarc.retrieved_at, j.__pln.retrieved_at) AS retrieved_at
       FROM (SELECT line_no, json_transform(line, {structure}) AS j FROM _chunk
             -- skip blank lines (trimming only the short ones: trim copies the line)
             WHERE CASE WHEN strlen(line) > 2 THEN true
                        ELSE trim(line, ' \t\r\n') <> '' END)""",
    """CREATE OR REPLACE TEMPORARY TABLE _tw_users AS
       SELECT page, u.id AS id, u.username AS username, u.name AS name,
              u.description AS description, u.location AS location,
              u.created_at AS created_at, u.verified AS verified,
              u.public_metrics AS metrics
       FROM (SELECT page, unnest(includes.users) AS u FROM _tw_pages) WHERE u.id IS NOT NULL""",
    """CREATE OR REPLACE TEMPORARY TABLE _tw_refs AS
       SELECT page, r.id AS id, any_value(r.author_id) AS author_id
       FROM (SELECT page, unnest(includes.tweets) AS r FROM _tw_pages) WHERE r.id IS NOT NULL
       GROUP BY page, r.id""",
    """CREATE OR REPLACE TEMPORARY TABLE _tw AS
       WITH t AS (
           SELECT page, t.id AS id, t.author_id AS author_id, t.text AS text, t.lang AS lang,
                  TRY_CAST(t.created_at AS TIMESTAMPTZ) AS created_at,
                  t.conversation_id AS conversation_id, t.in_reply_to_user_id AS reply_user,
                  t.referenced_tweets AS refs, t.entities.mentions AS mentions,
                  t.entities.hashtags AS tags,
                  list_filter(t.referenced_tweets, lambda r: r.type = 'replied_to')[1].id
                      AS reply_to,
                  list_filter(t.referenced_tweets, lambda r: r.type = 'retweeted')[1].id AS rt,
                  list_filter(t.referenced_tweets, lambda r: r.type = 'quoted')[1].id AS qt,
                  list_sort(list_distinct(list_filter(list_transform(t.entities.hashtags,
                      lambda h: '#' || lower(ltrim(h.tag, '#'))), lambda x: x <> '#')))
                      AS contexts
           FROM (SELECT page, unnest(data) AS t FROM _tw_pages))
       SELECT t.*, a.username AS handle,
              coalesce(rr.author_id, CASE WHEN starts_with(t.text, 'RT @') THEN list_filter(
                  t.mentions, lambda m: m.start = 3 AND m.id IS NOT NULL AND m.id <> '')[1].id
                  END) AS rt_user,
              qq.author_id AS qt_user,
              nullif(array_to_string(t.contexts, ' '), '') AS context
       FROM t
       LEFT JOIN (SELECT page, id, any_value(username) AS username FROM _tw_users
                  GROUP BY page, id) a
              ON a.page = t.page AND a.id = t.author_id
       LEFT JOIN _tw_refs rr ON rr.page = t.page AND rr.id = t.rt
       LEFT JOIN _tw_refs qq ON qq.page = t.page AND qq.id = t.qt""",
    """CREATE OR REPLACE TEMPORARY TABLE _tw_mentions AS
       SELECT m.id AS post_id, m.page AS page,
              CASE WHEN m.mid IS NOT NULL AND m.mid <> '' THEN m.mid ELSE
                  (SELECT any_value(u.id) FROM _tw_users u WHERE u.page = m.page
                   AND lower(u.username) = lower(coalesce(m.username, ''))) END AS mid
       FROM (SELECT page, id, unnest(mentions).id AS mid, unnest(mentions).username AS username
             FROM _tw WHERE rt IS NULL) m""",
    # profiles: the latest value of each field in this chunk, with the time it was seen
    """CREATE OR REPLACE TEMPORARY TABLE _tw_acc AS
       WITH seen AS (
           SELECT p.page, coalesce(TRY_CAST(p.retrieved_at AS TIMESTAMPTZ), m.latest) AS seen_at
           FROM _tw_pages p
           LEFT JOIN (SELECT page, max(created_at) AS latest FROM _tw GROUP BY page) m
           ON m.page = p.page),
       obs AS (
           SELECT 'x:' || u.id AS account, u.username AS handle, u.name AS display_name,
                  NULL::VARCHAR AS email, u.description AS description, u.location AS location,
                  u.metrics.followers_count AS followers_count,
                  u.metrics.following_count AS following_count,
                  u.metrics.tweet_count AS post_count, u.verified AS verified,
                  TRY_CAST(u.created_at AS TIMESTAMPTZ) AS account_created_at,
                  coalesce(s.seen_at, '-infinity'::TIMESTAMPTZ) AS seen
           FROM _tw_users u JOIN seen s ON s.page = u.page
           UNION ALL
           SELECT DISTINCT 'x:' || author_id, handle, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                  NULL, NULL, '-infinity'::TIMESTAMPTZ
           FROM _tw)
       SELECT account, 'x' AS platform, {latest},
              nullif(max(seen), '-infinity'::TIMESTAMPTZ) AS profile_seen_at, {seen}
       FROM obs GROUP BY account""",
]

_POSTS = """
SELECT id, 'x', 'x:' || author_id, created_at, text, lang,
       CASE WHEN rt IS NOT NULL THEN 'retweet'
            WHEN reply_to IS NOT NULL OR reply_user IS NOT NULL THEN 'reply'
            WHEN qt IS NOT NULL THEN 'quote' ELSE 'post' END,
       reply_to, conversation_id, rt, qt, contexts,
       CASE WHEN handle IS NOT NULL AND handle <> ''
            THEN 'https://twitter.com/' || handle || '/status/' || id
            ELSE 'https://twitter.com/i/web/status/' || id END
FROM _tw"""

_INTERACTIONS = """
SELECT 'x', 'retweet', 'x:' || author_id, 'x:' || rt_user, created_at, 1.0, context, id
FROM _tw WHERE rt IS NOT NULL AND rt_user IS NOT NULL AND rt_user <> author_id
UNION ALL
SELECT 'x', 'reply', 'x:' || author_id, 'x:' || reply_user, created_at, 1.0, context, id
FROM _tw WHERE rt IS NULL AND reply_user IS NOT NULL AND reply_user <> author_id
UNION ALL
SELECT 'x', 'quote', 'x:' || author_id, 'x:' || qt_user, created_at, 1.0, context, id
FROM _tw WHERE rt IS NULL AND qt IS NOT NULL AND qt_user IS NOT NULL AND qt_user <> author_id
UNION ALL
SELECT DISTINCT 'x', 'mention', 'x:' || t.author_id, 'x:' || m.mid, t.created_at, 1.0,
       t.context, t.id
FROM _tw_mentions m JOIN _tw t ON t.page = m.page AND t.id = m.post_id
WHERE m.mid IS NOT NULL AND m.mid <> t.author_id AND m.mid IS DISTINCT FROM t.reply_user"""

_ACCOUNTS = f"""
SELECT account, platform, {", ".join(PROFILE_FIELDS)}, profile_seen_at,
       {", ".join(f"_seen_{f}" for f in PROFILE_FIELDS)}
FROM _tw_acc"""

#: Per account: each field's latest value and when it was seen. (Two different values seen at
#: the same moment, which a page's single copy of each user does not produce, would be taken
#: in no particular order; the store itself orders such ties by value.)
_LATEST = ", ".join(f"arg_max({f}, seen) FILTER (WHERE {f} IS NOT NULL) AS {f}"
                    for f in PROFILE_FIELDS)
_SEEN = ", ".join(f"nullif(max(seen) FILTER (WHERE {f} IS NOT NULL), "
                  f"'-infinity'::TIMESTAMPTZ) AS _seen_{f}" for f in PROFILE_FIELDS)

_CHECK = """
SELECT 'a line that is not an API page' FROM _tw_pages WHERE data IS NULL AND meta IS NULL
UNION ALL
SELECT 'a tweet without id, author or a readable time' FROM _tw
WHERE id IS NULL OR author_id IS NULL OR created_at IS NULL
UNION ALL
SELECT 'a reference or hashtag without its fields' FROM _tw
WHERE len(list_filter(refs, lambda r: r IS NULL OR r.type IS NULL OR r.id IS NULL)) > 0
   OR len(list_filter(tags, lambda h: h IS NULL OR h.tag IS NULL)) > 0
LIMIT 1"""


def _fast_path(path: Path) -> FastPath:
    structure = sql_literal(orjson.dumps(_PAGE).decode())
    temps = ("_tw_pages", "_tw_users", "_tw_refs", "_tw", "_tw_mentions", "_tw_acc")
    return FastPath(
        chunks=lambda: line_chunks(path),
        per_chunk=[q.replace("{structure}", structure).replace("{latest}", _LATEST)
                   .replace("{seen}", _SEEN) for q in _PER_CHUNK],
        tables={"posts": _POSTS, "interactions": _INTERACTIONS, "accounts": _ACCOUNTS},
        records="SELECT count(*) FROM _tw",
        check=_CHECK,
        notes={
            NOTE_RETWEET_UNKNOWN: "SELECT count(*) FROM _tw WHERE rt IS NOT NULL "
                                  "AND rt_user IS NULL",
            NOTE_QUOTE_UNKNOWN: "SELECT count(*) FROM _tw WHERE rt IS NULL AND qt IS NOT NULL "
                                "AND qt_user IS NULL",
            NOTE_MENTION_UNKNOWN: "SELECT count(*) FROM _tw_mentions WHERE mid IS NULL OR mid = ''",
        },
        cleanup=[f"DROP TABLE IF EXISTS {t}" for t in reversed(temps)],
    )
