"""Build networkx graphs from the normalized tables, and derive their views.

The directed graph is the one stored shape: nodes are people (when an account is linked to a
roster person) or accounts, and an edge ``u -> v`` sums every interaction from ``u`` to ``v``.
Undirected views are derived from it on demand (:func:`undirected`), never stored twice.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

import duckdb
import networkx as nx
import pandas as pd
import pyarrow as pa

from ..dataset import Dataset
from ..errors import OptionError
from ..identity import resolve_identities
from ..ingest.base import arrow_type
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
    kinds = _as_list(kinds)
    raw = [c.lower() for c in _as_list(contexts, split=False)]
    tags = sorted({t if t.startswith("#") else f"#{t}" for t in raw} | set(raw))
    lo, hi = _as_time(since, "since"), _as_time(until, "until")
    con = data.con if isinstance(data, Store) else _connect(data)
    try:
        edges, posts, accounts, roster, links, members = _load(con, kinds, lo, hi, tags)
    finally:
        if not isinstance(data, Store):
            con.close()
    if kinds and not set(kinds) & set(POST_KINDS):
        posts = posts.iloc[:0]

    ids = (resolve_identities(links, roster, _account_frame(edges, posts, accounts, members))
           if people else links.iloc[:0])
    node_of = dict(zip(ids["account"], "roster:" + ids["person_id"], strict=True))
    edges["u"] = _nodes_of(edges["src"], node_of)
    edges["v"] = _nodes_of(edges["dst"], node_of)
    posts["u"] = _nodes_of(posts["author"], node_of)
    members["u"] = _nodes_of(members["member"], node_of)
    answered = members["role"].eq("respondent") & members["group"].str.startswith("survey:")
    respondents, members = members[answered], members[~answered]
    if "comember" in kinds:
        edges = pd.concat([edges, _comember_edges(members, projection, backbone, alpha)],
                          ignore_index=True)

    G = nx.DiGraph()
    loops = edges["u"] == edges["v"]
    surveys = sorted({g.removeprefix("survey:") for g in respondents["group"]})
    G.graph.update(kinds=" ".join(kinds), since=_iso(lo), until=_iso(hi),
                   contexts=" | ".join(raw), people=people, surveys=" ".join(surveys),
                   interactions=len(edges), self_loops_dropped=int(loops.sum()))
    if "comember" in kinds:
        G.graph.update(projection=projection, backbone=backbone or "", alpha=alpha)
    for key in ("kinds", "since", "until", "contexts", "surveys", "backbone"):
        if key in G.graph and not G.graph[key]:
            del G.graph[key]
    nodes = _node_table(edges, posts, accounts, roster, ids)
    nodes["groups"] = nodes["node"].map(members.drop_duplicates(["u", "group"])
                                        .groupby("u").size()).fillna(0).astype(int)
    answers = respondents.assign(relation=respondents["group"].str.removeprefix("survey:"))
    answered_by = answers.drop_duplicates(["u", "relation"]).sort_values("relation")
    nodes["responded"] = nodes["node"].map(answered_by.groupby("u")["relation"].agg(" ".join))
    nodes["traces"] += nodes["node"].map(answered_by.groupby("u").size()).fillna(0).astype(int)
    G.add_nodes_from(
        (row.pop("node"), {k: v for k, v in row.items() if _present(v)})
        for row in nodes.to_dict("records"))
    G.add_edges_from(_edge_records(edges[~loops]))
    return G


def _context_items(context: pd.Series) -> pd.Series:
    """Each interaction's contexts as a list: hashtags one by one, any other text (a survey
    question, a channel name) whole."""
    hashtags = context.str.fullmatch(r"#\S+(\s+#\S+)*").fillna(False).astype(bool)
    return context.str.split().where(hashtags, context.map(lambda c: [c]))


def _nodes_of(keys: pd.Series, node_of: dict[str, str]) -> pd.Series:
    """The node of each account key: its person's node, else the key itself."""
    mapped = keys.map(node_of)
    return mapped.where(mapped.notna(), keys).astype(object)


