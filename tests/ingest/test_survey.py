"""Survey (name generator) reader: long and wide layouts, frequency thresholds, respondents
who did not answer vs named nobody, keys, options, XLSX, bad rows, strict mode, sniffing."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import write_rows, write_workbook

from plnanalytics.errors import FormatError, OptionError, RecordError
from plnanalytics.ingest import FORMATS, reader_class, sniff
from plnanalytics.ingest.base import ReadLog, read_head
from plnanalytics.ingest.survey import SurveyReader, relation_name

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
Q_ADVICE = "Whom do you go to for advice about instruction?"


_csv = write_rows


_xlsx = write_workbook


def _read(path: Path, **options: Any) -> tuple[list[tuple], list[tuple], dict, ReadLog]:
    """Ties, memberships, accounts by key and the log of reading a file."""
    log = ReadLog(str(path))
    edges, members, accounts = [], [], {}
    for batch in SurveyReader(path, **options).batches(log):
        edges += batch.rows["interactions"]
        members += batch.rows["memberships"]
        accounts.update({a[0]: a for a in batch.rows["accounts"]})
    return edges, members, accounts, log


def _ties(edges: list[tuple]) -> list[tuple]:
    """(kind, src, dst, weight) of each tie, sorted."""
    return sorted((e[1], e[2], e[3], e[5]) for e in edges)


def _respondents(members: list[tuple]) -> dict[str, set[str]]:
    """Relation -> respondent keys, checking every membership is a respondent's."""
    out: dict[str, set[str]] = {}
    for member, group, role, _, until in members:
        assert group.startswith("survey:") and role == "respondent" and until is None
        out.setdefault(group.removeprefix("survey:"), set()).add(member)
    return out


def _store_ties(store) -> list[tuple]:
    df = store.table("interactions")
    return sorted(zip(df.kind, df.src, df.dst, df.weight, df.context, strict=True))


# -- long layout -------------------------------------------------------------------------------
def test_long_form_with_relation_and_frequency(tmp_path, store):
    path = _csv(tmp_path / "advice_survey.csv", [
        ["Respondent", "Nominee", "Relation", "Frequency"],
        ["P001", "P002", "advice", "4"],
        ["P001", "P003", "Advice", "2"],
        ["P002", "P001", "Collaboration", "3"],
        ["P003", "P001", "collaboration", ""],
    ])
    report = store.ingest(path, format="survey")
    assert (report.format, report.unit) == ("survey", "ties")
    assert (report.records, report.kept, report.duplicates, report.rejected) == (4, 4, 0, 0)
    assert _store_ties(store) == [
        ("advice", "survey:P001", "survey:P002", 4.0, "advice"),
        ("advice", "survey:P001", "survey:P003", 2.0, "advice"),
        ("collaboration", "survey:P002", "survey:P001", 3.0, "collaboration"),
        ("collaboration", "survey:P003", "survey:P001", 1.0, "collaboration"),  # unrated: 1
    ]
    df = store.table("interactions")
    assert set(df.platform) == {"survey"} and df.ts.isna().all()
    accounts = store.table("accounts")
    assert list(accounts.account) == ["survey:P001", "survey:P002", "survey:P003"]
    assert list(accounts.display_name) == ["P001", "P002", "P003"]
    assert set(accounts.platform) == {"survey"} and accounts.handle.isna().all()
    members = store.table("memberships")
    assert len(members) == 6 and set(members.role) == {"respondent"}
    assert set(members.group) == {"survey:advice", "survey:collaboration"}
    assert report.notes == {"respondents who named nobody for advice": 2,
                            "respondents who named nobody for collaboration": 1}
    assert store.counts()["posts"] == 0


