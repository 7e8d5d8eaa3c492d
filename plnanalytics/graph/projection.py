"""Person-person ties from shared groups: the co-membership projection and its backbones.

Principals who sit on the same committee, PLC or cohort may know each other. Given who
belongs to which group (the ``memberships`` table), :func:`comember_ties` links every two
members who share a group, weighted by how many groups they share (or by Newman's
weighting), and can keep only the ties a statistical backbone finds significant.

Everything is computed with a sparse member x group incidence matrix ``B``: the number of
groups two members share is ``(B @ B.T)[i, j]``, and only its upper triangle is kept. No
Python loop runs over pairs of members.

Backbones
    A projection is dense by construction: a group of 40 links 780 pairs, and one big group
    (an all-district list) links everyone. Two backbones keep the ties that say more than
    the groups' sizes do:

    ``disparity``
        The disparity filter of Serrano, Boguñá & Vespignani (2009) on the weighted
        projection. For a tie ``i - j`` of weight ``w_ij`` and an end ``i`` with degree
        ``k_i`` and strength ``s_i`` (sum of its tie weights),
        ``alpha_ij = (1 - w_ij / s_i) ** (k_i - 1)``: the chance that a tie holds so much of
        ``i``'s strength when ``i``'s strength is split at random among its ``k_i`` ties. A
        tie is kept when ``alpha_ij < alpha`` at either end; its ``p_value`` is the smaller
        of the two (an end with one tie gives 1).
    ``sdsm``
        The stochastic degree sequence model (Neal 2014), with the bipartite configuration
        model (BiCM; Saracco et al. 2015) as its null model, as in the R package backbone
        (Neal 2022). The BiCM gives each membership the probability
        ``p_ia = x_i y_a / (1 + x_i y_a)``, with ``x`` and ``y`` fitted so that every member's
        expected number of groups and every group's expected size equal the observed ones
        (maximum entropy given the two degree sequences; :func:`bicm`). Under it the number
        of groups members ``i`` and ``j`` share is Poisson-binomial with probabilities
        ``q_a = p_ia p_ja`` over the groups ``a``. A tie's ``p_value`` is the upper tail
        ``P(X >= observed)``, from the refined normal approximation (Volkova 1996; Hong 2013)
        used by backbone::

            mu = sum q,  sigma^2 = sum q (1 - q),  gamma = sum q (1 - q) (1 - 2q)
            x = (observed - 1 + 0.5 - mu) / sigma
            P(X >= observed) = 1 - Phi(x) - gamma / (6 sigma^3) (1 - x^2) phi(x)

        clipped to [0, 1]. The moments are matrix products (``sum q = P P^T``,
        ``sum q^2 = P2 P2^T``, ``sum q^3 = P3 P3^T`` with ``P2 = P**2``, ``P3 = P**3``),
        evaluated only for pairs sharing at least one group. Members with the same number of
        groups have the same BiCM probabilities (and likewise groups of the same size), so
        the fit and the products work on the distinct degrees only, not on every member.
        A tie is kept when ``p_value < alpha`` (one-tailed: ties stronger than chance).

    No multiple-test correction is applied: ``alpha`` is per tie.

Why here
    No maintained Python package offers this in a form that fits: ``netbone`` (0.2.3, June
    2024, not updated since) filters weighted graphs rather than projections of bipartite
    incidence, and the ``bicm`` package (3.4.0, May 2025) fits the BiCM but would add a
    dependency for what is about a hundred lines of numpy here. The R package backbone is
    the reference implementation; the BiCM probabilities of its unit test are reproduced in
    this package's tests. The refined normal approximation is what backbone uses; it is
    poor for pairs sharing one group when few are expected (off by up to about 0.1 around
    ``alpha`` in sparse data), so the tail is computed exactly by default
    (``sdsm_method="rna"`` gives backbone's approximation).

References
    Neal, Z. P. (2014). The backbone of bipartite projections: Inferring relationships from
    co-authorship, co-sponsorship, co-attendance and other co-behaviors. *Social Networks*,
    39, 84-97. doi:10.1016/j.socnet.2014.06.001

    Neal, Z. P. (2022). backbone: An R package to extract network backbones. *PLOS ONE*, 17,
    e0269137. doi:10.1371/journal.pone.0269137

    Newman, M. E. J. (2001). Scientific collaboration networks. II. Shortest paths, weighted
    networks, and centrality. *Physical Review E*, 64, 016132.

    Saracco, F., Di Clemente, R., Gabrielli, A., & Squartini, T. (2015). Randomizing
    bipartite networks: the case of the World Trade Web. *Scientific Reports*, 5, 10595.
    doi:10.1038/srep10595

    Serrano, M. Á., Boguñá, M., & Vespignani, A. (2009). Extracting the multiscale backbone
    of complex weighted networks. *PNAS*, 106(16), 6483-6488. doi:10.1073/pnas.0808904106

    Volkova, A. Y. (1996). A refinement of the central limit theorem for sums of
    independent random indicators. *Theory of Probability and its Applications*, 40(4),
    791-794. Hong, Y. (2013). On computing the distribution function for the Poisson
    binomial distribution. *Computational Statistics & Data Analysis*, 59, 41-51.

Examples
--------
>>> import pandas as pd
>>> m = pd.DataFrame({"member": ["ann", "bo", "cy", "ann", "bo", "di"],
...                   "group": ["PLC 1", "PLC 1", "PLC 1", "Mentors", "Mentors", "Mentors"]})
>>> comember_ties(m)
     u   v  shared  weight          groups
0  ann  bo       2     2.0  Mentors; PLC 1
1  ann  cy       1     1.0           PLC 1
2  ann  di       1     1.0         Mentors
3   bo  cy       1     1.0           PLC 1
4   bo  di       1     1.0         Mentors
>>> comember_ties(m, weighting="newman")["weight"].tolist()
[1.0, 0.5, 0.5, 0.5, 0.5]
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.special import expit
from scipy.stats import binom, norm

from ..errors import OptionError, PlnError, SchemaError
from .arrays import entry_rows, pair_keys

#: Tie weightings: the number of shared groups, or Newman's 1/(n-1) per shared group.
WEIGHTINGS = ("count", "newman")
#: Backbones: none, the disparity filter, or the stochastic degree sequence model.
BACKBONES = (None, "disparity", "sdsm")
#: How the SDSM's Poisson-binomial upper tail is computed.
SDSM_METHODS = ("rna", "exact")
#: Group names listed per tie; more are summarized as "and N more".
MAX_GROUP_NAMES = 5
#: Most (pair, group) incidences examined at once when naming the groups of ties.
PAIR_CHUNK = 4_000_000
#: Fixed-point sweeps of the BiCM fit before Newton's method takes over.
FIXED_POINT_SWEEPS = 500

__all__ = ["BACKBONES", "SDSM_METHODS", "WEIGHTINGS", "ConvergenceError",
           "affiliation_summary", "bicm", "comember_ties", "incidence", "rna_upper"]


class ConvergenceError(PlnError):
    """The BiCM fit did not converge (the degree sequences leave it no interior solution)."""


# -- the incidence matrix ---------------------------------------------------------------------

def incidence(memberships: pd.DataFrame) -> tuple[sp.csr_array, pd.Index, pd.Index]:
    """The member x group incidence matrix of a memberships table.

    Parameters
    ----------
    memberships : pandas.DataFrame
        Columns ``member`` and ``group`` (other columns are ignored); values are read as
        strings and repeated pairs count once.

    Returns
    -------
    B : scipy.sparse.csr_array
        ``B[i, a] = 1`` when member ``i`` belongs to group ``a`` (int64, sorted indices).
    members, groups : pandas.Index
        Row and column labels, each sorted as strings.

    Raises
    ------
    SchemaError
        When a column is missing or holds missing values.

    Examples
    --------
    >>> B, members, groups = incidence(pd.DataFrame(
    ...     {"member": ["b", "a", "a", "a"], "group": ["G1", "G1", "G2", "G2"]}))
    >>> B.toarray().tolist(), list(members), list(groups)
    ([[1, 1], [1, 0]], ['a', 'b'], ['G1', 'G2'])
    """
    if not isinstance(memberships, pd.DataFrame):
        raise SchemaError("memberships: expected a pandas DataFrame with columns member, group; "
                          f"got {type(memberships).__name__}")
    missing = [c for c in ("member", "group") if c not in memberships.columns]
    if missing:
        raise SchemaError(f"memberships: missing column(s) {', '.join(missing)} (expected "
                          "member, group)")
    cols: list[np.ndarray] = []
    for name in ("member", "group"):
        s = memberships[name]
        if s.isna().any():
            row = int(np.flatnonzero(s.isna().to_numpy())[0])
            raise SchemaError(f"memberships.{name}: missing value in row {row}")
        cols.append(s.astype(str).to_numpy(dtype=object))
    mcodes, members = pd.factorize(cols[0], sort=True)
    gcodes, groups = pd.factorize(cols[1], sort=True)
    shape = (len(members), len(groups))
    data = np.ones(len(mcodes), dtype=np.int64)
    B = sp.csr_array((data, (mcodes, gcodes)), shape=shape)
    B.sum_duplicates()
    B.data[:] = 1  # a repeated pair counts once
    B.sort_indices()
    return (B, pd.Index(members, name="member", dtype=object),
            pd.Index(groups, name="group", dtype=object))


# -- the projection -------------------------------------------------------------------------

def comember_ties(memberships: pd.DataFrame, *, weighting: str = "count",
                  backbone: str | None = None, alpha: float = 0.05,
                  min_shared: int = 1, sdsm_method: str = "exact") -> pd.DataFrame:
    """Undirected person-person ties between members who share groups.

    Parameters
    ----------
    memberships : pandas.DataFrame
        Columns ``member`` (already resolved to graph nodes) and ``group``; other columns are
        ignored and repeated pairs count once.
    weighting : {"count", "newman"}
        ``count``: the weight is the number of groups shared. ``newman``: each shared group of
        ``n`` members adds ``1 / (n - 1)`` (Newman 2001), so a pair in a group of three gets
        more than a pair in a group of thirty; a member's ties from one group sum to 1.
    backbone : {None, "disparity", "sdsm"}
        Keep only ties significant at ``alpha`` under the disparity filter (on the weighted
        projection) or the stochastic degree sequence model (on the incidence matrix; the
        weighting does not change it). See the module documentation.
    alpha : float
        Significance level of the backbone, in (0, 1).
    min_shared : int
        Drop pairs sharing fewer groups (applied after the backbone test, which sees the
        whole projection).
    sdsm_method : {"exact", "rna"}
        How the SDSM's Poisson-binomial tail is computed: exactly, by convolution (the
        default; cheap, since members with equal degrees share their distribution), or by
        the refined normal approximation R's backbone uses, which is poor for pairs sharing
        one group when few are expected (errors up to about 0.1 near ``alpha`` in sparse
        data, always conservative).

    Returns
    -------
    pandas.DataFrame
        One row per tie, sorted by ``u`` then ``v``, with ``u < v`` (as strings): ``shared``
        (groups in common), ``weight``, ``groups`` (their names, sorted, joined by ``"; "``;
        after five, ``"and N more"``) and, with a backbone, ``p_value``.

    Raises
    ------
    OptionError
        For an unknown weighting or backbone, or ``alpha`` or ``min_shared`` out of range.
    SchemaError
        When ``member`` or ``group`` is missing or has missing values.
    ConvergenceError
        When the SDSM's BiCM cannot be fitted.

    Examples
    --------
    >>> m = pd.DataFrame({"member": list("aabbcd"), "group": ["G1", "G2", "G1", "G2", "G1",
    ...                                                        "G3"]})
    >>> comember_ties(m, min_shared=2)[["u", "v", "shared", "groups"]]
       u  v  shared  groups
    0  a  b       2  G1; G2
    """
    if weighting not in WEIGHTINGS:
        raise OptionError(f"weighting {weighting!r} is not one of {', '.join(WEIGHTINGS)}")
    if backbone not in BACKBONES:
        raise OptionError(f"backbone {backbone!r} is not one of none, disparity, sdsm")
    if sdsm_method not in SDSM_METHODS:
        raise OptionError(f"sdsm_method {sdsm_method!r} is not one of {', '.join(SDSM_METHODS)}")
    number = isinstance(alpha, int | float | np.integer | np.floating) and not isinstance(
        alpha, bool)
    if backbone is not None and not (number and 0 < alpha < 1):
        raise OptionError(f"alpha must be a number between 0 and 1 (got {alpha!r})")
    whole = isinstance(min_shared, int | np.integer) and not isinstance(min_shared, bool)
    if not whole or min_shared < 1:
        raise OptionError(f"min_shared must be a whole number of at least 1 (got {min_shared!r})")
    B, members, groups = incidence(memberships)
    n = B.shape[0]
    C = _upper(B @ B.T)
    rows, cols, shared = entry_rows(C), C.indices.astype(np.int64), C.data.astype(np.int64)
    if weighting == "count":
        weight = shared.astype(float)
    else:
        size = np.asarray(B.sum(axis=0)).ravel().astype(float)
        share = np.divide(1.0, size - 1, out=np.zeros_like(size), where=size > 1)
        Bf = B.astype(float)
        W = _upper(Bf @ sp.diags_array(share) @ Bf.T)
        # every shared group has two members or more, so W has C's pattern
        assert np.array_equal(W.indptr, C.indptr) and np.array_equal(W.indices, C.indices)
        weight = W.data.astype(float)
    p_value = None
    keep = shared >= min_shared
    if backbone == "disparity":
        p_value = _disparity(n, rows, cols, weight)
    elif backbone == "sdsm":
        p_value = _sdsm(B, rows, cols, shared, exact=sdsm_method == "exact")
    if p_value is not None:
        keep &= p_value < alpha
    rows, cols, shared, weight = rows[keep], cols[keep], shared[keep], weight[keep]
    names = _group_names(B, groups, rows, cols, shared)
    out = pd.DataFrame({
        "u": members.to_numpy()[rows], "v": members.to_numpy()[cols], "shared": shared,
        "weight": weight.astype(float), "groups": names})
    if p_value is not None:
        out["p_value"] = p_value[keep]
    return out


def _upper(M: sp.sparray) -> sp.csr_array:
    """The strict upper triangle of a square sparse matrix as canonical CSR."""
    U = sp.triu(M, k=1, format="csr")
    U.sum_duplicates()
    U.eliminate_zeros()
    U.sort_indices()
    return U


def _group_names(B: sp.csr_array, groups: pd.Index, rows: np.ndarray, cols: np.ndarray,
                 shared: np.ndarray) -> np.ndarray:
    """The names of the groups each pair shares, sorted, at most five then ``and N more``.

    Each group's pairs of members are enumerated (vectorized, in chunks of
    :data:`PAIR_CHUNK`) and matched to the ties by their sorted keys.
    """
    m = rows.size
    out = np.empty(m, dtype=object)
    if m == 0:
        return out
    n = B.shape[0]
    keys = pair_keys(rows, cols, n)  # sorted: rows and cols come in (row, col) order
    slots = np.full((m, min(MAX_GROUP_NAMES, int(shared.max()))), -1, dtype=np.int64)
    filled = np.zeros(m, dtype=np.int64)
    Bc = B.tocsc()
    Bc.sort_indices()
    indptr = Bc.indptr.astype(np.int64)
    members = Bc.indices.astype(np.int64)
    group_of = np.repeat(np.arange(Bc.shape[1], dtype=np.int64), np.diff(indptr))
    later = indptr[group_of + 1] - 1 - np.arange(members.size)  # pairs each entry starts
    total = np.cumsum(later)
    start = 0
    while start < members.size:
        base = total[start - 1] if start else 0
        stop = max(int(np.searchsorted(total, base + PAIR_CHUNK, side="right")), start + 1)
        counts = later[start:stop]
        k = int(counts.sum())
        if k:
            first = np.repeat(np.arange(start, stop, dtype=np.int64), counts)
            offs = np.arange(k, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
            second = first + 1 + offs
            pos = np.searchsorted(keys, pair_keys(members[first], members[second], n))
            pos[pos >= m] = 0
            hit = keys[pos] == pair_keys(members[first], members[second], n)
            pos, grp = pos[hit], group_of[first[hit]]
            if pos.size:
                srt = np.argsort(pos, kind="stable")  # groups stay in ascending order
                pos, grp = pos[srt], grp[srt]
                run_start = np.flatnonzero(np.r_[True, pos[1:] != pos[:-1]])
                run_len = np.diff(np.r_[run_start, pos.size])
                rank = (np.arange(pos.size) - np.repeat(run_start, run_len)
                        + filled[pos])
                ok = rank < slots.shape[1]
                slots[pos[ok], rank[ok]] = grp[ok]
                np.add.at(filled, pos[run_start], run_len)
        start = stop
    names = groups.to_numpy(dtype=object)
    out[:] = names[slots[:, 0]]
    for j in range(1, slots.shape[1]):
        more = shared > j
        out[more] = out[more] + "; " + names[slots[more, j]]
    more = shared > MAX_GROUP_NAMES
    if more.any():
        extra = (shared[more] - MAX_GROUP_NAMES).astype(str).astype(object)
        out[more] = out[more] + " and " + extra + " more"
    return out


# -- backbones ------------------------------------------------------------------------------

def _disparity(n: int, rows: np.ndarray, cols: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Disparity-filter p-value of each tie: the smaller of its two ends' alpha."""
    if rows.size == 0:
        return np.zeros(0)
    ends = np.concatenate([rows, cols])
    w2 = np.concatenate([weight, weight])
    strength = np.bincount(ends, weights=w2, minlength=n)
    degree = np.bincount(ends, minlength=n)

    def end_alpha(i: np.ndarray) -> np.ndarray:
        frac = np.clip(1.0 - weight / strength[i], 0.0, 1.0)
        return frac ** (degree[i] - 1)  # 0 ** 0 == 1: an end with one tie never decides

    return np.minimum(end_alpha(rows), end_alpha(cols))


