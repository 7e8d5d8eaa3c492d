"""Tables of rows: CSV, TSV and Excel workbooks as ``(line, cells)`` records.

Shared by the readers of tables with a header row (rosters, group rosters, surveys and
identity corrections). A record is ``(line, cells)``: the line a CSV record starts on (a
record may span several physical lines) or a sheet's row number, and its cells as text.

- :func:`open_table` opens a file, CSV or TSV (optionally ``.gz``; the delimiter guessed
  from the first line, a BOM removed) or a workbook (``.xlsx``, read with openpyxl, the
  first sheet or the one named), as a :class:`Table` whose :meth:`Table.header` is the first
  non-blank record and whose :meth:`Table.rows` are the data records cut to the header's
  width (rows of another width are rejected to the log).
- Text that is not UTF-8 raises a :class:`~plnanalytics.errors.FormatError` naming the line
  and what the file should be (``expected``), with a hint: save it as CSV UTF-8, or, for a
  workbook named as CSV, name it ``.xlsx``. A record the csv module cannot parse is rejected
  with its line. Workbook cells are text as a person reads them (:func:`cell_text`).
- Header names are compared normalized (:func:`norm_name`): stripped, lowercase, runs of
  spaces as ``_``; empty cells and ``NA``, ``N/A``, ``#N/A``, ``null``, ``None`` are missing
  values (:data:`MISSING`, :func:`cell_value`).
- :class:`TableReader` is the reader base of such tables: it checks the column options and
  ``sheet``, opens the table and hands it to the subclass's ``_read``.

Examples
--------
>>> import tempfile, pathlib
>>> from plnanalytics.ingest.base import ReadLog
>>> path = pathlib.Path(tempfile.mkdtemp()) / "people.csv"
>>> _ = path.write_bytes(b"\\xef\\xbb\\xbfid;Full Name\\r\\n\\r\\n"
...                      b"P1;Ann\\r\\nP2;Bo;x\\r\\nP3;NA;\\r\\n")
>>> log = ReadLog(str(path))
>>> with open_table(path, log, expected="a people file") as table:
...     header = table.header()
...     rows = list(table.rows(len(header), log))
>>> header, [norm_name(h) for h in header]
(['id', 'Full Name'], ['id', 'full_name'])
>>> rows, [cell_value(c) for c in rows[-1][1]]
([(3, ['P1', 'Ann']), (5, ['P3', 'NA'])], ['P3', None])
>>> log.rejects
[Reject(line=4, reason='row has 3 fields, the header has 2')]
"""

from __future__ import annotations

import contextlib
import csv
import re
import zipfile
from abc import abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, ClassVar

from ..errors import FormatError, OptionError
from .base import (
    Batch,
    Reader,
    ReadLog,
    find_column,
    first_line,
    guess_delimiter,
    open_binary,
    read_head,
    text_lines,
    text_suffix,
)

#: One record of a table: ``(line or sheet row number, cells as text)``.
Record = tuple[int, list[str]]

#: Cell values read as missing (after stripping, compared case-insensitively).
MISSING = frozenset({"", "na", "n/a", "#n/a", "null", "none"})

#: Suffixes read as Excel workbooks.
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")

#: The hint of a decode error in a file that is not a workbook.
SAVE_AS_UTF8 = " (save it as CSV UTF-8)"
#: The hint of a decode error in a file that starts like a zip (an Excel workbook).
NAME_IT_XLSX = " (it looks like an Excel workbook: name it .xlsx)"

#: Largest whole number a spreadsheet holds exactly (15 significant digits).
_EXACT_LIMIT = 10**15


def is_workbook(path: Path, sheet: object = None) -> bool:
    """Whether ``path`` is an Excel workbook (by its suffix).

    Raises
    ------
    OptionError
        When a ``sheet`` is given for a file that is not a workbook.

    Examples
    --------
    >>> is_workbook(Path("staff.XLSX")), is_workbook(Path("staff.csv"))
    (True, False)
    >>> is_workbook(Path("staff.csv"), sheet="Staff")
    Traceback (most recent call last):
    ...
    plnanalytics.errors.OptionError: staff.csv: option sheet applies only to Excel workbooks \
(.xlsx, .xlsm)
    """
    workbook = path.suffix.lower() in WORKBOOK_SUFFIXES
    if sheet is not None and not workbook:
        raise OptionError(f"{path}: option sheet applies only to Excel workbooks "
                          f"({', '.join(WORKBOOK_SUFFIXES)})")
    return workbook


