"""What every ingester shares: the reader interface, the reject log and row buffers.

A reader turns one file into batches of normalized rows (:class:`Batch`), never touching
the store. Bad records go to a :class:`ReadLog`, which counts them and keeps their line
and reason; in strict mode the first one raises :class:`~plnanalytics.errors.RecordError`.

Examples
--------
>>> log = ReadLog("chat.jsonl")
>>> log.reject(3, "not JSON")
>>> log.rejected, log.rejects[0]
(1, Reject(line=3, reason='not JSON'))
>>> ReadLog("chat.jsonl", strict=True).reject(3, "not JSON")
Traceback (most recent call last):
...
plnanalytics.errors.RecordError: chat.jsonl, line 3: not JSON
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, ClassVar, NamedTuple

import numpy as np
import pyarrow as pa

from ..errors import FormatError, OptionError, RecordError
from ..schema import TABLES, Column

#: progress(done, total): bytes of the file read so far and its size.
ProgressCallback = Callable[[int, int], None]

#: How many rejected records are kept with their reasons (all are counted).
MAX_REJECT_DETAILS = 10_000


class Reject(NamedTuple):
    """One unreadable record: where it is and why it was skipped."""

    line: int
    reason: str


@dataclass
class ReadLog:
    """Counts of what a reader saw, and the records it had to skip.

    Parameters
    ----------
    path : str
        The file, as the user named it (used in messages).
    strict : bool
        Raise on the first bad record instead of skipping it.
    progress : callable, optional
        Called as ``progress(bytes_done, bytes_total)``.
    """

    path: str
    strict: bool = False
    progress: ProgressCallback | None = None
    records: int = 0
    rejected: int = 0
    rejects: list[Reject] = field(default_factory=list)
    notes: Counter[str] = field(default_factory=Counter)

    def reject(self, line: int, reason: str) -> None:
        """Record a bad record (or raise in strict mode)."""
        if self.strict:
            raise RecordError(self.path, line, reason)
        self.rejected += 1
        if len(self.rejects) < MAX_REJECT_DETAILS:
            self.rejects.append(Reject(line, reason))

    def note(self, message: str, n: int = 1) -> None:
        """Count something worth telling that is not an error (e.g. a quote of a deleted post)."""
        self.notes[message] += n

    def require_some(self, what: str, expected: str) -> None:
        """Raise a :class:`FormatError` when every record was rejected: the file is then
        not what its format expects, and the first reject says why.

        Examples
        --------
        >>> log = ReadLog("feed.json")
        >>> log.reject(1, "no 'uri'")
        >>> log.require_some("Bluesky post", "a searchPosts response")
        Traceback (most recent call last):
        ...
        plnanalytics.errors.FormatError: feed.json: no Bluesky post could be read (expected \
a searchPosts response; line 1: no 'uri')
        """
        if self.records or not self.rejected:
            return
        first = self.rejects[0] if self.rejects else None
        where = f"; line {first.line}: {first.reason}" if first else ""
        raise FormatError(f"{self.path}: no {what} could be read (expected {expected}{where})")


_ARROW_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "timestamp": pa.timestamp("us", tz="UTC"),
    "float": pa.float64(),
    "int": pa.int64(),
    "bool": pa.bool_(),
    "strings": pa.list_(pa.string()),
}


def arrow_type(col: Column) -> pa.DataType:
    """The Arrow type used to move a column into DuckDB."""
    return _ARROW_TYPES[col.type]


class Batch:
    """Rows of normalized tables, accumulated as tuples and shipped to the store as Arrow.

    Rows are tuples in the table's column order without the trailing ``ingest_id``,
    which the store fills in.

    Examples
    --------
    >>> b = Batch()
    >>> b.add("memberships", ("x:1", "#naespchat", None, None, None))
    >>> b.size, b.to_arrow("memberships").num_rows
    (1, 1)
    """

    def __init__(self) -> None:
        self.rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in TABLES}

    def add(self, table: str, row: tuple[Any, ...]) -> None:
        """Append one row to a table."""
        self.rows[table].append(row)

    @property
    def size(self) -> int:
        """Rows held, over all tables."""
        return sum(len(r) for r in self.rows.values())

    def to_arrow(self, table: str) -> pa.Table:
        """The rows of one table as an Arrow table with the schema's types."""
        cols = [c for c in TABLES[table].columns if c.name != "ingest_id"]
        rows = self.rows[table]
        arrays = []
        columns = list(zip(*rows, strict=True)) if rows else [()] * len(cols)
        for col, values in zip(cols, columns, strict=True):
            arrays.append(pa.array(values, type=arrow_type(col)))
        return pa.Table.from_arrays(arrays, names=[c.name for c in cols])


