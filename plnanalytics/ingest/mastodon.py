"""Mastodon REST API JSON saved to files (``--format mastodon``).

A file holds one JSON document, or one document a line (JSONL). A document is an array of
statuses (a tag, public or account timeline page), a ``/api/v1/statuses/:id/context``
response (``{"ancestors": [...], "descendants": [...]}``) or a single status; every status
is one record.

Keys. An account is ``mastodon:<user@domain>``, from its ``acct``. Mastodon gives ``acct``
bare (``ann``) for accounts local to the server the file was fetched from, so the option
``instance`` (``mastodon.social`` or ``https://mastodon.social``) names that server and
makes them global (``ann@mastodon.social``). Without it the domain is taken from the
account's profile ``url`` (``https://domain/@ann``), with a note; a status whose author
has neither is rejected. A post is keyed by its ``uri``, which is the same whichever server
the status was fetched from, so a status saved from two servers is stored once.

Ids (status ids, ``in_reply_to_id``, account ids) are local to the server the file came
from; they are resolved within the file. A reply's ``parent_post_id`` is the parent's
``uri`` when the parent is in the file, else ``<server>/statuses/<local id>`` (noted), and
its reply tie goes to ``in_reply_to_account_id``, resolved to an account seen in the file
(the replied-to account is listed in ``mentions`` too: it is counted once, as a reply).
When the parent was deleted Mastodon drops ``in_reply_to_id`` but keeps
``in_reply_to_account_id``: the status is still a reply to that account (noted). A
boost (``reblog``) is a ``retweet`` tie from the booster to the original author, and the
original is a post of its own whose mentions are its author's. A quote (Mastodon 4.4+
``quote.quoted_status``) is a ``quote`` tie. The conversation is the thread's root when it
is known: the top of the reply chain within the file, or the status a ``/context``
response without ancestors was fetched for.

The raw files of ``pln collect mastodon`` are read too: a line is a timeline page kept as
``{"data": [statuses], "__pln": {...}}`` or a ``/context`` response with a ``__pln`` block.
The block names the server the line was fetched from (``server``: without the option
``instance``, bare accts get that domain; all lines of a file must come from one server) and
the collection's time window (``since``, ``until``): statuses of the line created outside it
are not stored (noted), as the collector does. :class:`MastodonPages` normalizes such
records page after page for the collector, with the same code.

The whole file is held in memory while it is read (ids can only be resolved within it).

Examples
--------
>>> import orjson, tempfile, pathlib
>>> from plnanalytics.ingest.base import ReadLog
>>> ann = {"id": "1", "acct": "ann", "url": "https://edu.social/@ann"}
>>> bo = {"id": "2", "acct": "bo@other.org", "url": "https://other.org/@bo"}
>>> root = {"id": "10", "uri": "https://edu.social/users/ann/statuses/10",
...         "account": ann, "content": "<p>Hi &amp; welcome</p>", "tags": [],
...         "created_at": "2024-01-09T20:00:00.000Z", "mentions": []}
>>> reply = {"id": "11", "uri": "https://other.org/users/bo/statuses/5", "account": bo,
...          "content": "<p>@ann thanks!</p>", "in_reply_to_id": "10",
...          "in_reply_to_account_id": "1", "created_at": "2024-01-09T20:05:00.000Z",
...          "mentions": [{"id": "1", "acct": "ann"}], "tags": [{"name": "EdChat"}]}
>>> path = pathlib.Path(tempfile.mkdtemp()) / "timeline.json"
>>> _ = path.write_bytes(orjson.dumps([root, reply]))
>>> batch = next(MastodonReader(path, instance="edu.social").batches(ReadLog(str(path))))
>>> [(r[1], r[2], r[3], r[6]) for r in batch.rows["interactions"]]
[('reply', 'mastodon:bo@other.org', 'mastodon:ann@edu.social', '#edchat')]
>>> [(r[0], r[4], r[7]) for r in batch.rows["posts"]][0]
('https://edu.social/users/ann/statuses/10', 'Hi & welcome', None)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

import orjson

from ..errors import FormatError, OptionError
from .base import Batch, Reader, ReadLog, open_binary, parse_iso_utc
from .tweets import PostSink

#: Notes (counted, shown to the user).
NOTE_DOMAIN_FROM_URL = ("accounts with a bare acct whose domain was taken from their profile "
                        "url (give the option instance=<server> to be sure)")
NOTE_PARENT_LOCAL = ("replies whose parent is not in the file (parent kept as "
                     "<server>/statuses/<local id>)")
NOTE_PARENT_UNKNOWN = ("replies whose parent is not in the file and whose server is unknown "
                       "(no parent kept; give the option instance=<server>)")
NOTE_REPLY_ACCOUNT_UNKNOWN = ("replies to an account not seen in the file (no reply tie; "
                              "account ids are local to the server)")
NOTE_PARENT_GONE = ("replies whose parent is gone (no in_reply_to_id, only "
                    "in_reply_to_account_id: the reply tie is kept)")
NOTE_BOT = "bot accounts (flagged as bots in their profile; their posts are kept)"
NOTE_QUOTE_NOT_SHOWN = "quotes whose quoted status is not shown (pending, revoked or deleted)"
NOTE_REPEATED = "statuses repeated in the file (stored once)"
NOTE_OUTSIDE_WINDOW = ("statuses outside the time window of the collection (kept in the raw "
                       "file, not stored)")

_BOM = b"\xef\xbb\xbf"


# -- HTML to text ---------------------------------------------------------------------------
class _TextParser(HTMLParser):
    """Collects the text of an HTML fragment, with line breaks for ``<br>`` and block ends."""

    _BLOCK_ENDS: ClassVar[dict[str, str]] = {
        "p": "\n\n", **dict.fromkeys(("li", "blockquote", "pre", "ul", "ol", "h1", "h2", "h3",
                                       "h4", "h5", "h6"), "\n")}
    _HIDDEN: ClassVar[frozenset[str]] = frozenset({"script", "style"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag in self._HIDDEN:
            self._hidden += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in self._BLOCK_ENDS:
            self.parts.append(self._BLOCK_ENDS[tag])

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def html_to_text(html: object) -> str | None:
    """Plain text of Mastodon's HTML ``content`` (or a profile ``note``).

    Tags are dropped (with :mod:`html.parser`, never by regular expression), entities
    unescaped, and ``<br>`` and paragraph ends become line breaks. Mastodon hides parts of
    long links in ``invisible`` spans; their text is kept, so links come out whole.

    Returns None for a missing or empty value.

    Examples
    --------
    >>> html_to_text('<p>Hi <a href="https://x.social/@ann">@<span>ann</span></a> &amp; all'
    ...              '</p><p>line<br />two <script>alert(1)</script></p>')
    'Hi @ann & all\\n\\nline\\ntwo'
    >>> html_to_text('<a href="https://a.org/b"><span class="invisible">https://</span>'
    ...              '<span class="ellipsis">a.org/</span><span class="invisible">b</span></a>')
    'https://a.org/b'
    >>> html_to_text("") is None
    True
    """
    if not isinstance(html, str) or not html.strip():
        return None
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return text or None


def parse_mastodon_time(value: object) -> datetime:
    """Parse a Mastodon ISO 8601 time (``2022-11-06T03:36:44.808Z``) to UTC.

    Raises
    ------
    ValueError
        When the value is not a time with a zone.

    Examples
    --------
    >>> parse_mastodon_time("2022-11-06T03:36:44.808Z")
    datetime.datetime(2022, 11, 6, 3, 36, 44, 808000, tzinfo=datetime.timezone.utc)
    """
    return parse_iso_utc(value, "created_at")


def normalize_instance(value: object) -> str:
    """The lowercase domain of a server named as ``mastodon.social`` or a URL.

    Raises
    ------
    OptionError
        When no domain can be read from it.

    Examples
    --------
    >>> normalize_instance("https://Mastodon.Social/"), normalize_instance("edu.social")
    ('mastodon.social', 'edu.social')
    """
    text = str(value).strip()
    host = urlsplit(text if "://" in text else "https://" + text).hostname
    if not host or "." not in host or "@" in text:
        raise OptionError(f"option instance={value!r}: expected a server such as "
                          "'mastodon.social' or 'https://mastodon.social'")
    return host.lower()


# -- reading --------------------------------------------------------------------------------
@dataclass
class _Item:
    """A top-level status found in a document, with where it is (for rejects)."""

    line: int
    where: str
    status: Any
    focus_is_root: bool = False  # from a /context response without ancestors
    since: datetime | None = None  # the window of a collected record (its __pln block)
    until: datetime | None = None

    def outside(self) -> bool:
        """Whether the status was created outside the window of its collection."""
        if self.since is None and self.until is None:
            return False
        try:
            created = parse_mastodon_time(self.status.get("created_at"))
        except (AttributeError, ValueError):
            return False  # unreadable: rejected when it is added
        return ((self.since is not None and created < self.since)
                or (self.until is not None and created >= self.until))


class MastodonReader(Reader):
    """Reader for saved Mastodon REST JSON: status arrays, /context responses, statuses."""

    format = "mastodon"
    description = ("Mastodon REST JSON: an array of statuses (timeline page), a /context "
                   "response or a status; one document, or one a line")
    unit = "posts"
    option_names = ("instance",)

    def __init__(self, path: str | Path, **options: Any) -> None:
        super().__init__(path, **options)
        instance = self.options.get("instance")
        self.domain: str | None = normalize_instance(instance) if instance else None

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> bool:
        text = head.removeprefix(_BOM).lstrip()
        if text[:1] not in (b"[", b"{"):
            return False
        for candidate in (text, text.split(b"\n", 1)[0]):
            try:
                return _looks_mastodon(orjson.loads(candidate))
            except orjson.JSONDecodeError:
                continue
        # a document longer than the head
        if _CONTEXT_START.match(text):
            return True
        return all(k in text for k in (b'"uri"', b'"account"', b'"content"',
                                       b'"in_reply_to_account_id"', b'"reblog"'))

    # -- the file -------------------------------------------------------------------------
    def batches(self, log: ReadLog) -> Iterator[Batch]:
        total = self.path.stat().st_size
        items, server = self._items(log)
        sink = PostSink("mastodon", log)
        state = _State(self.domain or server, log)
        for item in items:  # first pass: ids, parents and accounts
            state.index(item.status, item.focus_is_root)
        for item in items:
            _emit(state, item, sink, log)
            if sink.size >= self.batch_rows:
                yield sink.take()
        log.require_some("Mastodon status", "an array of statuses, a /context response or a "
                         "status, one document or one a line")
        if state.bots:
            log.note(NOTE_BOT, len(state.bots))
        if log.progress:
            log.progress(total, total)
        yield sink.take()

    def _items(self, log: ReadLog) -> tuple[list[_Item], str | None]:
        """Every top-level status of the file, with its position (bad lines are rejected),
        and the server named by the collector's ``__pln`` blocks."""
        with open_binary(self.path) as fh:
            try:
                data = fh.read()
            except (OSError, EOFError) as exc:
                raise FormatError(f"{self.path}: cannot read ({exc})") from None
        data = data.removeprefix(_BOM)
        if not data.strip():
            raise FormatError(f"{self.path}: the file is empty")
        try:
            documents = [(1, orjson.loads(data))]
        except orjson.JSONDecodeError:
            documents = []
            for lineno, line in enumerate(data.split(b"\n"), 1):
                if not line.strip():
                    continue
                try:
                    documents.append((lineno, orjson.loads(line)))
                except orjson.JSONDecodeError as exc:
                    if lineno == 1 and b"\n" not in data.strip():
                        raise FormatError(f"{self.path}: not JSON ({exc}); expected Mastodon "
                                          "statuses as JSON") from None
                    log.reject(lineno, f"not valid JSON ({exc})")
        items: list[_Item] = []
        servers: set[str] = set()
        for lineno, doc in documents:
            of_line = " of the line" if len(documents) > 1 or lineno > 1 else ""
            items += _document_items(doc, lineno, of_line, log)
            server = _pln(doc).get("server")
            if server:
                try:
                    servers.add(normalize_instance(server))
                except OptionError:
                    log.note("collected lines whose __pln server could not be read")
        if len(servers) > 1 and self.domain is None:
            raise FormatError(f"{self.path}: lines collected from several servers "
                              f"({', '.join(sorted(servers))}); ids are local to a server: "
                              "read each server's lines separately, or give the option "
                              "instance=<server>")
        return items, (servers.pop() if servers else None)