def test_long_form_without_relation_or_frequency_column(tmp_path):
    path = _csv(tmp_path / "s.csv", [["ego", "alter"], ["a", "b"], ["b", "c"]])
    edges, members, _, log = _read(path)
    assert _ties(edges) == [("advice", "survey:a", "survey:b", 1.0),
                            ("advice", "survey:b", "survey:c", 1.0)]
    assert _respondents(members) == {"advice": {"survey:a", "survey:b"}}
    edges, members, _, _ = _read(path, relation="Collaboration")
    assert {e[1] for e in edges} == {"collaboration"}
    assert _respondents(members) == {"collaboration": {"survey:a", "survey:b"}}
    assert log.records == 2


def test_relation_option_with_a_relation_column_is_refused(tmp_path):
    path = _csv(tmp_path / "s.csv", [["respondent", "nominee", "question"], ["a", "b", "x"]])
    with pytest.raises(OptionError, match="'question'"):
        _read(path, relation="advice")


@pytest.mark.parametrize(("header", "options"), [
    (["Respondent_ID", "Named", "Question", "Rating"], {}),
    (["person id", "alter", "relation", "freq"], {}),
    (["name", "nominee", "question", "weight"], {}),
    (["who", "whom", "about", "how often"],
     {"respondent_col": "Who", "nominee_col": "whom", "relation_col": "about",
      "frequency_col": "HOW OFTEN"}),
])
def test_long_column_synonyms_and_options(tmp_path, header, options):
    path = _csv(tmp_path / "s.csv", [["note", *header], ["x", "a", "b", "advice", "3"]])
    edges, *_ = _read(path, **options)
    assert _ties(edges) == [("advice", "survey:a", "survey:b", 3.0)]


def test_column_errors(tmp_path):
    path = _csv(tmp_path / "s.csv", [["respondent", "nominee"], ["a", "b"]])
    with pytest.raises(OptionError) as err:
        _read(path, frequency_col="rating")
    assert "'rating'" in str(err.value) and "respondent, nominee" in str(err.value)
    with pytest.raises(OptionError, match="same column"):
        _read(path, respondent_col="respondent", nominee_col="Respondent")
    no_respondent = _csv(tmp_path / "n.csv", [["who", "nominee"], ["a", "b"]])
    with pytest.raises(FormatError) as err:
        _read(no_respondent)
    assert "respondent_col" in str(err.value) and "who, nominee" in str(err.value)
    no_nominee = _csv(tmp_path / "m.csv", [["respondent", "school"], ["a", "b"]])
    with pytest.raises(FormatError, match="no nominee column"):
        _read(no_nominee)
    empty = tmp_path / "e.csv"
    empty.write_text("\n\n")
    with pytest.raises(FormatError, match="empty"):
        _read(empty)


# -- wide layout -------------------------------------------------------------------------------
def test_wide_form_with_frequency_columns(tmp_path, store):
    path = _csv(tmp_path / "wide.csv", [
        ["respondent", "school", "advice_1", "advice_1_freq", "advice_2", "advice_2_freq",
         "Collab 1", "collab_freq_1", "collab_2", "collab_freq_2"],
        ["P1", "North", "P2", "4", "P3", "1", "P3", "2", "", ""],
        ["P2", "South", "P1", "3", "", "", "", "", "", ""],
        ["P3", "East", "", "", "", "", "", "", "", ""],
    ])
    report = store.ingest(path, format="survey")
    assert (report.records, report.rejected) == (4, 0)
    assert _store_ties(store) == [
        ("advice", "survey:P1", "survey:P2", 4.0, "advice"),
        ("advice", "survey:P1", "survey:P3", 1.0, "advice"),
        ("advice", "survey:P2", "survey:P1", 3.0, "advice"),
        ("collab", "survey:P1", "survey:P3", 2.0, "collab"),
    ]
    members = store.table("memberships")
    assert sorted(zip(members.group, members.member, strict=True)) == [
        (g, f"survey:P{i}") for g in ("survey:advice", "survey:collab") for i in (1, 2, 3)]
    assert report.notes == {"respondents who named nobody for advice": 1,
                            "respondents who named nobody for collab": 2}


