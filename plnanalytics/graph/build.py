"""Build networkx graphs from the normalized tables, and derive their views.

The directed graph is the one stored shape: nodes are people (when an account is linked to a
roster person) or accounts, and an edge ``u -> v`` sums every interaction from ``u`` to ``v``.
Undirected views are derived from it on demand (:func:`undirected`), never stored twice.
"""

from __future__ import annotations

import itertools
import json
import math
import uuid
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

import duckdb
import networkx as nx
import numpy as np
import pandas as pd
import pyarrow as pa
import scipy.sparse as sp

from ..dataset import Dataset
from ..errors import OptionError
from ..identity import resolve_identities
from ..ingest.base import arrow_type, time_option
from ..memory import gc_paused
from ..schema import TABLES
from ..store import Store
from .projection import comember_ties


def undirected(G: nx.DiGraph) -> nx.Graph:
    """The undirected view of a directed interaction graph.

    ``u - v`` carries the sum of the weights and counts of ``u -> v`` and ``v -> u``; node
    attributes and graph attributes are kept, isolates included, self-loops dropped.

    Parameters
    ----------
    G : networkx.DiGraph
        A graph whose edges may carry ``weight`` (default 1) and ``count`` (default 1).

    Returns
    -------
    networkx.Graph

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_edge("a", "b", weight=2.0, count=2)
    >>> G.add_edge("b", "a", weight=1.0, count=1)
    >>> G.add_node("c")
    >>> H = undirected(G)
    >>> sorted(H.nodes), H["a"]["b"]["weight"], H["a"]["b"]["count"]
    (['a', 'b', 'c'], 3.0, 3)
    """
    if not G.is_directed():
        return G
    H = nx.Graph()
    H.graph.update(G.graph)
    H.add_nodes_from(G.nodes(data=True))
    for u, v, d in G.edges(data=True):
        if u == v:
            continue
        w = float(d.get("weight", 1.0))
        c = int(d.get("count", 1))
        if H.has_edge(u, v):
            e = H[u][v]
            e["weight"] += w
            e["count"] += c
        else:
            H.add_edge(u, v, weight=w, count=c)
    return H


def account_nodes(G: nx.Graph) -> dict[str, str]:
    """The node of ``G`` that stands for each account key (and each node key itself).

    :func:`build_graph` merges a roster person's accounts into the node ``roster:<id>`` and
    lists them in its ``accounts`` attribute; an account of nobody's is its own node. Use this
    to place rows keyed by account (posts, memberships) on the graph's nodes.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_node("roster:P1", accounts="x:10 slack:T1/U2")
    >>> G.add_node("x:99")
    >>> account_nodes(G)
    {'x:10': 'roster:P1', 'slack:T1/U2': 'roster:P1', 'roster:P1': 'roster:P1', 'x:99': 'x:99'}
    """
    node_of: dict[str, str] = {}
    for n, accounts in G.nodes(data="accounts"):
        for acc in str(accounts or "").split():
            node_of.setdefault(acc, n)
    node_of.update((n, n) for n in G.nodes)  # a node key always means that node
    return node_of


# -- building ---------------------------------------------------------------------------

#: Interaction kinds drawn from posts; a graph of other kinds (a survey, co-membership)
#: does not make every poster a node.
POST_KINDS = ("reply", "mention", "retweet", "quote", "message")

#: Node attributes set by :func:`build_graph`; roster columns of the same name are skipped.
NODE_FIELDS = ("label", "node_type", "person_id", "name", "handle", "display_name", "platform",
               "accounts", "organization", "unit", "role", "on_roster", "posts", "traces",
               "groups", "responded")

#: Separates the contexts listed on an edge (hashtags never hold it; questions rarely do).
CONTEXT_SEPARATOR = "; "

#: Roster column names that mean a normalized people column (for ``group="district"``).
ATTRIBUTE_ALIASES = {"district": "organization", "school": "unit", "association": "organization"}


