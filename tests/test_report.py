"""The self-contained HTML/PDF report: sections, no external URL, escaping of hostile text,
pseudonyms, small-group suppression, the PDF and `pln report`."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import cli_said, run_cli
from report_fixtures import HOSTILE_NAME, HOSTILE_POST, SAMPLE, add_hostile, sample_store

from plnanalytics import PlnError, Store, analyze, build_graph, flag_isolation
from plnanalytics.report import ReportResult, write_report
from plnanalytics.report.content import report_content
from plnanalytics.report.export import write_graph, write_table
from plnanalytics.report.html import SECTIONS
from plnanalytics.report.privacy import project_salt, pseudonymize, suppress_small_groups


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    return sample_store(tmp_path_factory.mktemp("report") / "s.duckdb")


@pytest.fixture(scope="module")
def report(store, tmp_path_factory) -> ReportResult:
    out = tmp_path_factory.mktemp("out")
    with Store(store, read_only=True) as s:
        return write_report(s, out / "report.html", pdf=out / "report.pdf", title="Fall term")


@pytest.fixture(scope="module")
def hostile_html(tmp_path_factory) -> str:
    folder = tmp_path_factory.mktemp("hostile")
    store = add_hostile(sample_store(folder / "h.duckdb"))
    with Store(store, read_only=True) as s:
        return write_report(s, folder / "h.html", title=HOSTILE_POST).html.read_text()


def roster() -> list[dict[str, str]]:
    with open(SAMPLE / "roster.csv", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def explorer_data(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="pln-data">(.*?)</script>', html, re.S)
    assert m
    return json.loads(m.group(1))


def test_every_section_is_there(report):
    html = report.html.read_text()
    assert html.startswith("<!DOCTYPE html>")
    for anchor, heading in SECTIONS:
        assert f'<section id="{anchor}">' in html and f"<h2>{heading}</h2>" in html
    assert "<title>Fall term</title>" in html
    assert "Brokers between districts" in html and "Who is in the network" in html
    for word in ("PageRank", "Betweenness", "Modularity", "bridge_dependent (medium)"):
        assert word in html
    assert "naespchat_twarc2.jsonl" in html  # provenance names the files read


def test_nothing_is_fetched_from_outside(report):
    html = report.html.read_text()
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.I)
    assert not re.search(r"<link\b", html, re.I)
    assert not re.search(r"<script[^>]*\bsrc\s*=", html, re.I)
    assert not re.search(r"""url\(\s*["']?(?:https?:)?//""", html, re.I)
    images = re.findall(r'<img[^>]*\bsrc="([^"]*)"', html)
    assert len(images) >= 4 and all(src.startswith("data:image/png;base64,") for src in images)
    assert "vis.Network" in html and "@media print" in html  # inlined explorer, print sheet
    data = explorer_data(html)
    assert len(data["nodes"]) == data["total_nodes"] == 107 and not data["truncated"]


def test_vis_network_is_not_copied_into_the_repository():
    root = Path(__file__).resolve().parents[1]
    assert not [p for p in (root / "plnanalytics").rglob("vis-network*")]


def test_hostile_text_is_escaped(hostile_html):
    html = hostile_html
    assert HOSTILE_NAME not in html and HOSTILE_POST not in html
    assert "<img src=x" not in html and "alert(1)</script>" not in html
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html  # the watchlist, as text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the title and the contexts
    labels = {n["label"] for n in explorer_data(html)["nodes"]}
    assert HOSTILE_NAME in labels


def test_pseudonymized_outputs_carry_no_name_or_handle(store, tmp_path):
    work = tmp_path / "s.duckdb"
    shutil.copy(store, work)
    with Store(work) as s:
        a = write_report(s, tmp_path / "a.html", names=False).html.read_text()
        b = write_report(s, tmp_path / "b.html", names=False).html.read_text()
        G = build_graph(s)
        salt = project_salt(s)
    result = analyze(G)
    G2, metrics, flags = pseudonymize(result.graph, result.metrics, flag_isolation(G),
                                      salt=salt)
    write_graph(G2, tmp_path / "g.graphml")
    write_graph(G2, tmp_path / "g.gexf")
    write_table(metrics, tmp_path / "metrics.csv")
    write_table(flags, tmp_path / "flags.csv")
    outputs = {"a.html": a, **{p: (tmp_path / p).read_text() for p in
                               ("g.graphml", "g.gexf", "metrics.csv", "flags.csv")}}
    secrets = [t for r in roster() for t in (r["name"], r["email"], r["school"], r["x_user_id"])
               if t]
    secrets += [f"@{r['x_handle']}" for r in roster() if r["x_handle"]]
    with Store(work, read_only=True) as s:
        accounts = s.table("accounts")
    secrets += [f"@{h}" for h in accounts["handle"].dropna()]
    secrets += [a for a in accounts["account"] if a.startswith("x:")]
    for name, text in outputs.items():
        found = [t for t in secrets if t in text]
        assert not found, f"{name} shows {found[:5]}"
    assert "Person " in a and "Account " in a and "names off" in a
    # stable: the same pseudonyms in both runs, and in the separately pseudonymized tables
    labels_a = sorted(n["label"] for n in explorer_data(a)["nodes"])
    assert labels_a == sorted(n["label"] for n in explorer_data(b)["nodes"])
    assert set(flags["name"]) <= set(labels_a)
    assert set(flags["node"]) <= set(G2.nodes)


def test_salt_needs_a_writable_store_once(store, tmp_path):
    work = tmp_path / "s.duckdb"
    shutil.copy(store, work)
    with Store(work, read_only=True) as s, pytest.raises(PlnError, match="read-only"):
        write_report(s, tmp_path / "r.html", names=False)
    with Store(work) as s:
        salt = project_salt(s)
    with Store(work, read_only=True) as s:
        assert project_salt(s) == salt
        write_report(s, tmp_path / "r.html", names=False)


def test_small_groups_are_suppressed(store):
    with Store(store, read_only=True) as s:
        G = build_graph(s)
        analysis = analyze(G)
        shown = report_content(s, graph=G, analysis=analysis, min_group=5).breakdown
        merged = report_content(s, graph=G, analysis=analysis, min_group=19).breakdown
    assert list(shown["district / role"]) == ["Cedar Valley Unified / principal",
                                              "Lakeshore County Schools / principal",
                                              "Riverbend Public Schools / principal"]
    assert list(merged["district / role"]) == ["Cedar Valley Unified / principal",
                                               "Riverbend Public Schools / principal",
                                               "other (suppressed)"]
    assert merged["roster people"].iloc[-1] == "fewer than 19"
    t = pd.DataFrame({"role": ["principal", "coach", "superintendent"], "count": [9, 4, 3]})
    out = suppress_small_groups(t, "role", min_group=5)
    assert out.to_dict("list") == {"role": ["principal", "other (suppressed)"], "count": [9, 7]}
    assert suppress_small_groups(t, "role", min_group=1).equals(t)


def test_pdf_has_every_section(report):
    data = report.pdf.read_bytes()
    assert data.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", data))
    assert pages >= 6


def test_cli_report(store, tmp_path):
    html, pdf = tmp_path / "r.html", tmp_path / "r.pdf"
    r = run_cli("report", "--store", store, "--out", html, "--pdf", pdf, "--title", "Board")
    assert r.exit_code == 0, cli_said(r)
    assert f"Wrote {html}" in r.output and f"Wrote {pdf}" in r.output
    assert "<title>Board</title>" in html.read_text() and pdf.stat().st_size > 0
    work = tmp_path / "w.duckdb"
    shutil.copy(store, work)
    r = run_cli("report", "--store", work, "--out", tmp_path / "p.html", "--pseudonymize",
                "--min-group", "19")
    assert r.exit_code == 0, cli_said(r)
    text = (tmp_path / "p.html").read_text()
    assert "Odette Fairweather" not in text and "other (suppressed)" in text


def test_cli_report_missing_store(tmp_path):
    r = run_cli("report", "--store", tmp_path / "none.duckdb", "--out", tmp_path / "r.html")
    assert r.exit_code == 1
    assert "error:" in cli_said(r) and "no such store" in cli_said(r)
    assert not (tmp_path / "none.duckdb").exists()
