"""Plots: each function returns a Figure with the expected marks, on any graph size."""

from __future__ import annotations

import math
from collections.abc import Iterator

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import networkx as nx
import pandas as pd
import pytest
from matplotlib.figure import Figure

from plnanalytics.errors import OptionError
from plnanalytics.report import plots


@pytest.fixture(autouse=True)
def _close() -> Iterator[None]:
    yield
    plt.close("all")


def by_gid(fig: Figure, gid: str):
    found = [c for c in fig.axes[0].collections if c.get_gid() == gid]
    assert len(found) == 1, [c.get_gid() for c in fig.axes[0].collections]
    return found[0]


@pytest.fixture
def graph() -> nx.DiGraph:
    """Two districts, a triangle and a pair, a one-way tie and two isolates."""
    G = nx.DiGraph()
    for i in range(8):
        G.add_node(f"p{i}", label=f"Person {i}", organization="North" if i < 4 else "South")
    G.nodes["p7"].pop("organization")
    G.add_edges_from([("p0", "p1"), ("p1", "p2"), ("p2", "p0"), ("p1", "p0"), ("p3", "p4"),
                      ("p4", "p5")])
    # p6 and p7 are isolates
    return G


# -- layout --------------------------------------------------------------------------------

def test_layout_covers_every_node_and_is_deterministic(graph: nx.DiGraph) -> None:
    pos = plots.layout(graph, seed=3)
    assert set(pos) == set(graph)
    assert pos == plots.layout(graph, seed=3)
    assert pos != plots.layout(graph, seed=4)
    assert all(math.isfinite(x) and math.isfinite(y) for x, y in pos.values())


def test_layout_puts_isolates_on_a_ring_outside(graph: nx.DiGraph) -> None:
    pos = plots.layout(graph)
    inner = max(max(abs(x), abs(y)) for v, (x, y) in pos.items() if v not in ("p6", "p7"))
    assert inner == pytest.approx(1.0)
    for v in ("p6", "p7"):
        assert math.hypot(*pos[v]) == pytest.approx(1.2)
    assert pos["p6"] != pos["p7"]


def test_layout_small_cases() -> None:
    assert plots.layout(nx.Graph()) == {}
    assert set(plots.layout(nx.Graph([(1, 1)]))) == {1}  # a self-loop alone is no tie
    one = nx.Graph()
    one.add_node("a")
    assert set(plots.layout(one)) == {"a"}
    pair = plots.layout(nx.Graph([("a", "b")]))
    assert pair["a"] != pair["b"]
    only_isolates = plots.layout(nx.empty_graph(5))
    assert len(set(only_isolates.values())) == 5


def test_layout_places_nodes_beyond_max_nodes() -> None:
    G = nx.barabasi_albert_graph(300, 2, seed=1)
    G.add_node("alone")
    pos = plots.layout(G, max_nodes=50)
    assert set(pos) == set(G)
    assert all(math.isfinite(c) for xy in pos.values() for c in xy)
    assert pos == plots.layout(G, max_nodes=50)
    with pytest.raises(OptionError):
        plots.layout(G, max_nodes=0)


def test_layout_keeps_clusters_apart() -> None:
    G = nx.disjoint_union(nx.complete_graph(10), nx.complete_graph(10))
    G.add_edge(0, 10)
    pos = plots.layout(G, seed=0)

    def centre(nodes: range) -> tuple[float, float]:
        return (sum(pos[v][0] for v in nodes) / 10, sum(pos[v][1] for v in nodes) / 10)

    a, b = centre(range(10)), centre(range(10, 20))
    spread = max(math.dist(pos[v], a) for v in range(1, 10))
    assert math.dist(a, b) > spread


# -- network_plot --------------------------------------------------------------------------

def test_network_plot_one_point_per_node_and_flag_rings(graph: nx.DiGraph) -> None:
    fig = plots.network_plot(graph, flagged=["p6", "p3", "not-a-node"])
    assert isinstance(fig, Figure)
    assert len(by_gid(fig, "nodes").get_offsets()) == graph.number_of_nodes()
    assert len(by_gid(fig, "flagged").get_offsets()) == 2
    assert len(by_gid(fig, "edges").get_segments()) == graph.number_of_edges()


