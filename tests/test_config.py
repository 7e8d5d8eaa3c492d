"""The project file: parsing the sample, and every mistake named with its key and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from plnanalytics.analysis import Thresholds
from plnanalytics.config import ConfigError, key_lines, load_config

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
ROSTER, SURVEY = SAMPLE / "roster.csv", SAMPLE / "advice_survey.csv"


def test_sample_project_file():
    config = load_config(SAMPLE / "pln.toml")
    assert config.project.name == "Tri-District Principals"
    assert config.project.store == SAMPLE / "demo.duckdb"
    assert config.project.out == SAMPLE / "analysis"
    assert [s.path.name for s in config.sources] == [
        "naespchat_twarc2.jsonl", "principallife_tags.csv", "roster.csv",
        "district_slack.zip", "plc_groups.csv", "advice_survey.csv"]
    assert [s.format for s in config.sources][-2:] == ["groups", "survey"]
    assert config.sources[-1].options == {"min_frequency": 3}
    assert config.sources[0].options == {} and config.sources[0].format == "auto"
    assert config.analysis.group == "district" and config.analysis.seed == 0
    assert config.flags.everyone is False and config.flags.thresholds == Thresholds()
    assert config.report.enabled and config.report.names and not config.report.pdf
    assert config.report.title == "Tri-District Principals: network report (synthetic sample)"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "pln.toml"
    path.write_text(text, encoding="utf-8")
    return path


HEAD = f"""\
[project]
name = "t"
store = "t.duckdb"

[[sources]]
path = "{ROSTER}"
"""


def test_every_setting(tmp_path):
    config = load_config(write(tmp_path, f"""\
[project]
store = "sub/t.duckdb"
out = "results"

[[sources]]
path = "{SURVEY}"
format = "survey"
min_frequency = 2.5
date = 2025-10-01
strict = true

[analysis]
kinds = "reply, mention"
since = 2025-09-01
until = "2025-12-01T00:00:00Z"
contexts = ["NAESPchat", "#PrincipalLife"]
people = false
projection = "newman"
backbone = "disparity"
alpha = 0.01
group = "school"
seed = 7
k = 50
exact_max_nodes = 100
resolution = 1.5
engine = "networkit"
communities = "leiden"

[flags]
everyone = true
never_sought_min_out = 1
bridge_max_share = 0.5

[report]
enabled = false
pseudonymize = true
min_group = 3
title = "T"
pdf = true
"""))
    assert config.project.name == tmp_path.name
    assert config.project.store == tmp_path / "sub" / "t.duckdb"
    assert config.project.out == tmp_path / "results"
    s = config.sources[0]
    assert s.strict and s.options == {"min_frequency": 2.5, "date": "2025-10-01"}
    a = config.analysis
    assert a.kinds == ("reply", "mention") and a.contexts == ("NAESPchat", "#PrincipalLife")
    assert (a.since, a.until) == ("2025-09-01", "2025-12-01T00:00:00Z")
    assert (a.people, a.projection, a.backbone, a.alpha) == (False, "newman", "disparity", 0.01)
    assert (a.group, a.seed, a.k, a.exact_max_nodes, a.resolution) == ("school", 7, 50, 100, 1.5)
    assert (a.engine, a.communities) == ("networkit", "leiden")
    assert config.flags.everyone
    assert config.flags.thresholds == Thresholds(never_sought_min_out=1, bridge_max_share=0.5)
    r = config.report
    assert (r.enabled, r.names, r.min_group, r.title, r.pdf) == (False, False, 3, "T", True)


def _error(tmp_path: Path, text: str) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    return info.value


THREE_SOURCES = f"""\
[project]
store = "t.duckdb"

[[sources]]
path = "{ROSTER}"

[[sources]]
path = "{SAMPLE / 'plc_groups.csv'}"
format = "groups"

