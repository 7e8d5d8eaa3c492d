"""The normalized tables: the contract between ingest and everything after it.

Six tables hold every kind of educator connection data (see ``DESIGN.md``). Each is
described once here, by a :class:`Table` of :class:`Column` objects, and that single
description yields the DuckDB DDL, the pandas dtypes and the validation of data frames
built by hand in a notebook.

Keys are strings. An account key is ``platform:native_id`` (``x:12345``); native ids,
never handles, because handles change. All times are timezone-aware UTC.

Examples
--------
>>> from plnanalytics.schema import TABLES, validate
>>> TABLES["interactions"].key
('platform', 'post_id', 'kind', 'dst')
>>> import pandas as pd
>>> df = validate("interactions", pd.DataFrame({
...     "platform": ["x"], "kind": ["reply"], "src": ["x:1"], "dst": ["x:2"],
...     "ts": ["2024-01-09T20:00:00Z"], "post_id": ["10"]}))
>>> df.loc[0, "ts"]
Timestamp('2024-01-09 20:00:00+0000', tz='UTC')
>>> float(df.loc[0, "weight"])
1.0
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from .errors import SchemaError

LogicalType = Literal["string", "timestamp", "float", "int", "bool", "strings"]

_DUCKDB_TYPES: dict[str, str] = {
    "string": "VARCHAR",
    "timestamp": "TIMESTAMPTZ",
    "float": "DOUBLE",
    "int": "BIGINT",
    "bool": "BOOLEAN",
    "strings": "VARCHAR[]",
}

#: Interaction kinds named in DESIGN.md. Survey relations may add their own names.
INTERACTION_KINDS = ("reply", "mention", "retweet", "quote", "message", "comember", "advice")

#: Post types: an original post, a reply, a retweet (boost, repost) or a quote.
POST_TYPES = ("post", "reply", "retweet", "quote")


@dataclass(frozen=True)
class Column:
    """One column of a normalized table.

    Parameters
    ----------
    name : str
        Column name.
    type : {"string", "timestamp", "float", "int", "bool", "strings"}
        Logical type; ``strings`` is a list of strings (hashtags, channels).
    required : bool
        Whether a frame must provide the column (optional ones are added as missing).
    nullable : bool
        Whether missing values are allowed.
    doc : str
        What the column holds, in one line.
    """

    name: str
    type: LogicalType
    required: bool = False
    nullable: bool = True
    doc: str = ""

    @property
    def duckdb_type(self) -> str:
        """The DuckDB column type."""
        return _DUCKDB_TYPES[self.type]


@dataclass(frozen=True)
class Table:
    """A normalized table: its columns, its key and what it is for."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    doc: str = ""
    by_name: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {c.name: c for c in self.columns})

    @property
    def names(self) -> list[str]:
        """Column names in order."""
        return [c.name for c in self.columns]

    def ddl(self, name: str | None = None, *, temporary: bool = False) -> str:
        """``CREATE TABLE`` statement for DuckDB.

        Examples
        --------
        >>> print(TABLES["identities"].ddl())  # doctest: +NORMALIZE_WHITESPACE
        CREATE TABLE IF NOT EXISTS identities ("account" VARCHAR, "person_id" VARCHAR,
        "method" VARCHAR, "confidence" DOUBLE, "ingest_id" BIGINT)
        """
        cols = ", ".join(f'"{c.name}" {c.duckdb_type}' for c in self.columns)
        temp = "TEMPORARY " if temporary else ""
        return f"CREATE {temp}TABLE IF NOT EXISTS {name or self.name} ({cols})"

    def empty_frame(self) -> pd.DataFrame:
        """An empty data frame with this table's columns and dtypes."""
        return pd.DataFrame({c.name: _empty_series(c) for c in self.columns})


def _c(name: str, type_: LogicalType, doc: str, *, required: bool = False,
       nullable: bool = True) -> Column:
    return Column(name, type_, required=required, nullable=nullable, doc=doc)


