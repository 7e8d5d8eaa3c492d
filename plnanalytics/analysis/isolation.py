"""The isolation watchlist: who is missing, alone, cut off or hanging on a single tie, and why.

:func:`flag_isolation` looks at every roster person (and, with ``everyone=True``, every
account) of a graph made by :func:`plnanalytics.graph.build.build_graph` and raises a flag
for each of the situations below. Each flag carries a severity and a reason in plain words
that quotes the numbers behind it, so that a district office can act on it without reading
a metric table. "Contacts" are distinct people or accounts someone is tied to in either
direction; "reaching out" is replying to, mentioning, retweeting, quoting, messaging or
naming someone (whatever interaction kinds the graph holds).

=================== ======== ================================================================
flag                severity when
=================== ======== ================================================================
``absent``          high     on the roster, but no trace in any source (no post, no tie)
``isolate``         high     present (posted), but no contact at all
``cut_off``         high     has contacts, but in a group apart from the main network
``single_tie``      medium   exactly one contact
``bridge_dependent`` medium  in the main network, with two or more contacts, but reaches it
                             only through one person (an articulation point) whose absence
                             would cut off a small group (at most ``bridge_max_share`` of
                             the main network) that includes them
``declining``       medium   with a timeline (``timeline=``): contacts or activity fell by
                             ``declining_drop`` or more against the person's own earlier
                             windows (see :func:`~plnanalytics.analysis.temporal.declining`)
``never_sought``    medium   reaches out to at least ``never_sought_min_out`` people, nobody
                             reaches them
``unreciprocated``  low      reaches out to at least ``unreciprocated_min_out`` people, none
                             of whom reaches back, although somebody else does reach them
``named_nobody``    medium   answered a survey in the graph (see below) and named nobody
``peripheral``      low      two or more contacts, but k-core ``<= peripheral_max_core``
                             while the network's core is at least ``peripheral_min_depth`` deep
``no_response``     low      did not answer a survey in the graph: the ties they would have
                             named are unknown, so a lack of ties says little about them
=================== ======== ================================================================

Surveys: a graph built from an advice or collaboration survey lists the relations asked in
``G.graph["surveys"]`` and marks each respondent's node with ``responded`` (see
:func:`~plnanalytics.graph.build.build_graph`). Not answering is kept apart from answering
and naming nobody: the first is a gap in the data (``no_response``), the second a statement
of isolation (``named_nobody``).

Isolates never vanish: every roster person gets a row in the metrics and is judged here,
whatever a metric gives for them.

Examples
--------
>>> import networkx as nx
>>> G = nx.DiGraph()
>>> G.add_nodes_from(["roster:P1", "roster:P2", "roster:P3"], on_roster=True, traces=1)
>>> G.add_edges_from([("roster:P1", "roster:P2"), ("roster:P2", "roster:P1")])
>>> G.nodes["roster:P3"]["traces"] = 0
>>> flags = flag_isolation(G)
>>> flags[["node", "flag", "severity"]].to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
[{'node': 'roster:P3', 'flag': 'absent', 'severity': 'high'},
 {'node': 'roster:P1', 'flag': 'single_tie', 'severity': 'medium'},
 {'node': 'roster:P2', 'flag': 'single_tie', 'severity': 'medium'}]
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import networkit as nk
import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components, depth_first_order

from ..graph.arrays import adjacency

if TYPE_CHECKING:
    from .temporal import Timeline

#: Flags in the order they are listed, with their severity.
FLAGS: dict[str, str] = {
    "absent": "high",
    "isolate": "high",
    "cut_off": "high",
    "single_tie": "medium",
    "bridge_dependent": "medium",
    "declining": "medium",
    "never_sought": "medium",
    "named_nobody": "medium",
    "unreciprocated": "low",
    "peripheral": "low",
    "no_response": "low",
}

SEVERITIES = ("high", "medium", "low")

#: Platforms whose "accounts" are entries in a list (a survey, a group roster, an edge list),
#: not places where someone could have posted.
LISTING_PLATFORMS = ("survey", "groups", "edgelist", "roster")

#: Columns of the watchlist frame.
COLUMNS = ("node", "person_id", "name", "organization", "flag", "severity", "reason", "via",
           "degree", "in_degree", "out_degree", "posts", "coreness", "component_size")


@dataclass(frozen=True)
class Thresholds:
    """The numbers behind the flags; change them with ``Thresholds(never_sought_min_out=1)``.

    Attributes
    ----------
    never_sought_min_out : int
        ``never_sought`` needs this many people reached (default 2). One unanswered act is
        better described by ``single_tie``; two or more distinct people reached without
        anyone reaching back is a pattern.
    unreciprocated_min_out : int
        ``unreciprocated`` needs this many people reached (default 3): with one or two
        contacts a missing reply is common chance; with three or more and no reply from any,
        the person gives more than they receive.
    peripheral_max_core : int
        ``peripheral`` when the person's k-core is at most this (default 1: every contact
        of theirs could be removed one by one without reaching a dense group).
    peripheral_min_depth : int
        ... and only when the network's deepest k-core is at least this (default 3); in a
        network without a dense core nobody is peripheral to it.
    declining_drop : float
        ``declining`` when a person's average contacts or activity in the last
        ``declining_recent`` windows is at most ``1 - declining_drop`` of their average in
        their earlier windows (default 0.5: halved or worse).
    declining_recent : int
        How many of the last windows are compared with the earlier ones (default 2).
    declining_min_before : float
        ... and only when the earlier average was at least this (default 2 contacts or 2
        posts and interactions a window): from one to none is chance more than drift.
    declining_alpha : float
        ... and only when fewer than this share of the ways of picking
        ``declining_recent`` of the person's windows give a total as low as the recent one
        (a permutation test; default 0.05; 1 turns the test off): someone who often skips
        a weekly chat is not drifting away when they skip two.
    declining_min_windows : int
        A person is judged once they have this many earlier windows (default 5: with two
        recent windows, seven in all are needed before a fall can reach the 5% level).
    bridge_max_share : float
        ``bridge_dependent`` when the group that one articulation point would cut off is at
        most this share of the main network (default 0.25). A larger group is a sub-network
        of its own joined by one tie, which the community table shows better than a flag on
        each of its members.

    Examples
    --------
    >>> Thresholds().never_sought_min_out
    2
    """

    never_sought_min_out: int = 2
    unreciprocated_min_out: int = 3
    peripheral_max_core: int = 1
    peripheral_min_depth: int = 3
    bridge_max_share: float = 0.25
    declining_drop: float = 0.5
    declining_recent: int = 2
    declining_min_before: float = 2.0
    declining_alpha: float = 0.05
    declining_min_windows: int = 5

    def as_dict(self) -> dict[str, float]:
        """The thresholds as a plain dict (for ``summary.json``)."""
        return asdict(self)


def flag_isolation(
    G: nx.DiGraph,
    *,
    thresholds: Thresholds | None = None,
    everyone: bool = False,
    flags: Iterable[str] | None = None,
    timeline: Timeline | None = None,
) -> pd.DataFrame:
    """The watchlist: one row per flag raised, most severe first.

    Parameters
    ----------
    G : networkx.DiGraph
        A graph from :func:`~plnanalytics.graph.build.build_graph`. Nodes with the
        attribute ``on_roster`` are judged; ``traces`` (posts plus interactions) tells
        ``absent`` from ``isolate`` (a node without it counts as present).
    thresholds : Thresholds, optional
        The numbers behind the flags (see :class:`Thresholds`).
    everyone : bool
        Judge every node, not only roster people.
    flags : iterable of str, optional
        Raise only these flags (default: all of :data:`FLAGS`).
    timeline : Timeline, optional
        The same data window by window (:func:`~plnanalytics.analysis.temporal.timeline`):
        raises ``declining`` for people whose contacts or activity fell (without it,
        ``declining`` is never raised).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`: the node and person, the flag, its severity, the reason in
        words, ``via`` (the contact or gateway named by the reason, if any) and the numbers:
        distinct contacts, in and out (distinct people), posts, k-core and the size of the
        node's component. Sorted by severity, flag, organization and name.

    Examples
    --------
    >>> G = nx.DiGraph([("a", "hub"), ("b", "hub"), ("hub", "b")])
    >>> flag_isolation(G, everyone=True)[["node", "flag", "via"]].to_dict("records")
    ... # doctest: +NORMALIZE_WHITESPACE
    [{'node': 'a', 'flag': 'single_tie', 'via': 'hub'},
     {'node': 'b', 'flag': 'single_tie', 'via': 'hub'}]
    """
    th = thresholds or Thresholds()
    wanted = set(FLAGS) if flags is None else set(flags)
    unknown = wanted - set(FLAGS)
    if unknown:
        raise ValueError(f"unknown flags {sorted(unknown)}; expected some of {list(FLAGS)}")
    judged = [n for n, d in G.nodes(data=True) if everyone or d.get("on_roster")]
    facts = _facts(G, th)
    rows = []
    for n in judged:
        for flag, reason, via in _flags_of(G, n, facts, th):
            if flag in wanted:
                rows.append(_row(G, n, flag, reason, via, facts))
    if timeline is not None and "declining" in wanted:
        from .temporal import declining_from  # temporal builds on the package's analyze

        fell = declining_from(timeline, th, nodes=judged)
        rows += [_row(G, n, "declining", reason, None, facts)
                 for n, reason in zip(fell["node"], fell["reason"], strict=True) if n in G]
    out = pd.DataFrame(rows, columns=list(COLUMNS))
    if out.empty:
        return out
    out["_s"] = out["severity"].map(SEVERITIES.index)
    out["_f"] = out["flag"].map(list(FLAGS).index)
    out = out.sort_values(["_s", "_f", "organization", "name", "node"], na_position="last")
    return out.drop(columns=["_s", "_f"]).reset_index(drop=True)


# -- the facts every flag reads -------------------------------------------------------------

@dataclass
class _Facts:
    """The undirected tie pattern and what the flags read from it, as arrays over the nodes
    in ``list(G.nodes)`` order (``pos`` maps a node to its position)."""

    G: nx.DiGraph
    names: list[Any]
    pos: dict[Any, int]
    indptr: list[int]                  # the symmetric pattern, self-loops left out
    indices: np.ndarray
    core: np.ndarray                   # k-core number of each node
    depth: int
    component: np.ndarray              # component index of each node (0 = main)
    sizes: np.ndarray                  # component sizes by index
    by_component: np.ndarray           # node positions grouped by component
    starts: np.ndarray                 # where each component's group starts in by_component
    gateways: _Gateways | None
    labels: dict[int, list[tuple[str, Any]]] = field(default_factory=dict)  # sorted, by comp

    def contacts(self, n: Any) -> list[Any]:
        i = self.pos[n]
        return [self.names[j] for j in self.indices[self.indptr[i]:self.indptr[i + 1]].tolist()]

    def members(self, comp: int) -> list[Any]:
        lo, hi = int(self.starts[comp]), int(self.starts[comp + 1])
        return [self.names[j] for j in self.by_component[lo:hi].tolist()]

    def core_of(self, n: Any) -> int:
        return int(self.core[self.pos[n]])

    def component_of(self, n: Any) -> int:
        return int(self.component[self.pos[n]])

    def gateway(self, n: Any) -> tuple[Any, list[Any]] | None:
        return None if self.gateways is None else self.gateways.of(self.pos[n])


def _facts(G: nx.DiGraph, th: Thresholds) -> _Facts:
    names = list(G.nodes)
    n = len(names)
    A = adjacency(G, None)
    S = (A + A.T).tocsr()
    S.sum_duplicates()
    S.sort_indices()
    # components, largest first, ties by their smallest node
    _, label = connected_components(S, directed=False) if n else (0, np.zeros(0, np.int64))
    rank = np.empty(n, dtype=np.int64)
    rank[sorted(range(n), key=names.__getitem__)] = np.arange(n)
    sizes = np.bincount(label, minlength=int(label.max(initial=-1)) + 1)
    least = np.full(len(sizes), n, dtype=np.int64)
    np.minimum.at(least, label, rank)
    order = np.lexsort((least, -sizes))
    index = np.empty(len(sizes), dtype=np.int64)
    index[order] = np.arange(len(sizes))
    component = index[label]
    by_component = np.argsort(component, kind="stable")
    starts = np.r_[0, np.cumsum(sizes[order])].astype(np.int64)
    g = _networkit_graph(S)
    core = _core_numbers(g)
    gateways = (_Gateways(g, by_component[: starts[1]], rank, th.bridge_max_share, names)
                if n and starts[1] > 2 else None)
    return _Facts(G, names, {v: i for i, v in enumerate(names)}, S.indptr.tolist(),
                  S.indices, core, int(core.max(initial=0)), component, sizes[order],
                  by_component, starts, gateways)


def _networkit_graph(S: sp.csr_array) -> nk.Graph:
    """An undirected networkit graph of a symmetric pattern without self-loops."""
    g = nk.Graph(S.shape[0], weighted=False, directed=False)
    rows = np.repeat(np.arange(S.shape[0], dtype=np.uint64), np.diff(S.indptr))
    cols = S.indices.astype(np.uint64)
    upper = rows < cols
    if upper.any():
        g.addEdges((rows[upper], cols[upper]))
    return g


def _core_numbers(g: nk.Graph) -> np.ndarray:
    """k-core number of every node (``nx.core_number`` of the same graph)."""
    if g.numberOfNodes() == 0:
        return np.zeros(0, dtype=np.int64)
    cores = nk.centrality.CoreDecomposition(g)
    cores.run()
    return np.rint(np.asarray(cores.scores(), dtype=float)).astype(np.int64)


class _Gateways:
    """For each node of the main component that reaches the bulk of it only through one
    articulation point: that point and the group it would cut off (the node's side).

    The block-cut tree of the main component (biconnected components by networkit) is
    rooted at its weighted centroid, so the root side of every articulation point holds at
    least half the nodes; a node's gateway is then the nearest articulation point between
    its block and the root whose cut-off side (the subtree below it) is at most
    ``max_share`` of the main component. Blocks weigh their nodes that are not articulation
    points; articulation points weigh one each. Cut-off groups are listed on demand.

    With ``max_share`` below one half the result does not depend on which centroid is the
    root when there are two: every tree node between them has at least half the weight on
    its far side, too much to be cut off.
    """

    def __init__(self, g: nk.Graph, main: np.ndarray, rank: np.ndarray, max_share: float,
                 names: list[Any]) -> None:
        n = len(rank)
        total = len(main)
        in_main = np.zeros(n, dtype=bool)
        in_main[main] = True
        finder = nk.components.BiconnectedComponents(g)
        finder.run()
        blocks = [b for b in finder.getComponents() if in_main[b[0]]]
        nb = len(blocks)
        block_of = np.repeat(np.arange(nb, dtype=np.int64), [len(b) for b in blocks])
        member = np.fromiter((v for b in blocks for v in b), dtype=np.int64,
                             count=len(block_of))
        is_cut = np.bincount(member, minlength=n) > 1
        cuts = np.flatnonzero(is_cut)
        self.names, self.rank = names, rank
        self.top = np.full(n, -1, dtype=np.int64)  # per node: its group's top tree node
        self.cut = np.full(n, -1, dtype=np.int64)  # ... and its gateway
        self.groups: dict[int, list[Any]] = {}
        if len(cuts) == 0:
            return
        # tree nodes: blocks 0..nb-1, then the articulation points nb..nb+len(cuts)-1
        tree_of = np.full(n, -1, dtype=np.int64)  # the tree node holding each node
        tree_of[member] = block_of
        tree_of[cuts] = nb + np.arange(len(cuts))
        links = is_cut[member]
        nt = nb + len(cuts)
        T = sp.coo_array((np.ones(int(links.sum())), (block_of[links], tree_of[member[links]])),
                         shape=(nt, nt)).tocsr()
        T = (T + T.T).tocsr()
        weight = np.r_[np.bincount(block_of[~links], minlength=nb), np.ones(len(cuts), int)]
        root = _centroid(T, weight, total)
        order, parent = depth_first_order(T, root, directed=False, return_predecessors=True)
        below = _subtree_sums(order, parent, weight)
        count = _subtree_sums(order, parent, np.ones(nt, dtype=np.int64))
        # walk down from the root: a tree node inherits the top of its parent unless its
        # parent is an articulation point whose cut-off side (this subtree) is small enough
        qualifies = ((parent >= nb) & (below <= max_share * total)).tolist()
        qualifies[root] = False
        par = parent.tolist()
        top = [-1] * nt
        for t in order.tolist()[1:]:
            top[t] = t if qualifies[t] else top[par[t]]
        self.top[main] = np.asarray(top, dtype=np.int64)[tree_of[main]]
        has = self.top >= 0
        self.cut[has] = cuts[parent[self.top[has]] - nb]
        self.top[self.cut == np.arange(n)] = -1
        # the nodes of a subtree: a run of the main nodes sorted by their tree node's
        # position in the depth-first order
        place = np.empty(nt, dtype=np.int64)
        place[order] = np.arange(nt)
        self.place, self.count = place, count
        self.by_place = main[np.argsort(place[tree_of[main]], kind="stable")]
        self.sorted_place = place[tree_of[self.by_place]]

    def of(self, i: int) -> tuple[Any, list[Any]] | None:
        """The gateway and the cut-off group (sorted) of the node at position ``i``."""
        top = int(self.top[i])
        if top < 0:
            return None
        if top not in self.groups:
            lo, hi = np.searchsorted(self.sorted_place,
                                     [self.place[top], self.place[top] + self.count[top]])
            nodes = self.by_place[lo:hi]
            nodes = nodes[np.argsort(self.rank[nodes], kind="stable")]
            self.groups[top] = [self.names[j] for j in nodes.tolist()]
        return self.names[int(self.cut[i])], self.groups[top]


def _subtree_sums(order: np.ndarray, parent: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Sum of ``values`` over each subtree of a tree given in depth-first order."""
    total = values.astype(np.int64).tolist()
    par = parent.tolist()
    for t in reversed(order.tolist()[1:]):
        total[par[t]] += total[t]
    return np.asarray(total, dtype=np.int64)


def _centroid(T: sp.csr_array, weight: np.ndarray, total: int) -> int:
    """A weighted centroid of a tree: no subtree hanging from it weighs more than half."""
    order, parent = depth_first_order(T, 0, directed=False, return_predecessors=True)
    below = _subtree_sums(order, parent, weight)
    heavy = np.full(T.shape[0], -1, dtype=np.int64)  # each tree node's heaviest child
    kids = order[1:]
    best = np.lexsort((kids, below[kids], parent[kids]))
    last = np.r_[parent[kids][best][1:] != parent[kids][best][:-1], True]
    heavy[parent[kids][best][last]] = kids[best][last]
    node = 0
    while heavy[node] >= 0 and below[heavy[node]] * 2 > total:
        node = int(heavy[node])
    return node


# -- flags ------------------------------------------------------------------------------------

def _flags_of(G: nx.DiGraph, n: str, f: _Facts, th: Thresholds
              ) -> Iterable[tuple[str, str, str | None]]:
    data = G.nodes[n]
    contacts = set(f.contacts(n))
    succ, pred = set(G.successors(n)) - {n}, set(G.predecessors(n)) - {n}
    posts = int(data.get("posts", 0) or 0)
    if not contacts:
        if data.get("traces", 1) == 0:
            accounts = [a for a in str(data.get("accounts") or "").split()
                        if a.split(":", 1)[0] not in LISTING_PLATFORMS]
            how = (f"their account{'s' if len(accounts) > 1 else ''} ({', '.join(accounts)}) "
                   "did not post and nobody interacted with them" if accounts else
                   "no account is linked to them (add their handle or account id to the "
                   "roster)")
            groups = int(data.get("groups", 0) or 0)
            listed = (f"; they are listed in {_count(groups, 'group')}, which make ties only "
                      "when co-membership is asked for (--kinds comember)" if groups else "")
            yield "absent", f"On the roster but found in no source: {how}{listed}.", None
        else:
            yield "isolate", (f"Posted {_times(posts)} but has no contacts: nobody "
                              "interacted with them and they interacted with nobody else."), None
        yield from _survey_flags(G, n, data)
        return
    comp = f.component_of(n)
    if comp != 0:
        labels = f.labels.get(comp)
        if labels is None:  # sorted once per component, not once per member
            labels = f.labels[comp] = sorted((_label(G, v), v) for v in f.members(comp))
        others = [text for text, v in labels[:6] if v != n][:5]
        yield "cut_off", (f"In a separate group of {f.sizes[comp]} "
                          f"({_names(others, total=len(labels) - 1)}) with no tie to the "
                          "main network of "
                          f"{f.sizes[0]}."), None
    gateway = f.gateway(n) if len(contacts) > 1 else None
    if len(contacts) == 1:
        (only,) = contacts
        w = _tie_count(G, n, only)
        yield ("single_tie",
               f"Has one contact only: {_label(G, only)} ({_times(w, 'interaction')}).", only)
    elif gateway is not None:
        cut, group = gateway
        rest = int(f.sizes[0]) - len(group) - 1
        mates = [_label(G, v) for v in group if v != n]
        also = f" and {_count(len(mates), 'other')} ({_names(mates)})" if mates else ""
        yield "bridge_dependent", (
            f"Reaches the main network only through {_label(G, cut)}: without them, this "
            f"person{also} would be cut off from the rest of the main network "
            f"({_count(rest, 'person') if rest == 1 else f'{rest} people'})."), cut
    if not pred and len(succ) >= th.never_sought_min_out:
        yield "never_sought", (f"Reached out to {len(succ)} people, but nobody reached out "
                               "to them."), None
    elif pred and len(succ) >= th.unreciprocated_min_out and not succ & pred:
        yield "unreciprocated", (
            f"Reached out to {len(succ)} people and none of them reached back "
            f"({_count(len(pred), 'other')} did reach out to them)."), None
    yield from _survey_flags(G, n, data)
    core = f.core_of(n)
    if (comp == 0 and len(contacts) >= 2 and core <= th.peripheral_max_core
            and f.depth >= th.peripheral_min_depth):
        yield "peripheral", (f"On the edge of the network: k-core {core} while its core is "
                             f"{f.depth} deep ({len(contacts)} contacts, none of them in a "
                             "denser group with each other)."), None


def _survey_flags(G: nx.DiGraph, n: str, data: dict) -> Iterable[tuple[str, str, None]]:
    """``no_response`` and ``named_nobody`` for each survey relation in the graph."""
    answered = set(str(data.get("responded", "")).split())
    for relation in str(G.graph.get("surveys", "")).split():
        kind = f"n_{relation}"
        if relation not in answered:
            named_by = sum(1 for p in G.predecessors(n) if G[p][n].get(kind))
            by = (f"; {_count(named_by, 'respondent')} named them" if named_by else
                  "; nobody named them either")
            yield "no_response", (f"Did not answer the {relation} survey: whom they would "
                                  f"name is unknown{by}."), None
        elif not any(G[n][s].get(kind) for s in G.successors(n)):
            yield "named_nobody", (f"Answered the {relation} survey but named nobody (no "
                                   "nomination of theirs counts as a tie)."), None


def _row(G: nx.DiGraph, n: str, flag: str, reason: str, via: str | None, f: _Facts) -> dict:
    d = G.nodes[n]
    return {
        "node": n, "person_id": d.get("person_id"), "name": _label(G, n),
        "organization": d.get("organization"), "flag": flag, "severity": FLAGS[flag],
        "reason": reason, "via": via,
        "degree": len(f.contacts(n)), "in_degree": len(set(G.predecessors(n)) - {n}),
        "out_degree": len(set(G.successors(n)) - {n}), "posts": int(d.get("posts", 0) or 0),
        "coreness": f.core_of(n), "component_size": int(f.sizes[f.component_of(n)]),
    }


def _tie_count(G: nx.DiGraph, a: Any, b: Any) -> int:
    """Interactions between two nodes, both ways: the ``count`` of ``a - b`` in
    :func:`~plnanalytics.graph.build.undirected`."""
    if not G.is_directed():
        return G[a][b].get("count", 1)
    return sum(int(G[x][y].get("count", 1)) for x, y in ((a, b), (b, a)) if G.has_edge(x, y))


def _label(G: nx.DiGraph, n: str) -> str:
    return str(G.nodes[n].get("label") or n)


def _names(labels: list[str], most: int = 5, total: int | None = None) -> str:
    """``a``, ``a and b``, ``a, b and c``, ``a, b, c, d, e and 3 others`` (``total``: how
    many there are when ``labels`` holds only the first few)."""
    total = len(labels) if total is None else total
    if total > most:
        return ", ".join(labels[:most]) + f" and {total - most} others"
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " and " + labels[-1]


def _count(k: int, word: str) -> str:
    return f"{k} {word}{'' if k == 1 else 's'}"


def _times(k: int, word: str = "") -> str:
    if word:
        return _count(k, word)
    return "once" if k == 1 else f"{k} times"
