"""The project store: one DuckDB file holding the normalized tables and their provenance.

Ingest is an idempotent upsert. A post is stored once per ``(platform, post_id)`` and an
interaction once per ``(platform, post_id, kind, dst)``, however often a file is ingested
or however much two exports overlap; each field of an account's profile keeps its latest
known value. Each file is ingested in one transaction: a file that fails leaves the store
exactly as it was. Every ingest is recorded (file, format, time, counts read, kept,
duplicate and rejected) with the line and reason of each rejected record.

Examples
--------
>>> import tempfile, pathlib
>>> from plnanalytics import Dataset, Store
>>> ds = Dataset.from_records(
...     posts=[{"post_id": "1", "platform": "x", "author": "x:10",
...             "created_at": "2024-01-09T20:00:00Z", "text": "hello #NAESPchat",
...             "contexts": ["#naespchat"]}],
...     interactions=[{"platform": "x", "kind": "mention", "src": "x:10", "dst": "x:11",
...                    "ts": "2024-01-09T20:00:00Z", "post_id": "1"}])
>>> path = pathlib.Path(tempfile.mkdtemp()) / "project.duckdb"
>>> with Store(path) as store:
...     first = store.add(ds)
...     again = store.add(ds)
...     counts = store.counts()
>>> first.kept, again.kept, again.duplicates
(1, 0, 1)
>>> counts["posts"], counts["interactions"]
(1, 1)
"""

from __future__ import annotations

import gc
import json
import os
import queue
import shutil
import tempfile
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from . import ingest as _ingest
from .dataset import Dataset
from .errors import StoreError
from .ingest.base import (
    Batch,
    FastPath,
    LineChunk,
    NotFast,
    ProgressCallback,
    ReadLog,
    Reject,
    arrow_type,
)
from .schema import CORRECTION_METHODS, PROFILE_FIELDS, TABLES
from .staging import Staging

#: Version of the store layout, kept in the ``pln_meta`` table.
SCHEMA_VERSION = 1

#: First characters that make a spreadsheet run a CSV cell as a formula; CSV output prefixes
#: such cells with ``'`` (see :meth:`Store.export` and :mod:`plnanalytics.report.export`).
FORMULA_START = "=+-@\t\r"

#: Chunks a vectorized ingest works on at once (each on its own DuckDB connection).
_FAST_WORKERS = 2

_INGESTS_DDL = """
CREATE TABLE IF NOT EXISTS ingests (
    ingest_id BIGINT, path VARCHAR, format VARCHAR, options VARCHAR, file_size BIGINT,
    file_mtime TIMESTAMPTZ, started_at TIMESTAMPTZ, finished_at TIMESTAMPTZ, unit VARCHAR,
    records BIGINT, kept BIGINT, duplicates BIGINT, rejected BIGINT,
    posts_added BIGINT, interactions_added BIGINT, accounts_added BIGINT,
    people_added BIGINT, identities_added BIGINT, memberships_added BIGINT, notes VARCHAR,
    method VARCHAR)
"""
_REJECTS_DDL = """
CREATE TABLE IF NOT EXISTS rejects (ingest_id BIGINT, path VARCHAR, line BIGINT, reason VARCHAR)
"""
#: Checkpoints of API collections (see :mod:`plnanalytics.collect`): one row per collector and
#: key (a hash of the query and its time window).
_COLLECTIONS_DDL = """
CREATE TABLE IF NOT EXISTS collections (
    collector VARCHAR, key VARCHAR, query VARCHAR, since VARCHAR, until VARCHAR,
    since_id VARCHAR, next_token VARCHAR, newest_id VARCHAR, pages BIGINT, posts BIGINT,
    updated_at TIMESTAMPTZ, state VARCHAR)
"""
#: The columns of a checkpoint, in the order of the ``collections`` table.
CHECKPOINT_FIELDS = ("collector", "key", "query", "since", "until", "since_id", "next_token",
                     "newest_id", "pages", "posts", "updated_at", "state")