def check_column_options(options: Mapping[str, Any], names: Sequence[str]) -> None:
    """Check that each of the options ``names`` that is given names a column (is not blank).

    Examples
    --------
    >>> check_column_options({"id_col": "staff id"}, ["id_col", "name_col"])
    >>> check_column_options({"id_col": " "}, ["id_col"])
    Traceback (most recent call last):
    ...
    plnanalytics.errors.OptionError: option id_col must name a column
    """
    for opt in names:
        if opt in options and not str(options[opt]).strip():
            raise OptionError(f"option {opt} must name a column")


def pairs_option(name: str, value: object, *, expected: str, form: str, example: str,
                 last: bool = False) -> list[tuple[str, str]]:
    """An option given as a mapping, or as ``key=value`` text (one, or a list of them), as
    ``(key, value)`` pairs as written (not stripped).

    Each text is split at its first ``=`` (at its last with ``last``).

    Raises
    ------
    OptionError
        For another type (``expected`` says what the option takes), or a text without ``=``
        (``form`` names its form, e.g. ``column=platform``, and ``example`` is one).

    Examples
    --------
    >>> pairs_option("cols", ["a=b=c", "d = e"], expected="...", form="column=platform",
    ...              example="x_user_id=x", last=True)
    [('a=b', 'c'), ('d ', ' e')]
    >>> pairs_option("questions", "advice=Who? (a=b)", expected="...", form="relation=text",
    ...              example="advice=Who?")
    [('advice', 'Who? (a=b)')]
    >>> pairs_option("cols", ["x_user_id"], expected="...", form="column=platform",
    ...              example="x_user_id=x")
    Traceback (most recent call last):
    ...
    plnanalytics.errors.OptionError: option cols: 'x_user_id' is not column=platform \
(e.g. x_user_id=x)
    """
    if isinstance(value, Mapping):
        return [(str(k), str(v)) for k, v in value.items()]
    if isinstance(value, str):
        entries: Iterable[object] = [value]
    elif isinstance(value, Iterable):
        entries = value
    else:
        raise OptionError(f"option {name}: expected {expected}, got {value!r}")
    pairs: list[tuple[str, str]] = []
    for entry in entries:
        key, sep, text = str(entry).rpartition("=") if last else str(entry).partition("=")
        if not sep:
            raise OptionError(f"option {name}: {entry!r} is not {form} (e.g. {example})")
        pairs.append((key, text))
    return pairs


# -- header names --------------------------------------------------------------------------------
def norm_name(name: str) -> str:
    """A column name as compared with defaults: stripped, lowercase, spaces as ``_``.

    Examples
    --------
    >>> norm_name("  Staff  ID ")
    'staff_id'
    """
    return re.sub(r"\s+", "_", name.strip().lower())


def first_of(norm: Sequence[str], wanted: Sequence[str], taken: set[int] | None = None
             ) -> int | None:
    """Index of the first of ``wanted`` (in its order) among normalized names, skipping the
    indices in ``taken``; None when there is none.

    Examples
    --------
    >>> first_of(["name", "id", "person_id"], ["person_id", "id"])
    2
    >>> first_of(["name", "id", "person_id"], ["person_id", "id"], {2}), first_of(["a"], ["b"])
    (1, None)
    """
    for w in wanted:
        for i, n in enumerate(norm):
            if n == w and (taken is None or i not in taken):
                return i
    return None


def column_names(header: Sequence[str]) -> list[str]:
    """Names for the columns: blank ones become ``column N``, repeats get ``.1``, ``.2``.

    Examples
    --------
    >>> column_names(["id", "", "note", "note"])
    ['id', 'column 2', 'note', 'note.1']
    """
    names: list[str] = []
    for i, h in enumerate(header):
        base = h.strip() or f"column {i + 1}"
        name, k = base, 0
        while name in names:
            k += 1
            name = f"{base}.{k}"
        names.append(name)
    return names


