"""Account <-> person resolution: which accounts belong to which roster person.

A district leader asks about people, not accounts: the principal who posts on X, toots on
Mastodon, writes in the district Slack and is named in an advice survey is one person.
:func:`resolve_identities` links accounts to the people of a roster (the ``people`` table);
an account that cannot be linked stays an account.

Links are decided in stages, and an account decided at one stage is never decided again by
a later one:

1. **corrections**: identities rows of method ``manual`` or ``rejected`` (read from a review
   file by the ``identities`` format). For each account the row of the latest ingest (the
   highest ``ingest_id``) wins. ``rejected`` (stored with an empty person id) means "this
   account is no roster person": the account stays unlinked, whatever any other stage says;
2. **the identities table**: the other rows, such as the explicit links a roster's account
   columns give (``x_user_id``). An account linked there to several people keeps the link
   with the highest confidence, then the smallest person id, then the most direct method;
3. **matchers** (:data:`MATCHERS`), in order, each offered only the accounts still open:

   =========  ==================================================================  ===========
   method     rule                                                                confidence
   =========  ==================================================================  ===========
   explicit   :func:`match_roster_ids`: the native id of an ``edgelist``,         1.0
              ``roster``, ``survey`` or ``groups`` account is a person id
   email      :func:`match_email`: ``accounts.email`` = ``people.email``          1.0
   handle     :func:`match_handle`: a roster column ``<platform>_handle``         0.95
              (``x_handle``, ``mastodon_handle``...) = the account's handle
   name       :func:`match_name`: the display (or written) name equals a roster   0.9
              name after :func:`normalize_name`
   fuzzy      :func:`match_fuzzy`: rapidfuzz ``token_sort_ratio`` of the           score/100
              normalized names at least ``fuzzy_threshold`` and ``fuzzy_margin``  x 0.85
              points ahead of the next roster name
   =========  ==================================================================  ===========

A matcher proposing two or more people for one account leaves it **ambiguous**: it is not
linked (a later matcher may still link it) and :func:`review_identities` lists its
candidates. So two principals of the same name in different districts are never merged by
name, while an account with an email or handle of one of them is still linked.

A matcher is a function ``matcher(people, accounts, options) -> DataFrame`` of candidate
links (``account, person_id, method, confidence``). ``people`` is the validated people table
with ``name_key`` (the normalized name); ``accounts`` has one row per open account:
``account``, ``platform``, ``native`` (the key's parts around the first ``:``), ``handle``,
``display_name``, ``email``, ``name`` (the name to compare: the display name, or for
:data:`WRITTEN_NAME_PLATFORMS` the name the respondent wrote) and ``name_key``; ``options``
is a :class:`MatchOptions`. New matchers are added to :data:`MATCHERS`.

Examples
--------
>>> import pandas as pd
>>> people = pd.DataFrame({"person_id": ["P001", "P002", "P003"],
...                        "name": ["Ann Lee", "Bo Ng", "Bo Ng"],
...                        "email": ["ann@cedar.org", None, None]})
>>> identities = pd.DataFrame({"account": ["x:10"], "person_id": ["P001"],
...                            "method": "explicit", "confidence": 1.0})
>>> accounts = pd.DataFrame({
...     "account": ["edgelist:P002", "slack:T1/U1", "survey:Lee, Ann", "survey:Bo Ng"],
...     "email": [None, "ANN@cedar.org", None, None]})
>>> resolve_identities(identities, people, accounts)
           account person_id    method  confidence
0    edgelist:P002      P002  explicit         1.0
1      slack:T1/U1      P001     email         1.0
2  survey:Lee, Ann      P001      name         0.9
3             x:10      P001  explicit         1.0
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from .errors import OptionError, SchemaError
from .schema import CORRECTION_METHODS, TABLES, validate

if TYPE_CHECKING:
    from .store import Store

#: Columns of a set of links, and of :func:`resolve_identities`'s result.
LINK_COLUMNS = ("account", "person_id", "method", "confidence")

#: Columns of :func:`review_identities`'s result.
REVIEW_COLUMNS = ("account", "platform", "handle", "display_name", "status", "person_id",
                  "person_name", "organization", "method", "confidence", "candidates")

#: Review statuses.
STATUSES = ("linked", "ambiguous", "unlinked", "rejected")

#: Platforms whose account keys carry roster person ids (``edgelist:P001``, ``survey:P001``).
ROSTER_ID_PLATFORMS = ("edgelist", "roster", "survey", "groups")

#: Platforms whose native id is a name someone wrote (a survey answer, a group roster), used
#: as the name when the account has no display name.
WRITTEN_NAME_PLATFORMS = ("survey", "groups")

#: Methods of corrections made by hand: they win over everything (latest ingest first).

#: Methods from the most to the least direct; breaks ties of equal confidence and person.
METHOD_ORDER = ("manual", "explicit", "email", "handle", "name", "fuzzy", "partial")

#: Confidence of a link made by each matcher (fuzzy links scale ``fuzzy_weight`` instead).
CONFIDENCE = {"manual": 1.0, "explicit": 1.0, "email": 1.0, "handle": 0.95, "name": 0.9}

#: Words dropped from names: titles and degrees ("Dr. Ann Lee, EdD" is "ann lee").
NAME_TITLES = frozenset({"dr", "mr", "mrs", "ms", "miss", "mx", "prof", "professor",
                         "phd", "edd"})

#: Roster column prefixes (``<prefix>_handle``) naming another platform.
HANDLE_PLATFORM_ALIASES = {"twitter": "x"}

#: Roster cells of a handle column read as several handles when split at these.
_HANDLE_SPLIT = re.compile(r"[;,\s]+")
_APOSTROPHES = re.compile(r"['’‘`´]")
_NOT_WORD = re.compile(r"[\W_]+")
_URL = re.compile(r"^(?:https?://)?(?:www\.)?([a-z0-9-]+(?:\.[a-z0-9-]+)+)/+([^?#]*)")
#: Cells of a fuzzy score matrix computed at once (float32): bounds memory (~40 MB).
_FUZZY_CELLS = 10_000_000


@dataclass(frozen=True)
class MatchOptions:
    """Options of the matchers.

    Parameters
    ----------
    fuzzy_threshold : float
        Least rapidfuzz ``token_sort_ratio`` (0-100) of a fuzzy name link.
    fuzzy_margin : float
        Points the best roster name must be ahead of the next one; closer, the account is
        ambiguous.
    fuzzy_weight : float
        Confidence of a fuzzy link is ``score / 100 * fuzzy_weight``.
    fuzzy : bool
        Whether to match names fuzzily at all.
    workers : int
        Threads rapidfuzz may use (-1: all cores).

    Examples
    --------
    >>> MatchOptions(fuzzy_threshold=95).fuzzy_margin
    5.0
    >>> MatchOptions(fuzzy_threshold=120)
    Traceback (most recent call last):
    ...
    plnanalytics.errors.OptionError: fuzzy_threshold must be between 0 and 100 (got 120)
    """

    fuzzy_threshold: float = 90.0
    fuzzy_margin: float = 5.0
    fuzzy_weight: float = 0.85
    fuzzy: bool = True
    workers: int = -1

    def __post_init__(self) -> None:
        if not 0 <= self.fuzzy_threshold <= 100:
            raise OptionError(
                f"fuzzy_threshold must be between 0 and 100 (got {self.fuzzy_threshold})")
        if not 0 <= self.fuzzy_margin <= 100:
            raise OptionError(f"fuzzy_margin must be between 0 and 100 (got {self.fuzzy_margin})")
        if not 0 < self.fuzzy_weight <= 1:
            raise OptionError(f"fuzzy_weight must be in (0, 1] (got {self.fuzzy_weight})")
        if self.workers == 0:
            raise OptionError("workers must be -1 (all cores) or a positive number")


#: ``matcher(people, accounts, options) -> links``: proposes links (see the module doc).
Matcher = Callable[[pd.DataFrame, pd.DataFrame, MatchOptions], pd.DataFrame]


# -- normalization --------------------------------------------------------------------------

@lru_cache(maxsize=1 << 18)
def normalize_name(name: object) -> str:
    """A person's name as names are compared: ``""`` when there is none.

    Accents are removed, case folded, ``"Last, First"`` turned round, titles and degrees
    (:data:`NAME_TITLES`) and punctuation removed (apostrophes join: ``O'Brien`` is
    ``obrien``), whitespace collapsed.

    Examples
    --------
    >>> normalize_name("Lee, Dr. Ann-Marie"), normalize_name("  José  O'Brien, EdD ")
    ('ann marie lee', 'jose obrien')
    >>> normalize_name("MÜLLER, Jürgen"), normalize_name(None)
    ('jurgen muller', '')
    """
    if not isinstance(name, str):
        return ""
    text = unicodedata.normalize("NFKD", name)
    if not text.isascii():
        text = "".join(c for c in text if not unicodedata.combining(c))
    text = _APOSTROPHES.sub("", text.casefold())
    parts = [p for p in (_words(p) for p in text.split(",")) if p]
    if len(parts) == 2:  # "Last, First"
        parts.reverse()
    return " ".join(w for p in parts for w in p)


def _words(text: str) -> list[str]:
    return [w for w in _NOT_WORD.sub(" ", text).split() if w not in NAME_TITLES]


def normalize_handle(value: object, platform: str | None) -> str | None:
    """A handle as handles are compared, or None when there is none to compare.

    Case is folded and a leading ``@`` dropped; profile links (``https://x.com/ann``,
    ``https://bsky.app/profile/ann.bsky.social``, ``https://mastodon.social/@ann``) give their
    handle. Mastodon handles are compared as ``user@instance``; one without its instance is
    not compared (None), since ``ann`` on two instances are two people.

    Examples
    --------
    >>> normalize_handle("@DrFairweather", "x"), normalize_handle("https://x.com/Ann_L", "x")
    ('drfairweather', 'ann_l')
    >>> normalize_handle("https://mastodon.social/@Ann", "mastodon")
    'ann@mastodon.social'
    >>> normalize_handle("@ann@mastodon.social", "mastodon"), normalize_handle("ann", "mastodon")
    ('ann@mastodon.social', None)
    """
    if not isinstance(value, str):
        return None
    v = value.strip().casefold()
    url = _URL.match(v)
    if url:
        host, path = url.group(1), [s for s in url.group(2).split("/") if s]
        if not path:
            return None
        if platform == "mastodon":
            user = path[1] if path[0] == "users" and len(path) > 1 else path[0]
            user = user.lstrip("@")
            v = user if "@" in user else f"{user}@{host}"
        elif platform == "bluesky" and path[0] == "profile" and len(path) > 1:
            v = path[1]
        else:
            v = path[0]
    v = v.lstrip("@")
    if platform == "mastodon" and "@" not in v:
        return None
    return v or None


# -- inputs ---------------------------------------------------------------------------------

def _prepare_people(people: pd.DataFrame) -> pd.DataFrame:
    """The validated people table, one row per person id, with ``name_key``."""
    people = validate("people", people)
    people = people.drop_duplicates("person_id", keep="first").reset_index(drop=True)
    people["name_key"] = pd.Series([normalize_name(n) for n in people["name"]], dtype=object,
                                   index=people.index)
    return people


def _account_frame(accounts: Iterable[str] | pd.Series | pd.DataFrame | None) -> pd.DataFrame:
    """One row per distinct account key: ``account, platform, native, handle, display_name,
    email, name, name_key``, sorted by account. Columns a frame lacks are unknown (None)."""
    cols = ("platform", "handle", "display_name", "email")
    if accounts is None:
        frame = pd.DataFrame({"account": pd.Series(dtype=object)})
    elif isinstance(accounts, pd.DataFrame):
        if "account" not in accounts.columns:
            raise SchemaError("accounts: missing required column account (the account keys)")
        frame = accounts[["account", *(c for c in cols if c in accounts.columns)]].copy()
    else:
        frame = pd.DataFrame({"account": pd.Series(list(accounts), dtype=object)})
    frame = frame[frame["account"].notna()]
    frame["account"] = frame["account"].astype(str).astype(object)
    for c in cols:
        if c not in frame.columns:
            frame[c] = None
        frame[c] = frame[c].astype(object).where(frame[c].notna(), None)
    if frame["account"].duplicated().any():  # the first value known of each column
        frame = frame.groupby("account", sort=False).first().reset_index()
        for c in cols:
            frame[c] = frame[c].astype(object).where(frame[c].notna(), None)
    frame = frame.sort_values("account", kind="stable").reset_index(drop=True)
    parts = [k.partition(":") for k in frame["account"]]
    frame["native"] = pd.Series([p[2] if p[1] else None for p in parts], dtype=object,
                                index=frame.index)
    prefix = pd.Series([p[0] if p[1] else None for p in parts], dtype=object, index=frame.index)
    frame["platform"] = frame["platform"].where(frame["platform"].notna(), prefix)
    written = frame["platform"].isin(WRITTEN_NAME_PLATFORMS) & frame["display_name"].isna()
    frame["name"] = frame["display_name"].where(~written, frame["native"])
    frame["name_key"] = pd.Series([normalize_name(n) for n in frame["name"]], dtype=object,
                                  index=frame.index)
    return frame[["account", "platform", "native", "handle", "display_name", "email", "name",
                  "name_key"]]


def _links(accounts: Iterable[object] = (), persons: Iterable[object] = (),
           method: str | Iterable[object] = (),
           confidence: float | Iterable[float] = ()) -> pd.DataFrame:
    """A links frame with the usual columns and dtypes (a fresh index)."""
    out = pd.DataFrame({"account": pd.Series(list(accounts), dtype=object),
                        "person_id": pd.Series(list(persons), dtype=object)})
    n = len(out)
    methods = [method] * n if isinstance(method, str) else list(method)
    confs = [confidence] * n if isinstance(confidence, float | int) else list(confidence)
    out["method"] = pd.Series(methods, dtype=object)
    out["confidence"] = pd.Series(confs, dtype="float64")
    return out


# -- matchers -------------------------------------------------------------------------------

def match_roster_ids(people: pd.DataFrame, accounts: pd.DataFrame,
                     options: MatchOptions | None = None) -> pd.DataFrame:
    """Link accounts of :data:`ROSTER_ID_PLATFORMS` whose native id is a roster person id.

    Parameters
    ----------
    people : pandas.DataFrame
        The people table (``person_id``).
    accounts : pandas.DataFrame
        One row per account: ``account``, ``platform``, ``native``.
    options : MatchOptions, optional
        Not used.

    Returns
    -------
    pandas.DataFrame
        Links ``account, person_id, method="explicit", confidence=1.0``.

    Examples
    --------
    >>> people = pd.DataFrame({"person_id": ["P001"]})
    >>> accounts = pd.DataFrame({"account": ["survey:P001", "x:P001"],
    ...                          "platform": ["survey", "x"], "native": ["P001", "P001"]})
    >>> match_roster_ids(people, accounts).to_dict("records")
    [{'account': 'survey:P001', 'person_id': 'P001', 'method': 'explicit', 'confidence': 1.0}]
    """
    ids = set(people["person_id"])
    hit = accounts[accounts["platform"].isin(ROSTER_ID_PLATFORMS) & accounts["native"].isin(ids)]
    return _links(hit["account"], hit["native"], "explicit", CONFIDENCE["explicit"])


def match_email(people: pd.DataFrame, accounts: pd.DataFrame,
                options: MatchOptions | None = None) -> pd.DataFrame:
    """Link accounts whose email is a roster person's email (case and spaces ignored).

    Examples
    --------
    >>> people = pd.DataFrame({"person_id": ["P1", "P2"], "email": ["Ann@Cedar.org", None]})
    >>> accounts = pd.DataFrame({"account": ["slack:T/U1", "slack:T/U2"],
    ...                          "email": [" ann@cedar.ORG", "bo@cedar.org"]})
    >>> match_email(people, accounts).to_dict("records")
    [{'account': 'slack:T/U1', 'person_id': 'P1', 'method': 'email', 'confidence': 1.0}]
    """
    def key(s: pd.Series) -> pd.Series:
        k = s.astype(object).where(s.notna(), None).str.strip().str.casefold()
        return k.str.removeprefix("mailto:")

    if "email" not in accounts.columns or "email" not in people.columns:
        return _links()
    a = pd.DataFrame({"account": accounts["account"], "k": key(accounts["email"])})
    p = pd.DataFrame({"person_id": people["person_id"], "k": key(people["email"])})
    hit = a[a["k"].fillna("") != ""].merge(p[p["k"].fillna("") != ""], on="k")
    return _links(hit["account"], hit["person_id"], "email", CONFIDENCE["email"])


def roster_handles(people: pd.DataFrame) -> pd.DataFrame:
    """The handles a roster gives: ``person_id, platform, handle`` (normalized).

    They come from the roster's ``<platform>_handle`` columns (kept in ``attributes``):
    ``x_handle``, ``twitter_handle`` (read as x), ``mastodon_handle``, ``bluesky_handle``,
    ``slack_handle`` and so on. A cell may hold several handles separated by spaces, commas
    or semicolons.

    Examples
    --------
    >>> people = pd.DataFrame({"person_id": ["P1"], "attributes": [
    ...     '{"Twitter handle": "@AnnLee", "mastodon_handle": "@ann@mastodon.social"}']})
    >>> roster_handles(people).to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
    [{'person_id': 'P1', 'platform': 'x', 'handle': 'annlee'},
     {'person_id': 'P1', 'platform': 'mastodon', 'handle': 'ann@mastodon.social'}]
    """
    rows: list[tuple[str, str, str]] = []
    if "attributes" not in people.columns:
        return pd.DataFrame(rows, columns=["person_id", "platform", "handle"])
    for pid, text in zip(people["person_id"], people["attributes"], strict=True):
        if not isinstance(text, str) or "handle" not in text.lower():
            continue
        try:
            attrs = json.loads(text)
        except ValueError:
            continue
        if not isinstance(attrs, dict):
            continue
        for column, value in attrs.items():
            name = re.sub(r"\s+", "_", str(column).strip().lower())
            if not name.endswith("_handle") or len(name) == len("_handle"):
                continue
            platform = name[: -len("_handle")]
            platform = HANDLE_PLATFORM_ALIASES.get(platform, platform)
            for v in _HANDLE_SPLIT.split(str(value)) if value is not None else ():
                h = normalize_handle(v, platform)
                if h:
                    rows.append((pid, platform, h))
    return pd.DataFrame(rows, columns=["person_id", "platform", "handle"]).drop_duplicates()


def match_handle(people: pd.DataFrame, accounts: pd.DataFrame,
                 options: MatchOptions | None = None) -> pd.DataFrame:
    """Link accounts whose handle is the one a roster column ``<platform>_handle`` gives.

    Handles are compared with :func:`normalize_handle` on the account's platform. A Mastodon
    account's handle without an instance takes the instance of its key
    (``mastodon:ann@mastodon.social``); an account without a handle on Mastodon is compared
    by the ``user@instance`` of its key.

    Examples
    --------
    >>> people = pd.DataFrame({"person_id": ["P1"],
    ...                        "attributes": ['{"mastodon_handle": "ann@mastodon.social"}']})
    >>> accounts = pd.DataFrame({"account": ["mastodon:ann@mastodon.social", "x:1"],
    ...                          "platform": ["mastodon", "x"],
    ...                          "native": ["ann@mastodon.social", "1"],
    ...                          "handle": ["Ann", "ann@mastodon.social"]})
    >>> match_handle(people, accounts).to_dict("records")
    [{'account': 'mastodon:ann@mastodon.social', 'person_id': 'P1', 'method': 'handle', \
'confidence': 0.95}]
    """
    handles = roster_handles(people)
    if not len(handles) or "handle" not in accounts.columns:
        return _links()
    acc = accounts[accounts["platform"].isin(set(handles["platform"]))]
    handle = acc["handle"].astype(object).where(acc["handle"].notna(), None)
    masto = acc["platform"].eq("mastodon")
    if masto.any():  # user@instance from the key when the handle has no instance
        native = acc["native"].astype(object).where(acc["native"].notna(), "")
        instance = native.str.rpartition("@")[2].where(native.str.contains("@", regex=False))
        bare = handle.notna() & ~handle.fillna("").str.lstrip("@").str.contains("@", regex=False)
        handle = handle.where(~(masto & bare & instance.notna()),
                              handle.str.lstrip("@") + "@" + instance)
        handle = handle.where(~(masto & handle.isna() & instance.notna()), native)
    keys = [normalize_handle(h, p) for h, p in zip(handle, acc["platform"], strict=True)]
    a = pd.DataFrame({"account": acc["account"], "platform": acc["platform"], "handle": keys})
    hit = a[a["handle"].notna()].merge(handles, on=["platform", "handle"])
    return _links(hit["account"], hit["person_id"], "handle", CONFIDENCE["handle"])


def match_name(people: pd.DataFrame, accounts: pd.DataFrame,
               options: MatchOptions | None = None) -> pd.DataFrame:
    """Link accounts whose name equals a roster name after :func:`normalize_name`.

    A name two roster people share gives both (the account is then ambiguous).

    Examples
    --------
    >>> people = pd.DataFrame({"person_id": ["P1", "P2"], "name": ["José Díaz", "Bo Ng"]})
    >>> accounts = pd.DataFrame({"account": ["survey:Diaz, Jose", "x:9"],
    ...                          "name_key": ["jose diaz", "bo ngo"]})
    >>> match_name(people, accounts).to_dict("records")
    [{'account': 'survey:Diaz, Jose', 'person_id': 'P1', 'method': 'name', 'confidence': 0.9}]
    """
    pk = _people_name_keys(people)
    a = accounts.loc[accounts["name_key"] != "", ["account", "name_key"]]
    if not len(pk) or not len(a):
        return _links()
    hit = a.merge(pk, on="name_key")
    return _links(hit["account"], hit["person_id"], "name", CONFIDENCE["name"])


def match_fuzzy(people: pd.DataFrame, accounts: pd.DataFrame,
                options: MatchOptions | None = None) -> pd.DataFrame:
    """Link accounts whose normalized name is close to exactly one roster name.

    rapidfuzz's ``token_sort_ratio`` (0-100, word order ignored) compares each distinct
    name of the accounts with each distinct roster name, a block of names at a time
    (``process.cdist`` on all cores). A name whose best score is at least
    ``options.fuzzy_threshold`` and ``options.fuzzy_margin`` points ahead of the next roster
    name links to that name's person with confidence ``score / 100 * fuzzy_weight``; closer
    runners-up (or a best name two people share) give every candidate within the margin,
    so the account is ambiguous.

    Examples
    --------
    >>> people = pd.DataFrame({"person_id": ["P1", "P2", "P3", "P4"],
    ...                        "name": ["Katherine Johnson", "Katharine Johnsen",
    ...                                 "Anne Lee", "Ann Leed"]})
    >>> accounts = pd.DataFrame({"account": ["x:1", "x:2", "x:3"],
    ...                          "name_key": ["katherine johnston", "ann lee", "bo ng"]})
    >>> match_fuzzy(people, accounts)  # x:2 is as close to P3 as to P4: ambiguous
      account person_id method  confidence
    0     x:1        P1  fuzzy      0.8257
    1     x:2        P3  fuzzy      0.7933
    2     x:2        P4  fuzzy      0.7933
    """
    options = options or MatchOptions()
    if not options.fuzzy:
        return _links()
    pk = _people_name_keys(people)
    a = accounts.loc[accounts["name_key"] != "", ["account", "name_key"]]
    if not len(pk) or not len(a):
        return _links()
    choices = sorted(set(pk["name_key"]))
    persons = pk.groupby("name_key")["person_id"].agg(sorted).reindex(choices).tolist()
    queries = sorted(set(a["name_key"]))
    threshold, margin = float(options.fuzzy_threshold), float(options.fuzzy_margin)
    cutoff = max(threshold - margin, 0.0)
    step = max(1, _FUZZY_CELLS // len(choices))
    found_q: list[str] = []
    found_p: list[str] = []
    found_s: list[float] = []
    for start in range(0, len(queries), step):
        block = queries[start:start + step]
        scores = process.cdist(block, choices, scorer=fuzz.token_sort_ratio, processor=None,
                               score_cutoff=cutoff, dtype=np.float32, workers=options.workers)
        rows = np.arange(len(block))
        top = scores.argmax(axis=1)
        best = scores[rows, top]
        if len(choices) > 1:
            scores[rows, top] = -1.0
            second = scores.max(axis=1)
            scores[rows, top] = best
        else:
            second = np.zeros_like(best)
        hit = np.flatnonzero(best >= threshold)
        for i in hit:
            if best[i] - second[i] >= margin:
                near = [int(top[i])]
            else:  # runners-up within the margin: every one is a candidate
                near = np.flatnonzero(scores[i] >= best[i] - margin).tolist()
            for j in near:
                for pid in persons[j]:
                    found_q.append(block[i])
                    found_p.append(pid)
                    found_s.append(float(scores[i, j]))
    if not found_q:
        return _links()
    by_name = pd.DataFrame({"name_key": found_q, "person_id": found_p, "score": found_s})
    hit = a.merge(by_name, on="name_key")
    hit = hit.sort_values(["account", "score", "person_id"], ascending=[True, False, True],
                          kind="stable")
    conf = (hit["score"] / 100.0 * options.fuzzy_weight).round(4)
    return _links(hit["account"], hit["person_id"], "fuzzy", conf.tolist())


def match_partial_name(people: pd.DataFrame, accounts: pd.DataFrame,
                       options: MatchOptions | None = None) -> pd.DataFrame:
    """Propose, never link: a one-word name written in a survey or a group roster
    (:data:`WRITTEN_NAME_PLATFORMS`) that is the first or last name of roster people.

    "Odette" could be any Odette on the roster, and even a single one would be a guess, so
    these candidates (method ``partial``, confidence 0) always go to review as ambiguous.

    Examples
    --------
    >>> people = pd.DataFrame({"person_id": ["P1", "P2", "P3"],
    ...                        "name": ["Odette Fairweather", "Odette Yoshida", "Bo Ng"]})
    >>> accounts = pd.DataFrame({"account": ["survey:Odette", "x:5"], "platform": ["survey", "x"],
    ...                          "name_key": ["odette", "odette"]})
    >>> match_partial_name(people, accounts)["person_id"].tolist()
    ['P1', 'P2']
    """
    pk = _people_name_keys(people)
    platform = accounts.get("platform", pd.Series("", index=accounts.index))
    a = accounts.loc[platform.isin(WRITTEN_NAME_PLATFORMS) & (accounts["name_key"] != "")
                     & ~accounts["name_key"].str.contains(" ", regex=False),
                     ["account", "name_key"]]
    if not len(pk) or not len(a):
        return _links()
    words = pk["name_key"].str.split()
    parts = pd.concat([pd.DataFrame({"person_id": pk["person_id"], "name_key": words.str[0]}),
                       pd.DataFrame({"person_id": pk["person_id"], "name_key": words.str[-1]})])
    hit = a.merge(parts.drop_duplicates(), on="name_key").sort_values(["account", "person_id"])
    return _links(hit["account"], hit["person_id"], "partial", 0.0)


def _people_name_keys(people: pd.DataFrame) -> pd.DataFrame:
    """``person_id, name_key`` of the people with a name."""
    keys = (people["name_key"] if "name_key" in people.columns
            else pd.Series([normalize_name(n) for n in people.get("name", [])],
                           index=people.index, dtype=object))
    out = pd.DataFrame({"person_id": people["person_id"], "name_key": keys.astype(object)})
    return out[out["name_key"] != ""]


#: Matchers applied, in order, to the accounts still open after the identities table.
MATCHERS: tuple[Matcher, ...] = (match_roster_ids, match_email, match_handle, match_name,
                                 match_fuzzy, match_partial_name)

#: Methods that only propose candidates for review and never link on their own.
REVIEW_ONLY_METHODS = ("partial",)


# -- resolution -----------------------------------------------------------------------------

@dataclass
class Resolution:
    """Everything a resolution decided.

    Attributes
    ----------
    links : pandas.DataFrame
        ``account, person_id, method, confidence``: one row per linked account, by account.
    ambiguous : pandas.DataFrame
        ``account, person_id, method, confidence``: the candidates of each account left
        ambiguous (and not linked), best first.
    rejected : list of str
        Accounts a correction says are no roster person.
    accounts : pandas.DataFrame
        The accounts offered: ``account, platform, native, handle, display_name, email,
        name, name_key``.
    people : pandas.DataFrame
        The validated people table.
    """

    links: pd.DataFrame
    ambiguous: pd.DataFrame
    rejected: list[str]
    accounts: pd.DataFrame
    people: pd.DataFrame


def resolve(identities: pd.DataFrame | None, people: pd.DataFrame,
            accounts: Iterable[str] | pd.Series | pd.DataFrame | None = None, *,
            options: MatchOptions | None = None,
            matchers: Sequence[Matcher] | None = None) -> Resolution:
    """Run the stages of the module doc and keep what each decided.

    :func:`resolve_identities` and :func:`review_identities` are views of this.

    Parameters
    ----------
    identities, people, accounts, options
        As for :func:`resolve_identities`.
    matchers : sequence of callables, optional
        The matchers to run (default :data:`MATCHERS`).
    """
    options = options or MatchOptions()
    people = _prepare_people(people)
    if identities is None or not len(identities.columns):  # no identities table at all
        identities = TABLES["identities"].empty_frame()
    ids = validate("identities", identities)
    roster = set(people["person_id"])
    frame = _account_frame(accounts)

    # 1. corrections: the latest ingest wins; a rejection leaves the account unlinked
    corr = ids[ids["method"].isin(CORRECTION_METHODS)]
    corr = corr[corr["method"].eq("rejected") | corr["person_id"].isin(roster)]
    corr = corr.assign(
        _ingest=-pd.to_numeric(corr["ingest_id"]).astype("float64").fillna(-1.0),
        _conf=-pd.to_numeric(corr["confidence"]).astype("float64").fillna(-1.0))
    corr = corr.sort_values(["account", "_ingest", "_conf", "person_id"], kind="stable")
    corr = corr.drop_duplicates("account", keep="first")
    rejected = sorted(corr.loc[corr["method"].eq("rejected"), "account"])
    decided = set(corr["account"])
    stages = [corr.loc[corr["method"].eq("manual"), list(LINK_COLUMNS)]]

    # 2. the rest of the identities table: highest confidence, smallest person, direct method
    known = ids[~ids["method"].isin(CORRECTION_METHODS) & ids["person_id"].isin(roster)
                & ~ids["account"].isin(decided)]
    known = _best(known[list(LINK_COLUMNS)])
    stages.append(known)
    decided |= set(known["account"])

    # 3. matchers, each on the accounts still open; several people for one account: ambiguous
    ambiguous: list[pd.DataFrame] = []
    for stage, matcher in enumerate(matchers if matchers is not None else MATCHERS):
        open_ = frame[~frame["account"].isin(decided)]
        if not len(open_):
            break
        cand = matcher(people, open_.reset_index(drop=True), options)
        cand = cand[cand["account"].isin(set(open_["account"])) & cand["person_id"].isin(roster)]
        if not len(cand):
            continue
        cand = _ranked(cand).drop_duplicates(["account", "person_id"], keep="first")
        several = ((cand.groupby("account")["person_id"].transform("size") > 1)
                   | cand["method"].isin(REVIEW_ONLY_METHODS))
        found = cand[~several][list(LINK_COLUMNS)]
        stages.append(found)
        decided |= set(found["account"])
        if several.any():
            ambiguous.append(cand[several][list(LINK_COLUMNS)].assign(_stage=stage))

    links = pd.concat([s for s in stages if len(s)], ignore_index=True) if any(
        len(s) for s in stages) else _links()
    links = links.sort_values("account", kind="stable").reset_index(drop=True)
    links = _links(links["account"], links["person_id"], links["method"].tolist(),
                   links["confidence"].tolist())
    if ambiguous:
        amb = pd.concat(ambiguous, ignore_index=True)
        amb = amb[~amb["account"].isin(decided)]
        first = amb.groupby("account")["_stage"].transform("min")
        amb = amb[amb["_stage"] == first]
        amb = _ranked(amb).drop(columns="_stage")
        amb = _links(amb["account"], amb["person_id"], amb["method"].tolist(),
                     amb["confidence"].tolist())
    else:
        amb = _links()
    return Resolution(links, amb, rejected, frame, people)


def _ranked(links: pd.DataFrame) -> pd.DataFrame:
    """Links by account, then highest confidence, smallest person id, most direct method."""
    rank = {m: i for i, m in enumerate(METHOD_ORDER)}
    order = links.assign(
        _conf=-pd.to_numeric(links["confidence"]).astype("float64").fillna(-1.0),  # none: last
        _method=links["method"].map(rank).fillna(len(rank)),
        _method_name=links["method"].fillna(""))
    order = order.sort_values(["account", "_conf", "person_id", "_method", "_method_name"],
                              kind="stable")
    return order.drop(columns=["_conf", "_method", "_method_name"])


def _best(links: pd.DataFrame) -> pd.DataFrame:
    """One link per account: the first of :func:`_ranked`."""
    return _ranked(links).drop_duplicates("account", keep="first")


def resolve_identities(identities: pd.DataFrame | None, people: pd.DataFrame,
                       accounts: Iterable[str] | pd.Series | pd.DataFrame | None = None, *,
                       options: MatchOptions | None = None) -> pd.DataFrame:
    """The person each account belongs to, one row per account that belongs to a person.

    Parameters
    ----------
    identities : pandas.DataFrame
        The identities table (``account, person_id, method, confidence`` and, from a store,
        ``ingest_id``); rows naming a person who is not in ``people`` are ignored. Rows of
        method ``manual`` and ``rejected`` are corrections (see the module doc).
    people : pandas.DataFrame
        The people table (the roster).
    accounts : iterable of str, Series or DataFrame
        Account keys seen (e.g. the ends of the interactions), offered to :data:`MATCHERS`;
        a frame with ``account`` and optionally ``platform``, ``handle``, ``display_name`` and
        ``email`` (such as the accounts table) lets the email, handle and name matchers
        work. Missing columns mean unknown.
    options : MatchOptions, optional
        Thresholds of the matchers.

    Returns
    -------
    pandas.DataFrame
        Columns ``account, person_id, method, confidence``, sorted by account. Accounts
        rejected by a correction or ambiguous are not in it.

    Raises
    ------
    SchemaError
        When ``identities`` or ``people`` lack their required columns.

    Examples
    --------
    >>> people = pd.DataFrame({"person_id": ["P001", "P002"]})
    >>> identities = pd.DataFrame({
    ...     "account": ["x:1", "x:1", "x:2", "x:2"],
    ...     "person_id": ["P002", "P001", "P002", "P001"],
    ...     "method": ["fuzzy", "fuzzy", "explicit", "handle"],
    ...     "confidence": [0.6, 0.6, 1.0, 0.8]})
    >>> links = resolve_identities(identities, people, [])
    >>> links.to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
    [{'account': 'x:1', 'person_id': 'P001', 'method': 'fuzzy', 'confidence': 0.6},
     {'account': 'x:2', 'person_id': 'P002', 'method': 'explicit', 'confidence': 1.0}]
    """
    return resolve(identities, people, accounts, options=options).links


def review_identities(identities: pd.DataFrame | None, people: pd.DataFrame,
                      accounts: Iterable[str] | pd.Series | pd.DataFrame | None = None, *,
                      options: MatchOptions | None = None) -> pd.DataFrame:
    """One row per account with what resolution decided, for a person to check and correct.

    Parameters
    ----------
    identities, people, accounts, options
        As for :func:`resolve_identities`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`REVIEW_COLUMNS`, sorted by account: ``status`` is ``linked``,
        ``ambiguous`` (``candidates`` lists the people it could be, e.g.
        ``"P001 Ann Lee (North); P007 Ann Lee (South)"``, and ``method`` says which matcher
        found them), ``unlinked`` or ``rejected`` (``person_id`` is ``none``). Edit
        ``person_id`` (a roster id, ``none`` for no roster person) and ingest the file with
        the ``identities`` format: each row with a person id becomes a correction.

    Examples
    --------
    >>> people = pd.DataFrame({"person_id": ["P1", "P2", "P3"],
    ...                        "name": ["Ann Lee", "Ann Lee", "Bo Ng"],
    ...                        "organization": ["North", "South", "North"]})
    >>> accounts = pd.DataFrame({"account": ["x:1", "x:2", "x:3"],
    ...                          "display_name": ["Ann Lee", "Bo Ng", "Cy Ra"]})
    >>> review = review_identities(None, people, accounts)
    >>> review[["account", "status", "person_id", "candidates"]]
      account     status person_id                              candidates
    0     x:1  ambiguous      None  P1 Ann Lee (North); P2 Ann Lee (South)
    1     x:2     linked        P3                                    None
    2     x:3   unlinked      None                                    None
    """
    res = resolve(identities, people, accounts, options=options)
    frame = res.accounts
    keys = sorted(set(frame["account"]) | set(res.links["account"]) | set(res.rejected))
    info = frame.set_index("account").reindex(keys)
    out = pd.DataFrame({"account": keys}, dtype=object)
    for c in ("platform", "handle", "display_name"):
        out[c] = info[c].to_numpy(dtype=object)
    prefix = [k.partition(":") for k in keys]
    out["platform"] = out["platform"].where(
        out["platform"].notna(), pd.Series([p[0] if p[1] else None for p in prefix],
                                           dtype=object))
    link = res.links.set_index("account").reindex(keys)
    person = res.people.set_index("person_id")
    status = pd.Series("unlinked", index=keys, dtype=object)
    status[link["person_id"].notna().to_numpy()] = "linked"
    amb_accounts = set(res.ambiguous["account"])
    status[status.index.isin(amb_accounts)] = "ambiguous"
    status[status.index.isin(set(res.rejected))] = "rejected"
    out["status"] = status.to_numpy()
    pid = link["person_id"].astype(object).where(link["person_id"].notna(), None)
    out["person_id"] = pid.to_numpy()
    out["person_name"] = person["name"].reindex(pid).to_numpy(dtype=object)
    out["organization"] = person["organization"].reindex(pid).to_numpy(dtype=object)
    out["method"] = link["method"].astype(object).to_numpy()
    out["confidence"] = link["confidence"].astype("float64").to_numpy()
    rej = out["status"].eq("rejected")
    out.loc[rej, "person_id"] = "none"
    out.loc[rej, "method"] = "rejected"
    out.loc[rej, "confidence"] = 1.0
    out["candidates"] = None
    if len(res.ambiguous):
        amb = res.ambiguous
        names = person["name"].reindex(amb["person_id"]).to_numpy(dtype=object)
        orgs = person["organization"].reindex(amb["person_id"]).to_numpy(dtype=object)
        labels = [_candidate(p, n, o) for p, n, o in zip(amb["person_id"], names, orgs,
                                                         strict=True)]
        joined = pd.Series(labels, index=amb.index).groupby(amb["account"], sort=False).agg(
            "; ".join)
        method = amb.groupby("account", sort=False)["method"].first()
        where = out["status"].eq("ambiguous")
        out.loc[where, "candidates"] = joined.reindex(out.loc[where, "account"]).to_numpy()
        out.loc[where, "method"] = method.reindex(out.loc[where, "account"]).to_numpy()
    for c in REVIEW_COLUMNS:
        if c != "confidence":
            out[c] = out[c].astype(object).where(out[c].notna(), None)
    return out[list(REVIEW_COLUMNS)]


def _candidate(pid: str, name: object, org: object) -> str:
    label = pid if not isinstance(name, str) or not name else f"{pid} {name}"
    return f"{label} ({org})" if isinstance(org, str) and org else label


def accounts_in_store(store: Store) -> pd.DataFrame:
    """Every account a store knows or has seen: ``account, platform, handle, display_name,
    email``.

    The accounts table, plus each key seen as a post author, an end of an interaction or a
    group member without an accounts row (its platform taken from the key).
    """
    frame = store.sql("""
        SELECT account, platform, handle, display_name, email FROM accounts
        UNION ALL
        SELECT k, CASE WHEN contains(k, ':') THEN split_part(k, ':', 1) END, NULL, NULL, NULL
        FROM (SELECT author AS k FROM posts UNION SELECT src FROM interactions
              UNION SELECT dst FROM interactions UNION SELECT member FROM memberships) seen
        WHERE k IS NOT NULL AND k NOT IN (SELECT account FROM accounts)
        ORDER BY account
    """)
    return frame.astype(object).where(frame.notna(), None)


def review_store(store: Store, *, options: MatchOptions | None = None) -> pd.DataFrame:
    """:func:`review_identities` over everything a store holds (what ``pln identities``
    writes)."""
    return review_identities(store.table("identities"), store.table("people"),
                             accounts_in_store(store), options=options)
