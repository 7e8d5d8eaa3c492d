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
import re
import time
from collections.abc import Callable, Iterable, Iterator
from itertools import chain, repeat
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np
import pandas as pd

from ..errors import PlnError
from ..memory import gc_paused
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
    out, other objects become text, and an attribute holding values of several types is
    written as text (ints mixed with floats as floats). ``label`` is the node label Gephi
    shows and ``weight`` the edge weight. Characters XML 1.0 cannot carry (most control
    characters) are dropped from text.

    The documents are the ones ``nx.write_graphml(G, path, named_key_ids=True)`` and
    ``nx.write_gexf(G, path)`` write for the plain graph (reading either back gives the same
    graph), but streamed from attribute columns, many times faster. Multigraphs and GEXF's
    dynamic or reserved attributes (``id``, ``start``, ``end``, ``viz``, ...) go through
    networkx.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> G = nx.DiGraph([("a", "b", {"weight": 2.0})], name="chat")
    >>> G.nodes["a"]["label"] = "Ann <3"
    >>> path = write_graph(G, pathlib.Path(tempfile.mkdtemp()) / "g.graphml")
    >>> print(path.read_text().split("<graph ")[1].strip())
    edgedefault="directed">
        <node id="a">
          <data key="label">Ann &lt;3</data>
        </node>
        <node id="b" />
        <edge source="a" target="b">
          <data key="weight">2.0</data>
        </edge>
        <data key="name">chat</data>
      </graph>
    </graphml>
    >>> H = nx.read_gexf(write_graph(G, path.with_suffix(".gexf")))
    >>> H.nodes["a"]["label"], H["a"]["b"]["weight"]
    ('Ann <3', 2.0)
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in GRAPH_FORMATS:
        raise PlnError(f"{path}: expected a file name ending in {' or '.join(GRAPH_FORMATS)}")
    if G.is_multigraph():
        H = _plain(G)
        if suffix == ".graphml":
            _atomic(path, lambda tmp: nx.write_graphml(H, tmp, named_key_ids=True))
        else:
            _atomic(path, lambda tmp: nx.write_gexf(H, tmp))
        return path
    with gc_paused():
        _write_simple(_GraphTable(G), G, path, suffix)
    return path


def _write_simple(table: _GraphTable, G: nx.Graph, path: Path, suffix: str) -> None:
    if suffix == ".graphml":
        _atomic(path, lambda tmp: _write_text(tmp, _graphml_chunks(table)))
    elif table.gexf_reserved():
        H = _plain(G)
        _atomic(path, lambda tmp: nx.write_gexf(H, tmp))
    else:
        _atomic(path, lambda tmp: _write_text(tmp, _gexf_chunks(table)))


# -- streaming GraphML / GEXF -----------------------------------------------------------

#: Rows formatted and written at once by the streaming writers.
_CHUNK = 100_000

#: Characters XML 1.0 does not allow (networkx writes them as they are, and the file cannot
#: be read back): dropped from text.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

#: Joins the values of a column while they are escaped at once (it cannot survive cleaning).
_SEP = "\x00"

#: GraphML / GEXF type names, as networkx writes them.
_XML_TYPES = {str: "string", int: "long", float: "double", bool: "boolean"}

#: Node and edge attributes GEXF (as networkx writes it) treats specially; a graph using
#: one of them goes through networkx.
_GEXF_NODE_RESERVED = frozenset({"id", "pid", "start", "end", "parents", "spells", "viz"})
_GEXF_EDGE_RESERVED = frozenset({"id", "label", "type", "start", "end", "spells", "viz"})

_PLAIN = frozenset({str, int, float, bool, type(None)})