def test_wide_form_without_frequency_columns(tmp_path):
    path = _csv(tmp_path / "w.csv", [
        ["person_id", "name", "advice_1", "advice_2", "advice_3", "trust_1"],
        ["P1", "Ann Lee", "Bo Ng", "P3", "NA", "P2"],
        ["P2", "Bo Ng", "n/a", "", "", ""],
    ])
    edges, members, accounts, log = _read(path)
    assert _ties(edges) == [("advice", "survey:P1", "survey:Bo Ng", 1.0),
                            ("advice", "survey:P1", "survey:P3", 1.0),
                            ("trust", "survey:P1", "survey:P2", 1.0)]
    assert _respondents(members) == {"advice": {"survey:P1", "survey:P2"},
                                     "trust": {"survey:P1", "survey:P2"}}
    assert accounts["survey:Bo Ng"][3] == "Bo Ng"
    assert log.notes == {"respondents who named nobody for advice": 1,
                         "respondents who named nobody for trust": 1}


def test_wide_option(tmp_path):
    # a long-looking file read as wide, and a wide file refused as long
    both = _csv(tmp_path / "b.csv", [["respondent", "nominee", "advice_1"], ["a", "x", "b"]])
    assert _ties(_read(both)[0]) == [("advice", "survey:a", "survey:x", 1.0)]
    for flag in (True, "yes", "TRUE"):
        assert _ties(_read(both, wide=flag)[0]) == [("advice", "survey:a", "survey:b", 1.0)]
    wide = _csv(tmp_path / "w.csv", [["respondent", "advice_1"], ["a", "b"]])
    assert _ties(_read(wide, wide="auto")[0]) == [("advice", "survey:a", "survey:b", 1.0)]
    with pytest.raises(FormatError, match="no nominee column"):
        _read(wide, wide=False)
    with pytest.raises(OptionError, match="long layout"):
        SurveyReader(wide, wide=True, frequency_col="f")
    with pytest.raises(OptionError, match="long layout"):
        _read(wide, relation="advice")  # detected as wide
    with pytest.raises(OptionError, match="true or false"):
        SurveyReader(wide, wide="maybe")


def test_wide_orphan_frequency_column(tmp_path):
    path = _csv(tmp_path / "w.csv", [["respondent", "advice_1", "advice_2_freq"],
                                     ["a", "b", "3"]])
    with pytest.raises(FormatError, match="'advice_2_freq'"):
        _read(path)


# -- frequency threshold -----------------------------------------------------------------------
def test_threshold_three_on_a_four_point_scale(tmp_path, store):
    rows = [["respondent", "nominee", "relation", "frequency"]]
    rows += [["P1", f"P{r + 1}", "advice", str(r)] for r in (1, 2, 3, 4)]
    rows += [["P2", "P1", "advice", ""], ["P3", "P1", "advice", "3.5"]]
    path = _csv(tmp_path / "s.csv", rows)
    report = store.ingest(path, format="survey", min_frequency="3")
    assert report.records == 3 and report.rejected == 0
    assert [(s, d, w) for _, s, d, w, _ in _store_ties(store)] == [
        ("survey:P1", "survey:P4", 3.0), ("survey:P1", "survey:P5", 4.0),
        ("survey:P3", "survey:P1", 3.5)]
    assert report.notes == {
        "nominations below frequency 3 not counted as ties": 2,
        "nominations without a frequency not counted as ties (min_frequency 3)": 1}
    # nominations below the threshold still mean the respondent named someone
    assert len(store.table("memberships")) == 3
    # without the threshold every nomination is a tie
    edges, *_ = _read(path)
    assert len(edges) == 6


def test_bad_min_frequency(tmp_path):
    path = _csv(tmp_path / "s.csv", [["respondent", "nominee"], ["a", "b"]])
    for bad in ("often", "nan", True):
        with pytest.raises(OptionError, match="min_frequency"):
            SurveyReader(path, min_frequency=bad)


