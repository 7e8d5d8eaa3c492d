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

import networkx as nx
import pandas as pd

from ..graph.build import undirected

#: Flags in the order they are listed, with their severity.
FLAGS: dict[str, str] = {
    "absent": "high",
    "isolate": "high",
    "cut_off": "high",
    "single_tie": "medium",
    "bridge_dependent": "medium",
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

    def as_dict(self) -> dict[str, float]:
        """The thresholds as a plain dict (for ``summary.json``)."""
        return asdict(self)


def flag_isolation(
    G: nx.DiGraph,
    *,
    thresholds: Thresholds | None = None,
    everyone: bool = False,
    flags: Iterable[str] | None = None,
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
    H: nx.Graph
    core: dict[str, int]
    depth: int
    component: dict[str, int]          # node -> component index (0 = main)
    members: list[set[str]]            # component members by index
    gateway: dict[str, tuple[str, list[str]]]  # node -> (cut vertex, its cut-off group)
    labels: dict[int, list[tuple[str, str]]] = field(default_factory=dict)  # sorted, by comp


def _facts(G: nx.DiGraph, th: Thresholds) -> _Facts:
    H = undirected(G)
    H.remove_edges_from(nx.selfloop_edges(H))
    comps = sorted(nx.connected_components(H), key=lambda c: (-len(c), min(c)))
    component = {n: i for i, c in enumerate(comps) for n in c}
    core = nx.core_number(H)
    depth = max(core.values(), default=0)
    main = H.subgraph(comps[0]) if comps else H
    gateway = _gateways(main, th.bridge_max_share) if len(main) > 2 else {}
    return _Facts(H, core, depth, component, comps, gateway)


def _gateways(H: nx.Graph, max_share: float) -> dict[str, tuple[str, list[str]]]:
    """For each node of a connected graph that reaches the bulk of it only through one
    articulation point: that point and the group it would cut off (the node's side).

    The block-cut tree is rooted at its weighted centroid, so the root side of every
    articulation point holds at least half the nodes; a node's gateway is then the nearest
    articulation point between its block and the root.
    """
    blocks = [frozenset(b) for b in nx.biconnected_components(H)]
    cuts = set(nx.articulation_points(H))
    if not cuts:
        return {}
    T = nx.Graph()
    weight: dict[object, int] = {}
    for i, b in enumerate(blocks):
        weight[("B", i)] = sum(1 for v in b if v not in cuts)
        T.add_edges_from((("B", i), ("C", v)) for v in b if v in cuts)
    for v in cuts:
        weight[("C", v)] = 1
    total = len(H)
    root = _centroid(T, weight, total)
    parent = dict(nx.bfs_predecessors(T, root))
    order = [root, *(v for _, v in nx.bfs_edges(T, root))]
    below = dict(weight)
    for t in reversed(order[1:]):
        below[parent[t]] += below[t]
    members: dict[object, list[str]] = {}
    for i, b in enumerate(blocks):
        members[("B", i)] = sorted(v for v in b if v not in cuts)
    for v in cuts:
        members[("C", v)] = [v]
    limit = max_share * total
    out: dict[str, tuple[str, list[str]]] = {}
    # walk down from the root: a tree node inherits the gateway of its parent unless its
    # parent is an articulation point whose cut-off side (this subtree) is small enough
    inherited: dict[object, tuple[str, object] | None] = {root: None}
    for t in order[1:]:
        p = parent[t]
        if p[0] == "C" and below[t] <= limit:
            inherited[t] = (p[1], t)
        else:
            inherited[t] = inherited[p]
    groups: dict[object, list[str]] = {}
    for t in order:
        got = inherited[t]
        if got is None:
            continue
        cut, top = got
        if top not in groups:
            groups[top] = _subtree_nodes(T, top, parent, members)
        for v in members[t]:
            if v != cut:
                out.setdefault(v, (cut, groups[top]))
    return out


def _subtree_nodes(T: nx.Graph, top: object, parent: dict, members: dict) -> list[str]:
    nodes, stack = [], [top]
    while stack:
        t = stack.pop()
        nodes.extend(members[t])
        stack.extend(c for c in T[t] if parent.get(c) == t)
    return sorted(set(nodes))


def _centroid(T: nx.Graph, weight: dict, total: int) -> object:
    start = min(T.nodes, key=str)
    parent = dict(nx.bfs_predecessors(T, start))
    order = [start, *(v for _, v in nx.bfs_edges(T, start))]
    below = dict(weight)
    for t in reversed(order[1:]):
        below[parent[t]] += below[t]
    node = start
    while True:
        heavy = max((c for c in T[node] if parent.get(c) == node),
                    key=lambda c: (below[c], str(c)), default=None)
        if heavy is None or below[heavy] * 2 <= total:
            return node
        node = heavy


# -- flags ------------------------------------------------------------------------------------

def _flags_of(G: nx.DiGraph, n: str, f: _Facts, th: Thresholds
              ) -> Iterable[tuple[str, str, str | None]]:
    data = G.nodes[n]
    contacts = set(f.H[n])
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
    comp = f.component[n]
    if comp != 0:
        labels = f.labels.get(comp)
        if labels is None:  # sorted once per component, not once per member
            labels = f.labels[comp] = sorted((_label(G, v), v) for v in f.members[comp])
        others = [text for text, v in labels[:6] if v != n][:5]
        yield "cut_off", (f"In a separate group of {len(f.members[comp])} "
                          f"({_names(others, total=len(labels) - 1)}) with no tie to the "
                          "main network of "
                          f"{len(f.members[0])}."), None
    if len(contacts) == 1:
        (only,) = contacts
        w = f.H[n][only].get("count", 1)
        yield ("single_tie",
               f"Has one contact only: {_label(G, only)} ({_times(w, 'interaction')}).", only)
    elif n in f.gateway:
        cut, group = f.gateway[n]
        rest = len(f.members[0]) - len(group) - 1
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
    core = f.core.get(n, 0)
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
        "degree": f.H.degree(n), "in_degree": len(set(G.predecessors(n)) - {n}),
        "out_degree": len(set(G.successors(n)) - {n}), "posts": int(d.get("posts", 0) or 0),
        "coreness": f.core.get(n, 0), "component_size": len(f.members[f.component[n]]),
    }


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