def _document_items(doc: object, lineno: int, of_line: str, log: ReadLog) -> list[_Item]:
    """The top-level statuses of one document (a file, or a line of a JSONL file)."""
    pln = _pln(doc)
    window = (_when(pln.get("since")), _when(pln.get("until")))
    if isinstance(doc, dict) and pln and "data" in doc:  # a collected timeline page
        doc = doc["data"]
        if not isinstance(doc, list):
            log.reject(lineno, "a collected page whose data is not a list of statuses")
            return []
    if isinstance(doc, list):
        return [_Item(lineno, f"item {i}{of_line}", st, False, *window)
                for i, st in enumerate(doc, 1)]
    if isinstance(doc, dict) and ("ancestors" in doc or "descendants" in doc):
        ancestors, descendants = doc.get("ancestors"), doc.get("descendants")
        if not isinstance(ancestors or [], list) or not isinstance(descendants or [], list):
            log.reject(lineno, "a /context response whose ancestors or descendants is not a "
                       "list of statuses")
            return []
        return [_Item(lineno, f"{part} item {i}{of_line}", st, not ancestors, *window)
                for part, statuses in (("ancestors", ancestors), ("descendants", descendants))
                for i, st in enumerate(statuses or [], 1)]
    if isinstance(doc, dict):
        return [_Item(lineno, f"the status{of_line}", doc, False, *window)]
    log.reject(lineno, "expected an array of statuses, a /context response or a status, got "
               f"{type(doc).__name__}")
    return []


