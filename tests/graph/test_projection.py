"""Co-membership projection: weightings, backbones (disparity, SDSM/BiCM), classic data, scale."""

from __future__ import annotations

import importlib.util
import time
from itertools import combinations
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from plnanalytics.errors import OptionError, SchemaError
from plnanalytics.graph.projection import (
    ConvergenceError,
    affiliation_summary,
    bicm,
    comember_ties,
    incidence,
    rna_upper,
)

CLASSIC = Path(__file__).resolve().parents[1] / "analysis" / "classic_data.py"


def _frame(pairs: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(pairs, columns=["member", "group"])


def _davis() -> tuple[pd.DataFrame, list[str]]:
    """Davis's southern women: memberships (woman, event) and the women in published order."""
    G = nx.davis_southern_women_graph()
    women = list(G.graph["top"])
    return _frame([(w, e) for w in women for e in G[w]]), women


def _exact_upper(k: int, q: np.ndarray) -> float:
    """P(X >= k) for a Poisson-binomial X, by convolving the Bernoulli distributions."""
    pmf = np.array([1.0])
    for p in q:
        pmf = np.convolve(pmf, [1.0 - p, p])
    return float(pmf[k:].sum())


def _random_memberships(n_members: int, n_groups: int, mean_groups: float,
                        seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    k = rng.poisson(mean_groups - 1, n_members) + 1
    member = np.repeat(np.arange(n_members), k)
    group = rng.integers(0, n_groups, member.size)
    return pd.DataFrame({"member": pd.Index(member).map("P{:05d}".format),
                         "group": pd.Index(group).map("G{:03d}".format)})


# -- count and Newman weighting ----------------------------------------------------------------
def test_count_projection_by_hand():
    m = _frame([("ann", "PLC"), ("bo", "PLC"), ("cy", "PLC"), ("ann", "Mentors"),
                ("bo", "Mentors"), ("di", "Solo"), ("cy", "Board"), ("ann", "Board"),
                ("ann", "PLC")])  # a repeated membership counts once
    ties = comember_ties(m)
    assert list(ties.columns) == ["u", "v", "shared", "weight", "groups"]
    assert [tuple(r) for r in ties.itertuples(index=False)] == [
        ("ann", "bo", 2, 2.0, "Mentors; PLC"),
        ("ann", "cy", 2, 2.0, "Board; PLC"),
        ("bo", "cy", 1, 1.0, "PLC"),
    ]  # di is alone in Solo: no tie
    assert (ties["u"] < ties["v"]).all()
    assert comember_ties(m, min_shared=2)[["u", "v"]].values.tolist() == [["ann", "bo"],
                                                                          ["ann", "cy"]]
    assert comember_ties(m, min_shared=3).empty


def test_many_shared_groups_are_summarized():
    groups = [f"G{i}" for i in range(8)]
    m = _frame([(p, g) for g in groups for p in ("a", "b")] + [("c", "G3")])
    ties = comember_ties(m).set_index(["u", "v"])
    assert ties.loc[("a", "b"), "shared"] == 8
    assert ties.loc[("a", "b"), "groups"] == "G0; G1; G2; G3; G4 and 3 more"
    assert ties.loc[("a", "c"), "groups"] == ties.loc[("b", "c"), "groups"] == "G3"


def test_newman_weights_by_formula():
    # group sizes: Pair 2, Trio 3, Four 4, Solo 1
    m = _frame([("a", "Pair"), ("b", "Pair"), ("a", "Trio"), ("b", "Trio"), ("c", "Trio"),
                ("a", "Four"), ("c", "Four"), ("d", "Four"), ("e", "Four"), ("e", "Solo")])
    ties = comember_ties(m, weighting="newman").set_index(["u", "v"])["weight"]
    expected = {("a", "b"): 1 / 1 + 1 / 2, ("a", "c"): 1 / 2 + 1 / 3, ("b", "c"): 1 / 2,
                ("a", "d"): 1 / 3, ("a", "e"): 1 / 3, ("c", "d"): 1 / 3, ("c", "e"): 1 / 3,
                ("d", "e"): 1 / 3}
    assert dict(ties) == pytest.approx(expected)
    # each member's ties from one group add up to 1 (Newman 2001): a is in three groups
    assert ties.loc["a"].sum() == pytest.approx(3.0)


def test_weights_equal_networkx_projections():
    m, women = _davis()
    B = nx.Graph()
    B.add_nodes_from(women, bipartite=0)
    B.add_edges_from(m.itertuples(index=False))
    for weighting, project in (("count", nx.bipartite.weighted_projected_graph),
                               ("newman", nx.bipartite.collaboration_weighted_projected_graph)):
        P = project(B, women)
        ties = comember_ties(m, weighting=weighting)
        ours = {frozenset((u, v)): w for u, v, w in ties[["u", "v", "weight"]].itertuples(
            index=False)}
        theirs = {frozenset((u, v)): d["weight"] for u, v, d in P.edges(data=True)}
        assert ours.keys() == theirs.keys()
        assert all(ours[k] == pytest.approx(theirs[k]) for k in ours)


def test_order_and_extra_columns_do_not_matter():
    m, _ = _davis()
    m = m.assign(role="member", since=pd.NaT)
    shuffled = m.sample(frac=1.0, random_state=3).reset_index(drop=True)
    pd.testing.assert_frame_equal(comember_ties(m, backbone="sdsm", alpha=0.5),
                                  comember_ties(shuffled, backbone="sdsm", alpha=0.5))


def test_empty_and_bad_input():
    empty = comember_ties(_frame([]))
    assert empty.empty and list(empty.columns) == ["u", "v", "shared", "weight", "groups"]
    assert list(comember_ties(_frame([]), backbone="sdsm").columns)[-1] == "p_value"
    assert comember_ties(_frame([("a", "G")]), backbone="disparity").empty
    with pytest.raises(SchemaError, match="group"):
        comember_ties(pd.DataFrame({"member": ["a"]}))
    with pytest.raises(SchemaError, match=r"memberships\.member: missing value in row 1"):
        comember_ties(pd.DataFrame({"member": ["a", None], "group": ["G", "G"]}))
    m = _frame([("a", "G"), ("b", "G")])
    for bad, word in (({"weighting": "jaccard"}, "weighting"), ({"backbone": "lans"}, "backbone"),
                      ({"backbone": "sdsm", "alpha": 1.5}, "alpha"),
                      ({"min_shared": 0}, "min_shared"), ({"min_shared": 1.5}, "min_shared"),
                      ({"sdsm_method": "dft"}, "sdsm_method")):
        with pytest.raises(OptionError, match=word):
            comember_ties(m, **bad)


def test_keys_are_strings():
    ties = comember_ties(pd.DataFrame({"member": [10, 9, 10, 9], "group": [1, 1, 2, 2]}))
    assert ties[["u", "v", "groups"]].values.tolist() == [["10", "9", "1; 2"]]  # "10" < "9"


def test_incidence_and_summary():
    B, members, groups = incidence(_frame([("b", "G2"), ("a", "G1"), ("b", "G1"),
                                           ("b", "G1")]))
    assert B.toarray().tolist() == [[1, 0], [1, 1]]
    assert list(members) == ["a", "b"] and list(groups) == ["G1", "G2"]
    m, _ = _davis()
    summary = affiliation_summary(m)
    assert summary == {"members": 18, "groups": 14, "memberships": 89,
                       "mean_group_size": round(89 / 14, 3),
                       "mean_groups_per_member": round(89 / 18, 3),
                       "largest_group": "E8", "largest_group_size": 14}
    assert affiliation_summary(_frame([]))["largest_group"] is None


# -- disparity filter ---------------------------------------------------------------------------
def test_disparity_alpha_by_formula():
    # a: strong tie to b (3 shared groups), weak ties to c, d, e (1 each)
    m = _frame([(p, g) for g, ps in {"G1": "abc", "G2": "ab", "G3": "ab", "G4": "ad",
                                     "G5": "ae", "G6": "cd"}.items() for p in ps])
    full = comember_ties(m, backbone="disparity", alpha=1.0 - 1e-12)
    weight = {(u, v): w for u, v, w in full[["u", "v", "weight"]].itertuples(index=False)}
    assert weight == {("a", "b"): 3, ("a", "c"): 1, ("b", "c"): 1, ("a", "d"): 1,
                      ("a", "e"): 1, ("c", "d"): 1}
    strength, degree = {}, {}
    for (u, v), w in weight.items():
        for x in (u, v):
            strength[x] = strength.get(x, 0) + w
            degree[x] = degree.get(x, 0) + 1
    assert strength == {"a": 6, "b": 4, "c": 3, "d": 2, "e": 1}

    def alpha(i, w):
        return (1 - w / strength[i]) ** (degree[i] - 1)

    expected = {k: min(alpha(k[0], w), alpha(k[1], w)) for k, w in weight.items()}
    got = dict(zip(zip(full.u, full.v, strict=True), full.p_value, strict=True))
    assert got == pytest.approx(expected)
    assert got[("a", "b")] == pytest.approx(min((1 - 3 / 6) ** 3, (1 - 3 / 4) ** 1))  # 0.125
    assert got[("a", "e")] == pytest.approx((1 - 1 / 6) ** 3)  # e has one tie: a's end decides
    kept = comember_ties(m, backbone="disparity", alpha=0.3)
    assert list(zip(kept.u, kept.v, strict=True)) == [("a", "b")]
    assert kept.p_value.iloc[0] == pytest.approx(0.125)


# -- SDSM and the BiCM --------------------------------------------------------------------------
def test_bicm_matches_the_r_backbone_unit_test():
    # backbone (R) inst/tinytest: round(bicm(M), 3) for this M
    M = np.array([[0, 0, 1], [0, 1, 0], [1, 0, 1]])
    assert bicm(M).round(3).tolist() == [[.216, .216, .568], [.216, .216, .568],
                                         [.568, .568, .863]]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_bicm_expected_degrees_equal_observed(seed):
    rng = np.random.default_rng(seed)
    n_members, n_groups = 300, 40
    sizes = np.minimum((rng.pareto(1.1, n_groups) + 1) * 4, n_members - 1).astype(int)
    rows = np.concatenate([rng.choice(n_members, s, replace=False) for s in sizes])
    cols = np.repeat(np.arange(n_groups), sizes)
    B = sp.csr_array((np.ones(rows.size), (rows, cols)), shape=(n_members, n_groups))
    B.sum_duplicates()
    B = B[np.asarray(B.sum(axis=1)).ravel() > 0]
    P = bicm(B)
    assert P.shape == B.shape and ((P > 0) & (P < 1)).all()
    assert np.abs(P.sum(axis=1) - B.sum(axis=1)).max() < 1e-6
    assert np.abs(P.sum(axis=0) - B.sum(axis=0)).max() < 1e-6
    # members with the same number of groups have the same probabilities
    deg = np.asarray(B.sum(axis=1)).ravel()
    same = np.flatnonzero(deg == np.bincount(deg.astype(int)).argmax())
    assert np.allclose(P[same], P[same[0]])


def test_bicm_fixes_empty_and_full_rows_and_columns():
    M = np.array([[1, 1, 1, 0], [1, 0, 1, 0], [1, 1, 0, 0], [1, 0, 0, 0], [1, 1, 1, 1]])
    P = bicm(M)
    assert (P[:, 0] == 1).all() and (P[4] == 1).all()  # a full column, a full row
    assert (P[:4, 3] == 0).all()  # the last column is full only through the full row
    assert np.abs(P.sum(axis=1) - M.sum(axis=1)).max() < 1e-6
    assert np.abs(P.sum(axis=0) - M.sum(axis=0)).max() < 1e-6


def test_bicm_forced_cells_and_convergence_error():
    # these margins force the top-left 1s and bottom-right 0s: the fit tends to 0 and 1
    M = np.array([[1, 1, 1, 0], [1, 1, 0, 1], [1, 0, 0, 0], [0, 1, 0, 0]])
    P = bicm(M)
    assert P.round(4).tolist() == [[1, 1, .5, .5], [1, 1, .5, .5], [.5, .5, 0, 0],
                                   [.5, .5, 0, 0]]
    with pytest.raises(ConvergenceError, match=r"did not converge.*backbone='disparity'"):
        bicm(M, max_iter=1)


def _exact_p_values(m: pd.DataFrame, ties: pd.DataFrame) -> np.ndarray:
    B, members, _ = incidence(m)
    P = bicm(B)
    at = {name: i for i, name in enumerate(members)}
    return np.array([_exact_upper(k, P[at[u]] * P[at[v]])
                     for u, v, k in ties[["u", "v", "shared"]].itertuples(index=False)])


def test_rna_is_close_to_the_exact_poisson_binomial_on_davis():
    m, _ = _davis()
    ties = comember_ties(m, backbone="sdsm", alpha=1.0 - 1e-12)
    exact = _exact_p_values(m, ties)
    assert len(ties) == 139
    assert np.abs(ties.p_value.to_numpy() - exact).max() < 0.02


def test_exact_sdsm_p_values_equal_the_convolution():
    m = _random_memberships(60, 12, 3, seed=5)
    exact = comember_ties(m, backbone="sdsm", alpha=1.0 - 1e-12, sdsm_method="exact")
    rna = comember_ties(m, backbone="sdsm", alpha=1.0 - 1e-12, sdsm_method="rna")
    assert len(exact) == len(rna) == len(comember_ties(m)) == 882
    by_convolution = _exact_p_values(m, exact)
    assert np.abs(exact.p_value.to_numpy() - by_convolution).max() < 1e-12
    # The refined normal approximation is poor for a pair sharing one group when few are
    # expected: here it is off by more than 0.05 around alpha (too conservative).
    err = rna.p_value.to_numpy() - by_convolution
    worst = int(np.argmax(np.abs(err)))
    assert rna.shared.iloc[worst] == 1 and 0.05 < err[worst] < 0.1
    assert by_convolution[worst] < 0.1


def test_rna_upper_edge_cases():
    assert rna_upper(np.array([1, 2]), 1.0, 0.0, 0.0).tolist() == [1.0, 0.0]  # certain X = 1
    p = np.full(30, 0.2)
    got = rna_upper(np.arange(1, 12), p.sum(), (p * (1 - p)).sum(),
                    (p * (1 - p) * (1 - 2 * p)).sum())
    exact = [_exact_upper(k, p) for k in range(1, 12)]
    assert np.abs(got - exact).max() < 0.01 and (np.diff(got) <= 0).all()


def test_sdsm_backbone_of_a_block_structure():
    # as in R backbone's tests: three blocks of ten members, each joining the 25 groups of
    # its block with probability 0.8 and the 50 other groups with probability 0.2
    rng = np.random.default_rng(0)
    pairs = [(f"{block}{i}", f"G{g:02d}") for b, block in enumerate("ABC") for i in range(10)
             for g in range(75) if rng.random() < (0.8 if g // 25 == b else 0.2)]
    m = _frame(pairs)
    plain = comember_ties(m)
    assert len(plain) == 435  # everyone shares some group with everyone
    for method in ("rna", "exact"):
        bb = comember_ties(m, backbone="sdsm", sdsm_method=method)
        assert 0 < len(bb) < len(plain) / 3 and (bb.p_value < 0.05).all()
        assert (bb.u.str[0] == bb.v.str[0]).all()  # no tie across blocks
        G = nx.Graph(list(zip(bb.u, bb.v, strict=True)))
        blocks = [{n for n in G if n[0] == b} for b in "ABC"]
        assert nx.community.modularity(G, blocks) > 0.5


# -- Davis's southern women ---------------------------------------------------------------------
def test_davis_southern_women():
    m, women = _davis()
    plain = comember_ties(m)
    n = len(women)
    assert n == 18 and len(plain) == 139
    assert round(len(plain) / (n * (n - 1) / 2), 2) == 0.91  # as published
    # At alpha 0.05 the SDSM backbone is empty: with 14 events the smallest p-value is 0.088
    # (Katherina-Sylvia, 6 shared) exactly, and 0.097 by the refined normal approximation.
    sdsm = comember_ties(m, backbone="sdsm", alpha=0.05)
    assert sdsm.empty and comember_ties(m, backbone="sdsm", sdsm_method="rna").empty
    probs = comember_ties(m, backbone="sdsm", alpha=1.0 - 1e-12)
    assert probs.p_value.min() == pytest.approx(0.0884, abs=5e-4)
    rna = comember_ties(m, backbone="sdsm", alpha=1.0 - 1e-12, sdsm_method="rna")
    assert rna.p_value.min() == pytest.approx(0.0974, abs=5e-4)
    # At a level suited to so few events it is far sparser than the projection and
    # separates the two published groups' cores.
    bb = comember_ties(m, backbone="sdsm", alpha=0.25)
    density = len(bb) / (n * (n - 1) / 2)
    assert 0 < density < 0.3
    pos = {w: i + 1 for i, w in enumerate(women)}
    ties = {(min(pos[u], pos[v]), max(pos[u], pos[v])) for u, v in zip(bb.u, bb.v, strict=True)}
    first = {"Evelyn Jefferson", "Laura Mandeville", "Theresa Anderson", "Brenda Rogers"}
    second = {"Katherina Rogers", "Sylvia Avondale", "Nora Fayette", "Helen Lloyd"}
    assert {pos[w] for w in first} == {1, 2, 3, 4} and {pos[w] for w in second} == {12, 13, 14,
                                                                                     15}
    assert not [t for t in ties if (t[0] <= 4 and 12 <= t[1] <= 15)]
    assert {(1, 3), (2, 4), (12, 13)} <= ties  # each core keeps ties of its own
    # ties across women 1-9 and 10-18 touch only Pearl (8), Ruth (9), Verne (10) and
    # Dorothy (16), women whose group the published analyses place differently
    across = [t for t in ties if t[0] <= 9 < t[1]]
    assert across and all(set(t) <= {8, 9, 10, 16} for t in across)


# -- Galaskiewicz CEOs and clubs ----------------------------------------------------------------
def _read_two_mode():
    spec = importlib.util.spec_from_file_location("classic_data_for_projection", CLASSIC)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module.read_two_mode


@pytest.mark.realdata
def test_galaskiewicz_ceos_and_clubs(realdata):
    path = realdata / "classic-socnetv" / "Galaskiewicz_CEOs_and_clubs_affiliation_network_data.2sm"
    G = _read_two_mode()(path, rows="ceo", columns="club")
    m = _frame([(u, v) if u.startswith("ceo") else (v, u) for u, v in G.edges()])
    assert len(m) == 98
    ceo = m.member.value_counts().reindex([f"ceo{i}" for i in range(1, 27)]).tolist()
    club = m.group.value_counts().reindex([f"club{j}" for j in range(1, 16)]).tolist()
    assert ceo == [3, 3, 2, 3, 3, 3, 4, 3, 4, 2, 3, 2, 4, 7, 5, 5, 6, 5, 5, 5, 3, 3, 4, 5, 3, 3]
    assert club == [3, 11, 22, 12, 3, 4, 4, 4, 6, 3, 4, 5, 5, 3, 9]
    ties = comember_ties(m)
    B, members, _ = incidence(m)
    n = len(members)
    at = {name: i for i, name in enumerate(members)}
    A = np.zeros((n, n), dtype=int)
    A[[at[u] for u in ties.u], [at[v] for v in ties.v]] = ties.shared
    A = A + A.T  # each tie once (u < v), so the mirrored matrix must be B B^T off the diagonal
    expected = (B @ B.T).toarray()
    np.fill_diagonal(expected, 0)
    assert (expected == A).all() and (ties.u < ties.v).all()
    assert len(ties) == int((np.triu(expected, 1) > 0).sum())
    assert ties.groups[ties.shared == 1].isin([f"club{j}" for j in range(1, 16)]).all()
    assert comember_ties(m, backbone="sdsm", alpha=0.05).p_value.lt(0.05).all()


# -- scale --------------------------------------------------------------------------------------
def test_projection_of_20k_members_and_500_groups_is_quick():
    m = _random_memberships(20_000, 500, 2.0, seed=11)
    B, _, _ = incidence(m)
    start = time.perf_counter()
    ties = comember_ties(m)
    took = time.perf_counter() - start
    C = sp.triu(B @ B.T, k=1)
    assert len(ties) == C.nnz > 1_000_000 and ties.shared.sum() == C.sum()
    assert took < 20, took
    start = time.perf_counter()
    bb = comember_ties(m, backbone="disparity")
    assert time.perf_counter() - start < 20
    assert len(bb) < len(ties) / 100  # random memberships: next to nothing is significant


def test_sdsm_on_2k_members_and_200_groups_runs():
    m = _random_memberships(2_000, 200, 3.0, seed=12)
    start = time.perf_counter()
    bb = comember_ties(m, backbone="sdsm")
    assert time.perf_counter() - start < 10
    plain = comember_ties(m)
    assert 0 < len(bb) < len(plain) and (bb.p_value < 0.05).all()
    # SDSM tests every pair of members; in a random incidence matrix the share of all pairs
    # kept stays below alpha
    assert len(bb) / (2_000 * 1_999 / 2) < 0.05
    start = time.perf_counter()
    exact = comember_ties(m, backbone="sdsm", sdsm_method="exact")
    assert time.perf_counter() - start < 10
    assert len(bb) <= len(exact) < len(plain)  # the approximation is conservative here


def test_pairs_are_enumerated_in_chunks(monkeypatch):
    import plnanalytics.graph.projection as projection

    m = _random_memberships(400, 30, 3.0, seed=4)
    whole = comember_ties(m)
    monkeypatch.setattr(projection, "PAIR_CHUNK", 7)
    pd.testing.assert_frame_equal(comember_ties(m), whole)


def test_every_pair_of_a_group_is_tied_once():
    members = [f"p{i}" for i in range(6)]
    m = _frame([(p, "Everyone") for p in members])
    ties = comember_ties(m)
    assert list(zip(ties.u, ties.v, strict=True)) == list(combinations(members, 2))