_INGEST = _c("ingest_id", "int", "the ingest that first stored the row (see Store.ingests())")

POSTS = Table(
    "posts",
    (
        _c("post_id", "string", "native post id (tweet id, status id, record key)",
           required=True, nullable=False),
        _c("platform", "string", "x, mastodon, bluesky, slack, ...", required=True,
           nullable=False),
        _c("author", "string", "account key of the author (platform:native_id)", required=True,
           nullable=False),
        _c("created_at", "timestamp", "when it was posted (UTC)", required=True),
        _c("text", "string", "full text as the source gives it"),
        _c("lang", "string", "language code given by the source"),
        _c("post_type", "string", "post, reply, retweet or quote"),
        _c("parent_post_id", "string", "the post replied to"),
        _c("conversation_id", "string", "thread or conversation id"),
        _c("repost_of", "string", "the post retweeted, boosted or reposted"),
        _c("quote_of", "string", "the post quoted"),
        _c("contexts", "strings", "hashtags (lowercase, with #) or channels"),
        _c("url", "string", "link to the post"),
        _INGEST,
    ),
    key=("platform", "post_id"),
    doc="One row per post (tweet, toot, skeet, chat message).",
)

INTERACTIONS = Table(
    "interactions",
    (
        _c("platform", "string", "platform of both ends", required=True, nullable=False),
        _c("kind", "string", "reply, mention, retweet, quote, message, comember, advice, ...",
           required=True, nullable=False),
        _c("src", "string", "account or person key of the one who acts", required=True,
           nullable=False),
        _c("dst", "string", "account or person key of the one acted upon", required=True,
           nullable=False),
        _c("ts", "timestamp", "when it happened (UTC), if known"),
        _c("weight", "float", "strength; 1 for a single post-derived interaction"),
        _c("context", "string", "hashtags of the post, channel, or survey question"),
        _c("post_id", "string", "the post carrying it, or a stable record key for other sources",
           required=True, nullable=False),
        _INGEST,
    ),
    key=("platform", "post_id", "kind", "dst"),
    doc="One row per directed tie-forming act (a reply, a mention, a survey nomination...).",
)

ACCOUNTS = Table(
    "accounts",
    (
        _c("account", "string", "account key platform:native_id", required=True, nullable=False),
        _c("platform", "string", "platform", required=True, nullable=False),
        _c("handle", "string", "handle or username when last seen (handles change)"),
        _c("display_name", "string", "display name when last seen"),
        _c("email", "string", "email address, when the source gives one (Slack profiles)"),
        _c("description", "string", "profile text"),
        _c("location", "string", "profile location"),
        _c("followers_count", "int", "followers when last seen"),
        _c("following_count", "int", "accounts followed when last seen"),
        _c("post_count", "int", "posts ever made, when last seen"),
        _c("verified", "bool", "verified flag"),
        _c("account_created_at", "timestamp", "when the account was created"),
        _c("profile_seen_at", "timestamp", "time of the observation the profile comes from"),
        _INGEST,
    ),
    key=("account",),
    doc="One row per account; profile fields from the latest observation.",
)

PEOPLE = Table(
    "people",
    (
        _c("person_id", "string", "roster id", required=True, nullable=False),
        _c("name", "string", "full name"),
        _c("email", "string", "email address"),
        _c("role", "string", "principal, assistant principal, coach, ..."),
        _c("organization", "string", "district or association"),
        _c("unit", "string", "school"),
        _c("attributes", "string", "any other roster columns, as a JSON object"),
        _INGEST,
    ),
    key=("person_id",),
    doc="One row per person on a roster (the people who should be in the network).",
)

IDENTITIES = Table(
    "identities",
    (
        _c("account", "string", "account key", required=True, nullable=False),
        _c("person_id", "string", "person it belongs to", required=True, nullable=False),
        _c("method", "string", "explicit, email, handle or fuzzy"),
        _c("confidence", "float", "0..1"),
        _INGEST,
    ),
    key=("account", "person_id"),
    doc="Links between accounts and people.",
)