def test_network_plot_colours_by_community(graph: nx.DiGraph) -> None:
    communities = pd.Series({"p0": 0, "p1": 0, "p2": 0, "p3": 1, "p4": 1, "p5": 1, "p6": 2,
                             "p7": 3})
    fig = plots.network_plot(graph, communities=communities, label_top=3)
    colours = by_gid(fig, "nodes").get_facecolors()
    assert len({tuple(c) for c in colours}) == 4
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend[:2] == ["0", "1"]
    assert len(fig.axes[0].texts) == 3
    assert {t.get_text() for t in fig.axes[0].texts} <= {f"Person {i}" for i in range(6)}
    assert not [c for c in fig.axes[0].collections if c.get_gid() == "flagged"]


def test_network_plot_colours_by_attribute(graph: nx.DiGraph) -> None:
    fig = plots.network_plot(graph, color_by="organization", title="Districts")
    ax = fig.axes[0]
    assert ax.get_title() == "Districts"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["North", "South", "unknown"]
    with pytest.raises(OptionError, match="shoe_size"):
        plots.network_plot(graph, color_by="shoe_size")


def test_network_plot_uses_given_positions(graph: nx.DiGraph) -> None:
    pos = {v: (float(i), 0.0) for i, v in enumerate(graph)}
    fig = plots.network_plot(graph, pos=pos)
    xs = sorted(x for x, _ in by_gid(fig, "nodes").get_offsets())
    assert xs == [float(i) for i in range(8)]


def test_network_plot_many_communities_share_other() -> None:
    G = nx.empty_graph(30)
    fig = plots.network_plot(G, communities={v: v for v in G})
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert len(legend) == 20 and legend[-1] == "other (11)"
    assert len(by_gid(fig, "nodes").get_offsets()) == 30


def test_network_plot_empty_and_single_node() -> None:
    fig = plots.network_plot(nx.DiGraph())
    assert isinstance(fig, Figure)
    assert "empty graph" in [t.get_text() for t in fig.axes[0].texts]
    G = nx.DiGraph()
    G.add_node("solo", label="Solo")
    fig = plots.network_plot(G, flagged={"solo"})
    assert len(by_gid(fig, "nodes").get_offsets()) == 1
    assert len(by_gid(fig, "flagged").get_offsets()) == 1
    assert len(fig.axes[0].texts) == 0  # degree 0 is not among the "top" to label


# -- degree distribution -------------------------------------------------------------------

def test_degree_distribution_lines_and_zero_count(graph: nx.DiGraph) -> None:
    fig = plots.degree_distribution(graph)
    ax = fig.axes[0]
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert set(lines) == {"total", "in", "out"}
    total = dict(zip(lines["total"].get_xdata(), lines["total"].get_ydata(), strict=True))
    # total degrees: p0 2, p1 2, p2 2, p3 1, p4 2, p5 1
    assert total == {1: 2, 2: 4}
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert "2 with degree 0" in ax.get_title()


def test_degree_distribution_undirected_and_empty() -> None:
    fig = plots.degree_distribution(nx.star_graph(4))
    assert [line.get_label() for line in fig.axes[0].get_lines()] == ["total"]
    fig = plots.degree_distribution(nx.Graph())
    assert "0 nodes" in fig.axes[0].get_title()
    fig = plots.degree_distribution(nx.empty_graph(3))
    assert "3 with degree 0" in fig.axes[0].get_title()


# -- community sizes -----------------------------------------------------------------------

def test_community_sizes_from_partition_and_table() -> None:
    partition = pd.Series({"a": 1, "b": 1, "c": 1, "d": 0, "e": 2, "f": 2})
    fig = plots.community_sizes(partition)
    bars = fig.axes[0].patches
    assert len(bars) == 3
    assert [b.get_height() for b in bars] == [3, 2, 1]
    table = pd.DataFrame({"community": [0, 1], "size": [4, 7]})
    assert len(plots.community_sizes(table).axes[0].patches) == 2
    assert len(plots.community_sizes({"a": 0, "b": 1}).axes[0].patches) == 2
    with pytest.raises(OptionError):
        plots.community_sizes(pd.DataFrame({"community": [0]}))


