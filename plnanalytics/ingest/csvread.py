"""Reading CSV files record by record: line numbers, headers, and clear errors.

Shared by the CSV readers (TAGS, twarc-csv). A record is one CSV row, which may span several
physical lines (quoted newlines); its line number is the line it starts on.

Examples
--------
>>> import io
>>> from plnanalytics.ingest.base import ReadLog
>>> text = io.TextIOWrapper(io.BytesIO(b'a,b\\n1,"two\\nlines"\\n3,4\\n'), newline="")
>>> records = csv_records(text, Path("x.csv"), ReadLog("x.csv"))
>>> read_header(records, Path("x.csv"), ["a"], "a test file")
({'a': 0, 'b': 1}, 2)
>>> list(records)
[(2, ['1', 'two\\nlines']), (4, ['3', '4'])]
"""

from __future__ import annotations

import csv
import io
from abc import abstractmethod
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import ClassVar

from ..errors import FormatError
from .base import Batch, Reader, ReadLog, open_binary, raw_position, text_lines
from .tweets import PostSink


class RowError(ValueError):
    """A record that cannot be read; its message is the reason given to the user."""


def header_names(head: bytes) -> set[str]:
    """The column names of a CSV file's first line (empty when it is not CSV-like).

    Examples
    --------
    >>> sorted(header_names(b'\\xef\\xbb\\xbfid,"author_id", text\\r\\n1,2,3'))
    ['author_id', 'id', 'text']
    """
    first = head.decode("utf-8-sig", errors="replace").lstrip("\r\n").split("\n", 1)[0]
    if not first.strip():
        return set()
    try:
        fields = next(csv.reader([first.rstrip("\r")]), [])
    except csv.Error:
        return set()
    return {f.strip() for f in fields}


def csv_records(text: io.TextIOWrapper, path: Path, log: ReadLog
                ) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(line, fields)`` for each non-blank CSV record of a file.

    ``line`` is the 1-based physical line the record starts on. A record the csv module
    cannot parse is rejected to ``log``; text that is not UTF-8 raises :class:`FormatError`.
    """
    reader = csv.reader(text)
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            log.reject(start, f"not readable as CSV ({exc})")
            start = reader.line_num + 1
            continue
        except UnicodeDecodeError:
            raise FormatError(f"{path}: not UTF-8 text (near line {start}); "
                              "expected a CSV file saved as UTF-8") from None
        except (OSError, EOFError) as exc:  # a damaged .gz file
            raise FormatError(f"{path}: cannot read ({exc})") from None
        if row:
            yield start, row
        start = reader.line_num + 1


def read_header(records: Iterator[tuple[int, list[str]]], path: Path, required: Sequence[str],
                expected: str) -> tuple[dict[str, int], int]:
    """Read the header record: the index of each column (first wins) and the column count.

    Raises
    ------
    FormatError
        When the file is empty or lacks a required column.
    """
    first = next(records, None)
    if first is None:
        raise FormatError(f"{path}: the file has no header line; expected {expected}")
    names = [f.strip() for f in first[1]]
    cols: dict[str, int] = {}
    for i, name in enumerate(names):
        cols.setdefault(name, i)
    missing = [c for c in required if c not in cols]
    if missing:
        raise FormatError(f"{path}: missing column(s) {', '.join(missing)}; expected {expected} "
                          f"with columns {', '.join(required)}")
    return cols, len(names)


class CsvTweetReader(Reader):
    """A CSV file with one tweet a row: the loop shared by the TAGS and twarc-csv readers.

    Subclasses set :attr:`required` and :attr:`expected` and implement :meth:`_row`; rows
    with the wrong number of fields, or whose :meth:`_row` raises :class:`RowError`, are
    rejected with their line.
    """

    #: Columns without which the file cannot be read.
    required: ClassVar[tuple[str, ...]]
    #: What the file should be, for error messages ("a TAGS archive CSV").
    expected: ClassVar[str]

    def _prepare(self, log: ReadLog, total: int) -> None:
        """Run before the rows are read (e.g. a first pass over the file)."""

    def _progress(self, position: int, total: int) -> int:
        """Progress to report at a file position (a reader with two passes halves it)."""
        return position

    @abstractmethod
    def _row(self, row: list[str], cols: dict[str, int], sink: PostSink, log: ReadLog) -> None:
        """Add one row's post to ``sink``; raise :class:`RowError` with the reason if unreadable."""

    def batches(self, log: ReadLog) -> Iterator[Batch]:
        total = self.path.stat().st_size
        self._prepare(log, total)
        sink = PostSink("x", log)
        with open_binary(self.path) as fh, text_lines(fh) as text:
            records = csv_records(text, self.path, log)
            cols, width = read_header(records, self.path, self.required, self.expected)
            for line, row in records:
                if len(row) != width:
                    log.reject(line, f"the row has {len(row)} fields, expected {width} "
                                     "(one per header column)")
                    continue
                try:
                    self._row(row, cols, sink, log)
                except RowError as exc:
                    log.reject(line, str(exc))
                    continue
                log.records += 1
                if sink.size >= self.batch_rows:
                    if log.progress:
                        log.progress(self._progress(raw_position(fh), total), total)
                    yield sink.take()
            if log.progress:
                log.progress(total, total)
        yield sink.take()
