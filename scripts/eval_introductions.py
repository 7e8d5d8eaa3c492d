"""Evaluate suggested introductions by hiding ties (link prediction), against two baselines.

For each data set and each seed:

1. take the undirected distinct ties between roster people (every node when there is no
   roster), self-loops left out;
2. hide a random share of them (``--hide``, default 20%), and remove them, in both
   directions, from a copy of the graph: every node and node attribute stays;
3. recompute the communities on that training graph (nothing of the hidden ties leaks in);
   groups (PLCs, channels) are side information a district has anyway and are kept;
4. for each person with at least one hidden tie, ask
   :func:`plnanalytics.analysis.recommend.suggest_introductions` for ``max(k)`` suggestions
   among the roster (the same candidate pool as the baselines: not the person, not anyone
   they are tied to in the training graph) and score the first ``k``:

   - hit rate@k: share of these people with at least one hidden tie among their ``k``;
   - precision@k: hidden ties among the ``k`` divided by ``k``, averaged over people.

Baselines on the same splits and pools: ``random`` is the exact expectation over all
random draws of ``k`` untied candidates (hypergeometric: a hit rate of
``1 - C(N - h, k) / C(N, k)`` and a precision of ``h / N`` for ``N`` candidates of which ``h``
are hidden ties; this is the limit of averaging over many draws); ``most-connected`` offers
the ``k`` untied candidates with the most contacts in the training graph (ties by key).
For context (an ablation, not a baseline to beat), ``AA only`` is the same function with
every weight but ``triad`` at 0: plain Adamic-Adar, ties and people without common
contacts by key.

Data sets:

- ``sample``: the synthetic sample project of ``data/sample`` (X chat, TAGS archive, roster,
  Slack export, PLC groups, the advice survey with ``min_frequency=3``) ingested into a
  temporary store, the graph built with :func:`plnanalytics.graph.build.build_graph`, the
  groups read with :func:`plnanalytics.analysis.recommend.node_groups`;
- ``synthetic``: a held-out network made here (see :func:`synthetic_network`) with its
  own seed (``--synthetic-seed``), which was not looked at while the weights of
  :class:`plnanalytics.analysis.recommend.Weights` were chosen.

The weights are the library defaults; nothing is tuned on this output.

Usage::

    python scripts/eval_introductions.py
    python scripts/eval_introductions.py --seeds 5 --hide 0.2 --k 1,3,5,10 --json out.json
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

from plnanalytics import Store
from plnanalytics.analysis.communities import detect, node_sort_key
from plnanalytics.analysis.recommend import Weights, node_groups, suggest_introductions
from plnanalytics.graph.build import build_graph

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"


# -- data sets ----------------------------------------------------------------------------

def sample_network() -> tuple[nx.DiGraph, dict[str, set[str]]]:
    """The sample project's graph and groups (ingested as ``data/sample/pln.toml`` does)."""
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "eval.duckdb") as st:
        st.ingest(SAMPLE / "naespchat_twarc2.jsonl")
        st.ingest(SAMPLE / "principallife_tags.csv")
        st.ingest(SAMPLE / "roster.csv")
        st.ingest(SAMPLE / "district_slack.zip")
        st.ingest(SAMPLE / "plc_groups.csv", format="groups")
        st.ingest(SAMPLE / "advice_survey.csv", format="survey", min_frequency=3)
        G = build_graph(st)
        groups = node_groups(st, G)
    return G, groups