#: Identity methods that record a person's decision (``pln ingest links.csv --format
#: identities``): a restated decision replaces the stored one, so the latest always counts.
CORRECTION_METHODS = ("manual", "rejected")

MEMBERSHIPS = Table(
    "memberships",
    (
        _c("member", "string", "account or person key", required=True, nullable=False),
        _c("group", "string", "group, channel, PLC or cohort", required=True, nullable=False),
        _c("role", "string", "member, moderator, facilitator, ..."),
        _c("since", "timestamp", "start of membership"),
        _c("until", "timestamp", "end of membership"),
        _INGEST,
    ),
    key=("member", "group"),
    doc="Affiliations: who belongs to which group.",
)

#: Account fields that describe a profile; the store keeps each field's latest known value.
PROFILE_FIELDS = tuple(c.name for c in ACCOUNTS.columns
                       if c.name not in ("account", "platform", "profile_seen_at", "ingest_id"))

#: The six normalized tables by name, in dependency order.
TABLES: dict[str, Table] = {
    t.name: t for t in (POSTS, INTERACTIONS, ACCOUNTS, PEOPLE, IDENTITIES, MEMBERSHIPS)
}

#: A time of day followed by a zone: ``...10:00Z``, ``...10:00:00+02:00``, ``...10:00 -0500``.
_OFFSET = re.compile(r"\d:\d\d(:\d\d(\.\d+)?)?\s*(Z|[+-]\d\d(:?\d\d)?)$", re.IGNORECASE)


def _empty_series(col: Column) -> pd.Series:
    return pd.Series([], dtype=_pandas_dtype(col))


def _pandas_dtype(col: Column) -> object:
    return {
        "string": object,
        "timestamp": "datetime64[us, UTC]",
        "float": "float64",
        "int": "Int64",
        "bool": "boolean",
        "strings": object,
    }[col.type]