def build_graph(
    data: Dataset | Store,
    *,
    kinds: Iterable[str] | None = None,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    contexts: Iterable[str] | None = None,
    people: bool = True,
    projection: str = "count",
    backbone: str | None = None,
    alpha: float = 0.05,
) -> nx.DiGraph:
    """The directed interaction graph of a dataset or a store.

    Nodes are people and accounts. With ``people=True`` an account linked to a roster person
    (see :func:`plnanalytics.identity.resolve_identities`) becomes that person's node
    ``roster:<person_id>``, so one person's accounts on several platforms are one node, and
    every roster person is a node even with no trace at all: the people a district must not
    lose. Every account that posted in the window is a node too, even with no tie.

    An edge ``u -> v`` gathers every interaction from ``u`` to ``v`` in the window: ``weight``
    is the sum of their weights (the number of interactions for post-derived ties), ``count``
    their number, ``n_<kind>`` their number per kind, and ``contexts`` the hashtags,
    channels or survey questions they carried, most frequent first, joined by ``"; "``.
    Self-loops (an account retweeting itself, two accounts of one person) are not edges;
    their number is in ``G.graph["self_loops_dropped"]``.

    Parameters
    ----------
    data : Dataset or Store
        The normalized tables; a store is filtered in DuckDB, without loading everything.
        Either way the interactions are filtered and summed per (u, v) in DuckDB (a
        dataset through an in-memory connection); only the accounts, people and
        memberships are read into pandas, to resolve identities.
    kinds : iterable of str, optional
        Interaction kinds to keep (``reply``, ``mention``, ``retweet``, ``quote``, ``advice``,
        ...). Default: all. Posters are nodes only when a post-derived kind is kept.
    since, until : str or datetime, optional
        Keep interactions and posts with ``since <= time < until`` (ISO 8601; a date means
        midnight UTC). Interactions without a time are left out when either is given.
    contexts : iterable of str, optional
        Keep interactions and posts carrying at least one of these hashtags (``naespchat``
        and ``#naespchat`` are the same), channels or survey questions; case-insensitive.
    people : bool
        Merge accounts into their people (default). ``False`` keeps one node per account
        and makes roster people nodes of their own (``roster:<person_id>``).
    projection : {"count", "newman"}
        With ``comember`` among ``kinds``: how shared groups (PLCs, cohorts, channels) become
        person-person ties, through :func:`plnanalytics.graph.projection.comember_ties`: the
        number of groups shared, or Newman's weighting (a group of n adds 1/(n-1) to each
        pair). Group memberships are ties only when ``comember`` is asked for, so that a few
        big groups do not make everyone look connected by default.
    backbone : {None, "disparity", "sdsm"}
        Keep only the co-membership ties a statistical backbone finds significant at
        ``alpha`` (the disparity filter, or the stochastic degree sequence model).
    alpha : float
        Significance level of the backbone.

    Returns
    -------
    networkx.DiGraph
        Node attributes: ``label`` (name, else ``@handle``, else the key), ``node_type``
        (``person`` or ``account``), ``person_id``, ``name``, ``handle``, ``display_name``,
        ``platform``, ``accounts`` (space-separated keys), ``organization``, ``unit``,
        ``role``, the roster's other columns, ``on_roster``, ``posts`` (in the window) and
        ``traces`` (posts plus interactions touching the node, self-loops included).
        Attributes without a value are absent, not None. ``G.graph`` records the filters.

    Examples
    --------
    >>> from plnanalytics import Dataset
    >>> ds = Dataset.from_records(
    ...     people=[{"person_id": "P1", "name": "Ann Lee", "organization": "North"},
    ...             {"person_id": "P2", "name": "Bo Diaz", "organization": "South"}],
    ...     identities=[{"account": "x:10", "person_id": "P1", "method": "explicit"}],
    ...     posts=[{"post_id": "1", "platform": "x", "author": "x:10",
    ...             "created_at": "2025-09-10T00:05:00Z", "contexts": ["#naespchat"]}],
    ...     interactions=[{"platform": "x", "kind": "mention", "src": "x:10", "dst": "x:11",
    ...                    "ts": "2025-09-10T00:05:00Z", "post_id": "1",
    ...                    "context": "#naespchat"}],
    ...     accounts=[{"account": "x:11", "platform": "x", "handle": "NAESPchatMod"}])
    >>> G = build_graph(ds)
    >>> sorted(G.nodes)
    ['roster:P1', 'roster:P2', 'x:11']
    >>> G.nodes["x:11"]["label"], G.nodes["roster:P1"]["accounts"]
    ('@NAESPchatMod', 'x:10')
    >>> dict(G["roster:P1"]["x:11"])
    {'weight': 1.0, 'count': 1, 'n_mention': 1, 'contexts': '#naespchat'}
    >>> G.nodes["roster:P2"]["traces"]
    0
    """
    return build_network(data, kinds=kinds, since=since, until=until, contexts=contexts,
                         people=people, projection=projection, backbone=backbone,
                         alpha=alpha)[0]


