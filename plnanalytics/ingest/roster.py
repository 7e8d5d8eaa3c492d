"""Rosters: the people who should be in the network, one person a row (CSV, TSV or XLSX).

A roster lists principals, district staff or association members, with a header row and
any attribute columns, e.g. ``person_id,name,email,district,school,role,x_user_id``. Each row
becomes one ``people`` row; account columns also give explicit ``identities`` links.

Columns
    Each field of ``people`` comes from a named option or, when it is not given, from the
    first column found (case-insensitive; spaces count as ``_``) among:

    - ``person_id`` (``id_col``): person_id, id, staff_id, employee_id, member_id;
    - ``name`` (``name_col``): name, full_name, display_name; else first_name and last_name
      (or given_name, surname...) joined with a space;
    - ``email`` (``email_col``): email, e-mail, email_address;
    - ``role`` (``role_col``): role, position, title;
    - ``organization`` (``organization_col``): organization, organisation, district,
      association, org;
    - ``unit`` (``unit_col``): unit, school, campus, site.

    A file without a person id column is a :class:`~plnanalytics.errors.FormatError`; an
    option naming a column the file lacks is an :class:`~plnanalytics.errors.OptionError`
    listing the file's columns. Every other column with a value goes, under its original
    name, into ``attributes``: a JSON object with sorted keys (handles such as ``x_handle``
    and the account columns included).

Accounts
    ``account_cols`` maps columns to platforms, as a mapping or a list of ``column=platform``
    strings (``["x_user_id=x"]``). Besides these, columns named ``<platform>_user_id``,
    ``<platform>_id``, ``<platform>_account`` or ``<platform>_did`` are account columns for
    the platforms x, twitter (read as x), mastodon, bluesky and slack. Each value becomes
    the identity ``("<platform>:<value>", person_id, "explicit", 1.0)``; a value already
    starting with ``<platform>:`` is kept as the key. A number in scientific notation
    (``1.44E+18``) or with a decimal point is an id a spreadsheet rounded: that cell is
    rejected (the person is kept). Handles are not identity links here: they change, so
    they stay attributes.

Values
    Text is stripped; empty cells and the literal ``NA``, ``N/A``, ``#N/A``, ``null`` and
    ``None`` are missing. Ids are kept as text exactly as written. In a workbook (read with
    openpyxl, first sheet unless ``sheet`` names one) cells are read as text: a whole number
    ``17`` or ``17.0`` gives ``"17"``; a number of more than 15 digits, which Excel cannot
    hold exactly, is written in scientific notation and so counts as rounded.

Bad rows
    A row without a person id, a row repeating an earlier row's person id (the first is
    kept) and a row with more or fewer cells than the header are rejected with their line
    (the spreadsheet row number for a workbook). A person id in scientific notation is
    rejected too. Records are the people read; re-ingesting a roster adds nothing.

Examples
--------
>>> import tempfile, pathlib
>>> from plnanalytics.ingest.base import ReadLog
>>> path = pathlib.Path(tempfile.mkdtemp()) / "roster.csv"
>>> _ = path.write_text("Staff_ID,First_Name,Last_Name,District,x_user_id,x_handle\\n"
...                     "17,Ann,Lee,Cedar,12345,annlee\\n"
...                     ",Bo,Ng,Cedar,,\\n"
...                     "18,Cy,Ra,NA,1.44E+18,\\n")
>>> log = ReadLog(str(path))
>>> batch = next(RosterReader(path).batches(log))
>>> for row in batch.rows["people"]:
...     print(row)
('17', 'Ann Lee', None, None, 'Cedar', None, '{"x_handle": "annlee", "x_user_id": "12345"}')
('18', 'Cy Ra', None, None, None, None, '{"x_user_id": "1.44E+18"}')
>>> batch.rows["identities"]
[('x:12345', '17', 'explicit', 1.0)]
>>> log.records
2
>>> for r in log.rejects:
...     print(r.line, r.reason)  # doctest: +ELLIPSIS
3 no person id (column 'Staff_ID' is empty)
4 x_user_id '1.44E+18' is not a whole id: a spreadsheet rounded it ... lost digits ...
"""

from __future__ import annotations

import csv
import json
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

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
from .edgelist import default_pair

