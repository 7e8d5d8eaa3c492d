"""Network analysis: per-node metrics, communities, the network summary and the watchlist.

Modules, one topic each: :mod:`~plnanalytics.analysis.centrality` (degrees, betweenness,
PageRank, closeness, eigenvector, clustering, coreness, reciprocity, components),
:mod:`~plnanalytics.analysis.brokerage` (Burt's constraint and effective size,
Gould-Fernandez roles), :mod:`~plnanalytics.analysis.communities` (Louvain and the community
table), :mod:`~plnanalytics.analysis.structure` (network-level numbers) and
:mod:`~plnanalytics.analysis.isolation` (the watchlist),
:mod:`~plnanalytics.analysis.temporal` (the network window by window, retention, the
``declining`` flag), :mod:`~plnanalytics.analysis.sessions` (chat sessions) and
:mod:`~plnanalytics.analysis.recommend` (suggested introductions). :func:`analyze` runs the
first four over one graph.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import networkx as nx
import pandas as pd
import scipy.sparse as sp

from ..graph import engines
from ..graph.arrays import shared_adjacency
from ..graph.build import ATTRIBUTE_ALIASES
from ..memory import gc_paused
from .centrality import centrality_table
from .communities import community_table, detect
from .isolation import Thresholds, flag_isolation
from .structure import summary as network_summary

#: Node attributes that lead the metrics table, when the graph has them.
IDENTITY_COLUMNS = ("person_id", "name", "handle", "organization", "unit", "role", "on_roster",
                    "posts")

#: Metrics copied onto the graph's nodes, so that Gephi can size and colour by them.
GRAPH_METRICS = ("degree", "in_degree", "out_degree", "betweenness", "pagerank", "harmonic",
                 "eigenvector", "coreness", "constraint", "community", "component")


@dataclass
class Analysis:
    """What :func:`analyze` finds in one graph.

    Attributes
    ----------
    graph : networkx.DiGraph
        The graph with :data:`GRAPH_METRICS` as node attributes: its nodes and edges are
        its own, node attributes copied, edge attribute dicts shared with the analysed
        graph (take ``.copy()`` before changing edge data).
    metrics : pandas.DataFrame
        One row per node, isolates included: ``node``, the identity columns, every metric,
        ``community`` and ``component``.
    communities : pandas.DataFrame
        One row per community (see :func:`~plnanalytics.analysis.communities.community_table`).
    summary : dict
        The network summary (see :func:`~plnanalytics.analysis.structure.summary`), plus
        the settings used.
    """

    graph: nx.DiGraph
    metrics: pd.DataFrame
    communities: pd.DataFrame
    summary: dict = field(default_factory=dict)


@gc_paused()  # millions of small containers next to a big graph
def analyze(
    G: nx.DiGraph,
    *,
    group: str | None = "organization",
    seed: int = 0,
    k: int | None = None,
    exact_max_nodes: int = 5000,
    resolution: float = 1.0,
    progress: Callable[[str], None] | None = None,
    engine: str = "auto",
    communities: str = "auto",
    matrix: sp.csr_array | None = None,
) -> Analysis:
    """Metrics, communities and the summary of a graph, in one call.

    Parameters
    ----------
    G : networkx.DiGraph
        A graph from :func:`~plnanalytics.graph.build.build_graph` (any DiGraph will do).
    group : str, optional
        The node attribute that groups people, for brokerage roles, E-I index,
        assortativity and the communities' dominant groups (default ``organization``, the
        district; roster names such as ``district`` or ``school`` are understood). ``None``
        or an attribute no node has leaves those out.
    seed : int
        Seed of every sampled or randomized step (Louvain, sampled betweenness and
        closeness, sampled path length): the same data and seed give the same results.
    k : int, optional
        Number of sources for sampled betweenness and closeness (default 500 when
        sampling with the networkx engine; with networkit a work budget picks up to 2,000
        for betweenness and 500 for closeness, fewer on very large graphs, see
        :func:`~plnanalytics.graph.engines.default_k`); sampling is used above
        ``exact_max_nodes`` nodes, and for the average path length (500 sources) above
        ``exact_max_nodes`` nodes in the largest component. The sizes and seeds used are in
        ``summary["settings"]["betweenness"]`` and ``["harmonic"]``.
    exact_max_nodes : int
        Largest graph for which betweenness, closeness and path length are exact.
    resolution : float
        Louvain resolution (larger gives smaller communities).
    progress : callable, optional
        Called with the name of each step as it starts.
    engine : {"auto", "networkx", "networkit"}
        Who computes betweenness, closeness, PageRank, clustering, coreness and components
        (see :mod:`plnanalytics.graph.engines`): ``"auto"`` (default) uses our numpy code,
        equal to networkx, below :data:`~plnanalytics.graph.engines.AUTO_MIN_NODES` nodes
        and networkit's compiled algorithms from there on.
    communities : {"auto", "louvain", "plm", "leiden"}
        Community detection (see :func:`~plnanalytics.analysis.communities.detect`):
        python-louvain, networkit's Louvain (PLM) or Leiden; ``"auto"`` (default) is
        python-louvain with the networkx engine and PLM with networkit. Modularity is
        reported whichever runs.
    matrix : scipy.sparse.csr_array, optional
        The graph's weighted adjacency matrix as
        :func:`~plnanalytics.graph.build.build_network` makes it straight from DuckDB: the
        measures (and the compiled engine) then start from it instead of reading the
        networkx graph. It must describe ``G`` as it is.

    Returns
    -------
    Analysis

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b"), ("b", "a"), ("b", "c")])
    >>> G.add_node("d")  # an isolate keeps its row
    >>> result = analyze(G)
    >>> result.metrics[["node", "degree", "community", "component"]].to_dict("list")
    {'node': ['a', 'b', 'c', 'd'], 'degree': [1, 2, 1, 0], 'community': [0, 0, 0, 1], \
'component': [0, 0, 0, 1]}
    >>> result.summary["isolates"], result.summary["nodes"]
    (1, 4)
    >>> result.summary["settings"]["engine"], result.summary["settings"]["communities"]
    ('networkx', 'louvain')

    Unknown engine or community method names raise
    :class:`~plnanalytics.errors.OptionError` listing the choices.
    """
    with shared_adjacency(G, matrix):  # the measures read the graph's matrices once
        step = progress or (lambda _: None)
        eng = engines.resolve_engine(engine, G.number_of_nodes())
        method = engines.resolve_communities(communities, eng)
        attr = resolve_attribute(G, group)
        step("centrality")
        table = centrality_table(G, seed=seed, k=k, exact_max_nodes=exact_max_nodes, group=attr,
                                 engine=eng)
        step("communities")
        partition = detect(G, method=method, seed=seed, resolution=resolution)
        table["community"] = partition
        communities = community_table(G, partition, pagerank=table["pagerank"], attribute=attr,
                                      resolution=resolution)
        step("summary")
        info = network_summary(G, communities=partition, attribute=attr, seed=seed,
                               exact_max_nodes=exact_max_nodes, resolution=resolution)
        info["settings"] = {"group": attr, "seed": seed, "k": k, "exact_max_nodes": exact_max_nodes,
                            "resolution": resolution, "betweenness": table.attrs.get("betweenness"),
                            "harmonic": table.attrs.get("harmonic"), "engine": eng,
                            "communities": method}
        info["graph"] = dict(G.graph)
        info["surveys"] = survey_response(G)

        ident = pd.DataFrame(
            {c: [G.nodes[n].get(c) for n in G] for c in IDENTITY_COLUMNS
             if any(c in d for _, d in G.nodes(data=True))}, index=table.index)
        metrics = pd.concat([ident, table], axis=1).rename_axis("node").reset_index()

        H = _node_copy(G)
        for col in GRAPH_METRICS:
            if col in table:
                nx.set_node_attributes(H, table[col].dropna().to_dict(), col)
        return Analysis(graph=H, metrics=metrics, communities=communities, summary=info)


def _node_copy(G: nx.Graph) -> nx.Graph:
    """A graph of the same nodes and edges whose node attribute dicts are copies (so metrics
    can be set on them) and whose edge attribute dicts are shared with ``G``.

    Copying every edge's dict, as ``G.copy()`` does, takes seconds on millions of edges and
    gains nothing here: the analysis never changes edge data. Adding or removing nodes or
    edges of the result leaves ``G`` as it is. Multigraphs are copied whole.

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b", {"weight": 2.0})])
    >>> H = _node_copy(G)
    >>> H.nodes["a"]["x"] = 1
    >>> H.add_edge("b", "c")
    >>> dict(G.nodes["a"]), G.number_of_edges(), H["a"]["b"] is G["a"]["b"]
    ({}, 1, True)
    >>> sorted(H.predecessors("b")), sorted(G.predecessors("b"))
    (['a'], ['a'])
    """
    if G.is_multigraph():
        return G.copy()
    H = G.__class__()
    H.graph.update(G.graph)
    H._node.update((n, dict(d)) for n, d in G._node.items())
    if G.is_directed():
        H._succ = H._adj = {u: dict(nbrs) for u, nbrs in G._succ.items()}
        H._pred = {v: dict(nbrs) for v, nbrs in G._pred.items()}
    else:
        H._adj = {u: dict(nbrs) for u, nbrs in G._adj.items()}
    return H


def survey_response(G: nx.DiGraph) -> dict[str, dict[str, int]]:
    """Who answered each survey in the graph, kept apart from who named nobody.

    Returns, per relation in ``G.graph["surveys"]``: ``respondents``, ``named_nobody``
    (answered, named no one), ``roster_nonrespondents`` (roster people who did not answer).

    Examples
    --------
    >>> G = nx.DiGraph(surveys="advice")
    >>> G.add_node("a", on_roster=True, responded="advice")
    >>> G.add_node("b", on_roster=True, responded="advice")
    >>> G.add_node("c", on_roster=True)
    >>> G.add_edge("a", "c", n_advice=1)
    >>> survey_response(G)
    {'advice': {'respondents': 2, 'named_nobody': 1, 'roster_nonrespondents': 1}}
    """
    out = {}
    for relation in str(G.graph.get("surveys", "")).split():
        kind = f"n_{relation}"
        answered = [n for n, d in G.nodes(data=True)
                    if relation in str(d.get("responded", "")).split()]
        nobody = sum(1 for n in answered if not any(d.get(kind) for _, _, d in G.out_edges(n,
                                                                                    data=True)))
        missing = sum(1 for n, d in G.nodes(data=True) if d.get("on_roster")
                      and relation not in str(d.get("responded", "")).split())
        out[relation] = {"respondents": len(answered), "named_nobody": nobody,
                         "roster_nonrespondents": missing}
    return out


def resolve_attribute(G: nx.Graph, name: str | None) -> str | None:
    """The node attribute meant by ``name``: itself when some node has it, else its alias
    (``district`` is ``organization``, ``school`` is ``unit``), else None.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_node("a", organization="North")
    >>> resolve_attribute(G, "district"), resolve_attribute(G, "shoe_size")
    ('organization', None)
    """
    if not name:
        return None
    for candidate in (name, ATTRIBUTE_ALIASES.get(name.lower())):
        if candidate and any(candidate in d for _, d in G.nodes(data=True)):
            return candidate
    return None


__all__ = ["Analysis", "Thresholds", "analyze", "flag_isolation", "resolve_attribute",
           "survey_response"]