def test_community_sizes_of_analysis() -> None:
    from plnanalytics import analyze

    G = nx.DiGraph(nx.disjoint_union(nx.complete_graph(4), nx.complete_graph(3)))
    result = analyze(G)
    fig = plots.community_sizes(result.communities)
    assert len(fig.axes[0].patches) == len(result.communities)


# -- activity ------------------------------------------------------------------------------

@pytest.fixture
def ties() -> pd.DataFrame:
    ts = pd.to_datetime(["2025-09-01 10:00", "2025-09-01 11:00", "2025-09-02 00:00",
                         "2025-09-09 00:00", "2025-09-16 00:00", None, None], utc=True)
    kinds = ["reply", "mention", "reply", "retweet", "reply", "advice", "advice"]
    return pd.DataFrame({"ts": ts, "kind": kinds, "src": "a", "dst": "b"})


def test_activity_weekly_stacks_kinds(ties: pd.DataFrame) -> None:
    fig = plots.activity(ties)
    ax = fig.axes[0]
    # weeks ending 7, 14 and 21 Sep; kinds reply, mention, retweet
    assert len(ax.patches) == 3 * 3
    assert sum(p.get_height() for p in ax.patches) == 5
    assert "2 without a time" in ax.get_title()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["reply", "mention",
                                                                  "retweet"]


def test_activity_daily_and_empty(ties: pd.DataFrame) -> None:
    fig = plots.activity(ties, freq="D")
    assert len(fig.axes[0].patches) == 16 * 3  # 1 to 16 September
    assert fig.axes[0].get_title().startswith("Interactions per day")
    fig = plots.activity(ties.iloc[5:])
    assert "no timed interactions" in [t.get_text() for t in fig.axes[0].texts]
    fig = plots.activity(ties.iloc[:0])
    assert isinstance(fig, Figure)
    with pytest.raises(OptionError):
        plots.activity(pd.DataFrame({"ts": []}))


# -- ego network ---------------------------------------------------------------------------

def test_ego_network_draws_contacts_and_directed_ties(graph: nx.DiGraph) -> None:
    fig = plots.ego_network(graph, "p1")
    ax = fig.axes[0]
    assert len(by_gid(fig, "contacts").get_offsets()) == 2  # p0 and p2
    assert len(by_gid(fig, "ego").get_offsets()) == 1
    assert len(ax.patches) == 4  # p0->p1, p1->p0, p1->p2, p2->p0
    assert ax.get_title() == "Person 1: 2 contacts within 1 step"
    fig = plots.ego_network(graph, "p3", radius=2)
    assert len(by_gid(fig, "contacts").get_offsets()) == 2  # p4, then p5


def test_ego_network_of_an_isolate_and_reused_positions(graph: nx.DiGraph) -> None:
    fig = plots.ego_network(graph, "p6")
    ax = fig.axes[0]
    assert [c.get_gid() for c in ax.collections] == ["ego"]
    assert "no contacts" in [t.get_text() for t in ax.texts]
    pos = plots.layout(graph)
    fig = plots.ego_network(graph, "p0", pos=pos)
    assert tuple(by_gid(fig, "ego").get_offsets()[0]) == pytest.approx(pos["p0"])
    with pytest.raises(OptionError):
        plots.ego_network(graph, "nobody")


def test_plots_never_show(graph: nx.DiGraph, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plt, "show", lambda *a, **k: pytest.fail("plt.show was called"))
    plots.network_plot(graph)
    plots.ego_network(graph, "p0")
    assert plt.get_fignums() == []  # object API: nothing registered with pyplot


def test_network_plot_draws_the_strongest_ties_of_a_big_graph():
    G = nx.DiGraph()
    for i, w in enumerate([1, 5, 2, 7, 3]):
        G.add_edge(f"a{i}", f"b{i}", weight=w)
    fig = plots.network_plot(G, max_edges=2, label_top=0)
    ax = fig.axes[0]
    edges = by_gid(fig, "edges")
    drawn = {tuple(map(tuple, seg)) for seg in edges.get_segments()}
    pos = plots.layout(G)
    assert drawn == {(tuple(pos["a1"]), tuple(pos["b1"])), (tuple(pos["a3"]), tuple(pos["b3"]))}
    assert ax.get_title() == "10 nodes, 5 ties (the 2 strongest drawn)"
    assert len(by_gid(plots.network_plot(G, label_top=0), "edges").get_segments()) == 5