# -- respondents: did not answer vs named nobody ----------------------------------------------
def test_non_respondents_and_respondents_who_named_nobody(tmp_path, store):
    roster = _csv(tmp_path / "roster.csv", [["person_id", "name"], ["P1", "Ann Lee"],
                                            ["P2", "Bo Ng"], ["P3", "Cy Ra"], ["P4", "Di Po"]])
    store.ingest(roster)
    survey = _csv(tmp_path / "long.csv", [
        ["respondent", "nominee", "relation"],
        ["P1", "P3", "advice"],
        ["P1", "P3", "collaboration"],
        ["P2", "", "advice"],       # answered the advice question, named nobody
        ["P4", "", ""],             # answered, named nobody for any question
    ])
    report = store.ingest(survey)
    assert report.format == "survey"
    members = store.table("memberships")
    respondents = {g: set(members.member[members.group == g]) for g in set(members.group)}
    assert respondents == {
        "survey:advice": {"survey:P1", "survey:P2", "survey:P4"},
        "survey:collaboration": {"survey:P1", "survey:P2", "survey:P4"}}
    people = set(store.table("people").person_id)
    answered = {m.removeprefix("survey:") for m in members.member}
    assert people - answered == {"P3"}  # nominated, but did not answer
    ties = store.table("interactions")
    advice_named = set(ties.src[ties.kind == "advice"])
    assert respondents["survey:advice"] - advice_named == {"survey:P2", "survey:P4"}
    assert report.notes == {"respondents who named nobody for advice": 2,
                            "respondents who named nobody for collaboration": 2}


def test_self_nominations_are_not_ties(tmp_path):
    path = _csv(tmp_path / "s.csv", [["respondent", "advice_1", "advice_2"],
                                     ["P1", "P1", "P2"], ["P2", "survey:P2", ""]])
    edges, members, accounts, log = _read(path)
    assert _ties(edges) == [("advice", "survey:P1", "survey:P2", 1.0)]
    assert log.records == 1
    assert log.notes == {"self-nominations not counted as ties": 2,
                         "respondents who named nobody for advice": 1}
    assert set(accounts) == {"survey:P1", "survey:P2"}
    assert _respondents(members) == {"advice": {"survey:P1", "survey:P2"}}


def test_repeated_nominations_are_one_tie(tmp_path, store):
    path = _csv(tmp_path / "s.csv", [
        ["respondent", "advice_1", "advice_1_freq", "advice_2", "advice_2_freq"],
        ["P1", "P2", "4", "P2", "2"],
        ["P1", " P2 ", "1", "P3", "3"],   # the respondent's row again
    ])
    report = store.ingest(path, format="survey")
    assert (report.records, report.kept, report.duplicates) == (2, 2, 0)
    assert [(d, w) for _, _, d, w, _ in _store_ties(store)] == [("survey:P2", 4.0),
                                                                ("survey:P3", 3.0)]
    assert report.notes == {
        "repeated nominations (same respondent, relation and nominee) counted once": 2}
    assert len(store.table("memberships")) == 1


# -- keys -------------------------------------------------------------------------------------
def test_names_and_ids_as_nominees(tmp_path):
    path = _csv(tmp_path / "s.csv", [
        ["respondent", "nominee", "relation"],
        [" P001 ", "Ann Lee", "advice"],
        ["P001", "P002", "advice"],
        ["P001", "survey:P003", "advice"],
        ["Ann Lee", "Dr. Bo Ng-Smith", "Instructional  Advice"],
    ])
    edges, _, accounts, _ = _read(path)
    assert _ties(edges) == [
        ("advice", "survey:P001", "survey:Ann Lee", 1.0),
        ("advice", "survey:P001", "survey:P002", 1.0),
        ("advice", "survey:P001", "survey:P003", 1.0),
        ("instructional_advice", "survey:Ann Lee", "survey:Dr. Bo Ng-Smith", 1.0)]
    assert {k: a[3] for k, a in accounts.items()} == {
        "survey:P001": "P001", "survey:Ann Lee": "Ann Lee", "survey:P002": "P002",
        "survey:P003": "P003", "survey:Dr. Bo Ng-Smith": "Dr. Bo Ng-Smith"}
    assert all(a[1] == "survey" and a[2] is None and len(a) == 13 for a in accounts.values())


