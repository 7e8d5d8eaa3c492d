"""TAGS archives: the CSV a Twitter Archiving Google Sheet (TAGS) exports, 18 columns a tweet.

The columns are ``id_str, from_user, text, created_at, time, geo_coordinates, user_lang,
in_reply_to_user_id_str, in_reply_to_screen_name, from_user_id_str,
in_reply_to_status_id_str, source, profile_image_url, user_followers_count,
user_friends_count, user_location, status_url, entities_str``. ``NA`` or an empty cell is a
missing value. Every value is read as a string: ids are never converted to numbers.

Quirks this reader handles:

- the tweet id comes from the tail of ``status_url`` (``.../statuses/<id>``), because
  spreadsheets round ``id_str`` into scientific notation; ``id_str`` is used only when
  ``status_url`` has no id and ``id_str`` is all digits;
- times come from ``created_at`` (``Sun Apr 19 19:22:23 +0000 2020``), never from ``time``,
  which is sheet-local time mislabelled as UTC;
- a retweet shows only as a leading ``RT @user:`` in the text; the original author's id is
  the ``user_mentions`` entry of ``entities_str`` with that screen name. TAGS does not give
  the original tweet's id, so none is invented (the post has no ``repost_of``);
- mentions and hashtags come from ``entities_str``; without it, hashtags come from the text
  and mentions cannot be tied (there are no user ids), which is noted;
- real exports repeat tweets (re-collection); the store keeps each once.

Examples
--------
>>> import tempfile, pathlib
>>> from plnanalytics.ingest.base import ReadLog
>>> header = ("id_str,from_user,text,created_at,time,geo_coordinates,user_lang,"
...           "in_reply_to_user_id_str,in_reply_to_screen_name,from_user_id_str,"
...           "in_reply_to_status_id_str,source,profile_image_url,user_followers_count,"
...           "user_friends_count,user_location,status_url,entities_str")
>>> row = ('1.25E+18,bo,RT @ann: hi #AECT19,Sun Apr 19 19:22:23 +0000 2020,'
...        '2020-04-19T20:22:23Z,NA,NA,NA,NA,11,NA,web,NA,5,9,NA,'
...        'http://twitter.com/bo/statuses/1251954312772812801,'
...        '"{""hashtags"":[{""text"":""AECT19""}],""user_mentions"":'
...        '[{""screen_name"":""Ann"",""id_str"":""10""}]}"')
>>> path = pathlib.Path(tempfile.mkdtemp()) / "archive.csv"
>>> _ = path.write_text(header + "\\n" + row + "\\n", encoding="utf-8")
>>> TagsReader.sniff(path, path.read_bytes())
True
>>> batch = next(TagsReader(path).batches(ReadLog(str(path))))
>>> post = batch.rows["posts"][0]
>>> post[0], post[2], str(post[3]), post[6], post[11]
('1251954312772812801', 'x:11', '2020-04-19 19:22:23+00:00', 'retweet', ['#aect19'])
>>> [(r[1], r[2], r[3]) for r in batch.rows["interactions"]]
[('retweet', 'x:11', 'x:10')]
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .base import ReadLog
from .csvread import CsvTweetReader, RowError, header_names
from .tweets import PostSink, parse_twitter_time

#: Columns without which a TAGS file cannot be read.
REQUIRED = ("from_user", "text", "created_at", "status_url", "from_user_id_str")

#: Cells that mean "no value" in TAGS exports.
_MISSING = frozenset({"", "NA"})

_STATUS_ID = re.compile(r"/status(?:es)?/(\d+)")
_RT = re.compile(r"^RT @(\w+):")
_TEXT_HASHTAG = re.compile(r"(?<![\w&#＃])[#＃](\w*[^\W\d]\w*)")
_WHOLE = re.compile(r"^\d+(?:\.0*)?$")
#: Largest integer a JSON number keeps exactly after a JavaScript round trip.
_MAX_SAFE_INT = 2**53


#: A mention in entities_str: user id (None when not given exactly), screen name, name.
_Mention = tuple[str | None, str | None, str | None]


class TagsReader(CsvTweetReader):
    """Reader for TAGS (Twitter Archiving Google Sheet) CSV exports."""

    format = "tags"
    description = "TAGS archive CSV (Twitter Archiving Google Sheet export, 18 columns a tweet)"
    unit = "posts"
    required = REQUIRED
    expected = "a TAGS archive CSV"

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> bool:
        names = header_names(head)
        return {"from_user", "status_url", "id_str"} <= names

    def _row(self, row: list[str], cols: dict[str, int], sink: PostSink, log: ReadLog) -> None:
        def get(name: str) -> str | None:
            i = cols.get(name)
            if i is None:
                return None
            value = row[i]
            return None if value in _MISSING else value

        post_id = _tweet_id(get("status_url"), get("id_str"))
        if post_id is None:
            raise RowError(
                f"no tweet id: status_url {get('status_url')!r} has no /status/<id> and id_str "
                f"{get('id_str')!r} is not a whole number (rounded by a spreadsheet?)")
        author = get("from_user_id_str")
        if author is None or not author.isdigit():
            raise RowError(f"from_user_id_str {author!r} is not a user id "
                           "(missing, or rounded by a spreadsheet?)")
        raw_time = get("created_at")
        created = _created_at(raw_time)
        if created is None:
            raise RowError(f"created_at {raw_time!r} is not a time like "
                           "'Sun Apr 19 19:22:23 +0000 2020'")
        text = row[cols["text"]]
        handle = get("from_user")

        entities = _entities(get("entities_str"))
        if entities is None:
            mentioned: list[_Mention] = []
            hashtags = _TEXT_HASHTAG.findall(text)
            if "@" in text:
                log.note("posts without entities_str: their mentions have no user ids "
                         "(no mention ties drawn)")
        else:
            mentioned, hashtags = entities
            if any(m[0] is None for m in mentioned):
                log.note("mentions in entities_str without an exact user id (no tie drawn)")

        rt_user = None
        rt = _RT.match(text)
        if rt is not None:
            name = rt.group(1).lower()
            rt_user = next((m[0] for m in mentioned if (m[1] or "").lower() == name), None)

        reply_user = _optional_id(get("in_reply_to_user_id_str"), "in_reply_to_user_id_str", log)
        reply_post = _optional_id(get("in_reply_to_status_id_str"), "in_reply_to_status_id_str",
                                  log)
        if rt is None and reply_post is not None and reply_user is None:
            log.note("replies whose replied-to author is unknown (no reply tie drawn)")

        sink.account(author, created, handle=handle, location=get("user_location"),
                     followers_count=_count(get("user_followers_count"), log),
                     following_count=_count(get("user_friends_count"), log))
        for uid, screen_name, name in mentioned:
            if uid is not None and uid != author:
                sink.account(uid, created, handle=screen_name, display_name=name)
        if reply_user is not None and reply_user != author:
            sink.account(reply_user, created, handle=get("in_reply_to_screen_name"))
        status_url = get("status_url")
        sink.post(
            post_id, author, created, text,
            handle=handle,
            reply_to_post=reply_post, reply_to_user=reply_user,
            is_retweet=rt is not None, retweet_of_user=rt_user,
            mentions=[m[0] for m in mentioned if m[0] is not None],
            hashtags=hashtags,
            url=status_url if status_url and _STATUS_ID.search(status_url) else None,
        )


# -- values ---------------------------------------------------------------------------------
def _created_at(value: str | None) -> datetime | None:
    """TAGS ``created_at`` (Twitter's format, or ISO 8601 in some exports) as UTC.

    None when the value cannot be read.

    Examples
    --------
    >>> str(_created_at("Sun Apr 19 19:22:23 +0000 2020"))
    '2020-04-19 19:22:23+00:00'
    >>> str(_created_at("2020-04-19T21:22:23+02:00"))
    '2020-04-19 19:22:23+00:00'
    >>> _created_at("19/04/2020") is None
    True
    """
    if not value:
        return None
    value = value.strip()
    try:
        return parse_twitter_time(value)
    except ValueError:
        pass
    try:
        t = datetime.fromisoformat(value)
    except ValueError:
        return None
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


def _tweet_id(status_url: str | None, id_str: str | None) -> str | None:
    if status_url:
        m = _STATUS_ID.search(status_url)
        if m:
            return m.group(1)
    if id_str and id_str.isdigit():
        return id_str
    return None


def _optional_id(value: str | None, column: str, log: ReadLog) -> str | None:
    if value is None:
        return None
    if value.isdigit():
        return value
    log.note(f"{column} values that are not whole numbers (rounded by a spreadsheet?); "
             "left empty, so no tie is drawn from them")
    return None


def _count(value: str | None, log: ReadLog) -> int | None:
    if value is None:
        return None
    if _WHOLE.match(value):
        return int(value.split(".")[0])
    log.note("profile counts that are not whole numbers (left empty)")
    return None


def _entities(raw: str | None) -> tuple[list[_Mention], list[str]] | None:
    """Mentions ``(user id, screen name, name)`` and hashtags of an ``entities_str`` cell.

    The user id is None when the entry has no exact id.
    """
    if raw is None:
        return None
    try:
        obj: Any = json.loads(raw)
    except ValueError as exc:
        raise RowError(f"entities_str is not valid JSON ({exc})") from None
    if not isinstance(obj, dict):
        raise RowError("entities_str is not a JSON object")
    mentions = []
    for m in _dicts(obj.get("user_mentions"), "user_mentions"):
        uid = m.get("id_str")
        if not (isinstance(uid, str) and uid.isdigit()):
            # a bare JSON number is exact only below 2**53 (JavaScript wrote these cells)
            num = m.get("id")
            uid = str(num) if isinstance(num, int) and 0 <= num < _MAX_SAFE_INT else None
        name = m.get("screen_name")
        display = m.get("name")
        mentions.append((uid, name if isinstance(name, str) else None,
                         display if isinstance(display, str) else None))
    hashtags = [h["text"] for h in _dicts(obj.get("hashtags"), "hashtags")
                if isinstance(h.get("text"), str)]
    return mentions, hashtags


def _dicts(value: object, name: str) -> Iterable[dict[str, Any]]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise RowError(f"entities_str: {name} is not a list")
    return [v for v in value if isinstance(v, dict)]
