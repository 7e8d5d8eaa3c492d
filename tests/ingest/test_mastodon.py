"""Mastodon REST JSON reader: real files, tie rules, options, bad input, sniffing."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pandas as pd
import pytest
from conftest import collect_rows

from plnanalytics.errors import FormatError, OptionError, RecordError
from plnanalytics.ingest import sniff
from plnanalytics.ingest.base import ReadLog, read_head
from plnanalytics.ingest.mastodon import (
    NOTE_DOMAIN_FROM_URL,
    NOTE_OUTSIDE_WINDOW,
    NOTE_PARENT_GONE,
    NOTE_PARENT_LOCAL,
    MastodonPages,
    MastodonReader,
    html_to_text,
)

FOLDER = "mastodon-rtoot"
CONTEXT = "context_mastodon.social_109294719267373593.json"
T0 = "2024-01-09T20:00:00.000Z"


def _instance(name: str) -> str:
    return "mastodon.social" if "mastodon.social" in name else "fosstodon.org"


def _status_files(realdata: Path) -> list[Path]:
    return sorted(p for p in (realdata / FOLDER).glob("*.json")
                  if not p.name.startswith("favourited_by"))


def _statuses(path: Path) -> list[dict]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(doc, dict):
        return doc["ancestors"] + doc["descendants"]
    return doc


def _global(acct: str, instance: str) -> str:
    if "@" in acct:
        user, domain = acct.split("@", 1)
        return f"mastodon:{user}@{domain.lower()}"
    return f"mastodon:{acct}@{instance}"


def _acc(aid: str, acct: str, **extra: object) -> dict:
    domain = acct.split("@", 1)[1] if "@" in acct else "edu.social"
    user = acct.split("@", 1)[0]
    return {"id": aid, "username": user, "acct": acct, "display_name": user.title(),
            "url": f"https://{domain}/@{user}", "note": "<p>Principal</p>", "bot": False,
            "created_at": "2022-11-20T00:00:00.000Z", "followers_count": 3,
            "following_count": 4, "statuses_count": 5, **extra}


def _st(sid: str, account: dict, content: str = "<p>hello</p>", *, mentions: tuple = (),
        tags: tuple[str, ...] = (), reply_to: tuple[str, str] | None = None,
        **extra: object) -> dict:
    user = account["acct"].split("@")[0]
    domain = account["acct"].split("@")[1] if "@" in account["acct"] else "edu.social"
    return {
        "id": sid, "created_at": T0, "uri": f"https://{domain}/users/{user}/statuses/{sid}",
        "url": f"https://{domain}/@{user}/{sid}", "account": account, "content": content,
        "language": "en", "in_reply_to_id": reply_to[0] if reply_to else None,
        "in_reply_to_account_id": reply_to[1] if reply_to else None, "reblog": None,
        "mentions": [{"id": m["id"], "username": m["username"], "acct": m["acct"],
                      "url": m["url"]} for m in mentions],
        "tags": [{"name": t, "url": f"https://edu.social/tags/{t}"} for t in tags],
        "quote": None, **extra,
    }


ANN = _acc("1", "ann")
BO = _acc("2", "bo@other.org")
CY = _acc("3", "cy@third.net")


def _write(path: Path, doc: object) -> Path:
    path.write_bytes(orjson.dumps(doc))
    return path


def _write_lines(path: Path, *docs: object) -> Path:
    path.write_bytes(b"".join((d if isinstance(d, bytes) else orjson.dumps(d)) + b"\n"
                              for d in docs))
    return path


def _read(path: Path, **options: object):
    return collect_rows(MastodonReader(path, **options), ReadLog(str(path)))


def _ties(edges: list) -> set[tuple[str, str, str, str]]:
    return {(e[1], e[2], e[3], e[7]) for e in edges}


# -- conformance with the real files --------------------------------------------------------
@pytest.mark.realdata
def test_real_files_posts_accounts_and_reply_ties(realdata, store):
    files = _status_files(realdata)
    assert len(files) == 8
    for path in files:
        instance = _instance(path.name)
        statuses = _statuses(path)
        local_accounts = {}
        for st in statuses:
            for a in (st["account"], *st["mentions"],
                      *((st["reblog"]["account"],) if st["reblog"] else ())):
                local_accounts[a["id"]] = _global(a["acct"], instance)
        expected_replies = set()
        for st in statuses:
            author = _global(st["account"]["acct"], instance)
            to = local_accounts.get(st["in_reply_to_account_id"])
            if to and to != author:
                expected_replies.add(("reply", author, to, st["uri"]))
        originals = {st["reblog"]["uri"] for st in statuses if st["reblog"]}
        report = store.ingest(path, format="mastodon", instance=instance)
        assert report.format == "mastodon" and report.unit == "posts"
        assert report.rejected == 0, path
        assert report.records == len(statuses)
        assert report.kept == len(statuses) + len(originals)
        ties = store.table("interactions")
        got = {t for t in zip(ties.kind, ties.src, ties.dst, ties.post_id, strict=True)
               if t[3] in {st["uri"] for st in statuses}}
        assert {t for t in got if t[0] == "reply"} == expected_replies, path
        # a reply is not counted again as a mention
        assert not {("mention", *t[1:]) for t in expected_replies} & got
    posts = store.table("posts")
    assert (posts.platform == "mastodon").all()
    assert posts.post_id.str.startswith("https://").all()
    assert posts.created_at.dt.tz is not None
    accounts = store.table("accounts").set_index("account")
    # bare accts got the instance's domain
    assert "mastodon:schochastics@fosstodon.org" in accounts.index
    assert "mastodon:austinkocher@mastodon.social" in accounts.index
    assert not [a for a in accounts.index if "@" not in a]
    kocher = accounts.loc["mastodon:austinkocher@mastodon.social"]
    assert kocher.description.startswith("Political & legal geographer")
    assert kocher.display_name.startswith("Austin Kocher") and kocher.post_count > 0
    assert kocher.account_created_at == pd.Timestamp("2022-10-28", tz="UTC")
    assert accounts.loc["mastodon:schochastics@fosstodon.org", "handle"] == \
        "schochastics@fosstodon.org"


@pytest.mark.realdata
def test_real_context_thread(realdata):
    path = realdata / FOLDER / CONTEXT
    posts, edges, accounts, log = _read(path, instance="https://mastodon.social/")
    assert log.records == 59 and log.rejected == 0
    assert len(posts) == 59
    assert len({p[2] for p in posts}) == 50
    assert all(p[6] == "reply" for p in posts)
    # every reply's parent is in the file or is the thread's root, the status fetched
    uris = {p[0] for p in posts}
    root = "mastodon.social/statuses/109294719267373593"
    assert {p[7] for p in posts} - uris == {root}
    assert {p[8] for p in posts} == {root}
    assert log.notes[NOTE_PARENT_LOCAL] == sum(p[7] == root for p in posts)
    # bare accts are local to mastodon.social; others keep their own domain (lowercase)
    assert "mastodon:austinkocher@mastodon.social" in accounts
    assert "mastodon:samcox08@mastodon.gamedev.place" in accounts
    kinds = {e[1] for e in edges}
    assert kinds == {"reply", "mention"}
    assert all(e[2] != e[3] for e in edges)
    first = next(p for p in posts if p[0].endswith("/109294767623508949"))
    assert first[4].startswith("The best way to keep this development going")
    assert "<" not in first[4] and "#SupportMastodon" in first[4]
    assert first[11] == ["#patreon", "#supportmastodon"]
    assert first[12] == "https://mastodon.social/@austinkocher/109294767623508949"


@pytest.mark.realdata
def test_real_boost_is_a_retweet_tie_and_the_original_a_post(realdata):
    path = realdata / FOLDER / "account_statuses_fosstodon_109302436954721982_page3.json"
    posts, edges, accounts, _ = _read(path, instance="fosstodon.org")
    boost = next(st for st in _statuses(path) if st["reblog"])
    by_id = {p[0]: p for p in posts}
    assert by_id[boost["uri"]][6] == "retweet"
    assert by_id[boost["uri"]][9] == boost["reblog"]["uri"]
    assert by_id[boost["reblog"]["uri"]][2] == "mastodon:termehs@fosstodon.org"
    assert ("retweet", "mastodon:schochastics@fosstodon.org", "mastodon:termehs@fosstodon.org",
            boost["uri"]) in _ties(edges)
    assert accounts["mastodon:termehs@fosstodon.org"][9] == 16  # statuses_count


@pytest.mark.realdata
def test_real_account_list_is_a_clear_error(realdata):
    path = realdata / FOLDER / "favourited_by_mastodon.social_109294719267373593.json"
    with pytest.raises(FormatError, match="an account, not a status"):
        _read(path, instance="mastodon.social")


@pytest.mark.realdata
def test_real_bots_are_noted(realdata):
    path = realdata / FOLDER / "timeline_public_fosstodon.json"
    *_, log = _read(path, instance="fosstodon.org")
    bots = {st["account"]["acct"] for st in _statuses(path) if st["account"]["bot"]}
    assert log.notes["bot accounts (flagged as bots in their profile; their posts are kept)"] \
        == len(bots) > 0


@pytest.mark.realdata
def test_same_statuses_from_two_files_stored_once(realdata, store, tmp_path):
    path = realdata / FOLDER / "timeline_tag_rstats_fosstodon.json"
    first = store.ingest(path, format="mastodon", instance="fosstodon.org")
    assert first.kept == 5
    sizes = {t: len(store.table(t)) for t in ("posts", "interactions", "accounts")}
    again = store.ingest(path, format="mastodon", instance="fosstodon.org")
    assert again.kept == 0
    # the same statuses, one a line (JSONL), as saved by another tool
    lines = _write_lines(tmp_path / "rstats.jsonl", *_statuses(path))
    third = store.ingest(lines, format="mastodon", instance="fosstodon.org")
    assert third.records == 5 and third.kept == 0
    assert {t: len(store.table(t)) for t in sizes} == sizes


# -- HTML to text ---------------------------------------------------------------------------
def test_html_to_text():
    assert html_to_text("<p>a &lt;b&gt; &amp; &#39;c&#39;</p>") == "a <b> & 'c'"
    assert html_to_text("<p>one</p><p>two<br>three<br/>four</p>") == "one\n\ntwo\nthree\nfour"
    assert html_to_text('<p><img src=x onerror="alert(1)">hi<style>p{}</style></p>') == "hi"
    assert html_to_text("plain text") == "plain text"
    assert html_to_text(None) is None and html_to_text("<p></p>") is None


# -- tie rules on hand-made statuses --------------------------------------------------------
def test_reply_counts_the_replied_to_account_once(tmp_path):
    root = _st("10", ANN, "<p>Q1 #EdChat</p>", tags=("EdChat",))
    reply = _st("11", BO, "<p>@ann @cy yes</p>", mentions=(ANN, CY), reply_to=("10", "1"),
                tags=("EdChat",))
    path = _write(tmp_path / "t.json", [root, reply])
    posts, edges, accounts, _ = _read(path, instance="edu.social")
    assert _ties(edges) == {
        ("reply", "mastodon:bo@other.org", "mastodon:ann@edu.social", reply["uri"]),
        ("mention", "mastodon:bo@other.org", "mastodon:cy@third.net", reply["uri"]),
    }
    assert {e[6] for e in edges} == {"#edchat"}
    by_id = {p[0]: p for p in posts}
    assert by_id[reply["uri"]][7] == root["uri"]  # parent resolved to its uri
    assert by_id[reply["uri"]][8] == by_id[root["uri"]][8] == root["uri"]
    assert accounts["mastodon:ann@edu.social"][2] == "ann@edu.social"


def test_reply_to_a_deleted_status_still_ties_to_its_author(tmp_path):
    # Mastodon drops in_reply_to_id when the parent is deleted, keeps in_reply_to_account_id
    gone = _st("11", BO, mentions=(ANN,), in_reply_to_account_id="1")
    posts, edges, _, log = _read(_write(tmp_path / "t.json", [gone]), instance="edu.social")
    assert _ties(edges) == {("reply", "mastodon:bo@other.org", "mastodon:ann@edu.social",
                             gone["uri"])}
    assert posts[0][6] == "reply" and posts[0][7] is None
    assert log.notes[NOTE_PARENT_GONE] == 1


def test_self_reply_and_self_mention_are_not_ties(tmp_path):
    root = _st("10", ANN)
    own = _st("11", ANN, mentions=(ANN,), reply_to=("10", "1"))
    posts, edges, *_ = _read(_write(tmp_path / "t.json", [root, own]), instance="edu.social")
    assert edges == [] and len(posts) == 2


def test_boost_ties_booster_to_original_and_mentions_stay_with_the_original(tmp_path):
    original = _st("20", BO, "<p>@cy look</p>", mentions=(CY,))
    boost = _st("21", ANN, "", reblog=original)
    posts, edges, *_ = _read(_write(tmp_path / "t.json", [boost]), instance="edu.social")
    assert _ties(edges) == {
        ("retweet", "mastodon:ann@edu.social", "mastodon:bo@other.org", boost["uri"]),
        ("mention", "mastodon:bo@other.org", "mastodon:cy@third.net", original["uri"]),
    }
    by_id = {p[0]: p for p in posts}
    assert by_id[boost["uri"]][6] == "retweet" and by_id[boost["uri"]][4] is None
    assert by_id[original["uri"]][6] == "post"


def test_original_boosted_twice_is_one_post(tmp_path):
    original = _st("20", BO)
    docs = [_st("21", ANN, "", reblog=original), _st("22", CY, "", reblog=original), original]
    posts, edges, _, log = _read(_write(tmp_path / "t.json", docs), instance="edu.social")
    assert log.records == 3
    assert sorted(p[0] for p in posts) == sorted([original["uri"], docs[0]["uri"],
                                                  docs[1]["uri"]])
    assert {e[1] for e in edges} == {"retweet"} and len(edges) == 2


def test_quote(tmp_path):
    quoted = _st("30", BO, "<p>an idea</p>")
    quoting = _st("31", ANN, "<p>yes!</p>", quote={"state": "accepted", "quoted_status": quoted})
    flat = _st("32", CY, "<p>also</p>", quote=quoted)  # the quoted status given directly
    hidden = _st("33", CY, "<p>gone</p>", quote={"state": "deleted", "quoted_status": None})
    path = _write(tmp_path / "t.json", [quoting, flat, hidden])
    posts, edges, _, log = _read(path, instance="edu.social")
    assert _ties(edges) == {
        ("quote", "mastodon:ann@edu.social", "mastodon:bo@other.org", quoting["uri"]),
        ("quote", "mastodon:cy@third.net", "mastodon:bo@other.org", flat["uri"]),
    }
    by_id = {p[0]: p for p in posts}
    assert by_id[quoting["uri"]][6] == "quote" and by_id[quoting["uri"]][10] == quoted["uri"]
    assert quoted["uri"] in by_id and by_id[hidden["uri"]][6] == "post"
    assert log.notes["quotes whose quoted status is not shown (pending, revoked or deleted)"]


# -- the instance option --------------------------------------------------------------------
def test_instance_forms(tmp_path):
    path = _write(tmp_path / "t.json", [_st("10", ANN)])
    for form in ("edu.social", "https://Edu.Social/", "EDU.social"):
        _, _, accounts, _ = _read(path, instance=form)
        assert set(accounts) == {"mastodon:ann@edu.social"}
    for bad in ("not a server", "ann@edu.social"):
        with pytest.raises(OptionError, match="instance"):
            MastodonReader(path, instance=bad)
    with pytest.raises(OptionError, match="instance"):
        MastodonReader(path, server="edu.social")


def test_without_instance_the_domain_comes_from_the_profile_url(tmp_path):
    root = _st("10", ANN)
    reply = _st("11", BO, mentions=(ANN,), reply_to=("10", "1"))
    orphan = _st("12", BO, reply_to=("9", "1"))
    posts, edges, accounts, log = _read(_write(tmp_path / "t.json", [root, reply, orphan]))
    assert "mastodon:ann@edu.social" in accounts
    assert log.notes[NOTE_DOMAIN_FROM_URL] == 1
    assert ("reply", "mastodon:bo@other.org", "mastodon:ann@edu.social", reply["uri"]) in \
        _ties(edges)
    # the server is that of the local (bare) accounts
    assert {p[0]: p for p in posts}[orphan["uri"]][7] == "edu.social/statuses/9"


def test_bare_acct_without_instance_or_url_is_rejected(tmp_path):
    nameless = _st("10", {**ANN, "url": None})
    path = _write(tmp_path / "t.json", [nameless, _st("11", BO)])
    posts, _, _, log = _read(path)
    assert log.records == 1 and len(posts) == 1
    assert log.rejects[0].line == 1
    assert log.rejects[0].reason.startswith("item 1: the acct 'ann' has no domain")
    posts, *_ = _read(path, instance="edu.social")
    assert len(posts) == 2


# -- layouts and bad input ------------------------------------------------------------------
def test_single_status_context_and_jsonl(tmp_path):
    root, reply = _st("10", ANN), _st("11", BO, reply_to=("10", "1"))
    single = _write(tmp_path / "one.json", root)
    assert len(_read(single, instance="edu.social")[0]) == 1
    context = _write(tmp_path / "ctx.json", {"ancestors": [root], "descendants": [reply]})
    posts, *_ = _read(context, instance="edu.social")
    assert {p[8] for p in posts} == {root["uri"]}
    lines = _write_lines(tmp_path / "mixed.jsonl", [root], {"ancestors": [],
                                                            "descendants": [reply]}, root)
    posts, edges, _, log = _read(lines, instance="edu.social")
    assert log.records == 3 and len(posts) == 2 and len(edges) == 1


def test_bad_input(tmp_path):
    junk = tmp_path / "junk.json"
    junk.write_text("this is not json", encoding="utf-8")
    with pytest.raises(FormatError, match="not JSON"):
        _read(junk, instance="edu.social")
    empty = tmp_path / "empty.json"
    empty.write_text("  \n", encoding="utf-8")
    with pytest.raises(FormatError, match="empty"):
        _read(empty)
    no_uri = {k: v for k, v in _st("12", ANN).items() if k != "uri"}
    no_account = {k: v for k, v in _st("13", ANN).items() if k != "account"}
    bad_time = _st("14", ANN, created_at="yesterday")
    path = _write_lines(tmp_path / "bad.jsonl", [_st("10", ANN), 7, no_uri], b"{oops",
                        [no_account, bad_time], 5)
    posts, _, _, log = _read(path, instance="edu.social")
    assert len(posts) == 1 and log.records == 1
    assert sorted((r.line, r.reason.split(":")[0]) for r in log.rejects) == [
        (1, "item 2 of the line"), (1, "item 3 of the line"), (2, "not valid JSON (unexpected "
                                                                  "character, expected a "
                                                                  "string key"),
        (3, "item 1 of the line"), (3, "item 2 of the line"), (4, "expected an array of statuses, "
                                                                  "a /context response or a "
                                                                  "status, got int")]
    reasons = [r.reason for r in sorted(log.rejects)]
    assert "not a status: no uri" in reasons[1]
    assert "no 'account'" in reasons[3] and "ISO 8601" in reasons[4]
    with pytest.raises(RecordError, match="line 2: not valid JSON"):
        collect_rows(MastodonReader(path, instance="edu.social"),
                     ReadLog(str(path), strict=True))


def test_failed_file_leaves_store_unchanged_and_strict(tmp_path, store):
    good = _write(tmp_path / "good.json", [_st("10", ANN)])
    store.ingest(good, format="mastodon", instance="edu.social")
    bad = _write(tmp_path / "bad.json", [_st("11", BO), {"id": "12"}])
    with pytest.raises(RecordError):
        store.ingest(bad, format="mastodon", instance="edu.social", strict=True)
    assert len(store.table("posts")) == 1
    report = store.ingest(bad, format="mastodon", instance="edu.social")
    assert report.rejected == 1 and report.kept == 1


# -- sniffing -------------------------------------------------------------------------------
def test_sniff_hand_made(tmp_path):
    timeline = _write(tmp_path / "a.json", [_st("10", ANN)])
    context = _write(tmp_path / "b.json", {"ancestors": [], "descendants": [_st("10", ANN)]})
    single = _write(tmp_path / "c.json", _st("10", ANN))
    lines = _write_lines(tmp_path / "d.jsonl", [_st("10", ANN)], [_st("11", BO)])
    for p in (timeline, context, single, lines):
        assert sniff(p) == "mastodon", p
    for other in ([{"id_str": "1", "user": {"id_str": "2"}}], {"uri": "at://x", "cid": "y"},
                  [{"acct": "ann", "username": "ann", "note": ""}], []):
        p = _write(tmp_path / "other.json", other)
        assert not MastodonReader.sniff(p, read_head(p)), other


@pytest.mark.realdata
def test_sniff_real_files(realdata):
    for p in _status_files(realdata):
        assert sniff(p) == "mastodon", p
    others = [p for p in realdata.rglob("*") if p.is_file() and p.parent.name != FOLDER]
    assert others
    for p in others:
        assert not MastodonReader.sniff(p, read_head(p)), p
    v1 = realdata / "twitter-v1-aect" / "aect_v1_statuses_lookup.jsonl"
    assert sniff(v1) == "twitter-v1"


# -- the raw files of pln collect mastodon -------------------------------------------------
def _pln(server: str, endpoint: str = "tag", **extra: object) -> dict:
    return {"collector": "mastodon", "server": server, "endpoint": endpoint, "since": None,
            "until": None, "page": 1, **extra}


def test_collected_pages_and_contexts(tmp_path):
    root, reply = _st("10", ANN, tags=("NAESPchat",)), _st("11", BO, reply_to=("10", "1"),
                                                            mentions=(ANN,))
    outside = _st("12", CY, mentions=(ANN,))
    path = _write_lines(
        tmp_path / "raw.jsonl",
        {"data": [root], "__pln": _pln("https://Edu.Social/")},
        {"ancestors": [root], "descendants": [reply, outside],
         "__pln": _pln("edu.social", "context", context_of="10")})
    posts, edges, accounts, log = _read(path)  # the server comes from __pln
    assert (log.records, log.rejected, NOTE_DOMAIN_FROM_URL in log.notes) == (4, 0, False)
    assert "mastodon:ann@edu.social" in accounts
    assert len(posts) == 3
    assert ("reply", "mastodon:bo@other.org", "mastodon:ann@edu.social", reply["uri"]) in \
        _ties(edges)
    assert MastodonReader.sniff(path, read_head(path))
    # the option instance= wins over __pln
    _, _, accounts, _ = _read(path, instance="other.org")
    assert "mastodon:ann@other.org" in accounts


def test_collected_window_is_kept(tmp_path):
    early = _st("10", ANN, created_at="2024-01-09T19:00:00.000Z")
    inside, late = _st("11", ANN), _st("12", ANN, created_at="2024-01-09T21:00:00.000Z")
    window = {"since": "2024-01-09T19:30:00Z", "until": "2024-01-09T21:00:00Z"}
    path = _write_lines(tmp_path / "raw.jsonl",
                        {"data": [late, inside, early], "__pln": {**_pln("edu.social"),
                                                                   **window}})
    posts, _, _, log = _read(path)
    assert [p[0] for p in posts] == [inside["uri"]]
    assert log.records == 1 and log.notes[NOTE_OUTSIDE_WINDOW] == 2


def test_collected_lines_of_several_servers_or_bad_data(tmp_path):
    path = _write_lines(tmp_path / "raw.jsonl",
                        {"data": [_st("10", ANN)], "__pln": _pln("edu.social")},
                        {"data": [_st("11", ANN)], "__pln": _pln("other.org")})
    with pytest.raises(FormatError, match="several servers"):
        _read(path)
    assert len(_read(path, instance="edu.social")[0]) == 2
    bad = _write_lines(tmp_path / "bad.jsonl",
                       {"data": {"id": "1"}, "__pln": _pln("edu.social")},
                       {"data": [_st("10", ANN)], "__pln": _pln("edu.social")})
    posts, _, _, log = _read(bad)
    assert len(posts) == 1 and log.rejects[0].reason.startswith("a collected page whose data")


def test_pages_wait_for_parents_then_match_the_whole_file(tmp_path):
    # newest first, as a timeline: the reply comes a page before its parent
    root, reply = _st("10", ANN), _st("11", BO, reply_to=("10", "1"), mentions=(ANN,))
    lonely = _st("12", CY, reply_to=("99", "98"))  # parent never seen
    records = [{"data": [lonely, reply], "__pln": _pln("edu.social")},
               {"data": [root], "__pln": _pln("edu.social", page=2)}]
    pages, log = MastodonPages("edu.social"), ReadLog("raw.jsonl")
    first = pages.add(records[:1], log)
    assert first.rows["posts"] == [] and set(pages.pending) == {reply["uri"], lonely["uri"]}
    second = pages.add(records[1:], log, line=2)
    assert {p[0] for p in second.rows["posts"]} == {root["uri"], reply["uri"]}
    assert pages.pending == [lonely["uri"]]
    last = pages.flush(log)
    assert [p[7] for p in last.rows["posts"]] == ["edu.social/statuses/99"]
    rows = sorted(p for b in (first, second, last) for p in b.rows["posts"])
    path = _write_lines(tmp_path / "raw.jsonl", *records)
    assert sorted(_read(path)[0]) == rows
    assert log.records == 3 and pages.pending == []
