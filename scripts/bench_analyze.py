"""Benchmark ``pln analyze`` and ``pln flags``: the sample data and a synthetic 10k-node network.

Prints the time of each step (build the graph from the store, metrics, communities and
summary, the watchlist, writing the files) and, for the metrics we vectorized ourselves,
the ratio of our time to networkx's reference implementation on the same graph, measured
in the same run (this machine is shared and noisy, so compare ratios, not seconds).

Usage::

    python scripts/bench_analyze.py [--nodes 10000] [--ties 60000] [--seed 1]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

from plnanalytics import Dataset, Store
from plnanalytics.analysis import analyze, flag_isolation
from plnanalytics.analysis.brokerage import brokerage_roles, constraint, effective_size
from plnanalytics.graph.build import build_graph
from plnanalytics.report.export import write_analysis

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
KINDS = np.array(["reply", "mention", "retweet", "quote"])


def synthetic(nodes: int, ties: int, seed: int) -> Dataset:
    """A chat-like network: communities of about 200 accounts, skewed activity and
    popularity, 80% of ties inside a community, a roster of a tenth of the accounts in ten
    districts (some of them never active) and posters without ties."""
    rng = np.random.default_rng(seed)
    community = rng.integers(0, max(1, nodes // 200), nodes)
    activity = rng.pareto(1.5, nodes) + 1
    popularity = rng.pareto(1.2, nodes) + 1
    src = rng.choice(nodes, ties, p=activity / activity.sum())
    dst = rng.choice(nodes, ties, p=popularity / popularity.sum())
    inside = rng.random(ties) < 0.8
    members = pd.Series(np.arange(nodes)).groupby(community).apply(np.array)
    for c, idx in pd.Series(np.flatnonzero(inside)).groupby(community[src[inside]]):
        pool = members[c]
        w = popularity[pool] / popularity[pool].sum()
        dst[idx.to_numpy()] = rng.choice(pool, len(idx), p=w)
    keep = src != dst
    src, dst = src[keep], dst[keep]
    n = len(src)
    start = pd.Timestamp("2025-09-01", tz="UTC")
    ts = start + pd.to_timedelta(rng.integers(0, 90 * 86400, n), unit="s")
    post_ids = np.char.add("p", np.arange(n).astype(str))
    interactions = pd.DataFrame({
        "platform": "x", "kind": KINDS[rng.integers(0, 4, n)],
        "src": np.char.add("x:", src.astype(str)), "dst": np.char.add("x:", dst.astype(str)),
        "ts": ts, "weight": 1.0, "context": "#edchat", "post_id": post_ids})
    silent = rng.choice(nodes, nodes // 20, replace=False)
    authors = np.concatenate([src, silent])
    posts = pd.DataFrame({
        "post_id": np.concatenate([post_ids, np.char.add("q", np.arange(len(silent)).astype(str))]),
        "platform": "x", "author": np.char.add("x:", authors.astype(str)),
        "created_at": np.concatenate([ts, ts[: len(silent)]]),
        "contexts": [["#edchat"]] * len(authors)})
    roster_ids = rng.choice(nodes, nodes // 10, replace=False)
    people = pd.DataFrame({
        "person_id": [f"P{i:05d}" for i in range(len(roster_ids))],
        "name": [f"Principal {i}" for i in range(len(roster_ids))],
        "organization": [f"District {i % 10}" for i in range(len(roster_ids))],
        "role": "principal"})
    linked = people.sample(frac=0.97, random_state=seed)
    identities = pd.DataFrame({"account": "x:" + pd.Series(roster_ids[linked.index]).astype(str),
                               "person_id": linked["person_id"].to_numpy(),
                               "method": "explicit", "confidence": 1.0})
    accounts = pd.DataFrame({"account": "x:" + pd.Series(np.arange(nodes)).astype(str),
                             "platform": "x",
                             "handle": "user" + pd.Series(np.arange(nodes)).astype(str)})
    return Dataset(posts=posts, interactions=interactions, accounts=accounts, people=people,
                   identities=identities)


def timed(label: str, fn, *args, **kwargs):
    t = time.perf_counter()
    result = fn(*args, **kwargs)
    seconds = time.perf_counter() - t
    print(f"  {label:<34} {seconds:8.2f} s")
    return result, seconds


def run(store: Store, out: Path, title: str) -> nx.DiGraph:
    print(title)
    G, t_build = timed("build graph from the store", build_graph, store)
    print(f"  {'':<34} {G.number_of_nodes():,} nodes, {G.number_of_edges():,} edges")
    result, t_an = timed("analyze (metrics, communities)", analyze, G)
    flags, t_fl = timed("flags (watchlist)", flag_isolation, G)
    _, t_wr = timed("write the five files", write_analysis, result, out)
    print(f"  {'total':<34} {t_build + t_an + t_fl + t_wr:8.2f} s "
          f"({len(flags):,} flags; betweenness {result.summary['settings']['betweenness']})")
    return G


def compare(G: nx.DiGraph) -> None:
    print("Vectorized metrics against networkx on the same graph (ratio = ours / networkx)")
    for name, ours, ref in (
        ("constraint", lambda: constraint(G), lambda: nx.constraint(G, weight="weight")),
        ("effective size", lambda: effective_size(G),
         lambda: nx.effective_size(G, weight="weight")),
    ):
        _, a = timed(f"{name} (plnanalytics)", ours)
        _, b = timed(f"{name} (networkx)", ref)
        print(f"  {name + ' ratio':<34} {a / b:8.3f}")
    timed("brokerage roles (no nx reference)", brokerage_roles, G, "organization")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nodes", type=int, default=10_000)
    ap.add_argument("--ties", type=int, default=60_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--compare-max-nodes", type=int, default=3000,
                    help="compare with networkx on a graph of at most this many nodes")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        with Store(tmp / "sample.duckdb") as st:
            for name, fmt in (("naespchat_twarc2.jsonl", "twarc2"),
                              ("principallife_tags.csv", "tags"), ("roster.csv", "roster")):
                st.ingest(SAMPLE / name, format=fmt)
            run(st, tmp / "sample", "Sample data (data/sample)")
        with Store(tmp / "big.duckdb") as st:
            st.add(synthetic(args.nodes, args.ties, args.seed))
            G = run(st, tmp / "big", f"Synthetic network ({args.nodes:,} accounts, "
                                     f"{args.ties:,} interactions)")
        if G.number_of_nodes() > args.compare_max_nodes:
            keep = sorted(G, key=G.degree, reverse=True)[: args.compare_max_nodes]
            G = G.subgraph(keep).copy()
        compare(G)


if __name__ == "__main__":
    main()