class _Column:
    """One attribute over the nodes (or edges): raw values, the type written and where
    values are present."""

    def __init__(self, key: Any, raw: list[Any]) -> None:
        kinds = set(map(type, raw))
        if not kinds <= _PLAIN:
            raw = [_value(v) for v in raw]
        elif float in kinds:
            raw = [None if v != v else v for v in raw]  # NaN is missing
        kinds = set(map(type, raw))
        kinds.discard(type(None))
        self.key = key
        self.name = str(key)
        self.raw = raw
        self.missing = raw.count(None)
        if len(kinds) > 1:
            self.kind: type = float if kinds == {int, float} else str
            self.convert: Callable[[Any], Any] | None = self.kind
        else:
            self.kind = kinds.pop() if kinds else str
            self.convert = None
        if self.missing:
            values = np.empty(len(raw), dtype=object)
            values[:] = raw
            self.present = values != None  # noqa: E711 - elementwise
            self.first = int(np.argmax(self.present)) if self.present.any() else len(raw)
        else:
            self.present = np.ones(len(raw), dtype=bool)
            self.first = 0
        self._texts: dict[bool, list[str]] = {}

    @property
    def empty(self) -> bool:
        return self.missing == len(self.raw)

    def texts(self, start: int, stop: int, *, gexf: bool = False) -> list[str]:
        """The values of rows ``start:stop`` as text (``""`` where missing)."""
        return self.all_texts(gexf=gexf)[start:stop]

    def all_texts(self, *, gexf: bool = False) -> list[str]:
        """Every value as text (``""`` where missing), as networkx writes it; cached, so
        GraphML and GEXF written from one table format the values once."""
        if gexf in self._texts:
            return self._texts[gexf]
        plain = self._texts.get(False)
        if plain is None:
            plain = self._format(str)
            self._texts[False] = plain
        out = plain
        if gexf and self.kind is bool:
            out = self._format({True: "true", False: "false"}.__getitem__)
        elif gexf and self.kind is float and ("inf" in plain or "-inf" in plain):
            out = [{"inf": "INF", "-inf": "-INF"}.get(t, t) for t in plain]
        self._texts[gexf] = out
        return out

    def _format(self, fmt: Callable[[Any], str]) -> list[str]:
        raw = self.raw
        if self.missing:
            values = np.empty(len(raw), dtype=object)
            values[:] = raw
            raw = values[self.present].tolist()
        if self.convert is not None:
            raw = list(map(self.convert, raw))
        out = raw if self.kind is str else list(map(fmt, raw))
        if not self.missing:
            return out
        full = np.full(len(self.raw), "", dtype=object)
        full[self.present] = out
        return full.tolist()


def _columns(dicts: list[dict[Any, Any]]) -> list[_Column]:
    """The attribute columns of a list of attribute dicts, in the order networkx meets
    their first values (attributes without any value left out)."""
    keys = list(dict.fromkeys(chain.from_iterable(dicts)))
    cols = [_Column(k, list(map(dict.get, dicts, repeat(k)))) for k in keys]
    order = sorted(range(len(cols)), key=lambda i: cols[i].first)  # stable: dict order
    return [cols[i] for i in order if not cols[i].empty]


def _wrap(texts: list[str], pre: str, suf: str, *, attrib: bool, escape: bool = True
          ) -> list[str]:
    """``pre + escaped(text) + suf`` for every text, escaped as ElementTree does (``&``,
    ``<``, ``>``; in attributes also ``"``, CR, LF and tab) after dropping characters XML
    1.0 does not allow. The work is done on one joined string, at C speed."""
    if not texts:
        return []
    joined = _SEP.join(texts)
    if escape:
        if joined.count(_SEP) != len(texts) - 1 or _XML_INVALID.search(joined.replace(_SEP, "")):
            joined = _SEP.join([_XML_INVALID.sub("", t) for t in texts])
        if "&" in joined:
            joined = joined.replace("&", "&amp;")
        joined = joined.replace("<", "&lt;").replace(">", "&gt;")
        if attrib:
            joined = (joined.replace('"', "&quot;").replace("\r", "&#13;")
                      .replace("\n", "&#10;").replace("\t", "&#09;"))
    return (pre + joined.replace(_SEP, suf + _SEP + pre) + suf).split(_SEP)


def _escape(text: str, *, attrib: bool = True) -> str:
    return _wrap([text], "", "", attrib=attrib)[0]


def _pieces(col: _Column, start: int, stop: int, pre: str, suf: str, *, attrib: bool,
            gexf: bool = False) -> list[str]:
    """The wrapped values of a column for rows ``start:stop``, ``""`` where missing."""
    out = _wrap(col.texts(start, stop, gexf=gexf), pre, suf, attrib=attrib,
                escape=col.kind is str)
    if col.missing:
        arr = np.array(out, dtype=object)
        arr[~col.present[start:stop]] = ""
        out = arr.tolist()
    return out


def _switch(flags: np.ndarray, yes: str, no: str) -> list[str]:
    """``yes`` where a flag is set, else ``no`` (the same two string objects throughout)."""
    out = np.full(flags.size, no, dtype=object)
    out[flags] = yes
    return out.tolist()