def _sdsm(B: sp.csr_array, rows: np.ndarray, cols: np.ndarray, shared: np.ndarray, *,
          exact: bool = False) -> np.ndarray:
    """SDSM upper-tail p-value of each tie (refined normal approximation, or exact)."""
    if rows.size == 0:
        return np.zeros(0)
    row_class, col_class, prob = _bicm_classes(B)
    col_mult = np.bincount(col_class, minlength=prob.shape[1])
    ci, cj = row_class[rows], row_class[cols]
    if exact:
        return _exact_upper(prob, col_mult, np.minimum(ci, cj), np.maximum(ci, cj), shared)
    moments = [(prob**k * col_mult) @ (prob**k).T for k in (1, 2, 3)]
    s1, s2, s3 = (M[ci, cj] for M in moments)
    return rna_upper(shared, s1, s1 - s2, s1 - 3 * s2 + 2 * s3)


def _exact_upper(prob: np.ndarray, col_mult: np.ndarray, ci: np.ndarray, cj: np.ndarray,
                 k: np.ndarray) -> np.ndarray:
    """Exact ``P(X >= k)`` for each tie, X the shared groups of two members of classes ci, cj.

    X is a sum of binomials, one per group class (``col_mult[c]`` groups with probability
    ``prob[ci, c] * prob[cj, c]``); its distribution is convolved up to ``k - 1`` for each
    distinct class pair at once, so the cost does not grow with the number of ties.
    """
    n_classes = prob.shape[0]
    pair, where = np.unique(ci * n_classes + cj, return_inverse=True)
    a, b = pair // n_classes, pair % n_classes
    length = int(k.max())  # P(X <= k - 1) needs the mass at 0 .. k - 1
    pmf = np.zeros((pair.size, length))
    pmf[:, 0] = 1.0
    support = np.arange(length)
    for c in range(prob.shape[1]):
        q = prob[a, c] * prob[b, c]
        terms = binom.pmf(support[None, :], int(col_mult[c]), q[:, None])
        new = np.zeros_like(pmf)
        for t in range(min(length, int(col_mult[c]) + 1)):
            new[:, t:] += terms[:, t:t + 1] * pmf[:, :length - t]
        pmf = new
    below = np.cumsum(pmf, axis=1)  # below[:, j] = P(X <= j); every tie has k >= 1
    return np.clip(1.0 - below[where, k - 1], 0.0, 1.0)