@gc_paused()  # millions of small containers next to a big graph
def build_network(
    data: Dataset | Store,
    *,
    kinds: Iterable[str] | None = None,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    contexts: Iterable[str] | None = None,
    people: bool = True,
    projection: str = "count",
    backbone: str | None = None,
    alpha: float = 0.05,
) -> tuple[nx.DiGraph, sp.csr_array]:
    """:func:`build_graph`, and the graph's weighted adjacency matrix straight from DuckDB.

    The matrix (nodes in ``list(G.nodes)`` order, entry ``(i, j)`` the ``weight`` of the
    edge ``i -> j``, no self-loops) is made from the integer-coded ties DuckDB aggregates,
    without reading the networkx graph; pass it to
    :func:`plnanalytics.analysis.analyze` (``matrix=``) so that the compiled engine starts
    from it. It equals ``plnanalytics.graph.arrays.adjacency(G, "weight")`` as long as the
    graph is not changed.

    Examples
    --------
    >>> from plnanalytics import Dataset
    >>> ds = Dataset.from_records(interactions=[
    ...     {"platform": "x", "kind": "reply", "src": "x:1", "dst": "x:2", "weight": 2.0,
    ...      "post_id": "1"},
    ...     {"platform": "x", "kind": "mention", "src": "x:2", "dst": "x:1", "post_id": "2"}])
    >>> G, A = build_network(ds)
    >>> list(G), A.toarray().tolist()
    (['x:1', 'x:2'], [[0.0, 2.0], [1.0, 0.0]])
    """
    kinds = _as_list(kinds)
    raw = [c.lower() for c in _as_list(contexts, split=False)]
    tags = sorted({t if t.startswith("#") else f"#{t}" for t in raw} | set(raw))
    lo, hi = _as_time(since, "since"), _as_time(until, "until")
    con = data.con if isinstance(data, Store) else _connect(data)
    try:
        with _Scratch(con) as scratch:
            return _build(scratch, kinds, lo, hi, tags, raw, people=people,
                          projection=projection, backbone=backbone, alpha=alpha)
    finally:
        if not isinstance(data, Store):
            con.close()


def time_span(
    data: Dataset | Store,
    *,
    kinds: Iterable[str] | None = None,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    contexts: Iterable[str] | None = None,
) -> tuple[datetime, datetime] | None:
    """The first and last time of the posts and interactions :func:`build_graph` would keep
    with the same filters, or None when nothing timed is left.

    Examples
    --------
    >>> from plnanalytics import Dataset
    >>> ds = Dataset.from_records(interactions=[
    ...     {"platform": "x", "kind": "reply", "src": "x:1", "dst": "x:2", "post_id": "1",
    ...      "ts": "2025-09-10T00:05:00Z"},
    ...     {"platform": "x", "kind": "mention", "src": "x:2", "dst": "x:1", "post_id": "2",
    ...      "ts": "2025-10-01T12:00:00Z"}])
    >>> [t.isoformat() for t in time_span(ds)]
    ['2025-09-10T00:05:00+00:00', '2025-10-01T12:00:00+00:00']
    >>> time_span(ds, kinds=["quote"]) is None
    True
    """
    kinds = _as_list(kinds)
    raw = [c.lower() for c in _as_list(contexts, split=False)]
    tags = sorted({t if t.startswith("#") else f"#{t}" for t in raw} | set(raw))
    lo, hi = _as_time(since, "since"), _as_time(until, "until")
    where, params, post_where, post_params = _filters(kinds, lo, hi, tags)
    if kinds and not set(kinds) & set(POST_KINDS):
        post_where, post_params = ["FALSE"], []
    con = data.con if isinstance(data, Store) else _connect(data)
    try:
        first, last = con.execute(
            "SELECT min(t), max(t) FROM (SELECT ts AS t FROM interactions WHERE "
            + " AND ".join(where) + " UNION ALL SELECT created_at FROM posts WHERE "
            + " AND ".join(post_where) + ")", params + post_params).fetchone()
    finally:
        if not isinstance(data, Store):
            con.close()
    if first is None:
        return None
    return pd.Timestamp(first).tz_convert("UTC").to_pydatetime(), \
        pd.Timestamp(last).tz_convert("UTC").to_pydatetime()


