"""Account <-> person resolution: identities rows, matchers, precedence, ambiguity,
corrections and the review table."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest

from plnanalytics import Dataset
from plnanalytics.errors import OptionError, SchemaError
from plnanalytics.identity import (
    MATCHERS,
    REVIEW_COLUMNS,
    MatchOptions,
    accounts_in_store,
    match_email,
    match_fuzzy,
    match_handle,
    match_name,
    match_partial_name,
    match_roster_ids,
    normalize_handle,
    normalize_name,
    resolve,
    resolve_identities,
    review_identities,
    review_store,
)

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
                "groups:P002", "P003", "edgelist:p001", "edgelist:P001", "slack:P001"]
    out = resolve_identities(_identities(), PEOPLE, accounts)
    assert _links(out) == [("edgelist:P001", "P001", "explicit", 1.0),
                           ("groups:P002", "P002", "explicit", 1.0),
                           ("roster:P002", "P002", "explicit", 1.0),
                           ("survey:P003", "P003", "explicit", 1.0)]


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
    )
    out = resolve_identities(ids, PEOPLE, ["edgelist:P001"])
    assert _links(out) == [("edgelist:P001", "P001", "explicit", 1.0),  # an endpoint
                           ("x:1", "P003", "explicit", 1.0),
                           ("x:2", "P001", "fuzzy", 0.7),
                           ("x:3", "P002", "fuzzy", 0.1),
                           ("x:4", "P002", "explicit", 0.9)]
    # whatever the order of the rows
    shuffled = ids.sample(frac=1.0, random_state=3)
    assert _links(resolve_identities(shuffled, PEOPLE, ["edgelist:P001"])) == _links(out)


def test_identities_table_comes_before_the_matchers():
    # the identities table is the first stage: a row there decides the account, whatever
    # its confidence, and a later matcher (here the roster-id endpoint) never overrides it
    ids = _identities(("edgelist:P002", "P001", "explicit", 1.0),
                      ("edgelist:P003", "P002", "fuzzy", 0.5))
    assert _links(resolve_identities(ids, PEOPLE, ["edgelist:P002", "edgelist:P003"])) == [
        ("edgelist:P002", "P001", "explicit", 1.0), ("edgelist:P003", "P002", "fuzzy", 0.5)]


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
    with pytest.raises(SchemaError, match="accounts: missing required column account"):
        resolve_identities(None, PEOPLE, pd.DataFrame({"key": ["x:1"]}))


def test_matchers_seam():
    assert (match_roster_ids, match_email, match_handle, match_name, match_fuzzy,
            match_partial_name) == MATCHERS
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


# -- the roster and accounts the matcher tests share ---------------------------------------------

ROSTER = pd.DataFrame({
    "person_id": ["P001", "P002", "P003", "P004", "P005"],
    "name": ["Ann Lee", "Ann Lee", "José Díaz", "Katherine Johnson", "Bo Ng"],
    "email": ["ann.lee@north.org", "ann.lee@south.org", None, "kj@north.org", None],
    "organization": ["North", "South", "North", "North", "South"],
    "attributes": ['{"x_handle": "@AnnLeeNorth"}', None,
                   '{"mastodon_handle": "@jdiaz@mastodon.social", "slack_handle": "jose"}',
                   '{"twitter_handle": "https://twitter.com/KJohnson"}', None],
})


def _accounts(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


def _one(accounts: pd.DataFrame, **kw) -> list[tuple]:
    return _links(resolve_identities(None, ROSTER, accounts, **kw))


# -- normalization ------------------------------------------------------------------------------

def test_normalize_name():
    assert normalize_name("Lee, Ann") == normalize_name("ann  LEE") == "ann lee"
    assert normalize_name("Díaz, José") == normalize_name("Jose Diaz") == "jose diaz"
    assert normalize_name("Dr. Ann Lee") == normalize_name("Mrs Ann Lee, EdD") == "ann lee"
    assert normalize_name("Prof. Mary-Jane O’Brien") == "mary jane obrien"
    assert normalize_name("Ann Lee 🍎 #edchat") == "ann lee edchat"
    assert normalize_name("Straße") == "strasse"
    assert normalize_name("") == normalize_name(None) == normalize_name(float("nan")) == ""
    assert normalize_name("Lee, Ann, PhD") == "ann lee"


def test_normalize_handle():
    assert normalize_handle("@AnnLee", "x") == normalize_handle("annlee", "x") == "annlee"
    assert normalize_handle("https://twitter.com/AnnLee?lang=en", "x") == "annlee"
    assert normalize_handle("https://bsky.app/profile/Ann.bsky.social", "bluesky") == (
        "ann.bsky.social")
    assert normalize_handle("@Ann@Mastodon.Social", "mastodon") == "ann@mastodon.social"
    assert normalize_handle("https://mastodon.social/@ann", "mastodon") == "ann@mastodon.social"
    assert normalize_handle("https://mastodon.social/users/ann", "mastodon") == (
        "ann@mastodon.social")
    assert normalize_handle("ann", "mastodon") is None  # which instance?
    assert normalize_handle("  ", "x") is None and normalize_handle(None, "x") is None


# -- each matcher, positive and negative ---------------------------------------------------------

def test_email_matcher():
    acc = _accounts({"account": "slack:T1/U1", "platform": "slack", "email": " ANN.LEE@north.org"},
                    {"account": "slack:T1/U2", "platform": "slack", "email": "ann.lee@east.org"},
                    {"account": "slack:T1/U3", "platform": "slack", "email": ""},
                    {"account": "slack:T1/U4", "platform": "slack"})
    assert _one(acc) == [("slack:T1/U1", "P001", "email", 1.0)]
    # an email a roster person has as their name, or no email column at all: no link
    assert _one(_accounts({"account": "slack:T1/U5"})) == []


def test_handle_matcher():
    acc = _accounts(
        {"account": "x:1", "platform": "x", "handle": "annleenorth"},           # x_handle
        {"account": "x:2", "platform": "x", "handle": "kjohnson"},              # twitter_handle
        {"account": "mastodon:109", "platform": "mastodon", "handle": "jdiaz@mastodon.social"},
        {"account": "slack:T1/U9", "platform": "slack", "handle": "@jose"},
        {"account": "bluesky:did:plc:1", "platform": "bluesky", "handle": "annleenorth"},
        {"account": "x:3", "platform": "x", "handle": "jose"},                  # a slack handle
        {"account": "mastodon:110", "platform": "mastodon",
         "handle": "jdiaz@other.social"})                                      # other instance
    assert _one(acc) == [("mastodon:109", "P003", "handle", 0.95),
                         ("slack:T1/U9", "P003", "handle", 0.95),
                         ("x:1", "P001", "handle", 0.95),
                         ("x:2", "P004", "handle", 0.95)]


def test_mastodon_handle_takes_the_instance_of_the_key():
    acc = _accounts({"account": "mastodon:jdiaz@mastodon.social", "platform": "mastodon",
                     "handle": "jdiaz"},
                    {"account": "mastodon:jdiaz@other.social", "platform": "mastodon",
                     "handle": "jdiaz"},
                    {"account": "mastodon:12345", "platform": "mastodon", "handle": "jdiaz"})
    assert _one(acc) == [("mastodon:jdiaz@mastodon.social", "P003", "handle", 0.95)]
    # no handle at all: the key's user@instance
    assert _one(_accounts({"account": "mastodon:JDiaz@mastodon.social"})) == [
        ("mastodon:JDiaz@mastodon.social", "P003", "handle", 0.95)]


def test_name_matcher():
    acc = _accounts({"account": "x:1", "platform": "x", "display_name": "Díaz, José"},
                    {"account": "survey:Katherine Johnson", "platform": "survey"},
                    {"account": "groups:Dr. Bo Ng", "platform": "groups"},
                    {"account": "survey:Cy Ra", "platform": "survey"},
                    {"account": "x:2", "platform": "x", "display_name": "Ann Leeds"},
                    {"account": "x:3", "platform": "x", "handle": "Bo Ng"})  # a handle: no
    assert _one(acc, options=MatchOptions(fuzzy=False)) == [
        ("groups:Dr. Bo Ng", "P005", "name", 0.9),
        ("survey:Katherine Johnson", "P004", "name", 0.9),
        ("x:1", "P003", "name", 0.9)]


def test_written_name_of_a_survey_account_is_its_native_id_or_display_name():
    acc = _accounts({"account": "survey:r17", "platform": "survey",
                     "display_name": "Johnson, Katherine"},
                    {"account": "edgelist:Bo Ng", "platform": "edgelist"})  # not a written name
    assert _one(acc) == [("survey:r17", "P004", "name", 0.9)]


def test_fuzzy_threshold_and_margin():
    acc = _accounts({"account": "x:1", "display_name": "Katherine Johnston"},  # 97.1 vs P004
                    {"account": "x:2", "display_name": "Kathy Jonsen"},        # far from all
                    {"account": "x:3", "display_name": "Jose Diaz Jr"})        # 88.9
    out = _one(acc)
    assert out == [("x:1", "P004", "fuzzy", pytest.approx(0.9714 * 0.85, abs=1e-4))]
    lower = _one(acc, options=MatchOptions(fuzzy_threshold=85))
    assert [r[:3] for r in lower] == [("x:1", "P004", "fuzzy"), ("x:3", "P003", "fuzzy")]
    assert _one(acc, options=MatchOptions(fuzzy_threshold=98)) == []
    assert _one(acc, options=MatchOptions(fuzzy=False)) == []


def test_fuzzy_margin_makes_close_runners_up_ambiguous():
    people = pd.DataFrame({"person_id": ["P1", "P2"], "name": ["Anne Lee", "Ann Leed"]})
    acc = _accounts({"account": "x:1", "display_name": "Ann Lee"})  # 93.3 to both
    res = resolve(None, people, acc)
    assert len(res.links) == 0
    assert list(res.ambiguous["person_id"]) == ["P1", "P2"]
    assert set(res.ambiguous["method"]) == {"fuzzy"}
    # a best name far enough ahead links
    people2 = pd.DataFrame({"person_id": ["P1", "P2"], "name": ["Anne Lee", "Bob Leed"]})
    assert _links(resolve_identities(None, people2, acc))[0][:3] == ("x:1", "P1", "fuzzy")
    # margin 0: a tie is still a tie, but any lead is enough
    people3 = pd.DataFrame({"person_id": ["P1", "P2"], "name": ["Ann Lees", "Anne Leed"]})
    assert len(resolve_identities(None, people3, acc, options=MatchOptions(fuzzy_margin=0)))
    assert not len(resolve_identities(None, people3, acc, options=MatchOptions(fuzzy_margin=10)))


def test_match_options_are_checked():
    for bad in ({"fuzzy_threshold": -1}, {"fuzzy_margin": 101}, {"fuzzy_weight": 0},
                {"workers": 0}):
        with pytest.raises(OptionError):
            MatchOptions(**bad)
    with pytest.raises(AttributeError):
        MatchOptions().fuzzy_threshold = 50  # type: ignore[misc]


# -- precedence ----------------------------------------------------------------------------------

def test_stronger_methods_come_first():
    acc = _accounts(
        # email of P004, display name of P005: email wins
        {"account": "slack:T/U1", "platform": "slack", "email": "kj@north.org",
         "display_name": "Bo Ng"},
        # handle of P001, name of P005: handle wins
        {"account": "x:1", "platform": "x", "handle": "AnnLeeNorth", "display_name": "Bo Ng"},
        # roster id of P005, email of P004: the roster id wins
        {"account": "survey:P005", "platform": "survey", "email": "kj@north.org"},
        # an exact name and a fuzzy one: the exact one
        {"account": "x:2", "platform": "x", "display_name": "Bo Ng"},
    )
    assert _one(acc) == [("slack:T/U1", "P004", "email", 1.0),
                         ("survey:P005", "P005", "explicit", 1.0),
                         ("x:1", "P001", "handle", 0.95),
                         ("x:2", "P005", "name", 0.9)]


def test_identities_table_beats_every_matcher():
    ids = _identities(("slack:T/U1", "P005", "explicit", 1.0))
    acc = _accounts({"account": "slack:T/U1", "email": "kj@north.org"})
    assert _links(resolve_identities(ids, ROSTER, acc)) == [
        ("slack:T/U1", "P005", "explicit", 1.0)]


def test_a_custom_matcher_list():
    def everyone_is_bo(people, accounts, options):
        return pd.DataFrame({"account": accounts["account"], "person_id": "P005",
                             "method": "guess", "confidence": 0.1})

    acc = _accounts({"account": "x:1", "display_name": "Ann Lee"},
                    {"account": "x:2", "email": "kj@north.org"})
    res = resolve(None, ROSTER, acc, matchers=(match_email, everyone_is_bo))
    assert _links(res.links) == [("x:1", "P005", "guess", 0.1), ("x:2", "P004", "email", 1.0)]


# -- ambiguity -----------------------------------------------------------------------------------

def test_same_name_in_two_districts_is_never_merged_by_name():
    acc = _accounts({"account": "x:1", "platform": "x", "display_name": "Ann Lee"},
                    {"account": "survey:Lee, Ann", "platform": "survey"},
                    {"account": "x:2", "platform": "x", "display_name": "Anne Lee"},
                    {"account": "slack:T/U1", "platform": "slack", "display_name": "Ann Lee",
                     "email": "ann.lee@south.org"},
                    {"account": "x:3", "platform": "x", "display_name": "Ann Lee",
                     "handle": "annleenorth"})
    res = resolve(None, ROSTER, acc)
    assert _links(res.links) == [("slack:T/U1", "P002", "email", 1.0),
                                 ("x:3", "P001", "handle", 0.95)]
    amb = res.ambiguous.groupby("account")["person_id"].agg(list).to_dict()
    assert amb == {"survey:Lee, Ann": ["P001", "P002"], "x:1": ["P001", "P002"],
                   "x:2": ["P001", "P002"]}
    # the exact name is what made them ambiguous (fuzzy, later, finds the same two)
    by_account = res.ambiguous.groupby("account")["method"].first().to_dict()
    assert by_account == {"survey:Lee, Ann": "name", "x:1": "name", "x:2": "fuzzy"}


def test_two_people_with_one_email_are_ambiguous_by_email_but_a_name_may_decide():
    people = pd.DataFrame({"person_id": ["P1", "P2"], "name": ["Ann Lee", "Bo Ng"],
                           "email": ["office@school.org", "office@school.org"]})
    acc = _accounts({"account": "slack:T/U1", "email": "office@school.org"},
                    {"account": "slack:T/U2", "email": "office@school.org",
                     "display_name": "Bo Ng"})
    res = resolve(None, people, acc)
    assert _links(res.links) == [("slack:T/U2", "P2", "name", 0.9)]
    assert list(res.ambiguous["account"]) == ["slack:T/U1", "slack:T/U1"]


# -- one principal, three platforms -------------------------------------------------------------

def test_a_principal_with_x_mastodon_and_slack_accounts_is_one_person(tmp_path, store):
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "person_id,name,email,district,school,x_user_id,mastodon_handle\n"
        "P001,Odette Fairweather,odette@cedar.org,Cedar,Cottonwood,1443309687712595975,"
        "@odette@mastodon.social\n"
        "P002,Vaughn Foxworth,vaughn@cedar.org,Cedar,Maple Grove,,\n")
    store.ingest(roster)
    store.add(Dataset.from_records(accounts=[
        {"account": "x:1443309687712595975", "platform": "x", "handle": "DrFairweather",
         "display_name": "Dr. Fairweather 🌵"},
        {"account": "mastodon:odette@mastodon.social", "platform": "mastodon",
         "handle": "odette", "display_name": "Odette F."},
        {"account": "slack:T01/U02", "platform": "slack", "handle": "ofair",
         "display_name": "ofair", "email": "Odette@Cedar.org"},
        {"account": "slack:T01/U03", "platform": "slack", "handle": "vf"},
    ]))
    out = resolve_identities(store.table("identities"), store.table("people"),
                             accounts_in_store(store))
    assert _links(out) == [("mastodon:odette@mastodon.social", "P001", "handle", 0.95),
                           ("slack:T01/U02", "P001", "email", 1.0),
                           ("x:1443309687712595975", "P001", "explicit", 1.0)]


def test_accounts_in_store_adds_keys_seen_without_an_accounts_row(store):
    store.add(Dataset.from_records(
        accounts=[{"account": "x:1", "platform": "x", "handle": "ann"}],
        posts=[{"post_id": "9", "platform": "x", "author": "x:2",
                "created_at": "2025-01-01T00:00:00Z"}],
        interactions=[{"platform": "x", "kind": "mention", "src": "x:2", "dst": "x:1",
                       "post_id": "9"},
                      {"platform": "survey", "kind": "advice", "src": "survey:Ann Lee",
                       "dst": "nocolon", "post_id": "r1"}],
        memberships=[{"member": "groups:Bo Ng", "group": "plc"}]))
    acc = accounts_in_store(store)
    assert list(acc.columns) == ["account", "platform", "handle", "display_name", "email"]
    assert list(zip(acc.account, acc.platform, strict=True)) == [
        ("groups:Bo Ng", "groups"), ("nocolon", None), ("survey:Ann Lee", "survey"),
        ("x:1", "x"), ("x:2", "x")]


# -- corrections ---------------------------------------------------------------------------------

def _with_ingest(*rows: tuple) -> pd.DataFrame:
    return pd.DataFrame(list(rows),
                        columns=["account", "person_id", "method", "confidence", "ingest_id"])


def test_a_manual_correction_overrides_a_fuzzy_link_and_everything_else():
    acc = _accounts({"account": "x:1", "display_name": "Katherine Johnston"},
                    {"account": "x:2", "email": "kj@north.org"})
    assert _one(acc)[0][:3] == ("x:1", "P004", "fuzzy")
    ids = _with_ingest(("x:1", "P005", "manual", 1.0, 7), ("x:2", "P001", "explicit", 1.0, 1),
                       ("x:2", "P003", "manual", 1.0, 2))
    assert _links(resolve_identities(ids, ROSTER, acc)) == [("x:1", "P005", "manual", 1.0),
                                                             ("x:2", "P003", "manual", 1.0)]


def test_a_rejection_leaves_the_account_unlinked():
    acc = _accounts({"account": "x:1", "display_name": "Bo Ng"},
                    {"account": "x:2", "display_name": "Bo Ng"})
    ids = _with_ingest(("x:1", "", "rejected", 1.0, 3),
                       ("x:1", "P005", "explicit", 1.0, 1))  # even an explicit link
    res = resolve(ids, ROSTER, acc)
    assert _links(res.links) == [("x:2", "P005", "name", 0.9)]
    assert res.rejected == ["x:1"]


def test_the_latest_correction_wins():
    acc = ["x:1", "x:2", "x:3"]
    ids = _with_ingest(("x:1", "P001", "manual", 1.0, 2), ("x:1", "P002", "manual", 1.0, 5),
                       ("x:1", "P003", "manual", 1.0, 4),
                       ("x:2", "", "rejected", 1.0, 2), ("x:2", "P004", "manual", 1.0, 3),
                       ("x:3", "P004", "manual", 1.0, 3), ("x:3", "", "rejected", 1.0, 6))
    for frame in (ids, ids.iloc[::-1]):
        res = resolve(frame, ROSTER, acc)
        assert _links(res.links) == [("x:1", "P002", "manual", 1.0),
                                     ("x:2", "P004", "manual", 1.0)]
        assert res.rejected == ["x:3"]


def test_corrections_without_ingest_ids_and_unknown_people():
    # a frame without ingest_id (a notebook's own): deterministic, a rejection first
    ids = _identities(("x:1", "P002", "manual", 1.0), ("x:1", "P001", "manual", 1.0),
                      ("x:2", "P999", "manual", 1.0), ("x:2", "P004", "explicit", 1.0),
                      ("x:3", "P001", "manual", 1.0), ("x:3", "", "rejected", 1.0))
    res = resolve(ids, ROSTER, [])
    # a correction naming no roster person is ignored; the explicit link stands
    assert _links(res.links) == [("x:1", "P001", "manual", 1.0),
                                 ("x:2", "P004", "explicit", 1.0)]
    assert res.rejected == ["x:3"]


def test_a_restated_correction_through_the_store_is_the_latest(tmp_path, store):
    store.ingest(SAMPLE / "roster.csv")
    for i, person in enumerate(("P002", "P003", "P002")):
        links = tmp_path / f"links{i}.csv"
        links.write_text(f"account,person_id\nx:999,{person}\n")
        store.ingest(links, format="identities")
    out = resolve_identities(store.table("identities"), store.table("people"), ["x:999"])
    assert _links(out[out.account == "x:999"]) == [("x:999", "P002", "manual", 1.0)]


# -- review --------------------------------------------------------------------------------------

def test_review_statuses():
    acc = _accounts(
        {"account": "x:1", "platform": "x", "handle": "annleenorth", "display_name": "Ann"},
        {"account": "x:2", "platform": "x", "handle": "someone", "display_name": "Ann Lee"},
        {"account": "x:3", "platform": "x", "handle": "moderator"},
        {"account": "x:4", "platform": "x", "display_name": "Bo Ng"},
        {"account": "x:5", "platform": "x", "display_name": "Kathrine Johnson"})
    ids = _with_ingest(("x:4", "", "rejected", 1.0, 2), ("x:9", "P003", "manual", 1.0, 2))
    review = review_identities(ids, ROSTER, acc)
    assert list(review.columns) == list(REVIEW_COLUMNS)
    rows = {r.account: r for r in review.itertuples(index=False)}
    assert list(review.account) == ["x:1", "x:2", "x:3", "x:4", "x:5", "x:9"]
    r = rows["x:1"]
    assert (r.status, r.person_id, r.person_name, r.organization, r.method, r.confidence) == (
        "linked", "P001", "Ann Lee", "North", "handle", 0.95)
    assert (r.platform, r.handle, r.display_name, r.candidates) == ("x", "annleenorth", "Ann",
                                                                    None)
    r = rows["x:2"]
    assert (r.status, r.person_id, r.method) == ("ambiguous", None, "name")
    assert r.candidates == "P001 Ann Lee (North); P002 Ann Lee (South)"
    assert pd.isna(r.confidence)
    r = rows["x:3"]
    assert (r.status, r.person_id, r.method, r.candidates) == ("unlinked", None, None, None)
    r = rows["x:4"]
    assert (r.status, r.person_id, r.method, r.confidence) == ("rejected", "none", "rejected",
                                                               1.0)
    assert rows["x:5"].status == "linked" and rows["x:5"].method == "fuzzy"
    r = rows["x:9"]  # known only from the identities table
    assert (r.status, r.platform, r.person_id, r.method) == ("linked", "x", "P003", "manual")


def test_review_of_an_empty_store(store):
    review = review_store(store)
    assert list(review.columns) == list(REVIEW_COLUMNS) and len(review) == 0


# -- scale ---------------------------------------------------------------------------------------

def test_20k_accounts_by_500_people_runs():
    first = ["Ann", "Bo", "Cy", "Dee", "Eli", "Fay", "Gus", "Hal", "Ida", "Jo", "Kim", "Lou"]
    last = [f"{a}{b}" for a in ("Lee", "Ng", "Diaz", "Smith", "Khan")
            for b in ("", "son", "man", "ford", "wood", "berg", "ley", "ton")]
    people = pd.DataFrame({
        "person_id": [f"P{i:04d}" for i in range(500)],
        "name": [f"{first[i % 12]} {last[(i * 7) % 40]}{'' if i < 480 else 'x'}"
                 for i in range(500)],
        "email": [f"p{i}@d.org" for i in range(500)],
        "attributes": [f'{{"x_handle": "h{i}"}}' for i in range(500)]})
    n = 20_000
    accounts = pd.DataFrame({
        "account": [f"x:{i}" for i in range(n)], "platform": "x",
        "handle": [f"h{i}" if i < 500 else f"u{i}" for i in range(n)],
        "display_name": [f"{first[i % 12]} {last[i % 40]}{'s' if i % 3 else ''} {i % 97}"
                         if i % 5 else f"{first[i % 12]} {last[i % 40]}" for i in range(n)],
        "email": [f"p{i % 600}@d.org" if i % 11 == 0 else None for i in range(n)]})
    start = time.perf_counter()
    review = review_identities(None, people, accounts)
    elapsed = time.perf_counter() - start
    assert len(review) == n and set(review.status) <= {"linked", "ambiguous", "unlinked"}
    assert {"handle", "email"} <= set(review.method.dropna())
    links = resolve_identities(None, people, accounts)
    assert links.account.is_unique and len(links) == (review.status == "linked").sum()
    assert elapsed < 60


def test_a_first_name_alone_is_never_linked_only_proposed():
    people = pd.DataFrame({"person_id": ["P1", "P2", "P3"],
                           "name": ["Odette Fairweather", "Odette Yoshida", "Gideon Vickery"]})
    accounts = pd.DataFrame({"account": ["survey:Odette", "survey:Gideon", "x:7"],
                             "platform": ["survey", "survey", "x"],
                             "display_name": ["Odette", "Gideon", "Gideon"]})
    assert resolve_identities(None, people, accounts).empty  # even a single Gideon: a guess
    review = review_identities(None, people, accounts).set_index("account")
    assert review.loc["survey:Odette", "status"] == "ambiguous"
    assert "P1" in review.loc["survey:Odette", "candidates"]
    assert "P2" in review.loc["survey:Odette", "candidates"]
    assert review.loc["survey:Gideon", "status"] == "ambiguous"
    assert review.loc["x:7", "status"] == "unlinked"  # display names on X are not proposed
