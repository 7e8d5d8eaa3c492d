"""Benchmark: ``pln ingest`` of a twarc2 JSONL archive against merely parsing it with orjson.

Generates N synthetic tweets as X API v2 search pages (100 tweets a page, with ``includes``
users and referenced tweets and the fields twarc2 asks for, context annotations on about half
the tweets as in real pages: about 3.0 KB a tweet, against 3.3 KB in the real brexit sample),
then, in one run and on the same file, times

- ``parse``: a fresh Python process reading the file line by line with ``orjson.loads``;
- ``ingest``: a fresh ``pln ingest FILE --store NEW.duckdb`` process, end to end;

and prints both, their ratio, and each process's peak memory (max RSS). Run it at two sizes to
see that memory is bounded by the batch, not the file.

Usage::

    python scripts/bench_ingest.py                # 1,000,000 tweets
    python scripts/bench_ingest.py -n 200000 -n 1000000
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

HASHTAGS = ["NAESPchat", "PrincipalLife", "edchat", "edleadership", "k12", "leadupchat"]
WORDS = ("leadership culture teachers students feedback coaching observation schedule budget "
         "family community equity reading math data growth wellness mentor retention").split(" ")


def _user(uid: int) -> dict:
    """A user's profile, the same on every page (as the API returns it within a collection)."""
    rng = random.Random(uid)
    return {
        "id": str(uid), "username": f"principal{uid}", "name": f"Principal {uid}",
        "description": "Principal. Learner. " + " ".join(rng.sample(WORDS, 5)),
        "location": "Somewhere, USA", "verified": False, "protected": False, "url": "",
        "created_at": "2012-03-04T05:06:07.000Z",
        "profile_image_url": f"https://pbs.twimg.com/profile_images/{uid}/x_normal.jpg",
        "public_metrics": {"followers_count": rng.randint(10, 9000),
                           "following_count": rng.randint(10, 3000),
                           "tweet_count": rng.randint(10, 90000), "listed_count": 3},
    }


#: Context annotations as the API attaches them to about half of all tweets (domain, entity).
_ANNOTATIONS = [
    ({"id": "65", "name": "Interests and Hobbies Vertical",
      "description": "Top level interests and hobbies groupings, like Food or Travel"},
     {"id": "847544972781826048", "name": "Education",
      "description": "Schools, teaching and learning"}),
    ({"id": "66", "name": "Interests and Hobbies Category",
      "description": "A grouping of interests and hobbies entities, like Novelty Food or "
                     "Destinations"},
     {"id": "1280531470617722880", "name": "Leadership", "description": "Leadership"}),
    ({"id": "131", "name": "Unified Twitter Taxonomy",
      "description": "A taxonomy view into the Semantic Core knowledge graph"},
     {"id": "1196446161223028736", "name": "K-12 education",
      "description": "Primary and secondary schooling"}),
    ({"id": "45", "name": "Brand Vertical", "description": "Top level entities that describe a "
      "Brands industry"}, {"id": "781974596165681152", "name": "Technology",
                           "description": "Technology and computing"}),
]


def _tweet(tid: int, author: int, when: datetime, rng: random.Random, users: int) -> dict:
    tags = rng.sample(HASHTAGS, 2)
    mentioned = rng.sample(range(1, users + 1), rng.choice((0, 1, 1, 2, 3)))
    prefix = "".join(f"@principal{m} " for m in mentioned)
    body = " ".join(rng.choices(WORDS, k=18))
    text = f"{prefix}{body} #{tags[0]} #{tags[1]} https://t.co/abcdefghij"
    mentions, pos = [], 0
    for m in mentioned:
        handle = f"@principal{m}"
        mentions.append({"start": pos, "end": pos + len(handle), "username": handle[1:],
                         "id": str(m)})
        pos += len(handle) + 1
    hashtags = []
    for tag in tags:
        start = text.index("#" + tag)
        hashtags.append({"start": start, "end": start + len(tag) + 1, "tag": tag})
    tweet = {
        "id": str(tid), "author_id": str(author), "text": text, "lang": "en",
        "created_at": when.strftime("%Y-%m-%dT%H:%M:%S.000Z"), "conversation_id": str(tid),
        "source": "Twitter for iPhone", "possibly_sensitive": False, "reply_settings": "everyone",
        "edit_history_tweet_ids": [str(tid)],
        "public_metrics": {"retweet_count": rng.randint(0, 9), "reply_count": rng.randint(0, 5),
                           "like_count": rng.randint(0, 40), "quote_count": 0,
                           "impression_count": rng.randint(0, 900), "bookmark_count": 0},
        "entities": {"hashtags": hashtags, "mentions": mentions, "urls": [
            {"start": len(text) - 23, "end": len(text), "url": "https://t.co/abcdefghij",
             "expanded_url": "https://example.org/post", "display_url": "example.org/post"}]},
    }
    if not mentions:
        del tweet["entities"]["mentions"]
    if rng.random() < 0.56:  # as in real pages (56 of 100 tweets of the brexit sample)
        tweet["context_annotations"] = [
            {"domain": d, "entity": e} for d, e in rng.sample(_ANNOTATIONS, rng.randint(1, 4))]
    return tweet