def validate(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Check and coerce a data frame to a normalized table.

    Missing optional columns are added as missing values; unknown extra columns are kept
    (researchers may carry their own). Ids are strings (integer ids are converted, float
    ids are refused because they have lost digits); times become UTC and naive times are
    refused, since their zone is unknown.

    Parameters
    ----------
    table : str
        One of :data:`TABLES`.
    frame : pandas.DataFrame
        The data.

    Returns
    -------
    pandas.DataFrame
        A new frame with the schema's columns first, in order, and its dtypes.

    Raises
    ------
    SchemaError
        With the table, the column and what was expected.

    Examples
    --------
    >>> import pandas as pd
    >>> validate("posts", pd.DataFrame({"post_id": [1], "platform": ["x"], "author": ["x:9"],
    ...                                 "created_at": ["2024-01-01 10:00"]}))
    Traceback (most recent call last):
    ...
    plnanalytics.errors.SchemaError: posts.created_at: time '2024-01-01 10:00' has no time zone; \
give an offset such as 'Z' or '+00:00', or localize the column first
    """
    if table not in TABLES:
        raise SchemaError(f"unknown table {table!r}; expected one of {', '.join(TABLES)}")
    spec = TABLES[table]
    if not isinstance(frame, pd.DataFrame):
        raise SchemaError(f"{table}: expected a pandas DataFrame, got {type(frame).__name__}")
    missing = [c.name for c in spec.columns if c.required and c.name not in frame.columns]
    if missing:
        raise SchemaError(f"{table}: missing required column(s) {', '.join(missing)}")
    n = len(frame)
    out: dict[str, pd.Series] = {}
    for col in spec.columns:
        if col.name in frame.columns:
            series = _coerce(table, col, frame[col.name].reset_index(drop=True))
        elif col.type == "strings":
            series = pd.Series([[] for _ in range(n)], dtype=object)
        else:
            series = pd.Series([None] * n, dtype=_pandas_dtype(col))
        if col.name == "weight":  # a tie without a weight counts once
            series = series.fillna(1.0)
        if not col.nullable and n and series.isna().any():
            row = int(np.flatnonzero(series.isna().to_numpy())[0])
            raise SchemaError(f"{table}.{col.name}: missing value in row {row}; it is required")
        out[col.name] = series
    result = pd.DataFrame(out)
    extra = [c for c in frame.columns if c not in spec.by_name]
    for name in extra:
        result[name] = frame[name].reset_index(drop=True)
    return result


def _coerce(table: str, col: Column, s: pd.Series) -> pd.Series:
    where = f"{table}.{col.name}"
    if col.type == "string":
        return _coerce_string(where, s)
    if col.type == "timestamp":
        return _coerce_time(where, s)
    if col.type == "float":
        try:
            return pd.to_numeric(s, errors="raise").astype("float64")
        except (TypeError, ValueError) as exc:
            raise SchemaError(f"{where}: expected numbers ({exc})") from None
    if col.type == "int":
        try:
            return pd.to_numeric(s, errors="raise").astype("Int64")
        except (TypeError, ValueError) as exc:
            raise SchemaError(f"{where}: expected whole numbers ({exc})") from None
    if col.type == "bool":
        try:
            return s.astype("boolean")
        except (TypeError, ValueError) as exc:
            raise SchemaError(f"{where}: expected true/false ({exc})") from None
    # list of strings
    def as_list(v: object) -> object:
        if type(v) is list and all(type(x) is str for x in v):
            return v  # already a list of strings (as the store gives them): kept, not copied
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return []
        if isinstance(v, str):
            return [v]
        try:
            return [str(x) for x in v]  # type: ignore[union-attr]
        except TypeError:
            raise SchemaError(f"{where}: expected a list of strings, got {v!r}") from None
    return pd.Series([as_list(v) for v in s], dtype=object)


def _coerce_string(where: str, s: pd.Series) -> pd.Series:
    if pd.api.types.is_float_dtype(s.dtype) and s.notna().any():
        raise SchemaError(
            f"{where}: got floating-point numbers; ids must be strings (floats lose digits of "
            "long ids such as tweet ids: read the column as text, e.g. dtype=str)"
        )
    values = s.astype(object).where(s.notna(), None)
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        return values.reset_index(drop=True)  # text already (checked in C, not per row)
    bad = [v for v in values if v is not None and not isinstance(v, (str, int, np.integer))]
    if bad:
        raise SchemaError(f"{where}: expected text, got {type(bad[0]).__name__} {bad[0]!r}")
    return pd.Series([None if v is None else str(v) for v in values], dtype=object)


def _coerce_time(where: str, s: pd.Series) -> pd.Series:
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        return s.dt.tz_convert("UTC").astype("datetime64[us, UTC]")
    if pd.api.types.is_datetime64_dtype(s.dtype):
        raise SchemaError(
            f"{where}: times have no time zone; localize them first, "
            "e.g. frame[col].dt.tz_localize('UTC')"
        )
    values = s.astype(object).where(s.notna(), None)
    for v in values:
        if v is None:
            continue
        if isinstance(v, str):
            if not _OFFSET.search(v.strip()):
                raise SchemaError(
                    f"{where}: time {v!r} has no time zone; give an offset such as 'Z' or "
                    "'+00:00', or localize the column first"
                )
        elif isinstance(v, pd.Timestamp | np.datetime64) or hasattr(v, "tzinfo"):
            if getattr(v, "tzinfo", None) is None:
                raise SchemaError(f"{where}: time {v!r} has no time zone; localize it first")
        else:
            raise SchemaError(f"{where}: expected a time, got {type(v).__name__} {v!r}")
    try:
        parsed = pd.to_datetime(values, utc=True, format="ISO8601")
    except (TypeError, ValueError) as exc:
        raise SchemaError(f"{where}: cannot read times ({exc})") from None
    return pd.Series(parsed, dtype="datetime64[us, UTC]")