def _build(db: _Scratch, kinds: list[str], lo: datetime | None, hi: datetime | None,
           tags: list[str], raw: list[str], *, people: bool, projection: str,
           backbone: str | None, alpha: float) -> tuple[nx.DiGraph, sp.csr_array]:
    """:func:`build_network` on an open connection: filter and aggregate in DuckDB, resolve
    identities and shape the node table in pandas, then fill the networkx graph."""
    con = db.con
    where, params, post_where, post_params = _filters(kinds, lo, hi, tags)
    if kinds and not set(kinds) & set(POST_KINDS):
        post_where, post_params = ["FALSE"], []
    accounts, roster, links, members = (_objects(con.execute(q).df()) for q in (
        "SELECT account, platform, handle, display_name, email FROM accounts",
        "SELECT person_id, name, email, organization, unit, role, attributes FROM people "
        "ORDER BY person_id",
        "SELECT account, person_id, method, confidence, ingest_id FROM identities",
        'SELECT member, "group", role FROM memberships ORDER BY member, "group"'))

    # the interactions in the window, once; then the account keys never described
    ix = db.table("ix", "SELECT kind, src, dst, weight, context FROM interactions WHERE "
                  + " AND ".join(where), params)
    posts = "(SELECT author FROM posts WHERE " + " AND ".join(post_where) + ")"
    unknown = con.execute(
        f"SELECT k FROM (SELECT src AS k FROM {ix} UNION SELECT dst FROM {ix} "
        f"UNION SELECT author FROM {posts} UNION SELECT member FROM memberships) "
        "WHERE k NOT IN (SELECT account FROM accounts) ORDER BY k", post_params).df()["k"]
    ids = (resolve_identities(links, roster, _account_frame(accounts, unknown.tolist()))
           if people else links.iloc[:0])
    node_of = dict(zip(ids["account"], "roster:" + ids["person_id"], strict=True))
    members["u"] = _nodes_of(members["member"], node_of)
    answered = members["role"].eq("respondent") & members["group"].str.startswith("survey:")
    respondents, members = members[answered], members[~answered]
    comember = (_comember_edges(members, projection, backbone, alpha) if "comember" in kinds
                else pd.DataFrame(columns=["kind", "u", "v", "weight", "context"]))

    # aggregate by (u, v), self-loops included (they count as traces), in SQL
    nodemap = db.register("nodemap", {"account": list(node_of), "node": list(node_of.values())})
    cm = db.register("cm", {c: comember[c].tolist() for c in ("kind", "u", "v", "context")}
                     | {"weight": comember["weight"].astype(float).tolist()})
    texts = con.execute(f"SELECT DISTINCT context FROM {ix} WHERE context IS NOT NULL UNION "
                        f"SELECT context FROM {cm} WHERE context IS NOT NULL").df()["context"]
    items = _context_items(_objects(texts.to_frame())["context"]).explode().dropna()
    tokens = db.register("tokens", {"context": texts[items.index].tolist(),
                                    "token": items.tolist()})
    present = sorted(set(con.execute(f"SELECT DISTINCT kind FROM {ix} UNION "
                                     f"SELECT kind FROM {cm}").df()["kind"]))
    per_kind = "".join(f", count_if(kind = {_literal(k)})::BIGINT AS k{i}"
                       for i, k in enumerate(present))
    agg = db.table("agg", f"""
        WITH e AS MATERIALIZED (
            SELECT i.kind, coalesce(a.node, i.src) AS u, coalesce(b.node, i.dst) AS v,
                   coalesce(i.weight, 1.0) AS weight, i.context
            FROM {ix} i LEFT JOIN {nodemap} a ON a.account = i.src
                        LEFT JOIN {nodemap} b ON b.account = i.dst
            UNION ALL SELECT kind, u, v, coalesce(weight, 1.0), context FROM {cm}),
        ties AS (SELECT u, v, fsum(weight) AS weight, count(*) AS count{per_kind}
                 FROM e GROUP BY u, v),
        freq AS (SELECT e.u, e.v, t.token, count(*) AS n
                 FROM e JOIN {tokens} t ON t.context = e.context GROUP BY e.u, e.v, t.token),
        ctx AS (SELECT u, v, string_agg(token, {_literal(CONTEXT_SEPARATOR)} ORDER BY n DESC, token)
                       AS contexts
                FROM freq GROUP BY u, v)
        SELECT ties.*, ctx.contexts FROM ties LEFT JOIN ctx USING (u, v)""")
    keys = db.table("keys", f"""
        WITH p AS (SELECT coalesce(m.node, p.author) AS node, count(*) AS n
                   FROM {posts} p LEFT JOIN {nodemap} m ON m.account = p.author GROUP BY 1),
        t AS (SELECT node, sum(c) AS n FROM (SELECT u AS node, count AS c FROM {agg}
                                             UNION ALL
                                             SELECT v, count FROM {agg} WHERE u <> v)
              GROUP BY node),
        k AS (SELECT node FROM p UNION SELECT node FROM t
              UNION SELECT 'roster:' || person_id FROM people)
        SELECT k.node, (row_number() OVER (ORDER BY k.node) - 1)::BIGINT AS i,
               coalesce(p.n, 0)::BIGINT AS posts,
               (coalesce(p.n, 0) + coalesce(t.n, 0))::BIGINT AS traces
        FROM k LEFT JOIN p USING (node) LEFT JOIN t USING (node)""", post_params)
    loops, total = con.execute(f"SELECT coalesce(sum(count) FILTER (WHERE u = v), 0), "
                               f"coalesce(sum(count), 0) FROM {agg}").fetchone()
    counts = con.execute(f"SELECT node, posts, traces FROM {keys} ORDER BY i").df()
    ties = con.sql(f"""
        SELECT ku.i AS ui, kv.i AS vi, weight, count,
               {"".join(f"k{i}, " for i in range(len(present)))}contexts
        FROM {agg} JOIN {keys} ku ON ku.node = {agg}.u JOIN {keys} kv ON kv.node = {agg}.v
        WHERE u <> v ORDER BY ui, vi""").to_arrow_table()

    G = nx.DiGraph()
    surveys = sorted({g.removeprefix("survey:") for g in respondents["group"]})
    G.graph.update(kinds=" ".join(kinds), since=_iso(lo), until=_iso(hi),
                   contexts=" | ".join(raw), people=people, surveys=" ".join(surveys),
                   interactions=int(total), self_loops_dropped=int(loops))
    if "comember" in kinds:
        G.graph.update(projection=projection, backbone=backbone or "", alpha=alpha)
    for key in ("kinds", "since", "until", "contexts", "surveys", "backbone"):
        if key in G.graph and not G.graph[key]:
            del G.graph[key]
    nodes = _node_table(counts, accounts, roster, ids)
    nodes["groups"] = nodes["node"].map(members.drop_duplicates(["u", "group"])
                                        .groupby("u").size()).fillna(0).astype(int)
    answers = respondents.assign(relation=respondents["group"].str.removeprefix("survey:"))
    answered_by = answers.drop_duplicates(["u", "relation"]).sort_values("relation")
    nodes["responded"] = nodes["node"].map(answered_by.groupby("u")["relation"].agg(" ".join))
    nodes["traces"] += nodes["node"].map(answered_by.groupby("u").size()).fillna(0).astype(int)
    names = nodes["node"].to_numpy(dtype=object)
    G.add_nodes_from(zip(names.tolist(), _attribute_dicts(nodes.drop(columns="node")),
                         strict=True))
    _add_edges(G, names, ties, [f"n_{k}" for k in present])
    n = len(names)
    matrix = sp.csr_array((ties.column("weight").to_numpy().astype(float),
                           (ties.column("ui").to_numpy(), ties.column("vi").to_numpy())),
                          shape=(n, n))
    matrix.sort_indices()
    return G, matrix


