"""Pseudonyms and small-group suppression, for reports shared beyond the people who may see names.

A pseudonym is derived from an HMAC of the node key with a per-project salt kept in the store
(:func:`project_salt`), so the same person has the same pseudonym in every report of one
project, and nobody without the store can recompute it from a name or a handle.

Examples
--------
>>> import networkx as nx
>>> G = nx.DiGraph([("roster:P1", "x:9", {"weight": 1.0})])
>>> G.nodes["roster:P1"].update(label="Ann Lee", name="Ann Lee", on_roster=True,
...                             node_type="person", organization="North")
>>> G.nodes["x:9"].update(label="@bo", handle="bo", node_type="account")
>>> G2, _, _ = pseudonymize(G, None, None, salt="s")
>>> sorted(G2.nodes)
['Account 0613', 'Person 2596']
>>> G2.nodes["Person 2596"]["organization"], "handle" in G2.nodes["Account 0613"]
('North', False)
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import networkx as nx
import pandas as pd

from ..errors import PlnError

if TYPE_CHECKING:
    from ..analysis import Analysis
    from ..store import Store

#: Key of the salt in the store's ``pln_meta`` table.
SALT_KEY = "pseudonym_salt"

#: Node attributes a pseudonymized graph keeps (all others, such as names, handles, display
#: names, accounts, e-mail addresses, schools and the roster's own columns, are dropped).
KEPT_NODE_ATTRIBUTES = ("node_type", "platform", "organization", "role", "on_roster", "posts",
                        "traces", "groups", "responded", "degree", "in_degree", "out_degree",
                        "betweenness", "pagerank", "harmonic", "eigenvector", "coreness",
                        "constraint", "community", "component")

#: Identity columns of metrics and watchlist tables that a pseudonym replaces or blanks.
NAME_COLUMNS = ("name", "label")
DROPPED_COLUMNS = ("handle", "display_name", "accounts", "email", "unit")

#: Columns of tables that hold node keys (replaced by the node's pseudonym).
NODE_COLUMNS = ("node", "via", "candidate", "moderator")

#: What a merged small group is called.
SUPPRESSED = "other (suppressed)"


def project_salt(store: Store) -> str:
    """The project's pseudonym salt, created (``secrets.token_hex``) on first use.

    Raises
    ------
    PlnError
        When the store has no salt yet and was opened read-only.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from plnanalytics import Store
    >>> with Store(pathlib.Path(tempfile.mkdtemp()) / "s.duckdb") as s:
    ...     a = project_salt(s)
    ...     a == project_salt(s), len(a)
    (True, 64)
    """
    rows = store.con.execute("SELECT value FROM pln_meta WHERE key = ?", [SALT_KEY]).fetchall()
    if rows:
        return str(rows[0][0])
    salt = secrets.token_hex(32)
    try:
        store.con.execute("INSERT INTO pln_meta VALUES (?, ?)", [SALT_KEY, salt])
    except Exception as exc:  # a read-only connection
        raise PlnError(
            f"{store.path}: no pseudonym salt yet and the store is open read-only; open it "
            "once with writing allowed (e.g. run `pln report --pseudonymize` without other "
            "programs holding the file)") from exc
    return salt


def pseudonyms(G: nx.Graph, *, salt: str) -> dict[Any, str]:
    """Node -> pseudonym: ``Person 0427`` for roster people, ``Account 1234`` for the others.

    Numbers come from an HMAC-SHA256 of the node key; collisions are resolved by taking the
    next free number, in the order of the HMACs, so the result does not depend on node order.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_node("roster:P1", on_roster=True)
    >>> pseudonyms(G, salt="s")
    {'roster:P1': 'Person 2596'}
    """
    width = max(4, len(str(20 * G.number_of_nodes())))
    space = 10 ** width
    digests = {n: hmac.new(salt.encode(), str(n).encode(), hashlib.sha256).hexdigest()
               for n in G}
    taken: dict[str, set[int]] = {"Person": set(), "Account": set()}
    out: dict[Any, str] = {}
    for n in sorted(G, key=lambda n: digests[n]):
        d = G.nodes[n]
        kind = "Person" if d.get("on_roster") or str(n).startswith("roster:") else "Account"
        number = int(digests[n], 16) % space
        while number in taken[kind]:
            number = (number + 1) % space
        taken[kind].add(number)
        out[n] = f"{kind} {number:0{width}d}"
    return out


def real_names(G: nx.Graph) -> dict[str, Any]:
    """Every text that identifies a node (label, name, handle, ``@handle``, display name,
    account keys, e-mail, the key itself) -> that node."""
    names: dict[str, Any] = {}
    for n, d in G.nodes(data=True):
        texts = [str(n), d.get("label"), d.get("name"), d.get("display_name"), d.get("email")]
        for h in (d.get("handle"), d.get("x_handle")):
            if h:
                texts += [str(h), f"@{h}"]
        texts += str(d.get("accounts") or "").split()
        for t in texts:
            if t and isinstance(t, str) and len(t.strip()) > 1:
                names.setdefault(t.strip(), n)
    return names


def replacer(mapping: Mapping[str, str]):
    """A function replacing every key of ``mapping`` found in a text (longest first, whole
    words only) by its value.

    Examples
    --------
    >>> replacer({"Ann Lee": "Person 1", "@ann": "Account 2"})("Ann Lee and @ann; Annie")
    'Person 1 and Account 2; Annie'
    """
    keys = sorted((k for k in mapping if k), key=len, reverse=True)
    if not keys:
        return lambda text: text
    pattern = re.compile(r"(?<![\w@])(?:" + "|".join(map(re.escape, keys)) + r")(?!\w)")

    def replace(text: Any) -> Any:
        if not isinstance(text, str):
            return text
        return pattern.sub(lambda m: mapping[m.group(0)], text)

    return replace


def pseudonymize(
    G: nx.Graph,
    metrics: pd.DataFrame | None,
    flags: pd.DataFrame | None,
    *,
    salt: str,
) -> tuple[nx.Graph, pd.DataFrame | None, pd.DataFrame | None]:
    """Replace every name, handle, account and node key by a stable pseudonym.

    Parameters
    ----------
    G : networkx.Graph
        A graph from :func:`~plnanalytics.graph.build.build_graph` (or an analysed copy).
    metrics, flags : pandas.DataFrame, optional
        The metrics table of :func:`~plnanalytics.analysis.analyze` and the watchlist of
        :func:`~plnanalytics.analysis.isolation.flag_isolation` over ``G`` (or None).
    salt : str
        The project salt (:func:`project_salt`).

    Returns
    -------
    tuple
        The graph with pseudonyms as keys, ``label`` and (for people) ``name``, keeping only
        :data:`KEPT_NODE_ATTRIBUTES`; the metrics and watchlist with ``node``, ``person_id``
        and ``name`` replaced, handles, schools and e-mail blanked, and every real name inside
        the reasons replaced by its pseudonym.

    Examples
    --------
    >>> G = nx.DiGraph([("roster:P1", "roster:P2")])
    >>> G.nodes["roster:P1"].update(label="Ann Lee", name="Ann Lee", on_roster=True)
    >>> G.nodes["roster:P2"].update(label="Bo Diaz", name="Bo Diaz", on_roster=True)
    >>> flags = pd.DataFrame({"node": ["roster:P2"], "person_id": ["P2"], "name": ["Bo Diaz"],
    ...                       "reason": ["Only Ann Lee reaches Bo Diaz."], "via": ["roster:P1"]})
    >>> _, _, f = pseudonymize(G, None, flags, salt="s")
    >>> f.to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
    [{'node': 'Person 5888', 'person_id': 'Person 5888', 'name': 'Person 5888',
      'reason': 'Only Person 2596 reaches Person 5888.', 'via': 'Person 2596'}]
    """
    alias = pseudonyms(G, salt=salt)
    swap = replacer(aliases(G, salt=salt))
    H = G.__class__()
    H.graph.update({k: swap(v) for k, v in G.graph.items()})
    for n, d in G.nodes(data=True):
        kept = {k: d[k] for k in KEPT_NODE_ATTRIBUTES if k in d}
        kept["label"] = alias[n]
        if kept.get("node_type") == "person" or d.get("on_roster"):
            kept["name"] = kept["person_id"] = alias[n]
        H.add_node(alias[n], **kept)
    H.add_edges_from((alias[u], alias[v], dict(e)) for u, v, e in G.edges(data=True))
    return H, _table(metrics, alias, swap), _table(flags, alias, swap)


def pseudonymize_analysis(analysis: Analysis, flags: pd.DataFrame | None, *, salt: str
                          ) -> tuple[Analysis, pd.DataFrame | None]:
    """An analysis (graph, metrics, communities, summary) and its watchlist with every name,
    handle and account replaced by its stable pseudonym, ready for
    :func:`~plnanalytics.report.export.write_analysis` and
    :func:`~plnanalytics.report.export.write_table`.

    Examples
    --------
    >>> from plnanalytics.analysis import analyze
    >>> G = nx.DiGraph([("roster:P1", "roster:P2")])
    >>> G.nodes["roster:P1"].update(label="Ann Lee", name="Ann Lee", on_roster=True)
    >>> G.nodes["roster:P2"].update(label="Bo Diaz", name="Bo Diaz", on_roster=True)
    >>> result, _ = pseudonymize_analysis(analyze(G), None, salt="s")
    >>> "Ann Lee" in result.communities.to_csv() + result.metrics.to_csv()
    False
    """
    G, metrics, watch = pseudonymize(analysis.graph, analysis.metrics, flags, salt=salt)
    swap = replacer({text: alias for text, alias in aliases(analysis.graph, salt=salt).items()})
    communities = analysis.communities.copy()
    for col in ("top_members", "dominant_groups"):
        if col in communities:
            communities[col] = communities[col].map(swap)
    assert metrics is not None
    return replace(analysis, graph=G, metrics=metrics, communities=communities), watch


def aliases(G: nx.Graph, *, salt: str) -> dict[str, str]:
    """Every real name, handle and account text of ``G`` -> the pseudonym of its node."""
    alias = pseudonyms(G, salt=salt)
    return {text: alias[n] for text, n in real_names(G).items()}


def pseudonymize_table(frame: pd.DataFrame, G: nx.Graph, *, salt: str) -> pd.DataFrame:
    """Any table about the nodes of ``G`` (timelines, chat sessions, introductions) with
    their pseudonyms: the node columns :data:`NODE_COLUMNS` become pseudonyms, names and
    labels the row's pseudonym, handles, schools and e-mail are blanked, and every real name
    inside a text is replaced.

    Examples
    --------
    >>> G = nx.DiGraph([("roster:P1", "roster:P2")])
    >>> G.nodes["roster:P1"].update(label="Ann Lee", on_roster=True)
    >>> G.nodes["roster:P2"].update(label="Bo Diaz", on_roster=True)
    >>> t = pd.DataFrame({"node": ["roster:P1"], "candidate": ["roster:P2"],
    ...                   "candidate_name": ["Bo Diaz"], "reason": ["Bo Diaz answers back"]})
    >>> pseudonymize_table(t, G, salt="s").to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
    [{'node': 'Person 2596', 'candidate': 'Person 5888', 'candidate_name': 'Person 5888',
      'reason': 'Person 5888 answers back'}]
    """
    return _table(frame, pseudonyms(G, salt=salt), replacer(aliases(G, salt=salt)))


def _table(frame: pd.DataFrame | None, alias: Mapping[Any, str], swap) -> pd.DataFrame | None:
    if frame is None:
        return None
    out = frame.copy()
    has_node = "node" in out
    for col in NODE_COLUMNS:
        if col in out:
            out[col] = out[col].map(lambda v: alias.get(v, v) if isinstance(v, str) else v)
    if has_node:
        for col in ("person_id", *NAME_COLUMNS):
            if col in out:
                out[col] = out["node"].where(out[col].notna(), None)
    for col in DROPPED_COLUMNS:
        if col in out:
            out[col] = None
    for col in out.columns:
        if col not in NODE_COLUMNS and (out[col].dtype == object
                                           or pd.api.types.is_string_dtype(out[col])):
            out[col] = out[col].map(swap)
    return out


def scrub(values: Iterable[Any], swap) -> list[Any]:
    """``values`` with every real name replaced (see :func:`replacer`)."""
    return [swap(v) for v in values]


def suppress_small_groups(table: pd.DataFrame, column: str, *, min_group: int,
                          count: str = "count") -> pd.DataFrame:
    """Merge the rows of a breakdown whose group is smaller than ``min_group``.

    Rows of ``table`` (one per group in ``column``, sized by ``count``) below ``min_group``
    are merged into one row ``other (suppressed)`` whose numeric columns are summed; a
    merged row still below ``min_group`` shows its counts as ``fewer than N``.
    ``min_group <= 1`` leaves the table as it is.

    Examples
    --------
    >>> t = pd.DataFrame({"district": ["North", "South", "East"], "count": [12, 3, 1],
    ...                   "flagged": [2, 1, 0]})
    >>> suppress_small_groups(t, "district", min_group=5).to_dict("list")
    {'district': ['North', 'other (suppressed)'], 'count': [12, 'fewer than 5'], \
'flagged': [2, 'fewer than 5']}
    """
    if min_group <= 1 or table.empty:
        return table.copy()
    small = table[count] < min_group
    big = table[~small].copy()
    if not small.any():
        return big.reset_index(drop=True)
    numeric = [c for c in table.columns if c != column and pd.api.types.is_numeric_dtype(
        table[c])]
    merged = {c: table.loc[small, c].sum() for c in numeric}
    merged[column] = SUPPRESSED
    rows = pd.DataFrame([merged], columns=table.columns)
    out = pd.concat([big.astype(object), rows.astype(object)], ignore_index=True)
    if merged.get(count, 0) < min_group:
        for c in numeric:
            out.loc[out.index[-1], c] = f"fewer than {min_group}"
    return out