def test_post_id_recipe(tmp_path):
    path = _csv(tmp_path / "s.csv", [["respondent", "nominee"], ["a", "b"]])
    edges, *_ = _read(path)
    digest = hashlib.sha1(b"survey:a|advice|survey:b").hexdigest()
    assert edges[0][7] == f"survey:{digest}"
    dated, *_ = _read(path, date="2024-03-01")
    digest = hashlib.sha1(b"survey:a|advice|survey:b|2024-03-01T00:00:00+00:00").hexdigest()
    assert dated[0][7] == f"survey:{digest}"


def test_relation_name():
    assert relation_name(" Collaboration ") == "collaboration"
    assert relation_name("go to\tfor help") == "go_to_for_help"


# -- questions and date -----------------------------------------------------------------------
def test_questions_option(tmp_path, store):
    path = _csv(tmp_path / "s.csv", [["respondent", "nominee", "relation"],
                                     ["a", "b", "advice"], ["a", "c", "collaboration"]])
    report = store.ingest(path, format="survey",
                          questions={"Advice": Q_ADVICE, "innovation": "Who innovates?"})
    assert [c for *_, c in _store_ties(store)] == [Q_ADVICE, "collaboration"]
    assert report.notes == {"question text given for a relation not in the file: innovation": 1}
    edges, *_ = _read(path, questions=[f"advice={Q_ADVICE}", "collaboration = With whom? "])
    assert sorted(e[6] for e in edges) == [Q_ADVICE, "With whom?"]
    edges, *_ = _read(path, questions="advice=a=b")
    assert sorted(e[6] for e in edges) == ["a=b", "collaboration"]
    for bad in (["advice"], ["=text"], ["advice="], 3):
        with pytest.raises(OptionError, match="questions"):
            SurveyReader(path, questions=bad)


def test_date_option_and_survey_waves(tmp_path, store):
    path = _csv(tmp_path / "s.csv", [["respondent", "nominee"], ["a", "b"]])
    first = store.ingest(path, format="survey", date="2023-10-02")
    assert first.kept == 1
    df = store.table("interactions")
    assert list(df.ts) == [pd.Timestamp("2023-10-02T00:00:00Z")]
    members = store.table("memberships")
    assert list(members.since) == [pd.Timestamp("2023-10-02T00:00:00Z")]
    # the same ties in a second wave are new ties; the same wave again adds nothing
    assert store.ingest(path, format="survey", date="2024-04-15T09:00:00-04:00").kept == 1
    assert store.ingest(path, format="survey", date="2023-10-02").kept == 0
    assert sorted(store.table("interactions").ts) == [
        pd.Timestamp("2023-10-02T00:00:00Z"), pd.Timestamp("2024-04-15T13:00:00Z")]
    with pytest.raises(OptionError, match="ISO 8601"):
        SurveyReader(path, date="last spring")


# -- workbooks --------------------------------------------------------------------------------
def test_xlsx_wide_workbook(tmp_path, store):
    path = _xlsx(tmp_path / "survey.xlsx", {
        "Notes": [["read me"]],
        "Responses": [
            ["Respondent", "Advice_1", "Advice_1_Freq", "Advice_2", "Advice_2_Freq", None],
            [101, 102, 4, "Ann Lee", 3.0],
            [102, None, None, None, None],
            [None, 101, 2, None, None],
            [103, 101, "often", 102, 4],
        ],
    })
    report = store.ingest(path, format="survey", sheet="responses", min_frequency=3)
    assert (report.records, report.rejected) == (3, 2)
    assert [(s, d, w) for _, s, d, w, _ in _store_ties(store)] == [
        ("survey:101", "survey:102", 4.0), ("survey:101", "survey:Ann Lee", 3.0),
        ("survey:103", "survey:102", 4.0)]
    reasons = {r.line: r.reason for r in report.rejects}
    assert set(reasons) == {4, 5}
    assert "no respondent" in reasons[4]
    assert "'often'" in reasons[5] and "'Advice_1_Freq'" in reasons[5]
    assert set(store.table("memberships").member) == {"survey:101", "survey:102",
                                                      "survey:103"}


