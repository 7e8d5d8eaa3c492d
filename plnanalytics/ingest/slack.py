"""Slack workspace exports: the ``.zip`` an admin downloads from Slack.

Layout
    ``users.json`` (the members), ``channels.json`` (public channels; ``groups.json``,
    ``mpims.json`` and ``dms.json`` list private channels, group DMs and DMs when the export
    has them) and one folder per conversation of ``<YYYY-MM-DD>.json`` day files, each a
    JSON array of messages. A folder is named by the channel's name (a DM's folder by its
    id). Everything may sit under one top folder, as when an export is zipped again.
    The zip is read in place, never extracted; an extracted export folder is not read.

Accounts
    ``slack:<team>/<user id>`` (user ids are Slack's, never handles). The team is the
    workspace's: the most common ``team_id`` of ``users.json``, else the first ``team`` or
    ``user_team`` of a message, else the zip's name (a note says so). Rows come from
    ``users.json``: handle ``name``, display name ``real_name`` (else the profile's real or
    display name), ``email`` and ``title`` (as the description) of the profile, seen at
    ``updated``; deleted users are kept. Authors missing from ``users.json`` get an account
    from the message's ``user_profile`` when it has one.

Posts and ties
    Each conversational message is a post ``<channel id>/<ts>`` dated by ``ts`` (epoch
    seconds with microseconds) with the context ``#<channel name>``. A thread reply
    (``thread_ts`` other than its own ``ts``) is a ``reply`` post whose parent is
    ``<channel id>/<thread_ts>``; it ties the replier to the thread starter once, as kind
    ``message`` (the starter is ``parent_user_id``, else the author of the parent message in
    the export), and the starter is not counted again as a mention. In a DM (``dms.json``)
    a message is a ``message`` tie to the other member. ``<@U123>`` and ``<@U123|name>`` in
    the text are ``mention`` ties. Self-loops are not ties; ties to bots are not drawn.

Not conversation
    Bot messages (subtype ``bot_message``, a ``bot_id`` without a ``user``, an app's
    ``bot_profile``, or a bot user of ``users.json``, Slackbot included) and notices (every
    subtype other than ``file_share``, ``thread_broadcast``, ``reply_broadcast``,
    ``me_message``, ``file_comment`` and ``file_mention``: joins, leaves, topic, purpose,
    renames, pins, ``bot_add``, ``tombstone``...) are skipped and counted, per kind, in the
    notes. A legacy ``file_comment`` has no ``user``: its author is the comment's user.

Memberships
    Channel co-presence: every (non-bot) user in a conversation's ``members`` list, every
    author who posted in it and every user with a join notice there is a member of
    ``slack:#<channel name>`` (role ``member``), since the first post or join seen there;
    ``until`` is the last leave notice when it follows the member's last post and join
    and the member is no longer listed.

Bad input and safety
    Members whose name is absolute or has a ``..`` component are rejected and never
    opened; a member larger than :data:`MAX_MEMBER_BYTES` uncompressed (checked before and
    while reading) is rejected unread; a zip with more than :data:`MAX_MEMBERS` members is
    refused. A day file that cannot be read, is not JSON or not an array is a reject
    naming the member (line 0); a message that is not an object, has no valid ``ts`` or
    no author is a reject naming the member and the message's position (its ``line``), as
    is an entry of ``users.json`` or of a channel list without an id. A
    file that is not a zip, or a zip without ``users.json`` and ``channels.json``, is a
    :class:`~plnanalytics.errors.FormatError` saying what a Slack export holds.

Examples
--------
>>> import json, tempfile, zipfile, pathlib
>>> from plnanalytics.ingest.base import ReadLog
>>> path = pathlib.Path(tempfile.mkdtemp()) / "pln-slack.zip"
>>> with zipfile.ZipFile(path, "w") as z:
...     z.writestr("users.json", json.dumps([
...         {"id": "U1", "team_id": "T1", "name": "ann", "profile": {"email": "a@k12.us"}},
...         {"id": "U2", "team_id": "T1", "name": "bo"}]))
...     z.writestr("channels.json", json.dumps(
...         [{"id": "C1", "name": "principals", "members": ["U1", "U2"]}]))
...     z.writestr("principals/2024-01-09.json", json.dumps([
...         {"type": "message", "user": "U1", "text": "Q1?", "ts": "1704830400.000100",
...          "thread_ts": "1704830400.000100"},
...         {"type": "message", "user": "U2", "text": "<@U1> yes", "ts": "1704830460.000200",
...          "thread_ts": "1704830400.000100", "parent_user_id": "U1"},
...         {"type": "message", "subtype": "channel_join", "user": "U2",
...          "text": "<@U2> has joined the channel", "ts": "1704830000.000000"}]))
>>> log = ReadLog(str(path))
>>> batches = list(SlackReader(path).batches(log))
>>> [(r[1], r[2], r[3], r[6]) for b in batches for r in b.rows["interactions"]]
[('message', 'slack:T1/U2', 'slack:T1/U1', '#principals')]
>>> [(r[0], r[6], r[7]) for b in batches for r in b.rows["posts"]][1]
('C1/1704830460.000200', 'reply', 'C1/1704830400.000100')
>>> sorted((r[0], r[4]) for b in batches for r in b.rows["accounts"])
[('slack:T1/U1', 'a@k12.us'), ('slack:T1/U2', None)]
>>> log.records, dict(log.notes)
(2, {'channel_join notices skipped (not conversation)': 1})
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from ..errors import FormatError
from .base import Batch, Reader, ReadLog

#: The largest member read, uncompressed (checked from the zip's directory and while reading).
MAX_MEMBER_BYTES = 256 << 20
#: The most members a zip may have.
MAX_MEMBERS = 1_000_000

#: What a Slack export is, for errors.
EXPECTED = ("a Slack workspace export is a .zip holding users.json, channels.json (with "
            "groups.json, mpims.json and dms.json for private channels and direct messages) "
            "and one folder per channel of <YYYY-MM-DD>.json day files")

#: Subtypes that are people talking; every other subtype is a notice.
CONVERSATION_SUBTYPES = frozenset({"file_share", "thread_broadcast", "reply_broadcast",
                                   "me_message", "file_comment", "file_mention"})
#: Notices that say someone joined or left a conversation (membership evidence).
JOIN_SUBTYPES = frozenset({"channel_join", "group_join"})
LEAVE_SUBTYPES = frozenset({"channel_leave", "group_leave"})

#: Slackbot: a bot, although users.json does not flag it as one.
SLACKBOT = "USLACKBOT"

NOTE_BOT_MESSAGES = "bot messages skipped (not conversation)"
NOTE_BOT_USERS = "bot users in users.json (not kept as accounts or members)"
NOTE_REPLY_TO_BOT = "thread replies to bot messages (no tie drawn)"
NOTE_REPLY_UNKNOWN = "thread replies whose starter is not in the export (no tie drawn)"
NOTE_MENTION_BOT = "mentions of bot users (no tie drawn)"
NOTE_IGNORED = ("zip members ignored (not users, channels, groups, mpims or dms lists, nor "
                "<channel>/<YYYY-MM-DD>.json day files)")
NOTE_UNLISTED = ("day files of folders no channel list names (the folder name is used as "
                 "the channel id)")
NOTE_FILE_COMMENT = "legacy file comments (read with the commenter as author)"

#: The lists of conversations, and the kind of conversation each holds.
_LISTS = {"channels.json": "channel", "groups.json": "group", "mpims.json": "mpim",
          "dms.json": "dm"}
_DAY = re.compile(r"\d{4}-\d\d-\d\d\.json")
_TS = re.compile(r"(\d{1,12})(?:\.(\d{1,6}))?")
_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|([^>]*))?>")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


class ChatSink:
    """Collects chat posts, their ties, accounts and memberships into batches.

    Readers resolve every id to an account key; the sink applies the tie rules of
    DESIGN.md: the ties a reader names first (a thread reply, a reply, a DM) are drawn once
    each, and mentions then skip the author and those accounts.

    Parameters
    ----------
    platform : str
        Platform of every row.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> sink = ChatSink("slack")
    >>> t = datetime(2024, 1, 9, tzinfo=timezone.utc)
    >>> sink.post("C1/2", "slack:T/U2", t, "<@U1> <@U2> <@U3>", contexts=["#pln"],
    ...           ties=[("message", "slack:T/U1")],
    ...           mentions=["slack:T/U1", "slack:T/U2", "slack:T/U3"])
    >>> [(r[1], r[3]) for r in sink.take().rows["interactions"]]
    [('message', 'slack:T/U1'), ('mention', 'slack:T/U3')]
    """

    def __init__(self, platform: str) -> None:
        self.platform = platform
        self.batch = Batch()
        self._accounts: dict[tuple[str, datetime | None], tuple[Any, ...]] = {}
        self._members: dict[tuple[str, str], list[datetime | None]] = {}

    @property
    def size(self) -> int:
        """Posts collected in the current batch."""
        return len(self.batch.rows["posts"])

    def take(self) -> Batch:
        """Return the posts, ties and accounts collected so far and start a new batch."""
        batch = self.batch
        batch.rows["accounts"] = list(self._accounts.values())
        self.batch = Batch()
        self._accounts = {}
        return batch

    def take_memberships(self) -> Batch:
        """A batch of every membership seen, one row per (member, group), sorted."""
        batch = Batch()
        for (member, group), (since, until) in sorted(self._members.items()):
            batch.add("memberships", (member, group, "member", since, until))
        self._members = {}
        return batch

    def account(self, key: str, seen_at: datetime | None = None, *, handle: str | None = None,
                display_name: str | None = None, email: str | None = None,
                description: str | None = None) -> None:
        """Record an observation of an account's profile, as seen at ``seen_at``.

        Observations of one account at one time are merged field by field (the larger
        value wins, as in the store).
        """
        row = (key, self.platform, handle, display_name, email, description, None, None,
               None, None, None, None, seen_at)
        old = self._accounts.get((key, seen_at))
        if old is not None:
            row = tuple(o if n is None else n if o is None else max(n, o)
                        for n, o in zip(row, old, strict=True))
        self._accounts[(key, seen_at)] = row

    def member(self, member: str, group: str, since: datetime | None = None,
               until: datetime | None = None) -> None:
        """Record a membership; ``since`` keeps the earliest time given, ``until`` the latest."""
        times = self._members.setdefault((member, group), [None, None])
        if since is not None and (times[0] is None or since < times[0]):
            times[0] = since
        if until is not None and (times[1] is None or until > times[1]):
            times[1] = until

    def post(self, post_id: str, author: str, created: datetime | None, text: str | None, *,
             post_type: str = "post", parent: str | None = None,
             conversation_id: str | None = None, contexts: Iterable[str] = (),
             url: str | None = None, ties: Iterable[tuple[str, str]] = (),
             mentions: Iterable[str] = ()) -> None:
        """Add one post and its ties (account keys); self-loops and repeats are dropped."""
        contexts = list(contexts)
        context = " ".join(contexts) or None
        self.batch.add("posts", (post_id, self.platform, author, created, text, None, post_type,
                                 parent, conversation_id, None, None, contexts, url))
        seen = {author}
        edges = self.batch.rows["interactions"]
        for kind, dst in [*ties, *(("mention", m) for m in mentions)]:
            if dst not in seen:
                seen.add(dst)
                edges.append((self.platform, kind, author, dst, created, 1.0, context, post_id))


def slack_time(ts: object) -> datetime:
    """A Slack ``ts`` (epoch seconds, up to six decimals) as a UTC time, without float error.

    Raises
    ------
    ValueError
        When ``ts`` is not such a string.

    Examples
    --------
    >>> slack_time("1452837318.000002")
    datetime.datetime(2016, 1, 15, 5, 55, 18, 2, tzinfo=datetime.timezone.utc)
    """
    match = _TS.fullmatch(ts) if isinstance(ts, str) else None
    if match is None:
        raise ValueError(f"ts {ts!r} is not a Slack timestamp (epoch seconds such as "
                         "'1452837318.000002')")
    micros = int((match.group(2) or "").ljust(6, "0"))
    return _EPOCH + timedelta(seconds=int(match.group(1)), microseconds=micros)


def unsafe_member(name: str) -> bool:
    """Whether a zip member's name is absolute or climbs out of the archive (``..``).

    Examples
    --------
    >>> [unsafe_member(n) for n in ("general/2024-01-09.json", "../evil.json", "/etc/x",
    ...                             "C:/x", "a\\\\..\\\\b")]
    [False, True, True, True, True]
    """
    parts = re.split(r"[/\\]", name)
    return (name.startswith(("/", "\\")) or bool(re.match(r"[A-Za-z]:", name))
            or ".." in parts)


def export_root(names: Iterable[str]) -> str | None:
    """The folder holding ``users.json`` and ``channels.json`` (``""`` at the top), or None.

    Examples
    --------
    >>> export_root(["users.json", "channels.json"]), export_root(["x/users.json",
    ...                                                          "x/channels.json"])
    ('', 'x/')
    >>> export_root(["users.json"]) is None
    True
    """
    names = set(names)
    if {"users.json", "channels.json"} <= names:
        return ""
    roots = {n[:-len("users.json")] for n in names
             if n.endswith("/users.json") and n.count("/") == 1}
    roots = sorted(r for r in roots if r + "channels.json" in names)
    return roots[0] if len(roots) == 1 else None


class _Unreadable(Exception):
    """A member that cannot be read (the message says why)."""


@dataclass
class _Conversation:
    """A channel, private channel, group DM or DM, and the folder of its day files."""

    id: str
    name: str
    kind: str
    members: tuple[str, ...] = ()

    @property
    def context(self) -> str:
        return "#" + self.name.lower()


class SlackReader(Reader):
    """Reader for a Slack workspace export ``.zip``."""

    format = "slack"
    description = ("Slack workspace export .zip: users.json, channels.json and "
                   "<channel>/<YYYY-MM-DD>.json day files")
    unit = "posts"

    def __init__(self, path: str | Path, **options: Any) -> None:
        super().__init__(path, **options)
        self._bots: set[str] = {SLACKBOT}  # user ids of bots
        self._known: set[str] = set()  # user ids with a users.json profile
        # (member, group) -> [listed, since, last post or join, last leave]
        self._mship: dict[tuple[str, str], list[Any]] = {}

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> bool:
        if not head.startswith(_ZIP_MAGIC):
            return False
        try:
            with zipfile.ZipFile(path) as zf:
                return export_root(zf.namelist()) is not None
        except (zipfile.BadZipFile, OSError, EOFError, ValueError):
            return False

    # -- the whole export -----------------------------------------------------------------
    def batches(self, log: ReadLog) -> Iterator[Batch]:
        path = self.path
        total = path.stat().st_size
        try:
            zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, EOFError, ValueError):
            raise FormatError(f"{path}: not a zip file; {EXPECTED}") from None
        except OSError as exc:
            raise FormatError(f"{path}: cannot open ({exc.strerror or exc})") from None
        with zf:
            infos = self._safe_members(zf, log)
            root = export_root(i.filename for i in infos)
            if root is None:
                raise FormatError(f"{path}: a zip without users.json and channels.json; "
                                  f"{EXPECTED}")
            by_name = {i.filename: i for i in infos}
            days: dict[str, list[zipfile.ZipInfo]] = {}
            for info in infos:
                rel = info.filename[len(root):] if info.filename.startswith(root) else None
                parts = rel.split("/") if rel is not None else []
                if rel is not None and (rel in _LISTS or rel == "users.json"):
                    continue
                if len(parts) == 2 and _DAY.fullmatch(parts[1]) and parts[0]:
                    days.setdefault(parts[0], []).append(info)
                else:
                    log.note(NOTE_IGNORED)
            users = self._core_list(zf, by_name[root + "users.json"])
            team = self._team(zf, users, days, log)
            sink = ChatSink("slack")
            self._bots = {SLACKBOT}
            self._known = set()
            self._mship = {}
            self._users(users, team, sink, log)
            conversations = self._conversations(zf, by_name, root, log)
            for conv in conversations.values():
                for uid in conv.members:
                    if uid not in self._bots:
                        self._track(f"slack:{team}/{uid}", conv, listed=True)
            done = 0
            for folder in sorted(days):
                conv = conversations.get(folder)
                if conv is None:
                    log.note(NOTE_UNLISTED, len(days[folder]))
                    conv = _Conversation(folder, folder, "channel")
                starters: dict[str, tuple[str | None, bool]] = {}
                for info in sorted(days[folder], key=lambda i: i.filename):
                    self._day(zf, info, conv, team, starters, sink, log)
                    done += info.compress_size
                    if sink.size >= self.batch_rows:
                        if log.progress:
                            log.progress(min(done, total), total)
                        yield sink.take()
            self._memberships(sink)
            if log.progress:
                log.progress(total, total)
            yield sink.take()
            yield sink.take_memberships()

    def _safe_members(self, zf: zipfile.ZipFile, log: ReadLog) -> list[zipfile.ZipInfo]:
        """The zip's files whose names are safe; unsafe ones are rejected, never opened."""
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise FormatError(f"{self.path}: {len(infos):,} zip members, more than the "
                              f"{MAX_MEMBERS:,} a Slack export is read with; not read")
        safe = []
        for info in infos:
            if unsafe_member(info.filename):
                log.reject(0, f"{info.filename}: member name is absolute or contains '..'; "
                              "not opened")
            elif not info.is_dir():
                safe.append(info)
        return safe

    def _core_list(self, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> list[Any]:
        """users.json or channels.json, which the export cannot be read without."""
        try:
            value = _json_member(zf, info)
        except _Unreadable as exc:
            raise FormatError(f"{self.path}: {info.filename}: {exc}; {EXPECTED}") from None
        if not isinstance(value, list):
            raise FormatError(f"{self.path}: {info.filename}: not a JSON array; {EXPECTED}")
        return value

    # -- users and channels ---------------------------------------------------------------
    def _team(self, zf: zipfile.ZipFile, users: list[Any],
              days: dict[str, list[zipfile.ZipInfo]], log: ReadLog) -> str:
        """The workspace's team id: users.json's, else a message's, else the zip's name."""
        teams: Counter[str] = Counter()
        for u in users:
            if isinstance(u, dict):
                profile = u.get("profile") if isinstance(u.get("profile"), dict) else {}
                team = _str(u.get("team_id")) or _str(u.get("team")) or _str(profile.get("team"))
                if team:
                    teams[team] += 1
        if teams:
            return min(teams, key=lambda t: (-teams[t], t))
        infos = sorted((i for group in days.values() for i in group), key=lambda i: i.filename)
        for info in infos[:50]:
            try:
                messages = _json_member(zf, info)
            except _Unreadable:
                continue
            for m in messages if isinstance(messages, list) else ():
                if isinstance(m, dict):
                    team = _str(m.get("team")) or _str(m.get("user_team"))
                    if team:
                        return team
        stem = self.path.name.removesuffix(".zip").removesuffix(".ZIP")
        log.note(f"exports without a team id in users.json or messages (account keys use the "
                 f"zip's name {stem!r} as the team)")
        return stem

    def _users(self, users: list[Any], team: str, sink: ChatSink, log: ReadLog) -> None:
        for i, u in enumerate(users, 1):
            if not isinstance(u, dict):
                log.reject(i, f"users.json, user {i}: not a JSON object")
                continue
            uid = _str(u.get("id"))
            if not uid:
                log.reject(i, f"users.json, user {i}: no 'id'")
                continue
            if u.get("is_bot") is True or uid == SLACKBOT:
                self._bots.add(uid)
                log.note(NOTE_BOT_USERS)
                continue
            profile = u.get("profile") if isinstance(u.get("profile"), dict) else {}
            updated = u.get("updated")
            seen = None
            if isinstance(updated, int) and not isinstance(updated, bool) and updated > 0:
                seen = _EPOCH + timedelta(seconds=updated)
            self._known.add(uid)
            sink.account(
                f"slack:{team}/{uid}", seen, handle=_str(u.get("name")),
                display_name=(_str(u.get("real_name")) or _str(profile.get("real_name"))
                              or _str(profile.get("display_name"))),
                email=_str(profile.get("email")), description=_str(profile.get("title")))

    def _conversations(self, zf: zipfile.ZipFile, by_name: dict[str, zipfile.ZipInfo],
                       root: str, log: ReadLog) -> dict[str, _Conversation]:
        """Folder name -> conversation, from channels.json, groups.json, mpims.json, dms.json."""
        found: dict[str, _Conversation] = {}
        for list_name, kind in _LISTS.items():
            info = by_name.get(root + list_name)
            if info is None:
                continue
            if list_name == "channels.json":
                entries = self._core_list(zf, info)
            else:
                try:
                    entries = _json_member(zf, info)
                except _Unreadable as exc:
                    log.reject(0, f"{info.filename}: {exc}")
                    continue
                if not isinstance(entries, list):
                    log.reject(0, f"{info.filename}: not a JSON array of conversations")
                    continue
            for i, c in enumerate(entries, 1):
                cid = _str(c.get("id")) if isinstance(c, dict) else None
                name = (_str(c.get("name")) or (cid if kind == "dm" else None)) if cid else None
                if not isinstance(c, dict) or not cid or not name:
                    log.reject(i, f"{list_name}, entry {i}: not an object with an 'id' and a "
                                  "'name'")
                    continue
                members = c.get("members")
                members = tuple(m for m in members if _str(m)) if isinstance(members, list) else ()
                found.setdefault(name, _Conversation(cid, name, kind, members))
        return found

    # -- messages -------------------------------------------------------------------------
    def _day(self, zf: zipfile.ZipFile, info: zipfile.ZipInfo, conv: _Conversation, team: str,
             starters: dict[str, tuple[str | None, bool]], sink: ChatSink,
             log: ReadLog) -> None:
        """Read one day file of a conversation."""
        member = info.filename
        try:
            messages = _json_member(zf, info)
        except _Unreadable as exc:
            log.reject(0, f"{member}: {exc}")
            return
        if not isinstance(messages, list):
            log.reject(0, f"{member}: not a JSON array of messages")
            return
        # who started each thread, before any reply of this day is read
        for m in messages:
            if isinstance(m, dict) and isinstance(m.get("ts"), str):
                starters.setdefault(m["ts"], (_author(m), self._classify(m)[0] == "bot"))
        for i, m in enumerate(messages, 1):
            if not isinstance(m, dict):
                log.reject(i, f"{member}, message {i}: not a JSON object")
                continue
            reason = self._message(m, conv, team, starters, sink, log)
            if reason is not None:
                log.reject(i, f"{member}, message {i}: {reason}")

    def _classify(self, m: dict[str, Any]) -> tuple[str, str | None]:
        """What a message is: ("message", None), ("bot", None), ("notice", its subtype) or
        ("event", its type)."""
        mtype = m.get("type")
        if mtype is not None and mtype != "message":
            return "event", str(mtype)
        subtype = m.get("subtype")
        if subtype is not None and subtype != "bot_message" \
                and subtype not in CONVERSATION_SUBTYPES:
            return "notice", str(subtype)
        user = _author(m)
        if (subtype == "bot_message" or (not user and m.get("bot_id"))
                or user in self._bots or isinstance(m.get("bot_profile"), dict)):
            return "bot", None
        return "message", None

    def _message(self, m: dict[str, Any], conv: _Conversation, team: str,
                 starters: dict[str, tuple[str | None, bool]], sink: ChatSink,
                 log: ReadLog) -> str | None:
        """Add one message; return why it is unreadable, or None."""
        kind, what = self._classify(m)
        if kind == "event":
            log.note(f"{what} events skipped (not messages)")
            return None
        if kind == "notice":
            log.note(f"{what} notices skipped (not conversation)")
            user = _str(m.get("user"))
            if user and user not in self._bots and (what in JOIN_SUBTYPES
                                                    or what in LEAVE_SUBTYPES):
                try:
                    when = slack_time(m.get("ts"))
                except ValueError:
                    return None
                self._track(f"slack:{team}/{user}", conv, joined=when if what in JOIN_SUBTYPES
                            else None, left=when if what in LEAVE_SUBTYPES else None)
            return None
        if kind == "bot":
            log.note(NOTE_BOT_MESSAGES)
            return None
        ts = m.get("ts")
        try:
            created = slack_time(ts)
        except ValueError as exc:
            return str(exc)
        user = _author(m)
        if not user:
            return "no 'user' (the author)"
        if m.get("subtype") == "file_comment":
            log.note(NOTE_FILE_COMMENT)
        prefix = f"slack:{team}/"
        author = prefix + user
        if user not in self._known:
            profile = m.get("user_profile")
            if isinstance(profile, dict):
                sink.account(author, created, handle=_str(profile.get("name")),
                             display_name=(_str(profile.get("real_name"))
                                           or _str(profile.get("display_name"))))
            else:
                sink.account(author)
        ties: list[tuple[str, str]] = []
        thread_ts = _str(m.get("thread_ts"))
        is_reply = thread_ts is not None and thread_ts != ts
        if is_reply:
            starter = self._starter(m, thread_ts, starters, log)
            if starter is not None:
                ties.append(("message", prefix + starter))
        if conv.kind == "dm":
            ties += [("message", prefix + u) for u in conv.members
                     if u != user and u not in self._bots]
        text = m.get("text") if isinstance(m.get("text"), str) else None
        mentions = []
        for uid, label in _MENTION.findall(text or ""):
            if uid in self._bots:
                log.note(NOTE_MENTION_BOT)
                continue
            mentions.append(prefix + uid)
            if uid not in self._known and label:
                sink.account(prefix + uid, handle=label)
        post_id = f"{conv.id}/{ts}"
        sink.post(post_id, author, created, text, post_type="reply" if is_reply else "post",
                  parent=f"{conv.id}/{thread_ts}" if is_reply else None,
                  conversation_id=f"{conv.id}/{thread_ts or ts}", contexts=[conv.context],
                  ties=ties, mentions=mentions)
        self._track(author, conv, posted=created)
        log.records += 1
        return None

    def _starter(self, m: dict[str, Any], thread_ts: str,
                 starters: dict[str, tuple[str | None, bool]], log: ReadLog) -> str | None:
        """The user id of a thread reply's starter, or None (with a note) when unknown."""
        found = starters.get(thread_ts)
        starter = _str(m.get("parent_user_id")) or (found[0] if found is not None else None)
        if (found is not None and found[1]) or starter in self._bots:
            log.note(NOTE_REPLY_TO_BOT)
            return None
        if starter is None:
            log.note(NOTE_REPLY_UNKNOWN)
        return starter

    # -- memberships ----------------------------------------------------------------------
    def _track(self, member: str, conv: _Conversation, *, listed: bool = False,
               posted: datetime | None = None, joined: datetime | None = None,
               left: datetime | None = None) -> None:
        """Evidence of membership: [listed, since, last active, last leave]."""
        state = self._mship.setdefault((member, "slack:#" + conv.name), [False, None, None,
                                                                         None])
        state[0] = state[0] or listed
        for when in (posted, joined):
            if when is not None:
                state[1] = when if state[1] is None else min(state[1], when)
                state[2] = when if state[2] is None else max(state[2], when)
        if left is not None:
            state[3] = left if state[3] is None else max(state[3], left)

    def _memberships(self, sink: ChatSink) -> None:
        for (member, group), (listed, since, active, left) in self._mship.items():
            gone = (not listed and left is not None and (active is None or left > active))
            sink.member(member, group, since, left if gone else None)


def _json_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Any:
    """A member's JSON, read in place and bounded by :data:`MAX_MEMBER_BYTES`."""
    limit = MAX_MEMBER_BYTES
    if info.file_size > limit:
        raise _Unreadable(f"{info.file_size:,} bytes uncompressed, more than the limit of "
                          f"{limit:,}; not read")
    try:
        with zf.open(info) as fh:
            data = fh.read(limit + 1)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError,
            RuntimeError, ValueError) as exc:
        raise _Unreadable(f"cannot be read from the zip ({exc})") from None
    if len(data) > limit:
        raise _Unreadable(f"more than the limit of {limit:,} bytes uncompressed; not read")
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise _Unreadable(f"not valid JSON ({exc})") from None


def _author(m: dict[str, Any]) -> str | None:
    """A message's user: ``user``, or for a legacy ``file_comment`` the comment's user."""
    user = _str(m.get("user"))
    if not user and m.get("subtype") == "file_comment" and isinstance(m.get("comment"), dict):
        user = _str(m["comment"].get("user"))
    return user


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
