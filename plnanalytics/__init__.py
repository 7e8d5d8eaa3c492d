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
files researchers open.
"""

from .analysis import Analysis, Thresholds, analyze, flag_isolation
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
    "__version__",
    "analyze",
    "build_graph",
    "build_network",
    "flag_isolation",
    "open_reader",
    "resolve_identities",
    "review_identities",
    "sniff",
    "undirected",
    "validate",
    "write_analysis",
    "write_graph",
    "write_report",
    "write_table",
]
