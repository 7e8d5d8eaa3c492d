"""Generic edge lists: a CSV or TSV file with one tie a row and a header row.

The two ends of each tie come from ``src_col`` and ``dst_col`` or, when not given, from the
first pair of columns found (case-insensitive) among ``source``/``target``, ``src``/``dst``,
``from``/``to``, ``ego``/``alter`` and ``sender``/``receiver``. Each end becomes the account
``<platform>:<value>`` (a value already starting with ``<platform>:`` is kept as the key and
then has no handle; otherwise its handle is the value). Optional columns give the weight
(``weight_col``: empty means 1, negative or non-numeric rows are rejected), the time
(``time_col``: ISO 8601, ``YYYY/MM/DD``, US ``MM/DD/YYYY``, ``DD.MM.YYYY``, RFC 2822, the
Twitter v1.1 form or Unix seconds/milliseconds; a time without a zone is read as UTC and
counted in a note) and the context (``context_col``: a survey question, a channel...).

Every row is one interaction of kind ``kind`` (default ``tie``) whose ``post_id`` is a stable
row key, ``row:<sha1 of platform|kind|src|dst|ts|context, 20 hex digits>:<k>``, where ``k``
counts the identical rows before it in the same file. So re-ingesting the file, or an
overlapping export holding the same rows, adds nothing twice, while two identical rows in
one file stay two interactions. (Numbering repeats keeps one 10-byte digest per distinct
row in memory; everything else is bounded by the batch.)

Self-loops (both ends the same) are not edges: they are skipped, counted in the note
``self-loops skipped`` and not counted as records, so that the report's records are the
rows that became interactions (records = kept + duplicates). Their one account is still
recorded, since the row shows that it exists.

Examples
--------
>>> import tempfile, pathlib
>>> from plnanalytics.ingest.base import ReadLog
>>> path = pathlib.Path(tempfile.mkdtemp()) / "advice.csv"
>>> _ = path.write_text("Ego,Alter,Weight\\nann,bo,2\\nbo,ann,\\nann,ann,1\\n")
>>> log = ReadLog(str(path))
>>> batch = next(EdgelistReader(path, kind="advice", weight_col="weight").batches(log))
>>> [(r[1], r[2], r[3], r[5]) for r in batch.rows["interactions"]]
[('advice', 'edgelist:ann', 'edgelist:bo', 2.0), ('advice', 'edgelist:bo', 'edgelist:ann', 1.0)]
>>> log.records, dict(log.notes)
(2, {'self-loops skipped': 1})
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import math
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from ..errors import FormatError, OptionError
from .base import (
    Batch,
    Reader,
    ReadLog,
    delimited_header,
    find_column,
    first_line,
    guess_delimiter,
    open_binary,
    raw_position,
    read_head,
    text_lines,
    text_suffix,
)
from .sheets import strict_header
from .tweets import parse_twitter_time

#: Column pairs tried, in order, when ``src_col``/``dst_col`` are not given.
DEFAULT_PAIRS: tuple[tuple[str, str], ...] = (
    ("source", "target"), ("src", "dst"), ("from", "to"), ("ego", "alter"),
    ("sender", "receiver"),
)

#: Non-ISO time layouts tried in order (the last one that worked is tried first).
_TIME_FORMATS = (
    "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d",
    "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y",
    "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p",
    "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y",
)
_EPOCH = re.compile(r"^\d{10}(\d{3})?(\.\d+)?$")
_NAIVE_NOTE = "times without a time zone read as UTC"


def parse_time(value: str, formats: list[str] | None = None) -> tuple[datetime, bool]:
    """Parse a time to an aware UTC datetime; also say whether it had no time zone.

    Parameters
    ----------
    value : str
        ISO 8601, ``YYYY/MM/DD``, ``MM/DD/YYYY`` (US order), ``DD.MM.YYYY`` (each with an
        optional ``HH:MM[:SS]``), RFC 2822, ``Wed Oct 10 20:19:24 +0000 2018`` or Unix
        seconds (10 digits) or milliseconds (13 digits).
    formats : list of str, optional
        The non-ISO layouts to try; reordered in place so the last one that worked comes
        first (pass the same list for every row of a file).

    Raises
    ------
    ValueError
        When the value is none of these.

    Examples
    --------
    >>> parse_time("2024-01-09T15:05:00-05:00")
    (datetime.datetime(2024, 1, 9, 20, 5, tzinfo=datetime.timezone.utc), False)
    >>> parse_time("1/9/2024 20:05")
    (datetime.datetime(2024, 1, 9, 20, 5, tzinfo=datetime.timezone.utc), True)
    """
    v = value.strip()
    dt: datetime | None = None
    with contextlib.suppress(ValueError):
        dt = datetime.fromisoformat(v)
    if dt is None:
        layouts = _TIME_FORMATS if formats is None else formats
        for i, fmt in enumerate(layouts):
            try:
                dt = datetime.strptime(v, fmt)
            except ValueError:
                continue
            if formats is not None and i:
                formats.insert(0, formats.pop(i))
            break
    if dt is None and _EPOCH.match(v):
        seconds = float(v) / (1000 if len(v.split(".")[0]) == 13 else 1)
        return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds), False
    if dt is None:
        try:
            dt = parse_twitter_time(v)
        except ValueError:
            try:
                dt = parsedate_to_datetime(v)
            except (TypeError, ValueError, IndexError):
                raise ValueError(
                    f"time {value!r} is not a date and time this reader knows (ISO 8601 such "
                    "as 2024-01-09T20:05:00Z, 2024/01/09, 01/09/2024 read as month/day/year, "
                    "09.01.2024, RFC 2822, or Unix seconds)") from None
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC), True
    return dt.astimezone(UTC), False


class EdgelistReader(Reader):
    """Reader for generic edge lists (CSV or TSV with a header row), one tie a row.

    Parameters
    ----------
    path : str or Path
        The file (``.gz`` is read transparently).
    src_col, dst_col : str, optional
        Columns of the two ends (default: the first of :data:`DEFAULT_PAIRS` in the file).
    kind : str
        Interaction kind of every row (default ``tie``), e.g. ``advice``.
    weight_col, time_col, context_col : str, optional
        Columns of the weight, the time and the context.
    platform : str
        Platform of the account keys (default ``edgelist``).
    """

    format = "edgelist"
    description = "edge list CSV/TSV with a header row: one tie a row (source, target, ...)"
    unit = "rows"
    primary_table = "interactions"
    option_names = ("src_col", "dst_col", "kind", "weight_col", "time_col", "context_col",
                    "platform")

    def __init__(self, path: str | Path, **options: Any) -> None:
        super().__init__(path, **options)
        opts = self.options
        self.kind = str(opts.get("kind", "tie")).strip()
        self.platform = str(opts.get("platform", "edgelist")).strip()
        if not self.kind:
            raise OptionError("option kind must not be empty")
        if not self.platform or ":" in self.platform:
            raise OptionError(
                f"option platform must be a name without ':' (got {self.platform!r})")

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> bool:
        header = delimited_header(path, head)
        return header is not None and default_pair(header[0]) is not None

    def batches(self, log: ReadLog) -> Iterator[Batch]:
        path = self.path
        total = path.stat().st_size
        head_line = first_line(read_head(path).decode("utf-8-sig", errors="replace"))
        if head_line is None:
            raise FormatError(f"{path}: the file is empty; expected an edge list CSV with a "
                              "header row (source,target,...)")
        delimiter = guess_delimiter(text_suffix(path), head_line)
        with open_binary(path) as fh:
            reader = csv.reader(text_lines(fh), delimiter=delimiter)
            header = self._header(reader)
            cols = self._columns(header)
            yield from self._rows(reader, fh, header, cols, log, total)

    # -- header and columns ------------------------------------------------------------------
    def _header(self, reader: Any) -> list[str]:
        return strict_header(reader, self.path, expected="an edge list CSV",
                             empty="an edge list CSV with a header row (source,target,...)")

    def _columns(self, header: list[str]) -> dict[str, int | None]:
        opts = self.options
        have = ", ".join(header)
        cols: dict[str, int | None] = {}
        pair = default_pair(header)
        for opt, which in (("src_col", 0), ("dst_col", 1)):
            name = opts.get(opt)
            if name is None:
                if pair is None:
                    looked = ", ".join(f"{a}/{b}" for a, b in DEFAULT_PAIRS)
                    raise OptionError(
                        f"{self.path}: cannot tell which columns hold the two ends of each tie "
                        f"(looked for {looked}); name them with src_col and dst_col (the file "
                        f"has columns: {have})")
                cols[opt] = pair[which]
            else:
                cols[opt] = self._find(header, opt, name, have)
        if cols["src_col"] == cols["dst_col"]:
            raise OptionError(f"{self.path}: src_col and dst_col name the same column "
                              f"{header[cols['src_col'] or 0]!r}")
        for opt in ("weight_col", "time_col", "context_col"):
            name = opts.get(opt)
            cols[opt] = None if name is None else self._find(header, opt, name, have)
        return cols

    def _find(self, header: list[str], opt: str, name: object, have: str) -> int:
        at = find_column(header, name)
        if at is None:
            raise OptionError(f"{self.path}: no column {str(name).strip()!r} (option {opt}); "
                              f"the file has columns: {have}")
        return at

    # -- rows --------------------------------------------------------------------------------
    def _rows(self, reader: Any, fh: Any, header: list[str], cols: dict[str, int | None],
              log: ReadLog, total: int) -> Iterator[Batch]:
        platform, kind, prefix = self.platform, self.kind, self.platform + ":"
        si, di = cols["src_col"], cols["dst_col"]
        wi, ti, ci = cols["weight_col"], cols["time_col"], cols["context_col"]
        src_name, dst_name = header[si or 0], header[di or 0]
        width = len(header)
        formats = list(_TIME_FORMATS)
        repeats: dict[bytes, int] = {}
        naive = 0
        batch = Batch()
        edges = batch.rows["interactions"]
        accounts: dict[str, tuple[Any, ...]] = {}

        def account(value: str) -> str:
            if value.startswith(prefix):
                key, handle = value, None
            else:
                key, handle = prefix + value, value
            if key not in accounts:
                accounts[key] = (key, platform, handle, *(None,) * 10)
            return key

        while True:
            line = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except UnicodeDecodeError:
                raise FormatError(f"{self.path}: not UTF-8 text near line {line}; expected an "
                                  "edge list CSV (save it as CSV UTF-8)") from None
            except csv.Error as exc:
                log.reject(line, f"not a readable CSV row ({exc})")
                continue
            if not any(f.strip() for f in row):
                continue
            if len(row) != width and (len(row) < width
                                      or any(f.strip() for f in row[width:])):
                log.reject(line, f"row has {len(row)} fields, the header has {width}")
                continue
            src, dst = row[si].strip(), row[di].strip()  # type: ignore[index]
            if not src or not dst:
                log.reject(line, f"empty {src_name if not src else dst_name!r} (an end of the tie)")
                continue
            s, d = account(src), account(dst)
            if s == d:
                log.note("self-loops skipped")
                continue
            weight = 1.0
            if wi is not None and row[wi].strip():
                text = row[wi].strip()
                try:
                    weight = float(text)
                except ValueError:
                    weight = math.nan
                if not math.isfinite(weight):
                    log.reject(line, f"weight {text!r} is not a number")
                    continue
                if weight < 0:
                    log.reject(line, f"weight {text!r} is negative")
                    continue
            ts = None
            if ti is not None and row[ti].strip():
                try:
                    ts, was_naive = parse_time(row[ti], formats)
                except ValueError as exc:
                    log.reject(line, str(exc))
                    continue
                naive += was_naive
            context = (row[ci].strip() or None) if ci is not None else None
            digest = hashlib.sha1(
                f"{platform}|{kind}|{s}|{d}|{ts.isoformat() if ts else ''}|{context or ''}"
                .encode(), usedforsecurity=False).digest()[:10]
            k = repeats.get(digest, 0)
            repeats[digest] = k + 1
            edges.append((platform, kind, s, d, ts, weight, context, f"row:{digest.hex()}:{k}"))
            log.records += 1
            if len(edges) >= self.batch_rows:
                batch.rows["accounts"] = list(accounts.values())
                if log.progress:
                    log.progress(raw_position(fh), total)
                yield batch
                batch = Batch()
                edges = batch.rows["interactions"]
                accounts = {}
        if naive:
            log.note(_NAIVE_NOTE, naive)
        if log.progress:
            log.progress(total, total)
        batch.rows["accounts"] = list(accounts.values())
        yield batch








def default_pair(header: list[str]) -> tuple[int, int] | None:
    """Positions of the first default column pair present in a header (case-insensitive)."""
    lowered = [h.strip().lower() for h in header]
    for a, b in DEFAULT_PAIRS:
        if a in lowered and b in lowered:
            return lowered.index(a), lowered.index(b)
    return None