def rna_upper(k: np.ndarray, mu: np.ndarray, var: np.ndarray,
              gamma: np.ndarray) -> np.ndarray:
    """``P(X >= k)`` of a Poisson-binomial ``X`` by the refined normal approximation.

    Parameters
    ----------
    k : array
        Observed counts.
    mu, var, gamma : array
        ``sum p``, ``sum p (1 - p)`` and ``sum p (1 - p) (1 - 2p)`` of the success
        probabilities.

    Returns
    -------
    numpy.ndarray
        Upper-tail probabilities in [0, 1]; where ``var`` is 0 the count is certain and the
        result is 1 when ``k <= mu``, else 0.

    Examples
    --------
    >>> p = np.full(20, 0.3)   # binomial(20, 0.3): exactly, P(X >= 10) = 0.0480
    >>> round(float(rna_upper(10, p.sum(), (p * (1 - p)).sum(),
    ...                       (p * (1 - p) * (1 - 2 * p)).sum())), 4)
    0.0496
    """
    k, mu, var, gamma = np.broadcast_arrays(*(np.asarray(a, dtype=float)
                                              for a in (k, mu, var, gamma)))
    out = np.where(k <= mu + 1e-12, 1.0, 0.0)
    ok = var > 1e-300
    sigma = np.sqrt(var[ok])
    x = (k[ok] - 0.5 - mu[ok]) / sigma
    upper = norm.sf(x) - gamma[ok] / (6 * sigma**3) * (1 - x**2) * norm.pdf(x)
    out[ok] = np.clip(upper, 0.0, 1.0)
    return out


