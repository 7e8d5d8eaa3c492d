"""Write tables and graphs for researchers: CSV, Parquet, GraphML and GEXF (for Gephi).

Every writer writes to a temporary name beside the target and renames it when done, so an
interrupted run never leaves half a file under the final name.

Examples
--------
>>> import tempfile, pathlib, networkx as nx, pandas as pd
>>> out = pathlib.Path(tempfile.mkdtemp())
>>> write_table(pd.DataFrame({"name": ["=cmd()", "Ann"], "x": [1.5, None]}), out / "t.csv")
2
>>> (out / "t.csv").read_text().splitlines()
['name,x', "'=cmd(),1.5", 'Ann,']
>>> G = nx.DiGraph([("a", "b", {"weight": 2.0})])
>>> G.nodes["a"]["label"] = "Ann"
>>> write_graph(G, out / "g.gexf").name, write_graph(G, out / "g.graphml").name
('g.gexf', 'g.graphml')
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx
import pandas as pd

from ..errors import PlnError
from ..store import FORMULA_START

if TYPE_CHECKING:
    from ..analysis import Analysis

#: Graph file formats by suffix.
GRAPH_FORMATS = (".graphml", ".gexf")


def guard_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells a spreadsheet would run as a formula start with ``'``.

    Cells starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return are prefixed;
    numbers are left alone.

    Examples
    --------
    >>> guard_formulas(pd.DataFrame({"t": ["+1 call", "ok"], "n": [-1, 2]})).to_dict("list")
    {'t': ["'+1 call", 'ok'], 'n': [-1, 2]}
    """
    out = frame.copy()
    for c in out.columns:
        s = out[c]
        if s.dtype == object or pd.api.types.is_string_dtype(s):
            text = s.map(lambda v: isinstance(v, str) and v[:1] in FORMULA_START and v != "")
            out[c] = s.where(~text.astype(bool), "'" + s.astype(str))
    return out


def write_table(frame: pd.DataFrame, path: str | Path, *, guard: bool = True) -> int:
    """Write a data frame as CSV (formula-guarded unless ``guard=False``), Excel (``.xlsx``,
    always formula-guarded) or Parquet.

    Returns
    -------
    int
        Rows written.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        data = guard_formulas(frame) if guard else frame
        _atomic(path, lambda tmp: data.to_csv(tmp, index=False, lineterminator="\n"))
    elif suffix == ".xlsx":  # a spreadsheet runs formulas too: always guarded
        data = guard_formulas(frame)
        _atomic(path, lambda tmp: data.to_excel(tmp, index=False, engine="openpyxl"))
    elif suffix == ".parquet":
        _atomic(path, lambda tmp: frame.to_parquet(tmp, index=False))
    else:
        raise PlnError(f"{path}: expected a .csv, .xlsx or .parquet file name")
    return len(frame)


def write_graph(G: nx.Graph, path: str | Path) -> Path:
    """Write a graph as GraphML or GEXF (by suffix), attributes included.

    Values those formats cannot hold are made plain: missing values (None, NaN) are left
    out, other objects become text. ``label`` is the node label Gephi shows and ``weight``
    the edge weight.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in GRAPH_FORMATS:
        raise PlnError(f"{path}: expected a file name ending in {' or '.join(GRAPH_FORMATS)}")
    H = _plain(G)
    if suffix == ".graphml":
        _atomic(path, lambda tmp: nx.write_graphml(H, tmp, named_key_ids=True))
    else:
        _atomic(path, lambda tmp: nx.write_gexf(H, tmp))
    return path


def _plain(G: nx.Graph) -> nx.Graph:
    """A copy with only str, int, float and bool attribute values (and one type per key)."""
    H = G.__class__()
    H.graph.update({k: _value(v) for k, v in G.graph.items() if _value(v) is not None})
    H.add_nodes_from((n, _clean(d)) for n, d in G.nodes(data=True))
    H.add_edges_from((u, v, _clean(d)) for u, v, d in G.edges(data=True))
    _one_type_per_key([d for _, d in H.nodes(data=True)])
    _one_type_per_key([d for *_, d in H.edges(data=True)])
    return H


def _one_type_per_key(dicts: list[dict[str, Any]]) -> None:
    """GraphML declares one type per attribute: a key holding mixed types becomes text."""
    kinds: dict[str, set[type]] = {}
    for d in dicts:
        for k, v in d.items():
            kinds.setdefault(k, set()).add(type(v))
    mixed = {k for k, t in kinds.items() if len(t) > 1 and t != {int, float}}
    floats = {k for k, t in kinds.items() if t == {int, float}}
    for d in dicts:
        for k in mixed & d.keys():
            d[k] = str(d[k])
        for k in floats & d.keys():
            d[k] = float(d[k])


def _clean(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in ((k, _value(v)) for k, v in d.items()) if v is not None}


def _value(v: Any) -> str | int | float | bool | None:
    if v is None or v is pd.NA:
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return int(v)
    if isinstance(v, float):
        return None if math.isnan(v) else float(v)
    if hasattr(v, "item"):  # numpy scalars
        return _value(v.item())
    return str(v)


def _atomic(path: Path, write: Callable[[Path], object]) -> None:
    if not path.parent.exists():
        raise PlnError(f"{path}: folder {path.parent} does not exist")
    tmp = path.with_name(path.name + ".part")
    try:
        write(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise PlnError(f"{path}: cannot write ({exc.strerror or exc})") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


#: The files :func:`write_analysis` writes, in order.
ANALYSIS_FILES = ("metrics.csv", "communities.csv", "summary.json", "graph.graphml",
                  "graph.gexf")


def write_analysis(result: Analysis, out_dir: str | Path) -> list[Path]:
    """Write an analysis as the files researchers open: :data:`ANALYSIS_FILES`.

    ``metrics.csv`` has one row per node (isolates included), ``communities.csv`` one row
    per community, ``summary.json`` the network-level numbers and the settings used, and
    the graph files carry every node and edge attribute plus the main metrics (open
    ``graph.gexf`` in Gephi). The folder is created if needed.

    Returns
    -------
    list of Path
        The files written.
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise PlnError(f"{out}: exists and is not a folder")
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / name for name in ANALYSIS_FILES]
    write_table(result.metrics, paths[0])
    write_table(result.communities, paths[1])
    text = json.dumps(_jsonable(result.summary), indent=2, sort_keys=False, allow_nan=False)
    _atomic(paths[2], lambda tmp: tmp.write_text(text + "\n", encoding="utf-8"))
    write_graph(result.graph, paths[3])
    write_graph(result.graph, paths[4])
    return paths


def _jsonable(value: Any) -> Any:
    """Plain JSON values: NaN becomes null, numpy scalars become numbers."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return _value(value)
