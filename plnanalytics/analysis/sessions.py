"""Chat sessions: scheduled hashtag chats found from the density of post times, and retention.

Educator Twitter chats (``#NAESPchat``, ``#edchat``...) are weekly one-hour bursts of posts on
a hashtag that is quiet the rest of the week. :func:`chat_sessions` finds those bursts from
the timestamps alone, with no schedule given, and describes each one: who took part, who came
for the first time, the moderator's numbered questions (``Q1: ...``) and the answers to them
(``A1: ...``, or replies to the question). It also names the recurring slot, if there is one
("Weekly on Wednesdays at 00:00 UTC").

:func:`retention` answers the question research on educator chats keeps asking: of the people
who came for the first time in a session (or any period), how many came back?

Detection
---------
1. The kept posts are counted in bins of ``bin_minutes`` (aligned on the Unix epoch, UTC).
2. Each bin's background rate is the mean count of the bins within ``background_hours/2``
   on either side of it, leaving out bins already found busy (time outside the data counts
   as empty, so even a one-hour transcript has a background). Using a local rate, not one
   rate for the whole archive, keeps a hashtag whose daily traffic grows over the years
   from hiding the chats of its quiet years.
3. A bin is busy when it holds at least ``min_bin_posts`` posts and so many posts would
   arise from the background rate with a Poisson probability below ``alpha``. Steps 2 and
   3 repeat until the busy bins no longer change (at most ten rounds), so that the chats
   themselves do not inflate the background they are measured against.
4. Busy bins less than ``gap_minutes`` apart (end of one to start of the next) are merged
   into one run, the quiet bins between them included. A run then grows bin by bin at
   either end while the next bin is still above the background at the looser level
   ``tail_alpha`` (a chat's opening and wrap-up are slower than its middle).
5. A run is a session when its posts, from its first to its last, span at least
   ``min_minutes`` and number at least ``min_posts`` from at least ``min_participants``
   distinct participants. The session's ``start`` and ``end`` are its first and last post.

Questions and answers
---------------------
A question is a post of the session whose text, after any leading @mentions, starts with
``Q<k>`` (``Q1:``, ``Q2 -``, ``q3.``; ``Q 1`` and ``Qs`` are not). The session's moderator is
the node who posted most of them (the first to ask on a tie), or None. A post answers
question k when it starts with ``A<k>`` (after leading @mentions; the session's latest
``Q<k>`` at or before it, else its first), or else when it replies directly to a question
post of the session and is not by the question's author. Each post answers at most one
question, so the answers of a session add up. Replies (and ``replies_received``) are
counted between posts of the same session only.

Retweets are stored as posts (``post_type == "retweet"``). A retweet during a chat is
taking part (the retweeter is present and amplifies the chat), so with ``retweets=True``
(the default) retweets count as posts for the density and make their author a participant;
they are never questions, answers or replies. ``retweets=False`` leaves them out entirely.

Examples
--------
>>> from plnanalytics import Dataset
>>> posts = [{"post_id": f"{w}{i:02d}", "platform": "x", "author": f"x:{i % 6}",
...           "created_at": f"2025-09-{10 + 7 * w}T00:{i:02d}:00Z",
...           "text": "Q1: How was your week?" if i == 0 else "A1: Busy!"}
...          for w in range(2) for i in range(30)]
>>> cs = chat_sessions(Dataset.from_records(posts=posts))
>>> cs.sessions[["session", "label", "posts", "participants", "newcomers", "questions",
...              "answers"]].to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
[{'session': 1, 'label': '2025-09-10 00:00 UTC', 'posts': 30, 'participants': 6,
  'newcomers': 6, 'questions': 1, 'answers': 29},
 {'session': 2, 'label': '2025-09-17 00:00 UTC', 'posts': 30, 'participants': 6,
  'newcomers': 0, 'questions': 1, 'answers': 29}]
>>> cs.schedule["text"]
'Weekly on Wednesdays at 00:00 UTC (about 30 minutes)'
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import duckdb
import networkx as nx
import numpy as np
import pandas as pd
import pyarrow as pa
from scipy.stats import poisson

from ..dataset import Dataset
from ..errors import OptionError
from ..graph.build import account_nodes
from ..ingest.base import arrow_type, time_option
from ..schema import TABLES
from ..store import Store

#: Columns of :attr:`ChatSessions.sessions`.
SESSION_COLUMNS = ("session", "label", "start", "end", "minutes", "posts", "retweets",
                   "participants", "newcomers", "returning", "moderator", "moderator_label",
                   "questions", "answers", "replies", "contexts")

#: Columns of :attr:`ChatSessions.participants`.
PARTICIPANT_COLUMNS = ("session", "node", "label", "posts", "retweets", "answers",
                       "replies_received", "is_moderator", "newcomer")

#: Columns of :attr:`ChatSessions.questions`.
QUESTION_COLUMNS = ("session", "number", "post_id", "node", "time", "text", "answers",
                    "answerers", "replies")

#: Columns of :func:`retention`.
RETENTION_COLUMNS = ("period", "active", "newcomers", "returned_next", "returned_next_share",
                     "returned_later", "returned_later_share", "returning")

#: Leading @mentions (and the old ``.@`` trick) before a post's own words.
_LEADING_MENTIONS = r"^[\s.]*(?:[@＠]\w+[\s,:;]*)*"
#: ``Q1:``, ``Q2 -``, ``q3.``: a question number right after the Q (not ``Q 1``, not ``Qs``).
_QUESTION = r"^[Qq](\d{1,3})(?!\d)"
#: ``A1:``, ``a2 -``: an answer number right after the A (``A 5 minute walk`` is no answer).
_ANSWER = r"^[Aa](\d{1,3})(?!\d)"

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

#: How many hashtags the ``contexts`` column of the sessions table lists.
TOP_CONTEXTS = 3


@dataclass
class ChatSessions:
    """The chat sessions found by :func:`chat_sessions`.

    Attributes
    ----------
    sessions : pandas.DataFrame
        One row per session, in time order (columns :data:`SESSION_COLUMNS`): ``session``
        (1..n), ``label`` (start to the minute, ``"2025-09-10 00:00 UTC"``), ``start`` and
        ``end`` (first and last post, UTC), ``minutes`` between them, ``posts`` (retweets
        included when counted), ``retweets``, ``participants`` (distinct nodes),
        ``newcomers`` (nodes in their first session found), ``returning`` (the others),
        ``moderator`` (the node who posted most questions, or None) and its
        ``moderator_label``, ``questions`` (``Q<k>`` posts), ``answers`` (posts answering a
        question), ``replies`` (posts replying to a post of the session) and ``contexts``
        (its most used hashtags or channels, most used first, joined by ``"; "``).
    participants : pandas.DataFrame
        One row per session and node (columns :data:`PARTICIPANT_COLUMNS`): its ``posts``
        and ``retweets`` in the session, ``answers`` (posts answering a question),
        ``replies_received`` (posts of others in the session replying to its posts in the
        session), ``is_moderator`` and ``newcomer`` (first session found for the node).
    questions : pandas.DataFrame
        One row per question post (columns :data:`QUESTION_COLUMNS`): its ``number`` k,
        ``post_id``, author ``node``, ``time``, ``text``, ``answers`` (posts answering it),
        ``answerers`` (distinct nodes among them) and ``replies`` (direct replies to it,
        whatever they say, by others).
    schedule : dict
        The recurring slot (see :func:`chat_sessions`), or ``{}`` when there is none.
    settings : dict
        The parameters the sessions were found with.
    """

    sessions: pd.DataFrame
    participants: pd.DataFrame
    questions: pd.DataFrame
    schedule: dict[str, Any] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)

    def retention(self) -> pd.DataFrame:
        """Retention from session to session: :func:`session_retention` of these sessions."""
        return session_retention(self)

    def __repr__(self) -> str:
        slot = self.schedule.get("text", "no recurring slot")
        return (f"ChatSessions(sessions={len(self.sessions)}, "
                f"participants={self.participants['node'].nunique()}, "
                f"questions={len(self.questions)}, schedule={slot!r})")


def chat_sessions(
    data: Store | Dataset,
    *,
    contexts: Iterable[str] | None = None,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    G: nx.DiGraph | None = None,
    bin_minutes: int = 5,
    gap_minutes: int = 20,
    min_minutes: int = 20,
    min_posts: int = 20,
    min_participants: int = 5,
    min_bin_posts: int = 3,
    alpha: float = 1e-4,
    background_hours: float = 24.0,
    tail_alpha: float = 0.05,
    retweets: bool = True,
) -> ChatSessions:
    """Find the chat sessions of a hashtag (or of all posts) from the density of post times.

    See the module description for the detection, step by step.

    Parameters
    ----------
    data : Store or Dataset
        The posts; a store is queried in DuckDB and only the posts of the sessions found are
        read into pandas (with their text), so archives of millions of posts fit.
    contexts : iterable of str, optional
        Keep posts carrying at least one of these hashtags or channels (``naespchat`` and
        ``#NAESPchat`` are the same; case-insensitive). Default: all posts.
    since, until : str or datetime, optional
        Keep posts with ``since <= created_at < until`` (ISO 8601; a date is midnight UTC).
    G : networkx.DiGraph, optional
        A graph from :func:`~plnanalytics.graph.build.build_graph`: authors become its nodes
        (the accounts of one roster person are one node ``roster:<id>``, through the node
        attribute ``accounts``) with its ``label``. Default: one node per account, labelled
        ``@handle`` from the accounts table (else the account key).
    bin_minutes : int
        Width of the time bins (default 5).
    gap_minutes : int
        Busy bins less than this apart belong to one session (default 20).
    min_minutes, min_posts, min_participants : int
        A session spans at least ``min_minutes`` from its first to its last post (default
        20) and holds at least ``min_posts`` posts (20) by ``min_participants`` distinct
        participants (5).
    min_bin_posts : int
        A busy bin holds at least this many posts (default 3), however quiet the background.
    alpha : float
        A bin is busy when its count is this improbable (Poisson upper tail) at the local
        background rate (default 1e-4).
    background_hours : float
        Width of the window the local background rate is measured over (default 24).
    tail_alpha : float
        A session grows, bin by bin at either end, while the next bin's count is this
        improbable at the background rate (default 0.05: at a quiet hashtag's background
        one post is enough), so that the opening and the wrap-up of a chat, slower than its
        middle, stay in it.
    retweets : bool
        Count retweets as posts and their authors as participants (default True).

    Returns
    -------
    ChatSessions
        The sessions, participants and questions tables, the recurring ``schedule`` and the
        ``settings`` used. The schedule is the (weekday, hour UTC) slot, with session
        starts rounded to the hour, that holds most sessions when starts up to one hour
        either side count too (so a US chat at 8 pm Eastern, 00:00 UTC in summer time and
        01:00 UTC in winter, is one slot); it is named by its most common exact hour. It is
        recurring when it holds at least two sessions and at least half of them. Keys:
        ``weekday``, ``hour_utc``, ``hours_utc`` (sessions per exact hour), ``minutes``
        (median length, to 5 minutes), ``every_days`` (median days between its sessions),
        ``share`` (of all sessions), ``sessions`` (in the slot) and ``text``.

    Raises
    ------
    OptionError
        When a parameter is out of range or ``since``/``until`` is not a time.

    Examples
    --------
    >>> from plnanalytics import Dataset
    >>> quiet = [{"post_id": str(i), "platform": "x", "author": f"x:{i % 9}",
    ...           "created_at": pd.Timestamp("2025-09-01", tz="UTC") + pd.Timedelta(hours=7 * i)}
    ...          for i in range(300)]
    >>> cs = chat_sessions(Dataset.from_records(posts=quiet))
    >>> len(cs.sessions), cs.schedule
    (0, {})
    """
    settings = _settings(contexts, since, until, bin_minutes=bin_minutes,
                         gap_minutes=gap_minutes, min_minutes=min_minutes, min_posts=min_posts,
                         min_participants=min_participants, min_bin_posts=min_bin_posts,
                         alpha=alpha, background_hours=background_hours,
                         tail_alpha=tail_alpha, retweets=retweets)
    con = data.con if isinstance(data, Store) else _connect(data)
    try:
        where, params = _filters(settings)
        counts = con.execute(
            f"SELECT (epoch_ms(created_at) // ?)::BIGINT AS b, count(*)::BIGINT AS n "
            f"FROM posts WHERE {where} GROUP BY b ORDER BY b",
            [bin_minutes * 60_000, *params]).df()
        runs = _runs(counts["b"].to_numpy(np.int64), counts["n"].to_numpy(np.int64), settings)
        posts = _run_posts(con, runs, where, params, bin_minutes)
        node_of, labels = _nodes(con, G, posts["author"].unique().tolist())
    finally:
        if not isinstance(data, Store):
            con.close()
    posts["node"] = [node_of.get(a, a) for a in posts["author"].tolist()]
    posts = _keep_sessions(posts, settings)
    questions, posts = _questions_and_answers(posts)
    participants = _participants(posts, questions, labels)
    sessions = _sessions(posts, participants, questions, labels)
    return ChatSessions(sessions=sessions, participants=participants, questions=questions,
                        schedule=_schedule(sessions), settings=settings)


def session_retention(cs: ChatSessions) -> pd.DataFrame:
    """Retention from session to session: :func:`retention` over the sessions' participants.

    The ``period`` column holds the session numbers; ``label`` and ``start`` are added.

    Examples
    --------
    >>> cs = ChatSessions(
    ...     sessions=pd.DataFrame({"session": [1, 2], "label": ["a", "b"],
    ...                            "start": pd.to_datetime(["2025-09-10", "2025-09-17"])}),
    ...     participants=pd.DataFrame({"session": [1, 1, 2], "node": ["x", "y", "x"]}),
    ...     questions=pd.DataFrame())
    >>> session_retention(cs)[["period", "label", "newcomers", "returned_next_share"]].to_dict(
    ...     "records")  # doctest: +NORMALIZE_WHITESPACE
    [{'period': 1, 'label': 'a', 'newcomers': 2, 'returned_next_share': 0.5},
     {'period': 2, 'label': 'b', 'newcomers': 0, 'returned_next_share': None}]
    """
    order = cs.sessions["session"].tolist()
    out = retention(cs.participants, period="session", node="node", order=order)
    info = cs.sessions.set_index("session")
    out.insert(1, "label", out["period"].map(info["label"]))
    out.insert(2, "start", out["period"].map(info["start"]))
    return out


def retention(presence: pd.DataFrame, *, period: str = "period", node: str = "node",
              order: Sequence[Any] | None = None) -> pd.DataFrame:
    """Newcomers per period and how many of them come back.

    Parameters
    ----------
    presence : pandas.DataFrame
        Rows ``(period, node)``: the node was active in the period (repeats are fine).
    period, node : str
        The names of those two columns.
    order : sequence, optional
        The periods in time order, including periods nobody was active in; periods of
        ``presence`` missing from it are an error. Default: the sorted distinct periods.

    Returns
    -------
    pandas.DataFrame
        One row per period in order (columns :data:`RETENTION_COLUMNS`): ``active`` nodes,
        ``newcomers`` (active for the first time), ``returned_next`` (newcomers active in the
        next period) and ``returned_later`` (newcomers active in any later period), each
        with its share of the newcomers, and ``returning`` (active, seen before). A share is
        None, not 0, when the period has no newcomers or is the last one (nobody could have
        come back yet); the counts are 0 then.

    Raises
    ------
    OptionError
        When a column is missing or a period is not in ``order``.

    Examples
    --------
    >>> presence = pd.DataFrame({"period": ["w1", "w1", "w1", "w2", "w2", "w3", "w3"],
    ...                          "node": ["a", "b", "c", "a", "d", "c", "d"]})
    >>> retention(presence).to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
    [{'period': 'w1', 'active': 3, 'newcomers': 3, 'returned_next': 1,
      'returned_next_share': 0.3333333333333333, 'returned_later': 2,
      'returned_later_share': 0.6666666666666666, 'returning': 0},
     {'period': 'w2', 'active': 2, 'newcomers': 1, 'returned_next': 1,
      'returned_next_share': 1.0, 'returned_later': 1, 'returned_later_share': 1.0,
      'returning': 1},
     {'period': 'w3', 'active': 2, 'newcomers': 0, 'returned_next': 0,
      'returned_next_share': None, 'returned_later': 0, 'returned_later_share': None,
      'returning': 2}]
    """
    missing = [c for c in (period, node) if c not in presence.columns]
    if missing:
        raise OptionError(f"retention: presence has no column(s) {missing}")
    pairs = presence[[period, node]].dropna().drop_duplicates()
    periods = list(order) if order is not None else sorted(pairs[period].unique().tolist())
    index = {p: i for i, p in enumerate(periods)}
    if len(index) != len(periods):
        raise OptionError("retention: order lists a period twice")
    unknown = set(pairs[period]) - set(index)
    if unknown:
        raise OptionError(f"retention: periods not in order: {sorted(map(str, unknown))[:5]}")
    idx = pairs[period].map(index).to_numpy(np.int64)
    nodes = pairs[node].to_numpy(dtype=object)
    frame = pd.DataFrame({"i": idx, "node": nodes})
    span = frame.groupby("node")["i"].agg(["min", "max"])
    first = frame["node"].map(span["min"]).to_numpy(np.int64)
    active = frame.set_index(["node", "i"]).index
    came_next = pd.MultiIndex.from_arrays([span.index, span["min"].to_numpy() + 1])
    back_next = pd.Series(came_next.isin(active), index=span.index)
    n = len(periods)
    newcomers = np.bincount(span["min"].to_numpy(np.int64), minlength=n)
    returned_next = np.bincount(span["min"].to_numpy(np.int64),
                                weights=back_next.to_numpy(float), minlength=n).astype(np.int64)
    returned_later = np.bincount(span["min"].to_numpy(np.int64),
                                 weights=(span["max"] > span["min"]).to_numpy(float),
                                 minlength=n).astype(np.int64)
    out = pd.DataFrame({
        "period": periods,
        "active": np.bincount(idx, minlength=n).astype(np.int64),
        "newcomers": newcomers.astype(np.int64),
        "returned_next": returned_next,
        "returned_next_share": _shares(returned_next, newcomers),
        "returned_later": returned_later,
        "returned_later_share": _shares(returned_later, newcomers),
        "returning": np.bincount(idx, weights=(first < idx).astype(float),
                                 minlength=n).astype(np.int64),
    }, columns=list(RETENTION_COLUMNS))
    return out


def _shares(part: np.ndarray, whole: np.ndarray) -> pd.Series:
    """``part / whole`` per period; None where ``whole`` is 0 or for the last period."""
    last = len(whole) - 1
    return pd.Series([None if w == 0 or i == last else float(p) / float(w)
                      for i, (p, w) in enumerate(zip(part.tolist(), whole.tolist(), strict=True))],
                     dtype=object)


# -- options and reading ----------------------------------------------------------------------

def _settings(contexts: Iterable[str] | None, since: str | datetime | None,
              until: str | datetime | None, **knobs: Any) -> dict[str, Any]:
    """The parameters, checked, as the ``settings`` dict."""
    for name in ("bin_minutes", "gap_minutes", "min_minutes", "min_posts", "min_participants",
                 "min_bin_posts"):
        value = knobs[name]
        low = 1 if name in ("bin_minutes", "min_bin_posts") else 0
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < low:
            raise OptionError(f"{name} must be a whole number >= {low}, not {value!r}")
    for name in ("alpha", "tail_alpha"):
        if not 0 < knobs[name] < 1:
            raise OptionError(f"{name} must be between 0 and 1, not {knobs[name]!r}")
    if not knobs["background_hours"] > 0:
        raise OptionError(f"background_hours must be positive, not {knobs['background_hours']!r}")
    if isinstance(contexts, str):
        contexts = contexts.replace(",", " ").split()
    raw = sorted({str(c).strip().lower() for c in contexts or () if str(c).strip()})
    tags = sorted({t if t.startswith("#") else f"#{t}" for t in raw} | set(raw))
    times = {}
    for name, value in (("since", since), ("until", until)):
        try:
            times[name] = time_option(value)
        except ValueError:
            raise OptionError(f"{name}: {value!r} is not a date or time (use ISO 8601, such "
                              "as 2025-09-01 or 2025-09-01T00:00:00Z)") from None
    return {"contexts": tags, "since": times["since"], "until": times["until"], **knobs}


def _connect(ds: Dataset) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB over a dataset's posts and accounts, so one query path serves both."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    for name in ("posts", "accounts"):
        spec = TABLES[name]
        schema = pa.schema([(c.name, arrow_type(c)) for c in spec.columns])
        con.register(name, pa.Table.from_pandas(getattr(ds, name)[schema.names], schema=schema,
                                                preserve_index=False))
    return con


def _filters(settings: dict[str, Any]) -> tuple[str, list[Any]]:
    """The WHERE condition (and its parameters) that keeps the posts to look at."""
    where, params = ["created_at IS NOT NULL"], []
    if settings["since"] is not None:
        where.append("created_at >= ?")
        params.append(settings["since"])
    if settings["until"] is not None:
        where.append("created_at < ?")
        params.append(settings["until"])
    if settings["contexts"]:
        where.append("list_has_any(list_transform(contexts, lambda c: lower(c)), ?)")
        params.append(settings["contexts"])
    if not settings["retweets"]:
        where.append("post_type IS DISTINCT FROM 'retweet'")
    return " AND ".join(where), params


def _runs(bins: np.ndarray, counts: np.ndarray, settings: dict[str, Any]) -> list[tuple[int, int]]:
    """Runs of busy bins, as ``(first bin, last bin)``; see the module description."""
    if not len(bins):
        return []
    half = max(1, round(settings["background_hours"] * 30 / settings["bin_minutes"]))
    lo, hi = int(bins[0]) - half, int(bins[-1]) + half
    dense = np.zeros(hi - lo + 1, dtype=np.int64)
    dense[bins - lo] = counts
    candidates = np.flatnonzero(dense >= settings["min_bin_posts"])
    if not len(candidates):
        return []
    busy = np.zeros(len(dense), dtype=bool)
    for _ in range(10):
        quiet = ~busy
        csum = np.concatenate([[0], np.cumsum(np.where(quiet, dense, 0))])
        cnum = np.concatenate([[0], np.cumsum(quiet)])
        a = np.clip(candidates - half, 0, len(dense))
        b = np.clip(candidates + half + 1, 0, len(dense))
        rate = (csum[b] - csum[a]) / np.maximum(cnum[b] - cnum[a], 1)
        hot = poisson.sf(dense[candidates] - 1, rate) < settings["alpha"]
        new = np.zeros(len(dense), dtype=bool)
        new[candidates[hot]] = True
        if np.array_equal(new, busy):
            break
        busy = new
    hot_bins = np.flatnonzero(busy)
    if not len(hot_bins):
        return []
    # a new run starts where the quiet time since the last busy bin is gap_minutes or more
    quiet_minutes = (np.diff(hot_bins) - 1) * settings["bin_minutes"]
    starts = np.concatenate([[0], np.flatnonzero(quiet_minutes >= settings["gap_minutes"]) + 1])
    ends = np.concatenate([starts[1:] - 1, [len(hot_bins) - 1]])
    # the tails: grow each run while the next bin is still above the background
    quiet = ~busy
    csum = np.concatenate([[0], np.cumsum(np.where(quiet, dense, 0))])
    cnum = np.concatenate([[0], np.cumsum(quiet)])
    every = np.arange(len(dense))
    a, b = np.clip(every - half, 0, len(dense)), np.clip(every + half + 1, 0, len(dense))
    rate = (csum[b] - csum[a]) / np.maximum(cnum[b] - cnum[a], 1)
    warm = (dense > 0) & (poisson.sf(dense - 1, rate) < settings["tail_alpha"])
    runs: list[tuple[int, int]] = []
    for s, e in zip(hot_bins[starts].tolist(), hot_bins[ends].tolist(), strict=True):
        floor = runs[-1][1] + 1 if runs else 0
        while s - 1 >= floor and warm[s - 1]:
            s -= 1
        while e + 1 < len(dense) and warm[e + 1]:
            e += 1
        if runs and s <= runs[-1][1] + 1:
            s = runs.pop()[0]
        runs.append((s, e))
    return [(s + lo, e + lo) for s, e in runs]


def _run_posts(con: duckdb.DuckDBPyConnection, runs: list[tuple[int, int]], where: str,
               params: list[Any], bin_minutes: int) -> pd.DataFrame:
    """The kept posts inside the runs, with a ``run`` number, in time order."""
    cols = ("post_id", "platform", "author", "created_at", "text", "post_type",
            "parent_post_id", "contexts")
    if not runs:
        frame = TABLES["posts"].empty_frame()[list(cols)]
        return frame.assign(run=pd.Series([], dtype=np.int64))
    step = bin_minutes * 60_000
    spans = pa.table({"run": pa.array(range(len(runs)), pa.int64()),
                      "lo": pa.array([r[0] * step for r in runs], pa.int64()),
                      "hi": pa.array([(r[1] + 1) * step for r in runs], pa.int64())})
    name = "_pln_session_spans"
    con.register(name, spans)
    try:
        frame = con.execute(
            f"SELECT s.run, {', '.join('p.' + c for c in cols)} "
            f"FROM (SELECT * FROM posts WHERE {where}) p JOIN {name} s "
            f"ON epoch_ms(p.created_at) >= s.lo AND epoch_ms(p.created_at) < s.hi "
            f"ORDER BY p.created_at, p.platform, p.post_id", params).df()
    finally:
        con.unregister(name)
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
    for c in ("post_id", "platform", "author", "text", "post_type", "parent_post_id"):
        frame[c] = frame[c].astype(object).where(frame[c].notna(), None)
    return frame


def _nodes(con: duckdb.DuckDBPyConnection, G: nx.DiGraph | None, authors: list[str]
           ) -> tuple[dict[str, str], dict[str, str]]:
    """Node of each author account, and the label of each node."""
    node_of: dict[str, str] = {}
    labels: dict[str, str] = {}
    if G is not None:
        node_of = account_nodes(G)
        labels = {n: str(label or n) for n, label in G.nodes(data="label")}
    rest = [a for a in authors if a not in node_of]
    if rest:
        handles = con.execute("SELECT account, handle FROM accounts WHERE account IN "
                              "(SELECT unnest(?)) AND handle IS NOT NULL", [rest]).fetchall()
        labels.update({a: f"@{h}" for a, h in handles})
    return node_of, labels


# -- the sessions -----------------------------------------------------------------------------

def _keep_sessions(posts: pd.DataFrame, settings: dict[str, Any]) -> pd.DataFrame:
    """The posts of the runs that qualify as sessions, numbered 1..n as ``session``."""
    g = posts.groupby("run")
    facts = pd.DataFrame({"first": g["created_at"].min(), "last": g["created_at"].max(),
                          "posts": g.size(), "people": g["node"].nunique()})
    minutes = (facts["last"] - facts["first"]).dt.total_seconds() / 60
    ok = facts[(minutes >= settings["min_minutes"]) & (facts["posts"] >= settings["min_posts"])
               & (facts["people"] >= settings["min_participants"])]
    number = pd.Series(np.arange(1, len(ok) + 1), index=ok.sort_values("first").index)
    kept = posts[posts["run"].isin(number.index)].copy()
    kept.insert(0, "session", kept["run"].map(number).astype(np.int64))
    return kept.drop(columns="run").reset_index(drop=True)


def _questions_and_answers(posts: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The questions table, and the posts with ``question`` (post id answered, or None)."""
    words = posts["text"].fillna("").str.replace(_LEADING_MENTIONS, "", regex=True)
    content = posts["post_type"].ne("retweet").to_numpy()
    q_num = pd.to_numeric(words.str.extract(_QUESTION, expand=False), errors="coerce")
    a_num = pd.to_numeric(words.str.extract(_ANSWER, expand=False), errors="coerce")
    is_q = q_num.notna().to_numpy() & content
    qs = posts.loc[is_q, ["session", "post_id", "platform", "node", "created_at", "text"]].copy()
    qs.insert(1, "number", q_num[is_q].astype(np.int64))
    qs = qs.rename(columns={"created_at": "time"})

    posts = posts.assign(_i=np.arange(len(posts)), question=None)
    # answers by number: A<k> answers the session's latest Q<k> before it (else its first)
    ans = posts.loc[a_num.notna().to_numpy() & content & ~is_q,
                    ["_i", "session", "created_at"]].assign(
        number=a_num[a_num.notna().to_numpy() & content & ~is_q].astype(np.int64))
    pair = ans.merge(qs[["session", "number", "post_id", "time"]], on=["session", "number"])
    pair["after"] = pair["time"] > pair["created_at"]
    pair["key"] = np.where(pair["after"], pair["time"].astype(np.int64),
                           -pair["time"].astype(np.int64))
    by_number = pair.sort_values(["after", "key"]).drop_duplicates("_i")
    # answers by reply: a direct reply, by someone else, to a question of the session
    parent = qs.set_index(["session", "platform", "post_id"])["node"]
    key = pd.MultiIndex.from_arrays([posts["session"], posts["platform"],
                                     posts["parent_post_id"]])
    asked_by = pd.Series(parent.reindex(key).to_numpy(), index=posts.index)
    by_reply = (asked_by.notna() & asked_by.ne(posts["node"])).to_numpy() & content & ~is_q
    question = pd.Series([None] * len(posts), index=posts.index, dtype=object)
    question[by_reply] = posts.loc[by_reply, "parent_post_id"]
    question.iloc[by_number["_i"].to_numpy()] = by_number["post_id"].to_numpy()
    posts["question"] = question
    posts["q_reply"] = by_reply

    if len(qs):
        answered = posts[posts["question"].notna()]
        count = answered.groupby("question").size()
        people = answered.groupby("question")["node"].nunique()
        replies = posts[by_reply].groupby("parent_post_id").size()
        qs["answers"] = qs["post_id"].map(count).fillna(0).astype(np.int64)
        qs["answerers"] = qs["post_id"].map(people).fillna(0).astype(np.int64)
        qs["replies"] = qs["post_id"].map(replies).fillna(0).astype(np.int64)
    else:
        qs = qs.assign(answers=pd.Series([], dtype=np.int64),
                       answerers=pd.Series([], dtype=np.int64),
                       replies=pd.Series([], dtype=np.int64))
    qs = qs.sort_values(["session", "time", "number"]).reset_index(drop=True)
    return qs[list(QUESTION_COLUMNS)], posts.drop(columns="_i")


def _participants(posts: pd.DataFrame, questions: pd.DataFrame, labels: dict[str, str]
                  ) -> pd.DataFrame:
    """One row per session and node."""
    posts = posts.assign(rt=posts["post_type"].eq("retweet"),
                         answer=posts["question"].notna())
    g = posts.groupby(["session", "node"], sort=True)
    out = pd.DataFrame({"posts": g.size(), "retweets": g["rt"].sum(),
                        "answers": g["answer"].sum()}).reset_index()
    # replies received: posts of others in the session replying to one's posts in it
    author = posts.set_index(["session", "platform", "post_id"])["node"]
    key = pd.MultiIndex.from_arrays([posts["session"], posts["platform"],
                                     posts["parent_post_id"]])
    to = pd.Series(author.reindex(key).to_numpy(), index=posts.index)
    hit = to.notna() & to.ne(posts["node"]) & ~posts["rt"]
    received = pd.DataFrame({"session": posts.loc[hit, "session"], "node": to[hit]}
                            ).groupby(["session", "node"]).size()
    idx = pd.MultiIndex.from_frame(out[["session", "node"]])
    out["replies_received"] = received.reindex(idx).fillna(0).astype(np.int64).to_numpy()
    mods = _moderators(questions)
    out["is_moderator"] = out["session"].map(mods).eq(out["node"])
    first = out.groupby("node")["session"].transform("min")
    out["newcomer"] = out["session"].eq(first)
    out["label"] = [labels.get(n, n) for n in out["node"].tolist()]
    for c in ("posts", "retweets", "answers"):
        out[c] = out[c].astype(np.int64)
    return out[list(PARTICIPANT_COLUMNS)].reset_index(drop=True)


def _moderators(questions: pd.DataFrame) -> pd.Series:
    """Per session, the node who posted most questions (ties: the first to ask)."""
    if questions.empty:
        return pd.Series(dtype=object)
    g = questions.groupby(["session", "node"]).agg(n=("post_id", "size"), t=("time", "min"))
    g = g.reset_index().sort_values(["session", "n", "t"], ascending=[True, False, True])
    return g.drop_duplicates("session").set_index("session")["node"]


def _sessions(posts: pd.DataFrame, participants: pd.DataFrame, questions: pd.DataFrame,
              labels: dict[str, str]) -> pd.DataFrame:
    """One row per session."""
    if posts.empty:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in SESSION_COLUMNS})
    g = posts.groupby("session")
    rt = posts["post_type"].eq("retweet").groupby(posts["session"]).sum()
    out = pd.DataFrame({"start": g["created_at"].min(), "end": g["created_at"].max(),
                        "posts": g.size(), "retweets": rt})
    out["minutes"] = ((out["end"] - out["start"]).dt.total_seconds() / 60).round(1)
    out["label"] = out["start"].dt.floor("min").dt.strftime("%Y-%m-%d %H:%M UTC")
    pg = participants.groupby("session")
    out["participants"] = pg.size()
    out["newcomers"] = pg["newcomer"].sum().astype(np.int64)
    out["returning"] = out["participants"] - out["newcomers"]
    mods = _moderators(questions)
    out["moderator"] = pd.Series(out.index.map(mods), index=out.index, dtype=object)
    out["moderator"] = out["moderator"].where(out["moderator"].notna(), None)
    out["moderator_label"] = [None if m is None else labels.get(m, m) for m in out["moderator"]]
    out["questions"] = (questions.groupby("session").size().reindex(out.index).fillna(0)
                        .astype(np.int64))
    out["answers"] = g["question"].count().astype(np.int64)
    ids = posts.set_index(["session", "platform", "post_id"]).index
    parent = pd.MultiIndex.from_arrays([posts["session"], posts["platform"],
                                        posts["parent_post_id"]])
    reply = parent.isin(ids) & posts["post_type"].ne("retweet").to_numpy()
    out["replies"] = (pd.Series(reply, index=posts.index).groupby(posts["session"]).sum()
                      .astype(np.int64))
    tags = posts[["session", "contexts"]].explode("contexts").dropna()
    tags["contexts"] = tags["contexts"].str.lower()
    top = (tags.groupby(["session", "contexts"]).size().rename("n").reset_index()
           .sort_values(["session", "n", "contexts"], ascending=[True, False, True]))
    joined = top.groupby("session").head(TOP_CONTEXTS).groupby("session")["contexts"].agg("; ".join)
    out["contexts"] = joined.reindex(out.index)
    out["contexts"] = out["contexts"].where(out["contexts"].notna(), None)
    out = out.reset_index()
    for c in ("posts", "retweets", "participants"):
        out[c] = out[c].astype(np.int64)
    return out[list(SESSION_COLUMNS)]


