"""Dataset: construction, validation, records, concat, counts and repr."""

from __future__ import annotations

import pandas as pd
import pytest

from plnanalytics import Dataset, SchemaError
from plnanalytics.schema import TABLES

NAMES = ["posts", "interactions", "accounts", "people", "identities", "memberships"]


def post(pid: str, text: str = "", platform: str = "x", **kw: object) -> dict:
    return {"post_id": pid, "platform": platform, "author": "x:1",
            "created_at": "2024-01-09T20:00:00Z", "text": text, **kw}


def tie(pid: str, dst: str, kind: str = "mention", src: str = "x:1", **kw: object) -> dict:
    return {"platform": "x", "kind": kind, "src": src, "dst": dst, "post_id": pid, **kw}


def test_empty_dataset_has_every_table_with_its_columns() -> None:
    ds = Dataset()
    assert list(ds.tables) == NAMES
    for name, frame in ds.tables.items():
        assert len(frame) == 0
        assert list(frame.columns) == TABLES[name].names
    assert ds.counts() == dict.fromkeys(NAMES, 0)


def test_frames_are_validated_on_construction() -> None:
    ds = Dataset(posts=pd.DataFrame({"post_id": [12], "platform": ["x"], "author": [34],
                                     "created_at": ["2024-01-09T15:00:00-05:00"]}))
    assert ds.posts.loc[0, "post_id"] == "12" and ds.posts.loc[0, "author"] == "34"
    assert ds.posts.loc[0, "created_at"] == pd.Timestamp("2024-01-09 20:00", tz="UTC")
    assert list(ds.posts.columns) == TABLES["posts"].names
    assert len(ds.interactions) == 0
    with pytest.raises(SchemaError, match="interactions: missing required column"):
        Dataset(interactions=pd.DataFrame({"src": ["a"], "dst": ["b"]}))
    with pytest.raises(SchemaError, match=r"posts.created_at: time .* has no time zone"):
        Dataset(posts=pd.DataFrame({"post_id": ["1"], "platform": ["x"], "author": ["x:1"],
                                    "created_at": ["2024-01-09 20:00"]}))


def test_from_records() -> None:
    ds = Dataset.from_records(
        posts=[post("1", "hi", contexts=["#a"]), post("2", "there")],
        interactions=(t for t in [tie("1", "x:2"), tie("2", "x:3", weight=2)]),
        people=[{"person_id": "P1", "name": "Ann"}, {"person_id": "P2"}],
    )
    assert ds.counts() == {"posts": 2, "interactions": 2, "accounts": 0, "people": 2,
                           "identities": 0, "memberships": 0}
    assert ds.posts["text"].tolist() == ["hi", "there"]
    # a key that only some records have is missing in the others
    assert ds.posts["contexts"].tolist() == [["#a"], []]
    assert ds.people["name"].tolist() == ["Ann", None]
    assert ds.interactions["weight"].tolist() == [1.0, 2.0]
    assert ds.interactions["dst"].tolist() == ["x:2", "x:3"]


def test_from_records_validates() -> None:
    with pytest.raises(SchemaError, match=r"interactions.dst: missing value in row 1"):
        Dataset.from_records(interactions=[tie("1", "x:2"), tie("2", None)])  # type: ignore[arg-type]


def test_from_records_unknown_table() -> None:
    with pytest.raises(SchemaError, match=r"^unknown table\(s\) edges, tweets$"):
        Dataset.from_records(tweets=[post("1")], edges=[], posts=[post("2")])


def test_from_records_with_no_records() -> None:
    """Regression: an empty list made a frame without columns and failed validation."""
    ds = Dataset.from_records(posts=[], interactions=[tie("1", "x:2")])
    assert ds.counts()["posts"] == 0 and ds.counts()["interactions"] == 1


def test_concat_keeps_the_first_row_per_key() -> None:
    a = Dataset.from_records(
        posts=[post("1", "first"), post("2", "a2")],
        interactions=[tie("1", "x:2", src="x:1"), tie("1", "x:3")],
        accounts=[{"account": "x:1", "platform": "x", "handle": "old"}])
    b = Dataset.from_records(
        posts=[post("1", "second"), post("1", "other platform", platform="mastodon"),
               post("3", "b3")],
        interactions=[tie("1", "x:2", src="x:9"), tie("1", "x:2", kind="reply", src="x:7")],
        accounts=[{"account": "x:1", "platform": "x", "handle": "new"},
                  {"account": "x:5", "platform": "x"}])
    both = a.concat(b)
    posts = {(r.platform, r.post_id): r.text for r in both.posts.itertuples()}
    assert posts == {("x", "1"): "first", ("x", "2"): "a2", ("mastodon", "1"): "other platform",
                     ("x", "3"): "b3"}
    ties = {(r.post_id, r.kind, r.dst): r.src for r in both.interactions.itertuples()}
    assert ties == {("1", "mention", "x:2"): "x:1", ("1", "mention", "x:3"): "x:1",
                    ("1", "reply", "x:2"): "x:7"}
    assert dict(zip(both.accounts.account, both.accounts.handle, strict=True)) == {
        "x:1": "old", "x:5": None}
    # the other order: b's rows come first
    assert b.concat(a).posts.set_index("post_id").loc["3", "text"] == "b3"
    assert set(b.concat(a).posts.query("platform == 'x'").text) == {"second", "a2", "b3"}
    # the inputs are left alone
    assert a.counts()["posts"] == 2 and b.counts()["posts"] == 3


def test_concat_edge_cases() -> None:
    a = Dataset.from_records(posts=[post("1"), post("1")])
    assert a.counts()["posts"] == 2  # construction does not de-duplicate
    assert a.concat().counts()["posts"] == 1
    empty = Dataset().concat(Dataset())
    assert empty.counts() == dict.fromkeys(NAMES, 0)
    assert list(empty.posts.columns) == TABLES["posts"].names
    three = Dataset().concat(a, Dataset.from_records(posts=[post("2")]))
    assert sorted(three.posts.post_id) == ["1", "2"]


def test_counts_and_repr() -> None:
    ds = Dataset.from_records(
        posts=[post("1"), post("2")], interactions=[tie("1", "x:2")],
        memberships=[{"member": "x:1", "group": "PLC-A"}, {"member": "x:2", "group": "PLC-A"},
                     {"member": "x:2", "group": "PLC-B"}])
    assert ds.counts() == {"posts": 2, "interactions": 1, "accounts": 0, "people": 0,
                           "identities": 0, "memberships": 3}
    assert list(ds.counts()) == NAMES
    assert repr(ds) == ("Dataset(posts=2, interactions=1, accounts=0, people=0, identities=0, "
                        "memberships=3)")
    assert repr(Dataset()) == ("Dataset(posts=0, interactions=0, accounts=0, people=0, "
                               "identities=0, memberships=0)")