def synthetic_network(seed: int, districts: int = 8, schools: int = 45
                      ) -> tuple[nx.DiGraph, dict[str, set[str]]]:
    """A held-out principals' network: districts x schools, with the usual mechanisms.

    - ``districts * schools`` school leaders, each with a district, a level (elementary 60%,
      middle 25%, high 15%), a role (principal 75%, assistant principal 25%) and years of
      experience (a quarter novices with 0-2 years, the rest 3-25), and a lognormal
      "sociability" that makes degrees heavy-tailed; 3% are absent (no tie at all);
    - groups: one PLC per district and level (70% of those leaders join), a new-principals
      cohort per pair of districts (80% of the novices join), a district leadership committee
      (5 of the most experienced), and six cross-district interest groups of 8-20 people;
    - ties (undirected first): homophily (probability 0.05 within a district, 0.004 across,
      times the two sociabilities, doubled for the same level), ties within a shared PLC or
      committee (0.12) and cohort (0.25), mentoring (each novice tied to 1-2 leaders with 8+
      years, 60% in their own district), then two rounds of triadic closure (each leader
      closes one random open wedge of theirs with probability 0.6);
    - direction: each tie goes one way at random and is mutual with probability 0.5.
    """
    rng = np.random.default_rng(seed)
    n = districts * schools
    district = np.repeat(np.arange(districts), schools)
    level = rng.choice(3, size=n, p=[0.6, 0.25, 0.15])
    role = rng.choice(2, size=n, p=[0.75, 0.25])
    novice = rng.random(n) < 0.25
    years = np.where(novice, rng.integers(0, 3, size=n), rng.integers(3, 26, size=n))
    social = rng.lognormal(0.0, 0.6, size=n)
    absent = rng.random(n) < 0.03
    levels = ("Elementary", "Middle", "High")
    names = [f"D{d + 1}" for d in range(districts)]

    groups: dict[int, set[str]] = {i: set() for i in range(n)}
    members: dict[str, list[int]] = {}

    def join(name: str, who: np.ndarray) -> None:
        members[name] = [int(i) for i in who]
        for i in who:
            groups[int(i)].add(name)

    for d in range(districts):
        for lv in range(3):
            pool = np.flatnonzero((district == d) & (level == lv))
            join(f"{names[d]} {levels[lv]} PLC", pool[rng.random(pool.size) < 0.7])
        staff = np.flatnonzero(district == d)
        join(f"{names[d]} Leadership Committee", staff[np.argsort(-years[staff])[:5]])
    for d in range(0, districts, 2):
        pool = np.flatnonzero(novice & ((district == d) | (district == d + 1)))
        join(f"New Principals Cohort {d // 2 + 1}", pool[rng.random(pool.size) < 0.8])
    for g in range(6):
        join(f"Interest Group {g + 1}", rng.choice(n, size=int(rng.integers(8, 21)),
                                                   replace=False))

    A = np.zeros((n, n), dtype=bool)
    same_d = district[:, None] == district[None, :]
    p = np.where(same_d, 0.05, 0.004) * np.outer(social, social)
    p *= np.where(level[:, None] == level[None, :], 2.0, 1.0)
    A |= rng.random((n, n)) < np.minimum(p, 1.0)
    for name, who in members.items():
        q = 0.25 if name.startswith("New Principals") else 0.12
        for a in range(len(who)):
            for b in range(a + 1, len(who)):
                if rng.random() < q:
                    A[who[a], who[b]] = True
    senior = np.flatnonzero(years >= 8)
    for i in np.flatnonzero(novice):
        for _ in range(int(rng.integers(1, 3))):
            local = senior[district[senior] == district[i]]
            pool = local if (local.size and rng.random() < 0.6) else senior
            A[i, int(rng.choice(pool))] = True
    A = A | A.T
    np.fill_diagonal(A, False)
    A[absent, :] = False
    A[:, absent] = False
    for _ in range(2):
        for i in rng.permutation(n):
            nb = np.flatnonzero(A[i])
            if nb.size == 0:
                continue
            j = int(rng.choice(nb))
            far = np.flatnonzero(A[j] & ~A[i])
            far = far[far != i]
            if far.size and rng.random() < 0.6:
                c = int(rng.choice(far))
                A[i, c] = A[c, i] = True

    G = nx.DiGraph()
    key = [f"roster:S{i:04d}" for i in range(n)]
    for i in range(n):
        G.add_node(key[i], label=f"Leader {i:04d}", person_id=f"S{i:04d}", on_roster=True,
                   organization=names[district[i]], unit=f"{names[district[i]]}-{i % schools}",
                   role=("principal", "assistant principal")[role[i]],
                   years_as_principal=int(years[i]), level=levels[level[i]])
    iu, ju = np.nonzero(np.triu(A, 1))
    mutual = rng.random(iu.size) < 0.5
    forward = rng.random(iu.size) < 0.5
    for a, b, m, f in zip(iu.tolist(), ju.tolist(), mutual, forward, strict=True):
        u, v = (key[a], key[b]) if f else (key[b], key[a])
        G.add_edge(u, v, weight=1.0, count=1)
        if m:
            G.add_edge(v, u, weight=1.0, count=1)
    return G, {key[i]: gs for i, gs in groups.items() if gs}


# -- evaluation ---------------------------------------------------------------------------