def test_xlsx_long_workbook_and_sheet_errors(tmp_path):
    path = _xlsx(tmp_path / "long.xlsx", {"Sheet1": [["ego", "alter", "weight"],
                                                     ["a", "b", 2], ["b", "a", 1.5]]})
    edges, *_ = _read(path)
    assert _ties(edges) == [("advice", "survey:a", "survey:b", 2.0),
                            ("advice", "survey:b", "survey:a", 1.5)]
    with pytest.raises(OptionError, match="Sheet1"):
        _read(path, sheet="Other")
    csv_path = _csv(tmp_path / "s.csv", [["respondent", "nominee"], ["a", "b"]])
    with pytest.raises(OptionError, match="sheet"):
        SurveyReader(csv_path, sheet="x")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    with pytest.raises(FormatError, match="Excel workbook"):
        _read(broken)


# -- bad rows and strict mode -----------------------------------------------------------------
def test_rejects_with_lines(tmp_path, store):
    path = tmp_path / "s.csv"
    path.write_text(
        "respondent,nominee,relation,frequency\n"
        'P1,"Ann\nLee",advice,4\n'          # lines 2-3: a quoted newline is one record
        ",P2,advice,3\n"                     # 4: no respondent
        "P2,P3,advice\n"                     # 5: too few fields
        "P2,P3,advice,2,extra\n"             # 6: too many
        "P2,P3,advice,2,\n"                  # 7: an empty extra field is fine
        "P3,P1,advice,sometimes\n"           # 8: frequency not a number
        "P3,P2,advice,-1\n"                  # 9: negative
        "P3,P4,,2\n"                         # 10: no relation
        "\n"
        "P4,,,\n")                           # 12: respondent who named nobody
    report = store.ingest(path, format="survey")
    assert (report.records, report.rejected) == (2, 6)
    reasons = {r.line: r.reason for r in report.rejects}
    assert set(reasons) == {4, 5, 6, 8, 9, 10}
    assert "no respondent (column 'respondent' is empty)" in reasons[4]
    assert "3 fields, the header has 4" in reasons[5] and "5 fields" in reasons[6]
    assert "'sometimes'" in reasons[8] and "'frequency'" in reasons[8]
    assert "not a number" in reasons[8] and "'P1'" in reasons[8]
    assert "negative" in reasons[9]
    assert "no relation" in reasons[10] and "'P4'" in reasons[10]
    assert _store_ties(store) == [("advice", "survey:P1", "survey:Ann\nLee", 4.0, "advice"),
                                  ("advice", "survey:P2", "survey:P3", 2.0, "advice")]
    assert set(store.table("memberships").member) == {f"survey:P{i}" for i in (1, 2, 3, 4)}
    assert set(store.rejects().line) == {4, 5, 6, 8, 9, 10}


def test_wide_row_with_wrong_cells_and_one_bad_frequency(tmp_path):
    path = _csv(tmp_path / "w.csv", [
        ["respondent", "advice_1", "advice_1_freq", "advice_2", "advice_2_freq"],
        ["P1", "P2", "x", "P3", "4"],      # only the first nomination is rejected
        ["P2", "P1", "3"],                  # wrong number of cells
        ["P3", "P1", "3", "P2", "2", "P9"],
    ])
    edges, members, _, log = _read(path)
    assert _ties(edges) == [("advice", "survey:P1", "survey:P3", 4.0)]
    assert [(r.line, r.reason.split(";")[0]) for r in log.rejects] == [
        (2, "frequency 'x' (column 'advice_1_freq') is not a number"),
        (3, "row has 3 fields, the header has 5"),
        (4, "row has 6 fields, the header has 5")]
    assert _respondents(members) == {"advice": {"survey:P1"}}
    assert log.notes == {}  # P1 named two people


