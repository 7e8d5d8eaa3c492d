"""Group rosters: who belongs to which PLC, cohort, committee or channel (CSV, TSV or XLSX).

Districts and associations keep their groups as spreadsheets in one of two layouts, both
with a header row. Each membership becomes a ``memberships`` row ``(member, group, role,
since, until)``; :func:`plnanalytics.graph.projection.comember_ties` later turns shared
groups into person-person ties.

Long form
    One membership a row: ``person,group[,role,since,until]``. Columns come from the
    options ``member_col``, ``group_col``, ``role_col``, ``since_col`` and ``until_col`` or,
    when not given, from the first column found (case-insensitive; spaces count as ``_``)
    among :data:`DEFAULT_COLUMNS`:

    - member: member, member_id, person_id, person, name, email;
    - group: group, group_name, plc, cohort, committee;
    - role: role, group_role; since: since, start, start_date, joined, joined_at;
      until: until, end, end_date, left, left_at.

Wide form
    One person a row and one column per group, read with ``wide=True``, or when the file
    has no group column. A cell marks a membership when it is ``1``, ``yes``, ``y``,
    ``true``, ``x``, ``✓`` (or ``✔``, ``☑``) or any positive number; ``0``, ``no``, ``n``,
    ``false`` and an empty cell mean not a member (so do ``NA``, ``null``... counted in a
    note). Anything else is rejected, naming the line and the column; the row's other cells
    are still read. The group columns are ``group_cols`` (a list, or names separated by
    commas) or else every column except the member column and the known attribute columns
    (the synonyms above, roster columns such as name, email, district, school, role, and
    account or handle columns such as ``x_user_id``, ``x_handle``). Role and times do not
    apply to the wide form.

Members
    A member's key is ``groups:<value>`` (platform ``groups``; a value already starting
    with ``groups:`` is kept as the key). Each member also gets an ``accounts`` row whose
    ``display_name`` is the value (or the row's name, when the file has a name column
    besides the member column) and whose ``email`` is the value of an email column (the
    member's own value when the member column is the email column), so that identity
    resolution can link ``groups:P001`` to roster person ``P001`` by id and ``groups:Ann
    Lee`` by name. A group's key is its name as written, trimmed.

Times
    ``since`` and ``until`` are read like the edge list's times (ISO 8601, ``YYYY/MM/DD``,
    US ``MM/DD/YYYY``, ``DD.MM.YYYY``, Unix seconds...; workbook dates as dates). A time
    without a zone is read as UTC and counted in the note ``times without a time zone read
    as UTC``.

Bad rows
    A row without a member or a group, with a time that cannot be read, with ``until``
    before ``since``, or with more or fewer cells than the header is rejected with its line
    (the spreadsheet row number for a workbook). A (member, group) pair already read in the
    file is kept once (the first row), counted as a duplicate and in the note
    ``(member, group) pairs repeated in the file (the first row is kept)``. Records are the
    memberships read; re-ingesting the file adds nothing.

Examples
--------
>>> import tempfile, pathlib
>>> from plnanalytics.ingest.base import ReadLog
>>> path = pathlib.Path(tempfile.mkdtemp()) / "plcs.csv"
>>> _ = path.write_text("Person,Group,Role,Since\\n"
...                     "P001,Literacy PLC,facilitator,2024-08-15\\n"
...                     "P002,Literacy PLC,,\\n"
...                     ",Math PLC,,\\n"
...                     "P002,Literacy PLC,member,\\n")
>>> log = ReadLog(str(path))
>>> batch = next(GroupsReader(path).batches(log))
>>> for row in batch.rows["memberships"]:
...     print(row)  # doctest: +NORMALIZE_WHITESPACE
('groups:P001', 'Literacy PLC', 'facilitator',
 datetime.datetime(2024, 8, 15, 0, 0, tzinfo=datetime.timezone.utc), None)
('groups:P002', 'Literacy PLC', None, None, None)
>>> [a[:4] for a in batch.rows["accounts"]]
[('groups:P001', 'groups', None, 'P001'), ('groups:P002', 'groups', None, 'P002')]
>>> log.records, log.rejects[0]
(3, Reject(line=4, reason="no member (column 'Person' is empty)"))

The wide form: one column per group.

>>> _ = path.write_text("name,Literacy PLC,Math PLC,Mentors\\nAnn Lee,x,,yes\\nBo Ng,0,1,maybe\\n")
>>> log = ReadLog(str(path))
>>> batch = next(GroupsReader(path).batches(log))
>>> [r[:2] for r in batch.rows["memberships"]]
[('groups:Ann Lee', 'Literacy PLC'), ('groups:Ann Lee', 'Mentors'), ('groups:Bo Ng', 'Math PLC')]
>>> print(log.rejects[0].reason)  # doctest: +ELLIPSIS
column 'Mentors': 'maybe' is not a membership mark (... for a member; ... for not)
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import FormatError, OptionError
from .base import Batch, ReadLog, delimited_header, raw_position
from .edgelist import _TIME_FORMATS, default_pair, parse_time
from .roster import (
    ACCOUNT_PLATFORMS,
    ACCOUNT_SUFFIXES,
    FIRST_NAME_COLUMNS,
    LAST_NAME_COLUMNS,
)
from .roster import DEFAULT_COLUMNS as ROSTER_COLUMNS
from .sheets import (
    MISSING,
    WORKBOOK_SUFFIXES,
    Table,
    TableReader,
    cell_value,
    column_names,
    first_of,
    norm_name,
    workbook_header,
)

#: Platform of the member keys (``groups:<value>``).
PLATFORM = "groups"

#: Default columns of each field, tried in order (compared case-insensitively).
DEFAULT_COLUMNS: dict[str, tuple[str, ...]] = {
    "member_col": ("member", "member_id", "person_id", "person", "name", "email"),
    "group_col": ("group", "group_name", "plc", "cohort", "committee"),
    "role_col": ("role", "group_role"),
    "since_col": ("since", "start", "start_date", "joined", "joined_at"),
    "until_col": ("until", "end", "end_date", "left", "left_at"),
}

#: Columns that give a member's display name and email when they are not the member column.
NAME_COLUMNS = ("name", "full_name", "display_name")
EMAIL_COLUMNS = ("email", "e-mail", "email_address")

#: Group columns that make a file clearly a long-form groups file when sniffing.
SNIFF_GROUP_COLUMNS = ("group", "group_name")

#: Wide-form cells that mark a membership, and those that do not (lowercase).
TRUE_MARKS = frozenset({"1", "yes", "y", "true", "x", "✓", "✔", "☑"})
FALSE_MARKS = frozenset({"0", "no", "n", "false", ""})

_FIELDS = ("member_col", "group_col", "role_col", "since_col", "until_col")
_LONG_ONLY = ("group_col", "role_col", "since_col", "until_col")
_NAIVE_NOTE = "times without a time zone read as UTC"
_DUPLICATE_NOTE = "(member, group) pairs repeated in the file (the first row is kept)"
_MISSING_NOTE = "wide-form cells marked missing (NA, null...) read as not a member"
_UNNAMED_NOTE = "wide-form cells under a column without a name ignored"
_EXPECTED = ("a groups CSV/TSV or XLSX file with a header row: one membership a row "
             "(member, group, ...) or one person a row with a column per group")
_MARKS_HELP = ("1, yes, y, true, x or ✓ for a member; 0, no, n, false or empty for not")

#: Columns that are never groups in the wide form (normalized names).
_KNOWN = frozenset(
    [n for names in DEFAULT_COLUMNS.values() for n in names]
    + [n for names in ROSTER_COLUMNS.values() for n in names]
    + list(NAME_COLUMNS) + list(EMAIL_COLUMNS) + list(FIRST_NAME_COLUMNS)
    + list(LAST_NAME_COLUMNS)
    + [p + s for p in ACCOUNT_PLATFORMS for s in (*ACCOUNT_SUFFIXES, "_handle")])


@dataclass
class _Layout:
    """Where each field is in the header (indices)."""

    member: int
    wide: bool
    group: int | None = None
    role: int | None = None
    since: int | None = None
    until: int | None = None
    groups: tuple[int, ...] = ()
    name: int | None = None
    email: int | None = None
    member_is_email: bool = False
    unnamed: tuple[int, ...] = ()


class GroupsReader(TableReader):
    """Reader for group rosters (CSV, TSV or XLSX with a header row), long or wide form.

    Parameters
    ----------
    path : str or Path
        The file (``.csv``, ``.tsv`` or ``.txt``, optionally ``.gz``; or ``.xlsx``).
    member_col, group_col, role_col, since_col, until_col : str, optional
        Columns of the member, the group (long form), the member's role in the group and
        when the membership began and ended; by default found by name
        (:data:`DEFAULT_COLUMNS`).
    wide : bool, optional
        Read one person a row with one column per group (default: when the file has no
        group column).
    group_cols : list of str or str, optional
        The group columns of the wide form (names separated by commas in one string, or a
        list); implies ``wide``.
    sheet : str, optional
        The sheet of a workbook (default: the first).
    """

    format = "groups"
    description = ("group rosters CSV/TSV or XLSX: one membership a row (member, group, ...) "
                   "or one person a row with a column per group")
    unit = "memberships"
    primary_table = "memberships"
    option_names = (*_FIELDS, "wide", "group_cols", "sheet")
    expected = _EXPECTED
    column_options = _FIELDS

    def _parse_options(self) -> None:
        self.wide = _bool_option(self.options.get("wide"))
        self.group_cols = _list_option(self.options.get("group_cols"))
        if self.group_cols is not None:
            if self.wide is False:
                raise OptionError("option group_cols names the columns of the wide form; it "
                                  "cannot be used with wide=False")
            self.wide = True
        if self.wide:
            given = [opt for opt in _LONG_ONLY if opt in self.options]
            if given:
                raise OptionError(f"option(s) {', '.join(given)} apply only to the long form "
                                  "(one membership a row), not with wide or group_cols")

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> bool:
        """Claims only clear long-form files: a member column, a ``group`` (or
        ``group_name``) column, and no column that a groups file would not have."""
        if path.suffix.lower() in WORKBOOK_SUFFIXES:
            header = workbook_header(path)
        else:
            found = delimited_header(path, head)
            header = found[0] if found else None
        if not header:
            return False
        norm = [norm_name(h) for h in header if h.strip()]
        known = {n for names in DEFAULT_COLUMNS.values() for n in names}
        known |= set(NAME_COLUMNS) | set(EMAIL_COLUMNS)
        return (any(n in SNIFF_GROUP_COLUMNS for n in norm)
                and first_of(norm, DEFAULT_COLUMNS["member_col"]) is not None
                and all(n in known for n in norm)
                and default_pair(header) is None)

    # -- header and columns ------------------------------------------------------------------
    def _layout(self, header: list[str]) -> _Layout:
        have = ", ".join(column_names(header))
        norm = [norm_name(h) for h in header]
        found, _ = self._columns(header, DEFAULT_COLUMNS, have,
                                 search=_FIELDS if not self.wide else ("member_col",))
        member = found["member_col"]
        if member is None:
            looked = ", ".join(DEFAULT_COLUMNS["member_col"])
            raise FormatError(f"{self.path}: no member column (looked for {looked}); name it "
                              f"with member_col (the file has columns: {have})")
        dupes = [opt for opt in _FIELDS if opt != "member_col" and found.get(opt) == member]
        if dupes:
            raise OptionError(f"{self.path}: {dupes[0]} names the member column "
                              f"{header[member]!r}")
        name = first_of(norm, NAME_COLUMNS, {member})
        email = first_of(norm, EMAIL_COLUMNS, {member})
        layout = _Layout(member=member, wide=bool(self.wide), name=name, email=email,
                         member_is_email=norm[member] in EMAIL_COLUMNS)
        if not self.wide and found.get("group_col") is not None:
            layout.group = found["group_col"]
            layout.role, layout.since = found.get("role_col"), found.get("since_col")
            layout.until = found.get("until_col")
            return layout
        if self.wide is False:
            looked = ", ".join(DEFAULT_COLUMNS["group_col"])
            raise FormatError(f"{self.path}: no group column (looked for {looked}); name it "
                              f"with group_col, or read one column per group with wide "
                              f"(the file has columns: {have})")
        layout.wide = True
        if self.group_cols is not None:
            cols: list[int] = []
            for col in self.group_cols:
                at = self._column(header, "group_cols", col, have)
                if at == member:
                    raise OptionError(f"{self.path}: group_cols names the member column "
                                      f"{header[member]!r}")
                if at not in cols:
                    cols.append(at)
            layout.groups = tuple(sorted(cols))  # read in the file's order
        else:
            layout.groups = tuple(i for i, n in enumerate(norm)
                                  if i != member and header[i].strip() and n not in _KNOWN)
            layout.unnamed = tuple(i for i, h in enumerate(header) if not h.strip())
        if not layout.groups:
            raise FormatError(f"{self.path}: no group column: expected a group column "
                              f"({', '.join(DEFAULT_COLUMNS['group_col'])}) or, in the wide "
                              f"form, one column per group besides {header[member]!r} (name "
                              f"them with group_cols; the file has columns: {have})")
        return layout

    # -- rows --------------------------------------------------------------------------------
    def _read(self, table: Table, log: ReadLog) -> Iterator[Batch]:
        total = self.path.stat().st_size
        header = table.header()
        layout = self._layout(header)
        names = column_names(header)
        width = len(header)
        formats = list(_TIME_FORMATS)
        seen: set[tuple[str, str]] = set()
        counts = {"naive": 0, "duplicates": 0, "missing": 0, "unnamed": 0}
        batch = Batch()
        accounts: dict[str, tuple[Any, ...]] = {}

        def add(key: str, group: str, row: tuple[Any, ...], account: tuple[Any, ...]) -> None:
            log.records += 1
            if (key, group) in seen:
                counts["duplicates"] += 1
                return
            seen.add((key, group))
            batch.rows["memberships"].append(row)
            accounts.setdefault(key, account)

        for line, cells in table.rows(width, log):
            value = cell_value(cells[layout.member])
            if value is None or not value.removeprefix(PLATFORM + ":").strip():
                log.reject(line, f"no member (column {names[layout.member]!r} is empty)")
                continue
            key = value if value.startswith(PLATFORM + ":") else f"{PLATFORM}:{value}"
            shown = value.removeprefix(PLATFORM + ":")
            display = (cell_value(cells[layout.name]) if layout.name is not None else None) or shown
            email = cell_value(cells[layout.email]) if layout.email is not None else None
            if email is None and layout.member_is_email:
                email = shown
            account = (key, PLATFORM, None, display, email, *(None,) * 8)
            if layout.wide:
                for i in layout.unnamed:
                    counts["unnamed"] += bool(cells[i].strip())
                for i in layout.groups:
                    mark = _mark(cells[i])
                    if mark is None:
                        log.reject(line, f"column {names[i]!r}: {cells[i].strip()!r} is not a "
                                         f"membership mark ({_MARKS_HELP})")
                    elif mark == "missing":
                        counts["missing"] += 1
                    elif mark:
                        add(key, header[i], (key, header[i], None, None, None), account)
            else:
                assert layout.group is not None
                group = cell_value(cells[layout.group])
                if group is None:
                    log.reject(line, f"no group (column {names[layout.group]!r} is empty)")
                    continue
                try:
                    since, naive_since = _time(cells, layout.since, names, formats)
                    until, naive_until = _time(cells, layout.until, names, formats)
                except ValueError as exc:
                    log.reject(line, str(exc))
                    continue
                if since is not None and until is not None and until < since:
                    log.reject(line, f"{names[layout.until or 0]} {until.isoformat()} is "
                                     f"before {names[layout.since or 0]} {since.isoformat()}")
                    continue
                counts["naive"] += naive_since + naive_until
                role = cell_value(cells[layout.role]) if layout.role is not None else None
                add(key, group, (key, group, role, since, until), account)
            if len(batch.rows["memberships"]) >= self.batch_rows:
                batch.rows["accounts"] = list(accounts.values())
                if log.progress and table.fh is not None:
                    log.progress(raw_position(table.fh), total)
                yield batch
                batch = Batch()
                accounts = {}
        for note, n in ((_NAIVE_NOTE, counts["naive"]), (_DUPLICATE_NOTE, counts["duplicates"]),
                        (_MISSING_NOTE, counts["missing"]), (_UNNAMED_NOTE, counts["unnamed"])):
            if n:
                log.note(note, n)
        if log.progress:
            log.progress(total, total)
        batch.rows["accounts"] = list(accounts.values())
        yield batch


def _time(cells: list[str], i: int | None, names: list[str], formats: list[str]
          ) -> tuple[datetime | None, bool]:
    """The time in column ``i`` (None when there is no such column or it is empty), and
    whether it had no time zone.

    Raises ValueError naming the column when the time cannot be read.
    """
    text = cell_value(cells[i]) if i is not None else None
    if text is None:
        return None, False
    try:
        return parse_time(text, formats)
    except ValueError as exc:
        raise ValueError(f"{names[i]}: {exc}") from None  # type: ignore[index]


def _mark(cell: str) -> bool | str | None:
    """What a wide-form cell says: True (member), False (not), ``"missing"`` or None (unreadable).

    Examples
    --------
    >>> [_mark(c) for c in ("X", " yes", "2", "0.0", "", "No", "NA", "-1", "maybe")]
    [True, True, True, False, False, False, 'missing', None, None]
    """
    v = cell.strip().lower()
    if v in TRUE_MARKS:
        return True
    if v in FALSE_MARKS:
        return False
    if v in MISSING:
        return "missing"
    try:
        number = float(v)
    except ValueError:
        return None
    if not math.isfinite(number) or number < 0:
        return None
    return number > 0


def _bool_option(value: object) -> bool | None:
    """The ``wide`` option as a bool (``"true"``, ``"no"``, ``1``... are understood).

    Examples
    --------
    >>> _bool_option("Yes"), _bool_option(False), _bool_option(None)
    (True, False, None)
    """
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "y", "on"):
        return True
    if text in ("0", "false", "no", "n", "off"):
        return False
    raise OptionError(f"option wide must be true or false (got {value!r})")


def _list_option(value: object) -> list[str] | None:
    """``group_cols`` as a list of names: a list, or one string of names separated by commas.

    Examples
    --------
    >>> _list_option("PLC A, PLC B"), _list_option(["Mentors"])
    (['PLC A', 'PLC B'], ['Mentors'])
    """
    if value is None:
        return None
    if isinstance(value, str):
        items = [v for v in (s.strip() for s in next(csv.reader([value]))) if v]
    elif isinstance(value, list | tuple):
        items = [str(v).strip() for v in value if str(v).strip()]
    else:
        raise OptionError(f"option group_cols: expected a list of column names, got {value!r}")
    if not items:
        raise OptionError("option group_cols must name at least one column")
    return items