class _Scratch:
    """Temporary DuckDB tables and registered views that :func:`build_graph` needs, under
    names of its own, all dropped on exit (a store's connection is left as it was)."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.prefix = f"_pln_build_{uuid.uuid4().hex[:12]}_"
        self.tables: list[str] = []
        self.views: list[str] = []

    def __enter__(self) -> _Scratch:
        return self

    def __exit__(self, *exc: object) -> None:
        for name in self.tables:
            self.con.execute(f"DROP TABLE IF EXISTS {name}")
        for name in self.views:
            self.con.unregister(name)

    def table(self, name: str, query: str, params: list[Any] | None = None) -> str:
        """A temporary table holding the result of ``query``; returns its name."""
        full = self.prefix + name
        self.con.execute(f"CREATE TEMP TABLE {full} AS {query}", params or [])
        self.tables.append(full)
        return full

    def register(self, name: str, columns: dict[str, list[Any]]) -> str:
        """Text (and ``weight`` float) columns registered as a view; returns its name."""
        full = self.prefix + name
        self.con.register(full, pa.table({
            c: pa.array(v, type=pa.float64() if c == "weight" else pa.string())
            for c, v in columns.items()}))
        self.views.append(full)
        return full


def _filters(kinds: list[str], lo: datetime | None, hi: datetime | None, tags: list[str]
             ) -> tuple[list[str], list[Any], list[str], list[Any]]:
    """WHERE conditions and parameters for the interactions and for the posts."""
    where, params = ["TRUE"], []
    post_where, post_params = ["TRUE"], []
    if kinds:
        where.append("kind IN (SELECT unnest(?))")
        params.append(kinds)
    if lo is not None:
        where.append("ts >= ?")
        params.append(lo)
        post_where.append("created_at >= ?")
        post_params.append(lo)
    if hi is not None:
        where.append("ts < ?")
        params.append(hi)
        post_where.append("created_at < ?")
        post_params.append(hi)
    if tags:
        where.append("(list_has_any(string_split(lower(coalesce(context, '')), ' '), ?) "
                     "OR lower(context) IN (SELECT unnest(?)))")
        params += [tags, tags]
        post_where.append("list_has_any(list_transform(contexts, lambda c: lower(c)), ?)")
        post_params.append(tags)
    return where, params, post_where, post_params


def _literal(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _attribute_dicts(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """One dict per row of ``frame``, column by column, without the missing values (None,
    NaN, NA, NaT): what ``to_dict("records")`` and a filter would give, without a Python
    pass over every row per column."""
    dicts: list[dict[str, Any]] = [{} for _ in range(len(frame))]
    for col in frame.columns:
        values = frame[col].tolist()
        present = frame[col].notna().to_numpy()
        if present.all():
            for d, v in zip(dicts, values, strict=True):
                d[col] = v
        else:
            for i in np.flatnonzero(present).tolist():
                dicts[i][col] = values[i]
    return dicts


def _add_edges(G: nx.DiGraph, names: np.ndarray, ties: pa.Table, kind_names: list[str]) -> None:
    """Add the aggregated ties (sorted by ``u``, then ``v``) as edges: ``weight``, ``count``,
    the non-zero ``n_<kind>`` and ``contexts`` when there are any."""
    if ties.num_rows == 0:
        return
    ui = ties.column("ui").to_numpy()
    vi = ties.column("vi").to_numpy()
    attrs = [{"weight": w, "count": c} for w, c in
             zip(ties.column("weight").to_pylist(), ties.column("count").to_pylist(),
                 strict=True)]
    for i, name in enumerate(kind_names):
        n = ties.column(f"k{i}").to_numpy()
        rows = np.flatnonzero(n)
        for r, k in zip(rows.tolist(), n[rows].tolist(), strict=True):
            attrs[r][name] = k
    contexts = ties.column("contexts")
    for r, text in zip(np.flatnonzero(contexts.is_valid().to_numpy(zero_copy_only=False))
                       .tolist(), contexts.drop_null().to_pylist(), strict=True):
        attrs[r]["contexts"] = text
    _fill_adjacency(G, names, ui, vi, attrs)


def _fill_adjacency(G: nx.DiGraph, names: np.ndarray, ui: np.ndarray, vi: np.ndarray,
                    attrs: list[dict[str, Any]]) -> None:
    """Set the edges ``names[ui[k]] -> names[vi[k]]`` with data ``attrs[k]`` on a graph that
    holds every endpoint but no edge yet, pairs sorted by ``(ui, vi)`` and distinct.

    The result is what ``G.add_edges_from`` gives (same adjacency order, each data dict shared
    by the successor and the predecessor maps), written one node at a time with dict updates
    instead of one edge at a time: several times faster on millions of edges.
    """
    succ, pred = G._succ, G._pred
    vs = names[vi].tolist()
    for a, b in _runs(ui):
        succ[names[ui[a]]].update(zip(vs[a:b], attrs[a:b], strict=True))
    by_v = np.argsort(vi, kind="stable")  # keeps the u order within each v, as adding does
    us = names[ui[by_v]].tolist()
    attrs_v = [attrs[k] for k in by_v.tolist()]
    vi_sorted = vi[by_v]
    for a, b in _runs(vi_sorted):
        pred[names[vi_sorted[a]]].update(zip(us[a:b], attrs_v[a:b], strict=True))
    if hasattr(nx, "_clear_cache"):
        nx._clear_cache(G)


def _runs(codes: np.ndarray) -> Iterator[tuple[int, int]]:
    """``(start, stop)`` of each run of equal values in a sorted integer array."""
    cut = np.flatnonzero(codes[1:] != codes[:-1]) + 1
    bounds = np.r_[0, cut, len(codes)].tolist()
    return itertools.pairwise(bounds)


def _context_items(context: pd.Series) -> pd.Series:
    """Each interaction's contexts as a list: hashtags one by one, any other text (a survey
    question, a channel name) whole."""
    hashtags = context.str.fullmatch(r"#\S+(\s+#\S+)*").fillna(False).astype(bool)
    return context.str.split().where(hashtags, context.map(lambda c: [c]))


def _nodes_of(keys: pd.Series, node_of: dict[str, str]) -> pd.Series:
    """The node of each account key: its person's node, else the key itself."""
    mapped = keys.map(node_of)
    return mapped.where(mapped.notna(), keys).astype(object)