def test_strict_raises_and_leaves_store_unchanged(tmp_path, store):
    store.ingest(_csv(tmp_path / "ok.csv", [["respondent", "nominee"], ["a", "b"]]))
    counts = store.counts()
    path = _csv(tmp_path / "bad.csv", [["respondent", "nominee", "frequency"],
                                       ["b", "c", "1"], ["c", "d", "often"]])
    with pytest.raises(RecordError) as err:
        store.ingest(path, format="survey", strict=True)
    assert err.value.line == 3 and "bad.csv" in str(err.value) and "often" in str(err.value)
    assert store.counts() == counts and len(store.ingests()) == 1
    assert store.ingest(path, format="survey").rejected == 1


def test_not_utf8_is_a_format_error(tmp_path, store):
    path = tmp_path / "latin.csv"
    path.write_bytes("respondent,nominee\nJos\xe9,Ana\n".encode("latin-1"))
    with pytest.raises(FormatError, match="UTF-8"):
        store.ingest(path, format="survey")
    assert sum(store.counts().values()) == 0


def test_unknown_option(tmp_path):
    path = _csv(tmp_path / "s.csv", [["respondent", "nominee"], ["a", "b"]])
    with pytest.raises(OptionError, match="src_col"):
        SurveyReader(path, src_col="a")
    with pytest.raises(OptionError, match="must name a column"):
        SurveyReader(path, nominee_col=" ")
    with pytest.raises(OptionError, match="relation"):
        SurveyReader(path, relation=" ")


# -- the store ----------------------------------------------------------------------------------
def test_store_ingest_and_reingest_adds_nothing(tmp_path, store):
    path = _csv(tmp_path / "w.tsv", [
        ["respondent", "advice_1", "advice_2", "collab_1"],
        ["P1", "P2", "Ann Lee", "P3"], ["P2", "P1", "", ""], ["P3", "", "", ""],
    ], delimiter="\t")
    first = store.ingest(path, questions={"advice": Q_ADVICE}, date="2024-03-01")
    assert first.format == "survey"
    assert (first.records, first.kept, first.duplicates) == (4, 4, 0)
    assert first.added == {"posts": 0, "interactions": 4, "accounts": 4, "people": 0,
                           "identities": 0, "memberships": 6}
    counts = store.counts()
    again = store.ingest(path, questions={"advice": Q_ADVICE}, date="2024-03-01")
    assert (again.records, again.kept, again.duplicates) == (4, 0, 4)
    assert set(again.added.values()) == {0}
    assert store.counts() == counts
    assert store.ingests().format.tolist() == ["survey", "survey"]


def test_batches_gzip_and_progress(tmp_path):
    rows = [["respondent", "nominee"]] + [[f"n{i}", f"n{i + 1}"] for i in range(25)]
    plain = _csv(tmp_path / "s.csv", rows)
    path = tmp_path / "s.csv.gz"
    path.write_bytes(gzip.compress(plain.read_bytes()))
    reader = SurveyReader(path)
    reader.batch_rows = 10
    calls: list[tuple[int, int]] = []
    log = ReadLog(str(path), progress=lambda done, total: calls.append((done, total)))
    batches = list(reader.batches(log))
    assert [len(b.rows["interactions"]) for b in batches] == [10, 10, 5]
    assert log.records == 25 and calls[-1] == (path.stat().st_size,) * 2
    assert sum(len(b.rows["memberships"]) for b in batches) == 25
    assert len(batches[-1].rows["memberships"]) == 25  # written once every respondent is known
    assert {a[0] for b in batches for a in b.rows["accounts"]} == {f"survey:n{i}"
                                                                  for i in range(26)}


