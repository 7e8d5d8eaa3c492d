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

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import FormatError, OptionError
from .base import Batch, ReadLog, delimited_header, raw_position
from .edgelist import default_pair
from .sheets import (
    WORKBOOK_SUFFIXES,
    Table,
    TableReader,
    cell_text,
    cell_value,
    column_names,
    first_of,
    norm_name,
    pairs_option,
)

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

_FIELDS = ("id_col", "name_col", "email_col", "role_col", "organization_col", "unit_col")
#: A number as a spreadsheet writes it: scientific notation or a decimal point.
_ROUNDED = re.compile(r"^[+-]?(\d+([.,]\d*)?[eE][+-]?\d+|\d*\.\d+|\d+\.)$")
_SCIENTIFIC = re.compile(r"^[+-]?\d+([.,]\d*)?[eE][+-]?\d+$")
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


class RosterReader(TableReader):
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
    expected = _EXPECTED
    column_options = _FIELDS

    def _parse_options(self) -> None:
        self.account_cols = _account_option(self.options.get("account_cols"))

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> bool:
        if path.suffix.lower() in WORKBOOK_SUFFIXES:
            return True  # the only format that reads workbooks
        header = delimited_header(path, head)
        if header is None:
            return False
        names = header[0]
        norm = [norm_name(n) for n in names]
        has_name = (first_of(norm, DEFAULT_COLUMNS["name_col"]) is not None
                    or (first_of(norm, FIRST_NAME_COLUMNS) is not None
                        and first_of(norm, LAST_NAME_COLUMNS) is not None))
        return (first_of(norm, DEFAULT_COLUMNS["id_col"]) is not None and has_name
                and default_pair(names) is None)

    # -- header and columns ------------------------------------------------------------------
    def _layout(self, header: list[str]) -> _Layout:
        names = column_names(header)
        have = ", ".join(names)
        norm = [norm_name(h) for h in header]
        fields, taken = self._columns(header, DEFAULT_COLUMNS, have)
        if fields["id_col"] is None:
            raise FormatError(
                f"{self.path}: no person id column; expected {_EXPECTED}, or name the column "
                f"with id_col (the file has columns: {have})")
        first_last = None
        if fields["name_col"] is None:
            first = first_of(norm, FIRST_NAME_COLUMNS, taken)
            last = first_of(norm, LAST_NAME_COLUMNS, taken)
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
            accounts[self._column(header, "account_cols", col, have)] = platform
        attributes = [i for i in range(len(header)) if i not in taken]
        return _Layout(fields, first_last, sorted(accounts.items()), attributes, names)

    # -- rows --------------------------------------------------------------------------------
    def _read(self, table: Table, log: ReadLog) -> Iterator[Batch]:
        total = self.path.stat().st_size
        header = table.header()
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

        for line, cells in table.rows(width, log):
            values = [cell_value(c) for c in cells]
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
                if log.progress and table.fh is not None:
                    log.progress(raw_position(table.fh), total)
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
    items = pairs_option("account_cols", value, expected="a mapping or a list of column=platform",
                         form="column=platform", example="x_user_id=x", last=True)
    for column, platform in items:
        column, platform = column.strip(), platform.strip().lower()
        if not column or not platform or ":" in platform:
            raise OptionError(f"option account_cols: {column}={platform} needs a column and a "
                              "platform name without ':' (e.g. x_user_id=x)")
        pairs.append((column, ACCOUNT_PLATFORMS.get(platform, platform)))
    return pairs


#: The workbook cell reader under its former name here (the tests of this module use it).
_cell_text = cell_text
