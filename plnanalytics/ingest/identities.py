"""Identity corrections: a CSV or TSV of account-person links decided by a person.

The file has a header row with at least the columns ``account`` (an account key
``platform:native_id``) and ``person_id``; other columns are ignored, so the review file
``pln identities --out links.csv`` writes can be edited and read back as it is. Each row
is a decision about one account:

- a person id: the account is that person, stored as the identity
  ``(account, person_id, "manual", 1.0)``;
- ``none`` or ``-`` (any case): the account is no roster person, stored as
  ``(account, "", "rejected", 1.0)`` so that resolution leaves it unlinked;
- empty: undecided; the row is skipped and counted in a note.

Corrections win over every other way of linking an account; of several corrections of one
account, the one of the latest ingest wins (see :mod:`plnanalytics.identity`). Within one
file a later row for an account replaces an earlier one (counted in a note). A correction
naming a person who is not on the roster is ignored by resolution.

A cell a spreadsheet guard prefixed with ``'`` (``'-``, ``'@ann``) is read without it. Rows
without an account, with an account that is not a ``platform:native_id`` key, or with more
cells than the header are rejected with their line; missing cells at the end of a row are
read as empty. Records are the decisions read (after replacements), so records = kept +
duplicates.

Examples
--------
>>> import tempfile, pathlib
>>> from plnanalytics.ingest.base import ReadLog
>>> path = pathlib.Path(tempfile.mkdtemp()) / "links.csv"
>>> _ = path.write_text("account,status,person_id\\n"
...                     "x:10,ambiguous,P001\\n"
...                     "slack:T1/U2,linked,none\\n"
...                     "survey:Ann,unlinked,\\n"
...                     ",linked,P002\\n")
>>> log = ReadLog(str(path))
>>> batch = next(IdentitiesReader(path).batches(log))
>>> batch.rows["identities"]
[('x:10', 'P001', 'manual', 1.0), ('slack:T1/U2', '', 'rejected', 1.0)]
>>> log.records, dict(log.notes), log.rejects[0]
(2, {'rows without a person_id skipped (undecided)': 1}, Reject(line=5, reason='no account'))
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import FormatError
from .base import (
    Batch,
    Reader,
    ReadLog,
    delimited_header,
    find_column,
    first_line,
    guess_delimiter,
    read_head,
    text_suffix,
)
from .edgelist import default_pair
from .sheets import csv_rows, data_rows, open_text, strict_header

#: Person ids that mean "this account is no roster person" (compared case-insensitively).
REJECT_WORDS = frozenset({"none", "-"})

#: Method and confidence of the identities this format stores.
MANUAL = ("manual", 1.0)
REJECTED = ("rejected", 1.0)

#: How many data rows of the head sniffing looks at.
_SNIFF_ROWS = 20
#: First characters a spreadsheet guard protects with a leading ``'``.
_GUARDED = "=+-@\t\r"
_EXPECTED = ("an identities CSV/TSV with a header row and the columns account and person_id "
             "(such as the file `pln identities --out links.csv` writes)")
_UNDECIDED = "rows without a person_id skipped (undecided)"
_REPLACED = "rows replaced by a later row for the same account"


class IdentitiesReader(Reader):
    """Reader for identity corrections (CSV or TSV with ``account`` and ``person_id``).

    Parameters
    ----------
    path : str or Path
        The file (``.csv`` or ``.tsv``, optionally ``.gz``).
    """

    format = "identities"
    description = ("identity corrections CSV/TSV: account, person_id (a roster id, or none); "
                   "the file `pln identities` writes")
    unit = "links"
    primary_table = "identities"
    option_names = ()

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> bool:
        """A header with ``account`` and ``person_id`` and no edge-list pair, whose first
        accounts are ``platform:native_id`` keys (so a roster with an ``account`` column of
        user names is left to the roster reader)."""
        found = delimited_header(path, head)
        if found is None:
            return False
        header, delimiter = found
        at = find_column(header, "account")
        if at is None or find_column(header, "person_id") is None or default_pair(header):
            return False
        text = head.decode("utf-8-sig", errors="replace")
        lines = text.splitlines()
        if len(head) >= 65536 and lines:  # the last line may be cut off
            lines.pop()
        rows = list(csv.reader(lines, delimiter=delimiter))
        start = next((i for i, r in enumerate(rows) if any(f.strip() for f in r)), len(rows))
        values = [_unguard(r[at]) for r in rows[start + 1:start + 1 + _SNIFF_ROWS]
                  if len(r) > at and r[at].strip()]
        return all(":" in v.strip(":") for v in values)

    def batches(self, log: ReadLog) -> Iterator[Batch]:
        path = self.path
        total = path.stat().st_size
        head_line = first_line(read_head(path).decode("utf-8-sig", errors="replace"))
        if head_line is None:
            raise FormatError(f"{path}: the file is empty; expected {_EXPECTED}")
        delimiter = guess_delimiter(text_suffix(path), head_line)
        decisions: dict[str, tuple[str, str, str, float]] = {}
        with open_text(path) as (_, text):
            reader = csv.reader(text, delimiter=delimiter)
            header = self._header(reader)
            self._rows(reader, header, decisions, log)
        batch = Batch()
        batch.rows["identities"] = list(decisions.values())
        log.records += len(decisions)
        if log.progress:
            log.progress(total, total)
        yield batch

    def _header(self, reader: Any) -> list[str]:
        return strict_header(reader, self.path, expected=_EXPECTED)

    def _rows(self, reader: Any, header: list[str],
              decisions: dict[str, tuple[str, str, str, float]], log: ReadLog) -> None:
        ai, pi = find_column(header, "account"), find_column(header, "person_id")
        if ai is None or pi is None:
            missing = " and ".join(c for c, i in (("account", ai), ("person_id", pi))
                                   if i is None)
            raise FormatError(f"{self.path}: no column {missing}; expected {_EXPECTED} (the "
                              f"file has columns: {', '.join(header)})")
        records = csv_rows(reader, self.path, log, expected=_EXPECTED)  # no workbook hint
        for line, row in data_rows(records, len(header), log, pad=True):  # short rows padded
            account = _unguard(row[ai])
            person = _unguard(row[pi])
            if not account:
                log.reject(line, "no account")
                continue
            platform, colon, native = account.partition(":")
            if not colon or not platform.strip() or not native.strip():
                log.reject(line, f"account {account!r} is not an account key platform:native_id "
                                 "(such as x:12345)")
                continue
            if not person:
                log.note(_UNDECIDED)
                continue
            if person.lower() in REJECT_WORDS:
                decision = (account, "", *REJECTED)
            else:
                decision = (account, person, *MANUAL)
            if account in decisions:
                log.note(_REPLACED)
                del decisions[account]  # keep file order: the later row counts as the last
            decisions[account] = decision


def _unguard(cell: str) -> str:
    """A cell stripped, without the ``'`` a spreadsheet formula guard put before it.

    Examples
    --------
    >>> _unguard(" '-"), _unguard("'Brien"), _unguard(" P001 ")
    ('-', "'Brien", 'P001')
    """
    v = cell.strip()
    if len(v) > 1 and v[0] == "'" and v[1] in _GUARDED:
        return v[1:].strip()
    return v
