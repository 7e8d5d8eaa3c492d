"""Collectors: fetch posts from platform APIs into the store, raw pages first.

A collector appends every response page to a raw JSONL file beside the store (flushed and
fsynced) before it normalizes the page and stores it together with its checkpoint in one
transaction, so a collection can be resumed page by page and repeated incrementally.

Examples
--------
>>> from plnanalytics.collect import collect_x, raw_path
>>> raw_path("chats.duckdb", "x", "abc").as_posix()
'chats.raw/x/abc.jsonl'
"""

from __future__ import annotations

from .base import CollectError, CollectProgress, CollectReport, raw_path
from .x import collect_x, collection_key

__all__ = ["CollectError", "CollectProgress", "CollectReport", "collect_x", "collection_key",
           "raw_path"]
