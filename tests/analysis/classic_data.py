"""Small readers for the classic SNA data sets in ../shared/realdata/classic-socnetv (tests only).

Three formats occur there:

- Pajek (``.paj``, ``.net``): ``*Network name``, ``*Vertices n`` with ``id "label" x y ...``
  lines, then relations as ``*Matrix :k name`` (n x n values, rows may wrap), ``*Arcs`` /
  ``*Edges`` (``from to [weight] ...``) or ``*Arcslist`` / ``*Edgeslist`` (``from to to ...``).
  One file may hold several relations over the same vertices (Krackhardt: advice, friendship,
  reports-to).
- UCINET DL: a header (``DL N=34 NM=2``, ``FORMAT = FULLMATRIX`` or ``EDGELIST1``, optional
  ``LABELS:``/``ROW LABELS:``/``COLUMN LABELS:``/``LEVEL LABELS:`` sections) then ``DATA:``; a
  full matrix may wrap its rows over several lines and holds ``NM`` matrices one after another.
- ``.2sm``: a bare two-mode matrix, one actor a line, one column per event.

Graphs use string node keys (the labels; the 1-based vertex number when there is none),
keep isolates and weights, never hold self-loops (diagonal values are ignored: self-loops are
not ties in plnanalytics) and are DiGraphs: arcs one way, edges and symmetric matrices both ways.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import networkx as nx

__all__ = ["read_dl", "read_pajek", "read_two_mode"]

_VERTEX = re.compile(r'^\s*(\d+)(?:\s+(?:"([^"]*)"|(\S+)))?')


def _add(G: nx.DiGraph, u: str, v: str, w: float, *, both: bool) -> None:
    """Add ``u -> v`` (and ``v -> u`` when ``both``) with weight ``w``; skip zeros and loops."""
    if w == 0 or u == v:
        return
    G.add_edge(u, v, weight=w)
    if both:
        G.add_edge(v, u, weight=w)


def read_pajek(path: str | Path) -> dict[str, nx.DiGraph]:
    """Read a Pajek network file into one DiGraph per relation.

    Relations are named after their ``*Matrix`` / ``*Arcs`` / ``*Edges`` line
    (``*Matrix :1 "Marital"`` gives ``"Marital"``); unnamed ones take the ``*Network`` name,
    or the file stem, and unnamed ``*Arcs`` and ``*Edges`` of one network go into one graph.
    """
    path = Path(path)
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    network = path.stem
    labels: list[str] = []
    graphs: dict[str, nx.DiGraph] = {}
    G: nx.DiGraph | None = None
    mode = None  # "vertices", "matrix", "arcs", "edges", "arcslist", "edgeslist"
    remaining = 0
    matrix: list[float] = []

    def relation(rest: str) -> nx.DiGraph:
        m = re.match(r"\s*:\s*\d+\s*(.*)$", rest)
        name = (m.group(1) if m else rest).strip().strip('"').strip() or network
        if name not in graphs:
            H = nx.DiGraph(name=name)
            H.add_nodes_from((x, {"label": x}) for x in labels)
            graphs[name] = H
        return graphs[name]

    def flush_matrix() -> None:
        n = len(labels)
        for i in range(n):
            for j in range(n):
                _add(G, labels[i], labels[j], matrix[i * n + j], both=False)

    for raw in lines:
        line = raw.strip()
        if not line or line.startswith("%"):
            continue
        if line.startswith("*"):
            if mode == "matrix" and matrix:
                raise ValueError(f"{path.name}: matrix ended after {len(matrix)} values")
            keyword, _, rest = line[1:].partition(" ")
            keyword = keyword.lower()
            if keyword == "network":
                network = rest.strip().strip('"') or path.stem
                mode = None
            elif keyword == "vertices":
                remaining = int(rest.split()[0])
                labels = [str(i + 1) for i in range(remaining)]
                mode = "vertices" if remaining else None
            elif keyword in ("matrix", "arcs", "edges", "arcslist", "edgeslist"):
                G = relation(rest)
                mode = keyword
                matrix = []
            else:
                raise ValueError(f"{path.name}: unknown Pajek section *{keyword}")
            continue
        if mode == "vertices":
            m = _VERTEX.match(line)
            if not m:
                raise ValueError(f"{path.name}: bad vertex line {raw!r}")
            number = int(m.group(1))
            label = m.group(2) if m.group(2) is not None else m.group(3)
            labels[number - 1] = label.strip() if label else str(number)
            remaining -= 1
            if remaining == 0:
                if len(set(labels)) != len(labels):
                    raise ValueError(f"{path.name}: duplicate vertex labels")
                mode = None
        elif mode == "matrix":
            matrix.extend(float(t) for t in line.split())
            if len(matrix) == len(labels) ** 2:
                flush_matrix()
                matrix = []
                mode = None
        elif mode in ("arcs", "edges"):
            parts = shlex.split(line)
            w = float(parts[2]) if len(parts) > 2 else 1.0
            _add(G, labels[int(parts[0]) - 1], labels[int(parts[1]) - 1], w, both=mode == "edges")
        elif mode in ("arcslist", "edgeslist"):
            parts = [int(t) for t in line.split()]
            for t in parts[1:]:
                _add(G, labels[parts[0] - 1], labels[t - 1], 1.0, both=mode == "edgeslist")
        elif mode is None:
            raise ValueError(f"{path.name}: data outside a section: {raw!r}")
    if mode == "matrix" and matrix:
        raise ValueError(f"{path.name}: matrix ended after {len(matrix)} values")
    if not graphs and labels:
        H = nx.DiGraph(name=network)
        H.add_nodes_from((x, {"label": x}) for x in labels)
        graphs[network] = H
    return graphs


_DL_SECTION = re.compile(
    r"^(ROW LABELS|COLUMN LABELS|LEVEL LABELS|LABELS|MATRIX LABELS)\s*:\s*(.*)$", re.I
)


def _dl_labels(text: str) -> list[str]:
    return [t.strip().strip('"').strip() for t in re.split(r"[,\n]", text) if t.strip()]


def read_dl(path: str | Path) -> dict[str, nx.DiGraph]:
    """Read a UCINET DL file (``FULLMATRIX`` or ``EDGELIST1``) into one DiGraph per matrix.

    Matrices are named by ``LEVEL LABELS`` (``"1"``, ``"2"`` ... when absent); nodes by
    ``LABELS`` / ``ROW LABELS`` (``"1"`` ... ``"N"`` when absent). A full matrix keeps every
    non-zero off-diagonal cell as an arc (so symmetric data gives both directions).
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8", errors="replace")
    marker = re.search(r"^\s*DATA\s*:", text, flags=re.I | re.M)
    if not marker:
        raise ValueError(f"{path.name}: no DATA: section")
    head, data = text[: marker.start()], text[marker.end() :]
    if not re.match(r"\s*DL\b", head, flags=re.I):
        raise ValueError(f"{path.name}: not a UCINET DL file (no leading DL)")
    n_match = re.search(r"\bN\s*=\s*(\d+)", head, flags=re.I)
    if not n_match:
        raise ValueError(f"{path.name}: no N= in the header")
    n = int(n_match.group(1))
    nm_match = re.search(r"\bNM\s*=\s*(\d+)", head, flags=re.I)
    nm = int(nm_match.group(1)) if nm_match else 1
    fmt_match = re.search(r"\bFORMAT\s*=\s*(\w+)", head, flags=re.I)
    fmt = fmt_match.group(1).upper() if fmt_match else "FULLMATRIX"
    diagonal = not re.search(r"DIAGONAL\s+ABSENT", head, flags=re.I)

    sections: dict[str, list[str]] = {}
    current = None
    for line in head.splitlines():
        m = _DL_SECTION.match(line.strip())
        if m:
            current = m.group(1).upper()
            sections[current] = _dl_labels(m.group(2))
        elif current and line.strip() and "=" not in line:
            sections[current] += _dl_labels(line)
        elif "=" in line:
            current = None
    nodes = sections.get("ROW LABELS") or sections.get("LABELS") or [str(i + 1) for i in range(n)]
    if len(nodes) != n:
        raise ValueError(f"{path.name}: {len(nodes)} labels for N={n}")
    levels = sections.get("LEVEL LABELS") or sections.get("MATRIX LABELS")
    levels = levels or [str(k + 1) for k in range(nm)]
    graphs = {}
    for name in levels:
        G = nx.DiGraph(name=name)
        G.add_nodes_from((x, {"label": x}) for x in nodes)
        graphs[name] = G

    if fmt == "FULLMATRIX":
        values = [float(t) for t in data.split()]
        cells = n * n if diagonal else n * (n - 1)
        if len(values) != cells * nm:
            raise ValueError(f"{path.name}: {len(values)} values, expected {cells * nm}")
        for k, name in enumerate(levels):
            block = iter(values[k * cells : (k + 1) * cells])
            for i in range(n):
                for j in range(n):
                    if i == j and not diagonal:
                        continue
                    _add(graphs[name], nodes[i], nodes[j], next(block), both=False)
    elif fmt == "EDGELIST1":
        embedded = bool(re.search(r"LABELS\s+EMBEDDED", head, flags=re.I))
        G = graphs[levels[0]]
        for line in data.splitlines():
            parts = line.replace(",", " ").split()
            if not parts:
                continue
            if embedded:
                a, b = parts[0].strip('"'), parts[1].strip('"')
            else:
                a, b = nodes[int(parts[0]) - 1], nodes[int(parts[1]) - 1]
            for x in (a, b):
                if x not in G:
                    G.add_node(x, label=x)
            _add(G, a, b, float(parts[2]) if len(parts) > 2 else 1.0, both=False)
    else:
        raise ValueError(f"{path.name}: DL format {fmt} is not supported")
    return graphs


def read_two_mode(
    path: str | Path, *, rows: str = "actor", columns: str = "event"
) -> nx.Graph:
    """Read a bare two-mode matrix (``.2sm``) as a bipartite graph.

    Row ``i`` becomes node ``f"{rows}{i}"`` (``bipartite=0``), column ``j`` node
    ``f"{columns}{j}"`` (``bipartite=1``), both 1-based; non-zero cells are weighted edges.
    """
    path = Path(path)
    matrix = [
        [float(t) for t in line.split()]
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    width = {len(r) for r in matrix}
    if len(width) != 1:
        raise ValueError(f"{path.name}: rows of different lengths {sorted(width)}")
    (m,) = width
    B = nx.Graph(name=path.stem)
    B.add_nodes_from((f"{rows}{i + 1}" for i in range(len(matrix))), bipartite=0)
    B.add_nodes_from((f"{columns}{j + 1}" for j in range(m)), bipartite=1)
    for i, row in enumerate(matrix):
        for j, value in enumerate(row):
            if value:
                B.add_edge(f"{rows}{i + 1}", f"{columns}{j + 1}", weight=value)
    return B
