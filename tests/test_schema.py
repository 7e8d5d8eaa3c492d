"""The normalized tables: validation and coercion, DDL and empty frames."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import duckdb
import numpy as np
import pandas as pd
import pytest

from plnanalytics import SchemaError, validate
from plnanalytics.schema import TABLES

# Written out here rather than derived from the module, so a changed schema shows up.
REQUIRED = {
    "posts": ["post_id", "platform", "author", "created_at"],
    "interactions": ["platform", "kind", "src", "dst", "post_id"],
    "accounts": ["account", "platform"],
    "people": ["person_id"],
    "identities": ["account", "person_id"],
    "memberships": ["member", "group"],
}
DUCKDB_TYPE = {"string": "VARCHAR", "timestamp": "TIMESTAMP WITH TIME ZONE", "float": "DOUBLE",
               "int": "BIGINT", "bool": "BOOLEAN", "strings": "VARCHAR[]"}
PANDAS_DTYPE = {"timestamp": "datetime64[us, UTC]", "float": "float64", "int": "Int64",
                "bool": "boolean", "string": "object", "strings": "object"}


def posts(**columns: object) -> pd.DataFrame:
    """A one-row posts frame with the required columns, overridden by ``columns``."""
    base: dict[str, object] = {"post_id": ["1"], "platform": ["x"], "author": ["x:9"],
                               "created_at": ["2024-01-09T20:00:00Z"]}
    base.update(columns)
    return pd.DataFrame(base)


def interactions(n: int = 3, **columns: object) -> pd.DataFrame:
    base: dict[str, object] = {
        "platform": ["x"] * n, "kind": ["reply"] * n, "src": [f"x:{i}" for i in range(n)],
        "dst": [f"x:{i + 10}" for i in range(n)], "post_id": [str(i) for i in range(n)]}
    base.update(columns)
    return pd.DataFrame(base)


# -- columns ------------------------------------------------------------------------------

def test_required_columns_missing_are_all_named() -> None:
    frame = pd.DataFrame({"post_id": ["1"], "text": ["hello"]})
    with pytest.raises(SchemaError) as exc:
        validate("posts", frame)
    assert str(exc.value) == "posts: missing required column(s) platform, author, created_at"


@pytest.mark.parametrize("table", list(TABLES))
def test_each_required_column_is_required(table: str) -> None:
    assert [c.name for c in TABLES[table].columns if c.required] == REQUIRED[table]
    for name in REQUIRED[table]:
        frame = pd.DataFrame({c: ["v"] for c in REQUIRED[table] if c != name})
        with pytest.raises(SchemaError, match=rf"{table}: missing required column\(s\) {name}$"):
            validate(table, frame)


@pytest.mark.parametrize("table", list(TABLES))
def test_keys_are_required_and_never_missing(table: str) -> None:
    spec = TABLES[table]
    for k in spec.key:
        assert spec.by_name[k].required and not spec.by_name[k].nullable, (table, k)


def test_optional_columns_are_added_in_schema_order() -> None:
    out = validate("posts", posts())
    assert list(out.columns) == TABLES["posts"].names
    assert out.loc[0, "text"] is None and out.loc[0, "url"] is None
    assert out["ingest_id"].dtype == "Int64" and out["ingest_id"].isna().all()
    acc = validate("accounts", pd.DataFrame({"account": ["x:1"], "platform": ["x"]}))
    assert str(acc["followers_count"].dtype) == "Int64"
    assert str(acc["verified"].dtype) == "boolean"
    assert str(acc["profile_seen_at"].dtype) == "datetime64[us, UTC]"
    assert acc[["handle", "followers_count", "verified", "profile_seen_at"]].isna().all().all()


def test_absent_strings_column_is_empty_lists() -> None:
    """Regression: an absent column was None while None in a given column became []."""
    out = validate("posts", posts())
    assert out.loc[0, "contexts"] == []


def test_extra_columns_are_kept_after_the_schema_columns() -> None:
    frame = posts(post_id=["1", "2"], platform=["x", "x"], author=["x:1", "x:2"],
                  created_at=["2024-01-09T20:00:00Z"] * 2, my_score=[0.5, 0.7],
                  coder=["ann", None])
    frame.index = [10, 11]  # a filtered frame: the index is not 0..n-1
    out = validate("posts", frame)
    assert list(out.columns) == [*TABLES["posts"].names, "my_score", "coder"]
    assert out["my_score"].tolist() == [0.5, 0.7]
    assert out["coder"].tolist()[0] == "ann"
    assert out["post_id"].tolist() == ["1", "2"]


def test_input_frame_is_not_changed() -> None:
    frame = posts(post_id=[7])
    validate("posts", frame)
    assert list(frame.columns) == ["post_id", "platform", "author", "created_at"]
    assert frame.loc[0, "post_id"] == 7


def test_unknown_table_and_not_a_frame() -> None:
    with pytest.raises(SchemaError, match="unknown table 'tweets'; expected one of posts, "
                                          "interactions, accounts, people, identities, "
                                          "memberships"):
        validate("tweets", posts())
    with pytest.raises(SchemaError, match="posts: expected a pandas DataFrame, got list"):
        validate("posts", [{"post_id": "1"}])  # type: ignore[arg-type]


# -- ids ----------------------------------------------------------------------------------

def test_integer_ids_become_exact_strings() -> None:
    big = 1968621071235121234  # a 19-digit tweet id, beyond float precision
    out = validate("posts", posts(post_id=[big], author=[np.int64(42)], parent_post_id=[7]))
    assert out.loc[0, "post_id"] == str(big)
    assert out.loc[0, "author"] == "42" and out.loc[0, "parent_post_id"] == "7"
    nullable = validate("posts", posts(post_id=pd.array([big], dtype="Int64")))
    assert nullable.loc[0, "post_id"] == str(big)


def test_float_ids_are_refused_with_the_reason() -> None:
    with pytest.raises(SchemaError) as exc:
        validate("posts", posts(post_id=[1.968621071235121e18]))
    msg = str(exc.value)
    assert msg.startswith("posts.post_id: got floating-point numbers")
    assert "floats lose digits" in msg and "dtype=str" in msg
    # a column read from CSV with a few ids and blanks is float too
    with pytest.raises(SchemaError, match=r"posts.parent_post_id: got floating-point"):
        validate("posts", posts(post_id=["1", "2"], platform=["x"] * 2, author=["x:1"] * 2,
                                created_at=["2024-01-09T20:00:00Z"] * 2,
                                parent_post_id=[np.nan, 123.0]))


def test_an_all_blank_float_column_is_just_missing() -> None:
    out = validate("posts", posts(parent_post_id=[np.nan]))
    assert out.loc[0, "parent_post_id"] is None


def test_other_objects_are_not_ids() -> None:
    with pytest.raises(SchemaError, match=r"posts.author: expected text, got dict"):
        validate("posts", posts(author=[{"id": 1}]))


# -- times --------------------------------------------------------------------------------

def test_naive_datetime_column_is_refused() -> None:
    frame = posts(created_at=pd.to_datetime(["2024-01-09 20:00"]))
    with pytest.raises(SchemaError, match=r"posts.created_at: times have no time zone; "
                                          r"localize them first"):
        validate("posts", frame)


@pytest.mark.parametrize("value", [
    "2024-01-09 20:00",
    "2024-01-09T20:00:00",
    "2024-01-09T20:00:00.123",
    datetime(2024, 1, 9, 20, 0),
    pd.Timestamp("2024-01-09 20:00"),
])
def test_times_without_offset_are_refused(value: object) -> None:
    frame = posts(created_at=pd.Series([value], dtype=object))
    with pytest.raises(SchemaError, match=r"posts.created_at: time .* has no time zone"):
        validate("posts", frame)


def test_offset_less_string_message_says_what_to_do() -> None:
    with pytest.raises(SchemaError) as exc:
        validate("interactions", interactions(1, ts=["2024-01-09 20:00"]))
    assert str(exc.value) == (
        "interactions.ts: time '2024-01-09 20:00' has no time zone; give an offset such as "
        "'Z' or '+00:00', or localize the column first")


@pytest.mark.parametrize("value", ["2024-01-09", "2024-01"])
def test_date_only_string_is_refused(value: str) -> None:
    """Regression: the '-09' of a bare date was taken for a UTC offset."""
    with pytest.raises(SchemaError, match="no time zone"):
        validate("posts", posts(created_at=[value]))


def test_offset_strings_are_converted_to_utc() -> None:
    values = ["2024-01-09T15:00:00-05:00", "2024-01-09T20:00:00Z", "2024-01-09T21:30:00+0130",
              "2024-01-09T22:00:00.250+02:00", None]
    out = validate("interactions", interactions(5, ts=values))
    assert str(out["ts"].dtype) == "datetime64[us, UTC]"
    expected = [pd.Timestamp("2024-01-09 20:00", tz="UTC")] * 3 + [
        pd.Timestamp("2024-01-09 20:00:00.250", tz="UTC")]
    assert out["ts"].tolist()[:4] == expected
    assert pd.isna(out.loc[4, "ts"])
    spaced = validate("posts", posts(created_at=["2024-01-09 15:00 -0500"]))
    assert spaced.loc[0, "created_at"] == pd.Timestamp("2024-01-09 20:00", tz="UTC")


def test_aware_datetimes_are_converted_to_utc() -> None:
    eastern = pd.to_datetime(["2024-01-09 15:00"]).tz_localize("America/New_York")
    out = validate("posts", posts(created_at=eastern))
    assert str(out["created_at"].dtype) == "datetime64[us, UTC]"
    assert out.loc[0, "created_at"] == pd.Timestamp("2024-01-09 20:00", tz="UTC")
    assert str(out.loc[0, "created_at"].tz) == "UTC"
    objects = pd.Series([datetime(2024, 1, 9, 22, 0, tzinfo=timezone(timedelta(hours=2))),
                         datetime(2024, 1, 9, 20, 0, tzinfo=UTC)], dtype=object)
    two = interactions(2, ts=objects)
    assert validate("interactions", two)["ts"].tolist() == [
        pd.Timestamp("2024-01-09 20:00", tz="UTC")] * 2


def test_not_a_time_is_refused() -> None:
    with pytest.raises(SchemaError, match=r"posts.created_at: expected a time, got int 17"):
        validate("posts", posts(created_at=pd.Series([17], dtype=object)))
    with pytest.raises(SchemaError, match=r"posts.created_at: cannot read times"):
        validate("posts", posts(created_at=["2024-13-45T10:00:00Z"]))


# -- missing values, lists, numbers -------------------------------------------------------

def test_missing_required_value_names_the_row() -> None:
    frame = interactions(3, dst=["x:10", "x:11", None])
    frame.index = [100, 101, 102]
    with pytest.raises(SchemaError) as exc:
        validate("interactions", frame)
    assert str(exc.value) == "interactions.dst: missing value in row 2; it is required"
    with pytest.raises(SchemaError, match=r"posts.post_id: missing value in row 0"):
        validate("posts", posts(post_id=[None]))


def test_missing_values_in_nullable_columns_are_fine() -> None:
    out = validate("posts", posts(created_at=[None], text=[None], lang=[np.nan]))
    assert pd.isna(out.loc[0, "created_at"])
    assert out.loc[0, "text"] is None and out.loc[0, "lang"] is None


def test_strings_columns_from_lists_none_and_str() -> None:
    n = 6
    frame = posts(post_id=[str(i) for i in range(n)], platform=["x"] * n, author=["x:1"] * n,
                  created_at=["2024-01-09T20:00:00Z"] * n,
                  contexts=[["#a", "#b"], None, "#c", ("#d",), np.array(["#e", "#f"]), np.nan])
    out = validate("posts", frame)
    assert out["contexts"].tolist() == [["#a", "#b"], [], ["#c"], ["#d"], ["#e", "#f"], []]
    assert all(type(v) is list for v in out["contexts"])
    with pytest.raises(SchemaError, match=r"posts.contexts: expected a list of strings, got 5"):
        validate("posts", posts(contexts=pd.Series([5], dtype=object)))


def test_weight_defaults_to_one() -> None:
    out = validate("interactions", interactions(3))
    assert out["weight"].dtype == "float64"
    assert out["weight"].tolist() == [1.0, 1.0, 1.0]
    given = validate("interactions", interactions(2, weight=[2, "0.5"]))
    assert given["weight"].tolist() == [2.0, 0.5] and given["weight"].dtype == "float64"
    with pytest.raises(SchemaError, match=r"interactions.weight: expected numbers"):
        validate("interactions", interactions(1, weight=["heavy"]))


def test_missing_weights_default_to_one() -> None:
    """Regression: rows without a weight beside rows with one stayed NaN."""
    out = validate("interactions", interactions(2, weight=[3.0, None]))
    assert out["weight"].tolist() == [3.0, 1.0]


def test_int_and_bool_columns() -> None:
    frame = pd.DataFrame({"account": ["x:1", "x:2", "x:3"], "platform": ["x"] * 3,
                          "followers_count": pd.Series([12, "7", None], dtype=object),
                          "verified": [True, None, False]})
    out = validate("accounts", frame)
    assert out["followers_count"].dtype == "Int64"
    assert out["followers_count"].tolist()[:2] == [12, 7]
    assert pd.isna(out.loc[2, "followers_count"])
    assert out["verified"].dtype == "boolean"
    assert out.loc[0, "verified"] and not out.loc[2, "verified"]
    assert pd.isna(out.loc[1, "verified"])
    bad = frame.assign(followers_count=[1.5, 2, 3])
    with pytest.raises(SchemaError, match=r"accounts.followers_count: expected whole numbers"):
        validate("accounts", bad)


# -- DDL and empty frames -----------------------------------------------------------------

@pytest.mark.parametrize("table", list(TABLES))
def test_ddl_lists_every_column_with_its_type(table: str) -> None:
    spec = TABLES[table]
    ddl = spec.ddl()
    assert ddl.startswith(f"CREATE TABLE IF NOT EXISTS {table} (")
    body = ddl[ddl.index("(") + 1:-1]
    pairs = [part.strip().rsplit(" ", 1) for part in body.split(",")]
    assert [p[0].strip('"') for p in pairs] == spec.names
    assert [p[1] for p in pairs] == [c.duckdb_type for c in spec.columns]
    assert spec.ddl("_stage", temporary=True).startswith(
        "CREATE TEMPORARY TABLE IF NOT EXISTS _stage (")


@pytest.mark.parametrize("table", list(TABLES))
def test_ddl_runs_in_duckdb(table: str) -> None:
    con = duckdb.connect()
    try:
        con.execute(TABLES[table].ddl())
        described = con.execute(f'DESCRIBE "{table}"').fetchall()
    finally:
        con.close()
    assert [(r[0], r[1]) for r in described] == [
        (c.name, DUCKDB_TYPE[c.type]) for c in TABLES[table].columns]


@pytest.mark.parametrize("table", list(TABLES))
def test_empty_frame_shape(table: str) -> None:
    spec = TABLES[table]
    frame = spec.empty_frame()
    assert len(frame) == 0
    assert list(frame.columns) == spec.names
    assert {c: str(frame[c].dtype) for c in frame} == {
        c.name: PANDAS_DTYPE[c.type] for c in spec.columns}
    again = validate(table, frame)
    assert list(again.columns) == spec.names and len(again) == 0
    assert again.dtypes.astype(str).tolist() == frame.dtypes.astype(str).tolist()