def _schedule(sessions: pd.DataFrame) -> dict[str, Any]:
    """The recurring weekly slot of the sessions, or ``{}``."""
    if len(sessions) < 2:
        return {}
    starts = pd.to_datetime(sessions["start"], utc=True).dt.round("h")
    slot = (starts.dt.day_of_week * 24 + starts.dt.hour).to_numpy(np.int64)
    exact = np.bincount(slot, minlength=168)
    near = exact + np.roll(exact, 1) + np.roll(exact, -1)  # one hour either side, circular
    best = max(np.flatnonzero(exact), key=lambda s: (near[s], exact[s], -s))
    member = np.abs((slot - best + 84) % 168 - 84) <= 1
    n = int(member.sum())
    share = n / len(sessions)
    if n < 2 or share < 0.5:
        return {}
    chosen = sessions[member]
    minutes = int(5 * round(float(np.median(chosen["minutes"])) / 5))
    gaps = pd.to_datetime(chosen["start"], utc=True).sort_values().diff().dropna()
    every = round(float(np.median(gaps.dt.total_seconds())) / 86400)
    weekday, hour = _WEEKDAYS[best // 24], int(best % 24)
    hours = {int(s % 24): int(exact[s]) for s in np.unique(slot[member])}
    how = {7: "Weekly", 14: "Every two weeks"}.get(every, f"Every {every} days")
    if 28 <= every <= 31:
        how = "Monthly"
    others = [f"{h:02d}:00 UTC in {k} of {n}" for h, k in sorted(hours.items()) if h != hour]
    detail = "; ".join([*others, f"about {minutes} minutes"])
    text = f"{how} on {weekday}s at {hour:02d}:00 UTC ({detail})"
    return {"weekday": weekday, "hour_utc": hour, "hours_utc": hours, "minutes": minutes,
            "every_days": every, "share": share, "sessions": n, "text": text}