class _GraphTable:
    """A simple graph as columns: node ids, edge end positions and attribute columns."""

    def __init__(self, G: nx.Graph) -> None:
        self.directed = G.is_directed()
        self.graph = {k: v for k, v in ((k, _value(v)) for k, v in G.graph.items())
                      if v is not None and k not in ("node_default", "edge_default")}
        self.nodes = list(G.nodes)
        self.ids = [str(n) for n in self.nodes]
        node_dicts = [d for _, d in G.nodes(data=True)]
        position = {n: i for i, n in enumerate(self.nodes)}
        if self.directed:
            nbrs = [nbr for _, nbr in G.adjacency()]
            deg = np.fromiter(map(len, nbrs), dtype=np.int64, count=len(nbrs))
            m = int(deg.sum())
            self.source = np.repeat(np.arange(len(nbrs), dtype=np.int64), deg)
            self.target = np.fromiter(map(position.__getitem__, chain.from_iterable(nbrs)),
                                      dtype=np.int64, count=m)
            edge_dicts = [d for nbr in nbrs for d in nbr.values()]
        else:
            edges = list(G.edges(data=True))
            self.source = np.fromiter((position[u] for u, _, _ in edges), dtype=np.int64,
                                      count=len(edges))
            self.target = np.fromiter((position[v] for _, v, _ in edges), dtype=np.int64,
                                      count=len(edges))
            edge_dicts = [d for *_, d in edges]
        self.node_cols = _columns(node_dicts)
        self.edge_cols = _columns(edge_dicts)

    def gexf_reserved(self) -> bool:
        """Whether the graph uses attributes GEXF treats specially (beyond label, weight)."""
        return bool({c.name for c in self.node_cols} & _GEXF_NODE_RESERVED
                    or {c.name for c in self.edge_cols} & _GEXF_EDGE_RESERVED
                    or self.graph.get("mode") == "dynamic")


def _graphml_chunks(t: _GraphTable) -> Iterator[str]:
    """GraphML text as ``nx.write_graphml(H, named_key_ids=True)`` writes it."""
    node_cols, edge_cols = t.node_cols, t.edge_cols
    graph_data = dict(t.graph)
    graph_id = graph_data.pop("id", None)
    declared = ([("graph", k, type(v)) for k, v in graph_data.items()]
                + [("node", c.name, c.kind) for c in node_cols]
                + [("edge", c.name, c.kind) for c in edge_cols])
    head = ["<?xml version='1.0' encoding='utf-8'?>\n",
            '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
            'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n']
    seen = set()
    for scope, name, kind in declared:  # networkx inserts each new key first
        if (scope, name, kind) in seen:
            continue
        seen.add((scope, name, kind))
        key = _escape(name)
        head.insert(2, f'  <key id="{key}" for="{scope}" attr.name="{key}" '
                       f'attr.type="{_XML_TYPES[kind]}" />\n')
    edgedefault = "directed" if t.directed else "undirected"
    gid = "" if graph_id is None else f' id="{_escape(str(graph_id))}"'
    if not t.nodes and not graph_data:
        yield "".join([*head, f'  <graph edgedefault="{edgedefault}"{gid} />\n</graphml>\n'])
        return
    yield "".join([*head, f'  <graph edgedefault="{edgedefault}"{gid}>\n'])
    ids = _wrap(t.ids, "", "", attrib=True)
    yield from _element_chunks(
        len(t.nodes), node_cols,
        lambda a, b: [_wrap(t.ids[a:b], '    <node id="', '"', attrib=True)],
        "data", "    </node>\n", None)
    sources = np.array(_wrap(ids, '    <edge source="', '" target="', attrib=False,
                             escape=False), dtype=object)
    targets = np.array(_wrap(ids, "", '"', attrib=False, escape=False), dtype=object)
    yield from _element_chunks(
        len(t.source), edge_cols,
        lambda a, b: [sources[t.source[a:b]].tolist(), targets[t.target[a:b]].tolist()],
        "data", "    </edge>\n", None)
    tail = [f'    <data key="{_escape(str(k))}">{_escape(str(v), attrib=False)}</data>\n'
            for k, v in graph_data.items()]
    yield "".join([*tail, "  </graph>\n</graphml>\n"])


def _element_chunks(
    count: int,
    cols: list[_Column],
    opening: Callable[[int, int], list[list[str]]],
    style: str,
    close: str,
    attr_ids: dict[str, str] | None,
) -> Iterator[str]:
    """Elements (nodes or edges) in chunks of rows: the opening tag from ``opening`` (the
    text up to its closing ``>``, in pieces per row), then the attribute values
    as GraphML ``<data>`` (``style="data"``) or GEXF ``<attvalue>`` children."""
    gexf = style == "attvalue"
    indent = "        " if gexf else "      "
    for start in range(0, count, _CHUNK):
        stop = min(start + _CHUNK, count)
        has = np.zeros(stop - start, dtype=bool)
        parts = opening(start, stop)
        values = []
        for c in cols:
            has |= c.present[start:stop]
            if gexf:
                assert attr_ids is not None
                pre, suf = f'{indent}  <attvalue for="{attr_ids[c.name]}" value="', '" />\n'
            else:
                pre, suf = f'{indent}<data key="{_escape(c.name)}">', "</data>\n"
            values.append(_pieces(c, start, stop, pre, suf, attrib=gexf, gexf=gexf))
        parts.append(_switch(has, ">\n", " />\n"))
        if gexf:
            parts.append(_switch(has, f"{indent}<attvalues>\n", ""))
        parts.extend(values)
        if gexf:
            parts.append(_switch(has, f"{indent}</attvalues>\n", ""))
        parts.append(_switch(has, close, ""))
        yield "".join(chain.from_iterable(zip(*parts, strict=True)))


