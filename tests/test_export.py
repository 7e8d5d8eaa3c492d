"""Tables written for spreadsheets neutralize formulas; graph files read back like networkx's."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import networkx as nx
import openpyxl
import pandas as pd
import pytest

from plnanalytics import PlnError, write_table
from plnanalytics.analysis import analyze
from plnanalytics.report.export import _plain, write_analysis, write_graph

HOSTILE = pd.DataFrame({"name": ["=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "Ann"],
                        "degree": [1, 2, 3, 4, 5]})


def test_xlsx_cells_are_guarded(tmp_path):
    assert write_table(HOSTILE, tmp_path / "t.xlsx") == 5
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx").active
    names = [ws.cell(row=i, column=1).value for i in range(2, 7)]
    assert names == ["'=HYPERLINK(\"http://x\")", "'+1", "'-2", "'@SUM(A1)", "Ann"]
    assert [ws.cell(row=i, column=2).value for i in range(2, 7)] == [1, 2, 3, 4, 5]
    assert not any(ws.cell(row=i, column=1).data_type == "f" for i in range(2, 7))
    assert not (tmp_path / "t.xlsx.part").exists()


def test_csv_guarded_unless_raw_and_unknown_suffix(tmp_path):
    write_table(HOSTILE, tmp_path / "t.csv")
    assert "'=HYPERLINK" in (tmp_path / "t.csv").read_text()
    write_table(HOSTILE, tmp_path / "raw.csv", guard=False)
    assert "\n=HYPERLINK" in (tmp_path / "raw.csv").read_text().replace('"=', "=")
    with pytest.raises(PlnError, match=r"\.csv, \.xlsx or \.parquet"):
        write_table(HOSTILE, tmp_path / "t.json")


# --------------------------------------------------------------------------- graph files


def _graphs():
    G = nx.DiGraph(name="chat", since="2024-01-01", n_posts=3)
    G.add_node("a", label="Ann", organization="North", pagerank=0.25, posts=3, on_roster=True)
    G.add_node("b", organization=None, pagerank=float("nan"), posts=2)
    G.add_node("c", label='<b>&"\'', note="caf\u00e9 \u2713\x01\ttab\nline", mixed=1)
    G.add_node("d", mixed=2.5)
    G.add_node("e", mixed="x")
    G.add_edge("a", "b", weight=2.0, count=2, contexts="#edchat; #k12")
    G.add_edge("b", "a", weight=1, count=1)
    G.add_edge("b", "c")
    yield G
    yield nx.DiGraph()
    yield nx.empty_graph(["x", "y"], create_using=nx.DiGraph)
    yield nx.relabel_nodes(nx.karate_club_graph(), str)


def _networkx_file(G, fmt):
    out = io.BytesIO()
    H = _plain(G)
    nx.write_graphml(H, out, named_key_ids=True) if fmt == "graphml" else nx.write_gexf(H, out)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_graph_files_read_back_like_networkx(tmp_path, fmt):
    read = nx.read_graphml if fmt == "graphml" else nx.read_gexf
    for i, G in enumerate(_graphs()):
        ours = write_graph(G, tmp_path / f"{i}.{fmt}")
        ET.parse(ours)  # well-formed
        theirs = tmp_path / f"nx{i}.{fmt}"
        text = _networkx_file(G, fmt)
        if i == 0:  # networkx writes the control character as is: not XML any more
            text = text.replace(b"\x01", b"")
        theirs.write_bytes(text)
        A, B = read(ours), read(theirs)
        assert dict(A.nodes(data=True)) == dict(B.nodes(data=True))
        assert list(A.edges(data=True)) == list(B.edges(data=True))
        assert A.graph == B.graph
        if i == 0:
            assert A.nodes["c"]["label"] == '<b>&"\''
        if i > 0:
            assert ours.read_bytes() == text


def test_analysis_graph_files_equal_write_graph(tmp_path):
    """write_analysis formats the graph once for both files: the same bytes as write_graph."""
    G = next(_graphs())
    result = analyze(G)
    write_analysis(result, tmp_path / "out")
    for fmt in ("graphml", "gexf"):
        alone = write_graph(result.graph, tmp_path / f"alone.{fmt}").read_bytes()
        assert (tmp_path / "out" / f"graph.{fmt}").read_bytes() == alone
