"""Suggested introductions: for each flagged person, a few peers to connect with, and why.

:func:`suggest_introductions` ranks, for each person asked about, every candidate they are not
yet tied to (in either direction) by an additive score, and keeps the best ``k``. The score
adds up a few plain reasons, each scaled to lie between 0 and 1 (so that a weight means the
same on a network of 60 principals and on one of 60,000 accounts) and multiplied by a fixed
weight of :class:`Weights`:

``triad``
    People with contacts in common tend to meet (triadic closure). The strength of the
    common contacts is the Adamic-Adar index: a common contact with few contacts of their
    own counts more than a hub everybody knows (``1 / log(contacts)`` each). It is divided
    by the strongest Adamic-Adar among the person's candidates, so the best "friend of a
    friend" scores 1.
``community``
    In the same community of the network (Louvain,
    :func:`~plnanalytics.analysis.communities.detect`).
``district``
    In the same district. With ``cross_district=True`` the same district counts against
    (minus the weight) and another district for, and candidates from other districts are
    offered first.
``groups``
    Share groups (PLCs, cohorts, committees, channels). Small groups tell more than big ones:
    each shared group of ``n`` members adds ``1 / log2(n)`` (1 for a pair, 1/2 for a group
    of four), capped at 1.
``role``
    The same role (principal, assistant principal...), times the share of the candidates in
    another role: a role that every candidate shares says nothing.
``connected`` and ``reciprocity``
    A good mentor is well connected and answers back: the candidate's number of contacts on
    a log scale, divided by the largest among the candidates (``log(1 + d) / log(1 + d_max)``),
    times ``connected``, plus the same times the share of their ties that are mutual times
    ``reciprocity``.
``mentoring``
    With ``prefer_experienced=True``, a novice (at most ``novice_max_years`` of experience)
    is offered experienced peers (at least ``experienced_min_years``) first, and they get
    this weight on top (peer mentoring).

The weights were chosen before any evaluation, from what the link-prediction literature
finds (common contacts predict new ties best, homophily next) and are not tuned; see
``scripts/eval_introductions.py`` for an honest hit-rate evaluation against random and
most-connected suggestions.

The reason given for each suggestion lists its (at most three) strongest reasons with the
numbers behind them, in words a district office can act on.

Examples
--------
>>> import networkx as nx
>>> G = nx.DiGraph([("a", "b"), ("b", "a"), ("b", "c"), ("c", "b")])
>>> for n, name in zip("abc", ("Ann Lee", "Bo Diaz", "Cy Ode")):
...     G.add_node(n, label=name, on_roster=True)
>>> df = suggest_introductions(G, who=["a"], k=1, group=None, experience=None)
>>> df[["node", "candidate", "common_contacts"]].to_dict("records")
[{'node': 'a', 'candidate': 'c', 'common_contacts': 1}]
>>> df.loc[0, "reason"].split("; ")  # doctest: +NORMALIZE_WHITESPACE
['1 contact in common (Bo Diaz)', 'same network community',
 'well connected (1 contact) and answers back (100% of ties mutual)']
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..dataset import Dataset
from ..errors import OptionError
from ..graph import engines
from ..graph.arrays import adjacency, attribute_codes, node_index
from ..graph.build import ATTRIBUTE_ALIASES, account_nodes
from ..store import Store
from . import resolve_attribute
from .communities import detect, node_sort_key
from .isolation import _label, _names

#: Columns of the suggestions frame.
COLUMNS = ("node", "person_id", "name", "organization", "rank", "candidate", "candidate_name",
           "candidate_organization", "score", "reason", "common_contacts", "adamic_adar",
           "same_community", "same_district", "shared_groups", "same_role",
           "candidate_contacts", "candidate_reciprocity", "candidate_experience")

#: Node attributes tried, in order, for years of experience with ``experience="auto"``.
EXPERIENCE_ATTRIBUTES = ("years_as_principal", "years_principal", "experience_years",
                         "years_experience", "years_of_experience", "experience", "years",
                         "tenure")

#: Upper bound on the (people x candidates) scores held at once.
_BLOCK = 4_000_000


@dataclass(frozen=True)
class Weights:
    """The weight of each reason in the score of a suggestion (fixed a priori, not tuned).

    Every reason is first scaled to lie between 0 and 1 (see the module docstring), so a
    weight says how much that reason counts against the others.

    Attributes
    ----------
    triad : float
        Contacts in common, by their Adamic-Adar strength relative to the person's best
        (default 3: closing a triad is the strongest single predictor of a new tie).
    community : float
        Same network community (default 1).
    district : float
        Same district; with ``cross_district=True``, another district (default 1).
    groups : float
        Shared groups, small groups counting more (default 1).
    role : float
        Same role, scaled by how distinctive the role is among the candidates (default 0.5).
    connected : float
        The candidate's contacts, on a log scale relative to the best connected (default 1).
    reciprocity : float
        ... times the share of the candidate's ties that are mutual (default 0.5).
    mentoring : float
        Experienced candidate for a novice, with ``prefer_experienced=True`` (default 2; they
        are also ranked first whatever the rest of the score).

    Examples
    --------
    >>> Weights().triad, Weights(triad=1.0).triad
    (3.0, 1.0)
    """

    triad: float = 3.0
    community: float = 1.0
    district: float = 1.0
    groups: float = 1.0
    role: float = 0.5
    connected: float = 1.0
    reciprocity: float = 0.5
    mentoring: float = 2.0

    def as_dict(self) -> dict[str, float]:
        """The weights as a plain dict."""
        return asdict(self)


def node_groups(data: Store | Dataset, G: nx.DiGraph) -> dict[str, set[str]]:
    """The groups (PLCs, cohorts, channels...) each node of a graph belongs to.

    A membership's member is an account key (``x:123``, ``groups:P001``, ``slack:T1/U2``), a
    roster node key (``roster:P001``) or a bare person id (``P001``); it belongs to the
    node of ``G`` that holds it: the node itself, the node listing it among its ``accounts``
    (how :func:`~plnanalytics.graph.build.build_graph` merges a person's accounts), or the
    node of that ``person_id``. Members that are no node of ``G`` are left out, and so are
    the survey pseudo-groups (``survey:<relation>`` with role ``respondent``), which record
    who answered a survey, not a group.

    Parameters
    ----------
    data : Store or Dataset
        Where the ``memberships`` table is read.
    G : networkx.DiGraph
        A graph built from the same data.

    Returns
    -------
    dict
        Node key -> set of group names, for the nodes with at least one group, in the order
        of ``G.nodes``.

    Examples
    --------
    >>> from plnanalytics import Dataset
    >>> from plnanalytics.graph.build import build_graph
    >>> ds = Dataset.from_records(
    ...     people=[{"person_id": "P1", "name": "Ann Lee"}, {"person_id": "P2", "name": "Bo Diaz"}],
    ...     identities=[{"account": "x:10", "person_id": "P1", "method": "explicit"}],
    ...     memberships=[{"member": "x:10", "group": "Math PLC"},
    ...                  {"member": "roster:P2", "group": "Math PLC"},
    ...                  {"member": "x:99", "group": "Cohort 2025"}])
    >>> node_groups(ds, build_graph(ds))  # x:99 posted nothing: not a node
    {'roster:P1': {'Math PLC'}, 'roster:P2': {'Math PLC'}}
    """
    if isinstance(data, Store):
        members = data.con.execute('SELECT member, "group", role FROM memberships').df()
    else:
        members = data.memberships[["member", "group", "role"]]
    node_of = account_nodes(G)
    for n, pid in G.nodes(data="person_id"):
        if isinstance(pid, str) and pid:
            node_of.setdefault(pid, n)
            node_of.setdefault(f"roster:{pid}", n)
    survey = members["role"].eq("respondent") & members["group"].astype(str).str.startswith(
        "survey:")
    kept = members[~survey & members["group"].notna() & members["member"].notna()]
    nodes = kept["member"].astype(str).map(node_of)
    found = (pd.DataFrame({"node": nodes, "group": kept["group"].astype(str)})
             .dropna(subset=["node"]).groupby("node")["group"].agg(set).to_dict())
    return {n: found[n] for n in G.nodes if n in found}


def suggest_introductions(
    G: nx.DiGraph,
    *,
    who: Iterable[str] | pd.DataFrame | None = None,
    k: int = 3,
    communities: Mapping[str, int] | pd.Series | None = None,
    groups: Mapping[str, set[str]] | None = None,
    group: str | None = "organization",
    experience: str | None = "auto",
    prefer_experienced: bool = False,
    novice_max_years: float = 2,
    experienced_min_years: float = 5,
    cross_district: bool = False,
    candidates: Iterable[str] | None = None,
    weights: Weights | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """Up to ``k`` peers for each person to be introduced to, with a plain-language why.

    Candidates are never the person, nor anyone they are already tied to in either
    direction. They are ranked by the score of the module docstring; equal scores go by
    candidate key, so the result is deterministic. "Contacts" are the distinct people a
    node is tied to in either direction. A person without any contact still gets
    suggestions, from district, role, groups and the candidates' standing.

    Parameters
    ----------
    G : networkx.DiGraph
        The interaction graph (:func:`~plnanalytics.graph.build.build_graph`).
    who : iterable of str or pandas.DataFrame, optional
        The people to suggest for, in this order; a watchlist
        (:func:`~plnanalytics.analysis.isolation.flag_isolation`) means its distinct ``node``
        values in order of first appearance. Default: every roster node (``on_roster``), or
        every node when nobody is on the roster.
    k : int, default 3
        Suggestions per person (fewer when there are fewer candidates).
    communities : mapping or pandas.Series, optional
        Node -> community id (e.g. ``Analysis.metrics.set_index("node")["community"]``).
        Default: :func:`~plnanalytics.analysis.communities.detect` with ``seed`` and the
        method :func:`~plnanalytics.analysis.analyze` picks (python-louvain, networkit's PLM
        on a big graph), so the same communities as the analysis.
    groups : mapping, optional
        Node -> set of group names, from :func:`node_groups`.
    group : str or None, default "organization"
        Node attribute of the district (aliases such as ``district`` allowed); None to
        leave districts out.
    experience : str or None, default "auto"
        Numeric node attribute of years of experience; ``"auto"`` takes the first of
        :data:`EXPERIENCE_ATTRIBUTES` that some node has; None for none.
    prefer_experienced : bool, default False
        Offer novices (experience at most ``novice_max_years``) experienced candidates
        (at least ``experienced_min_years``) first: peer mentoring. Others are unchanged.
    novice_max_years, experienced_min_years : float
        The experience bounds of ``prefer_experienced``.
    cross_district : bool, default False
        Cross district lines: candidates from other districts come first (someone from
        the person's own district only when too few others are left), and in the score the
        same district counts against. Combined with ``prefer_experienced``, a novice is
        offered experienced peers from other districts first.
    candidates : iterable of str, optional
        Whom to suggest. Default: roster nodes, or every node when nobody is on the roster.
    weights : Weights, optional
        The weights of the reasons (default :class:`Weights`).
    seed : int, default 0
        Seed of the community detection, when ``communities`` is not given.

    Returns
    -------
    pandas.DataFrame
        One row per (person, suggestion), columns :data:`COLUMNS`, in the order of ``who``
        then ``rank`` (1 to k). ``common_contacts`` and ``adamic_adar`` are as networkx's
        ``common_neighbors`` and ``adamic_adar_index`` on the undirected view;
        ``candidate_reciprocity`` is NaN for a candidate without ties,
        ``candidate_experience`` NaN when unknown, ``same_district`` and ``same_community``
        False when either is unknown.

    Raises
    ------
    plnanalytics.errors.OptionError
        For ``k < 1``, nodes of ``who`` or ``candidates`` that are not in ``G``, or a
        ``group`` or ``experience`` attribute that no node has.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_nodes_from([("n1", {"label": "Ann Lee", "organization": "North", "years": 1}),
    ...                   ("n2", {"label": "Bo Diaz", "organization": "North", "years": 3}),
    ...                   ("s1", {"label": "Cy Ode", "organization": "South", "years": 12})])
    >>> suggest_introductions(G, who=["n1"], k=2)[["candidate", "same_district"]].values.tolist()
    [['n2', True], ['s1', False]]
    >>> df = suggest_introductions(G, who=["n1"], k=1, cross_district=True,
    ...                            prefer_experienced=True)
    >>> df.loc[0, "candidate"]
    's1'
    >>> print(df.loc[0, "reason"])
    experienced (12 years) for a newcomer (1 year): peer mentoring; from another district (South)
    """
    w = weights or Weights()
    if not isinstance(k, int | np.integer) or k < 1:
        raise OptionError(f"k must be a whole number of at least 1 (suggestions per person), "
                          f"not {k!r}")
    index = node_index(G)
    nodes = list(index)
    n = len(nodes)
    pos = {v: i for i, v in enumerate(nodes)}
    roster = np.array([bool(d.get("on_roster")) for _, d in G.nodes(data=True)], dtype=bool)
    people = _positions(_who_list(who), pos, "who") if who is not None else (
        np.flatnonzero(roster) if roster.any() else np.arange(n))
    pool = (_positions(list(dict.fromkeys(candidates)), pos, "candidates")
            if candidates is not None else
            (np.flatnonzero(roster) if roster.any() else np.arange(n)))
    # candidates in key order, so that ties in score go by candidate key
    pool = np.array(sorted(pool.tolist(), key=lambda i: node_sort_key(nodes[i])),
                    dtype=np.int64)
    if len(people) == 0:
        return pd.DataFrame({c: pd.Series(dtype=_DTYPES.get(c, object)) for c in COLUMNS})

    # contacts: the undirected distinct-neighbour pattern
    P = adjacency(G, None)
    P.data = np.ones_like(P.data)
    S = (P + P.T).tocsr()
    S.data = np.ones_like(S.data)
    S.sort_indices()
    deg = np.diff(S.indptr)
    mutual = np.asarray(P.multiply(P.T).sum(axis=1)).ravel() if n else np.zeros(0)
    total = np.diff(P.indptr) + np.bincount(P.indices, minlength=n)
    with np.errstate(divide="ignore", invalid="ignore"):
        recip = np.where(total > 0, 2.0 * mutual / total, np.nan)
        inv_log = np.where(deg >= 2, 1.0 / np.log(np.maximum(deg, 2)), 0.0)
    AAw = sp.diags_array(inv_log).tocsr() @ S  # row w scaled by 1 / log deg(w)

    # attributes, as integer codes (-1 unknown)
    attr = _resolve_group(G, group)
    district, district_names = (attribute_codes(G, attr) if attr else
                                (np.full(n, -1, dtype=np.int64), []))
    role, role_names = attribute_codes(G, "role")
    years = _experience(G, experience)
    comm = _community_codes(G, nodes, communities, seed)
    M, _, gweight = _membership(groups, pos, n)

    dmax = deg[pool].max() if len(pool) else 0
    standing = np.log1p(deg) / math.log1p(dmax) if dmax > 0 else np.zeros(n)
    mentor_c = w.connected * standing
    mentor_r = w.reciprocity * standing * np.nan_to_num(recip)
    experienced = years >= experienced_min_years
    novice = years <= novice_max_years

    rows: list[dict[str, Any]] = []
    per_block = max(1, _BLOCK // max(len(pool), 1))
    for start in range(0, len(people), per_block):
        block = people[start:start + per_block]
        Sb = S[block]
        common = (Sb @ S)[:, pool].toarray()
        aa = (Sb @ AAw)[:, pool].toarray()
        if M is not None:
            Mb = M[block]
            shared = (Mb @ M.T)[:, pool].toarray()
            gsum = np.minimum((Mb @ sp.diags_array(gweight) @ M.T)[:, pool].toarray(), 1.0)
        else:
            shared = gsum = np.zeros((len(block), len(pool)))
        tied = Sb[:, pool].toarray() > 0
        for r, u in enumerate(block):
            blocked = tied[r] | (pool == u)
            parts = _parts(u, pool, blocked, aa[r], gsum[r], district, role, comm, mentor_c,
                           mentor_r, experienced, novice, prefer_experienced, cross_district, w)
            score = sum(parts.values())
            first = (experienced[pool] & ~blocked) if prefer_experienced and novice[u] else None
            if cross_district and district[u] >= 0:  # other districts first
                other = (district[pool] >= 0) & (district[pool] != district[u]) & ~blocked
                first = other if first is None else first & other
            for rank, j in enumerate(_top(score, blocked, first, k), start=1):
                c = int(pool[j])
                rows.append(_suggestion(
                    G, nodes, u, c, rank, float(score[j]), {p: float(v[j]) for p, v in
                                                            parts.items()},
                    int(common[r, j]), float(aa[r, j]), comm, district, district_names, role,
                    role_names, int(shared[r, j]), groups, deg, recip, years, S, inv_log,
                    cross_district))
    out = pd.DataFrame(rows, columns=list(COLUMNS))
    return out.astype({c: t for c, t in _DTYPES.items()})


_DTYPES = {"rank": "int64", "score": "float64", "common_contacts": "int64",
           "adamic_adar": "float64", "same_community": "bool", "same_district": "bool",
           "shared_groups": "int64", "same_role": "bool", "candidate_contacts": "int64",
           "candidate_reciprocity": "float64", "candidate_experience": "float64"}


def _who_list(who: Iterable[str] | pd.DataFrame) -> list[Any]:
    if isinstance(who, pd.DataFrame):
        if "node" not in who.columns:
            raise OptionError("who: a DataFrame needs a 'node' column (as the watchlist of "
                              "flag_isolation has)")
        who = who["node"].tolist()
    elif isinstance(who, str):
        who = [who]
    return list(dict.fromkeys(who))


def _positions(keys: list[Any], pos: dict[Any, int], what: str) -> np.ndarray:
    unknown = [x for x in keys if x not in pos]
    if unknown:
        shown = ", ".join(repr(x) for x in unknown[:5])
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        raise OptionError(f"{what}: {len(unknown)} node(s) not in the graph: {shown}{more}")
    return np.array([pos[x] for x in keys], dtype=np.int64)


def _resolve_group(G: nx.DiGraph, group: str | None) -> str | None:
    if not group:
        return None
    attr = resolve_attribute(G, group)
    if attr is None and group != "organization":
        alias = ATTRIBUTE_ALIASES.get(group.lower())
        also = f" (nor {alias!r})" if alias else ""
        raise OptionError(f"group: no node has the attribute {group!r}{also}; pass the "
                          "district attribute of the roster, or group=None")
    return attr


def _experience(G: nx.DiGraph, experience: str | None) -> np.ndarray:
    """Years of experience per node (NaN when unknown)."""
    n = G.number_of_nodes()
    if not experience:
        return np.full(n, np.nan)
    if experience == "auto":
        present = set().union(*(d.keys() for _, d in G.nodes(data=True))) if n else set()
        name = next((a for a in EXPERIENCE_ATTRIBUTES if a in present), None)
        if name is None:
            return np.full(n, np.nan)
    else:
        name = experience
        if not any(name in d for _, d in G.nodes(data=True)):
            raise OptionError(f"experience: no node has the attribute {name!r}; pass the "
                              "roster column of years of experience, or experience=None")
    raw = pd.Series([d.get(name) for _, d in G.nodes(data=True)], dtype=object)
    return pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)


def _community_codes(G: nx.DiGraph, nodes: list[Any],
                     communities: Mapping[str, int] | pd.Series | None, seed: int) -> np.ndarray:
    if communities is None:  # as analyze() does: python-louvain, or PLM on a big graph
        engine = engines.resolve_engine("auto", G.number_of_nodes())
        communities = detect(G, method=engines.resolve_communities("auto", engine), seed=seed)
    get = communities.get
    raw = [get(v) for v in nodes]
    keyed = [None if x is None or (isinstance(x, float) and math.isnan(x)) else x for x in raw]
    codes, _ = pd.factorize(pd.Series(keyed, dtype=object), use_na_sentinel=True)
    return np.asarray(codes, dtype=np.int64)


def _membership(groups: Mapping[str, set[str]] | None, pos: dict[Any, int], n: int
                ) -> tuple[sp.csr_array | None, list[str], np.ndarray]:
    """Node x group incidence, group names, and each group's weight ``1 / log2(size)``."""
    if not groups:
        return None, [], np.zeros(0)
    names = sorted({g for v, gs in groups.items() if v in pos for g in gs})
    gpos = {g: i for i, g in enumerate(names)}
    r = [pos[v] for v, gs in groups.items() if v in pos for _ in gs]
    c = [gpos[g] for v, gs in groups.items() if v in pos for g in gs]
    M = sp.csr_array((np.ones(len(r)), (r, c)), shape=(n, len(names)))
    M.sum_duplicates()
    M.data = np.ones_like(M.data)
    size = np.bincount(M.indices, minlength=len(names))
    gweight = np.where(size >= 2, 1.0 / np.log2(np.maximum(size, 2)), 0.0)
    return M, names, gweight


def _parts(u: int, pool: np.ndarray, blocked: np.ndarray, aa: np.ndarray, gsum: np.ndarray,
           district: np.ndarray, role: np.ndarray, comm: np.ndarray, mentor_c: np.ndarray,
           mentor_r: np.ndarray, experienced: np.ndarray, novice: np.ndarray,
           prefer_experienced: bool, cross_district: bool, w: Weights
           ) -> dict[str, np.ndarray]:
    """Each reason's weighted contribution to the score of every candidate of ``pool``
    (``blocked``: the person and those already tied to them, who are never suggested)."""
    top = aa[~blocked].max(initial=0.0)
    parts = {"triad": w.triad * (aa / top if top > 0 else np.zeros_like(aa))}
    d_u, d_c = district[u], district[pool]
    known = (d_u >= 0) & (d_c >= 0)
    same_d = known & (d_c == d_u)
    if cross_district:
        parts["district"] = w.district * ((known & ~same_d).astype(float) - same_d)
    else:
        parts["district"] = w.district * same_d
    parts["community"] = w.community * ((comm[u] >= 0) & (comm[pool] == comm[u]))
    parts["groups"] = w.groups * gsum
    if role[u] >= 0:
        same_r = role[pool] == role[u]
        parts["role"] = w.role * (1.0 - same_r.mean()) * same_r
    else:
        parts["role"] = np.zeros(len(pool))
    parts["connected"] = mentor_c[pool]
    parts["reciprocity"] = mentor_r[pool]
    if prefer_experienced and novice[u]:
        parts["mentoring"] = w.mentoring * experienced[pool]
    return parts


def _top(score: np.ndarray, blocked: np.ndarray, first: np.ndarray | None, k: int
         ) -> list[int]:
    """Positions of the best ``k`` unblocked scores (``first`` ones before the rest), equal
    scores in position order."""
    chosen: list[int] = []
    tiers = [~blocked] if first is None else [first, ~blocked & ~first]
    for ok in tiers:
        need = k - len(chosen)
        if need <= 0:
            break
        idx = np.flatnonzero(ok)
        if idx.size == 0:
            continue
        s = score[idx]
        if idx.size > need:
            cut = np.partition(s, idx.size - need)[idx.size - need]
            keep = s >= cut
            idx, s = idx[keep], s[keep]
        order = np.lexsort((idx, -s))[:need]
        chosen += idx[order].tolist()
    return chosen


def _suggestion(G: nx.DiGraph, nodes: list[Any], u: int, c: int, rank: int, score: float,
                parts: dict[str, float], common: int, aa: float, comm: np.ndarray,
                district: np.ndarray, district_names: list, role: np.ndarray,
                role_names: list, shared: int, groups: Mapping[str, set[str]] | None,
                deg: np.ndarray, recip: np.ndarray, years: np.ndarray, S: sp.csr_array,
                inv_log: np.ndarray, cross_district: bool) -> dict[str, Any]:
    un, cn = nodes[u], nodes[c]
    du, dc = G.nodes[un], G.nodes[cn]
    same_d = bool(district[u] >= 0 and district[u] == district[c])
    same_r = bool(role[u] >= 0 and role[u] == role[c])
    # the reasons, strongest first, each with its numbers
    said: list[tuple[float, str]] = []
    if common:
        nb = np.intersect1d(S.indices[S.indptr[u]:S.indptr[u + 1]],
                            S.indices[S.indptr[c]:S.indptr[c + 1]])
        nb = nb[np.lexsort((np.array([str(nodes[x]) for x in nb]), -inv_log[nb]))]
        labels = [_label(G, nodes[x]) for x in nb[:3]]
        said.append((parts["triad"], f"{_plural(common, 'contact')} in common "
                                     f"({_names(labels, most=3, total=common)})"))
    if parts["district"] > 0:
        name = district_names[district[c]]
        said.append((parts["district"], f"from another district ({name})" if cross_district
                     else f"same district ({name})"))
    if shared and groups:
        both = sorted(set(groups.get(un, ())) & set(groups.get(cn, ())))
        shown = [_group_label(g) for g in both]
        text = (f"both in {_names(shown)}" if shared <= 2 else
                f"{shared} groups in common ({_names(shown, most=3)})")
        said.append((parts["groups"], text))
    if parts["community"] > 0:
        said.append((parts["community"], "same network community"))
    if parts["role"] > 0:
        said.append((parts["role"], f"same role ({role_names[role[c]]})"))
    if deg[c] > 0 and parts["connected"] + parts["reciprocity"] > 0:
        text = f"well connected ({_plural(int(deg[c]), 'contact')})"
        if not np.isnan(recip[c]) and recip[c] > 0:
            text += f" and answers back ({recip[c]:.0%} of ties mutual)"
        said.append((parts["connected"] + parts["reciprocity"], text))
    if parts.get("mentoring", 0) > 0:
        said.append((parts["mentoring"] + 100.0,  # asked for: always said first
                     f"experienced ({_years(years[c])}) for a newcomer ({_years(years[u])}): "
                     "peer mentoring"))
    said = [s for s in said if s[0] > 0]
    said.sort(key=lambda s: -s[0])
    reason = "; ".join(t for _, t in said[:3]) or (
        "also on the roster, not yet connected" if dc.get("on_roster") else "not yet connected")
    return {
        "node": un, "person_id": du.get("person_id"), "name": _label(G, un),
        "organization": du.get("organization"), "rank": rank, "candidate": cn,
        "candidate_name": _label(G, cn), "candidate_organization": dc.get("organization"),
        "score": round(score, 6), "reason": reason, "common_contacts": common,
        "adamic_adar": aa, "same_community": bool(comm[u] >= 0 and comm[u] == comm[c]),
        "same_district": same_d, "shared_groups": shared, "same_role": same_r,
        "candidate_contacts": int(deg[c]), "candidate_reciprocity": float(recip[c]),
        "candidate_experience": float(years[c]),
    }


def _plural(k: int, word: str) -> str:
    return f"{k} {word}{'' if k == 1 else 's'}"


def _years(y: float) -> str:
    y = float(y)
    shown = int(y) if y == int(y) else y
    return f"{shown} year{'' if y == 1 else 's'}"


def _group_label(name: str) -> str:
    """``slack:#general`` reads ``#general (Slack)``; other names as they are."""
    m = re.fullmatch(r"([a-z]+):(#.+)", name)
    return f"{m.group(2)} ({m.group(1).title()})" if m else name


__all__ = ["COLUMNS", "EXPERIENCE_ATTRIBUTES", "Weights", "node_groups",
           "suggest_introductions"]