[[sources]]   # number 3
path = "{SURVEY}"
format = "survey"
min_frequency = "three"
"""


@pytest.mark.parametrize(("text", "key", "line", "words"), [
    # a key inside [[sources]] number 3 (index 2), with a wrong type
    (THREE_SOURCES, "sources[2].min_frequency", 14, "expected a number"),
    # an unknown [analysis] key
    (HEAD + "\n[analysis]\ngroup = 'district'\nsed = 3\n", "analysis.sed", 10, "unknown key"),
    # an unknown section
    (HEAD + "\n[analyses]\nseed = 3\n", "analyses", 8, "unknown section"),
    # wrong types
    (HEAD + "[analysis]\nseed = '0'\n", "analysis.seed", 8, "whole number"),
    (HEAD + "[analysis]\nalpha = true\n", "analysis.alpha", 8, "expected a number"),
    (HEAD + "[report]\npdf = 'yes'\n", "report.pdf", 8, "true or false"),
    (HEAD + "[flags]\nnever_sought_min_out = 1.5\n", "flags.never_sought_min_out", 8,
     "whole number"),
    (HEAD + "[flags]\nthreshold = 1\n", "flags.threshold", 8, "unknown key"),
    (HEAD + "[analysis]\nprojection = 'pairs'\n", "analysis.projection", 8, "count, newman"),
    (HEAD + "[analysis]\nengine = 'igraph'\n", "analysis.engine", 8,
     "auto, networkx, networkit"),
    (HEAD + "[analysis]\ncommunities = 'walktrap'\n", "analysis.communities", 8,
     "auto, louvain, plm, leiden"),
    # bad dates
    (HEAD + "[analysis]\nsince = '2025-13-45'\n", "analysis.since", 8, "not a date"),
    (HEAD + "[analysis]\nsince = 2025-10-01\nuntil = 2025-09-01\n", "analysis.until", 9,
     "not after"),
    # a missing source file, an unknown format, a source option no reader takes
    (HEAD + "\n[[sources]]\nformat = 'roster'\npath = 'nowhere.csv'\n", "sources[1].path", 10,
     "no such file"),
    (HEAD + "format = 'csv'\n", "sources[0].format", 7, "unknown format 'csv'"),
    (HEAD + "min_frequency = 3\n", "sources[0].min_frequency", 7,
     "do not apply to --format roster"),
    (HEAD + "colour = 'red'\n", "sources[0].colour", 7, "not an option of any format"),
    (HEAD + "format = 'roster'\nrelation = 'advice'\n", "sources[0].relation", 8,
     "not an option of format roster"),
    # an option the reader rejects when opened
    (HEAD.replace(str(ROSTER), str(SURVEY)) + "format = 'survey'\nmin_frequency = 'x'\n",
     "sources[0].min_frequency", 8, "min_frequency"),
    # project mistakes
    ("[project]\nname = 'x'\n", "project", 1, "missing key store"),
    ("[[sources]]\npath = 'a'\n", "project", 1, "missing [project]"),
    ("[project]\nstore = 3\n", "project.store", 2, "expected a string"),
    ("project = 'x'\n", "project", 1, "expected a table"),
])
def test_mistakes_name_the_key_and_its_line(tmp_path, text, key, line, words):
    exc = _error(tmp_path, text)
    assert (exc.key, exc.line) == (key, line), str(exc)
    assert words in exc.reason
    assert str(exc).startswith(f"{tmp_path / 'pln.toml'}, line {line}: {key}: ")


def test_wrong_type_in_third_source_says_what_it_expected(tmp_path):
    exc = _error(tmp_path, THREE_SOURCES)
    assert "min_frequency" in str(exc) and "line 14" in str(exc)


def test_syntax_error_gives_line_and_column(tmp_path):
    exc = _error(tmp_path, HEAD + "[analysis]\nseed = = 3\n")
    assert (exc.line, exc.column) == (8, 8)
    assert f"{tmp_path / 'pln.toml'}, line 8, column 8: not valid TOML" in str(exc)


def test_missing_project_file(tmp_path):
    exc = _error(tmp_path, "")
    assert "missing [project]" in str(exc)
    with pytest.raises(ConfigError, match="no such project file"):
        load_config(tmp_path / "nope.toml")


def test_names_and_pseudonymize_must_agree(tmp_path):
    exc = _error(tmp_path, HEAD + "[report]\nnames = true\npseudonymize = true\n")
    assert (exc.key, exc.line) == ("report.pseudonymize", 9)


def test_key_lines_handle_quotes_comments_and_multiline_values():
    text = '''\
# a comment with [brackets] and key = value
[ "project" ]   # a header with spaces
name = """a
[not a header]
b = 1"""
store = 't.duckdb'

[[sources]]
path = "x" # first
tags = [
  "a", # inside
  "]",
]
[[ sources ]]
"path" = 'y'
[sources.extra]
k = {a = 1, b = [1, 2]}
after = 2
'''
    lines = key_lines(text)
    assert lines[("project",)] == 2 and lines[("project", "name")] == 3
    assert lines[("project", "store")] == 6 and ("b",) not in lines
    assert lines[("sources", 0)] == 8 and lines[("sources", 0, "tags")] == 10
    assert lines[("sources", 1)] == 14 and lines[("sources", 1, "path")] == 15
    assert lines[("sources", 1, "extra", "k")] == 17
    assert lines[("sources", 1, "extra", "after")] == 18
