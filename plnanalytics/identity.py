"""Account <-> person resolution: which accounts belong to which roster person.

Links come from two places:

1. the ``identities`` table (a roster's account columns, or links made by hand), kept when
   the person is on the roster (``people``); links naming anyone else are ignored;
2. matchers (:data:`MATCHERS`), each proposing links for the accounts seen. The one matcher
   so far, :func:`match_roster_ids`, says that an account of platform ``edgelist`` or
   ``roster`` whose native id equals a roster ``person_id`` is that person, so that the ends
   of an advice-survey edge list written with roster ids (``edgelist:P001``) become people.

When an account is linked to several people, the link with the highest confidence wins,
then the smallest person id (then the most direct method), so the result never depends on
the order of the rows.

A matcher is a function ``matcher(people, accounts) -> DataFrame`` of candidate links (columns
``account, person_id, method, confidence``), where ``people`` is the validated people table and
``accounts`` a frame with one row per account (``account``, ``platform`` and ``native``: the
key's parts before and after the first ``:``). Email, handle and fuzzy-name matchers can be
added to :data:`MATCHERS` without changing :func:`resolve_identities`.

Examples
--------
>>> import pandas as pd
>>> people = pd.DataFrame({"person_id": ["P001", "P002"]})
>>> identities = pd.DataFrame({"account": ["x:10", "x:11"], "person_id": ["P001", "P999"],
...                            "method": "explicit", "confidence": 1.0})
>>> resolve_identities(identities, people, ["edgelist:P002", "edgelist:ann", "x:10"])
         account person_id    method  confidence
0  edgelist:P002      P002  explicit         1.0
1           x:10      P001  explicit         1.0
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pandas as pd

from .schema import TABLES, validate

#: Columns of a set of links, and of :func:`resolve_identities`'s result.
LINK_COLUMNS = ("account", "person_id", "method", "confidence")

#: Platforms whose account keys carry roster person ids (``edgelist:P001``, ``roster:P001``).
ROSTER_ID_PLATFORMS = ("edgelist", "roster")

#: Methods from the most to the least direct; breaks ties of equal confidence and person.
METHOD_ORDER = ("explicit", "email", "handle", "fuzzy")

#: ``matcher(people, accounts) -> links``: proposes account-person links (see module doc).
Matcher = Callable[[pd.DataFrame, pd.DataFrame], pd.DataFrame]


def match_roster_ids(people: pd.DataFrame, accounts: pd.DataFrame) -> pd.DataFrame:
    """Link accounts of :data:`ROSTER_ID_PLATFORMS` whose native id is a roster person id.

    Parameters
    ----------
    people : pandas.DataFrame
        The people table (``person_id``).
    accounts : pandas.DataFrame
        One row per account: ``account``, ``platform``, ``native``.

    Returns
    -------
    pandas.DataFrame
        Links ``account, person_id, method="explicit", confidence=1.0``.

    Examples
    --------
    >>> people = pd.DataFrame({"person_id": ["P001"]})
    >>> accounts = pd.DataFrame({"account": ["roster:P001", "x:P001"],
    ...                          "platform": ["roster", "x"], "native": ["P001", "P001"]})
    >>> match_roster_ids(people, accounts).to_dict("records")
    [{'account': 'roster:P001', 'person_id': 'P001', 'method': 'explicit', 'confidence': 1.0}]
    """
    ids = set(people["person_id"])
    hit = accounts[accounts["platform"].isin(ROSTER_ID_PLATFORMS) & accounts["native"].isin(ids)]
    return pd.DataFrame({"account": hit["account"], "person_id": hit["native"],
                         "method": "explicit", "confidence": 1.0}, columns=list(LINK_COLUMNS))


#: Matchers applied, in order, to the accounts seen (email, handle and fuzzy matching to come).
MATCHERS: tuple[Matcher, ...] = (match_roster_ids,)


def resolve_identities(identities: pd.DataFrame, people: pd.DataFrame,
                       accounts: Iterable[str]) -> pd.DataFrame:
    """The person each account belongs to, one row per account that belongs to a person.

    Parameters
    ----------
    identities : pandas.DataFrame
        The identities table (``account, person_id, method, confidence``); rows naming a
        person who is not in ``people`` are ignored.
    people : pandas.DataFrame
        The people table (the roster).
    accounts : iterable of str
        Account keys seen (e.g. the ends of the interactions), offered to :data:`MATCHERS`;
        a data frame with an ``account`` column (such as the accounts table) also works.

    Returns
    -------
    pandas.DataFrame
        Columns ``account, person_id, method, confidence``, sorted by account. An account
        linked to several people keeps the link with the highest confidence, then the
        smallest person id.

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
    people = validate("people", people)
    if identities is None or not len(identities.columns):  # no identities table at all
        identities = TABLES["identities"].empty_frame()
    identities = validate("identities", identities)
    roster = set(people["person_id"])
    known = identities.loc[identities["person_id"].isin(roster), list(LINK_COLUMNS)]
    frame = _account_frame(accounts)
    found = [m(people, frame) for m in MATCHERS]
    links = pd.concat([known, *(f for f in found if len(f))], ignore_index=True)
    links = links[links["person_id"].isin(roster)]
    if not len(links):
        return pd.DataFrame({"account": pd.Series(dtype=object),
                             "person_id": pd.Series(dtype=object),
                             "method": pd.Series(dtype=object),
                             "confidence": pd.Series(dtype="float64")})
    rank = {m: i for i, m in enumerate(METHOD_ORDER)}
    order = links.assign(
        _conf=-pd.to_numeric(links["confidence"]).astype("float64").fillna(-1.0),  # none: last
        _method=links["method"].map(rank).fillna(len(rank)),
        _method_name=links["method"].fillna(""))
    order = order.sort_values(["account", "_conf", "person_id", "_method", "_method_name"],
                              kind="stable")
    best = order.drop_duplicates("account", keep="first")
    out = best[list(LINK_COLUMNS)].reset_index(drop=True)
    out["confidence"] = out["confidence"].astype("float64")
    return out


def _account_frame(accounts: Iterable[str]) -> pd.DataFrame:
    """Distinct account keys as ``account, platform, native`` (split at the first ``:``)."""
    if isinstance(accounts, pd.DataFrame):
        accounts = accounts["account"]
    keys = sorted({str(a) for a in accounts if a is not None and not pd.isna(a)})
    parts = [k.partition(":") for k in keys]
    return pd.DataFrame({"account": keys,
                         "platform": [p[0] if p[1] else None for p in parts],
                         "native": [p[2] if p[1] else None for p in parts]},
                        columns=["account", "platform", "native"])
