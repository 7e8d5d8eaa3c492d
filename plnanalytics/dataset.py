"""A :class:`Dataset` bundles the six normalized tables as pandas data frames.

It is what every ingester produces and what the store gives back, and it can be built by
hand in a notebook from plain frames or records.

Examples
--------
>>> from plnanalytics import Dataset
>>> ds = Dataset.from_records(
...     posts=[{"post_id": "1", "platform": "x", "author": "x:10",
...             "created_at": "2024-01-09T20:00:00Z", "text": "Q1 #NAESPchat"}],
...     interactions=[{"platform": "x", "kind": "mention", "src": "x:10", "dst": "x:11",
...                    "ts": "2024-01-09T20:00:00Z", "post_id": "1"}],
... )
>>> ds
Dataset(posts=1, interactions=1, accounts=0, people=0, identities=0, memberships=0)
>>> ds.interactions[["src", "dst", "kind", "weight"]].to_dict("records")
[{'src': 'x:10', 'dst': 'x:11', 'kind': 'mention', 'weight': 1.0}]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields

import pandas as pd

from .errors import SchemaError
from .schema import TABLES, validate


@dataclass
class Dataset:
    """The normalized tables of one or more sources.

    Every frame is validated on construction (see :func:`plnanalytics.schema.validate`);
    a table that is not given is empty.

    Parameters
    ----------
    posts, interactions, accounts, people, identities, memberships : pandas.DataFrame
        The tables, with at least their required columns.
    """

    posts: pd.DataFrame | None = None
    interactions: pd.DataFrame | None = None
    accounts: pd.DataFrame | None = None
    people: pd.DataFrame | None = None
    identities: pd.DataFrame | None = None
    memberships: pd.DataFrame | None = None

    def __post_init__(self) -> None:
        for name in TABLES:
            frame = getattr(self, name)
            if frame is None:
                setattr(self, name, TABLES[name].empty_frame())
            else:
                setattr(self, name, validate(name, frame))

    @classmethod
    def from_records(cls, **tables: Iterable[Mapping[str, object]]) -> Dataset:
        """Build a dataset from lists of dicts, one list per table name."""
        unknown = set(tables) - set(TABLES)
        if unknown:
            raise SchemaError(f"unknown table(s) {', '.join(sorted(unknown))}")
        frames = {}
        for name, rows in tables.items():
            records = list(rows)
            frames[name] = pd.DataFrame(records) if records else TABLES[name].empty_frame()
        return cls(**frames)

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """The six frames by table name."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def counts(self) -> dict[str, int]:
        """Number of rows per table.

        Examples
        --------
        >>> Dataset().counts()["posts"]
        0
        """
        return {name: len(frame) for name, frame in self.tables.items()}

    def concat(self, *others: Dataset) -> Dataset:
        """Stack this dataset with others, dropping rows repeated under a table's key.

        The first occurrence of a key wins, as in the store.

        Examples
        --------
        >>> a = Dataset.from_records(accounts=[{"account": "x:1", "platform": "x"}])
        >>> a.concat(a).counts()["accounts"]
        1
        """
        parts = {}
        for name, spec in TABLES.items():
            frames = [getattr(d, name) for d in (self, *others)]
            frames = [f for f in frames if len(f)]
            if not frames:
                continue
            frame = pd.concat(frames, ignore_index=True)
            parts[name] = frame.drop_duplicates(subset=list(spec.key), keep="first")
        return Dataset(**parts)

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v}" for k, v in self.counts().items())
        return f"Dataset({inner})"
