"""The rows of one ingest, staged as Parquet files in a scratch folder until the store merges them.

Staging on disk keeps memory bounded by one batch or chunk, whatever the size of the file,
and keeps the store itself untouched until one transaction merges everything
(:meth:`plnanalytics.store.Store.ingest`).

Examples
--------
>>> import tempfile, pathlib, duckdb
>>> from plnanalytics.ingest.base import Batch
>>> con = duckdb.connect()
>>> staging = Staging(con, pathlib.Path(tempfile.mkdtemp()))
>>> batch = Batch()
>>> batch.add("memberships", ("x:1", "#naespchat", None, None, None))
>>> staging.write_batch(batch)
>>> con.execute(f"SELECT member, \\"group\\" FROM {staging.relation('memberships')}").fetchall()
[('x:1', '#naespchat')]
>>> con.execute(f"SELECT count(*) FROM {staging.relation('posts')}").fetchall()
[(0,)]
"""

from __future__ import annotations

import threading
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from .ingest.base import Batch, sql_literal
from .schema import PROFILE_FIELDS, TABLES


def _columns(name: str) -> list[str]:
    """Staged columns: the table's, without ``ingest_id``; for accounts also when each profile
    field was seen (``_seen_<field>``), so that rows merged early stay exact."""
    cols = [c.name for c in TABLES[name].columns if c.name != "ingest_id"]
    if name == "accounts":
        cols += [f"_seen_{f}" for f in PROFILE_FIELDS]
    return cols


class Staging:
    """Parquet files of staged rows, per normalized table.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        The connection that writes query results and later reads the files.
    folder : Path
        An empty scratch folder; the caller removes it.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, folder: Path) -> None:
        self.con = con
        self.folder = folder
        self.files: dict[str, list[Path]] = {name: [] for name in TABLES}
        self._lock = threading.Lock()  # chunks may be staged from several threads

    def _next(self, name: str) -> Path:
        with self._lock:
            path = self.folder / f"{name}-{len(self.files[name]):06d}.parquet"
            self.files[name].append(path)
        return path

    def write(self, name: str, table: pa.Table) -> None:
        """Stage an Arrow table whose columns are the table's, in order, without ``ingest_id``.

        Account rows may add ``_seen_<field>`` columns; without them each field counts as
        seen at the row's ``profile_seen_at``.
        """
        if not table.num_rows:
            return
        if name == "accounts" and "_seen_handle" not in table.column_names:
            seen = table.column("profile_seen_at")  # each field was seen with its row
            for f in PROFILE_FIELDS:
                table = table.append_column(f"_seen_{f}", seen)
        pq.write_table(table, self._next(name), compression="snappy")

    def write_batch(self, batch: Batch) -> None:
        """Stage every table of a reader's batch."""
        for name, rows in batch.rows.items():
            if rows:
                self.write(name, batch.to_arrow(name))

    def copy(self, name: str, query: str, *, con: duckdb.DuckDBPyConnection | None = None) -> None:
        """Stage the result of a DuckDB query giving the staged columns, in order.

        For accounts these include ``_seen_<field>`` after the table's own columns. ``con``
        runs the query (another connection to the same database), by default the staging's.
        """
        cols = ", ".join(f'"{c}"' for c in _columns(name))
        path = self._next(name)
        (con or self.con).execute(f"COPY (SELECT * FROM ({query}) AS staged({cols})) "
                         f"TO {sql_literal(path)} (FORMAT PARQUET, COMPRESSION snappy)")

    def relation(self, name: str) -> str:
        """SQL for the rows staged for a table (an empty relation when there are none)."""
        files = self.files[name]
        if files:
            return f"read_parquet([{', '.join(sql_literal(f) for f in files)}])"
        types = {c.name: c.duckdb_type for c in TABLES[name].columns}
        cols = ", ".join(f'NULL::{types.get(c, "TIMESTAMPTZ")} AS "{c}"' for c in _columns(name))
        return f"(SELECT {cols} WHERE false)"

    def clear(self) -> None:
        """Forget and delete everything staged (to read the file again another way)."""
        for files in self.files.values():
            for f in files:
                f.unlink(missing_ok=True)
            files.clear()