def evaluate(G: nx.DiGraph, groups: dict[str, set[str]], *, ks: list[int], seeds: int,
             hide: float) -> list[dict]:
    """Hit rate and precision at each k of ours and the baselines, averaged over seeds."""
    roster = [v for v, d in G.nodes(data=True) if d.get("on_roster")]
    pool = sorted(roster or list(G.nodes), key=node_sort_key)
    inpool = set(pool)
    ties = sorted({tuple(sorted((u, v), key=node_sort_key)) for u, v in G.edges()
                   if u != v and u in inpool and v in inpool}, key=lambda t: (
                       node_sort_key(t[0]), node_sort_key(t[1])))
    kmax = max(ks)
    methods = ("ours", "random", "most_connected", "aa_only")
    aa_only = Weights(**{f: 1.0 if f == "triad" else 0.0 for f in Weights().as_dict()})
    totals = {(m, k, s): [] for m in methods for k in ks
              for s in ("hit", "precision")}
    people_counts = []
    for seed in range(seeds):
        rng = np.random.default_rng(seed)
        chosen = rng.choice(len(ties), size=round(hide * len(ties)), replace=False)
        hidden = [ties[i] for i in sorted(chosen)]
        train = G.copy()
        train.remove_edges_from([(u, v) for u, v in hidden] + [(v, u) for u, v in hidden])
        truth: dict[str, set[str]] = {}
        for u, v in hidden:
            truth.setdefault(u, set()).add(v)
            truth.setdefault(v, set()).add(u)
        people = sorted(truth, key=node_sort_key)
        people_counts.append(len(people))
        comm = detect(train, seed=seed)
        ours = suggest_introductions(train, who=people, k=kmax, communities=comm,
                                     groups=groups, candidates=pool, seed=seed)
        ranked = ours.groupby("node", sort=False)["candidate"].apply(list).to_dict()
        plain = suggest_introductions(train, who=people, k=kmax, communities=comm,
                                      groups=groups, candidates=pool, weights=aa_only)
        ranked_aa = plain.groupby("node", sort=False)["candidate"].apply(list).to_dict()
        H = train.to_undirected(as_view=True)
        degree = {v: len(set(H[v]) - {v}) for v in pool}
        by_degree = sorted(pool, key=lambda v: (-degree[v], node_sort_key(v)))
        for u in people:
            tied = set(H[u]) | {u}
            n_cand = len(inpool - tied)
            h = len(truth[u])
            top = [v for v in by_degree if v not in tied][:kmax]
            mine = ranked.get(u, [])
            for k in ks:
                for name, picks in (("ours", mine[:k]), ("most_connected", top[:k]),
                                    ("aa_only", ranked_aa.get(u, [])[:k])):
                    hits = len(set(picks) & truth[u])
                    totals[(name, k, "hit")].append(float(hits > 0))
                    totals[(name, k, "precision")].append(hits / k)
                kk = min(k, n_cand)
                miss = math.comb(n_cand - h, kk) / math.comb(n_cand, kk) if n_cand else 1.0
                totals[("random", k, "hit")].append(1.0 - miss)
                totals[("random", k, "precision")].append(h * kk / n_cand / k if n_cand
                                                          else 0.0)
    rows = []
    for k in ks:
        row = {"k": k, "people": float(np.mean(people_counts)), "hidden_ties": round(
            hide * len(ties)), "ties": len(ties)}
        for m in methods:
            for s in ("hit", "precision"):
                row[f"{m}_{s}"] = float(np.mean(totals[(m, k, s)]))
        row["ours_over_random"] = row["ours_hit"] / row["random_hit"]
        row["ours_over_most_connected"] = row["ours_hit"] / row["most_connected_hit"]
        rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, default=5, help="random splits per data set")
    ap.add_argument("--hide", type=float, default=0.2, help="share of ties hidden")
    ap.add_argument("--k", default="1,3,5,10", help="suggestions per person, comma-separated")
    ap.add_argument("--synthetic-seed", type=int, default=20261126,
                    help="seed of the held-out synthetic network")
    ap.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    args = ap.parse_args(argv)
    ks = sorted({int(x) for x in args.k.split(",") if x.strip()})

    sets = {"sample": sample_network(), "synthetic": synthetic_network(args.synthetic_seed)}
    results = []
    for name, (G, groups) in sets.items():
        for row in evaluate(G, groups, ks=ks, seeds=args.seeds, hide=args.hide):
            results.append({"dataset": name, "nodes": G.number_of_nodes()} | row)
    table = pd.DataFrame(results)
    shown = pd.DataFrame({
        "dataset": table["dataset"], "k": table["k"],
        "people": table["people"].round(1), "ties": table["ties"],
        "hit ours": table["ours_hit"].map("{:.3f}".format),
        "hit random": table["random_hit"].map("{:.3f}".format),
        "hit most-conn": table["most_connected_hit"].map("{:.3f}".format),
        "ours/random": table["ours_over_random"].map("{:.2f}".format),
        "ours/most-conn": table["ours_over_most_connected"].map("{:.2f}".format),
        "hit AA only": table["aa_only_hit"].map("{:.3f}".format),
        "prec ours": table["ours_precision"].map("{:.3f}".format),
        "prec random": table["random_precision"].map("{:.3f}".format),
        "prec most-conn": table["most_connected_precision"].map("{:.3f}".format),
    })
    print(f"hit rate@k and precision@k, {args.seeds} seeds, {args.hide:.0%} of ties hidden; "
          "people = those with a hidden tie (mean over seeds)")
    print(shown.to_string(index=False))
    if args.json:
        Path(args.json).write_text(json.dumps({"settings": vars(args), "results": results},
                                              indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