def _node_table(counts: pd.DataFrame, accounts: pd.DataFrame, roster: pd.DataFrame,
                ids: pd.DataFrame) -> pd.DataFrame:
    """One row per node with its attributes (None where unknown); ``counts`` holds every
    node (sorted), its posts and its traces."""
    keys = pd.Index(counts["node"].astype(object), name="node")
    people_keys = "roster:" + roster["person_id"]
    nodes = pd.DataFrame(index=keys)
    nodes["posts"] = counts["posts"].astype(int).to_numpy()
    nodes["traces"] = counts["traces"].astype(int).to_numpy()

    # accounts behind each node: the node's own key, or the accounts linked to its person
    own = keys[~keys.isin(people_keys)]
    acc_node = pd.concat([
        pd.DataFrame({"account": own, "node": own}),
        pd.DataFrame({"account": ids["account"], "node": "roster:" + ids["person_id"]}),
    ], ignore_index=True)
    acc = acc_node.merge(accounts, on="account", how="left")
    acc["platform"] = acc["platform"].fillna(acc["account"].str.split(":", n=1).str[0])
    acc = acc.sort_values(["node", "account"], ignore_index=True)
    by_node = acc.groupby("node", sort=False)
    joined = _joined_per_node(acc)
    nodes["accounts"] = joined["accounts"]
    nodes["platform"] = joined["platform"]
    nodes["handle"] = by_node["handle"].first()
    nodes["display_name"] = by_node["display_name"].first()

    people = roster.assign(node="roster:" + roster["person_id"]).set_index("node")
    for col in ("person_id", "name", "organization", "unit", "role"):
        nodes[col] = people[col].reindex(keys)
    nodes["on_roster"] = keys.isin(people_keys)
    nodes["node_type"] = pd.Series("account", index=keys).where(~nodes["on_roster"], "person")
    extra = _roster_attributes(people).reindex(keys)
    label = nodes["name"].fillna("@" + nodes["handle"]).fillna(nodes["display_name"])
    nodes["label"] = label.fillna(pd.Series(keys, index=keys))
    nodes = nodes[[f for f in NODE_FIELDS if f in nodes]].join(extra)
    return nodes.reset_index()