@dataclass
class IngestReport:
    """What one ingest did.

    Attributes
    ----------
    path, format : str
        The file and the format it was read as.
    unit : str
        What a record is for this format ("posts" or "rows").
    records : int
        Records read successfully (before de-duplication).
    kept : int
        Records new to the store.
    duplicates : int
        Records already in the store or repeated in the file.
    rejected : int
        Records that could not be read (see ``rejects``).
    added : dict
        Rows added per table.
    rejects : list of Reject
        Line and reason of each rejected record (the first 10,000).
    notes : dict
        Things worth knowing that are not errors, with counts.
    ingest_id : int
        Its row in :meth:`Store.ingests`.
    method : str
        ``vectorized`` when the file was read inside DuckDB in one go, ``records`` when it
        was read record by record.
    """

    path: str
    format: str
    unit: str
    records: int = 0
    kept: int = 0
    duplicates: int = 0
    rejected: int = 0
    added: dict[str, int] = field(default_factory=dict)
    rejects: list[Reject] = field(default_factory=list)
    notes: dict[str, int] = field(default_factory=dict)
    ingest_id: int = 0
    method: str = "records"


@dataclass
class StoreInfo:
    """A summary of a store: what :command:`pln info` shows."""

    path: str
    counts: dict[str, int]
    platforms: pd.DataFrame
    kinds: pd.DataFrame
    first_post: pd.Timestamp | None
    last_post: pd.Timestamp | None
    top_contexts: pd.DataFrame
    ingests: pd.DataFrame
    rejected: int
    sources: pd.DataFrame | None = None