#: Default columns of each ``people`` field, tried in order (compared case-insensitively).
DEFAULT_COLUMNS: dict[str, tuple[str, ...]] = {
    "id_col": ("person_id", "id", "staff_id", "employee_id", "member_id"),
    "name_col": ("name", "full_name", "display_name"),
    "email_col": ("email", "e-mail", "email_address"),
    "role_col": ("role", "position", "title"),
    "organization_col": ("organization", "organisation", "district", "association", "org"),
    "unit_col": ("unit", "school", "campus", "site"),
}

#: Columns joined (with a space) into the name when the roster has no name column.
FIRST_NAME_COLUMNS = ("first_name", "firstname", "given_name")
LAST_NAME_COLUMNS = ("last_name", "lastname", "surname", "family_name")

#: Platforms whose account columns are found by name, and the platform of their keys.
ACCOUNT_PLATFORMS: dict[str, str] = {
    "x": "x", "twitter": "x", "mastodon": "mastodon", "bluesky": "bluesky", "slack": "slack",
}
#: ``<platform><suffix>`` names an account column (``x_user_id``, ``bluesky_did``...).
ACCOUNT_SUFFIXES = ("_user_id", "_id", "_account", "_did")

#: Cell values read as missing (after stripping, compared case-insensitively).
MISSING = frozenset({"", "na", "n/a", "#n/a", "null", "none"})

#: Suffixes read as Excel workbooks.
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")

_FIELDS = ("id_col", "name_col", "email_col", "role_col", "organization_col", "unit_col")
#: A number as a spreadsheet writes it: scientific notation or a decimal point.
_ROUNDED = re.compile(r"^[+-]?(\d+([.,]\d*)?[eE][+-]?\d+|\d*\.\d+|\d+\.)$")
_SCIENTIFIC = re.compile(r"^[+-]?\d+([.,]\d*)?[eE][+-]?\d+$")
#: Largest whole number a spreadsheet holds exactly (15 significant digits).
_EXACT_LIMIT = 10**15
_EXPECTED = ("a roster CSV/TSV or XLSX file with a header row and a person id column ("
             + ", ".join(DEFAULT_COLUMNS["id_col"]) + ")")


@dataclass
class _Layout:
    """Where each field is in the header (indices), and what the other columns are."""

    fields: dict[str, int | None]
    first_last: tuple[int, int] | None
    accounts: list[tuple[int, str]]
    attributes: list[int]
    names: list[str] = field(default_factory=list)


