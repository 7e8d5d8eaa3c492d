"""Benchmark: a twarc2 archive through ingest, analysis, the watchlist and the report.

Generates N tweets of twarc2 JSONL (the generator of ``bench_ingest.py``: realistic API
pages, about 3 KB a tweet, one account for every five tweets, 45% retweets, 25% replies, 5%
quotes, mentions), writes a project file for it and, each in a fresh process, times

- ``pln run project.toml``: ingest -> graph -> analysis (the five files) -> watchlist ->
  identity review -> report.html, the one command an association runs; and, with
  ``--steps``, the separate commands ``pln ingest``, ``pln analyze``, ``pln flags`` and
  ``pln report`` (each builds the graph from the store again);

printing seconds and peak memory (max RSS) of each, the graph's size, and the report's size
and number of nodes in its explorer (the report shows the top nodes by PageRank and every
flagged person above 5,000 nodes, so it stays usable in a browser).

Usage::

    python scripts/bench_pipeline.py                  # 1,000,000 tweets
    python scripts/bench_pipeline.py -n 200000 --steps
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_ingest import generate, measure

TARGET_SECONDS = 120


def project_file(folder: Path, archive: Path) -> Path:
    """A project file for the archive: everything at its defaults."""
    path = folder / "project.toml"
    path.write_text(f'[project]\nname = "Benchmark chat"\nstore = "bench.duckdb"\n'
                    f'out = "analysis"\n\n[[sources]]\npath = "{archive.name}"\n'
                    f'format = "twarc2"\n', encoding="utf-8")
    return path


def report_facts(html: Path) -> str:
    """The report's size and the nodes of its explorer."""
    text = html.read_text(encoding="utf-8")
    found = re.search(r'<script type="application/json" id="pln-data">(.*?)</script>', text,
                      re.S)
    nodes = len(json.loads(found.group(1))["nodes"]) if found else 0
    return f"report.html {len(text.encode()) / 1e6:,.1f} MB, {nodes:,} nodes in the explorer"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", "--tweets", type=int, default=1_000_000)
    ap.add_argument("--steps", action="store_true",
                    help="also time pln ingest, analyze, flags and report one by one")
    ap.add_argument("--workdir", type=Path, help="where to write the files (default: temp)")
    args = ap.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="pln-pipeline-"))
    workdir.mkdir(parents=True, exist_ok=True)
    pln = shutil.which("pln", path=os.path.dirname(sys.executable)) or "pln"
    try:
        archive = workdir / f"chat_{args.tweets}.jsonl"
        if not archive.exists():
            started = time.perf_counter()
            generate(archive, args.tweets)
            print(f"generated {args.tweets:,} tweets ({archive.stat().st_size / 1e9:.2f} GB) "
                  f"in {time.perf_counter() - started:.0f} s")
        toml = project_file(workdir, archive)
        store, out = workdir / "bench.duckdb", workdir / "analysis"
        store.unlink(missing_ok=True)
        shutil.rmtree(out, ignore_errors=True)
        print(f"{'step':<44} {'seconds':>8} {'peak MB':>8}")
        seconds, rss = measure([pln, "run", str(toml)])
        verdict = "within" if seconds <= TARGET_SECONDS else "OVER"
        print(f"{'pln run (ingest, analyze, flags, report)':<44} {seconds:>8.1f} {rss:>8,.0f}"
              f"   {verdict} the {TARGET_SECONDS} s target", flush=True)
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        print(f"  graph: {summary['nodes']:,} nodes, {summary['edges']:,} edges; "
              f"{report_facts(out / 'report.html')}")
        if args.steps:
            store.unlink(missing_ok=True)
            steps = [("pln ingest", ["ingest", str(archive), "--store", str(store)]),
                     ("pln analyze", ["analyze", "--store", str(store), "--out",
                                      str(workdir / "steps")]),
                     ("pln flags", ["flags", "--store", str(store), "--out",
                                    str(workdir / "flags.csv")]),
                     ("pln report", ["report", "--store", str(store), "--out",
                                     str(workdir / "report.html")])]
            total = 0.0
            for label, cmd in steps:
                seconds, rss = measure([pln, *cmd])
                total += seconds
                print(f"{label:<44} {seconds:>8.1f} {rss:>8,.0f}", flush=True)
            print(f"{'the four commands':<44} {total:>8.1f}")
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