class Store:
    """A DuckDB project file with the normalized tables.

    Parameters
    ----------
    path : str or Path
        The file; created with the tables when it does not exist.
    read_only : bool
        Open without the right to write (several readers may share the file).
    memory_limit : str, optional
        Most memory DuckDB may use, such as ``"2GB"``; beyond it, work spills to a temporary
        folder beside the file. Default: DuckDB's own (80% of the machine's memory).

    Raises
    ------
    StoreError
        When the file is not a DuckDB database, is locked by another writer, or was made
        by a newer version of plnanalytics.
    """

    def __init__(self, path: str | Path, *, read_only: bool = False,
                 memory_limit: str | None = None) -> None:
        self.path = Path(path)
        if read_only and not self.path.exists():
            raise StoreError(f"{self.path}: no such store (ingest something into it first)")
        if self.path.parent and not self.path.parent.exists():
            raise StoreError(f"{self.path}: folder {self.path.parent} does not exist")
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.Error as exc:
            raise StoreError(
                f"{self.path}: cannot open as a DuckDB store ({_first_line(exc)})") from None
        self.con.execute("SET TimeZone = 'UTC'")
        self.con.execute("SET enable_progress_bar = false")
        # every read orders its rows explicitly; unordered inserts are faster and leaner
        self.con.execute("SET preserve_insertion_order = false")
        if memory_limit is not None:
            try:
                self.con.execute("SET memory_limit = ?", [memory_limit])
            except duckdb.Error:
                self.con.close()
                raise StoreError(f"memory limit {memory_limit!r} not understood; "
                                 "give a size such as 2GB or 500MB") from None
        if not read_only:
            self._create()
        self._check_version()

    # -- lifecycle -----------------------------------------------------------------------
    def close(self) -> None:
        """Close the file."""
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    def _create(self) -> None:
        con = self.con
        con.execute("CREATE TABLE IF NOT EXISTS pln_meta (key VARCHAR, value VARCHAR)")
        if not con.execute("SELECT count(*) FROM pln_meta").fetchall()[0][0]:
            con.execute("INSERT INTO pln_meta VALUES ('schema_version', ?), ('created_at', ?)",
                        [str(SCHEMA_VERSION), datetime.now(UTC).isoformat()])
        for spec in TABLES.values():
            con.execute(spec.ddl())
        for c in TABLES["accounts"].columns:  # columns added since a store was made
            con.execute(f"ALTER TABLE accounts ADD COLUMN IF NOT EXISTS {_q(c.name)} "
                        f"{c.duckdb_type}")
        for f in PROFILE_FIELDS:  # when each profile field was seen (internal, not exported)
            con.execute(f'ALTER TABLE accounts ADD COLUMN IF NOT EXISTS "_seen_{f}" TIMESTAMPTZ')
        con.execute(_INGESTS_DDL)
        con.execute(_REJECTS_DDL)
        con.execute(_COLLECTIONS_DDL)
        con.execute("CREATE SEQUENCE IF NOT EXISTS ingest_seq START 1")

    def _check_version(self) -> None:
        try:
            rows = self.con.execute(
                "SELECT value FROM pln_meta WHERE key = 'schema_version'").fetchall()
        except duckdb.Error:
            raise StoreError(f"{self.path}: a DuckDB file, but not a plnanalytics store") from None
        row = rows[0] if rows else None
        if row is None or int(row[0]) > SCHEMA_VERSION:
            raise StoreError(f"{self.path}: made by a newer plnanalytics "
                             f"(layout {row and row[0]}); upgrade plnanalytics")

    # -- writing -------------------------------------------------------------------------
    def ingest(
        self,
        path: str | Path,
        *,
        format: str = "auto",
        strict: bool = False,
        progress: ProgressCallback | None = None,
        **options: Any,
    ) -> IngestReport:
        """Read one file and upsert what it holds, in one transaction.

        Parameters
        ----------
        path : str or Path
            The file (``.gz`` is read transparently).
        format : str
            ``auto`` (sniff) or a name from :data:`plnanalytics.ingest.FORMATS`.
        strict : bool
            Make the first unreadable record an error (the store is then left unchanged).
        progress : callable, optional
            ``progress(bytes_done, bytes_total)``.
        **options
            Format options, e.g. ``src_col="from"`` for ``edgelist``.

        Returns
        -------
        IngestReport

        Raises
        ------
        FormatError, OptionError, RecordError
            The store is left as it was.
        """
        reader = _ingest.open_reader(path, format, **options)
        stat = Path(path).stat()
        started = datetime.now(UTC)
        # Rows are first staged as Parquet files beside the store, outside any transaction
        # (memory stays bounded by a batch or chunk); one transaction then merges them.
        with self._staging() as staging:
            log, method = None, "records"
            fast = reader.fast_path()
            if fast is not None:
                try:
                    log = self._stage_fast(fast, path, progress, stat.st_size, staging)
                    method = "vectorized"
                except _UseRecords:  # read the file record by record, naming every bad one
                    staging.clear()
            if log is None:
                log = ReadLog(str(path), strict=strict, progress=progress)
                with _gc_paused():
                    for batch in reader.batches(log):
                        staging.write_batch(batch)
            report = IngestReport(str(path), reader.format, reader.unit, method=method)
            sources = {name: staging.relation(name) for name in TABLES}
            with self._transaction():
                report = self._merge(report, log, sources, reader.primary_table)
                self._record(report, options, stat.st_size,
                             datetime.fromtimestamp(stat.st_mtime, UTC), started)
        return report

    @contextmanager
    def _staging(self) -> Iterator[Staging]:
        """A scratch folder beside the store for one ingest's staged rows; removed after."""
        folder = Path(tempfile.mkdtemp(prefix=f".{self.path.name}.ingest-",
                                       dir=self.path.parent))
        try:
            yield Staging(self.con, folder)
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def _stage_fast(self, fast: FastPath, path: str | Path, progress: ProgressCallback | None,
                    size: int, staging: Staging) -> ReadLog:
        """Stage a file through the reader's vectorized path, two chunks at a time.

        Chunks are independent, and one DuckDB query on one chunk keeps barely more than a
        core busy; two connections (with their own temporary tables) working on consecutive
        chunks use the whole machine. Raises :class:`_UseRecords` when the file is not clean
        or DuckDB cannot read it.
        """
        log = ReadLog(str(path))
        cursors = [self.con.cursor() for _ in range(_FAST_WORKERS)]
        idle: queue.SimpleQueue[duckdb.DuckDBPyConnection] = queue.SimpleQueue()
        for cursor in cursors:
            idle.put(cursor)

        def stage(chunk: LineChunk) -> tuple[int, dict[str, int]]:
            con = idle.get()
            try:
                con.register("_chunk", chunk.table)
                try:
                    for statement in fast.per_chunk:
                        con.execute(statement)
                finally:
                    con.unregister("_chunk")
                if con.execute(fast.check).fetchall():
                    raise _UseRecords
                for name, query in fast.tables.items():
                    staging.copy(name, query, con=con)
                records = con.execute(fast.records).fetchall()[0][0]
                notes = {note: con.execute(q).fetchall()[0][0] for note, q in fast.notes.items()}
                return records, notes
            finally:
                idle.put(con)

        def tally(done: Future[tuple[int, dict[str, int]]], end: int) -> None:
            records, notes = done.result()
            log.records += records
            for note, n in notes.items():
                if n:
                    log.note(note, n)
            if progress:
                progress(end, size)

        try:
            with ThreadPoolExecutor(_FAST_WORKERS, thread_name_prefix="pln-chunk") as pool:
                running: deque[tuple[Future[tuple[int, dict[str, int]]], int]] = deque()
                try:
                    for chunk in fast.chunks():
                        if len(running) == _FAST_WORKERS:  # at most two chunks in memory
                            tally(*running.popleft())
                        running.append((pool.submit(stage, chunk), chunk.end))
                    while running:
                        tally(*running.popleft())
                except BaseException:
                    for future, _ in running:
                        future.cancel()
                    raise
        except (duckdb.Error, NotFast):
            raise _UseRecords from None
        finally:
            for cursor in cursors:
                for statement in fast.cleanup:
                    cursor.execute(statement)
                cursor.close()
        return log

    def add(self, dataset: Dataset, *, source: str = "dataset",
            checkpoint: dict[str, Any] | None = None) -> IngestReport:
        """Upsert an in-memory :class:`~plnanalytics.dataset.Dataset`, recorded as ``source``.

        The records of the report are its posts, or else the rows of its first non-empty
        table among interactions, people, memberships, identities and accounts. A
        ``checkpoint`` (see :meth:`checkpoint`) is written in the same transaction.
        """
        order = ("posts", "interactions", "people", "memberships", "identities", "accounts")
        primary = next((t for t in order if len(getattr(dataset, t))), "posts")
        log = ReadLog(source)
        log.records = len(getattr(dataset, primary))
        report = IngestReport(source, "dataset", "posts" if primary == "posts" else "rows",
                              method="in memory")
        started = datetime.now(UTC)
        with self._staging() as staging:
            for name, frame in dataset.tables.items():
                if len(frame):
                    cols = [c for c in TABLES[name].columns if c.name != "ingest_id"]
                    schema = pa.schema([(c.name, arrow_type(c)) for c in cols])
                    staging.write(name, pa.Table.from_pandas(
                        frame[[c.name for c in cols]], schema=schema, preserve_index=False))
            return self._merge_staged(staging, report, log, primary, started, checkpoint)

    def add_batch(self, batch: Batch, log: ReadLog, *, source: str, format: str,
                  checkpoint: dict[str, Any] | None = None) -> IngestReport:
        """Upsert the rows a reader produced (a :class:`~plnanalytics.ingest.base.Batch`).

        Used by collectors: one API page, normalized by its format's reader, is stored with
        its ``checkpoint`` (see :meth:`checkpoint`) in one transaction, so the page is either
        fully stored with its checkpoint or not at all. ``log`` holds the page's counts and
        rejects; ``source`` and ``format`` are recorded in :meth:`ingests`.
        """
        report = IngestReport(source, format, "posts")
        started = datetime.now(UTC)
        with self._staging() as staging:
            staging.write_batch(batch)
            return self._merge_staged(staging, report, log, "posts", started, checkpoint)

    def _merge_staged(self, staging: Staging, report: IngestReport, log: ReadLog, primary: str,
                      started: datetime, checkpoint: dict[str, Any] | None) -> IngestReport:
        sources = {name: staging.relation(name) for name in TABLES}
        with self._transaction():
            report = self._merge(report, log, sources, primary)
            self._record(report, {}, None, None, started)
            if checkpoint is not None:
                self._write_checkpoint(checkpoint)
        return report

    def checkpoint(self, collector: str, key: str) -> dict[str, Any] | None:
        """The stored checkpoint of a collection, or None when there is none.

        A checkpoint is a dict of :data:`CHECKPOINT_FIELDS`: the collector (``x``), the key
        of its query and window, the query, ``since`` and ``until``, the ``since_id`` the
        current run started from, the ``next_token`` of the next page to fetch, the newest
        post id stored, pages and posts stored so far, when it was updated and its state
        (``running``, ``done`` or ``stopped``).

        Examples
        --------
        >>> import tempfile, pathlib
        >>> with Store(pathlib.Path(tempfile.mkdtemp()) / "s.duckdb") as s:
        ...     s.save_checkpoint({"collector": "x", "key": "k", "query": "#edchat",
        ...                        "state": "done", "pages": 1, "posts": 3})
        ...     cp = s.checkpoint("x", "k")
        ...     missing = s.checkpoint("x", "other")
        >>> cp["query"], cp["state"], cp["posts"], missing
        ('#edchat', 'done', 3, None)
        """
        cur = self.con.execute(
            f"SELECT {', '.join(CHECKPOINT_FIELDS)} FROM collections "
            "WHERE collector = ? AND key = ?", [collector, key])
        row = cur.fetchone()
        return None if row is None else dict(zip(CHECKPOINT_FIELDS, row, strict=True))

    def save_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        """Write (replace) a collection's checkpoint in a transaction of its own."""
        with self._transaction():
            self._write_checkpoint(checkpoint)

    def _write_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        unknown = set(checkpoint) - set(CHECKPOINT_FIELDS)
        if unknown or not {"collector", "key"} <= checkpoint.keys():
            raise StoreError(f"a checkpoint needs collector and key, and only the fields "
                             f"{', '.join(CHECKPOINT_FIELDS)} (got {sorted(checkpoint)})")
        row = {**dict.fromkeys(CHECKPOINT_FIELDS), **checkpoint}
        row["updated_at"] = row["updated_at"] or datetime.now(UTC)
        self.con.execute("DELETE FROM collections WHERE collector = ? AND key = ?",
                         [row["collector"], row["key"]])
        self.con.execute(f"INSERT INTO collections VALUES ({', '.join(['?'] * 12)})",
                         [row[f] for f in CHECKPOINT_FIELDS])

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """One transaction: commit on success; on any error roll back, so nothing changes."""
        con = self.con
        con.begin()
        try:
            yield
            con.commit()
        except duckdb.Error as exc:
            con.rollback()
            raise StoreError(f"store write failed, nothing was changed: {_first_line(exc)}") \
                from exc
        except BaseException:
            con.rollback()
            raise

    def _merge(self, report: IngestReport, log: ReadLog, sources: dict[str, str],
               primary: str) -> IngestReport:
        """Insert what is new from each source relation; keys already stored are duplicates."""
        con = self.con
        ingest_id = con.execute("SELECT nextval('ingest_seq')").fetchall()[0][0]
        added = {}
        for name, spec in TABLES.items():
            source = sources[name]
            before = con.execute(f"SELECT count(*) FROM {_q(name)}").fetchall()[0][0]
            cols = [_q(c.name) for c in spec.columns if c.name != "ingest_id"]
            key = [_q(k) for k in spec.key]
            if name == "accounts":
                self._merge_accounts(source, ingest_id)
            else:
                on = " AND ".join(f"t.{k} = s.{k}" for k in key)
                keys = ", ".join(key)
                repeated = con.execute(
                    f"SELECT count(*) - count(DISTINCT ({keys})) FROM {source}").fetchall()[0][0]
                rows = f"SELECT * FROM {source}"
                if repeated:  # one row per key: the same one whatever the order (sorting only
                    # when the file repeats keys)
                    rest = ", ".join(c for c in cols if c not in key)
                    rows = (f"SELECT DISTINCT ON ({keys}) * FROM {source} "
                            f"ORDER BY {keys}, {rest}")
                if name == "identities":  # a restated correction replaces the stored one
                    con.execute(
                        f"DELETE FROM identities t WHERE EXISTS (SELECT 1 FROM {source} s "
                        f"WHERE {on} AND s.method IN (SELECT unnest(?)))",
                        [list(CORRECTION_METHODS)])
                con.execute(
                    f"INSERT INTO {_q(name)} SELECT {', '.join('s.' + c for c in cols)}, "
                    f"{ingest_id} FROM ({rows}) s "
                    f"WHERE NOT EXISTS (SELECT 1 FROM {_q(name)} t WHERE {on})")
            after = con.execute(f"SELECT count(*) FROM {_q(name)}").fetchall()[0][0]
            added[name] = after - before
        report.ingest_id = ingest_id
        report.added = added
        report.records = log.records
        report.kept = added[primary]
        report.duplicates = max(log.records - report.kept, 0)
        report.rejected = log.rejected
        report.rejects = list(log.rejects)
        report.notes = dict(log.notes)
        return report

    def _merge_accounts(self, source: str, ingest_id: int) -> None:
        """Each profile field takes its latest known value, whatever the order of ingests.

        ``source`` gives, besides the table's columns, when each field was seen
        (``_seen_<field>``; see :class:`~plnanalytics.staging.Staging`). Every field keeps the
        time it was seen (hidden ``_seen_<field>`` columns of the store), so a value
        replaces the stored one only when it was seen later; values seen at the same time
        are ordered by value, so the result never depends on the order of rows or files.
        """
        def seen(f: str) -> str:
            return f"coalesce(_seen_{f}, '-infinity'::TIMESTAMPTZ)"

        latest = ", ".join(
            f"arg_max({f}, ({seen(f)}, {f})) FILTER (WHERE {f} IS NOT NULL) AS {f}, "
            f"max({seen(f)}) FILTER (WHERE {f} IS NOT NULL) AS _seen_{f}" for f in PROFILE_FIELDS)
        self.con.execute(
            f"CREATE OR REPLACE TEMPORARY TABLE _latest_accounts AS SELECT account, "
            f"any_value(platform) AS platform, {latest}, max(profile_seen_at) AS profile_seen_at "
            f"FROM {source} GROUP BY account")
        sets = []
        for f in PROFILE_FIELDS:
            wins = (f"s.{f} IS NOT NULL AND (a.{f} IS NULL OR (s._seen_{f}, s.{f}) > "
                    f"(coalesce(a._seen_{f}, '-infinity'::TIMESTAMPTZ), a.{f}))")
            sets.append(f"{f} = CASE WHEN {wins} THEN s.{f} ELSE a.{f} END")
            sets.append(f"_seen_{f} = CASE WHEN {wins} THEN s._seen_{f} ELSE a._seen_{f} END")
        sets.append("profile_seen_at = greatest(a.profile_seen_at, s.profile_seen_at)")
        self.con.execute(f"UPDATE accounts a SET {', '.join(sets)} FROM _latest_accounts s "
                         "WHERE a.account = s.account")
        cols = ["account", "platform", *PROFILE_FIELDS, "profile_seen_at",
                *(f"_seen_{f}" for f in PROFILE_FIELDS)]
        self.con.execute(
            f"INSERT INTO accounts ({', '.join(cols)}, ingest_id) "
            f"SELECT {', '.join('s.' + c for c in cols)}, {ingest_id} FROM _latest_accounts s "
            "WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.account = s.account)")
        self.con.execute("DROP TABLE _latest_accounts")

    def _record(self, report: IngestReport, options: dict[str, Any], size: int | None,
                mtime: datetime | None, started: datetime) -> None:
        a = report.added
        self.con.execute(
            f"INSERT INTO ingests VALUES ({', '.join(['?'] * 21)})",
            [report.ingest_id, report.path, report.format,
             json.dumps({k: v for k, v in options.items() if v is not None}, default=str),
             size, mtime, started, datetime.now(UTC), report.unit, report.records, report.kept,
             report.duplicates, report.rejected, a.get("posts", 0), a.get("interactions", 0),
             a.get("accounts", 0), a.get("people", 0), a.get("identities", 0),
             a.get("memberships", 0), json.dumps(report.notes), report.method])
        if report.rejects:
            rows = pd.DataFrame({
                "ingest_id": report.ingest_id, "path": report.path,
                "line": [r.line for r in report.rejects],
                "reason": [r.reason for r in report.rejects]})
            self.con.register("_pln_rejects", rows)
            try:
                self.con.execute("INSERT INTO rejects SELECT * FROM _pln_rejects")
            finally:
                self.con.unregister("_pln_rejects")

    # -- reading -------------------------------------------------------------------------
    def table(self, name: str) -> pd.DataFrame:
        """One normalized table as a data frame, ordered by its key.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> with Store(pathlib.Path(tempfile.mkdtemp()) / "s.duckdb") as s:
        ...     list(s.table("interactions").columns)[:4]
        ['platform', 'kind', 'src', 'dst']
        """
        if name not in TABLES:
            raise StoreError(f"unknown table {name!r}; expected one of {', '.join(TABLES)}")
        order = ", ".join(_q(k) for k in TABLES[name].key)
        cols = ", ".join(_q(c.name) for c in TABLES[name].columns)
        relation = self.con.sql(f"SELECT {cols} FROM {_q(name)} ORDER BY {order}")
        fetch = getattr(relation, "to_arrow_table", None) or relation.arrow
        return _to_pandas(fetch(), name)

    def dataset(self) -> Dataset:
        """All six tables as a validated :class:`~plnanalytics.dataset.Dataset`."""
        return Dataset(**{name: self.table(name) for name in TABLES})

    def counts(self) -> dict[str, int]:
        """Rows per normalized table."""
        return {name: self.con.execute(f"SELECT count(*) FROM {_q(name)}").fetchall()[0][0]
                for name in TABLES}

    def ingests(self) -> pd.DataFrame:
        """Provenance: one row per ingest, oldest first."""
        return self.con.execute("SELECT * FROM ingests ORDER BY ingest_id").df()

    def sources(self) -> pd.DataFrame:
        """Provenance by file: one row per file and format read, in the order first read.

        ``reads`` counts its ingests (a collection stores each page as an ingest of its raw
        file); ``records``, ``kept``, ``duplicates`` and ``rejected`` are summed, and
        ``last_read`` is when it was last read.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> with Store(pathlib.Path(tempfile.mkdtemp()) / "s.duckdb") as s:
        ...     list(s.sources().columns)
        ['path', 'format', 'reads', 'records', 'kept', 'duplicates', 'rejected', 'last_read']
        """
        return self.con.execute(
            "SELECT path, format, count(*) AS reads, sum(records)::BIGINT AS records, "
            "sum(kept)::BIGINT AS kept, sum(duplicates)::BIGINT AS duplicates, "
            "sum(rejected)::BIGINT AS rejected, max(finished_at) AS last_read FROM ingests "
            "GROUP BY path, format ORDER BY min(ingest_id)").df()

    def rejects(self) -> pd.DataFrame:
        """Every rejected record kept: ingest, file, line and reason."""
        return self.con.execute("SELECT * FROM rejects ORDER BY ingest_id, line").df()

    def sql(self, query: str, params: Iterable[Any] | None = None) -> pd.DataFrame:
        """Run a read query on the store and return a data frame (for notebooks)."""
        try:
            return self.con.execute(query, list(params or [])).df()
        except duckdb.Error as exc:
            raise StoreError(f"query failed: {_first_line(exc)}") from None

    def info(self, *, top: int = 10) -> StoreInfo:
        """Counts per table, platforms, interaction kinds, time span and top contexts."""
        con = self.con
        span = con.execute("SELECT min(created_at), max(created_at) FROM posts").fetchall()[0]
        platforms = con.execute(
            "SELECT platform, sum(posts)::BIGINT AS posts, sum(accounts)::BIGINT AS accounts, "
            "sum(interactions)::BIGINT AS interactions FROM ("
            " SELECT platform, count(*) AS posts, 0 AS accounts, 0 AS interactions FROM posts "
            " GROUP BY ALL UNION ALL "
            " SELECT platform, 0, count(*), 0 FROM accounts GROUP BY ALL UNION ALL "
            " SELECT platform, 0, 0, count(*) FROM interactions GROUP BY ALL) "
            "GROUP BY platform ORDER BY posts DESC, platform").df()
        kinds = con.execute(
            "SELECT kind, count(*) AS interactions, count(DISTINCT src) AS sources, "
            "count(DISTINCT dst) AS targets FROM interactions GROUP BY kind "
            "ORDER BY interactions DESC, kind").df()
        contexts = con.execute(
            "SELECT context, count(*) AS posts FROM (SELECT unnest(contexts) AS context "
            "FROM posts) GROUP BY context ORDER BY posts DESC, context LIMIT ?", [top]).df()
        rejected = con.execute("SELECT coalesce(sum(rejected), 0) FROM ingests").fetchall()[0][0]

        def ts(v: object) -> pd.Timestamp | None:
            return None if v is None else pd.Timestamp(v).tz_convert("UTC")

        return StoreInfo(str(self.path), self.counts(), platforms, kinds, ts(span[0]),
                         ts(span[1]), contexts, self.ingests(), int(rejected),
                         self.sources())

    def export(self, table: str, out: str | Path, *, guard_formulas: bool = True) -> int:
        """Write a table to CSV or Parquet (by the suffix of ``out``).

        Parameters
        ----------
        table : str
            ``posts``, ``interactions``, ``accounts``, ``people``, ``identities`` or
            ``memberships``.
        out : str or Path
            ``.csv`` or ``.parquet``.
        guard_formulas : bool
            In CSV, prefix text cells that a spreadsheet would run as a formula (starting
            with ``=``, ``+``, ``-``, ``@``, tab or carriage return) with ``'``.

        Returns
        -------
        int
            Rows written.
        """
        if table not in TABLES:
            raise StoreError(f"unknown table {table!r}; expected one of {', '.join(TABLES)}")
        out = Path(out)
        suffix = out.suffix.lower()
        if suffix not in (".csv", ".parquet"):
            raise StoreError(f"{out}: expected a .csv or .parquet file name")
        if not out.parent.exists():
            raise StoreError(f"{out}: folder {out.parent} does not exist")
        spec = TABLES[table]
        exprs = []
        for c in spec.columns:
            if c.name == "ingest_id":
                continue
            e = _q(c.name)
            if suffix == ".csv" and c.type == "strings":
                e = f"array_to_string({e}, ' ')"
            if suffix == ".csv" and c.type in ("string", "strings") and guard_formulas:
                e = (f"CASE WHEN regexp_matches({e}, '^[{_FORMULA_CLASS}]') "
                     f"THEN '''' || {e} ELSE {e} END")
            if suffix == ".csv" and c.type == "timestamp":  # ISO 8601, fractions when present
                e = (f"CASE WHEN microsecond({e}) = 0 THEN strftime({e}, '%Y-%m-%dT%H:%M:%SZ') "
                     f"ELSE strftime({e}, '%Y-%m-%dT%H:%M:%S.%fZ') END")
            exprs.append(f"{e} AS {_q(c.name)}")
        order = ", ".join(_q(k) for k in spec.key)
        query = f"SELECT {', '.join(exprs)} FROM {_q(table)} ORDER BY {order}"
        fmt = "CSV, HEADER" if suffix == ".csv" else "PARQUET"
        tmp = out.with_name(out.name + ".part")
        try:
            self.con.execute(f"COPY ({query}) TO '{_sql_str(tmp)}' (FORMAT {fmt})")
            os.replace(tmp, out)
        except (duckdb.Error, OSError) as exc:
            tmp.unlink(missing_ok=True)
            raise StoreError(f"{out}: cannot write ({_first_line(exc)})") from None
        return self.con.execute(f"SELECT count(*) FROM {_q(table)}").fetchall()[0][0]


_FORMULA_CLASS = FORMULA_START.replace("-", "\\-").replace("\t", "\\t").replace("\r", "\\r")


class _UseRecords(Exception):
    """The vectorized path cannot take this file; read it record by record."""


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of small objects are made and freed.

    Parsed JSON holds no reference cycles, and collections triggered by its allocations
    scan the growing row buffers again and again (a third of the read time).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _to_pandas(table: pa.Table, name: str) -> pd.DataFrame:
    """An Arrow table of a normalized table as the frame :func:`~plnanalytics.schema.validate`
    gives: text as objects with None, lists for ``strings``, nullable ints and booleans."""
    nullable = {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}
    columns = {}
    for c in TABLES[name].columns:
        col = table.column(c.name)
        if c.type == "string":
            columns[c.name] = pd.Series(col.to_numpy(zero_copy_only=False), dtype=object)
        elif c.type == "strings":
            columns[c.name] = pd.Series([v or [] for v in col.to_pylist()], dtype=object)
        else:
            columns[c.name] = col.to_pandas(types_mapper=nullable.get)
    return pd.DataFrame(columns)


def _q(name: str) -> str:
    return f'"{name}"'


def _sql_str(path: Path) -> str:
    return str(path).replace("'", "''")


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
