"""Benchmark: the network over time, chat sessions and suggested introductions at scale.

Generates N tweets of twarc2 JSONL (the generator of ``bench_ingest.py``: a tweet every 30
seconds, so 200,000 tweets span ten weeks; one account for every five tweets), ingests them,
and times in one process, against the whole network's graph and analysis (``build_network``
plus ``analyze``, the unit the ratios are measured in):

- ``timeline`` with weekly windows (each window's graph built and analysed), and its
  per-window cost against the whole analysis;
- ``declining`` over that timeline, for every account;
- ``chat_sessions`` over every post;
- ``suggest_introductions`` (k = 3) for a sample of accounts.

Usage::

    python scripts/bench_time.py                 # 200,000 tweets
    python scripts/bench_time.py -n 50000 --people 500
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_ingest import generate

from plnanalytics import Store, analyze, build_network
from plnanalytics.analysis.recommend import suggest_introductions
from plnanalytics.analysis.sessions import chat_sessions
from plnanalytics.analysis.temporal import declining, timeline


def timed(what: str, rows: list[tuple[str, float, str]], fn, note=lambda r: ""):
    t0 = time.perf_counter()
    result = fn()
    rows.append((what, time.perf_counter() - t0, note(result)))
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", "--tweets", type=int, default=200_000)
    ap.add_argument("--window", default="1w")
    ap.add_argument("--people", type=int, default=1000,
                    help="accounts to suggest introductions for")
    args = ap.parse_args()
    rows: list[tuple[str, float, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "tweets.jsonl"
        generate(archive, args.tweets)
        with Store(Path(tmp) / "s.duckdb") as st:
            st.ingest(archive)
            archive.unlink()
            G, A = timed("whole network: build_network", rows, lambda: build_network(st),
                         lambda r: f"{r[0].number_of_nodes():,} nodes, "
                                   f"{r[0].number_of_edges():,} ties")
            result = timed("whole network: analyze", rows, lambda: analyze(G, matrix=A),
                           lambda r: f"{r.summary['communities']:,} communities")
            tl = timed(f"timeline, window {args.window}", rows,
                       lambda: timeline(st, window=args.window),
                       lambda r: f"{len(r.windows)} windows, {len(r.people):,} rows")
            timed("declining (every account)", rows, lambda: declining(tl),
                  lambda r: f"{len(r):,} of {tl.people['node'].nunique():,} accounts "
                            "flagged (the archive plants no drift)")
            timed("chat_sessions (every post)", rows, lambda: chat_sessions(st, G=G),
                  lambda r: f"{len(r.sessions)} sessions")
        who = random.Random(0).sample(list(G.nodes), min(args.people, G.number_of_nodes()))
        communities = result.metrics.set_index("node")["community"]
        timed(f"suggest_introductions, {len(who):,} people, k=3", rows,
              lambda: suggest_introductions(G, who=who, k=3, communities=communities),
              lambda r: f"{len(r):,} suggestions")
    whole = rows[0][1] + rows[1][1]
    windows = len(tl.windows)
    print(f"{args.tweets:,} tweets; whole network (build + analyze) {whole:.1f} s = 1.0")
    print(f"{'step':<48} {'seconds':>8} {'x whole':>8}  result")
    for what, seconds, note in rows:
        print(f"{what:<48} {seconds:8.1f} {seconds / whole:8.2f}  {note}")
    per = rows[2][1] / windows
    print(f"timeline per window: {per:.2f} s = {per / whole:.2f} x the whole network's "
          f"build + analyze")


if __name__ == "__main__":
    main()
