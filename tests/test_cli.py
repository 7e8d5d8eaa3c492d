"""The `pln` command, driven in-process with typer's CliRunner (and once as a console script)."""

from __future__ import annotations

import csv
import importlib.metadata
import json
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import pandas as pd
import pytest
from typer.testing import CliRunner

from plnanalytics import FORMATS, Store, __version__
from plnanalytics.cli import app
from plnanalytics.ingest import reader_class

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
TWARC2 = SAMPLE / "naespchat_twarc2.jsonl"
TAGS = SAMPLE / "principallife_tags.csv"
# wide enough that rich never wraps a table row or an error line (tmp paths are long)
WIDE = {"COLUMNS": "400"}
runner = CliRunner()


def run(*args: object) -> Any:
    return runner.invoke(app, [str(a) for a in args], env=WIDE)


def text(result: Any) -> str:
    """Everything the user saw, whether or not this click version mixes stderr into output."""
    out = result.output
    try:
        err = result.stderr
    except ValueError:  # older click: stderr not captured separately
        err = ""
    return out if err in out else out + "\n" + err


def cells(output: str, first: str) -> list[str]:
    """The cells of the table row whose first cell is ``first``."""
    for line in output.splitlines():
        parts = [p.strip() for p in re.split(r"[│┃|]", line)]
        if len(parts) > 2 and parts[1] == first:
            return parts[1:-1]
    raise AssertionError(f"no table row starting with {first!r} in:\n{output}")


