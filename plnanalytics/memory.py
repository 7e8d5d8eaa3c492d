"""Memory housekeeping shared by the steps that build big object graphs.

Python's cyclic garbage collector runs a full collection after enough new containers, and
each full collection walks every live object: next to a graph of millions of edges (each
edge a dict) that costs seconds, again and again, while a step creates millions of small
dicts and lists that hold no cycles. The big steps (building the graph, the analysis,
writing graph files) pause it.

Examples
--------
>>> import gc
>>> with gc_paused():
...     gc.isenabled()
False
>>> gc.isenabled()
True
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector within the block (reference counting still frees
    what is no longer used); it is enabled again afterwards if it was before."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