def named_column(path: Path, header: list[str], opt: str, name: object, have: str) -> int:
    """Position of the column an option names (see :func:`~.base.find_column`).

    Raises
    ------
    OptionError
        When the header has no such column; ``have`` lists the file's columns.

    Examples
    --------
    >>> named_column(Path("r.csv"), ["ID", "Name"], "name_col", "name", "ID, Name")
    1
    >>> named_column(Path("r.csv"), ["ID", "Name"], "email_col", " Mail ", "ID, Name")
    Traceback (most recent call last):
    ...
    plnanalytics.errors.OptionError: r.csv: no column 'Mail' (option email_col); the file has \
columns: ID, Name
    """
    at = find_column(header, name)
    if at is None:
        raise OptionError(f"{path}: no column {str(name).strip()!r} (option {opt}); "
                          f"the file has columns: {have}")
    return at


def find_columns(path: Path, header: list[str], options: Mapping[str, Any],
                 defaults: Mapping[str, Sequence[str]], have: str,
                 search: Sequence[str] | None = None) -> tuple[dict[str, int | None], set[int]]:
    """The column of each field: the one its option names, else the first of its defaults.

    The fields are the keys of ``defaults``, each with an option of the same name. Columns
    named by options are found first, so that defaults never take them; then each field of
    ``search`` (default: every field) without an option takes the first of its default names
    (normalized, see :func:`norm_name`) not yet taken, or None.

    Returns
    -------
    dict, set
        Field -> column index (or None; fields neither named nor searched are absent), and
        the indices taken.

    Examples
    --------
    >>> defaults = {"id_col": ("id", "person_id"), "name_col": ("name",)}
    >>> find_columns(Path("r.csv"), ["Person ID", "Name", "ID"], {"id_col": "person id"},
    ...              defaults, "Person ID, Name, ID")
    ({'id_col': 0, 'name_col': 1}, {0, 1})
    >>> find_columns(Path("r.csv"), ["ID", "Alias"], {}, defaults, "ID, Alias")
    ({'id_col': 0, 'name_col': None}, {0})
    """
    norm = [norm_name(h) for h in header]
    taken: set[int] = set()
    found: dict[str, int | None] = {}
    for opt in defaults:
        if opt in options:
            at = named_column(path, header, opt, options[opt], have)
            found[opt] = at
            taken.add(at)
    for opt in defaults if search is None else search:
        if opt not in found:
            at_default = first_of(norm, defaults[opt], taken)
            found[opt] = at_default
            if at_default is not None:
                taken.add(at_default)
    return found, taken


# -- cells ---------------------------------------------------------------------------------------
def cell_value(cell: str) -> str | None:
    """A cell stripped, or None when it is missing (see :data:`MISSING`).

    Examples
    --------
    >>> cell_value(" P01 "), cell_value(" n/a"), cell_value("")
    ('P01', None, None)
    """
    v = cell.strip()
    return None if v.lower() in MISSING else v


