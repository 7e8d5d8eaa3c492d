"""Readers for every source format, a registry by name, and format sniffing.

Readers turn files into batches of normalized rows; they never write the store
(:meth:`plnanalytics.store.Store.ingest` does, one transaction per file).

Examples
--------
>>> from plnanalytics.ingest import FORMATS
>>> sorted(FORMATS)  # doctest: +NORMALIZE_WHITESPACE
['bluesky', 'discord', 'edgelist', 'groups', 'identities', 'mastodon', 'roster',
 'slack', 'survey', 'tags', 'twarc-csv', 'twarc2', 'twitter-v1']
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import Any

from ..errors import FormatError
from .base import Batch, Reader, ReadLog, Reject, read_head

#: Format name -> "module:ReaderClass", imported on first use.
FORMATS: dict[str, str] = {
    "tags": "tags:TagsReader",
    "twarc2": "twarc2:Twarc2Reader",
    "twarc-csv": "twarc_csv:TwarcCsvReader",
    "twitter-v1": "twitter_v1:TwitterV1Reader",
    "mastodon": "mastodon:MastodonReader",
    "edgelist": "edgelist:EdgelistReader",
    "roster": "roster:RosterReader",
    "identities": "identities:IdentitiesReader",
    "survey": "survey:SurveyReader",
    "slack": "slack:SlackReader",
    "discord": "discord:DiscordReader",
    "groups": "groups:GroupsReader",
    "bluesky": "bluesky:BlueskyReader",
}

#: The order in which formats are tried when sniffing (most specific first). A Slack export is
#: a zip holding users.json and channels.json; a Discord export is a JSON object with guild,
#: channel and messages. A survey is claimed only when its header clearly is one (a
#: respondent column and nominee columns, and no edge-list pair). Group rosters too: only the
#: long form with member and group columns and nothing else (the wide form needs --format
#: groups). A roster is tried last, so it never takes a file another format claims. Identity
#: corrections (account, person_id) come just before it, since a review file also has a
#: roster's id and name columns. Bluesky is claimed only for at:// post URIs with records.
#: Mastodon: statuses (uri, account, content) or a /context response.
_SNIFF_ORDER = ("slack", "discord", "bluesky", "twarc2", "twitter-v1", "mastodon", "tags",
                "twarc-csv", "edgelist",
                "survey", "groups", "identities", "roster")


def reader_class(fmt: str) -> type[Reader]:
    """The reader class registered for a format name.

    Raises
    ------
    FormatError
        For an unknown format, listing the known ones.
    """
    if fmt not in FORMATS:
        raise FormatError(f"unknown format {fmt!r}; expected one of auto, {', '.join(FORMATS)}")
    module, cls = FORMATS[fmt].split(":")
    return getattr(import_module(f"{__name__}.{module}"), cls)


def sniff(path: str | Path) -> str:
    """Guess the format of a file from its name and first bytes.

    Raises
    ------
    FormatError
        When the file is empty, unreadable, or like none of the known formats.
    """
    p = Path(path)
    if not p.is_file():
        raise FormatError(f"{p}: no such file")
    head = read_head(p)
    if not head.strip():
        raise FormatError(f"{p}: the file is empty")
    for fmt in _SNIFF_ORDER:
        if reader_class(fmt).sniff(p, head):
            return fmt
    raise FormatError(
        f"{p}: cannot tell its format; expected one of {', '.join(FORMATS)} "
        "(name it with --format)"
    )


def open_reader(path: str | Path, fmt: str = "auto", **options: Any) -> Reader:
    """A reader for ``path``, sniffing the format when ``fmt`` is ``"auto"``.

    Options that do not apply to the format raise :class:`~plnanalytics.errors.OptionError`.
    """
    p = Path(path)
    if not p.exists():
        raise FormatError(f"{p}: no such file")
    if p.is_dir():
        raise FormatError(f"{p}: is a folder, expected a file")
    name = sniff(p) if fmt in (None, "auto") else fmt
    return reader_class(name)(p, **options)


__all__ = ["FORMATS", "Batch", "ReadLog", "Reader", "Reject", "open_reader", "reader_class",
           "sniff"]
