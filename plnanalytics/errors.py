"""Errors raised by plnanalytics.

Every error a user can cause derives from :class:`PlnError` and carries a message that
names what went wrong and what was expected, so the CLI can print it as one sentence.

Examples
--------
>>> from plnanalytics.errors import FormatError, PlnError
>>> issubclass(FormatError, PlnError)
True
>>> str(FormatError("data.csv: expected a TAGS archive"))
'data.csv: expected a TAGS archive'
"""

from __future__ import annotations


class PlnError(Exception):
    """Base class of every error a user can cause (bad input, bad options, bad store)."""


class SchemaError(PlnError):
    """A table does not match the normalized schema (missing column, wrong type, naive time)."""


class FormatError(PlnError):
    """A file cannot be read as the format asked for, or its format cannot be recognized."""


class RecordError(FormatError):
    """One record of a file cannot be read; raised only in strict mode.

    Parameters
    ----------
    path : str
        The file.
    line : int
        1-based line (or row) number in the file.
    reason : str
        What is wrong with the record.
    """

    def __init__(self, path: str, line: int, reason: str) -> None:
        self.path, self.line, self.reason = path, line, reason
        super().__init__(f"{path}, line {line}: {reason}")


class OptionError(PlnError):
    """An option is missing or does not fit the format (for example an unknown column)."""


class StoreError(PlnError):
    """The project store cannot be opened, read or written."""
