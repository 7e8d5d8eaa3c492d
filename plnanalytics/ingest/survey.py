"""Advice and collaboration surveys (name generators): who names whom, for which question.

Network surveys of school and district leaders ask each respondent questions such as "Whom
do you go to for advice about instruction?", with up to *k* names per question and often a
frequency rating (1 = a few times a year ... 4 = weekly). This reader turns such a survey,
as CSV, TSV or XLSX with a header row, into ties.

Layouts
    *Long*: one nomination a row, ``respondent, nominee[, relation][, frequency]``. Columns
    are found by option or, when it is not given, as the first column (case-insensitive;
    spaces count as ``_``) among :data:`DEFAULT_COLUMNS`:

    - respondent (``respondent_col``): respondent, respondent_id, ego, person_id, name;
    - nominee (``nominee_col``): nominee, alter, named;
    - relation (``relation_col``): relation, question; without one every row has the
      relation given by the option ``relation`` (default ``advice``);
    - frequency (``frequency_col``): frequency, freq, rating, weight.

    A row with a respondent and no nominee records the respondent (for its relation, or for
    every relation of the file when the relation is empty too) without a tie.

    *Wide*: one respondent a row, with nominee columns ``<relation>_<i>`` (``advice_1`` ...
    ``advice_5``, ``collab_1`` ... ``collab_3``) and optional frequency columns
    ``<relation>_<i>_freq`` or ``<relation>_freq_<i>`` (``frequency`` and ``rating`` work
    in place of ``freq``). The relation is the column prefix. A file is read as wide when it
    has no nominee column and has such columns; the option ``wide`` forces either layout.

Ties
    Respondents and nominees become accounts ``survey:<value>``: the value as written,
    trimmed (a value already starting with ``survey:`` is kept as the key), so ids give
    ``survey:P001`` and names ``survey:Ann Lee``. Each account row has the value as its
    ``display_name``; linking these accounts to roster people (by id or by name) is the job
    of :mod:`plnanalytics.identity`. Cells that are empty or read ``NA``, ``N/A``, ``#N/A``,
    ``null`` or ``None`` are missing.

    Each tie is one interaction of platform ``survey`` and kind the relation name (lowercase,
    spaces as ``_``: ``advice``, ``collaboration``), from the respondent to the nominee, at
    the survey date (option ``date``, ISO 8601; a date alone is midnight UTC; else no time),
    with the frequency as weight (1 without one) and, as context, the question text given
    for the relation by the option ``questions`` (a mapping ``relation -> text`` or a list of
    ``relation=text``), else the relation name. Its ``post_id`` is a stable key,
    ``survey:<sha1 hex of src|relation|dst>`` (``|<date>`` appended when a date is given, so
    two waves of one survey stay apart), so re-ingesting a file adds nothing.

    With ``min_frequency`` (e.g. 3 on a 4-point scale, the usual cut-off), nominations rated
    below it, or not rated, are not ties; they are counted in notes. A frequency that is not
    a number (or is negative) rejects that nomination, with its line and column. A
    self-nomination is not a tie; a nomination repeating an earlier one (same respondent,
    relation and nominee; the first is kept) is one tie. Both are counted in notes.

Respondents (the convention the graph layer relies on)
    A survey must tell "did not answer" apart from "answered and named nobody". Every
    respondent, that is every readable row's respondent, whether or not it names anyone,
    becomes one membership ``(member="survey:<respondent>", group="survey:<relation>",
    role="respondent", since=<survey date>)`` **for each relation the file asks about**
    (the relations of its rows or wide columns). So, for a relation:

    - a respondent membership with ties: answered and named these people;
    - a respondent membership without ties: answered and named nobody;
    - no respondent membership (e.g. a roster person, once identities are resolved): did
      not answer the survey; such people may still be nominated by others.

    The notes count, per relation, the respondents who named nobody. Naming only oneself is
    naming nobody; a nomination that is not a tie (rated below ``min_frequency``, or with
    an unreadable frequency) still means the respondent named someone.

Bad rows
    A row without a respondent, a row with more or fewer cells than the header (only empty
    extra cells are allowed), and, in the long layout, a nomination with an empty relation
    cell are rejected with their line (the sheet's row number in a workbook). A frequency
    that is not a number rejects that one nomination. Records are the ties read.

Workbooks are read with openpyxl (the first sheet, or the one named by ``sheet``), cells as
text as a person reads them (``17.0`` is ``17``). Sniffing claims a CSV or TSV whose header
clearly is a survey (a respondent column and a nominee column, or numbered nominee columns
of a known relation or with frequency columns, and no edge-list column pair); name the
format ``survey`` for a workbook or any other file.

Examples
--------
>>> import tempfile, pathlib
>>> from plnanalytics.ingest.base import ReadLog
>>> path = pathlib.Path(tempfile.mkdtemp()) / "advice.csv"
>>> _ = path.write_text("respondent,nominee,relation,frequency\\n"
...                     "P001,P002,advice,4\\n"
...                     "P001,Ann Lee,advice,2\\n"
...                     "P002,,advice,\\n"
...                     "P003,P001,Collaboration,three\\n")
>>> log = ReadLog(str(path))
>>> batch = next(SurveyReader(path, min_frequency=3, date="2024-03-01").batches(log))
>>> for row in batch.rows["interactions"]:
...     print(row[:4], row[5], row[6])
('survey', 'advice', 'survey:P001', 'survey:P002') 4.0 advice
>>> sorted((m[0], m[1]) for m in batch.rows["memberships"])  # doctest: +NORMALIZE_WHITESPACE
[('survey:P001', 'survey:advice'), ('survey:P001', 'survey:collaboration'),
 ('survey:P002', 'survey:advice'), ('survey:P002', 'survey:collaboration'),
 ('survey:P003', 'survey:advice'), ('survey:P003', 'survey:collaboration')]
>>> for note, n in sorted(log.notes.items()):
...     print(n, note)
1 nominations below frequency 3 not counted as ties
2 respondents who named nobody for advice
2 respondents who named nobody for collaboration
>>> for r in log.rejects:
...     print(r.line, r.reason)
5 frequency 'three' (column 'frequency') is not a number; the nomination of 'P001' is skipped
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from ..errors import FormatError, OptionError
from .base import Batch, ReadLog, delimited_header, raw_position
from .edgelist import default_pair
from .sheets import Table, TableReader, cell_value, first_of, norm_name, pairs_option

#: Platform of every survey account and interaction.
PLATFORM = "survey"

#: Role of a respondent's membership in the group ``survey:<relation>``.
RESPONDENT_ROLE = "respondent"

#: Columns of the long layout tried in order when no option names them (case-insensitive).
DEFAULT_COLUMNS: dict[str, tuple[str, ...]] = {
    "respondent_col": ("respondent", "respondent_id", "ego", "person_id", "name"),
    "nominee_col": ("nominee", "alter", "named"),
    "relation_col": ("relation", "question"),
    "frequency_col": ("frequency", "freq", "rating", "weight"),
}

#: Column-name prefixes (first word) that make numbered columns clearly a name generator
#: when sniffing, e.g. ``advice_1`` or ``collab_instruction_2``.
RELATION_WORDS = frozenset({
    "advice", "advise", "advisor", "ask", "collab", "collaborate", "collaboration",
    "collaborator", "colleague", "contact", "discuss", "discussion", "expertise", "friend",
    "friends", "friendship", "help", "influence", "info", "information", "innovation",
    "mentor", "mentoring", "name", "named", "nominee", "alter", "peer", "support", "talk",
    "trust",
})

_LONG_ONLY = ("nominee_col", "relation_col", "frequency_col", "relation")
_COLUMN_OPTIONS = ("respondent_col", "nominee_col", "relation_col", "frequency_col")
_FREQ = r"(?:freq|frequency|rating)"
_WIDE_FREQ = (re.compile(rf"^(?P<rel>.+?)_(?P<i>\d+)_{_FREQ}$"),
              re.compile(rf"^(?P<rel>.+?)_{_FREQ}_(?P<i>\d+)$"))
_WIDE_NOMINEE = re.compile(r"^(?P<rel>.+?)_(?P<i>\d+)$")
_TRUE = frozenset({"true", "yes", "1", "on", "wide"})
_FALSE = frozenset({"false", "no", "0", "off", "long"})
_EXPECTED = ("a survey CSV/TSV or XLSX file with a header row: a respondent column and "
             "either a nominee column (long: respondent, nominee[, relation, frequency]) or "
             "numbered nominee columns (wide: advice_1, advice_2, ...)")


@dataclass
class _Wide:
    """Wide columns: per relation, its ``(i, nominee column, frequency column)`` slots."""

    relations: dict[str, list[tuple[int, int, int | None]]] = field(default_factory=dict)
    orphans: list[int] = field(default_factory=list)  # frequency columns without a nominee


@dataclass
class _Layout:
    """Where the respondent is and how nominations are laid out in a header."""

    respondent: int
    wide: _Wide | None = None
    nominee: int | None = None
    relation: int | None = None
    frequency: int | None = None
    names: list[str] = field(default_factory=list)


class SurveyReader(TableReader):
    """Reader for network surveys (name generators), long or wide, CSV/TSV or XLSX.

    Parameters
    ----------
    path : str or Path
        The file (``.csv``, ``.tsv`` or ``.txt``, optionally ``.gz``; or ``.xlsx``).
    respondent_col, nominee_col, relation_col, frequency_col : str, optional
        Columns of the long layout (default: found by name, see :data:`DEFAULT_COLUMNS`);
        ``respondent_col`` applies to the wide layout too.
    relation : str
        The relation of every row of a long file without a relation column (default
        ``advice``).
    wide : bool or str, optional
        Force the wide (true) or the long (false) layout; default: detected.
    min_frequency : float, optional
        Nominations rated below this (or not rated) are not ties; default: every
        nomination is a tie.
    date : str, date or datetime, optional
        The survey date (ISO 8601): the time of every tie.
    questions : mapping or list of str, optional
        Question text per relation, ``{"advice": "Whom do you go to ..."}`` or
        ``["advice=Whom do you go to ..."]``: the context of its ties.
    sheet : str, optional
        The sheet of a workbook (default: the first).
    """

    format = "survey"
    description = ("network survey (name generator) CSV/TSV or XLSX: one nomination a row "
                   "(respondent, nominee, relation, frequency) or one respondent a row "
                   "(respondent, advice_1, advice_2, ...)")
    unit = "ties"
    primary_table = "interactions"
    option_names = (*_COLUMN_OPTIONS, "relation", "wide", "min_frequency", "date",
                    "questions", "sheet")
    expected = _EXPECTED
    column_options = _COLUMN_OPTIONS

    def _parse_options(self) -> None:
        opts = self.options
        self.relation = relation_name(str(opts.get("relation", "advice")))
        if not self.relation:
            raise OptionError("option relation must not be empty")
        self.wide = _flag("wide", opts.get("wide"))
        if self.wide:
            self._check_wide_options()
        self.min_frequency = _number("min_frequency", opts.get("min_frequency"))
        self.ts = _date(opts.get("date"))
        self.questions = _questions(opts.get("questions"))

    def _check_wide_options(self) -> None:
        given = [o for o in _LONG_ONLY if o in self.options]
        if given:
            raise OptionError(f"{self.path}: option(s) {', '.join(given)} apply only to the "
                              "long layout (one nomination a row), and this file is read as "
                              "wide (one respondent a row)")

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> bool:
        header = delimited_header(path, head)
        if header is None or default_pair(header[0]) is not None:
            return False  # workbooks and edge lists (ego/alter...) are other formats'
        norm = [norm_name(h) for h in header[0]]
        respondent = first_of(norm, DEFAULT_COLUMNS["respondent_col"])
        if respondent is None:
            return False
        if first_of(norm, DEFAULT_COLUMNS["nominee_col"], {respondent}) is not None:
            return True
        wide = _wide_columns(norm, {respondent})
        survey_respondent = norm[respondent] in ("respondent", "respondent_id", "ego")
        for rel, slots in wide.relations.items():
            numbered = {i for i, _, _ in slots}
            rated = any(f is not None for _, _, f in slots)
            if 1 in numbered and (survey_respondent or rated
                                  or rel.split("_")[0] in RELATION_WORDS):
                return True
        return False

    # -- header and layout -------------------------------------------------------------------
    def _layout(self, header: list[str]) -> _Layout:
        names = [h or f"column {i + 1}" for i, h in enumerate(header)]
        have = ", ".join(names)
        norm = [norm_name(h) for h in header]
        opts = self.options
        named = {opt: self._column(header, opt, opts[opt], have)
                 for opt in _COLUMN_OPTIONS if opt in opts}
        taken = set(named.values())
        if len(taken) < len(named):
            raise OptionError(f"{self.path}: options {', '.join(named)} name the same column "
                              "twice")
        respondent = named.get("respondent_col")
        if respondent is None:
            respondent = first_of(norm, DEFAULT_COLUMNS["respondent_col"], taken)
        if respondent is None:
            raise FormatError(
                f"{self.path}: no respondent column (looked for "
                f"{', '.join(DEFAULT_COLUMNS['respondent_col'])}); expected {_EXPECTED}, or "
                f"name the column with respondent_col (the file has columns: {have})")
        taken.add(respondent)
        nominee = named.get("nominee_col")
        if nominee is None and self.wide is not True:
            nominee = first_of(norm, DEFAULT_COLUMNS["nominee_col"], taken)
        wide = self.wide if self.wide is not None else nominee is None
        if wide:
            self._check_wide_options()
            columns = _wide_columns(norm, {respondent})
            if not columns.relations:
                raise FormatError(
                    f"{self.path}: no nominee column (looked for "
                    f"{', '.join(DEFAULT_COLUMNS['nominee_col'])}) and no numbered nominee "
                    f"columns such as advice_1; expected {_EXPECTED}, or name the column with "
                    f"nominee_col (the file has columns: {have})")
            if columns.orphans:
                orphans = ", ".join(repr(names[i]) for i in columns.orphans)
                raise FormatError(f"{self.path}: frequency column(s) {orphans} have no "
                                  "nominee column of the same relation and number (e.g. "
                                  "advice_1_freq needs advice_1)")
            return _Layout(respondent, wide=columns, names=names)
        if nominee is None:
            raise FormatError(
                f"{self.path}: no nominee column (looked for "
                f"{', '.join(DEFAULT_COLUMNS['nominee_col'])}); expected {_EXPECTED}, or name "
                f"the column with nominee_col (the file has columns: {have})")
        taken.add(nominee)
        found = {}
        for opt in ("relation_col", "frequency_col"):
            found[opt] = named.get(opt)
            if found[opt] is None:
                found[opt] = first_of(norm, DEFAULT_COLUMNS[opt], taken)
                if found[opt] is not None:
                    taken.add(found[opt])  # type: ignore[arg-type]
        if found["relation_col"] is not None and "relation" in opts:
            raise OptionError(
                f"{self.path}: option relation applies only to a file without a relation "
                f"column, and this file has {names[found['relation_col']]!r} (name the "
                "relation of each row there)")
        return _Layout(respondent, nominee=nominee, relation=found["relation_col"],
                       frequency=found["frequency_col"], names=names)

    # -- rows --------------------------------------------------------------------------------
    def _read(self, table: Table, log: ReadLog) -> Iterator[Batch]:
        total = self.path.stat().st_size
        header = table.header()
        layout = self._layout(header)
        names, width = layout.names, len(header)
        ts, threshold = self.ts, self.min_frequency
        date_key = f"|{ts.isoformat()}" if ts is not None else ""
        # respondent key -> relations it named someone for; relations asked, in file order
        respondents: dict[str, set[str]] = {}
        relations: dict[str, None] = {}
        if layout.wide is not None:
            relations.update(dict.fromkeys(layout.wide.relations))
        elif layout.relation is None:
            relations[self.relation] = None
        seen: set[str] = set()
        counts = {"below": 0, "unrated": 0, "self": 0, "repeated": 0}
        batch = Batch()
        edges = batch.rows["interactions"]
        accounts: dict[str, tuple[Any, ...]] = {}

        def account(value: str) -> str:
            native = value[len(PLATFORM) + 1:] if value.startswith(PLATFORM + ":") else value
            key = f"{PLATFORM}:{native}"
            if key not in accounts:
                accounts[key] = (key, PLATFORM, None, native, *(None,) * 8, ts)
            return key

        def frequency(cells: list[str], i: int | None, nominee: str, line: int
                      ) -> tuple[bool, float | None]:
            """Whether the nomination is readable, and its frequency (None when not rated)."""
            text = None if i is None else cell_value(cells[i])
            if text is None:
                return True, None
            try:
                value = float(text)
            except ValueError:
                value = math.nan
            problem = ("is not a number" if not math.isfinite(value)
                       else "is negative" if value < 0 else None)
            if problem:
                log.reject(line, f"frequency {text!r} (column {names[i or 0]!r}) {problem}; "
                                 f"the nomination of {nominee!r} is skipped")
                return False, None
            return True, value

        def nominate(src: str, relation: str, nominee: str, cells: list[str], fi: int | None,
                     line: int) -> None:
            dst = account(nominee)
            if src == dst:
                counts["self"] += 1
                return
            respondents[src].add(relation)  # named someone (whatever becomes of it)
            ok, value = frequency(cells, fi, nominee, line)
            if not ok:
                return
            if threshold is not None and (value is None or value < threshold):
                counts["unrated" if value is None else "below"] += 1
                return
            digest = hashlib.sha1(f"{src}|{relation}|{dst}{date_key}".encode(),
                                  usedforsecurity=False).hexdigest()
            if digest in seen:
                counts["repeated"] += 1
                return
            seen.add(digest)
            edges.append((PLATFORM, relation, src, dst, ts, 1.0 if value is None else value,
                          self.questions.get(relation, relation), f"{PLATFORM}:{digest}"))
            log.records += 1

        for line, cells in table.rows(width, log):
            who = cell_value(cells[layout.respondent])
            if who is None:
                log.reject(line, f"no respondent (column {names[layout.respondent]!r} is "
                                 "empty)")
                continue
            src = account(who)
            respondents.setdefault(src, set())
            if layout.wide is not None:
                for relation, slots in layout.wide.relations.items():
                    for _, ni, fi in slots:
                        nominee = cell_value(cells[ni])
                        if nominee is None:
                            continue
                        nominate(src, relation, nominee, cells, fi, line)
            else:
                asked: str | None = self.relation
                if layout.relation is not None:
                    text = cell_value(cells[layout.relation])
                    asked = relation_name(text) if text else None
                if asked is not None:
                    relations.setdefault(asked, None)
                nominee = cell_value(cells[layout.nominee])  # type: ignore[index]
                if nominee is not None:
                    if asked is None:
                        log.reject(line, f"no relation (column {names[layout.relation or 0]!r} "
                                         f"is empty) for the nomination of {nominee!r}")
                        continue
                    nominate(src, asked, nominee, cells, layout.frequency, line)
            if len(edges) >= self.batch_rows:
                batch.rows["accounts"] = list(accounts.values())
                if log.progress and table.fh is not None:
                    log.progress(raw_position(table.fh), total)
                yield batch
                batch = Batch()
                edges = batch.rows["interactions"]
                accounts = {}
        if threshold is not None:
            t = f"{threshold:g}"
            if counts["below"]:
                log.note(f"nominations below frequency {t} not counted as ties", counts["below"])
            if counts["unrated"]:
                log.note(f"nominations without a frequency not counted as ties "
                         f"(min_frequency {t})", counts["unrated"])
        if counts["self"]:
            log.note("self-nominations not counted as ties", counts["self"])
        if counts["repeated"]:
            log.note("repeated nominations (same respondent, relation and nominee) counted "
                     "once", counts["repeated"])
        memberships = batch.rows["memberships"]
        for relation in relations:
            nobody = 0
            for src, named in respondents.items():
                memberships.append((src, f"{PLATFORM}:{relation}", RESPONDENT_ROLE, ts, None))
                nobody += relation not in named
            if nobody:
                log.note(f"respondents who named nobody for {relation}", nobody)
        for relation in self.questions:
            if relation not in relations:
                log.note(f"question text given for a relation not in the file: {relation}")
        if log.progress:
            log.progress(total, total)
        batch.rows["accounts"] = list(accounts.values())
        yield batch


def relation_name(text: str) -> str:
    """A relation as an interaction kind: trimmed, lowercase, runs of spaces as ``_``.

    Examples
    --------
    >>> relation_name("  Instructional  Advice ")
    'instructional_advice'
    """
    return norm_name(text)


def _wide_columns(norm: list[str], skip: set[int]) -> _Wide:
    """Numbered nominee and frequency columns of a header (normalized names).

    Examples
    --------
    >>> w = _wide_columns(["id", "advice_1", "advice_1_freq", "advice_2", "collab_freq_1",
    ...                    "collab_1", "trust_freq_3"], {0})
    >>> w.relations, w.orphans
    ({'advice': [(1, 1, 2), (2, 3, None)], 'collab': [(1, 5, 4)]}, [6])
    """
    freq: dict[tuple[str, int], int] = {}
    nominees: dict[str, dict[int, int]] = {}
    for at, name in enumerate(norm):
        if at in skip:
            continue
        for pattern in _WIDE_FREQ:
            m = pattern.match(name)
            if m:
                freq.setdefault((m["rel"].strip("_"), int(m["i"])), at)
                break
        else:
            m = _WIDE_NOMINEE.match(name)
            if m and m["rel"].strip("_"):
                nominees.setdefault(m["rel"].strip("_"), {}).setdefault(int(m["i"]), at)
    wide = _Wide()
    for rel, slots in nominees.items():
        wide.relations[rel] = [(i, at, freq.pop((rel, i), None))
                               for i, at in sorted(slots.items())]
    wide.orphans = sorted(freq.values())
    return wide


def _flag(name: str, value: object) -> bool | None:
    """A yes/no option (a bool, or text such as ``true`` or ``no``); None when not given."""
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if text == "auto":
        return None
    raise OptionError(f"option {name}: expected true or false, got {value!r}")


def _number(name: str, value: object) -> float | None:
    """A numeric option (a number, or text of one); None when not given."""
    if value is None:
        return None
    try:
        if isinstance(value, bool):
            raise ValueError
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number):
        raise OptionError(f"option {name}: expected a number such as 3, got {value!r}")
    return number


def _date(value: object) -> datetime | None:
    """The survey date as an aware UTC datetime (a date alone is midnight UTC).

    Examples
    --------
    >>> _date("2024-03-01"), _date("2024-03-01T09:00:00-05:00")  # doctest: +NORMALIZE_WHITESPACE
    (datetime.datetime(2024, 3, 1, 0, 0, tzinfo=datetime.timezone.utc),
     datetime.datetime(2024, 3, 1, 14, 0, tzinfo=datetime.timezone.utc))
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        dt = datetime(value.year, value.month, value.day)
    else:
        try:
            dt = datetime.fromisoformat(str(value).strip())
        except ValueError:
            raise OptionError(f"option date: {value!r} is not an ISO 8601 date such as "
                              "2024-03-01") from None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def _questions(value: object) -> dict[str, str]:
    """``questions`` as relation -> text, relations named as kinds.

    Examples
    --------
    >>> _questions(["Advice=Whom do you go to for advice?"])
    {'advice': 'Whom do you go to for advice?'}
    """
    if value is None:
        return {}
    items = pairs_option("questions", value, expected="a mapping relation -> question text or "
                         "a list of relation=text", form="relation=text",
                         example="advice=Whom do you go to for advice?")
    out: dict[str, str] = {}
    for relation, text in items:
        key, text = relation_name(relation), text.strip()
        if not key or not text:
            raise OptionError(f"option questions: {relation}={text} needs a relation and "
                              "its question text")
        out[key] = text
    return out