def assert_user_error(result: Any, *fragments: str) -> str:
    """Exit code 1, exactly one `error:` line naming the fragments, and no traceback."""
    out = text(result)
    assert result.exit_code == 1, out
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    assert "Traceback" not in out
    errors = [line for line in out.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, out
    for fragment in fragments:
        assert fragment in errors[0], (fragment, errors[0])
    return errors[0]


# -- what the sample files hold, read straight from them ----------------------------------

def sample_facts() -> dict[str, Any]:
    tweets = {t["id"]: t for line in TWARC2.read_text().splitlines()
              for t in json.loads(line)["data"]}
    with TAGS.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    tags = {}
    for r in rows:
        tags.setdefault(r["status_url"].rsplit("/", 1)[1], r)

    def hashtags_tw(t: dict) -> set[str]:
        return {h["tag"].lower() for h in t.get("entities", {}).get("hashtags", [])}

    def hashtags_tags(r: dict) -> set[str]:
        ent = json.loads(r["entities_str"]) if r["entities_str"] not in ("", "NA") else {}
        return {h["text"].lower() for h in ent.get("hashtags", [])}

    naespchat = ({i for i, t in tweets.items() if "naespchat" in hashtags_tw(t)}
                 | {i for i, r in tags.items() if "naespchat" in hashtags_tags(r)})
    times = ([datetime.fromisoformat(t["created_at"].replace("Z", "+00:00"))
              for t in tweets.values()]
             + [datetime.strptime(r["created_at"], "%a %b %d %H:%M:%S %z %Y")
                for r in tags.values()])
    return {"tweets": len(tweets), "tags_rows": len(rows), "tags_ids": len(tags),
            "tags_new": len(set(tags) - set(tweets)), "posts": len(set(tweets) | set(tags)),
            "naespchat": len(naespchat), "first": min(times), "last": max(times)}


FACTS = sample_facts()


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    """One store with both sample files, ingested through the CLI."""
    path = tmp_path_factory.mktemp("cli") / "project.duckdb"
    result = run("ingest", TWARC2, TAGS, "--store", path)
    return path, result


def tiny_pages(tmp_path: Path, name: str = "tiny.jsonl", *, bad_line: bool = False) -> Path:
    """A small twarc2 file: one page of two tweets, optionally followed by a broken line."""
    tweets = [{"id": str(i), "author_id": "1", "text": f"A{i} #NAESPchat", "conversation_id": "1",
               "created_at": f"2025-09-10T00:0{i}:00.000Z",
               "entities": {"hashtags": [{"start": 3, "end": 13, "tag": "NAESPchat"}]}}
              for i in (1, 2)]
    page = {"data": tweets, "includes": {"users": [{"id": "1", "username": "ann", "name": "Ann"}]},
            "meta": {"result_count": 2}}
    path = tmp_path / name
    path.write_bytes(orjson.dumps(page) + b"\n" + (b"{not json\n" if bad_line else b""))
    return path


# -- ingest -------------------------------------------------------------------------------

def test_sample_data_assumptions() -> None:
    assert (FACTS["tweets"], FACTS["tags_rows"], FACTS["tags_ids"]) == (1693, 618, 609)


def test_ingest_sample_files(ingested: tuple[Path, Any]) -> None:
    path, result = ingested
    out = text(result)
    assert result.exit_code == 0, out
    header = cells(out, "file")
    assert header[:6] == ["file", "format", "read", "kept", "duplicates", "rejected"]
    tw = cells(out, TWARC2.name)
    assert tw[:6] == ["naespchat_twarc2.jsonl", "twarc2", f"{FACTS['tweets']:,} posts",
                      f"{FACTS['tweets']:,}", "0", "0"]
    tags = cells(out, TAGS.name)
    # repeated rows and the moderator's promotions already read from the twarc2 file
    assert tags[:6] == ["principallife_tags.csv", "tags", f"{FACTS['tags_rows']:,} posts",
                        f"{FACTS['tags_new']:,}", f"{FACTS['tags_rows'] - FACTS['tags_new']:,}",
                        "0"]
    with Store(path, read_only=True) as st:
        assert st.counts()["posts"] == FACTS["posts"]


def test_ingest_shows_the_repeated_tags_rows(tmp_path: Path) -> None:
    result = run("ingest", TAGS, "-s", tmp_path / "t.duckdb")
    assert result.exit_code == 0, text(result)
    row = cells(text(result), TAGS.name)
    assert row[2:6] == [f"{FACTS['tags_rows']:,} posts", f"{FACTS['tags_ids']:,}", "9", "0"]


def test_ingesting_again_keeps_nothing(tmp_path: Path) -> None:
    store = tmp_path / "p.duckdb"
    assert run("ingest", TWARC2, TAGS, "-s", store).exit_code == 0
    with Store(store, read_only=True) as st:
        before = st.counts()
    result = run("ingest", TWARC2, TAGS, "-s", store)
    out = text(result)
    assert result.exit_code == 0, out
    assert cells(out, TWARC2.name)[3:5] == ["0", f"{FACTS['tweets']:,}"]
    assert cells(out, TAGS.name)[3:5] == ["0", f"{FACTS['tags_rows']:,}"]
    with Store(store, read_only=True) as st:
        assert st.counts() == before


# -- info, export, rejects, formats ------------------------------------------------------

def test_info(ingested: tuple[Path, Any]) -> None:
    path, _ = ingested
    result = run("info", "--store", path)
    out = text(result)
    assert result.exit_code == 0, out
    assert cells(out, "posts") == ["posts", f"{FACTS['posts']:,}"]
    with Store(path, read_only=True) as st:
        counts = st.counts()
    for name, n in counts.items():
        assert cells(out, name) == [name, f"{n:,}"]
    assert (f"Posts from {FACTS['first']:%Y-%m-%d %H:%M} to {FACTS['last']:%Y-%m-%d %H:%M} UTC"
            in out)
    assert "Top hashtags and contexts" in out
    assert cells(out, "#naespchat") == ["#naespchat", f"{FACTS['naespchat']:,}"]
    contexts = [line for line in out.splitlines() if re.search(r"[│|] #\w+", line)]
    assert "#naespchat" in contexts[0]  # the most frequent comes first


def test_export(ingested: tuple[Path, Any], tmp_path: Path) -> None:
    path, _ = ingested
    csv_out = tmp_path / "x.csv"
    result = run("export", "interactions", "--store", path, "--out", csv_out)
    out = text(result)
    assert result.exit_code == 0, out
    with csv_out.open(newline="", encoding="utf-8") as fh:
        data = list(csv.reader(fh))
    assert data[0] == ["platform", "kind", "src", "dst", "ts", "weight", "context", "post_id"]
    assert f"Wrote {len(data) - 1:,} interactions rows to {csv_out}" in out
    pq_out = tmp_path / "x.parquet"
    result = run("export", "posts", "-s", path, "-o", pq_out)
    assert result.exit_code == 0, text(result)
    assert len(pd.read_parquet(pq_out)) == FACTS["posts"]
    assert f"Wrote {FACTS['posts']:,} posts rows to {pq_out}" in text(result)


def test_rejects(tmp_path: Path) -> None:
    store = tmp_path / "p.duckdb"
    bad = tiny_pages(tmp_path, "bad.jsonl", bad_line=True)
    result = run("ingest", bad, "-s", store)
    out = text(result)
    assert result.exit_code == 0, out
    assert cells(out, "bad.jsonl")[2:6] == ["2 posts", "2", "0", "1"]
    assert f"1 rejected record(s) in {bad}" in out
    assert re.search(r"^  line 2: not valid JSON", out, re.M)
    result = run("rejects", "-s", store)
    out = text(result)
    assert result.exit_code == 0, out
    row = cells(out, "1")  # ingest_id, path, line, reason
    assert row[1:3] == [str(bad), "2"] and row[3].startswith("not valid JSON")
    clean = tmp_path / "clean.duckdb"
    assert run("ingest", tiny_pages(tmp_path), "-s", clean).exit_code == 0
    assert "No rejected records." in text(run("rejects", "-s", clean))


def test_formats_lists_every_format() -> None:
    result = run("formats")
    out = text(result)
    assert result.exit_code == 0, out
    for name in FORMATS:
        assert cells(out, name) == [name, reader_class(name).description]


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.output.strip() == f"plnanalytics {__version__}"
    assert __version__ == importlib.metadata.version("plnanalytics")


def test_console_script_is_installed() -> None:
    pln = Path(sys.executable).parent / "pln"
    assert pln.is_file(), f"console script not installed at {pln}"
    proc = subprocess.run([str(pln), "--help"], capture_output=True, text=True, timeout=60,
                          env={"COLUMNS": "200", "PATH": str(pln.parent)}, check=False)
    assert proc.returncode == 0, proc.stderr
    for command in ("ingest", "info", "rejects", "export", "formats"):
        assert re.search(rf"^\W*{command}\b", proc.stdout, re.M), command
    assert "Traceback" not in proc.stderr


# -- user mistakes ------------------------------------------------------------------------

def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "typo.jsonl"
    result = run("ingest", missing, "-s", tmp_path / "p.duckdb")
    assert_user_error(result, f"{missing}: no such file")
    assert f"{missing}: nothing was stored from this file" in text(result)


def test_edgelist_option_with_twarc2(tmp_path: Path) -> None:
    store = tmp_path / "p.duckdb"
    result = run("ingest", tiny_pages(tmp_path), "-s", store, "--format", "twarc2",
                 "--src-col", "from")
    assert_user_error(result, "src_col", "twarc2")
    assert not store.exists()  # nothing was stored, and no empty store is left behind


def test_format_cannot_be_sniffed(tmp_path: Path) -> None:
    odd = tmp_path / "notes.txt"
    odd.write_text("Met with the Riverbend principals on Tuesday.\n")
    result = run("ingest", odd, "-s", tmp_path / "p.duckdb")
    assert_user_error(result, str(odd), "cannot tell its format", "--format")


def test_info_on_a_store_that_does_not_exist(tmp_path: Path) -> None:
    store = tmp_path / "nothing.duckdb"
    assert_user_error(run("info", "-s", store), f"{store}: no such store")
    assert_user_error(run("rejects", "-s", store), "no such store")
    assert not store.exists()


def test_export_with_a_bad_suffix(tmp_path: Path) -> None:
    store = tmp_path / "p.duckdb"
    Store(store).close()
    out = tmp_path / "x.xlsx"
    result = run("export", "posts", "-s", store, "--out", out)
    assert_user_error(result, str(out), "expected a .csv or .parquet file name")
    assert not out.exists()


def test_unknown_format_is_refused_without_a_traceback(tmp_path: Path) -> None:
    store = tmp_path / "p.duckdb"
    result = run("ingest", tiny_pages(tmp_path), "-s", store, "--format", "nope")
    out = text(result)
    assert result.exit_code != 0
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in out and "'nope'" in out
    for name in FORMATS:
        assert name in out
    assert not store.exists()


def test_unknown_format_is_a_one_line_error(tmp_path: Path) -> None:
    result = run("ingest", tiny_pages(tmp_path), "-s", tmp_path / "p.duckdb", "-f", "nope")
    assert_user_error(result, "nope", "twarc2", "edgelist")


def test_unknown_export_table_is_a_one_line_error(tmp_path: Path) -> None:
    store = tmp_path / "p.duckdb"
    assert run("ingest", tiny_pages(tmp_path), "-s", store).exit_code == 0
    result = run("export", "tweets", "-s", store, "--out", tmp_path / "x.csv")
    assert_user_error(result, "tweets", "interactions")
    assert not (tmp_path / "x.csv").exists()


def test_one_failing_file_does_not_stop_the_others(tmp_path: Path) -> None:
    store = tmp_path / "p.duckdb"
    good = tiny_pages(tmp_path)
    edges = tmp_path / "advice.csv"
    edges.write_text("source,target\nP1,P2\nP2,P3\n")
    missing = tmp_path / "missing.jsonl"
    result = run("ingest", good, missing, edges, "-s", store)
    out = assert_user_error(result, str(missing))
    assert "no such file" in out
    full = text(result)
    assert cells(full, good.name)[1:4] == ["twarc2", "2 posts", "2"]
    assert cells(full, edges.name)[1:4] == ["edgelist", "2 rows", "2"]
    with Store(store, read_only=True) as st:
        assert st.counts()["posts"] == 2 and st.counts()["interactions"] == 2
        assert st.ingests().format.tolist() == ["twarc2", "edgelist"]


def test_strict_with_a_bad_line_leaves_the_store_unchanged(tmp_path: Path) -> None:
    store = tmp_path / "p.duckdb"
    assert run("ingest", tiny_pages(tmp_path, "good.jsonl"), "-s", store).exit_code == 0
    with Store(store, read_only=True) as st:
        before, ingests = st.counts(), len(st.ingests())
    bad = tiny_pages(tmp_path, "bad.jsonl", bad_line=True)
    result = run("ingest", "--strict", bad, "-s", store)
    assert_user_error(result, f"{bad}, line 2: not valid JSON")
    assert f"{bad}: nothing was stored from this file" in text(result)
    with Store(store, read_only=True) as st:
        assert st.counts() == before and len(st.ingests()) == ingests
        assert st.rejects().empty
