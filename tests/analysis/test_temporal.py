"""The network over time: windows, per-window graphs and measures, retention, declining."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest

from plnanalytics import Dataset, Store, build_graph
from plnanalytics.analysis import analyze
from plnanalytics.analysis.isolation import COLUMNS, Thresholds, flag_isolation
from plnanalytics.analysis.temporal import (
    Timeline,
    auto_window,
    comparable,
    declining,
    make_windows,
    timeline,
)
from plnanalytics.errors import OptionError

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
MONDAY = datetime(2025, 9, 1, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# -- windows ---------------------------------------------------------------------------------

def test_weeks_start_on_monday_and_cover_the_span():
    wins = make_windows("1w", utc(2025, 9, 3, 15), utc(2025, 9, 22, 0, 0, 1))
    assert [w.label for w in wins] == ["2025-09-01", "2025-09-08", "2025-09-15", "2025-09-22"]
    assert all(w.end - w.start == timedelta(days=7) for w in wins)
    assert all(a.end == b.start for a, b in pairwise(wins))
    assert {w.unit for w in wins} == {"week"}


def test_months_are_calendar_months_and_days_are_days():
    wins = make_windows("1m", utc(2025, 11, 20), utc(2026, 2, 1))
    assert [(w.label, w.start.day, w.end.month) for w in wins] == [
        ("2025-11", 1, 12), ("2025-12", 1, 1), ("2026-01", 1, 2), ("2026-02", 1, 3)]
    assert [w.label for w in make_windows("2d", utc(2025, 1, 1, 5), utc(2025, 1, 4))] == [
        "2025-01-01", "2025-01-03"]
    assert make_windows("month", utc(2025, 1, 5), utc(2025, 1, 6))[0].unit == "month"
    assert make_windows("3m", utc(2025, 1, 5), utc(2025, 1, 6))[0].unit == "3 months"


def test_sliding_windows_overlap_by_the_step():
    wins = make_windows("4w", utc(2025, 9, 1), utc(2025, 10, 1), step="1w")
    assert [w.label for w in wins] == ["2025-09-01", "2025-09-08", "2025-09-15", "2025-09-22",
                                       "2025-09-29"]
    assert all(w.end - w.start == timedelta(weeks=4) for w in wins)


def test_terms_and_dates():
    terms = make_windows("term", utc(2025, 5, 20), utc(2026, 1, 10))
    assert [w.label for w in terms] == ["Spring 2025", "Summer 2025", "Fall 2025",
                                        "Spring 2026"]
    assert terms[2].start == utc(2025, 8, 1) and terms[2].end == utc(2026, 1, 1)
    dated = make_windows("2025-09-01, 2025-10-15,2025-12-20", utc(2025, 9, 2), utc(2025, 9, 3))
    assert [(w.label, w.start, w.end) for w in dated] == [
        ("2025-09-01..2025-10-15", utc(2025, 9, 1), utc(2025, 10, 15)),
        ("2025-10-15..2025-12-20", utc(2025, 10, 15), utc(2025, 12, 20))]


def test_local_midnights_follow_daylight_saving():
    # US clocks fall back on 2 November 2025: local midnight is 04:00 UTC before, 05:00 after
    wins = make_windows("1w", utc(2025, 10, 28), utc(2025, 11, 5), tz="America/New_York")
    assert [w.start.hour for w in wins] == [4, 5]
    assert wins[0].end == wins[1].start
    # an evening chat at 8 pm Eastern on Tuesday 30 September is Wednesday 00:00 UTC: the
    # local windows keep it in September's month, UTC ones do not
    t = utc(2025, 10, 1, 0, 30)
    assert make_windows("1m", t, t, tz="America/New_York")[0].label == "2025-09"
    assert make_windows("1m", t, t)[0].label == "2025-10"


@pytest.mark.parametrize(("spec", "step", "tz", "said"), [
    ("fortnight", None, "UTC", "expected a length"),
    ("0w", None, "UTC", "expected a length"),
    ("1w", "2w", "UTC", "longer than the window"),
    ("term", "1w", "UTC", "does not apply"),
    ("2025-09-01,2025-10-01", "1w", "UTC", "does not apply"),
    ("2025-10-01,2025-09-01", None, "UTC", "increasing order"),
    ("2025-10-01,soon", None, "UTC", "not a date"),
    ("1w", None, "Mars/Olympus", "time zone"),
])
def test_window_mistakes_are_clear(spec, step, tz, said):
    with pytest.raises(OptionError, match=said):
        make_windows(spec, utc(2025, 9, 1), utc(2025, 9, 30), step=step, tz=tz)


# -- per-window graphs and measures ----------------------------------------------------------

def weekly_data(weeks: int = 6, seed: int = 1, people: int = 12) -> tuple[Dataset, list[dict]]:
    """Random replies and mentions among ``x:0``..``x:n`` over some weeks, plus posts, with
    a roster of the first four accounts."""
    rng = random.Random(seed)
    ties, posts = [], []
    for i in range(weeks * 25):
        t = MONDAY + timedelta(minutes=rng.randrange(weeks * 7 * 24 * 60))
        a, b = rng.sample(range(people), 2)
        ties.append({"platform": "x", "kind": rng.choice(["reply", "mention"]),
                     "src": f"x:{a}", "dst": f"x:{b}", "ts": t.isoformat(),
                     "post_id": str(i)})
        posts.append({"post_id": str(i), "platform": "x", "author": f"x:{a}",
                      "created_at": t.isoformat()})
    roster = [{"person_id": f"P{k}", "name": f"Person {k}", "organization": "North"}
              for k in range(4)]
    ids = [{"account": f"x:{k}", "person_id": f"P{k}", "method": "explicit"} for k in range(4)]
    return Dataset.from_records(interactions=ties, posts=posts, people=roster,
                                identities=ids), ties


def test_each_window_is_the_graph_of_its_time_slice():
    ds, _ = weekly_data()
    tl = timeline(ds, window="1w")
    assert len(tl.windows) == 6
    for w in tl.windows:
        G = build_graph(ds, since=w.start, until=w.end)
        ref = analyze(G).metrics.set_index("node")
        rows = tl.people[tl.people["window"] == w.label].set_index("node")
        active = [n for n in G if G.degree(n) > 0 or G.nodes[n].get("posts", 0) > 0]
        assert set(rows.index) == set(active) | {f"roster:P{k}" for k in range(4)}
        for col in ("degree", "in_degree", "out_degree", "pagerank", "betweenness", "coreness"):
            assert rows[col].to_dict() == pytest.approx(ref.loc[rows.index, col].to_dict())
        sent = {n: sum(d["count"] for _, _, d in G.out_edges(n, data=True)) for n in G}
        assert rows["sent"].to_dict() == {n: sent[n] for n in rows.index}
        assert (rows["activity"] == rows["posts"] + rows["sent"]).all()


def test_summary_counts_add_up():
    ds, ties = weekly_data(weeks=5, seed=4)
    tl = timeline(ds, window="1w")
    s = tl.summary
    assert s["interactions"].sum() == len(ties)  # tumbling windows split every tie once
    assert s["posts"].sum() == len(ties)
    first = tl.people[tl.people["active"]].groupby("node")["window"].min()
    assert s["newcomers"].sum() == len(first)
    assert (s["newcomers"] + s["returning"] == s["active"]).all()
    assert list(s["newcomers"]) == [int((first == w.label).sum()) for w in tl.windows]
    assert s["coverage"].between(0, 1).all() and s["coverage"].iloc[1:-1].eq(1).all()


def test_sliding_windows_count_a_tie_in_each_window_that_holds_it():
    ds, ties = weekly_data(weeks=4, seed=7)
    tl = timeline(ds, window="2w", step="1w")
    for w in tl.windows:
        inside = sum(w.start <= datetime.fromisoformat(t["ts"]) < w.end for t in ties)
        assert tl.summary.set_index("window").loc[w.label, "interactions"] == inside


def test_filters_apply_to_every_window():
    ds, ties = weekly_data(weeks=4, seed=2)
    tl = timeline(ds, window="1w", kinds=["reply"], since="2025-09-09")
    replies = [t for t in ties if t["kind"] == "reply"
               and datetime.fromisoformat(t["ts"]) >= utc(2025, 9, 9)]
    assert tl.summary["interactions"].sum() == len(replies)
    assert tl.windows[0].label == "2025-09-08"  # the first window holding kept data
    assert tl.settings["since"] == "2025-09-09T00:00:00Z"


def test_no_timed_data_is_a_clear_error():
    ds = Dataset.from_records(interactions=[
        {"platform": "survey", "kind": "advice", "src": "a", "dst": "b", "post_id": "1"}])
    with pytest.raises(OptionError, match="no timed post or interaction"):
        timeline(ds, window="1w")
    assert auto_window(ds) is None


def test_trajectories_fill_counts_not_positions():
    ds, _ = weekly_data(weeks=3, seed=3, people=30)
    tl = timeline(ds, window="1w")
    deg = tl.trajectories("degree")
    pr = tl.trajectories("pagerank")
    assert list(deg.columns) == [w.label for w in tl.windows]
    long = tl.people.set_index(["node", "window"])["degree"]
    for (node, win), value in long.items():
        assert deg.loc[node, win] == value
    missing = pr.isna()
    assert missing.to_numpy().any() and (deg.to_numpy()[missing.to_numpy()] == 0).all()
    assert not missing.loc["roster:P0"].any()  # roster people have every window
    with pytest.raises(OptionError, match="unknown measure"):
        tl.trajectories("charisma")


def test_retention_of_window_newcomers():
    ds = Dataset.from_records(interactions=[
        {"platform": "x", "kind": "reply", "src": s, "dst": d, "ts": t, "post_id": str(i)}
        for i, (s, d, t) in enumerate([
            ("x:a", "x:b", "2025-09-02T12:00Z"), ("x:c", "x:a", "2025-09-03T12:00Z"),
            ("x:a", "x:d", "2025-09-09T12:00Z"), ("x:e", "x:d", "2025-09-10T12:00Z"),
            ("x:b", "x:f", "2025-09-17T12:00Z")])])
    ret = timeline(ds, window="1w").retention().set_index("period")
    # week 1: a b c new; a is back in week 2, b in week 3
    assert ret.loc["2025-09-01", ["newcomers", "returned_next", "returned_later"]].tolist() \
        == [3, 1, 2]
    # week 2: d e new; neither is back in week 3
    assert ret.loc["2025-09-08", ["newcomers", "returned_next", "returned_later"]].tolist() \
        == [2, 0, 0]


# -- declining -----------------------------------------------------------------------------

def drifting(weeks: int = 10, quiet_week: int | None = None, silent: int = 2) -> Dataset:
    """Roster people P0..P5 in a weekly chat. P0 talks to three peers every week, then
    falls silent in the last ``silent`` weeks; P1 skips every other week (no drift); the
    others are steady. ``quiet_week``: a holiday week in which only one message is sent."""
    ties, i = [], 0
    for w in range(weeks):
        if w == quiet_week:  # one message all week
            ties.append({"platform": "x", "kind": "reply", "src": "x:2", "dst": "x:3",
                         "ts": (MONDAY + timedelta(weeks=w, days=6)).isoformat(),
                         "post_id": str(i)})
            i += 1
            continue
        t0 = MONDAY + timedelta(weeks=w, days=1, hours=20)
        talk = [(a, b) for a in range(2, 6) for b in range(2, 6) if a != b]
        if w < weeks - silent:
            talk += [(0, 2), (0, 3), (0, 4), (2, 0)]
        if w % 2 == 0:
            talk += [(1, 2), (1, 3), (3, 1)]
        weekend = [(2, 3, 5), (4, 5, 6)]  # steady people also talk on Saturday and Sunday
        for a, b in talk:
            ties.append({"platform": "x", "kind": "reply", "src": f"x:{a}", "dst": f"x:{b}",
                         "ts": (t0 + timedelta(minutes=i % 50)).isoformat(),
                         "post_id": str(i)})
            i += 1
        for a, b, day in weekend:
            ties.append({"platform": "x", "kind": "mention", "src": f"x:{a}", "dst": f"x:{b}",
                         "ts": (MONDAY + timedelta(weeks=w, days=day, hours=10)).isoformat(),
                         "post_id": str(i)})
            i += 1
    people = [{"person_id": f"P{k}", "name": f"Person {k}"} for k in range(6)]
    ids = [{"account": f"x:{k}", "person_id": f"P{k}", "method": "explicit"} for k in range(6)]
    return Dataset.from_records(interactions=ties, people=people, identities=ids)


def test_declining_finds_the_drifter_with_numbers():
    tl = timeline(drifting(), window="1w")
    found = declining(tl)
    assert found["node"].tolist() == ["roster:P0"]
    row = found.iloc[0]
    assert (row["degree_before"], row["degree_now"]) == (3.0, 0.0)
    assert (row["activity_before"], row["activity_now"]) == (3.0, 0.0)
    assert (row["windows_before"], row["windows_now"]) == (8, 2)
    assert row["reason"].startswith("Contacts fell 100%: from 3.0 per week over their 8 "
                                     "earlier weeks to 0.0 in the last 2 weeks")


def test_skipping_every_other_week_is_not_a_decline():
    tl = timeline(drifting(weeks=9), window="1w")  # P1 is in weeks 0, 2, 4, 6, 8
    assert "roster:P1" not in set(declining(tl)["node"])
    # without the chance test, two weeks at half the usual count would be a fall of half
    strict = declining(tl, alpha=1, drop=0.5)
    assert "roster:P0" in set(strict["node"])


def test_quiet_windows_and_partial_windows_are_not_compared():
    tl = timeline(drifting(weeks=12, quiet_week=11, silent=3), window="1w")
    last = tl.windows[-1].label
    assert last == "2025-11-17" and last not in comparable(tl)  # a holiday: one message
    found = declining(tl)
    # compared: weeks 9 and 10 (silent) against 0-8
    assert found["node"].tolist() == ["roster:P0"]
    assert found["windows_before"].tolist() == [9]
    # compared with the holiday, everyone who was steady would seem to drift away
    assert "roster:P4" in set(declining(tl, quiet=0)["node"])
    cut = Timeline(tl.windows, tl.people, tl.summary.assign(
        coverage=[0.3] + [1.0] * (len(tl.windows) - 1)))
    assert tl.windows[0].label not in comparable(cut)


def test_declining_thresholds():
    tl = timeline(drifting(), window="1w")
    assert declining(tl, min_before=4).empty  # P0 had 3 contacts a week: too few to judge
    assert declining(tl, min_windows=9).empty  # only 8 earlier weeks
    # one silent week (9) when a silent week happened before (8): by chance 2 in 10
    assert declining(tl, recent=1).empty
    assert declining(tl, recent=1, alpha=0.25)["windows_now"].tolist() == [1]
    for bad in ({"drop": 0}, {"drop": 1.5}, {"recent": 0}):
        with pytest.raises(OptionError):
            declining(tl, **bad)


def test_watchlist_raises_declining_from_a_timeline():
    ds = drifting()
    G = build_graph(ds)
    tl = timeline(ds, window="1w")
    watch = flag_isolation(G, timeline=tl)
    rows = watch[watch["flag"] == "declining"]
    assert rows["node"].tolist() == ["roster:P0"]
    assert list(watch.columns) == list(COLUMNS) and (rows["severity"] == "medium").all()
    assert "Contacts fell 100%" in rows["reason"].iloc[0]
    assert "declining" not in set(flag_isolation(G)["flag"])  # no timeline, no declining
    assert flag_isolation(G, timeline=tl, flags=["isolate"]).empty
    looser = flag_isolation(G, timeline=tl, thresholds=Thresholds(declining_min_before=5))
    assert "declining" not in set(looser["flag"])


# -- the sample --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sample_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("sample") / "s.duckdb"
    with Store(path) as st:
        for name in ("naespchat_twarc2.jsonl", "principallife_tags.csv", "roster.csv"):
            st.ingest(SAMPLE / name)
    return path


def test_sample_term_week_by_week(sample_store):
    with Store(sample_store, read_only=True) as st:
        tl = timeline(st, window="1w", tz="America/New_York")
        total = st.con.execute("SELECT count(*) FROM interactions WHERE ts IS NOT NULL "
                               "AND src <> dst").fetchone()[0]
    # the fall term: 8 Sept to 7 Dec 2025, Monday to Sunday in Eastern time
    assert tl.windows[0].label == "2025-09-08"
    assert len(tl.windows) == 13
    s = tl.summary.set_index("window")
    # identities merge accounts into people, so a tie between two accounts of one person
    # (a self-loop) is not counted: every other timed tie falls in exactly one week
    assert s["interactions"].sum() <= total
    # no chat in Thanksgiving week (25 November): the quietest week of the term
    assert s["interactions"].idxmin() == "2025-11-24"
    assert "2025-11-24" not in comparable(tl)
    assert s["newcomers"].iloc[0] == s["active"].iloc[0]
    assert (tl.people.groupby("window")["node"].nunique() >= 60).all()  # all 60 on the roster