# -- the bipartite configuration model ---------------------------------------------------------

def bicm(B: sp.sparray | np.ndarray, *, tol: float = 1e-10,
         max_iter: int = 200) -> np.ndarray:
    """Membership probabilities under the bipartite configuration model (BiCM).

    The maximum-entropy random bipartite graph whose expected degrees equal the observed
    ones (Saracco et al. 2015): ``p_ia = x_i y_a / (1 + x_i y_a)``. Rows or columns that are
    empty or full are fixed at 0 or 1 first (repeatedly, as in backbone::bicm). The rest is
    solved on the distinct degrees (members with equal degrees have equal ``x``) by
    fixed-point iteration, ``x_i = r_i / sum_a y_a / (1 + x_i y_a)`` and
    ``y_a = c_a / sum_i x_i / (1 + x_i y_a)``, for :data:`FIXED_POINT_SWEEPS` sweeps, then,
    if that has not reached ``tol`` (very uneven degrees converge slowly), by Newton's
    method on the log-likelihood in ``log x, log y``.

    Parameters
    ----------
    B : sparse array or numpy.ndarray
        A binary incidence matrix (rows: members; columns: groups).
    tol : float
        Largest allowed difference between an expected and an observed degree.
    max_iter : int
        Most Newton steps after the fixed-point sweeps.

    Returns
    -------
    numpy.ndarray
        Dense ``B.shape`` matrix of probabilities.

    Raises
    ------
    ConvergenceError
        When the fit does not reach ``tol`` within ``max_iter`` Newton steps. (Degree
        sequences that force some cells, leaving the model no interior solution, converge to
        the limit: probabilities of 0 and 1 for the forced cells.)

    Examples
    --------
    >>> M = np.array([[0, 0, 1], [0, 1, 0], [1, 0, 1]])
    >>> bicm(M).round(3)
    array([[0.216, 0.216, 0.568],
           [0.216, 0.216, 0.568],
           [0.568, 0.568, 0.863]])
    """
    M = sp.csr_array(B)
    row_class, col_class, prob = _bicm_classes(M, tol=tol, max_iter=max_iter)
    return prob[np.ix_(row_class, col_class)]