def _pln(doc: object) -> dict[str, Any]:
    """The ``__pln`` block of a collected record (empty for anything else)."""
    pln = doc.get("__pln") if isinstance(doc, dict) else None
    return pln if isinstance(pln, dict) else {}


def _when(value: object) -> datetime | None:
    try:
        return parse_iso_utc(value, "time") if value else None
    except ValueError:
        return None


def _emit(state: _State, item: _Item, sink: PostSink, log: ReadLog) -> None:
    """Add one top-level status (second pass): stored, rejected, or outside the window."""
    if item.outside():
        log.note(NOTE_OUTSIDE_WINDOW)
        return
    reason = state.add(item.status, sink)
    if reason is not None:
        log.reject(item.line, f"{item.where}: {reason}")
    else:
        log.records += 1


class MastodonPages:
    """Normalizes a collection's raw records page after page, as :class:`MastodonReader`
    reads a file.

    What earlier pages taught (local ids of statuses and accounts, thread roots) is kept,
    so a page's replies resolve to parents and accounts seen before. A timeline runs from
    the newest status back, so a reply often comes a page before its parent: a status
    whose parent, replied-to account or thread root is not known yet waits (``pending``)
    until a later page brings it, or until ``flush``; the rows are then those the reader
    makes of the whole raw file.

    Parameters
    ----------
    server : str
        The server the records were fetched from (``mastodon.social`` or a URL): bare
        accts get its domain.

    Examples
    --------
    >>> ann = {"id": "1", "acct": "ann"}
    >>> root = {"id": "10", "uri": "https://edu.social/users/ann/statuses/10", "account": ann,
    ...         "content": "<p>Hi</p>", "created_at": "2024-01-09T20:00:00.000Z"}
    >>> reply = {"id": "11", "uri": "https://edu.social/users/ann/statuses/11",
    ...          "account": ann, "content": "<p>again</p>", "in_reply_to_id": "10",
    ...          "in_reply_to_account_id": "1", "created_at": "2024-01-09T20:05:00.000Z"}
    >>> pages, log = MastodonPages("https://edu.social"), ReadLog("raw.jsonl")
    >>> batch = pages.add([{"data": [reply], "__pln": {"page": 1}}], log)
    >>> len(batch.rows["posts"]), pages.pending
    (0, ['https://edu.social/users/ann/statuses/11'])
    >>> batch = pages.add([{"data": [root], "__pln": {"page": 2}}], log, line=2)
    >>> [(p[0].rsplit("/", 1)[1], p[7]) for p in batch.rows["posts"]]
    [('11', 'https://edu.social/users/ann/statuses/10'), ('10', None)]
    >>> log.records, batch.rows["accounts"][0][0]
    (2, 'mastodon:ann@edu.social')
    """

    def __init__(self, server: str) -> None:
        self.server = normalize_instance(server)
        self._state = _State(self.server, ReadLog(self.server))
        self._waiting: list[_Item] = []
        self._bots = 0

    @property
    def pending(self) -> list[str]:
        """The uris of the statuses waiting for a parent, account or thread root."""
        return [uri for item in self._waiting
                if (uri := _str(item.status.get("uri") if isinstance(item.status, dict)
                                else None))]

    def add(self, records: list[Any], log: ReadLog, *, line: int = 1,
            flush: bool = False) -> Batch:
        """Normalize the records of one page (a timeline page and its ``/context``
        responses, lines ``line``, ``line + 1``...): the rows of the statuses now ready.

        ``flush`` emits every waiting status, ready or not (the last page).
        """
        state = self._state
        state.log = log
        items = [item for n, record in enumerate(records)
                 for item in _document_items(record, line + n, " of the line", log)]
        for item in items:
            state.index(item.status, item.focus_is_root)
        state.forget_roots()
        sink = PostSink("mastodon", log)
        waiting, self._waiting = [*self._waiting, *items], []
        for item in waiting:
            if flush or state.ready(item.status):
                _emit(state, item, sink, log)
            else:
                self._waiting.append(item)
        if len(state.bots) > self._bots:
            log.note(NOTE_BOT, len(state.bots) - self._bots)
            self._bots = len(state.bots)
        return sink.take()

    def flush(self, log: ReadLog) -> Batch:
        """The rows of every waiting status (at the end of a collection, or when it stops)."""
        return self.add([], log, flush=True)

    def forget(self, uris: set[str]) -> None:
        """Stop waiting for these statuses (already stored)."""
        self._waiting = [i for i in self._waiting if not isinstance(i.status, dict)
                         or i.status.get("uri") not in uris]