def cell_text(value: object) -> str:
    """A workbook cell as text, as a person would read it.

    A whole number is written without a decimal point; a float of 15 digits or more, which
    may have lost digits, in scientific notation; a date as ISO 8601 (a datetime at midnight
    as its date).

    Examples
    --------
    >>> [cell_text(v) for v in (None, 17, 17.0, 2.5, 1443309687712595975.0, 1e15, "P01")]
    ['', '17', '17', '2.5', '1.443309687712596e+18', '1e+15', 'P01']
    >>> [cell_text(v) for v in (True, date(2024, 3, 1), datetime(2024, 3, 1),
    ...                         datetime(2024, 3, 1, 9, 30))]
    ['TRUE', '2024-03-01', '2024-03-01', '2024-03-01T09:30:00']
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if abs(value) >= _EXACT_LIMIT:  # may have lost digits: say so in scientific notation
            return format(Decimal(repr(value)).normalize(), "e")
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


# -- CSV and TSV ---------------------------------------------------------------------------------
def decode_hint(head: bytes) -> str:
    """What to tell about a file that is not UTF-8, from its first bytes.

    Examples
    --------
    >>> decode_hint(b"PK\\x03\\x04..."), decode_hint(b"id,name")
    (' (it looks like an Excel workbook: name it .xlsx)', ' (save it as CSV UTF-8)')
    """
    return NAME_IT_XLSX if head.startswith(b"PK\x03\x04") else SAVE_AS_UTF8


@contextlib.contextmanager
def open_text(path: Path) -> Iterator[tuple[IO[bytes], IO[str]]]:
    """Open a text file (optionally ``.gz``) for the csv module: its binary file (whose
    position gives progress) and its text (UTF-8, universal newlines, a BOM removed).

    Raises :class:`FormatError` naming the file when it cannot be opened.

    Examples
    --------
    >>> import gzip, tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "ids.tsv.gz"
    >>> _ = path.write_bytes(gzip.compress("\\ufeffid\\tname\\r\\nP1\\tAnn\\r\\n".encode()))
    >>> with open_text(path) as (fh, text):
    ...     list(csv.reader(text, delimiter="\\t"))
    [['id', 'name'], ['P1', 'Ann']]
    """
    with open_binary(path) as fh:
        raw = getattr(fh, "fileobj", None)  # a .gz file's own file, which gzip leaves open
        try:
            with text_lines(fh) as text:
                yield fh, text
        finally:
            if raw is not None:
                raw.close()


def csv_rows(reader: Any, path: Path, log: ReadLog, *, expected: str,
             hint: str = SAVE_AS_UTF8) -> Iterator[Record]:
    """``(line, cells)`` of each record of a ``csv.reader``; ``line`` is the line it starts on.

    A record the csv module cannot parse is rejected to ``log`` with its line.

    Raises
    ------
    FormatError
        When the text is not UTF-8 (naming the line, ``expected`` and ``hint``) or a ``.gz``
        file is damaged.

    Examples
    --------
    >>> import io
    >>> text = io.StringIO('id,note\\nP1,"two\\nlines"\\n\\nP2,' + "x" * 140_000 + "\\nP3,y\\n")
    >>> log = ReadLog("notes.csv")
    >>> [(line, cells[:1]) for line, cells in csv_rows(csv.reader(text), Path("notes.csv"), log,
    ...                                                expected="a notes CSV")]
    [(1, ['id']), (2, ['P1']), (4, []), (6, ['P3'])]
    >>> log.rejects
    [Reject(line=5, reason='not a readable CSV row (field larger than field limit (131072))')]
    """
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError:
            raise FormatError(f"{path}: not UTF-8 text near line {line}; expected "
                              f"{expected}{hint}") from None
        except csv.Error as exc:
            log.reject(line, f"not a readable CSV row ({exc})")
            continue
        except (OSError, EOFError) as exc:  # a damaged .gz file
            raise FormatError(f"{path}: cannot read ({exc})") from None
        yield line, row


def csv_records(text: IO[str], path: Path, log: ReadLog, *, expected: str) -> Iterator[Record]:
    """``(line, cells)`` of each record of a CSV or TSV file opened as ``text``.

    The delimiter is guessed from the file's suffix and first line (see
    :func:`~.base.guess_delimiter`); errors are as in :func:`csv_rows`, with the hint of
    :func:`decode_hint`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "ids.txt"
    >>> _ = path.write_text("id|name\\nP1|Ann\\n")
    >>> with open_text(path) as (_, text):
    ...     list(csv_records(text, path, ReadLog(str(path)), expected="an id list"))
    [(1, ['id', 'name']), (2, ['P1', 'Ann'])]
    """
    head = read_head(path)
    head_line = first_line(head.decode("utf-8-sig", errors="replace"))
    delimiter = guess_delimiter(text_suffix(path), head_line or "")
    reader = csv.reader(text, delimiter=delimiter)
    yield from csv_rows(reader, path, log, expected=expected, hint=decode_hint(head))


# -- workbooks -----------------------------------------------------------------------------------
def worksheet(wb: Any, path: Path, *, expected: str, sheet: object = None) -> Any:
    """The sheet of an openpyxl workbook named ``sheet`` (exactly, else ignoring case), or the
    first sheet when ``sheet`` is None.

    Raises
    ------
    FormatError
        When the workbook has no worksheet.
    OptionError
        When it has no sheet ``sheet``, listing its sheets.

    Examples
    --------
    >>> import openpyxl
    >>> wb = openpyxl.Workbook()
    >>> wb.active.title = "Notes"
    >>> _ = wb.create_sheet("Staff")
    >>> [worksheet(wb, Path("b.xlsx"), expected="...", sheet=s).title for s in (None, "STAFF")]
    ['Notes', 'Staff']
    >>> worksheet(wb, Path("b.xlsx"), expected="...", sheet="People")
    Traceback (most recent call last):
    ...
    plnanalytics.errors.OptionError: b.xlsx: no sheet 'People' (option sheet); the workbook \