def _joined_per_node(acc: pd.DataFrame) -> pd.DataFrame:
    """``accounts`` (the keys, space-separated) and ``platform`` (the distinct platforms in
    order) of each node of ``acc`` (sorted by node, then account). A node with one account
    takes its values as they are; only the few with several are joined one by one."""
    node = acc["node"].to_numpy(dtype=object)
    first = np.flatnonzero(np.r_[True, node[1:] != node[:-1]]) if len(node) else np.array([], int)
    size = np.diff(np.r_[first, len(node)])
    account = acc["account"].to_numpy(dtype=object)
    platform = acc["platform"].to_numpy(dtype=object)
    accounts, platforms = account[first].copy(), platform[first].copy()
    for g in np.flatnonzero(size > 1).tolist():
        span = slice(first[g], first[g] + size[g])
        accounts[g] = " ".join(account[span])
        platforms[g] = " ".join(dict.fromkeys(platform[span]))
    return pd.DataFrame({"accounts": accounts, "platform": platforms},
                        index=pd.Index(node[first], name="node"))


def _roster_attributes(people: pd.DataFrame) -> pd.DataFrame:
    """The roster's other columns (the ``attributes`` JSON) as one column each."""
    parsed = people["attributes"].dropna().map(json.loads)
    if parsed.empty:
        return pd.DataFrame(index=people.index)
    extra = pd.DataFrame(parsed.tolist(), index=parsed.index)
    keep = [c for c in extra.columns if c not in NODE_FIELDS and c != "node"]
    return extra[keep].astype(object).where(extra[keep].notna(), None)


