"""Compute engines: which library runs the graph algorithms, and the compiled (networkit) ones.

Two engines compute the metrics of :mod:`plnanalytics.analysis`:

- ``"networkx"``: our numpy/scipy implementations, each equal to the networkx function its
  docstring names, and python-louvain for communities. Exact and the reference everywhere.
- ``"networkit"``: networkit's compiled (C++/OpenMP) algorithms, for large graphs. Every
  function here takes the integer-coded sparse matrices of :mod:`plnanalytics.graph.arrays`
  (positions follow ``list(G.nodes)``), converts them once with :func:`to_networkit` and
  returns numpy arrays in the same positions. Exact algorithms (PageRank at a tight
  tolerance, exact betweenness, harmonic closeness, coreness, clustering, components) give
  the networkx engine's results within floating-point rounding.

``"auto"`` picks networkx below :data:`AUTO_MIN_NODES` nodes (so small graphs give exactly
the results they always gave) and networkit from there on.

Randomized networkit steps (sampled betweenness, PLM and Leiden communities) run without
OpenMP parallelism, with ``networkit.setSeed(seed, False)`` (:func:`seeded`): with several
OpenMP threads their result depends on scheduling, so pinning one thread makes the same seed
give the same result (the two directions of sampled betweenness run side by side in two
threads of their own, each sequential and seeded alike). Deterministic parallel steps
(the breadth-first searches of harmonic closeness) use every core.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import scipy.sparse as sp

from ..errors import OptionError

__all__ = [
    "AUTO_MIN_NODES",
    "COMMUNITY_METHODS",
    "ENGINES",
    "NETWORKIT_K",
    "betweenness",
    "clustering",
    "communities",
    "components",
    "coreness",
    "default_k",
    "harmonic_sums",
    "pagerank",
    "resolve_communities",
    "resolve_engine",
    "seeded",
    "to_networkit",
]

#: Engines that compute the metrics (``"auto"`` chooses one of them by size).
ENGINES: tuple[str, ...] = ("networkx", "networkit")

#: Community detection methods: python-louvain, networkit's PLM (Louvain with refinement) and
#: networkit's parallel Leiden (``"auto"`` chooses louvain or plm with the engine).
COMMUNITY_METHODS: tuple[str, ...] = ("louvain", "plm", "leiden")

#: Smallest graph (in nodes) that ``engine="auto"`` sends to networkit. Below it the numpy
#: engine takes at most a few seconds for the whole metric set and python-louvain about as
#: long, and results stay exactly what they were; from about 20,000 nodes python-louvain
#: alone takes tens of seconds and sampled betweenness needs more sources than numpy
#: searches afford, while networkit does both in well under a second per 100,000 ties.
AUTO_MIN_NODES = 20_000

#: Most sampled sources networkit's betweenness estimate uses by default (the networkx engine
#: samples :data:`plnanalytics.analysis.centrality.DEFAULT_K`). On a 20,000-node chat graph
#: with 84,000 arcs the budget gives 1,190 sources, and 1,000 already made the estimated top
#: 100 overlap the exact top 100 by 92-95% over five seeds (1,500: 94-97%; see
#: :func:`betweenness`); a sparser one (52,000 arcs, a flatter top) needs about 2,000.
NETWORKIT_K = 2000

#: Work budget of the default betweenness sample, in sources x arcs: every source costs a
#: search of the whole graph (about 0.1 s per source at 2 million arcs on one core), so the
#: default sample shrinks as graphs grow: 2,000 sources up to 50,000 arcs, 1,190 at 84,000,
#: 240 at 417,000, :data:`MIN_K` from 2 million. Pass ``k`` for more.
BETWEENNESS_WORK = 100_000_000

#: Work budget of the default harmonic-closeness sample (sources x arcs), at most
#: :data:`plnanalytics.analysis.centrality.DEFAULT_K` sources. Closeness averages bounded
#: terms, so it needs far fewer sources than betweenness for the same precision.
HARMONIC_WORK = 50_000_000

#: Fewest sources a default sample has.
MIN_K = 50

#: Bound on the entries of one dense block of distances (sources x nodes) in
#: :func:`harmonic_sums`.
_DISTANCE_BLOCK = 8_000_000


def _choice(kind: str, name: str, choices: tuple[str, ...]) -> str:
    key = str(name).strip().lower()
    if key not in choices:
        raise OptionError(f"unknown {kind} {name!r}: choose one of {', '.join(choices)}")
    return key


def resolve_engine(name: str, n_nodes: int) -> str:
    """The engine that runs: ``name`` itself, or for ``"auto"`` the one fit for the size.

    Parameters
    ----------
    name : str
        ``"auto"``, ``"networkx"`` or ``"networkit"`` (case-insensitive).
    n_nodes : int
        Number of nodes of the graph.

    Returns
    -------
    str
        ``"networkx"`` or ``"networkit"``.

    Raises
    ------
    plnanalytics.errors.OptionError
        For an unknown name; the message lists the choices.

    Examples
    --------
    >>> resolve_engine("auto", 100), resolve_engine("auto", AUTO_MIN_NODES)
    ('networkx', 'networkit')
    >>> resolve_engine("NetworKit", 10)
    'networkit'
    >>> resolve_engine("igraph", 10)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    plnanalytics.errors.OptionError: unknown engine 'igraph': choose one of auto, networkx, ...
    """
    key = _choice("engine", name, ("auto", *ENGINES))
    if key == "auto":
        return "networkit" if n_nodes >= AUTO_MIN_NODES else "networkx"
    return key


def resolve_communities(name: str, engine: str) -> str:
    """The community method that runs: ``name``, or for ``"auto"`` the engine's Louvain.

    ``"auto"`` is python-louvain (``"louvain"``) with the networkx engine and networkit's PLM
    (``"plm"``) with the networkit engine.

    Examples
    --------
    >>> resolve_communities("auto", "networkx"), resolve_communities("auto", "networkit")
    ('louvain', 'plm')
    >>> resolve_communities("Leiden", "networkx")
    'leiden'
    >>> resolve_communities("walktrap", "networkx")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    plnanalytics.errors.OptionError: unknown community method 'walktrap': choose one of auto, ...
    """
    key = _choice("community method", name, ("auto", *COMMUNITY_METHODS))
    if key == "auto":
        return "plm" if _choice("engine", engine, ENGINES) == "networkit" else "louvain"
    return key


def default_k(arcs: int, work: int, most: int) -> int:
    """Default number of sampled sources: ``work // arcs``, between :data:`MIN_K` and ``most``.

    Examples
    --------
    >>> default_k(84_000, BETWEENNESS_WORK, 1000), default_k(2_000_000, BETWEENNESS_WORK, 1000)
    (1000, 50)
    """
    return int(min(max(work // max(int(arcs), 1), MIN_K), most))


@contextmanager
def _threads(count: int) -> Iterator[None]:
    """Run networkit with ``count`` threads, restoring the previous count on exit."""
    import networkit as nk

    before = nk.getCurrentNumberOfThreads()
    nk.setNumberOfThreads(max(1, int(count)))
    try:
        yield
    finally:
        nk.setNumberOfThreads(before)


def to_networkit(A: sp.csr_array, *, directed: bool, weighted: bool) -> Any:
    """A networkit graph with the ties of a square sparse matrix (node ``i`` is position ``i``).

    Parameters
    ----------
    A : scipy.sparse.csr_array
        Adjacency matrix without self-loops; entry ``(i, j)`` is the tie ``i -> j`` and its
        weight. For ``directed=False`` it must be symmetric: each tie is read once, from the
        upper triangle.
    directed : bool
        Build a directed graph (every stored entry an arc) or an undirected one.
    weighted : bool
        Keep the entries as edge weights (else every edge weighs 1).

    Returns
    -------
    networkit.Graph

    Examples
    --------
    >>> A = sp.csr_array(np.array([[0.0, 2.0, 0.0], [2.0, 0.0, 1.0], [0.0, 1.0, 0.0]]))
    >>> g = to_networkit(A, directed=False, weighted=True)
    >>> g.numberOfNodes(), g.numberOfEdges(), g.totalEdgeWeight()
    (3, 2, 3.0)
    >>> to_networkit(A, directed=True, weighted=False).numberOfEdges()
    4
    """
    import networkit as nk

    M = sp.csr_matrix(A if directed else sp.triu(A, k=1, format="csr"))
    M.sort_indices()
    if not weighted:
        M = M.copy()
        M.data = np.ones_like(M.data)
    return nk.GraphFromCsr(M.astype(np.float64), directed=directed, weighted=weighted)


def _graph(graph: Any, A: sp.csr_array, *, directed: bool) -> Any:
    """``graph`` when given (the caller's conversion of ``A``), else a new unweighted one."""
    return to_networkit(A, directed=directed, weighted=False) if graph is None else graph


@contextmanager
def seeded(seed: int | None) -> Iterator[None]:
    """Run networkit single-threaded with its random generators seeded by ``seed``.

    The previous thread count is restored on exit. ``seed=None`` seeds with 0.

    Examples
    --------
    >>> import networkit as nk
    >>> before = nk.getCurrentNumberOfThreads()
    >>> with seeded(3):
    ...     nk.getCurrentNumberOfThreads()
    1
    >>> nk.getCurrentNumberOfThreads() == before
    True
    """
    import networkit as nk

    threads = nk.getCurrentNumberOfThreads()
    nk.setSeed(int(seed or 0) % (2**63), False)
    nk.setNumberOfThreads(1)
    try:
        yield
    finally:
        nk.setNumberOfThreads(threads)


# ------------------------------------------------------------------------------ centrality
# Each function converts its matrix with to_networkit unless ``graph`` hands it that
# conversion already (unweighted; directed for A, undirected for a symmetric S), so that a
# caller computing several measures converts once.
def pagerank(
    A: sp.csr_array, *, alpha: float = 0.85, tol: float = 1e-12, max_iter: int = 10_000
) -> np.ndarray:
    """Weighted PageRank with networkx's semantics, by networkit's power iteration.

    Nodes without out-ties (dangling) spread their rank evenly over all nodes, as in
    ``nx.pagerank``. Iterates until the L1 change of the rank vector is below ``tol``: far
    tighter than networkx's ``n * 1e-6``, which loosens as graphs grow.

    Parameters
    ----------
    A : scipy.sparse.csr_array
        Weighted adjacency matrix (entry ``(i, j)`` is the weight of ``i -> j``), no
        self-loops.
    alpha : float, default 0.85
        Damping factor.
    tol : float, default 1e-12
        Stopping tolerance on the L1 change.
    max_iter : int, default 10000
        Iteration limit.

    Returns
    -------
    numpy.ndarray
        The ranks, summing to 1.

    Examples
    --------
    >>> A = sp.csr_array(np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [1.0, 0.0, 0.0]]))
    >>> pagerank(A).round(4).tolist()
    [0.4865, 0.4635, 0.05]
    """
    import networkit as nk

    n = A.shape[0]
    if n == 0:
        return np.zeros(0)
    g = to_networkit(A, directed=True, weighted=True)
    algo = nk.centrality.PageRank(
        g, damp=alpha, tol=tol, distributeSinks=nk.centrality.SinkHandling.DistributeSinks
    )
    algo.norm = nk.centrality.Norm.L1_NORM
    algo.maxIterations = max_iter
    algo.run()
    x = np.asarray(algo.scores(), dtype=float)
    return x / x.sum()


def betweenness(
    A: sp.csr_array, *, k: int | None = None, seed: int | None = 0, graph: Any = None
) -> np.ndarray:
    """Normalized directed betweenness, exact or estimated from ``k`` sampled sources.

    Exact (``k`` None): networkit's Brandes algorithm, scaled by ``1 / ((n - 1)(n - 2))`` as
    ``nx.betweenness_centrality(G, normalized=True)``.

    Sampled: Geisberger, Sanders and Schultes' linear scaling, unbiased on directed graphs.
    networkit's ``EstimateBetweenness`` weighs the dependency of a node ``v`` on a pair
    ``(s, t)`` by ``d(s, v) / d(s, t)`` (searches go forward from the sources only), which on a
    directed graph over-rates nodes near the targets: on a 20,000-node chat graph its top 100
    never overlapped the exact top 100 by more than 88%, however many sources. Running it
    also on the reversed graph weighs the same dependency by ``d(v, t) / d(s, t)``; the mean
    of both runs weighs it by 1, which is unbiased, and keeps linear scaling's low variance
    (92-95% overlap there over five seeds with 1,000 sources, 94-97% with 1,500, against
    91-92% for plain source sampling with 1,000). Each direction samples ``ceil(k / 2)``
    nodes, drawn by networkit's generator seeded with ``seed``; the two runs are sequential,
    side by side in two threads that start from the same seed, so they draw the same nodes
    (sources forward, targets backward) and the same seed gives the same result.

    Parameters
    ----------
    A : scipy.sparse.csr_array
        Adjacency matrix (weights ignored), no self-loops. A symmetric matrix gives
        undirected betweenness.
    k : int, optional
        Number of sampled sources (both directions together); None for the exact result.
    seed : int, optional
        Seed of the sample.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> A = sp.csr_array(np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, 0.0]]))
    >>> betweenness(A).tolist()
    [0.0, 0.5, 0.0]
    >>> bool(np.array_equal(betweenness(A, k=4, seed=1), betweenness(A, k=4, seed=1)))
    True
    """
    import networkit as nk

    n = A.shape[0]
    if n < 3 or A.nnz == 0:
        return np.zeros(n)
    scale = 1.0 / ((n - 1) * (n - 2))
    g = _graph(graph, A, directed=True)
    if k is None:
        raw = nk.centrality.Betweenness(g, normalized=False).run().scores()
        return np.asarray(raw, dtype=float) * scale
    if k < 1:
        raise ValueError(f"k must be a positive number of sources, got {k}")
    half = (int(k) + 1) // 2
    back = to_networkit(sp.csr_array(A.T), directed=True, weighted=False)

    def estimate(graph: Any) -> np.ndarray:
        algo = nk.centrality.EstimateBetweenness(graph, half, normalized=False, parallel=False)
        return np.asarray(algo.run().scores(), dtype=float)

    # Both directions at once, each sequential in a new thread of its own (networkit releases
    # the GIL). networkit's generators are per thread and a new thread's starts from the
    # global seed, so the result does not depend on scheduling (a pool could run both runs
    # on one thread, the second continuing the first's random stream).
    results: dict[int, np.ndarray] = {}

    def work(i: int, graph: Any) -> None:
        results[i] = estimate(graph)

    with seeded(seed):
        threads = [threading.Thread(target=work, args=(i, gr)) for i, gr in enumerate((g, back))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    if len(results) < 2:  # pragma: no cover - a failed run (its error went to the thread)
        raise RuntimeError("networkit's betweenness estimate failed")
    forward, backward = results[0], results[1]
    return (forward + backward) * (scale / 2.0)


def harmonic_sums(A: sp.csr_array, sources: np.ndarray, *, graph: Any = None) -> np.ndarray:
    """``sum_{s in sources, s != v} 1 / d(s, v)`` for every node ``v`` (unweighted distances).

    Breadth-first searches from the sources in networkit (``SPSP``, on every core: each
    search is independent and the sums are taken in numpy, so the result does not depend on
    the number of threads), a block of sources at a time.

    Examples
    --------
    >>> A = sp.csr_array(np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, 0.0]]))
    >>> harmonic_sums(A, np.arange(3)).tolist()
    [0.0, 1.0, 1.5]
    """
    import networkit as nk

    n = A.shape[0]
    total = np.zeros(n)
    if n == 0 or A.nnz == 0 or len(sources) == 0:
        return total
    g = _graph(graph, A, directed=True)
    size = max(1, _DISTANCE_BLOCK // n)
    src = [int(s) for s in sources]
    for i in range(0, len(src), size):
        algo = nk.distance.SPSP(g, src[i : i + size])
        with _threads(nk.getMaxNumberOfThreads()):
            algo.run()
        d = algo.getDistances(asarray=True)
        reached = (d > 0) & (d <= n)  # unreachable is the largest double
        inv = np.zeros_like(d)
        np.divide(1.0, d, out=inv, where=reached)
        total += inv.sum(axis=0)
    return total


def coreness(S: sp.csr_array, *, graph: Any = None) -> np.ndarray:
    """Core numbers of the undirected graph of a symmetric pattern (networkit CoreDecomposition).

    Examples
    --------
    >>> S = sp.csr_array(np.array([[0, 1, 1, 1], [1, 0, 1, 0], [1, 1, 0, 0], [1, 0, 0, 0.0]]))
    >>> coreness(S).tolist()
    [2, 2, 2, 1]
    """
    import networkit as nk

    if S.shape[0] == 0 or S.nnz == 0:
        return np.zeros(S.shape[0], dtype=np.int64)
    g = _graph(graph, S, directed=False)
    scores = nk.centrality.CoreDecomposition(g).run().scores()
    return np.rint(np.asarray(scores, dtype=float)).astype(np.int64)


def clustering(S: sp.csr_array, *, graph: Any = None) -> np.ndarray:
    """Local clustering coefficients of the undirected graph of a symmetric pattern.

    0 for nodes with fewer than two neighbours, as ``nx.clustering``.

    Examples
    --------
    >>> S = sp.csr_array(np.array([[0, 1, 1, 1], [1, 0, 1, 0], [1, 1, 0, 0], [1, 0, 0, 0.0]]))
    >>> clustering(S).round(4).tolist()
    [0.3333, 1.0, 1.0, 0.0]
    """
    import networkit as nk

    if S.shape[0] == 0 or S.nnz == 0:
        return np.zeros(S.shape[0])
    g = _graph(graph, S, directed=False)
    scores = nk.centrality.LocalClusteringCoefficient(g, turbo=True).run().scores()
    return np.asarray(scores, dtype=float)


def components(A: sp.csr_array, *, graph: Any = None) -> np.ndarray:
    """Weakly connected component label of every node (labels arbitrary, 0-based).

    Examples
    --------
    >>> A = sp.csr_array(np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]))
    >>> labels = components(A)
    >>> bool(labels[0] == labels[1]), bool(labels[0] == labels[2])
    (True, False)
    """
    import networkit as nk

    n = A.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    g = _graph(graph, A, directed=True)
    algo = nk.components.WeaklyConnectedComponents(g)
    algo.run()
    raw = np.asarray(algo.getPartition().getVector(), dtype=np.int64)
    return np.unique(raw, return_inverse=True)[1].astype(np.int64)


# ----------------------------------------------------------------------------- communities
def communities(
    W: sp.csr_array, *, method: str = "plm", seed: int | None = 0, resolution: float = 1.0
) -> np.ndarray:
    """Community labels of the undirected weighted graph of a symmetric matrix.

    ``"plm"`` is networkit's Louvain (PLM with the refinement phase), ``"leiden"`` its
    ParallelLeiden; both maximize modularity with resolution ``gamma = resolution``, on one
    thread with networkit seeded by ``seed`` (:func:`seeded`). The result depends on the node
    order of ``W``: callers that want it independent of insertion order order the nodes
    canonically first (as :func:`plnanalytics.analysis.communities.louvain` does).

    Parameters
    ----------
    W : scipy.sparse.csr_array
        Symmetric weighted adjacency matrix, no self-loops.
    method : {"plm", "leiden"}
    seed : int, optional
    resolution : float, default 1.0

    Returns
    -------
    numpy.ndarray
        Raw integer labels (not renumbered); isolates each get a label of their own.

    Examples
    --------
    >>> W = sp.csr_array(np.kron(np.eye(2), np.ones((3, 3)) - np.eye(3)))
    >>> labels = communities(W, method="plm", seed=0)
    >>> len(set(labels[:3].tolist())), len(set(labels[3:].tolist())), bool(labels[0] != labels[3])
    (1, 1, True)
    """
    import networkit as nk

    key = _choice("community method", method, ("plm", "leiden"))
    n = W.shape[0]
    if n == 0 or W.nnz == 0:
        return np.arange(n, dtype=np.int64)
    g = to_networkit(W, directed=False, weighted=True)
    with seeded(seed):
        if key == "plm":
            algo = nk.community.PLM(g, refine=True, gamma=float(resolution), par="none randomized")
        else:
            algo = nk.community.ParallelLeiden(g, randomize=True, gamma=float(resolution))
        algo.run()
        raw = np.asarray(algo.getPartition().getVector(), dtype=np.int64)
    # isolates: networkit leaves them as singletons already, but make it explicit
    deg = np.diff(sp.csr_array(W).indptr)
    lonely = np.flatnonzero(deg == 0)
    if lonely.size:
        raw = raw.copy()
        raw[lonely] = raw.max() + 1 + np.arange(lonely.size)
    return raw
