"""plnanalytics: social network analysis of educator connection data.

Ingest hashtag chats, group rosters and advice surveys into one normalized form, keep it in
a DuckDB project store, and analyse the networks of school leaders.

Examples
--------
>>> import plnanalytics as pln
>>> pln.Dataset()
Dataset(posts=0, interactions=0, accounts=0, people=0, identities=0, memberships=0)

The usual path: ``Store.ingest`` files, :func:`build_graph` from the store, :func:`analyze`
the graph and :func:`flag_isolation` its roster people; :func:`write_analysis` writes the
files researchers open. Over time: :func:`timeline` (windows, trajectories, retention and the
``declining`` flag) and :func:`chat_sessions`; what to do next:
:func:`suggest_introductions`.
"""

from .analysis import Analysis, Thresholds, analyze, flag_isolation
from .analysis.recommend import node_groups, suggest_introductions
from .analysis.sessions import ChatSessions, chat_sessions, retention
from .analysis.temporal import Timeline, Window, declining, make_windows, timeline
from .dataset import Dataset
from .errors import FormatError, OptionError, PlnError, RecordError, SchemaError, StoreError
from .graph.build import build_graph, build_network, undirected
from .identity import MatchOptions, resolve_identities, review_identities
from .ingest import FORMATS, open_reader, sniff
from .report import write_report
from .report.export import write_analysis, write_graph, write_table
from .schema import TABLES, validate
from .store import IngestReport, Store, StoreInfo

__version__ = "0.1.0"

__all__ = [
    "FORMATS",
    "TABLES",
    "Analysis",
    "ChatSessions",
    "Dataset",
    "FormatError",
    "IngestReport",
    "MatchOptions",
    "OptionError",
    "PlnError",
    "RecordError",
    "SchemaError",
    "Store",
    "StoreError",
    "StoreInfo",
    "Thresholds",
    "Timeline",
    "Window",
    "__version__",
    "analyze",
    "build_graph",
    "build_network",
    "chat_sessions",
    "declining",
    "flag_isolation",
    "make_windows",
    "node_groups",
    "open_reader",
    "resolve_identities",
    "retention",
    "review_identities",
    "sniff",
    "suggest_introductions",
    "timeline",
    "undirected",
    "validate",
    "write_analysis",
    "write_graph",
    "write_report",
    "write_table",
]
