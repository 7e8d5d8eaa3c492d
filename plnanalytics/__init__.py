"""plnanalytics: social network analysis of educator connection data.

Ingest hashtag chats, group rosters and advice surveys into one normalized form, keep it in
a DuckDB project store, and analyse the networks of school leaders.

Examples
--------
>>> import plnanalytics as pln
>>> pln.Dataset()
Dataset(posts=0, interactions=0, accounts=0, people=0, identities=0, memberships=0)
"""

from .dataset import Dataset
from .errors import FormatError, OptionError, PlnError, RecordError, SchemaError, StoreError
from .ingest import FORMATS, open_reader, sniff
from .schema import TABLES, validate
from .store import IngestReport, Store, StoreInfo

__version__ = "0.1.0"

__all__ = [
    "FORMATS",
    "TABLES",
    "Dataset",
    "FormatError",
    "IngestReport",
    "OptionError",
    "PlnError",
    "RecordError",
    "SchemaError",
    "Store",
    "StoreError",
    "StoreInfo",
    "__version__",
    "open_reader",
    "sniff",
    "validate",
]