def _account_frame(accounts: pd.DataFrame, unknown: list[str]) -> pd.DataFrame:
    """Every account known or seen, with what identity matching reads (handle, name, email);
    keys seen without an accounts row (``unknown``) get their platform from the key."""
    frame = pd.concat([accounts, pd.DataFrame({"account": unknown})], ignore_index=True)
    frame["platform"] = frame["platform"].fillna(frame["account"].str.split(":", n=1).str[0])
    return frame.sort_values("account", ignore_index=True)


def _comember_edges(members: pd.DataFrame, projection: str, backbone: str | None,
                    alpha: float) -> pd.DataFrame:
    """Co-membership ties as interaction rows, one each way (a shared group is mutual)."""
    ties = comember_ties(members.rename(columns={"member": "account", "u": "member"}),
                         weighting=projection, backbone=backbone, alpha=alpha)
    there = pd.DataFrame({"kind": "comember", "u": ties["u"], "v": ties["v"],
                          "weight": ties["weight"], "context": ties["groups"]})
    back = there.rename(columns={"u": "v", "v": "u"})
    both = pd.concat([there, back], ignore_index=True)
    both["src"], both["dst"] = both["u"], both["v"]
    return both


# -- loading --------------------------------------------------------------------------------

def _connect(ds: Dataset) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB over a dataset's frames, so one query path serves both."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    for name, spec in TABLES.items():
        frame = getattr(ds, name)
        schema = pa.schema([(c.name, arrow_type(c)) for c in spec.columns])
        con.register(name, pa.Table.from_pandas(frame[schema.names], schema=schema,
                                                preserve_index=False))
    return con


def _objects(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as objects with None for missing, as the rest of the code expects."""
    for c in frame.columns:
        if frame[c].dtype != object and not pd.api.types.is_numeric_dtype(frame[c]):
            frame[c] = frame[c].astype(object)
        if frame[c].dtype == object:
            frame[c] = frame[c].where(frame[c].notna(), None)
    return frame


def _as_list(values: Iterable[str] | str | None, *, split: bool = True) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = values.replace(",", " ").split() if split else [values]
    return [v for v in (str(x).strip() for x in values) if v]


def _as_time(value: str | datetime | None, name: str) -> datetime | None:
    try:
        return time_option(value)
    except ValueError:
        raise OptionError(f"{name}: {value!r} is not a date or time (use ISO 8601, "
                          "such as 2025-09-01 or 2025-09-01T00:00:00Z)") from None


def _iso(value: datetime | None) -> str:
    return "" if value is None else value.isoformat().replace("+00:00", "Z")


def _present(value: object) -> bool:
    if value is None:
        return False
    if isinstance(value, float) and math.isnan(value):
        return False
    return value is not pd.NA and value is not pd.NaT
