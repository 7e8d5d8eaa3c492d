"""Discord channels exported as JSON by DiscordChatExporter (one file per channel).

Layout
    One JSON object: ``guild`` (``id``, ``name``), ``channel`` (``id``, ``type``,
    ``categoryId``, ``category``, ``name``, ``topic``), ``dateRange``, ``messages`` (a list)
    and ``messageCount``. A message has ``id``, ``type`` (``Default``, ``Reply``,
    ``GuildMemberJoin``, ``ChannelPinnedMessage``, ...), ``timestamp`` (ISO 8601 with an
    offset), ``content``, ``author`` (``id``, ``name``, ``discriminator``, ``nickname``,
    ``isBot``), ``mentions`` (users, the same fields) and, for a reply, ``reference``
    (``messageId``, ``channelId``, ``guildId``); field names as DiscordChatExporter's
    ``JsonMessageWriter`` writes them. The file (also ``.gz``) is read whole.

Accounts, posts and ties
    Accounts are ``discord:<user id>`` with handle ``name`` and display name ``nickname``
    (DiscordChatExporter writes the user name there when the member has no nickname), seen
    at the message's time. Each ``Default`` or ``Reply`` message is a post (its id) with the
    context ``#<channel name>`` (lowercase) and a ``discord.com`` link. A ``Reply`` is a
    ``reply`` post whose parent is the referenced message; it ties its author to the
    referenced message's author (kind ``reply``) when that message is in the file (else a
    note), and that author is not counted again as a mention. Other ``mentions`` are
    ``mention`` ties. A post's conversation is the first message of its reply chain, as far
    as the file reaches (a reply to a message outside the file gets that message's id).
    Self-loops and ties to bots are not drawn.

Not conversation
    Messages by bots (``author.isBot``) and system messages (any type but ``Default`` and
    ``Reply``: joins, pins, thread creation, calls, ...) are skipped and counted in notes.

Memberships
    Channel co-presence: every author who posted is a member of ``discord:#<channel name>``
    (role ``member``) since their first message in the file.

Bad input
    A file that is not JSON, not an object, or has no ``messages`` list or no ``channel``
    object is a :class:`~plnanalytics.errors.FormatError`. A message that is not an object,
    or lacks an id, an author id or a time with an offset, is a reject whose line is the
    message's position in ``messages``.

Examples
--------
>>> import json, tempfile, pathlib
>>> from plnanalytics.ingest.base import ReadLog
>>> def msg(i, user, kind="Default", ref=None, mentions=()):
...     return {"id": i, "type": kind, "timestamp": "2024-01-09T15:00:00-05:00",
...             "content": "hi", "author": {"id": user, "name": user, "isBot": False},
...             "mentions": [{"id": m, "name": m} for m in mentions],
...             **({"reference": {"messageId": ref}} if ref else {})}
>>> export = {"guild": {"id": "1", "name": "PLN"},
...           "channel": {"id": "2", "name": "principals"},
...           "messages": [msg("10", "ann"), msg("11", "bo", "Reply", "10", ["ann", "cy"])]}
>>> path = pathlib.Path(tempfile.mkdtemp()) / "pln-discord.json"
>>> _ = path.write_text(json.dumps(export))
>>> batches = list(DiscordReader(path).batches(ReadLog(str(path))))
>>> [(r[1], r[2], r[3], r[6]) for b in batches for r in b.rows["interactions"]]
[('reply', 'discord:bo', 'discord:ann', '#principals'), ('mention', 'discord:bo', 'discord:cy', \
'#principals')]
>>> [(r[0], r[6], r[7], r[8]) for b in batches for r in b.rows["posts"]][1]
('11', 'reply', '10', '10')
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

import orjson

from ..errors import FormatError
from .base import Batch, Reader, ReadLog, open_binary, parse_iso_utc
from .slack import ChatSink

#: What a DiscordChatExporter file is, for errors.
EXPECTED = ("expected a DiscordChatExporter JSON export: one object with 'guild', 'channel' "
            "and a 'messages' list")

#: Message types that are people talking; every other type is a system message.
CONVERSATION_TYPES = frozenset({"Default", "Reply"})

NOTE_BOT_MESSAGES = "bot messages skipped (not conversation)"
NOTE_REPLY_UNKNOWN = "replies to messages not in the file (no tie drawn)"
NOTE_REPLY_TO_BOT = "replies to bot messages (no tie drawn)"
NOTE_MENTION_BOT = "mentions of bots (no tie drawn)"
NOTE_MENTION_UNKNOWN = "mentions without a user id (no tie drawn)"
NOTE_NO_TYPE = "messages without a type (read as Default)"

_BOM = b"\xef\xbb\xbf"
_START = re.compile(rb'^\s*\{\s*"(guild|channel)"\s*:\s*\{')
_CHANNEL = re.compile(rb'"channel"\s*:\s*\{')
_MESSAGES = re.compile(rb'"messages"\s*:\s*\[')


class _Known(NamedTuple):
    """What the first pass keeps of a message: its author, and what it replies to."""

    author: str
    is_bot: bool
    reply_to: str | None


class DiscordReader(Reader):
    """Reader for one channel exported as JSON by DiscordChatExporter."""

    format = "discord"
    description = "DiscordChatExporter JSON: one channel's guild, channel and messages"
    unit = "posts"

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> bool:
        head = head.removeprefix(_BOM)
        try:
            obj = orjson.loads(head)
        except orjson.JSONDecodeError:  # a file longer than its head
            return (bool(_START.match(head)) and bool(_CHANNEL.search(head))
                    and bool(_MESSAGES.search(head)))
        return isinstance(obj, dict) and {"guild", "channel", "messages"} <= obj.keys()

    def batches(self, log: ReadLog) -> Iterator[Batch]:
        path = self.path
        with open_binary(path) as fh:
            try:
                data = fh.read()
            except (OSError, EOFError) as exc:
                raise FormatError(f"{path}: cannot read ({exc})") from None
        try:
            obj = orjson.loads(data.removeprefix(_BOM))
        except orjson.JSONDecodeError as exc:
            raise FormatError(f"{path}: not valid JSON ({exc}); {EXPECTED}") from None
        if not isinstance(obj, dict) or not isinstance(obj.get("messages"), list):
            raise FormatError(f"{path}: no 'messages' list; {EXPECTED}")
        channel = obj.get("channel")
        channel_id = _id(channel.get("id")) if isinstance(channel, dict) else None
        if not isinstance(channel, dict) or channel_id is None:
            raise FormatError(f"{path}: no 'channel' object with an 'id'; {EXPECTED}")
        guild = obj.get("guild") if isinstance(obj.get("guild"), dict) else {}
        guild_id = _id(guild.get("id"))
        name = (_str(channel.get("name")) or channel_id).lower()
        context, group = f"#{name}", f"discord:#{name}"
        base_url = (f"https://discord.com/channels/"
                    f"{'@me' if guild_id in (None, '0') else guild_id}/{channel_id}/")
        messages: list[Any] = obj["messages"]
        known = _index(messages)
        sink = ChatSink("discord")
        total = path.stat().st_size
        for i, m in enumerate(messages, 1):
            reason = self._message(m, known, context, group, base_url, sink, log)
            if reason is not None:
                log.reject(i, f"message {i}: {reason}")
            if sink.size >= self.batch_rows:
                if log.progress:
                    log.progress(total * i // len(messages), total)
                yield sink.take()
        if log.progress:
            log.progress(total, total)
        yield sink.take()
        yield sink.take_memberships()

    def _message(self, m: object, known: dict[str, _Known], context: str, group: str,
                 base_url: str, sink: ChatSink, log: ReadLog) -> str | None:
        """Add one message; return why it is unreadable, or None."""
        if not isinstance(m, dict):
            return "not a JSON object"
        mid = _id(m.get("id"))
        if mid is None:
            return "no 'id'"
        mtype = m.get("type")
        if mtype is None:
            log.note(NOTE_NO_TYPE)
            mtype = "Default"
        if mtype not in CONVERSATION_TYPES:
            log.note(f"{mtype} messages skipped (not conversation)")
            return None
        author = m.get("author")
        uid = _id(author.get("id")) if isinstance(author, dict) else None
        if not isinstance(author, dict) or uid is None:
            return "no 'author' with an 'id'"
        if author.get("isBot") is True:
            log.note(NOTE_BOT_MESSAGES)
            return None
        try:
            created = _time(m.get("timestamp"))
        except ValueError as exc:
            return str(exc)
        key = "discord:" + uid
        sink.account(key, created, handle=_str(author.get("name")),
                     display_name=_str(author.get("nickname")))
        ties: list[tuple[str, str]] = []
        parent = _reply_to(m) if mtype == "Reply" else None
        if parent is not None:
            target = known.get(parent)
            if target is None:
                log.note(NOTE_REPLY_UNKNOWN)
            elif target.is_bot:
                log.note(NOTE_REPLY_TO_BOT)
            else:
                ties.append(("reply", "discord:" + target.author))
        mentions = []
        for u in m.get("mentions") or ():
            mention = _id(u.get("id")) if isinstance(u, dict) else None
            if mention is None:
                log.note(NOTE_MENTION_UNKNOWN)
                continue
            if u.get("isBot") is True:
                log.note(NOTE_MENTION_BOT)
                continue
            mentions.append("discord:" + mention)
            sink.account("discord:" + mention, created, handle=_str(u.get("name")),
                         display_name=_str(u.get("nickname")))
        content = m.get("content")
        sink.post(mid, key, created, content if isinstance(content, str) else None,
                  post_type="reply" if parent is not None else "post", parent=parent,
                  conversation_id=_root(mid, known), contexts=[context], url=base_url + mid,
                  ties=ties, mentions=mentions)
        sink.member(key, group, created)
        log.records += 1
        return None


def _index(messages: list[Any]) -> dict[str, _Known]:
    """Message id -> its author and the message it replies to (first pass)."""
    known: dict[str, _Known] = {}
    for m in messages:
        if not isinstance(m, dict):
            continue
        mid, author = _id(m.get("id")), m.get("author")
        uid = _id(author.get("id")) if isinstance(author, dict) else None
        if mid is None or uid is None or mid in known:
            continue
        reply_to = _reply_to(m) if m.get("type") == "Reply" else None
        known[mid] = _Known(uid, author.get("isBot") is True, reply_to)
    return known


def _root(mid: str, known: dict[str, _Known]) -> str:
    """The first message of a reply chain, as far as the file reaches."""
    seen = {mid}
    while True:
        entry = known.get(mid)
        if entry is None or entry.reply_to is None or entry.reply_to in seen:
            return mid
        mid = entry.reply_to
        seen.add(mid)


def _reply_to(m: dict[str, Any]) -> str | None:
    ref = m.get("reference")
    return _id(ref.get("messageId")) if isinstance(ref, dict) else None


def _time(value: object) -> datetime:
    """An ISO 8601 time with an offset (``2024-01-09T15:00:00.123-05:00``) in UTC.

    Examples
    --------
    >>> _time("2024-01-09T15:00:00.1234567-05:00")
    datetime.datetime(2024, 1, 9, 20, 0, 0, 123456, tzinfo=datetime.timezone.utc)
    """
    return parse_iso_utc(value, "'timestamp'" if value is None else "timestamp")


def _id(value: object) -> str | None:
    """An id as text: a non-empty string, or a whole number (never a bool)."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