def _gexf_chunks(t: _GraphTable) -> Iterator[str]:
    """GEXF 1.2draft text as ``nx.write_gexf(H)`` writes it."""
    label_col = next((c for c in t.node_cols if c.name == "label"), None)
    node_cols = [c for c in t.node_cols if c.name != "label"]
    weight_col = next((c for c in t.edge_cols if c.name == "weight"), None)
    edge_cols = [c for c in t.edge_cols if c.name != "weight"]
    attr_ids: dict[str, dict[str, str]] = {"node": {}, "edge": {}}
    blocks = []
    counter = 0
    for scope, cols in (("node", node_cols), ("edge", edge_cols)):
        lines = []
        for c in cols:
            title = "networkx_key" if c.name == "key" else c.name
            if title in attr_ids[scope]:
                continue
            attr_ids[scope][c.name] = str(counter)
            lines.append(f'      <attribute id="{counter}" title="{_escape(title)}" '
                         f'type="{_XML_TYPES[c.kind]}" />\n')
            counter += 1
        if lines:  # networkx inserts each new attributes block first
            blocks.insert(0, "".join([f'    <attributes mode="static" class="{scope}">\n',
                                      *lines, "    </attributes>\n"]))
    name = _escape(str(t.graph.get("name", "")))
    edgetype = "directed" if t.directed else "undirected"
    yield "".join([
        "<?xml version='1.0' encoding='utf-8'?>\n",
        '<gexf xmlns="http://www.gexf.net/1.2draft" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://www.gexf.net/1.2draft '
        'http://www.gexf.net/1.2draft/gexf.xsd" version="1.2">\n',
        f'  <meta lastmodifieddate="{time.strftime("%Y-%m-%d")}">\n',
        f"    <creator>NetworkX {nx.__version__}</creator>\n",
        "  </meta>\n",
        f'  <graph defaultedgetype="{edgetype}" mode="static" name="{name}">\n',
        *blocks,
        "    <nodes>\n" if t.nodes else "    <nodes />\n"])

    def node_open(a: int, b: int) -> list[list[str]]:
        ids = _wrap(t.ids[a:b], '      <node id="', '" label="', attrib=True)
        labels = t.ids[a:b]
        if label_col is not None:
            given = label_col.texts(a, b)
            if label_col.missing:
                given = np.where(label_col.present[a:b], np.array(given, dtype=object),
                                 np.array(labels, dtype=object)).tolist()
            labels = given
        return [ids, _wrap(labels, "", '"', attrib=True)]

    yield from _element_chunks(len(t.nodes), node_cols, node_open, "attvalue",
                               "      </node>\n", attr_ids["node"])
    if t.nodes:
        yield "    </nodes>\n"
    ids = _wrap(t.ids, "", "", attrib=True)
    sources = np.array(_wrap(ids, '      <edge source="', '" target="', attrib=False,
                             escape=False), dtype=object)
    targets = np.array(_wrap(ids, "", '" id="', attrib=False, escape=False), dtype=object)
    m = len(t.source)

    def edge_open(a: int, b: int) -> list[list[str]]:
        parts = [sources[t.source[a:b]].tolist(), targets[t.target[a:b]].tolist(),
                 _wrap(list(map(str, range(a, b))), "", '"', attrib=False, escape=False)]
        if weight_col is not None:
            parts.append(_pieces(weight_col, a, b, ' weight="', '"', attrib=True))
        return parts

    yield "    <edges>\n" if m else "    <edges />\n"
    yield from _element_chunks(m, edge_cols, edge_open, "attvalue", "      </edge>\n",
                               attr_ids["edge"])
    yield ("    </edges>\n" if m else "") + "  </graph>\n</gexf>\n"


def _write_text(path: Path, chunks: Iterable[str]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        for chunk in chunks:
            fh.write(chunk)


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
    G = result.graph
    if G.is_multigraph():
        write_graph(G, paths[3])
        write_graph(G, paths[4])
        return paths
    with gc_paused():  # both files from one table: its columns are formatted once
        table = _GraphTable(G)
        _write_simple(table, G, paths[3], ".graphml")
        _write_simple(table, G, paths[4], ".gexf")
    return paths


def _jsonable(value: Any) -> Any:
    """Plain JSON values: NaN becomes null, numpy scalars become numbers."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return _value(value)