def _bicm_classes(B: sp.csr_array, *, tol: float = 1e-10, max_iter: int = 200
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """BiCM probabilities by degree class: ``prob[row_class[i], col_class[a]] = p_ia``."""
    r = np.asarray(B.sum(axis=1)).ravel().astype(np.int64)
    c = np.asarray(B.sum(axis=0)).ravel().astype(np.int64)
    rdeg, row_class, rmult = np.unique(r, return_inverse=True, return_counts=True)
    cdeg, col_class, cmult = np.unique(c, return_inverse=True, return_counts=True)
    n_rows, n_cols = r.size, c.size
    # Peel empty and full rows and columns: their probabilities are 0 or 1 (the order in
    # which classes are fixed decides the cells between two fixed classes).
    rstep = np.full(rdeg.size, np.inf)
    cstep = np.full(cdeg.size, np.inf)
    rval = np.zeros(rdeg.size)
    cval = np.zeros(cdeg.size)
    rrem, crem = rdeg.astype(float), cdeg.astype(float)
    step = 0
    while True:
        ra, ca = np.isinf(rstep), np.isinf(cstep)
        active_rows = int(rmult[ra].sum())
        active_cols = int(cmult[ca].sum())
        rzero = ra & (rrem == 0)
        rfull = ra & (rrem == active_cols) & (active_cols > 0)
        czero = ca & (crem == 0)
        cfull = ca & (crem == active_rows) & (active_rows > 0)
        if not (rzero.any() or rfull.any() or czero.any() or cfull.any()):
            break
        rstep[rzero | rfull] = step
        rval[rfull] = 1.0
        cstep[czero | cfull] = step
        cval[cfull] = 1.0
        # what the fixed classes took from the remaining ones
        crem[ca & ~(czero | cfull)] -= rmult[rfull].sum()
        rrem[ra & ~(rzero | rfull)] -= cmult[cfull].sum()
        step += 1
    ra, ca = np.isinf(rstep), np.isinf(cstep)
    prob = np.where(rstep[:, None] <= cstep[None, :], rval[:, None], cval[None, :])
    if ra.any() and ca.any():
        core = _bicm_core(rrem[ra], rmult[ra].astype(float), crem[ca],
                          cmult[ca].astype(float), tol=tol, max_iter=max_iter)
        prob[np.ix_(ra, ca)] = core
    # the model's promise: expected degrees equal the observed ones
    exp_r = prob @ cmult
    exp_c = rmult @ prob
    err = max(np.abs(exp_r - rdeg).max(initial=0.0), np.abs(exp_c - cdeg).max(initial=0.0))
    if not err <= max(tol, 1e-9) * 10:
        raise ConvergenceError(
            f"the bipartite configuration model could not match the degrees of {n_rows} "
            f"members and {n_cols} groups (largest difference {err:.2g}); use "
            "backbone='disparity' for these memberships")
    return row_class, col_class, prob


def _bicm_core(r: np.ndarray, rm: np.ndarray, c: np.ndarray, cm: np.ndarray, *,
               tol: float, max_iter: int) -> np.ndarray:
    """BiCM fit on degree classes (every degree strictly between 0 and full).

    ``r``/``c`` are the distinct row/column degrees and ``rm``/``cm`` how many rows/columns
    have each. A few hundred fixed-point sweeps usually reach ``tol``; when they do not
    (very uneven degrees can need 10^5 sweeps), Newton's method on the log-likelihood in
    ``log x``, ``log y`` (concave, so a backtracking line search makes it converge) finishes
    in a few steps.
    """
    total = float((r * rm).sum())
    x = r / np.sqrt(total)
    y = c / np.sqrt(total)

    def residual(p: np.ndarray) -> float:
        return float(max(np.abs(p @ cm - r).max(), np.abs(rm @ p - c).max()))

    for _ in range(FIXED_POINT_SWEEPS):
        x = r / (cm * y / (1.0 + np.outer(x, y))).sum(axis=1)
        y = c / ((rm * x)[:, None] / (1.0 + np.outer(x, y))).sum(axis=0)
        xy = np.outer(x, y)
        p = xy / (1.0 + xy)
        if residual(p) <= tol:
            return p
    theta, eta = np.log(x), np.log(y)
    kr = r.size

    def loglik(t: np.ndarray, e: np.ndarray) -> float:
        s = t[:, None] + e[None, :]
        return float((rm * r) @ t + (cm * c) @ e - rm @ np.logaddexp(0.0, s) @ cm)

    err = np.inf
    for _ in range(max_iter):
        p = expit(theta[:, None] + eta[None, :])
        err = residual(p)
        if err <= tol:
            return p
        if not np.isfinite(err):
            break
        grad = np.concatenate([rm * (r - p @ cm), cm * (c - rm @ p)])
        v = p * (1.0 - p)
        hess = np.zeros((kr + c.size, kr + c.size))
        hess[:kr, kr:] = rm[:, None] * cm[None, :] * v
        hess[kr:, :kr] = hess[:kr, kr:].T
        idx = np.arange(kr + c.size)
        hess[idx, idx] = np.concatenate([rm * (v @ cm), cm * (rm @ v)])
        # x_i y_a is unchanged by x * k, y / k: pin the last column class (eta step 0)
        step = np.zeros(kr + c.size)
        try:
            step[:-1] = np.linalg.solve(hess[:-1, :-1], grad[:-1])
        except np.linalg.LinAlgError:
            step[:-1] = np.linalg.lstsq(hess[:-1, :-1], grad[:-1], rcond=None)[0]
        base, slope, t = loglik(theta, eta), float(grad @ step), 1.0
        while t > 1e-12:
            nt, ne = theta + t * step[:kr], eta + t * step[kr:]
            if loglik(nt, ne) >= base + 1e-4 * t * slope:
                break
            t /= 2
        else:
            break  # no ascent left: the optimum is at infinity
        theta, eta = nt, ne
    raise ConvergenceError(
        f"the bipartite configuration model did not converge (largest difference between "
        f"an expected and an observed degree {err:.2g} after {max_iter} Newton steps); "
        "use backbone='disparity' for these memberships")


# -- summary ---------------------------------------------------------------------------------

def affiliation_summary(memberships: pd.DataFrame) -> dict[str, Any]:
    """Counts that describe a memberships table, for reports.

    Parameters
    ----------
    memberships : pandas.DataFrame
        Columns ``member`` and ``group`` (repeated pairs count once).

    Returns
    -------
    dict
        ``members``, ``groups``, ``memberships`` (distinct pairs), ``mean_group_size``,
        ``mean_groups_per_member``, ``largest_group`` (its name; the first by name among
        equals; None without groups) and ``largest_group_size``.

    Examples
    --------
    >>> affiliation_summary(pd.DataFrame({"member": ["a", "b", "b", "c", "c"],
    ...                                   "group": ["G1", "G1", "G2", "G1", "G1"]}))
    ... # doctest: +NORMALIZE_WHITESPACE
    {'members': 3, 'groups': 2, 'memberships': 4, 'mean_group_size': 2.0,
     'mean_groups_per_member': 1.333, 'largest_group': 'G1', 'largest_group_size': 3}
    """
    B, members, groups = incidence(memberships)
    sizes = np.asarray(B.sum(axis=0)).ravel()
    n_members, n_groups, n = len(members), len(groups), int(B.nnz)
    largest = int(np.argmax(sizes)) if n_groups else None
    return {
        "members": n_members,
        "groups": n_groups,
        "memberships": n,
        "mean_group_size": round(n / n_groups, 3) if n_groups else 0.0,
        "mean_groups_per_member": round(n / n_members, 3) if n_members else 0.0,
        "largest_group": None if largest is None else str(groups[largest]),
        "largest_group_size": 0 if largest is None else int(sizes[largest]),
    }