has sheets: Notes, Staff
    """
    sheets = wb.worksheets
    if not sheets:
        raise FormatError(f"{path}: the workbook has no worksheet; expected {expected}")
    if sheet is None:
        return sheets[0]
    names = [ws.title for ws in sheets]
    wanted = str(sheet).strip()
    lowered = [n.lower() for n in names]
    if wanted in names:
        return sheets[names.index(wanted)]
    if wanted.lower() in lowered:
        return sheets[lowered.index(wanted.lower())]
    raise OptionError(f"{path}: no sheet {wanted!r} (option sheet); the workbook has "
                      f"sheets: {', '.join(names)}")


def sheet_records(path: Path, *, expected: str, sheet: object = None) -> Iterator[Record]:
    """``(row number, cells as text)`` of each row of a workbook's sheet (see :func:`worksheet`
    and :func:`cell_text`); rows keep their length as stored (trailing empty cells may be
    missing or present).

    Raises
    ------
    FormatError
        When the file cannot be read as a workbook (naming ``expected``) or breaks off.

    Examples
    --------
    >>> import tempfile, pathlib, openpyxl
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "staff.xlsx"
    >>> wb = openpyxl.Workbook()
    >>> wb.active.title = "Notes"
    >>> ws = wb.create_sheet("Staff")
    >>> for row in (["id", "start", "score"], [17, date(2024, 8, 15), 2.5], [18.0]):
    ...     ws.append(row)
    >>> wb.save(path)
    >>> list(sheet_records(path, expected="a staff workbook", sheet="staff"))
    [(1, ['id', 'start', 'score']), (2, ['17', '2024-08-15', '2.5']), (3, ['18'])]
    """
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    broken = (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError,
              OSError, EOFError, SyntaxError)  # SyntaxError: XML parse errors
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except broken as exc:
        raise FormatError(f"{path}: cannot read as an Excel workbook "
                          f"({type(exc).__name__}: {exc}); expected {expected}") from None
    try:
        ws = worksheet(wb, path, expected=expected, sheet=sheet)
        ws.reset_dimensions()  # some writers record wrong dimensions; read every cell
        rows = ws.iter_rows(min_row=1, values_only=True)
        number = 0
        while True:
            try:
                values = next(rows)
            except StopIteration:
                return
            except broken as exc:
                raise FormatError(f"{path}: cannot read the workbook after row "
                                  f"{number} ({type(exc).__name__}: {exc})") from None
            number += 1
            yield number, [cell_text(v) for v in values]
    finally:
        wb.close()


def workbook_header(path: Path) -> list[str] | None:
    """The first non-blank row of a workbook's first sheet among its first 50 rows, without
    trailing empty cells (for sniffing); None when there is none or the file is unreadable.

    Examples
    --------
    >>> import tempfile, pathlib, openpyxl
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "groups.xlsx"
    >>> wb = openpyxl.Workbook()
    >>> for row in ([None], [None, "member", "group", " "], ["P1", "PLC A"]):
    ...     wb.active.append(row)
    >>> wb.save(path)
    >>> workbook_header(path), workbook_header(path.with_suffix(".csv"))
    (['', 'member', 'group'], None)
    """
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # any unreadable workbook is simply not claimed
        return None
    try:
        with contextlib.suppress(Exception):
            ws = wb.worksheets[0]
            ws.reset_dimensions()
            for values in ws.iter_rows(min_row=1, max_row=50, values_only=True):
                cells = [cell_text(v).strip() for v in values]
                if any(cells):
                    while not cells[-1]:
                        cells.pop()
                    return cells
        return None
    finally:
        wb.close()


# -- header and rows -----------------------------------------------------------------------------
def header_row(records: Iterator[Record], path: Path, *, expected: str,
               trim: bool = False) -> list[str]:
    """The first non-blank record of ``records``, cells stripped (and, with ``trim``, without
    trailing empty cells, which a sheet's header may run on with).

    Raises
    ------
    FormatError
        When every record is blank: the file is empty.

    Examples
    --------
    >>> header_row(iter([(1, [" "]), (2, [" id", "name", ""])]), Path("x.xlsx"),
    ...            expected="a table", trim=True)
    ['id', 'name']
    >>> header_row(iter([(1, [""])]), Path("x.csv"), expected="a table")
    Traceback (most recent call last):
    ...
    plnanalytics.errors.FormatError: x.csv: the file is empty; expected a table
    """
    for _, cells in records:
        if any(c.strip() for c in cells):
            header = [c.strip() for c in cells]
            break
    else:
        raise FormatError(f"{path}: the file is empty; expected {expected}")
    if trim:
        while header and not header[-1]:
            header.pop()
    return header


def data_rows(records: Iterator[Record], width: int, log: ReadLog, *, pad: bool = False,
              unit: str = "fields") -> Iterator[Record]:
    """The non-blank records, each with ``width`` cells.

    A record with a non-empty cell beyond ``width`` is rejected to ``log`` (``row has N
    <unit>, the header has M``), and so is a shorter one unless ``pad``; otherwise empty
    extra cells are dropped and, with ``pad``, missing ones added as ``""``.

    Examples
    --------
    >>> log = ReadLog("x.csv")
    >>> records = [(2, ["a", "b"]), (3, ["", " "]), (4, ["c", "d", ""]), (5, ["e"]),
    ...            (6, ["f", "g", "h"])]
    >>> list(data_rows(iter(records), 2, log))
    [(2, ['a', 'b']), (4, ['c', 'd'])]
    >>> [r.reason for r in log.rejects]
    ['row has 1 fields, the header has 2', 'row has 3 fields, the header has 2']
    >>> list(data_rows(iter(records[3:4]), 2, log, pad=True))
    [(5, ['e', ''])]
    """
    for line, cells in records:
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != width:
            extra = any(c.strip() for c in cells[width:])
            if extra or (len(cells) < width and not pad):
                log.reject(line, f"row has {len(cells)} {unit}, the header has {width}")
                continue
            cells = cells[:width] + [""] * (width - len(cells))
        yield line, cells


@dataclass
class Table:
    """The records of one table file, opened by :func:`open_table`.

    Attributes
    ----------
    path : Path
        The file.
    records : iterator
        Its ``(line, cells)`` records, read once: :meth:`header`, then :meth:`rows`.
    expected : str
        What the file should be, for error messages.
    fh : binary file or None
        A CSV file's binary file (its position gives progress); None for a workbook.
    """

    path: Path
    records: Iterator[Record]
    expected: str
    fh: IO[bytes] | None = None

    @property
    def workbook(self) -> bool:
        """Whether the table is a workbook's sheet (else a CSV or TSV file)."""
        return self.fh is None

    def header(self) -> list[str]:
        """The header (see :func:`header_row`; a sheet's trailing empty cells dropped)."""
        return header_row(self.records, self.path, expected=self.expected, trim=self.workbook)

    def rows(self, width: int, log: ReadLog) -> Iterator[Record]:
        """The data records after the header (see :func:`data_rows`): a sheet's short rows
        are padded (a sheet does not store trailing empty cells), a CSV file's are rejected.
        """
        unit = "cells" if self.workbook else "fields"
        return data_rows(self.records, width, log, pad=self.workbook, unit=unit)


@contextlib.contextmanager
def open_table(path: Path, log: ReadLog, *, expected: str,
               sheet: object = None) -> Iterator[Table]:
    """Open a CSV or TSV file (optionally ``.gz``) or, by its suffix, an Excel workbook (its
    sheet ``sheet``, default the first) as a :class:`Table`; closed on leaving.

    ``expected`` says what the file should be, in error messages.
    """
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        records = sheet_records(path, expected=expected, sheet=sheet)
        try:
            yield Table(path, records, expected)
        finally:
            records.close()
        return
    with open_text(path) as (fh, text):
        yield Table(path, csv_records(text, path, log, expected=expected), expected, fh)


class TableReader(Reader):
    """A reader of a table with a header row: a CSV or TSV file (optionally ``.gz``) or a
    workbook's sheet (the option ``sheet``, default the first), read by :func:`open_table`.

    Subclasses set :attr:`expected` and :attr:`column_options`, read their other options in
    :meth:`_parse_options`, and implement :meth:`_read` (and :meth:`~.base.Reader.sniff`).
    Options are checked in order: the column options (each must name a column), the
    subclass's own, then ``sheet`` (only for a workbook).

    Examples
    --------
    >>> from plnanalytics.ingest.roster import RosterReader
    >>> reader = RosterReader(Path("staff.xlsx"), sheet="Staff")
    >>> isinstance(reader, TableReader), reader.workbook, reader.expected[:24]
    (True, True, 'a roster CSV/TSV or XLSX')
    """

    #: What the file should be, for error messages ("a roster CSV/TSV or XLSX file ...").
    expected: ClassVar[str]
    #: Options that name a column.
    column_options: ClassVar[tuple[str, ...]] = ()

    def __init__(self, path: str | Path, **options: Any) -> None:
        super().__init__(path, **options)
        check_column_options(self.options, self.column_options)
        self._parse_options()
        self.workbook = is_workbook(self.path, self.options.get("sheet"))

    def _parse_options(self) -> None:
        """Read and check the format's own options (raise :class:`OptionError` if wrong)."""

    def batches(self, log: ReadLog) -> Iterator[Batch]:
        with open_table(self.path, log, expected=self.expected,
                        sheet=self.options.get("sheet")) as table:
            yield from self._read(table, log)

    @abstractmethod
    def _read(self, table: Table, log: ReadLog) -> Iterator[Batch]:
        """Yield batches of rows from an open table; bad records go to ``log``."""

    def _column(self, header: list[str], opt: str, name: object, have: str) -> int:
        """The column an option names (see :func:`named_column`)."""
        return named_column(self.path, header, opt, name, have)

    def _columns(self, header: list[str], defaults: Mapping[str, Sequence[str]], have: str,
                 search: Sequence[str] | None = None) -> tuple[dict[str, int | None], set[int]]:
        """The column of each field, named by this reader's options or found by default
        names (see :func:`find_columns`)."""
        return find_columns(self.path, header, self.options, defaults, have, search)


def strict_header(reader: Any, path: Path, *, expected: str, empty: str | None = None
                  ) -> list[str]:
    """The first non-blank row of a CSV reader as trimmed names; an unreadable or empty file
    is a :class:`~plnanalytics.errors.FormatError` (for readers whose header must be text).

    ``expected`` completes the messages ("expected <expected>"); ``empty`` replaces it in the
    message for an empty file.

    Examples
    --------
    >>> import csv, io
    >>> strict_header(csv.reader(io.StringIO("\\n a , b \\n1,2")), Path("t.csv"), expected="x")
    ['a', 'b']
    """
    try:
        for row in reader:
            if any(f.strip() for f in row):
                return [f.strip() for f in row]
    except UnicodeDecodeError:
        raise FormatError(f"{path}: not UTF-8 text; expected {expected} "
                          "(save it as CSV UTF-8)") from None
    except csv.Error as exc:
        raise FormatError(f"{path}: not a CSV file ({exc})") from None
    raise FormatError(f"{path}: the file is empty; expected {empty or expected}")