class RosterReader(Reader):
    """Reader for rosters (CSV, TSV or XLSX with a header row), one person a row.

    Parameters
    ----------
    path : str or Path
        The file (``.csv``, ``.tsv`` or ``.txt``, optionally ``.gz``; or ``.xlsx``).
    id_col, name_col, email_col, role_col, organization_col, unit_col : str, optional
        Columns of the person id, name, email, role, organization (district, association)
        and unit (school); by default found by name (see :data:`DEFAULT_COLUMNS`).
    account_cols : mapping or list of str, optional
        Account columns and their platforms: ``{"x_user_id": "x"}`` or ``["x_user_id=x"]``,
        in addition to the columns found by name (see :data:`ACCOUNT_PLATFORMS`).
    sheet : str, optional
        The sheet of a workbook (default: the first).
    """

    format = "roster"
    description = ("roster CSV/TSV or XLSX with a header row: one person a row "
                   "(person_id, name, email, ...)")
    unit = "people"
    primary_table = "people"
    option_names = (*_FIELDS, "account_cols", "sheet")

    def __init__(self, path: str | Path, **options: Any) -> None:
        super().__init__(path, **options)
        self.workbook = self.path.suffix.lower() in WORKBOOK_SUFFIXES
        for opt in _FIELDS:
            if opt in self.options and not str(self.options[opt]).strip():
                raise OptionError(f"option {opt} must name a column")
        self.account_cols = _account_option(self.options.get("account_cols"))
        if "sheet" in self.options and not self.workbook:
            raise OptionError(f"{self.path}: option sheet applies only to Excel workbooks "
                              f"({', '.join(WORKBOOK_SUFFIXES)})")

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> bool:
        if path.suffix.lower() in WORKBOOK_SUFFIXES:
            return True  # the only format that reads workbooks
        header = delimited_header(path, head)
        if header is None:
            return False
        names = header[0]
        norm = [_norm(n) for n in names]
        has_name = (_first_of(norm, DEFAULT_COLUMNS["name_col"]) is not None
                    or (_first_of(norm, FIRST_NAME_COLUMNS) is not None
                        and _first_of(norm, LAST_NAME_COLUMNS) is not None))
        return (_first_of(norm, DEFAULT_COLUMNS["id_col"]) is not None and has_name
                and default_pair(names) is None)

    def batches(self, log: ReadLog) -> Iterator[Batch]:
        if self.workbook:
            yield from self._read(self._sheet_records(), log, None, pad=True)
            return
        with open_binary(self.path) as fh:
            raw = getattr(fh, "fileobj", None)  # a .gz file's own file, which gzip leaves open
            try:
                with text_lines(fh) as text:
                    yield from self._read(self._csv_records(text, log), log, fh, pad=False)
            finally:
                if raw is not None:
                    raw.close()

    # -- records -----------------------------------------------------------------------------
    def _csv_records(self, text: IO[str], log: ReadLog) -> Iterator[tuple[int, list[str]]]:
        """``(line, cells)`` of each CSV record; ``line`` is the line it starts on."""
        head = read_head(self.path)
        head_line = first_line(head.decode("utf-8-sig", errors="replace"))
        delimiter = guess_delimiter(text_suffix(self.path), head_line or "")
        reader = csv.reader(text, delimiter=delimiter)
        while True:
            line = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError:
                hint = (" (it looks like an Excel workbook: name it .xlsx)"
                        if head.startswith(b"PK\x03\x04") else " (save it as CSV UTF-8)")
                raise FormatError(f"{self.path}: not UTF-8 text near line {line}; expected "
                                  f"{_EXPECTED}{hint}") from None
            except csv.Error as exc:
                log.reject(line, f"not a readable CSV row ({exc})")
                continue
            except (OSError, EOFError) as exc:  # a damaged .gz file
                raise FormatError(f"{self.path}: cannot read ({exc})") from None
            yield line, row

    def _sheet_records(self) -> Iterator[tuple[int, list[str]]]:
        """``(row number, cells as text)`` of each row of the sheet."""
        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException

        broken = (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError,
                  OSError, EOFError, SyntaxError)  # SyntaxError: XML parse errors
        try:
            wb = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
        except broken as exc:
            raise FormatError(f"{self.path}: cannot read as an Excel workbook "
                              f"({type(exc).__name__}: {exc}); expected {_EXPECTED}") from None
        try:
            ws = self._worksheet(wb)
            ws.reset_dimensions()  # some writers record wrong dimensions; read every cell
            rows = ws.iter_rows(min_row=1, values_only=True)
            number = 0
            while True:
                try:
                    values = next(rows)
                except StopIteration:
                    return
                except broken as exc:
                    raise FormatError(f"{self.path}: cannot read the workbook after row "
                                      f"{number} ({type(exc).__name__}: {exc})") from None
                number += 1
                yield number, [_cell_text(v) for v in values]
        finally:
            wb.close()

    def _worksheet(self, wb: Any) -> Any:
        sheets = wb.worksheets
        if not sheets:
            raise FormatError(f"{self.path}: the workbook has no worksheet; expected {_EXPECTED}")
        wanted = self.options.get("sheet")
        if wanted is None:
            return sheets[0]
        names = [ws.title for ws in sheets]
        wanted = str(wanted).strip()
        lowered = [n.lower() for n in names]
        if wanted in names:
            return sheets[names.index(wanted)]
        if wanted.lower() in lowered:
            return sheets[lowered.index(wanted.lower())]
        raise OptionError(f"{self.path}: no sheet {wanted!r} (option sheet); the workbook has "
                          f"sheets: {', '.join(names)}")

    # -- header and columns ------------------------------------------------------------------
    def _layout(self, header: list[str]) -> _Layout:
        names = _column_names(header)
        have = ", ".join(names)
        norm = [_norm(h) for h in header]
        taken: set[int] = set()
        fields: dict[str, int | None] = {}
        for opt in _FIELDS:  # named columns first, so defaults never take them
            if opt in self.options:
                fields[opt] = self._find(header, opt, self.options[opt], have)
                taken.add(fields[opt])  # type: ignore[arg-type]
        for opt in _FIELDS:
            if opt not in fields:
                fields[opt] = _first_of(norm, DEFAULT_COLUMNS[opt], taken)
                if fields[opt] is not None:
                    taken.add(fields[opt])  # type: ignore[arg-type]
        if fields["id_col"] is None:
            raise FormatError(
                f"{self.path}: no person id column; expected {_EXPECTED}, or name the column "
                f"with id_col (the file has columns: {have})")
        first_last = None
        if fields["name_col"] is None:
            first = _first_of(norm, FIRST_NAME_COLUMNS, taken)
            last = _first_of(norm, LAST_NAME_COLUMNS, taken)
            if first is not None and last is not None:
                first_last = (first, last)
                taken.update(first_last)
        accounts: dict[int, str] = {}
        for i, n in enumerate(norm):
            if i in taken:
                continue
            for name, platform in ACCOUNT_PLATFORMS.items():
                if any(n == name + suffix for suffix in ACCOUNT_SUFFIXES):
                    accounts[i] = platform
        for col, platform in self.account_cols:
            accounts[self._find(header, "account_cols", col, have)] = platform
        attributes = [i for i in range(len(header)) if i not in taken]
        return _Layout(fields, first_last, sorted(accounts.items()), attributes, names)

    def _find(self, header: list[str], opt: str, name: object, have: str) -> int:
        at = find_column(header, name)
        if at is None:
            raise OptionError(f"{self.path}: no column {str(name).strip()!r} (option {opt}); "
                              f"the file has columns: {have}")
        return at

    # -- rows --------------------------------------------------------------------------------
    def _read(self, records: Iterator[tuple[int, list[str]]], log: ReadLog,
              fh: IO[bytes] | None, *, pad: bool) -> Iterator[Batch]:
        total = self.path.stat().st_size
        header: list[str] | None = None
        for _, cells in records:
            if any(c.strip() for c in cells):
                header = [c.strip() for c in cells]
                break
        if header is None:
            raise FormatError(f"{self.path}: the file is empty; expected {_EXPECTED}")
        if pad:  # a sheet's header may run on with empty cells
            while header and not header[-1]:
                header.pop()
        layout = self._layout(header)
        width = len(header)
        names = layout.names
        id_i = layout.fields["id_col"]
        assert id_i is not None
        name_i, email_i = layout.fields["name_col"], layout.fields["email_col"]
        role_i, org_i = layout.fields["role_col"], layout.fields["organization_col"]
        unit_i = layout.fields["unit_col"]
        seen: dict[str, int] = {}
        owners: dict[str, str] = {}
        batch = Batch()
        people = batch.rows["people"]

        def get(values: list[str | None], i: int | None) -> str | None:
            return None if i is None else values[i]

        for line, cells in records:
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != width:
                extra = any(c.strip() for c in cells[width:])
                if extra or (len(cells) < width and not pad):
                    what = "cells" if pad else "fields"
                    log.reject(line, f"row has {len(cells)} {what}, the header has {width}")
                    continue
                cells = cells[:width] + [""] * (width - len(cells))
            values = [_value(c) for c in cells]
            pid = values[id_i]
            if pid is None:
                log.reject(line, f"no person id (column {names[id_i]!r} is empty)")
                continue
            if _SCIENTIFIC.match(pid):
                log.reject(line, f"person id {pid!r} is a number in scientific notation: a "
                                 "spreadsheet rounded it and it lost digits (store ids as text)")
                continue
            if pid in seen:
                log.reject(line, f"person id {pid!r} repeats line {seen[pid]} (the first row "
                                 "with this id is kept)")
                continue
            seen[pid] = line
            name = get(values, name_i)
            if layout.first_last is not None:
                parts = [values[i] for i in layout.first_last]
                name = " ".join(p for p in parts if p) or None
            keys: list[str] = []
            for i, platform in layout.accounts:
                key = self._account(values[i], platform, names[i], line, log)
                if key is not None and key not in keys:
                    keys.append(key)
            attributes = {names[i]: values[i] for i in layout.attributes
                          if values[i] is not None}
            people.append((pid, name, get(values, email_i), get(values, role_i),
                           get(values, org_i), get(values, unit_i),
                           json.dumps(attributes, sort_keys=True, ensure_ascii=False)))
            for key in keys:
                batch.rows["identities"].append((key, pid, "explicit", 1.0))
                owner = owners.setdefault(key, pid)
                if owner != pid:
                    log.note("accounts given for more than one person")
            log.records += 1
            if len(people) >= self.batch_rows:
                if log.progress and fh is not None:
                    log.progress(raw_position(fh), total)
                yield batch
                batch = Batch()
                people = batch.rows["people"]
        if log.progress:
            log.progress(total, total)
        yield batch

    @staticmethod
    def _account(value: str | None, platform: str, column: str, line: int,
                 log: ReadLog) -> str | None:
        """The account key of one cell, or None (a rounded id is rejected to ``log``)."""
        if value is None:
            return None
        prefix = platform + ":"
        native = value[len(prefix):] if value.startswith(prefix) else value
        if _ROUNDED.match(native):
            log.reject(line, f"{column} {value!r} is not a whole id: a spreadsheet rounded it "
                             "to a number and it lost digits (store ids as text); the person "
                             "is kept without this account")
            return None
        if not native.strip():
            log.reject(line, f"{column} {value!r} has no account id after {prefix!r}; the "
                             "person is kept without this account")
            return None
        return prefix + native