def generate(path: Path, n: int, *, seed: int = 7) -> None:
    """Write ``n`` tweets as twarc2 pages: ~45% retweets, 25% replies, 5% quotes."""
    rng = random.Random(seed)
    users = max(1000, n // 5)
    start = datetime(2025, 9, 1, tzinfo=UTC)
    tid = 1_960_000_000_000_000_000
    with open(path, "wb") as fh:
        made = 0
        while made < n:
            size = min(100, n - made)
            data, ref_tweets, user_ids = [], [], set()
            for _ in range(size):
                tid += rng.randint(1, 5_000_000)
                made += 1
                author = rng.randint(1, users)
                when = start + timedelta(seconds=made * 30)
                t = _tweet(tid, author, when, rng, users)
                user_ids.add(author)
                r = rng.random()
                if r < 0.45:
                    orig_author = rng.randint(1, users)
                    orig = _tweet(tid - rng.randint(10**6, 10**9), orig_author, when, rng, users)
                    t["text"] = f"RT @principal{orig_author}: {orig['text']}"[:140]
                    t["referenced_tweets"] = [{"type": "retweeted", "id": orig["id"]}]
                    t["entities"]["mentions"] = [{"start": 3, "end": 14, "username":
                                                  f"principal{orig_author}",
                                                  "id": str(orig_author)}]
                    ref_tweets.append(orig)
                    user_ids.add(orig_author)
                elif r < 0.70:
                    parent_author = rng.randint(1, users)
                    t["in_reply_to_user_id"] = str(parent_author)
                    t["referenced_tweets"] = [{"type": "replied_to", "id": str(tid - 777)}]
                    t["conversation_id"] = str(tid - 999)
                    user_ids.add(parent_author)
                elif r < 0.75:
                    orig_author = rng.randint(1, users)
                    orig = _tweet(tid - rng.randint(10**6, 10**9), orig_author, when, rng, users)
                    t["referenced_tweets"] = [{"type": "quoted", "id": orig["id"]}]
                    ref_tweets.append(orig)
                    user_ids.add(orig_author)
                for m in t["entities"].get("mentions", ()):
                    user_ids.add(int(m["id"]))
                data.append(t)
            data.reverse()
            page = {
                "data": data,
                "includes": {"users": [_user(u) for u in sorted(user_ids)],
                             "tweets": ref_tweets},
                "meta": {"newest_id": data[0]["id"], "oldest_id": data[-1]["id"],
                         "result_count": len(data), "next_token": f"tok{made}"},
                "__twarc": {"url": "https://api.twitter.com/2/tweets/search/all?query=%23NAESPchat",
                            "version": "2.14.0",
                            # a page a second, as a real collection retrieves them
                            "retrieved_at": (start + timedelta(days=120, seconds=made // 100))
                            .isoformat()},
            }
            fh.write(orjson.dumps(page) + b"\n")


PARSE = """
import sys, orjson
n = 0
with open(sys.argv[1], 'rb') as fh:
    for line in fh:
        page = orjson.loads(line)
        n += len(page.get('data', ()))
print(n)
"""


def measure(cmd: list[str]) -> tuple[float, float]:
    """Run a command in a fresh process: wall seconds and its peak memory (max RSS, MB).

    A small wrapper process runs it, so each measurement's RSS is its own.
    """
    wrapper = ("import resource, subprocess, sys, time\n"
               "t = time.perf_counter()\n"
               "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n"
               "print(time.perf_counter() - t, "
               "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)\n")
    proc = subprocess.run([sys.executable, "-c", wrapper, *cmd], capture_output=True, text=True,
                          check=False)
    if proc.returncode:
        sys.exit(f"failed: {' '.join(cmd)}\n{proc.stderr}")
    seconds, rss = proc.stdout.split()
    return float(seconds), float(rss)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", "--tweets", type=int, action="append",
                    help="tweets to generate (repeat for several sizes; default 1,000,000)")
    ap.add_argument("--workdir", type=Path, help="where to write the files (default: a temp dir)")
    ap.add_argument("--keep", action="store_true", help="keep the generated files")
    ap.add_argument("--memory-limit", action="append", default=None,
                    help="also run `pln ingest --memory-limit X` (repeatable), e.g. 1GB")
    args = ap.parse_args()
    sizes = args.tweets or [1_000_000]
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="pln-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    pln = shutil.which("pln", path=os.path.dirname(sys.executable)) or "pln"
    print(f"{'tweets':>10} {'file MB':>8} {'parse s':>8} {'ingest s':>9} {'ratio':>6} "
          f"{'parse RSS MB':>13} {'ingest RSS MB':>14} {'tweets/s':>9}  memory limit")
    try:
        for n in sizes:
            src = workdir / f"bench_{n}.jsonl"
            if not src.exists():
                generate(src, n)
            parse_s, parse_rss = measure([sys.executable, "-c", PARSE, str(src)])
            mb = src.stat().st_size / 1e6
            for limit in [None, *(args.memory_limit or [])]:
                db = workdir / f"bench_{n}.duckdb"
                db.unlink(missing_ok=True)
                cmd = [pln, "ingest", str(src), "--store", str(db)]
                if limit:
                    cmd += ["--memory-limit", limit]
                ingest_s, ingest_rss = measure(cmd)
                print(f"{n:>10,} {mb:>8,.0f} {parse_s:>8.2f} {ingest_s:>9.2f} "
                      f"{ingest_s / parse_s:>6.2f} {parse_rss:>13,.0f} {ingest_rss:>14,.0f} "
                      f"{n / ingest_s:>9,.0f}  {limit or 'default'}", flush=True)
    finally:
        if not args.keep and not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
