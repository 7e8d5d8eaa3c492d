"""Edge semantics for posts, shared by every X/Twitter format (and reusable by others).

Each format parses its own layout and hands the facts of one post to :class:`PostSink`,
which applies the rules of DESIGN.md once, for all of them:

- a reply is author -> replied-to author, and that account is not counted again as a mention;
- a retweet is retweeter -> original author; mentions inside retweeted text belong to the
  original author, so the retweeter gets no mention ties from them;
- a quote is quoter -> quoted author;
- self-loops are not edges; every author who posted is a node (an account row).

Examples
--------
>>> from datetime import datetime, timezone
>>> sink = PostSink("x")
>>> t = datetime(2024, 1, 9, 20, 5, tzinfo=timezone.utc)
>>> sink.post("2", "11", t, "@ann @bob yes! #NAESPchat", reply_to_post="1",
...           reply_to_user="10", mentions=["10", "12"], hashtags=["NAESPchat"])
>>> [(r[1], r[2], r[3]) for r in sink.batch.rows["interactions"]]
[('reply', 'x:11', 'x:10'), ('mention', 'x:11', 'x:12')]
>>> sink.post("3", "12", t, "RT @ann: Q1 ...", retweet_of="1", retweet_of_user="10",
...           mentions=["10", "13"])
>>> [(r[1], r[2], r[3]) for r in sink.batch.rows["interactions"]][-1]
('retweet', 'x:12', 'x:10')
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from .base import Batch, ReadLog

#: Notes (counted, shown to the user) for ties that cannot be drawn.
NOTE_RETWEET_UNKNOWN = "retweets whose original author is unknown (no tie drawn)"
NOTE_QUOTE_UNKNOWN = "quotes of posts whose author is unknown (no tie drawn)"
NOTE_MENTION_UNKNOWN = "mentions whose user id is unknown (no tie drawn)"

#: Post URLs by platform, from the author's handle (when known) and the post id.
_URLS = {"x": "https://twitter.com/{handle}/status/{post_id}"}
_URLS_NO_HANDLE = {"x": "https://twitter.com/i/web/status/{post_id}"}


_MONTHS = {m: i for i, m in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)}


def parse_twitter_time(value: object) -> datetime:
    """Parse an X/Twitter v1.1 time such as ``Wed Oct 10 20:19:24 +0000 2018`` to UTC.

    Also the format of TAGS's ``created_at``.

    About six times faster than ``datetime.strptime(value, "%a %b %d %H:%M:%S %z %Y")``.

    Raises
    ------
    ValueError
        When the value is not such a time.

    Examples
    --------
    >>> parse_twitter_time("Wed Oct 10 20:19:24 +0000 2018")
    datetime.datetime(2018, 10, 10, 20, 19, 24, tzinfo=datetime.timezone.utc)
    >>> parse_twitter_time("Wed Oct 10 20:19:24 -0500 2018").hour
    1
    """
    s = value
    if (not isinstance(s, str) or len(s) != 30 or s[3] != " " or s[7] != " " or s[10] != " "
            or s[13] != ":" or s[16] != ":" or s[19] != " " or s[25] != " "
            or s[20] not in "+-"):
        raise ValueError(f"{value!r} is not a time like 'Wed Oct 10 20:19:24 +0000 2018'")
    try:
        dt = datetime(int(s[26:30]), _MONTHS[s[4:7]], int(s[8:10]), int(s[11:13]),
                      int(s[14:16]), int(s[17:19]), tzinfo=UTC)
        offset = s[20:25]
        if offset != "+0000":
            minutes = int(offset[1:3]) * 60 + int(offset[3:5])
            dt -= timedelta(minutes=minutes if offset[0] == "+" else -minutes)
    except (KeyError, ValueError):
        raise ValueError(
            f"{value!r} is not a time like 'Wed Oct 10 20:19:24 +0000 2018'") from None
    return dt


def hashtag_contexts(tags: Iterable[str]) -> list[str]:
    """Normalize hashtags to sorted, unique, lowercase ``#tag`` contexts.

    Examples
    --------
    >>> hashtag_contexts(["NAESPchat", "#naespchat", "PrincipalLife"])
    ['#naespchat', '#principallife']
    """
    return sorted({"#" + t.lstrip("#").lower() for t in tags if t and t.lstrip("#")})


class PostSink:
    """Collects posts, their interactions and accounts into a :class:`Batch`.

    Parameters
    ----------
    platform : str
        Platform name used in keys (``x`` gives ``x:<user id>``).
    log : ReadLog, optional
        Where notes (for example a retweet whose author is unknown) are counted.
    """

    def __init__(self, platform: str, log: ReadLog | None = None) -> None:
        self.platform = platform
        self.prefix = platform + ":"
        self.log = log
        self.batch = Batch()
        self._posts = self.batch.rows["posts"]
        self._edges = self.batch.rows["interactions"]
        self._accounts: dict[tuple[str, datetime | None], tuple] = {}
        self._keys: set[str] = set()

    def take(self) -> Batch:
        """Return the batch collected so far and start a new one."""
        batch = self.batch
        batch.rows["accounts"] = list(self._accounts.values())
        self.batch = Batch()
        self._posts = self.batch.rows["posts"]
        self._edges = self.batch.rows["interactions"]
        self._accounts = {}
        self._keys = set()
        return batch

    @property
    def size(self) -> int:
        """Posts collected in the current batch."""
        return len(self._posts)

    def account(
        self,
        native_id: str,
        seen_at: datetime | None,
        handle: str | None = None,
        display_name: str | None = None,
        description: str | None = None,
        location: str | None = None,
        followers_count: int | None = None,
        following_count: int | None = None,
        post_count: int | None = None,
        verified: bool | None = None,
        account_created_at: datetime | None = None,
    ) -> str:
        """Record an observation of an account's profile, as seen at ``seen_at``.

        Observations seen at the same time are merged field by field (the larger value wins
        a tie, as in the store); the store then takes each field's latest value.
        Returns the account key.
        """
        key = self.prefix + native_id
        row = (key, self.platform, handle, display_name, None, description, location,
               followers_count, following_count, post_count, verified, account_created_at,
               seen_at)
        old = self._accounts.get((key, seen_at))
        if old is not None:
            row = tuple(o if n is None else n if o is None else max(n, o)
                        for n, o in zip(row, old, strict=True))
        self._accounts[(key, seen_at)] = row
        self._keys.add(key)
        return key

    def post(
        self,
        post_id: str,
        author_id: str,
        created_at: datetime | None,
        text: str | None,
        *,
        lang: str | None = None,
        handle: str | None = None,
        reply_to_post: str | None = None,
        reply_to_user: str | None = None,
        conversation_id: str | None = None,
        retweet_of: str | None = None,
        retweet_of_user: str | None = None,
        is_retweet: bool = False,
        quote_of: str | None = None,
        quote_of_user: str | None = None,
        mentions: Iterable[str] = (),
        hashtags: Iterable[str] = (),
        url: str | None = None,
    ) -> None:
        """Add one post and the interactions it carries.

        ``*_user`` arguments and ``mentions`` are native user ids (not handles). A post is a
        retweet when ``retweet_of`` (the original post id) is given, or ``is_retweet`` is set
        for sources that show a retweet but not the original's id (TAGS). A retweet
        whose original author is unknown, or a quote of a post whose author is unknown,
        is kept as a post and counted as a note, since no tie can be drawn.
        """
        prefix = self.prefix
        author = prefix + author_id
        if author not in self._keys:  # every author who posted is a node
            self.account(author_id, None, handle=handle)
        contexts = hashtag_contexts(hashtags)
        context = " ".join(contexts) or None
        is_retweet = is_retweet or retweet_of is not None
        if is_retweet:
            post_type = "retweet"
        elif reply_to_post is not None or reply_to_user is not None:
            post_type = "reply"
        elif quote_of is not None:
            post_type = "quote"
        else:
            post_type = "post"
        if url is None:
            template = _URLS.get(self.platform) if handle else _URLS_NO_HANDLE.get(self.platform)
            url = template.format(handle=handle, post_id=post_id) if template else None
        self._posts.append((post_id, self.platform, author, created_at, text, lang, post_type,
                            reply_to_post, conversation_id, retweet_of, quote_of, contexts, url))
        edges = self._edges
        platform = self.platform
        if is_retweet:
            if retweet_of_user is None:
                self.note(NOTE_RETWEET_UNKNOWN)
            elif retweet_of_user != author_id:
                edges.append((platform, "retweet", author, prefix + retweet_of_user, created_at,
                              1.0, context, post_id))
            return
        if reply_to_user is not None and reply_to_user != author_id:
            edges.append((platform, "reply", author, prefix + reply_to_user, created_at, 1.0,
                          context, post_id))
        if quote_of is not None:
            if quote_of_user is None:
                self.note(NOTE_QUOTE_UNKNOWN)
            elif quote_of_user != author_id:
                edges.append((platform, "quote", author, prefix + quote_of_user, created_at,
                              1.0, context, post_id))
        seen = {author_id, reply_to_user}
        for m in mentions:
            if m not in seen:
                seen.add(m)
                edges.append((platform, "mention", author, prefix + m, created_at, 1.0, context,
                              post_id))

    def note(self, message: str) -> None:
        """Count a note in the read log (when there is one)."""
        if self.log is not None:
            self.log.note(message)