def _account_option(value: object) -> list[tuple[str, str]]:
    """``account_cols`` as ``(column, platform)`` pairs, platforms normalized (twitter is x).

    Examples
    --------
    >>> _account_option(["x_user_id=x", "Toot ID = Mastodon"])
    [('x_user_id', 'x'), ('Toot ID', 'mastodon')]
    >>> _account_option({"tw": "twitter"})
    [('tw', 'x')]
    """
    if value is None:
        return []
    pairs: list[tuple[str, str]] = []
    if isinstance(value, Mapping):
        items = [(str(k), str(v)) for k, v in value.items()]
    else:
        if isinstance(value, str):
            entries: Iterable[object] = [value]
        elif isinstance(value, Iterable):
            entries = value
        else:
            raise OptionError("option account_cols: expected a mapping or a list of "
                              f"column=platform, got {value!r}")
        items = []
        for entry in entries:
            column, sep, platform = str(entry).rpartition("=")
            if not sep:
                raise OptionError(f"option account_cols: {entry!r} is not column=platform "
                                  "(e.g. x_user_id=x)")
            items.append((column, platform))
    for column, platform in items:
        column, platform = column.strip(), platform.strip().lower()
        if not column or not platform or ":" in platform:
            raise OptionError(f"option account_cols: {column}={platform} needs a column and a "
                              "platform name without ':' (e.g. x_user_id=x)")
        pairs.append((column, ACCOUNT_PLATFORMS.get(platform, platform)))
    return pairs


def _norm(name: str) -> str:
    """A column name as compared with the defaults: stripped, lowercase, spaces as ``_``."""
    return re.sub(r"\s+", "_", name.strip().lower())


def _first_of(norm: list[str], wanted: Sequence[str], taken: set[int] | None = None
              ) -> int | None:
    """Index of the first of ``wanted`` (in its order) among normalized names, or None."""
    for w in wanted:
        for i, n in enumerate(norm):
            if n == w and (taken is None or i not in taken):
                return i
    return None


def _column_names(header: list[str]) -> list[str]:
    """Names for the attributes: blank ones become ``column N``, repeats get ``.1``, ``.2``.

    Examples
    --------
    >>> _column_names(["id", "", "note", "note"])
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


def _value(cell: str) -> str | None:
    """A cell stripped, or None when it is missing."""
    v = cell.strip()
    return None if v.lower() in MISSING else v


def _cell_text(value: object) -> str:
    """A workbook cell as text, as a person would read it.

    Examples
    --------
    >>> [_cell_text(v) for v in (None, 17, 17.0, 2.5, 1443309687712595975.0, 1e15, "P01")]
    ['', '17', '17', '2.5', '1.443309687712596e+18', '1e+15', 'P01']
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