# -- sniffing -------------------------------------------------------------------------------------
def test_sniff(tmp_path):
    for name, header, expected in (
        ("s.csv", ["respondent", "nominee", "relation", "frequency"], True),
        ("s.csv", ["Person_ID", "Named"], True),
        ("s.tsv", ["respondent_id", "nominee"], True),
        ("s.csv", ["respondent", "q_1", "q_2"], True),                   # survey respondent
        ("s.csv", ["person_id", "advice_1", "advice_2"], True),          # relation word
        ("s.csv", ["name", "peers_1", "peers_1_freq"], True),            # rated
        ("s.csv", ["person_id", "Collab 1", "collab 2"], True),
        ("s.csv", ["ego", "alter"], False),                              # an edge list
        ("s.csv", ["respondent", "nominee", "source", "target"], False),
        ("s.csv", ["account", "person_id"], False),                      # identities
        ("s.csv", ["account", "platform", "handle", "display_name", "status", "person_id",
                   "person_name", "organization", "method", "confidence", "candidates"],
         False),                                                         # identity review
        ("s.csv", ["person_id", "name", "email"], False),                # a roster
        ("s.csv", ["person_id", "name", "address_1", "address_2"], False),
        ("s.csv", ["person_id", "advice_2"], False),                     # no first column
        ("s.csv", ["nominee", "advice_1"], False),                       # no respondent
        ("s.txt", ["respondent", "nominee"], False),
    ):
        path = _csv(tmp_path / name, [header, ["1"] * len(header)],
                    delimiter="\t" if name.endswith(".tsv") else ",")
        assert SurveyReader.sniff(path, read_head(path)) is expected, (name, header)
    gz = tmp_path / "s.csv.gz"
    gz.write_bytes(gzip.compress(b"respondent,nominee\na,b\n"))
    assert SurveyReader.sniff(gz, read_head(gz))
    book = _xlsx(tmp_path / "s.xlsx", {"S": [["respondent", "nominee"], ["a", "b"]]})
    assert not SurveyReader.sniff(book, read_head(book))


def test_sniffing_does_not_steal_other_formats(tmp_path):
    assert sniff(_csv(tmp_path / "long.csv", [["respondent", "nominee"], ["a", "b"]])) \
        == "survey"
    assert sniff(_csv(tmp_path / "wide.csv", [["person_id", "name", "advice_1", "advice_2"],
                                              ["1", "a", "2", "3"]])) == "survey"
    assert sniff(SAMPLE / "roster.csv") == "roster"
    assert sniff(SAMPLE / "principallife_tags.csv") == "tags"
    assert sniff(SAMPLE / "naespchat_twarc2.jsonl") == "twarc2"
    assert sniff(_csv(tmp_path / "r.csv", [["person_id", "name", "address_1", "address_2"],
                                           ["1", "a", "b", "c"]])) == "roster"
    assert sniff(_csv(tmp_path / "e.csv", [["ego", "alter"], ["a", "b"]])) == "edgelist"
    assert sniff(_csv(tmp_path / "e2.csv", [["respondent", "nominee", "source", "target"],
                                            ["a", "b", "c", "d"]])) == "edgelist"
    identities = _csv(tmp_path / "ids.csv", [["account", "person_id"], ["x:1", "P1"]])
    assert not SurveyReader.sniff(identities, read_head(identities))
    if "identities" in FORMATS:  # its reader may not be registered yet
        assert sniff(identities) == "identities"
    else:
        with pytest.raises(FormatError, match="cannot tell its format"):
            sniff(identities)
    book = _xlsx(tmp_path / "survey.xlsx", {"S": [["respondent", "nominee"], ["a", "b"]]})
    assert sniff(book) == "roster"  # workbooks are sniffed as rosters: name --format survey


@pytest.mark.realdata
def test_sniff_does_not_claim_real_files(realdata):
    files = [p for p in realdata.rglob("*") if p.is_file()]
    assert any(p.suffix == ".csv" for p in files)
    for p in files:
        assert not SurveyReader.sniff(p, read_head(p)), p


def test_registry():
    assert FORMATS["survey"] == "survey:SurveyReader"
    assert reader_class("survey") is SurveyReader
