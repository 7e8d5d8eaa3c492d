"""Account <-> person resolution: identities rows, roster-id endpoints, conflicts."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from plnanalytics.errors import SchemaError
from plnanalytics.identity import MATCHERS, match_roster_ids, resolve_identities

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"

PEOPLE = pd.DataFrame({"person_id": ["P001", "P002", "P003"],
                       "name": ["Ann Lee", "Bo Ng", "Cy Ra"]})


def _identities(*rows: tuple) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=["account", "person_id", "method", "confidence"])


def _links(frame: pd.DataFrame) -> list[tuple]:
    return list(frame.itertuples(index=False, name=None))


def test_identities_rows_of_roster_people():
    ids = _identities(("x:10", "P001", "explicit", 1.0), ("mastodon:a@b.social", "P002",
                                                          "explicit", 1.0))
    out = resolve_identities(ids, PEOPLE, [])
    assert list(out.columns) == ["account", "person_id", "method", "confidence"]
    assert _links(out) == [("mastodon:a@b.social", "P002", "explicit", 1.0),
                           ("x:10", "P001", "explicit", 1.0)]
    assert out.confidence.dtype == "float64"


def test_unknown_person_is_ignored():
    ids = _identities(("x:10", "P999", "explicit", 1.0), ("x:11", "P003", "explicit", 1.0))
    assert _links(resolve_identities(ids, PEOPLE, ["x:10", "edgelist:P999"])) == [
        ("x:11", "P003", "explicit", 1.0)]


def test_roster_id_endpoints_are_people():
    accounts = ["edgelist:P001", "roster:P002", "edgelist:ann", "x:P003", "survey:P003",
                "P003", "edgelist:p001", "edgelist:P001"]
    out = resolve_identities(_identities(), PEOPLE, accounts)
    assert _links(out) == [("edgelist:P001", "P001", "explicit", 1.0),
                           ("roster:P002", "P002", "explicit", 1.0)]


def test_native_id_may_contain_colons():
    people = pd.DataFrame({"person_id": ["cohort:7"]})
    out = resolve_identities(_identities(), people, ["edgelist:cohort:7"])
    assert _links(out) == [("edgelist:cohort:7", "cohort:7", "explicit", 1.0)]


def test_conflicts_highest_confidence_then_smallest_person():
    ids = _identities(
        ("x:1", "P002", "handle", 0.8), ("x:1", "P003", "explicit", 1.0),   # confidence wins
        ("x:2", "P003", "fuzzy", 0.7), ("x:2", "P001", "fuzzy", 0.7),       # then person id
        ("x:3", "P001", "fuzzy", None), ("x:3", "P002", "fuzzy", 0.1),      # none: last
        ("x:4", "P002", "handle", 0.9), ("x:4", "P002", "explicit", 0.9),   # then method
        ("edgelist:P001", "P002", "fuzzy", 0.5),                            # an endpoint
    )
    out = resolve_identities(ids, PEOPLE, ["edgelist:P001"])
    assert _links(out) == [("edgelist:P001", "P001", "explicit", 1.0),
                           ("x:1", "P003", "explicit", 1.0),
                           ("x:2", "P001", "fuzzy", 0.7),
                           ("x:3", "P002", "fuzzy", 0.1),
                           ("x:4", "P002", "explicit", 0.9)]
    # whatever the order of the rows
    shuffled = ids.sample(frac=1.0, random_state=3)
    assert _links(resolve_identities(shuffled, PEOPLE, ["edgelist:P001"])) == _links(out)


def test_explicit_identity_beats_a_weaker_endpoint_match():
    # an identities row naming another person with confidence 1.0 ties with the endpoint
    # match: the smaller person id wins
    ids = _identities(("edgelist:P002", "P001", "explicit", 1.0))
    assert _links(resolve_identities(ids, PEOPLE, ["edgelist:P002"])) == [
        ("edgelist:P002", "P001", "explicit", 1.0)]


def test_empty_inputs():
    out = resolve_identities(_identities(), PEOPLE.iloc[:0], ["edgelist:P001"])
    assert list(out.columns) == ["account", "person_id", "method", "confidence"]
    assert len(out) == 0
    assert len(resolve_identities(pd.DataFrame(), PEOPLE, [])) == 0


def test_accounts_as_a_frame_or_series():
    frame = pd.DataFrame({"account": ["edgelist:P003", None], "platform": ["edgelist", None]})
    assert _links(resolve_identities(_identities(), PEOPLE, frame)) == [
        ("edgelist:P003", "P003", "explicit", 1.0)]
    series = pd.Series(["roster:P001", "roster:P001"])
    assert _links(resolve_identities(_identities(), PEOPLE, series)) == [
        ("roster:P001", "P001", "explicit", 1.0)]


def test_bad_tables_are_schema_errors():
    with pytest.raises(SchemaError, match="person_id"):
        resolve_identities(_identities(), pd.DataFrame({"name": ["Ann"]}), [])
    with pytest.raises(SchemaError, match="account"):
        resolve_identities(pd.DataFrame({"person_id": ["P001"]}), PEOPLE, [])


def test_matchers_seam():
    assert match_roster_ids in MATCHERS
    accounts = pd.DataFrame({"account": ["roster:P001"], "platform": ["roster"],
                             "native": ["P001"]})
    assert list(match_roster_ids(PEOPLE, accounts).columns) == [
        "account", "person_id", "method", "confidence"]


def test_store_roster_and_edgelist(tmp_path, store):
    store.ingest(SAMPLE / "roster.csv")
    edges = tmp_path / "advice.csv"
    edges.write_text("source,target\nP001,P002\nP002,outsider\nP060,P001\n")
    store.ingest(edges)
    ties = store.table("interactions")
    out = resolve_identities(store.table("identities"), store.table("people"),
                             pd.concat([ties.src, ties.dst]))
    assert len(out) == 57 + 3
    by_account = dict(zip(out.account, out.person_id, strict=True))
    assert [by_account.get(f"edgelist:{p}") for p in ("P001", "P002", "P060", "outsider")] == [
        "P001", "P002", "P060", None]
    assert by_account["x:1443309687712595975"] == "P001"
    assert list(out.account) == sorted(out.account)