class NotFast(Exception):
    """Raised by a fast path that cannot take this file (it is then read record by record)."""


class LineChunk(NamedTuple):
    """Consecutive lines of a file as an Arrow table ``(line_no, line)``, for DuckDB."""

    table: pa.Table
    lines: int
    end: int


#: Bytes of a file handed to DuckDB at a time by :func:`line_chunks`; bounds memory.
CHUNK_BYTES = 64 << 20


def line_chunks(path: Path, chunk_bytes: int | None = None) -> Iterator[LineChunk]:
    """Read a text file in chunks of whole lines, each an Arrow table without a copy per line.

    ``line_no`` is 1-based; lines keep their line break. Each table is split into record
    batches of about 1 MB so DuckDB can work on them in parallel.

    Raises
    ------
    NotFast
        When a chunk is not valid UTF-8.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "x.jsonl"
    >>> _ = path.write_bytes(b'{"a": 1}\\n\\n{"a": 2}\\n')
    >>> [c.table.to_pydict() for c in line_chunks(path)]
    [{'line_no': [1, 2, 3], 'line': ['{"a": 1}\\n', '\\n', '{"a": 2}\\n']}]
    """
    chunk_bytes = chunk_bytes or CHUNK_BYTES
    first = 1
    carry = b""
    with open_binary(path) as fh:
        while True:
            # read into a fresh buffer after the partial line carried from the last chunk
            buf = bytearray(len(carry) + chunk_bytes)
            buf[:len(carry)] = carry
            got = fh.readinto(memoryview(buf)[len(carry):])
            size = len(carry) + got
            if not size:
                return
            last = buf.rfind(b"\n", 0, size) + 1 if got else size
            if last == 0:  # a line longer than the chunk: read on
                carry = bytes(buf[:size])
                chunk_bytes *= 2
                continue
            carry = bytes(buf[last:size])
            ends, pos = [], 0
            while pos < last:
                pos = buf.find(b"\n", pos, last) + 1 or last
                ends.append(pos)
            offsets = np.array([0, *ends], dtype=np.int64)
            n = len(ends)
            lines = pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(buf))
            try:
                lines.validate(full=True)
            except pa.ArrowInvalid:
                raise NotFast(f"{path}: not UTF-8 near line {first}") from None
            numbers = pa.array(np.arange(first, first + n, dtype=np.int64))
            step = max(1, n * (1 << 20) // last)
            batches = [pa.record_batch([numbers.slice(i, step), lines.slice(i, step)],
                                       names=["line_no", "line"]) for i in range(0, n, step)]
            yield LineChunk(pa.Table.from_batches(batches), n, raw_position(fh) - len(carry))
            first += n


@dataclass
class FastPath:
    """A vectorized way to read a well-formed file inside DuckDB, chunk by chunk.

    A reader may offer one (see :meth:`Reader.fast_path`). For each chunk of
    :meth:`chunks`, registered in DuckDB as the view ``_chunk``, the store runs
    ``per_chunk``, then ``check`` (a query returning one row per reason this file is not
    clean), then appends each query of ``tables`` to that table's staged rows. Any reason,
    :class:`NotFast` or DuckDB error makes the store roll back and read the file record by
    record with :meth:`Reader.batches`, which names every bad record. A clean file gives
    exactly the rows :meth:`Reader.batches` would give (tests hold the two paths equal).
    Memory is bounded by the chunk, not the file.

    Attributes
    ----------
    chunks : callable
        Returns an iterator of :class:`LineChunk`.
    per_chunk : list of str
        Statements that read ``_chunk`` into temporary tables.
    tables : dict
        Table name -> SELECT giving this chunk's rows, in the schema's column order without
        ``ingest_id``.
    records : str
        Query returning the number of records in the chunk.
    check : str
        Query returning reasons (one column, one row each) why the fast path must not be used.
    notes : dict
        Note message -> query returning its count in the chunk.
    cleanup : list of str
        Statements that drop the temporary tables.
    """

    chunks: Callable[[], Iterator[LineChunk]]
    per_chunk: list[str]
    tables: dict[str, str]
    records: str
    check: str
    notes: dict[str, str] = field(default_factory=dict)
    cleanup: list[str] = field(default_factory=list)


class Reader(ABC):
    """Reads one file of a given format into batches of normalized rows.

    Subclasses set :attr:`format`, :attr:`description` and :attr:`unit`, accept their
    options as keyword arguments (unknown ones raise :class:`OptionError`), and implement
    :meth:`sniff` and :meth:`batches`.
    """

    #: The name used with ``--format``.
    format: ClassVar[str]
    #: One line on what the format is, used in errors and ``pln ingest --help``.
    description: ClassVar[str]
    #: What one record is ("posts", "rows").
    unit: ClassVar[str] = "posts"
    #: The table whose new rows count as kept records.
    primary_table: ClassVar[str] = "posts"
    #: Options this reader accepts.
    option_names: ClassVar[tuple[str, ...]] = ()
    #: Rows per batch handed to the store; bounds memory.
    batch_rows: int = 50_000

    def __init__(self, path: str | Path, **options: Any) -> None:
        self.path = Path(path)
        unknown = {k for k, v in options.items() if v is not None} - set(self.option_names)
        if unknown:
            allowed = ", ".join(self.option_names) or "none"
            raise OptionError(
                f"option(s) {', '.join(sorted(unknown))} do not apply to --format {self.format} "
                f"(its options: {allowed})"
            )
        self.options = {k: v for k, v in options.items() if v is not None}

    @classmethod
    @abstractmethod
    def sniff(cls, path: Path, head: bytes) -> bool:
        """Whether a file whose first bytes are ``head`` looks like this format."""

    @abstractmethod
    def batches(self, log: ReadLog) -> Iterator[Batch]:
        """Yield batches of rows; bad records go to ``log``."""

    def fast_path(self) -> FastPath | None:
        """A vectorized DuckDB reading of this file, or None (the default) to use batches."""
        return None


def open_binary(path: Path) -> IO[bytes]:
    """Open a file for reading bytes, transparently decompressing ``.gz``.

    Raises :class:`FormatError` naming the file when it cannot be opened.
    """
    try:
        if path.suffix == ".gz":  # given a name, GzipFile closes the file it opened
            return gzip.GzipFile(filename=path, mode="rb")
        return open(path, "rb")
    except OSError as exc:
        raise FormatError(f"{path}: cannot open ({exc.strerror or exc})") from None


def raw_position(fh: IO[bytes]) -> int:
    """Bytes consumed from the file on disk (the compressed position for ``.gz``)."""
    inner = getattr(fh, "fileobj", None)
    try:
        return (inner or fh).tell()
    except (OSError, ValueError):
        return 0


def sql_literal(value: str | Path) -> str:
    """A string as a quoted SQL literal.

    Examples
    --------
    >>> print(sql_literal("it's.jsonl"))
    'it''s.jsonl'
    """
    return "'" + str(value).replace("'", "''") + "'"


def read_head(path: Path, size: int = 65536) -> bytes:
    """The first ``size`` bytes of a file (decompressed), for sniffing."""
    with open_binary(path) as fh:
        try:
            return fh.read(size)
        except (OSError, EOFError) as exc:
            raise FormatError(f"{path}: cannot read ({exc})") from None


def text_lines(fh: IO[bytes], encoding: str = "utf-8-sig") -> io.TextIOWrapper:
    """Wrap a binary file for the csv module (universal newlines, BOM removed)."""
    return io.TextIOWrapper(fh, encoding=encoding, errors="strict", newline="")


def text_suffix(path: Path) -> str:
    """The suffix that names a file's format, lowercase, ignoring ``.gz``.

    Examples
    --------
    >>> text_suffix(Path("advice.TSV.gz"))
    '.tsv'
    """
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    return suffixes[-1] if suffixes else ""


def first_line(text: str) -> str | None:
    """The first line of ``text`` that is not blank."""
    for line in text.splitlines():
        if line.strip():
            return line
    return None


def guess_delimiter(suffix: str, header_line: str) -> str:
    """Tab for .tsv; otherwise the most frequent of , tab ; | in the header line.

    Examples
    --------
    >>> guess_delimiter(".csv", "ego;alter;weight")
    ';'
    """
    if suffix == ".tsv":
        return "\t"
    preferred = "," if suffix == ".csv" else "\t"
    counts = {d: header_line.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=lambda d: (counts[d], d == preferred))
    return best if counts[best] else preferred


def delimited_header(path: Path, head: bytes) -> tuple[list[str], str] | None:
    """The column names and the delimiter of a ``.csv`` or ``.tsv`` file (also gzipped),
    read from the first non-blank line of ``head``; None for other files (for sniffing).

    Examples
    --------
    >>> delimited_header(Path("roster.csv"), b"\\xef\\xbb\\xbfperson_id;name\\r\\nP1;Ann")
    (['person_id', 'name'], ';')
    """
    suffix = text_suffix(path)
    if suffix not in (".csv", ".tsv"):
        return None
    line = first_line(head.decode("utf-8-sig", errors="replace"))
    if line is None:
        return None
    delimiter = guess_delimiter(suffix, line)
    try:
        return next(csv.reader([line], delimiter=delimiter)), delimiter
    except (csv.Error, StopIteration):
        return None


def find_column(header: list[str], name: object) -> int | None:
    """Position of the column ``name`` in a header: exact (ignoring surrounding spaces) first,
    then case-insensitive; None when absent.

    Examples
    --------
    >>> find_column(["Ego", " Alter "], "alter"), find_column(["Ego"], "weight")
    (1, None)
    """
    wanted = str(name).strip()
    stripped = [h.strip() for h in header]
    if wanted in stripped:
        return stripped.index(wanted)
    lowered = [h.lower() for h in stripped]
    return lowered.index(wanted.lower()) if wanted.lower() in lowered else None


#: Fractions of a second beyond microseconds (Bluesky writes nanoseconds).
_LONG_FRACTION = re.compile(r"(\.\d{6})\d+")


def time_option(value: str | datetime | None) -> datetime | None:
    """A ``--since`` or ``--until`` value as a UTC datetime (None for None or "").

    ISO 8601 text or a datetime; a date means midnight, and a time without a zone is UTC.

    Raises
    ------
    ValueError
        When the value is not a time (callers word the error for their option).

    Examples
    --------
    >>> time_option("2024-01-09 15:00-05:00").isoformat()
    '2024-01-09T20:00:00+00:00'
    >>> time_option("2024-01-09").isoformat(), time_option("")
    ('2024-01-09T00:00:00+00:00', None)
    """
    import pandas as pd

    if value is None or value == "":
        return None
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise ValueError(f"{value!r} is not a time") from None
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    return ts.to_pydatetime()


def parse_iso_utc(value: object, what: str = "time") -> datetime:
    """An ISO 8601 time that carries its zone (``Z`` or an offset), in UTC.

    Fractions finer than a microsecond are cut. Used by the readers of API responses
    (Mastodon, Bluesky, Discord), whose times always name their zone.

    Raises
    ------
    ValueError
        Naming ``what``, when the value is not text, not ISO 8601, or has no UTC offset.

    Examples
    --------
    >>> parse_iso_utc("2025-07-04T03:02:14-05:00").isoformat()
    '2025-07-04T08:02:14+00:00'
    >>> parse_iso_utc("2025-07-04T08:19:23.271896123Z").microsecond
    271896
    >>> parse_iso_utc("2025-07-04T08:19:23", "timestamp")
    Traceback (most recent call last):
    ...
    ValueError: timestamp '2025-07-04T08:19:23' has no UTC offset
    """
    if not isinstance(value, str):
        raise ValueError(f"no {what}" if value is None else f"{what} {value!r} is not a time")
    try:
        dt = datetime.fromisoformat(_LONG_FRACTION.sub(r"\1", value.strip()))
    except ValueError:
        raise ValueError(f"{what} {value!r} is not an ISO 8601 time") from None
    if dt.tzinfo is None:
        raise ValueError(f"{what} {value!r} has no UTC offset")
    return dt.astimezone(UTC)