def _edge_records(edges: pd.DataFrame) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Aggregate interactions into one record per (u, v)."""
    if edges.empty:
        return iter(())
    edges = edges.assign(weight=edges["weight"].fillna(1.0))
    agg = edges.groupby(["u", "v"], sort=True).agg(weight=("weight", "sum"),
                                                    count=("weight", "size"))
    per_kind = edges.groupby(["u", "v", "kind"]).size().unstack("kind", fill_value=0)
    per_kind = per_kind.reindex(sorted(per_kind.columns), axis=1)
    per_kind.columns = [f"n_{k}" for k in per_kind.columns]
    agg = agg.join(per_kind)
    tokens = edges[["u", "v", "context"]].dropna()
    tokens = tokens.assign(context=_context_items(tokens["context"])).explode("context")
    tokens = tokens.dropna()
    if not tokens.empty:
        freq = tokens.groupby(["u", "v", "context"]).size().rename("n").reset_index()
        freq = freq.sort_values(["u", "v", "n", "context"], ascending=[True, True, False, True])
        agg = agg.join(freq.groupby(["u", "v"], sort=False)["context"]
                       .agg(CONTEXT_SEPARATOR.join)
                       .rename("contexts"))
    agg["count"] = agg["count"].astype(int)
    records = agg.reset_index().to_dict("records")
    return ((r.pop("u"), r.pop("v"),
             {k: (int(v) if k.startswith("n_") else v) for k, v in r.items()
              if _present(v) and not (k.startswith("n_") and v == 0)})
            for r in records)


def _node_table(edges: pd.DataFrame, posts: pd.DataFrame, accounts: pd.DataFrame,
                roster: pd.DataFrame, ids: pd.DataFrame) -> pd.DataFrame:
    """One row per node with its attributes (None where unknown)."""
    n_posts = posts.groupby("u").size()
    touches = pd.concat([edges["u"], edges["v"][edges["u"] != edges["v"]]])
    traces = n_posts.add(touches.value_counts(), fill_value=0)
    people_keys = "roster:" + roster["person_id"]
    keys = pd.Index(sorted(set(traces.index) | set(people_keys)), name="node")
    nodes = pd.DataFrame(index=keys)
    nodes["posts"] = n_posts.reindex(keys, fill_value=0).astype(int)
    nodes["traces"] = traces.reindex(keys, fill_value=0).astype(int)

    # accounts behind each node: the node's own key, or the accounts linked to its person
    acc_node = pd.concat([
        pd.DataFrame({"account": keys[~keys.isin(people_keys)],
                      "node": keys[~keys.isin(people_keys)]}),
        pd.DataFrame({"account": ids["account"], "node": "roster:" + ids["person_id"]}),
    ], ignore_index=True)
    acc = acc_node.merge(accounts, on="account", how="left")
    acc["platform"] = acc["platform"].fillna(acc["account"].str.split(":", n=1).str[0])
    acc = acc.sort_values(["node", "account"])
    by_node = acc.groupby("node", sort=False)
    nodes["accounts"] = by_node["account"].agg(" ".join)
    nodes["platform"] = by_node["platform"].agg(lambda s: " ".join(dict.fromkeys(s)))
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


def _roster_attributes(people: pd.DataFrame) -> pd.DataFrame:
    """The roster's other columns (the ``attributes`` JSON) as one column each."""
    parsed = people["attributes"].dropna().map(json.loads)
    if parsed.empty:
        return pd.DataFrame(index=people.index)
    extra = pd.DataFrame(parsed.tolist(), index=parsed.index)
    keep = [c for c in extra.columns if c not in NODE_FIELDS and c != "node"]
    return extra[keep].astype(object).where(extra[keep].notna(), None)


def _account_frame(edges: pd.DataFrame, posts: pd.DataFrame, accounts: pd.DataFrame,
                   members: pd.DataFrame) -> pd.DataFrame:
    """Every account known or seen, with what identity matching reads (handle, name, email);
    keys seen without an accounts row get their platform from the key."""
    seen = set(edges["src"]) | set(edges["dst"]) | set(posts["author"]) | set(members["member"])
    extra = sorted(seen - set(accounts["account"]))
    frame = pd.concat([accounts, pd.DataFrame({"account": extra})], ignore_index=True)
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

def _load(con: duckdb.DuckDBPyConnection, kinds: list[str], lo: datetime | None,
          hi: datetime | None, tags: list[str]) -> tuple[pd.DataFrame, ...]:
    """Filtered interactions and posts, and the accounts, people, identities and memberships
    tables."""
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

    def df(query: str, p: list[Any] | None = None) -> pd.DataFrame:
        return con.execute(query, p or []).df()

    edges = df("SELECT kind, src, dst, weight, context FROM interactions WHERE "
               + " AND ".join(where) + " ORDER BY platform, post_id, kind, dst", params)
    posts = df("SELECT author FROM posts WHERE " + " AND ".join(post_where), post_params)
    accounts = df("SELECT account, platform, handle, display_name, email FROM accounts")
    roster = df("SELECT person_id, name, email, organization, unit, role, attributes FROM people "
                "ORDER BY person_id")
    links = df("SELECT account, person_id, method, confidence, ingest_id FROM identities")
    members = df('SELECT member, "group", role FROM memberships ORDER BY member, "group"')
    return tuple(_objects(f) for f in (edges, posts, accounts, roster, links, members))


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
    if value is None or value == "":
        return None
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise OptionError(f"{name}: {value!r} is not a date or time (use ISO 8601, "
                          "such as 2025-09-01 or 2025-09-01T00:00:00Z)") from None
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    return ts.to_pydatetime()


def _iso(value: datetime | None) -> str:
    return "" if value is None else value.isoformat().replace("+00:00", "Z")


def _present(value: object) -> bool:
    if value is None:
        return False
    if isinstance(value, float) and math.isnan(value):
        return False
    return value is not pd.NA and value is not pd.NaT
