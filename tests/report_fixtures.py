"""Stores for the report tests: the sample data, and the sample data plus hostile text."""

from __future__ import annotations

from pathlib import Path

from plnanalytics import Dataset, Store

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"

#: Text that would run script if a report put it into the page unescaped.
HOSTILE_NAME = '"><img src=x onerror=alert(1)>'
HOSTILE_POST = "<script>alert(1)</script>"

#: A roster person of the sample data (P002, Vaughn Foxworth) and their X account.
SAMPLE_ACCOUNT = "x:1596343431"


def sample_store(path: Path) -> Path:
    """Ingest the sample's twarc2 archive, TAGS archive and roster into ``path``."""
    with Store(path) as s:
        for name in ("naespchat_twarc2.jsonl", "principallife_tags.csv", "roster.csv"):
            s.ingest(SAMPLE / name)
    return path


def add_hostile(path: Path) -> Path:
    """Add a roster person and an account whose names and post are hostile markup, with a
    tie into the sample network so that they are in the graph and on the watchlist."""
    ts = "2025-10-01T00:10:00Z"
    ds = Dataset.from_records(
        people=[{"person_id": "PX1", "name": HOSTILE_NAME, "organization": "Cedar Valley Unified",
                 "role": "principal"}],
        identities=[{"account": "x:666", "person_id": "PX1", "method": "explicit"}],
        accounts=[{"account": "x:666", "platform": "x", "handle": HOSTILE_NAME,
                   "display_name": HOSTILE_NAME}],
        posts=[{"post_id": "666001", "platform": "x", "author": "x:666", "created_at": ts,
                "text": HOSTILE_POST, "contexts": [HOSTILE_POST]}],
        interactions=[{"platform": "x", "kind": "mention", "src": "x:666", "dst": SAMPLE_ACCOUNT,
                       "ts": ts, "post_id": "666001", "context": HOSTILE_POST}])
    with Store(path) as s:
        s.add(ds, source="hostile fixture")
    return path