class _State:
    """What the first pass learns about the file, and the second pass's conversion."""

    def __init__(self, domain: str | None, log: ReadLog) -> None:
        self.domain = domain
        self.log = log
        self.uris: dict[str, str] = {}  # local status id -> uri
        self.parents: dict[str, str | None] = {}  # local status id -> local parent id
        self.roots: set[str] = set()  # local ids known to be a thread's root
        self.accounts: dict[str, str] = {}  # local account id -> native id (user@domain)
        self.server: str | None = self.domain  # the server the file came from
        self.from_url: set[str] = set()
        self.bots: set[str] = set()
        self.emitted: set[str] = set()
        self._root_cache: dict[str, str | None] = {}

    # -- first pass -------------------------------------------------------------------------
    def index(self, st: object, focus_is_root: bool) -> None:
        for status in _embedded(st):
            sid, uri = _str(status.get("id")), _str(status.get("uri"))
            if sid and uri:
                self.uris.setdefault(sid, uri)
                parent = _str(status.get("in_reply_to_id"))
                self.parents.setdefault(sid, parent)
                if focus_is_root and parent:
                    self.roots.add(parent)
            people = [status.get("account"), *(status.get("mentions") or ())]
            for acc in people:
                if not isinstance(acc, dict):
                    continue
                try:
                    native = self.native(acc, quiet=True)
                except ValueError:
                    continue
                aid = _str(acc.get("id"))
                if aid:
                    self.accounts.setdefault(aid, native)

    def native(self, acc: dict[str, Any], *, quiet: bool = False) -> str:
        """``user@domain`` for an account (or mention) object."""
        acct = _str(acc.get("acct"))
        if not acct:
            raise ValueError("the account has no 'acct'")
        acct = acct.lstrip("@")
        if "@" in acct:
            user, domain = acct.split("@", 1)
            return f"{user}@{domain.lower()}"
        if self.domain:
            return f"{acct}@{self.domain}"
        url = _str(acc.get("url"))
        host = urlsplit(url).hostname if url else None
        if not host:
            raise ValueError(f"the acct {acct!r} has no domain and the account has no url: give "
                             "the option instance=<the server the file was fetched from>")
        native = f"{acct}@{host.lower()}"
        if self.server is None:  # a local account's home is the server the file came from
            self.server = host.lower()
        if not quiet and native not in self.from_url:
            self.from_url.add(native)
            self.log.note(NOTE_DOMAIN_FROM_URL)
        return native

    def root(self, sid: str) -> str | None:
        """The key of the thread's root, when known."""
        if sid in self._root_cache:
            return self._root_cache[sid]
        chain, cur, result = [], sid, None
        seen: set[str] = set()
        while cur not in seen:
            seen.add(cur)
            chain.append(cur)
            if cur in self._root_cache:
                result = self._root_cache[cur]
                break
            parent = self.parents.get(cur)
            if parent is None:
                result = self.uris[cur]
                break
            if parent not in self.uris:
                result = self.local_key(parent) if parent in self.roots else None
                break
            cur = parent
        for c in chain:
            self._root_cache[c] = result
        return result

    def forget_roots(self) -> None:
        """Forget the thread roots worked out so far (more statuses were indexed)."""
        self._root_cache = {}

    def ready(self, st: object) -> bool:
        """Whether a status's parent, replied-to account and thread root are known (or it
        has none): it is then converted as the whole file would convert it."""
        if not isinstance(st, dict):
            return True
        sid, account = _str(st.get("id")), _str(st.get("in_reply_to_account_id"))
        if account and account not in self.accounts:
            return False
        if not sid or sid not in self.uris or not self.parents.get(sid):
            return True
        return self.root(sid) is not None

    def local_key(self, sid: str) -> str | None:
        return f"{self.server}/statuses/{sid}" if self.server else None

    # -- second pass ------------------------------------------------------------------------
    def add(self, st: object, sink: PostSink) -> str | None:
        """Add a status (and what it embeds); return why it is unreadable, or None."""
        if not isinstance(st, dict):
            return "a status must be a JSON object"
        if "acct" in st and "content" not in st:
            return "an account, not a status"
        try:
            self._status(st, sink)
        except ValueError as exc:
            return str(exc)
        return None

    def _status(self, st: dict[str, Any], sink: PostSink) -> None:
        sid, uri = _str(st.get("id")), _str(st.get("uri"))
        if not sid or not uri:
            missing = " and ".join(k for k, v in (("id", sid), ("uri", uri)) if not v)
            raise ValueError(f"not a status: no {missing}")
        acc = st.get("account")
        if not isinstance(acc, dict):
            raise ValueError("the status has no 'account' object")
        created = parse_mastodon_time(st.get("created_at"))
        author = self._account(acc, created, sink)
        reblog = st.get("reblog")
        original = original_author = None
        if reblog is not None:
            if not isinstance(reblog, dict):
                raise ValueError("'reblog' is not a status")
            try:
                original, original_author = self._status_or_seen(reblog, sink)
            except ValueError as exc:
                raise ValueError(f"its boosted status: {exc}") from None
        quote_of = quote_author = None
        quote = st.get("quote")
        if reblog is None and isinstance(quote, dict):
            inner = quote.get("quoted_status") if "state" in quote or (
                "quoted_status" in quote) else quote
            if isinstance(inner, dict) and "uri" in inner:
                try:
                    quote_of, quote_author = self._status_or_seen(inner, sink)
                except ValueError as exc:
                    raise ValueError(f"its quoted status: {exc}") from None
            else:
                local = _str(quote.get("quoted_status_id"))
                quote_of = self.local_key(local) if local else None
                if quote_of is None:
                    self.log.note(NOTE_QUOTE_NOT_SHOWN)
        if uri in self.emitted:
            self.log.note(NOTE_REPEATED)
            return
        self.emitted.add(uri)
        parent_local = _str(st.get("in_reply_to_id"))
        account_local = _str(st.get("in_reply_to_account_id"))
        parent = reply_to = None
        if parent_local:
            parent = self.uris.get(parent_local)
            if parent is None:
                parent = self.local_key(parent_local)
                self.log.note(NOTE_PARENT_LOCAL if parent else NOTE_PARENT_UNKNOWN)
        elif account_local:
            self.log.note(NOTE_PARENT_GONE)
        if parent_local or account_local:
            reply_to = self.accounts.get(account_local) if account_local else None
            if reply_to is None:
                self.log.note(NOTE_REPLY_ACCOUNT_UNKNOWN)
        mentions = []
        for m in st.get("mentions") or ():
            if not isinstance(m, dict):
                continue
            try:
                native = self.native(m)
            except ValueError:
                self.log.note("mentions whose account could not be named (no tie drawn)")
                continue
            mentions.append(native)
            sink.account(native, None, handle=native)
        hashtags = [t["name"] for t in st.get("tags") or ()
                    if isinstance(t, dict) and isinstance(t.get("name"), str)]
        sink.post(
            uri, author, created, html_to_text(st.get("content")),
            lang=_str(st.get("language")),
            reply_to_post=parent, reply_to_user=reply_to,
            conversation_id=self.root(sid) if sid in self.uris else None,
            retweet_of=original, retweet_of_user=original_author,
            quote_of=quote_of, quote_of_user=quote_author,
            mentions=mentions, hashtags=hashtags, url=_str(st.get("url")),
        )

    def _status_or_seen(self, st: dict[str, Any], sink: PostSink) -> tuple[str, str]:
        """Add an embedded status; its uri and author's native id."""
        acc = st.get("account")
        uri = _str(st.get("uri"))
        if not uri or not isinstance(acc, dict):
            raise ValueError("no uri or no account")
        self._status(st, sink)
        return uri, self.native(acc)

    def _account(self, acc: dict[str, Any], seen_at: datetime, sink: PostSink) -> str:
        native = self.native(acc)
        created = None
        if acc.get("created_at") is not None:
            try:
                created = parse_mastodon_time(acc.get("created_at"))
            except ValueError:
                self.log.note("account creation times that could not be read")
        if acc.get("bot") is True:
            self.bots.add(native)
        sink.account(
            native, seen_at, handle=native, display_name=_str(acc.get("display_name")),
            description=html_to_text(acc.get("note")),
            followers_count=_int(acc.get("followers_count")),
            following_count=_int(acc.get("following_count")),
            post_count=_int(acc.get("statuses_count")), account_created_at=created,
        )
        return native


def _embedded(st: object) -> Iterator[dict[str, Any]]:
    """A status and the statuses it embeds (boosted, quoted)."""
    while isinstance(st, dict):
        yield st
        reblog, quote = st.get("reblog"), st.get("quote")
        if isinstance(reblog, dict):
            st = reblog
        elif isinstance(quote, dict):
            st = quote.get("quoted_status") if "quoted_status" in quote else quote
        else:
            return


def _str(value: object) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value if isinstance(value, str) and value else None


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _is_status(obj: object) -> bool:
    return (isinstance(obj, dict) and "uri" in obj and isinstance(obj.get("account"), dict)
            and "content" in obj)


def _looks_mastodon(obj: object) -> bool:
    if isinstance(obj, dict) and _pln(obj).get("collector") == "mastodon":
        return True
    if isinstance(obj, dict):
        if isinstance(obj.get("ancestors"), list) and isinstance(obj.get("descendants"), list):
            return True
        return _is_status(obj)
    if isinstance(obj, list):
        return bool(obj) and all(_is_status(o) for o in obj[:5])
    return False


#: The start of a /context response too long to parse from a file's head.
_CONTEXT_START = re.compile(rb'^\{\s*"(ancestors|descendants)"\s*:\s*\[')
