"""Benchmark: the full ``pln analyze`` metric set against the networkx + python-louvain reference.

For each size, a synthetic heavy-tailed directed graph (chat-like: skewed activity and
popularity, communities of about 200 accounts holding 80% of the ties, a tenth of the
accounts in ten districts) is analysed, each in a fresh process so that its peak memory
(max RSS) is its own, by

- ``plnanalytics``: :func:`plnanalytics.analysis.analyze` (every metric of ``metrics.csv``,
  the communities and their table, the network summary) with the default engine, which is
  the compiled one (networkit) above its size threshold;
- ``reference``: the same measures with networkx and python-louvain, the way a researcher
  would compute them (betweenness and harmonic closeness sampled with the same number of
  sources, PageRank, eigenvector, clustering, coreness, components, reciprocity, Louvain
  and its modularity); Burt's constraint and effective size are left out of the reference
  (quadratic in networkx, so this flatters the reference).

It prints the seconds of both, their ratio, peak memory and the modularity each found.
Targets on the 2-core development machine: at least 25 times faster than the reference at
100k nodes / 500k edges, and the full analysis of 200k / 2M in at most 30 s and 3 GB.

Usage::

    python scripts/bench_analysis.py                      # 10k/50k, 100k/500k, 200k/2M
    python scripts/bench_analysis.py --size 20000:100000 --reference-max-nodes 0
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

import networkx as nx
import numpy as np

SIZES = ["10000:50000", "100000:500000", "200000:2000000"]


def graph(nodes: int, ties: int, seed: int = 1) -> nx.DiGraph:
    """A chat-like directed graph with weights and districts (see the module notes)."""
    rng = np.random.default_rng(seed)
    community = rng.integers(0, max(1, nodes // 200), nodes)
    activity = rng.pareto(1.5, nodes) + 1
    popularity = rng.pareto(1.2, nodes) + 1
    src = rng.choice(nodes, ties, p=activity / activity.sum())
    dst = rng.choice(nodes, ties, p=popularity / popularity.sum())
    inside = np.flatnonzero(rng.random(ties) < 0.8)
    order = np.argsort(community, kind="stable")
    starts = np.searchsorted(community[order], np.arange(community.max() + 2))
    c = community[src[inside]]
    size = starts[c + 1] - starts[c]
    dst[inside] = order[starts[c] + (rng.random(len(inside)) * size).astype(np.int64)]
    keep = src != dst
    pairs, weight = np.unique(np.stack([src[keep], dst[keep]], axis=1), axis=0,
                              return_counts=True)
    G = nx.DiGraph()
    G.add_nodes_from(range(nodes))
    district = {int(v): f"District {i % 10}"
                for i, v in enumerate(rng.choice(nodes, nodes // 10, replace=False))}
    nx.set_node_attributes(G, district, "organization")
    G.add_weighted_edges_from(zip(pairs[:, 0].tolist(), pairs[:, 1].tolist(),
                                  weight.astype(float).tolist(), strict=True))
    return G


def ours(G: nx.DiGraph, seed: int) -> dict:
    from plnanalytics.analysis import analyze

    result = analyze(G, seed=seed)
    settings = result.summary["settings"]
    return {"modularity": result.summary.get("modularity"),
            "engine": settings.get("engine", "networkx"),
            "communities": settings.get("communities", "louvain"),
            "betweenness": settings.get("betweenness")}


def reference(G: nx.DiGraph, seed: int, k: int | None) -> dict:
    import community as community_louvain

    n = G.number_of_nodes()
    k = None if k is None or k >= n else k
    nx.betweenness_centrality(G, k=k, seed=seed, normalized=True)
    sources = list(G) if k is None else list(np.random.default_rng(seed).choice(
        list(G), k, replace=False))
    nx.harmonic_centrality(G, sources=sources)
    nx.pagerank(G, weight="weight")
    nx.reciprocity(G)
    list(nx.weakly_connected_components(G))
    U = G.to_undirected()
    U.remove_edges_from(nx.selfloop_edges(U))
    giant = U.subgraph(max(nx.connected_components(U), key=len))  # networkx needs it connected
    nx.eigenvector_centrality_numpy(giant, weight="weight")
    nx.clustering(U)
    nx.core_number(U)
    partition = community_louvain.best_partition(U, random_state=seed)
    return {"modularity": community_louvain.modularity(partition, U), "k": k}


def one(nodes: int, ties: int, which: str, seed: int) -> None:
    """Run one measurement in this process and print it as JSON."""
    G = graph(nodes, ties, seed)
    started = time.perf_counter()
    if which == "ours":
        facts = ours(G, seed)
    else:
        bc = json.loads(sys.argv[sys.argv.index("--k") + 1]) if "--k" in sys.argv else None
        facts = reference(G, seed, bc)
    seconds = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "rss": rss, "nodes": G.number_of_nodes(),
                      "edges": G.number_of_edges(), **facts}))


def run(nodes: int, ties: int, which: str, seed: int, k: int | None = None) -> dict:
    cmd = [sys.executable, __file__, "--one", f"{nodes}:{ties}:{which}", "--seed", str(seed)]
    if k is not None:
        cmd += ["--k", json.dumps(k)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode:
        sys.exit(f"failed: {' '.join(cmd)}\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", action="append", help="NODES:TIES (repeatable); default "
                    + ", ".join(SIZES))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--reference-max-nodes", type=int, default=100_000,
                    help="run the networkx reference only up to this many nodes")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    ap.add_argument("--k", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        nodes, ties, which = args.one.split(":")
        one(int(nodes), int(ties), which, args.seed)
        return
    print(f"{'graph':>22} {'ours s':>8} {'ours MB':>8} {'engine':>22} {'Q ours':>7} "
          f"{'ref s':>8} {'ref MB':>8} {'Q ref':>7} {'ratio':>7}")
    for size in args.size or SIZES:
        nodes, ties = map(int, size.split(":"))
        mine = run(nodes, ties, "ours", args.seed)
        engine = f"{mine['engine']}/{mine['communities']}"
        line = (f"{mine['nodes']:>9,}/{mine['edges']:>12,} {mine['seconds']:>8.1f} "
                f"{mine['rss']:>8,.0f} {engine:>22} {mine['modularity']:>7.3f}")
        if nodes <= args.reference_max_nodes:
            bc = mine.get("betweenness") or {}
            ref = run(nodes, ties, "reference", args.seed, bc.get("k") if bc.get("sampled")
                      else None)
            line += (f" {ref['seconds']:>8.1f} {ref['rss']:>8,.0f} {ref['modularity']:>7.3f} "
                     f"{ref['seconds'] / mine['seconds']:>6.1f}x")
        print(line, flush=True)
        if mine.get("betweenness", {}).get("sampled"):
            print(f"{'':>22} betweenness sampled: k = {mine['betweenness'].get('k')}, "
                  f"seed {mine['betweenness'].get('seed')}")


if __name__ == "__main__":
    main()
