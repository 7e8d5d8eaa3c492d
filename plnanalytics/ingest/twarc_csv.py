"""twarc-csv CSV: ``twarc2 csv`` output, one tweet a row, with the tweet's author expanded.

The ties come from ``in_reply_to_user_id`` (replies), ``referenced_tweets.retweeted.id``
with ``retweeted_user_id`` (retweets), ``referenced_tweets.quoted.id`` with
``quoted_user_id`` (quotes) and ``entities.mentions``; profiles come from the ``author.*``
columns, dated by ``__twarc.retrieved_at`` (or the tweet's time when absent). Every value
is read as a string, so ids are never touched by number conversion.

Three things twarc-csv does that matter here:

- list cells are JSON lists of strings, and ``entities.mentions`` holds only ``@username``
  (no user id). A mention is tied to the id that the same username has elsewhere in the file
  (as an author, or as a replied-to, retweeted or quoted user), found in a first pass over
  the file; a mention whose username never appears with an id is counted as a note and
  draws no tie;
- with its default settings a retweet row carries the ORIGINAL tweet's text and entities,
  so the mentions of a retweet row are not the retweeter's: they are not read at all;
- newlines in text cells are written as the two characters ``\\n`` (and ``\\r`` is removed);
  they are turned back into newlines.

Examples
--------
>>> import tempfile, pathlib
>>> from plnanalytics.ingest.base import ReadLog
>>> header = ("id,conversation_id,referenced_tweets.replied_to.id,referenced_tweets.retweeted.id,"
...           "referenced_tweets.quoted.id,author_id,in_reply_to_user_id,in_reply_to_username,"
...           "retweeted_user_id,retweeted_username,created_at,text,entities.hashtags,"
...           "entities.mentions,author.username")
>>> rows = ['1,1,,,,10,,,,,2024-01-09T20:00:00.000Z,Q1 #NAESPchat,"[""#NAESPchat""]",,ann',
...         '2,1,1,,,11,10,ann,,,2024-01-09T20:05:00.000Z,@ann @cy yes,,'
...         '"[""@ann"", ""@cy""]",bo',
...         '3,3,,1,,12,,,10,ann,2024-01-09T20:06:00.000Z,Q1 #NAESPchat,,,cy']
>>> path = pathlib.Path(tempfile.mkdtemp()) / "chat.csv"
>>> _ = path.write_text("\\n".join([header, *rows]) + "\\n", encoding="utf-8")
>>> TwarcCsvReader.sniff(path, path.read_bytes())
True
>>> batch = next(TwarcCsvReader(path).batches(ReadLog(str(path))))
>>> [(r[0], r[6]) for r in batch.rows["posts"]]
[('1', 'post'), ('2', 'reply'), ('3', 'retweet')]
>>> [(r[1], r[2], r[3]) for r in batch.rows["interactions"]]
[('reply', 'x:11', 'x:10'), ('mention', 'x:11', 'x:12'), ('retweet', 'x:12', 'x:10')]
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

from .base import ReadLog, open_binary, raw_position, text_lines
from .csvread import CsvTweetReader, RowError, csv_records, header_names, read_header
from .tweets import PostSink

#: Columns without which a twarc-csv file cannot be read.
REQUIRED = ("id", "author_id", "created_at", "referenced_tweets.retweeted.id")

#: (username column, user id column) pairs that tell a username's id.
_NAMED_IDS = (
    ("author.username", "author_id"),
    ("in_reply_to_username", "in_reply_to_user_id"),
    ("retweeted_username", "retweeted_user_id"),
    ("quoted_username", "quoted_user_id"),
)
_RT = re.compile(r"^RT @(\w+):")
_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no"})
_WHOLE = re.compile(r"^\d+(?:\.0*)?$")

_UNRESOLVED = ("mentions whose username has no user id in the file (twarc-csv gives only "
               "@usernames; no tie drawn)")
_AMBIGUOUS = "mentions of a username that has several user ids in the file (no tie drawn)"


class TwarcCsvReader(CsvTweetReader):
    """Reader for the CSV files written by ``twarc2 csv`` (the twarc-csv plugin)."""

    format = "twarc-csv"
    description = "twarc-csv CSV: `twarc2 csv` output, one tweet a row (84 columns by default)"
    unit = "posts"
    required = REQUIRED
    expected = "a twarc-csv CSV file"

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> bool:
        names = header_names(head)
        return {"id", "author_id"} <= names and (
            "referenced_tweets.retweeted.id" in names or "author.username" in names)

    def _prepare(self, log: ReadLog, total: int) -> None:
        self._ids = self._username_ids(log, total)

    def _progress(self, position: int, total: int) -> int:
        return (total + position) // 2  # the second of two passes

    def _username_ids(self, log: ReadLog, total: int) -> dict[str, str | None]:
        """First pass: lowercase username -> user id (None when the file gives several).

        Memory grows with the accounts named in the file, not with its rows. Records are
        not judged here (the second pass rejects them).
        """
        ids: dict[str, str | None] = {}
        quiet = ReadLog(log.path)
        with open_binary(self.path) as fh, text_lines(fh) as text:
            records = csv_records(text, self.path, quiet)
            cols, width = read_header(records, self.path, REQUIRED, "a twarc-csv CSV file")
            pairs = [(cols[n], cols[i]) for n, i in _NAMED_IDS if n in cols and i in cols]
            for n, (_, row) in enumerate(records, 1):
                if len(row) != width:
                    continue
                for name_col, id_col in pairs:
                    name, uid = row[name_col].strip().lower(), row[id_col].strip()
                    if name and uid.isdigit() and ids.setdefault(name, uid) != uid:
                        ids[name] = None
                if log.progress and n % self.batch_rows == 0:
                    log.progress(raw_position(fh) // 2, total)
        return ids

    def _row(self, row: list[str], cols: dict[str, int], sink: PostSink, log: ReadLog) -> None:
        ids = self._ids
        def get(name: str) -> str | None:
            i = cols.get(name)
            if i is None:
                return None
            return row[i] or None

        def get_id(name: str, what: str) -> str | None:
            value = get(name)
            if value is not None and not value.isdigit():
                raise RowError(f"{name} {value!r} is not {what} (rounded by a spreadsheet?)")
            return value

        post_id = get_id("id", "a tweet id")
        author = get_id("author_id", "a user id")
        if post_id is None:
            raise RowError("id is empty (no tweet id)")
        if author is None:
            raise RowError("author_id is empty (no author)")
        raw_time = get("created_at")
        created = _time(raw_time)
        if created is None:
            raise RowError(f"created_at {raw_time!r} is not an ISO 8601 time")
        retweet_of = get_id("referenced_tweets.retweeted.id", "a tweet id")
        reply_to = get_id("referenced_tweets.replied_to.id", "a tweet id")
        quote_of = get_id("referenced_tweets.quoted.id", "a tweet id")
        reply_user = get_id("in_reply_to_user_id", "a user id")
        rt_user = get_id("retweeted_user_id", "a user id")
        quote_user = get_id("quoted_user_id", "a user id")
        text = _unescape(get("text"))
        hashtags = _json_strings(get("entities.hashtags"), "entities.hashtags")
        mentions = _json_strings(get("entities.mentions"), "entities.mentions")

        def user_id(username: str) -> str | None:
            key = username.lstrip("@").lower()
            if key not in ids:
                log.note(_UNRESOLVED)
                return None
            uid = ids[key]
            if uid is None:
                log.note(_AMBIGUOUS)
            return uid

        mention_ids: list[str] = []
        if retweet_of is not None:
            # The row carries the original tweet's entities: its mentions are not the
            # retweeter's, so they are not read. A deleted original leaves the retweet's own
            # "RT @user:" text, whose user is the original author.
            if rt_user is None and text and (m := _RT.match(text)):
                rt_user = user_id(m.group(1))
        else:
            mention_ids = [uid for name in mentions if (uid := user_id(name)) is not None]

        seen_at = _time(get("__twarc.retrieved_at")) or created
        handle = get("author.username")
        sink.account(
            author, seen_at, handle, _unescape(get("author.name")),
            _unescape(get("author.description")), _unescape(get("author.location")),
            _count(get("author.public_metrics.followers_count"), log),
            _count(get("author.public_metrics.following_count"), log),
            _count(get("author.public_metrics.tweet_count"), log),
            _flag(get("author.verified"), log),
            _time(get("author.created_at")),
        )
        for name_col, id_col in _NAMED_IDS[1:]:
            uid, name = get(id_col), get(name_col)
            if uid is not None and name is not None and uid != author:
                sink.account(uid, seen_at, handle=name)
        sink.post(
            post_id, author, created, text,
            lang=get("lang"),
            handle=handle,
            reply_to_post=reply_to, reply_to_user=reply_user,
            conversation_id=get_id("conversation_id", "a tweet id"),
            retweet_of=retweet_of, retweet_of_user=rt_user,
            quote_of=quote_of, quote_of_user=quote_user,
            mentions=mention_ids,
            hashtags=hashtags,
        )


def _json_strings(cell: str | None, column: str) -> list[str]:
    """A JSON-encoded list of strings (twarc-csv's list cells); empty for an empty cell.

    Examples
    --------
    >>> _json_strings('["#Brexit", "#PeoplesVote"]', "entities.hashtags")
    ['#Brexit', '#PeoplesVote']
    >>> try:
    ...     _json_strings("['#Brexit']", "entities.hashtags")
    ... except RowError as exc:
    ...     print(str(exc).split(" (")[0])
    entities.hashtags is not a JSON list of strings
    """
    if cell is None:
        return []
    try:
        value = json.loads(cell)
    except ValueError as exc:
        raise RowError(f"{column} is not a JSON list of strings ({exc}): {cell[:60]!r}") from None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RowError(f"{column} is not a JSON list of strings: {cell[:60]!r}")
    return value


def _time(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        t = datetime.fromisoformat(value)
    except ValueError:
        return None
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


def _unescape(value: str | None) -> str | None:
    """Undo twarc-csv's newline escape (``\\n`` written as backslash and n)."""
    return value.replace("\\n", "\n") if value else value


def _count(value: str | None, log: ReadLog) -> int | None:
    if value is None:
        return None
    if _WHOLE.match(value):
        return int(value.split(".")[0])
    log.note("profile counts that are not whole numbers (left empty)")
    return None


def _flag(value: str | None, log: ReadLog) -> bool | None:
    if value is None:
        return None
    low = value.lower()
    if low in _TRUE or low in _FALSE:
        return low in _TRUE
    log.note("author.verified values that are neither True nor False (left empty)")
    return None

