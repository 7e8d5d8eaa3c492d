"""Three more synthetic sources for the sample district, with planted cross-source structure.

Called by ``scripts/make_sample_data.py`` at the end of ``generate()``, after the X files and
the roster are written; it never touches their random generator, so those files stay
byte-identical. It writes, next to them:

- ``district_slack.zip``: a Slack workspace export ("Tri-District Principals") in Slack's
  export layout (``users.json``, ``channels.json``, ``integration_logs.json`` and
  ``<channel>/<YYYY-MM-DD>.json`` day files);
- ``advice_survey.csv``: a long-form advice survey (``respondent,nominee,relation,frequency``)
  whose nominees are names as respondents wrote them;
- ``plc_groups.csv``: group rosters (``person_id,group,role,since``): PLCs, a new-principals
  cohort, a mentoring circle and leadership committees.

It returns the ``"sources"`` part of ``ground_truth.json``: counts, the planted name variants,
and the person-level expectations after ingesting every source with the roster, computed here
from the data generated, with the rules in :data:`PERSON_RULE`. The generator checks the
planted facts on that computation and stops with an error if any fails.

Everything is synthetic. Only the standard library is used; the output is byte-identical for a
seed (fixed zip timestamps and attributes, sorted JSON keys, no set or dict-order randomness).
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import random
import re
import textwrap
import unicodedata
import uuid
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

SLACK_FILE = "district_slack.zip"
SURVEY_FILE = "advice_survey.csv"
GROUPS_FILE = "plc_groups.csv"
SURVEY_HEADER = ("respondent", "nominee", "relation", "frequency")
GROUPS_HEADER = ("person_id", "group", "role", "since")

TEAM_ID = "T0PLNSMPL"
TEAM_NAME = "Tri-District Principals"
TEAM_DOMAIN = "tri-district-principals"
#: The moment the export was made; every zip entry carries it.
EXPORT_TIME = (2026, 1, 5, 14, 30, 0)
#: US daylight saving time ends at 2 am EDT on Sunday 2 November 2025 (06:00 UTC).
DST_END = datetime(2025, 11, 2, 6, 0, tzinfo=UTC)
WORKSPACE_DAY = date(2025, 9, 2)
FIRST_WEEK = date(2025, 9, 8)
LAST_DAY = date(2025, 12, 19)

SURVEY_QUESTION = "Whom do you go to for advice about instructional leadership?"
RELATION = "advice"
#: The 4-point frequency scale of the survey.
SCALE = {"1": "a few times a year", "2": "about once a month", "3": "every two weeks or so",
         "4": "weekly or more"}
#: The usual tie threshold on that scale.
MIN_FREQUENCY = 3
SURVEY_RESPONDENTS = 45

#: Districts in roster order, with their Slack channel and the short name used in groups.
DISTRICT_CHANNELS = ("cedar-valley", "riverbend", "lakeshore")
DISTRICT_TOWNS = ("Cedar Valley", "Riverbend", "Lakeshore County")
CHANNELS = ("general", "new-principals", *DISTRICT_CHANNELS)
SLACK_PER_DISTRICT = 12

X_RULE = ("X (naespchat_twarc2.jsonl, principallife_tags.csv): reply, mention, retweet and "
          "quote ties as in the top-level tie_rule")
SLACK_RULE = ("Slack (district_slack.zip): a thread reply (subtype none or thread_broadcast) "
              "ties the replier to the thread starter once, as kind message, and a <@U...> "
              "mention ties the author to the mentioned user as kind mention, except the "
              "thread starter in a reply (already tied); bots, bot_message, channel_join and "
              "channel_leave are not conversation; channel membership is not a tie; "
              "self-loops are not ties")
SURVEY_RULE = (f"survey (advice_survey.csv): respondent -> nominee, kind advice, when the "
               f"frequency is at least {MIN_FREQUENCY}; nominees resolved to roster people by "
               "name (case, spacing and accents folded; misspellings by fuzzy match); an "
               "ambiguous name (first name only, two candidates) goes to review and is no tie")
PERSON_RULE = ("accounts are resolved to roster people (X by the roster's x_user_id, Slack by "
               "email, survey respondents by person_id and nominees by name); ties are "
               "undirected distinct contacts over all sources together; a person is present "
               "when they posted on X, wrote a Slack conversation message, answered the "
               "survey, or are at either end of a tie; absent when not present; an isolate "
               "when present with no tie; group memberships (plc_groups.csv) are not ties")

_ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_HEX = "0123456789abcdef"
_MENTION = re.compile(r"<@(U[A-Z0-9]+)>")
_TOKEN = re.compile(r"<@(U[A-Z0-9]+)>|<(https?://[^|>]+)\|([^>]+)>")

#: Nicknames some people use as their Slack display name.
NICKNAMES = {
    "Tamsin": "Tam", "Gideon": "Gid", "Beatriz": "Bea", "Xiomara": "Xio", "Andre": "Dre",
    "Lucian": "Luc", "Harriet": "Hattie", "Rafael": "Rafa", "Teodor": "Teo",
    "Delphine": "Del", "Mireille": "Mimi", "Marisol": "Mari", "Adaeze": "Ada",
    "Rosalind": "Roz", "Thaddeus": "Thad", "Jarrah": "Jay", "Kendra": "Kenny",
    "Merritt": "Merry", "Priya": "Pri", "Pascal": "Pas", "Verity": "Vee", "Calla": "Cal",
}
#: Accented spellings respondents use for names the roster writes in ASCII.
ACCENTED = {"Andre": "André", "Esme": "Esmé", "Cordova": "Córdova", "Elodie": "Élodie",
            "Emeric": "Émeric", "Soren": "Sören"}
#: Names for the two non-roster staff, from outside the roster's name pools (the first two
#: whose first and last names the roster does not use win).
STAFF_NAMES = (("Marguerite", "Ashworth"), ("Ansel", "Pendergast"), ("Constance", "Whitlock"),
               ("Everett", "Hadley"))

# -- Slack content ------------------------------------------------------------------------------
POSTS_GENERAL = (
    "Does anyone have a master schedule template that protects an intervention block? Ours "
    "is a puzzle again this year.",
    "Sharing a win: 120 families came to our literacy night. Thank you all for the ideas!",
    "Who is going to the state principals' conference in October? Would love to meet up.",
    "How are you handling the new attendance reporting? The deadlines snuck up on me.",
    "Looking for a good book for a staff book study this winter. Suggestions?",
    "Q&amp;A with the superintendents is next Thursday at 4. Send questions ahead if you can.",
    "What is your go-to agenda for the first staff meeting after a long break?",
    "Reminder to myself and to all of you: take a real lunch break today.",
    "Has anyone run peer observation rounds with teacher leaders? How did you cover classes?",
    "Our K-2 &amp; 3-5 teams are co-planning for the first time. Tips for keeping it focused?",
    "Fire drill, picture retakes and a board visit all on one day. How was your Monday?",
    "How do you recognize classified staff in a way that feels real? Thinking of our "
    "custodians.",
    "Anyone have a walkthrough form with just three look-fors? Trying to simplify.",
    "Snow day question: does your district expect asynchronous work or a true day off?",
    "What one change made your PLCs better last year?",
    "Grateful for this group. Hard week, and reading your posts helped.",
    "State guidance on chronic absence is out: "
    "<https://example.org/attendance-guidance|attendance guidance>. Worth a read.",
    "How much of your week do you actually get into classrooms? Be honest &gt;_&lt;",
)
POSTS_NEW = (
    "First-year question: how do you decide which emails can wait until tomorrow?",
    "How did you handle your first difficult parent meeting?",
    "What do you wish someone had told you before your first evaluation cycle?",
    "How do you run a staff meeting when half the staff has been there longer than you?",
    "Is it normal to feel behind on everything in October? Asking for a friend (me).",
    "How do you build your master schedule when you inherited last year's?",
    "Any advice on the first round of formal observations?",
    "How do you say no to a good idea when the staff is already stretched?",
    "What does your Friday afternoon routine look like?",
    "Who do you call when you are not sure a discipline decision is right?",
)
POSTS_DISTRICT = (
    "Budget worksheets are due Friday. Does anyone know if Title I carryover counts?",
    "The new bus routes are causing late arrivals at our school. Anyone else?",
    "Our district PLC is Thursday at 4 at the central office. Bring one data point.",
    "Who has a sub plan for the district PD day? We are short again.",
    "Anyone piloting the new math curriculum? How are teachers finding it?",
    "Heads up: the enrollment count window closes on the 1st.",
    "Can someone share the family survey the district sent last spring?",
    "We are hosting a learning walk next week. Anyone want to join?",
    "Who is presenting at the board meeting this month? Happy to help with slides.",
    "Thinking about a joint family night with another school. Anyone interested?",
    "The testing calendar just came out. The window overlaps with our book fair.",
    "Coffee after the district meeting on Wednesday? I will save a table.",
    "Our AP is leading the data cycle this year and it is going really well.",
    "How are you all staffing lunch duty with the new schedule?",
)
REPLIES = (
    "We do this at our school, happy to share.", "Same question here!",
    "Thank you, this helps.", "We moved it to Wednesdays and it worked much better.",
    "I can send you ours.", "Count me in.", "Following this thread.",
    "Great idea. Stealing it.", "We tried that last year; start small.",
    "Our AP runs that piece for us.", "Let's talk at the next PLC.",
    "Yes! It made a real difference for our staff.", "Same here. It takes time.",
    "We use a shared calendar for that &amp; it helps.", "Love this.",
    "Happy to walk you through it after the meeting.",
)
REPLIES_MENTION = (
    "<@{m}> has a great version of this.", "Ask <@{m}>, they did this last spring.",
    "<@{m}> and I were just talking about this.", "Looping in <@{m}> on this one.",
)
POSTS_MENTION = (
    "Thank you <@{m}> for the walkthrough template. Teachers loved it.",
    "<@{m}> could you share the family survey you mentioned?",
    "Shout out to <@{m}> for hosting our learning walk today!",
    "<@{m}> I tried your morning meeting idea. It worked!",
    "Big thanks to <@{m}> for covering the district meeting for me.",
)
BROADCAST_PREFIX = "Also sharing with the channel: "
FILES = (
    ("walkthrough-look-fors.pdf", "Walkthrough look-fors", "application/pdf", "pdf", "PDF"),
    ("master-schedule-draft.xlsx", "Master schedule draft",
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx",
     "Excel Spreadsheet"),
    ("family-night-flyer.png", "Family night flyer", "image/png", "png", "PNG"),
    ("attendance-letter.docx", "Attendance letter template",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx",
     "Word Document"),
    ("plc-agenda.pdf", "PLC agenda", "application/pdf", "pdf", "PDF"),
)
FILE_TEXTS = ("Here is ours, feel free to adapt.", "Sharing the template we use.", "",
              "As promised!")
BOT_NAME = "PLN Reminders"
BOT_TEXTS = (
    "Reminder: the tri-district principals' meeting is Thursday at 4:00 pm.",
    "Weekly reminder: share one win from your building this week! :tada:",
    "Reminder: PLC notes are due Friday. Thank you!",
)
TOPICS = {
    "general": ("Tri-District Principals: announcements and questions for everyone",
                "A place for all principals in Cedar Valley, Riverbend and Lakeshore County."),
    "new-principals": ("Years 1-3: no question is too small",
                       "Support for principals in their first years, with mentors."),
    "cedar-valley": ("Cedar Valley Unified principals", "District news, PLCs and questions."),
    "riverbend": ("Riverbend Public Schools principals", "District news, PLCs and questions."),
    "lakeshore": ("Lakeshore County Schools principals", "District news, PLCs and questions."),
}


# -- model ------------------------------------------------------------------------------------
@dataclass(eq=False)
class Principal:
    """A roster row, with its category in the X ground truth."""

    person_id: str
    name: str
    email: str
    district: str
    school: str
    years: int
    x_account: str | None
    x_category: str

    @property
    def first(self) -> str:
        return self.name.split()[0]

    @property
    def last(self) -> str:
        return self.name.split()[-1]


@dataclass(eq=False)
class SlackUser:
    """A user of the workspace."""

    id: str
    name: str
    real_name: str
    display_name: str
    email: str
    title: str
    kind: str  # principal, staff or bot
    person_id: str | None = None
    avatar: str = ""
    color: str = ""
    bot_id: str = ""
    weight: float = 1.0

    @property
    def first(self) -> str:
        return self.real_name.split()[0]

    @property
    def last(self) -> str:
        return self.real_name.split()[-1]


@dataclass(eq=False)
class Msg:
    """A message before it is written; replies are kept on their parent."""

    channel: str
    t: datetime
    kind: str  # post, reply, broadcast, file, join, leave, bot
    user: SlackUser | None
    text: str
    ts: str = ""
    parent: Msg | None = None
    replies: list[Msg] = field(default_factory=list)
    file: tuple[str, str, str, str, str] | None = None
    edited: bool = False


def normalize_name(text: str) -> str:
    """Fold case, accents and spacing: ``"  André  LINDQVIST "`` -> ``"andre lindqvist"``."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


def similarity(a: str, b: str) -> float:
    """difflib ratio of two normalized names."""
    return difflib.SequenceMatcher(None, normalize_name(a), normalize_name(b)).ratio()


def eastern(d: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """US Eastern wall time on day ``d`` -> UTC (autumn 2025)."""
    local = datetime(d.year, d.month, d.day, hour, minute, second, tzinfo=UTC)
    t = local + timedelta(hours=4)
    return t if t < DST_END else local + timedelta(hours=5)


def slack_json(obj: Any) -> bytes:
    """JSON as a Slack export writes it: 4-space indent, ASCII with ``\\u`` escapes, ``\\/``."""
    text = json.dumps(obj, indent=4, sort_keys=True, ensure_ascii=True)
    return (text.replace("/", "\\/") + "\n").encode("ascii")


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


# -- the generator ------------------------------------------------------------------------------
class Sources:
    """Builds the three sources and their ground truth from the roster and the X facts."""

    def __init__(self, seed: int, roster: Sequence[dict[str, str]],
                 x_categories: dict[str, str], x_contacts: dict[str, set[str]],
                 x_posters: set[str]) -> None:
        self.seed = seed
        self.base_seed = seed * 7 + 1
        self.people = [
            Principal(r["person_id"], r["name"], r["email"], r["district"], r["school"],
                      int(r["years_as_principal"]),
                      "x:" + r["x_user_id"] if r["x_user_id"] else None,
                      x_categories[r["person_id"]])
            for r in roster
        ]
        self.by_pid = {p.person_id: p for p in self.people}
        self.districts: list[str] = []
        for p in self.people:
            if p.district not in self.districts:
                self.districts.append(p.district)
        if len(self.districts) != len(DISTRICT_CHANNELS):
            raise ValueError(f"expected three districts, got {self.districts}")
        self.domain = {p.district: p.email.split("@", 1)[1] for p in self.people}
        self.x_contacts = x_contacts
        self.x_posters = x_posters
        self.ids: set[str] = set()
        self.micros: set[int] = set()
        self.pick_planted()

    # -- helpers -----------------------------------------------------------------------------
    def rng(self, part: int) -> random.Random:
        """The random generator of one part (Slack 1, survey 2, groups 3)."""
        return random.Random(self.base_seed * 16 + part)

    def new_id(self, rng: random.Random, prefix: str) -> str:
        while True:
            value = prefix + "0" + "".join(rng.choice(_ID_CHARS) for _ in range(9))
            if value not in self.ids:
                self.ids.add(value)
                return value

    def district_of(self, p: Principal) -> int:
        return self.districts.index(p.district)

    def in_district(self, k: int) -> list[Principal]:
        return [p for p in self.people if p.district == self.districts[k]]

    def one(self, what: str, ps: Iterable[Principal]) -> Principal:
        found = list(ps)
        if not found:
            raise RuntimeError(f"no roster person for the planted role {what}")
        return found[0]

    def pick_planted(self) -> None:
        """Choose the planted people from their X categories (P030, P014, ... for seed 2024)."""
        def cat(k: int, category: str, handle: bool | None = None) -> list[Principal]:
            return [p for p in self.in_district(k) if p.x_category == category
                    and (handle is None or (p.x_account is not None) == handle)]

        #: X isolate in Riverbend: starts a Slack thread answered by three peers
        self.thread_starter = self.one("thread starter", cat(1, "isolate"))
        #: absent on X (no handle) in Cedar Valley: posts in Slack and is mentioned
        self.slack_poster = self.one("slack poster", cat(0, "absent", handle=False))
        #: absent on X (no handle) in Riverbend: joins Slack, never writes; answers no survey
        self.join_only = self.one("join only", cat(1, "absent", handle=False))
        #: absent on X (no handle) in Lakeshore: no Slack, no answer, named by two
        self.survey_named = self.one("survey named", cat(2, "absent", handle=False))
        #: absent on X (with a handle) in Lakeshore: nowhere at all
        self.nowhere = self.one("nowhere", cat(2, "absent", handle=True))
        #: X isolate in Lakeshore: no Slack; names two colleagues below the threshold
        self.low_freq = self.one("below threshold", cat(2, "isolate"))
        #: single tie on X in Lakeshore: answers the survey and names nobody
        self.named_nobody = self.one("named nobody", cat(2, "single_tie"))
        #: the broker: misspelled by a respondent
        self.broker = self.one("broker", [p for p in self.people if p.x_category == "broker"])
        self.not_in_slack = [self.survey_named, self.nowhere, self.low_freq]
        #: nominated by nobody in the survey, so that their ties come from Slack alone
        self.never_named = [self.thread_starter, self.slack_poster, self.join_only,
                            self.nowhere]

    def ts(self, rng: random.Random, t: datetime) -> str:
        while True:
            micro = rng.randrange(1, 1_000_000)
            if micro not in self.micros:
                self.micros.add(micro)
                return f"{int(t.timestamp())}.{micro:06d}"

    # == Slack ==================================================================================
    def slack(self) -> None:
        rng = self.rng(1)
        self.build_users(rng)
        self.build_channels(rng)
        self.msgs: list[Msg] = []
        self.joins_and_leaves(rng)
        self.bot_messages(rng)
        self.conversation(rng)
        self.planted_slack(rng)
        self.assign_ts(rng)

    def build_users(self, rng: random.Random) -> None:
        chosen: list[Principal] = []
        required = {self.thread_starter.person_id, self.slack_poster.person_id,
                    self.join_only.person_id}
        excluded = {p.person_id for p in self.not_in_slack}
        for k in range(len(self.districts)):
            pool = [p for p in self.in_district(k) if p.person_id not in excluded]
            must = [p for p in pool if p.person_id in required]
            rest = [p for p in pool if p.person_id not in required]
            chosen += must + rng.sample(rest, SLACK_PER_DISTRICT - len(must))
        chosen.sort(key=lambda p: p.person_id)
        self.users: list[SlackUser] = []
        with_nick = [p for p in chosen if p.first in NICKNAMES and p is not self.thread_starter
                     and p is not self.join_only and p is not self.slack_poster]
        nick = {self.thread_starter.person_id} | {p.person_id for p in rng.sample(with_nick, 3)}
        plain = [p for p in chosen if p.person_id not in nick and p is not self.join_only]
        blank = {p.person_id for p in rng.sample(plain, 2)}
        for p in chosen:
            if p.person_id in nick:
                display = f"{NICKNAMES.get(p.first, p.first[:3])} {p.last}"
            elif p.person_id in blank:
                display = ""
            else:
                display = p.name
            self.users.append(SlackUser(
                id=self.new_id(rng, "U"), name=p.email.split("@")[0], real_name=p.name,
                display_name=display, email=p.email, title=f"Principal, {p.school}",
                kind="principal", person_id=p.person_id,
                weight=rng.choice((0.5, 1.0, 1.0, 1.5, 2.0, 3.0))))
        roster_names = {normalize_name(p.first) for p in self.people} | {
            normalize_name(p.last) for p in self.people}
        staff = [(f, la) for f, la in STAFF_NAMES
                 if normalize_name(f) not in roster_names
                 and normalize_name(la) not in roster_names]
        titles = (("District Coordinator, Principal Support", 1),
                  ("Instructional Coach", 2))
        self.staff: list[SlackUser] = []
        for (first, last), (title, k) in zip(staff[:2], titles, strict=True):
            email = f"{first}.{last}@{self.domain[self.districts[k]]}".lower()
            u = SlackUser(id=self.new_id(rng, "U"), name=email.split("@")[0],
                          real_name=f"{first} {last}", display_name=f"{first} {last}",
                          email=email, title=title, kind="staff", weight=2.0)
            self.staff.append(u)
            self.users.append(u)
        self.coordinator, self.coach = self.staff
        self.bot = SlackUser(id=self.new_id(rng, "U"), name="pln_reminders", real_name=BOT_NAME,
                             display_name="", email="", title="", kind="bot",
                             bot_id=self.new_id(rng, "B"))
        self.users.append(self.bot)
        for u in self.users:
            u.avatar = "".join(rng.choice(_HEX) for _ in range(12))
            u.color = "".join(rng.choice(_HEX) for _ in range(6))
        self.user_of = {u.person_id: u for u in self.users if u.person_id}

    def build_channels(self, rng: random.Random) -> None:
        principals = [u for u in self.users if u.kind == "principal"]
        humans = [u for u in self.users if u.kind != "bot"]
        join_only = self.user_of[self.join_only.person_id]
        years = {u.id: self.by_pid[u.person_id].years for u in principals if u.person_id}
        newbies = [u for u in principals if years[u.id] <= 3 and u is not join_only]
        veterans = [u for u in principals if years[u.id] >= 15 and u is not join_only
                    and u.person_id not in (self.thread_starter.person_id,
                                            self.slack_poster.person_id)]
        mentors = sorted(rng.sample(veterans, 2), key=lambda u: u.name)
        middle = [u for u in principals if 4 <= years[u.id] <= 8 and u is not join_only
                  and u not in newbies and u not in mentors
                  and u.person_id not in (self.thread_starter.person_id,
                                          self.slack_poster.person_id)]
        self.leaver = rng.choice(middle)
        self.members: dict[str, list[SlackUser]] = {
            "general": humans,
            "new-principals": [self.coordinator, self.coach, *newbies, *mentors,
                               self.leaver],
        }
        for k, name in enumerate(DISTRICT_CHANNELS):
            district = [u for u in principals if u.person_id and u is not join_only
                        and self.by_pid[u.person_id].district == self.districts[k]]
            extra = [self.coach] if k == 2 else []
            self.members[name] = [self.coordinator, *extra, *district]
        self.channel_ids = {name: self.new_id(rng, "C") for name in CHANNELS}
        self.created = {name: eastern(WORKSPACE_DAY, 9, 5 + 3 * i, rng.randrange(60))
                        for i, name in enumerate(CHANNELS)}
        self.mentors = mentors

    def msg(self, channel: str, t: datetime, kind: str, user: SlackUser | None, text: str,
            parent: Msg | None = None) -> Msg:
        m = Msg(channel, t, kind, user, text, parent=parent)
        if parent is not None:
            parent.replies.append(m)
        else:
            self.msgs.append(m)
        return m

    def joins_and_leaves(self, rng: random.Random) -> None:
        join_only = self.user_of[self.join_only.person_id]
        self.join_time: dict[tuple[str, str], datetime] = {}
        for name in CHANNELS:
            t0 = self.created[name]
            for i, u in enumerate(self.members[name]):
                if u is join_only:
                    t = eastern(date(2025, 10, 14), 7, 41, rng.randrange(60))
                elif i == 0:
                    t = t0
                elif rng.random() < 0.85:
                    t = t0 + timedelta(minutes=rng.randrange(5, 60 * 24 * 3))
                else:
                    t = t0 + timedelta(days=rng.randrange(4, 20), minutes=rng.randrange(600))
                self.join_time[(name, u.id)] = t
                self.msg(name, t, "join", u, f"<@{u.id}> has joined the channel")
        leave = eastern(date(2025, 11, 12), 16, 22, rng.randrange(60))
        self.msg("new-principals", leave, "leave", self.leaver,
                 f"<@{self.leaver.id}> has left the channel")
        self.leave_time = leave
        self.members["new-principals"] = [u for u in self.members["new-principals"]
                                          if u is not self.leaver]

    def bot_messages(self, rng: random.Random) -> None:
        day = FIRST_WEEK
        n = 0
        while day <= LAST_DAY:
            if day != date(2025, 11, 24):  # Thanksgiving week: no reminder
                self.msg("general", eastern(day, 7, 30, rng.randrange(3)), "bot", None,
                         BOT_TEXTS[n % len(BOT_TEXTS)])
                n += 1
            day += timedelta(weeks=1)

    def quiet(self) -> set[str]:
        """Users that random conversation never touches (the planted ones and the bot)."""
        return {self.user_of[p.person_id].id for p in (self.thread_starter, self.slack_poster,
                                                       self.join_only)} | {self.bot.id}

    def active(self, channel: str, t: datetime) -> list[SlackUser]:
        quiet = self.quiet()
        return [u for u in self.members[channel] if u.id not in quiet
                and self.join_time[(channel, u.id)] < t
                and not (u is self.leaver and t > self.leave_time)]

    def weighted(self, rng: random.Random, users: Sequence[SlackUser]) -> SlackUser:
        return rng.choices(list(users), weights=[u.weight for u in users])[0]

    def day_time(self, rng: random.Random, day: date) -> datetime:
        hour = rng.choices((7, 8, 10, 12, 14, 15, 16, 17, 19, 20, 21),
                           weights=(2, 2, 1, 3, 1, 3, 4, 2, 2, 2, 1))[0]
        return eastern(day, hour, rng.randrange(60), rng.randrange(60))

    def conversation(self, rng: random.Random) -> None:
        welcome = eastern(WORKSPACE_DAY, 15, 12, 7)
        self.msg("general", welcome, "post", self.coordinator,
                 f"Welcome to {TEAM_NAME}! Introduce yourself in your district channel, and "
                 "use #new-principals for first-year questions.")
        week = FIRST_WEEK
        per_week = {"general": (2, 4), "new-principals": (1, 3), "cedar-valley": (2, 4),
                    "riverbend": (2, 4), "lakeshore": (2, 3)}
        texts = {"general": POSTS_GENERAL, "new-principals": POSTS_NEW}
        while week <= LAST_DAY:
            for name in CHANNELS:
                lo, hi = per_week[name]
                for _ in range(rng.randint(lo, hi)):
                    day = week + timedelta(days=rng.randrange(5))
                    if day > LAST_DAY or date(2025, 11, 26) <= day <= date(2025, 11, 28):
                        continue
                    self.one_post(rng, name, self.day_time(rng, day),
                                  texts.get(name, POSTS_DISTRICT))
            week += timedelta(weeks=1)

    def one_post(self, rng: random.Random, channel: str, t: datetime,
                 texts: Sequence[str]) -> None:
        people = self.active(channel, t)
        author = self.weighted(rng, people)
        others = [u for u in people if u is not author]
        r = rng.random()
        if r < 0.06:
            post = self.msg(channel, t, "file", author, rng.choice(FILE_TEXTS))
            post.file = rng.choice(FILES)
        elif r < 0.24 and others:
            post = self.msg(channel, t, "post", author,
                            rng.choice(POSTS_MENTION).format(m=self.weighted(rng, others).id))
        else:
            post = self.msg(channel, t, "post", author, rng.choice(texts))
        post.edited = rng.random() < 0.05
        if rng.random() >= 0.45 or not others:
            return
        n = rng.choices((1, 2, 3, 4, 5), weights=(30, 30, 20, 12, 8))[0]
        rt = t
        for i in range(n):
            rt = rt + timedelta(minutes=rng.randrange(4, 400))
            pool = self.active(channel, rt)
            if i > 0 and rng.random() < 0.2 and author in pool:
                replier = author
                text = rng.choice(("Thank you all!", "This is so helpful.",
                                   "Great ideas, thanks."))
            else:
                candidates = [u for u in pool if u is not author]
                replier = self.weighted(rng, candidates)
                third = [u for u in candidates if u is not replier]
                if third and rng.random() < 0.15:
                    text = rng.choice(REPLIES_MENTION).format(m=self.weighted(rng, third).id)
                else:
                    text = rng.choice(REPLIES)
            kind = "broadcast" if rng.random() < 0.07 else "reply"
            if kind == "broadcast":
                text = BROADCAST_PREFIX + text
            reply = self.msg(channel, rt, kind, replier, text, parent=post)
            reply.edited = rng.random() < 0.04

    def planted_slack(self, rng: random.Random) -> None:
        starter = self.user_of[self.thread_starter.person_id]
        poster = self.user_of[self.slack_poster.person_id]
        k = self.district_of(self.thread_starter)
        channel = DISTRICT_CHANNELS[k]
        t = eastern(date(2025, 10, 7), 16, 48, 13)
        peers = [u for u in self.active(channel, t) if u.kind == "principal"]
        a, b, c = rng.sample(peers, 3)
        thread = self.msg(channel, t, "post", starter,
                          "How are you all scheduling parent conferences with the new "
                          "early-release days? Ours feel rushed this year.")
        self.msg(channel, t + timedelta(minutes=23), "reply", a,
                 "We split ours across two evenings and it helped a lot.", parent=thread)
        mention_starter = self.msg(
            channel, t + timedelta(minutes=71), "reply", b,
            f"<@{starter.id}> we did 15-minute slots with a sign-up sheet. Happy to send it.",
            parent=thread)
        self.msg(channel, t + timedelta(hours=15, minutes=4), "reply", c,
                 "Same issue here. Following!", parent=thread)
        self.msg(channel, t + timedelta(hours=16, minutes=30), "reply", starter,
                 "Thank you all, this is so helpful.", parent=thread)
        self.msg(channel, eastern(date(2025, 10, 23), 17, 5, 51), "post", starter,
                 f"<@{a.id}> tried your two-evening plan for conferences. Families loved it. "
                 "Thank you!")
        self.planted_thread = (thread, [a, b, c], mention_starter, a)
        # the Slack-only poster: one post, and a peer's mention later
        k = self.district_of(self.slack_poster)
        channel = DISTRICT_CHANNELS[k]
        t = eastern(date(2025, 10, 30), 15, 37, 2)
        school = self.slack_poster.school
        self.msg(channel, t, "post", poster,
                 f"{school} is hosting a family science night on November 13. All "
                 f"{DISTRICT_TOWNS[k]} families are welcome; please share with yours.")
        peers = [u for u in self.active(channel, t) if u.kind == "principal"]
        fan = rng.choice(peers)
        self.msg(channel, eastern(date(2025, 11, 14), 7, 12, 40), "post", fan,
                 f"<@{poster.id}> thank you for organizing science night! Our families had a "
                 "blast.")
        self.poster_fan = fan

    def assign_ts(self, rng: random.Random) -> None:
        ordered = sorted([m for m in self.msgs] + [r for m in self.msgs for r in m.replies],
                         key=lambda m: (m.t, m.channel, m.kind, m.text))
        for m in ordered:
            m.ts = self.ts(rng, m.t)
        self.file_ids = {id(m): self.new_id(rng, "F") for m in ordered if m.kind == "file"}
        self.block_ids = {id(m): "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789+/=")
                                         for _ in range(5)) for m in ordered}
        self.msg_ids = {id(m): str(uuid.UUID(int=rng.getrandbits(128), version=4))
                        for m in ordered}
        self.all_msgs = ordered

    # -- Slack JSON ----------------------------------------------------------------------------
    def image(self, u: SlackUser, size: int) -> str:
        return (f"https://avatars.slack-edge.com/2025-09-02/{int(u.avatar[:8], 16)}_"
                f"{u.avatar}_{size}.png")

    def user_json(self, u: SlackUser) -> dict[str, Any]:
        first, last = [*u.real_name.split(" ", 1), ""][:2]
        profile: dict[str, Any] = {
            "avatar_hash": u.avatar, "display_name": u.display_name,
            "display_name_normalized": u.display_name, "fields": None, "first_name": first,
            "last_name": last, "phone": "", "real_name": u.real_name,
            "real_name_normalized": u.real_name, "skype": "", "status_emoji": "",
            "status_expiration": 0, "status_text": "", "team": TEAM_ID, "title": u.title,
        }
        for size in (24, 32, 48, 72, 192, 512):
            profile[f"image_{size}"] = self.image(u, size)
        if u.kind == "bot":
            profile.update({"always_active": False, "api_app_id": "A0PLNREMIND",
                            "bot_id": u.bot_id, "first_name": u.real_name, "last_name": ""})
        else:
            profile["email"] = u.email
        updated = int(eastern(WORKSPACE_DAY, 9, 0).timestamp()) + int(u.avatar[:4], 16)
        return {
            "color": u.color, "deleted": False, "id": u.id,
            "is_admin": u is self.coordinator, "is_app_user": False, "is_bot": u.kind == "bot",
            "is_email_confirmed": u.kind != "bot", "is_owner": u is self.coordinator,
            "is_primary_owner": u is self.coordinator, "is_restricted": False,
            "is_ultra_restricted": False, "name": u.name, "profile": profile,
            "real_name": u.real_name, "team_id": TEAM_ID, "tz": "America/New_York",
            "tz_label": "Eastern Standard Time", "tz_offset": -18000, "updated": updated,
            "who_can_share_contact_card": "EVERYONE",
        }

    def channels_json(self) -> list[dict[str, Any]]:
        out = []
        for name in CHANNELS:
            created = int(self.created[name].timestamp())
            topic, purpose = TOPICS[name]
            out.append({
                "created": created, "creator": self.coordinator.id, "id": self.channel_ids[name],
                "is_archived": False, "is_general": name == "general",
                "members": [u.id for u in self.members[name]], "name": name, "pins": [],
                "purpose": {"creator": self.coordinator.id, "last_set": created,
                            "value": purpose},
                "topic": {"creator": self.coordinator.id, "last_set": created, "value": topic},
            })
        return out

    def profile_of(self, u: SlackUser) -> dict[str, Any]:
        return {"avatar_hash": u.avatar, "display_name": u.display_name,
                "first_name": u.real_name.split(" ", 1)[0], "image_72": self.image(u, 72),
                "is_restricted": False, "is_ultra_restricted": False, "name": u.name,
                "real_name": u.real_name, "team": TEAM_ID}

    def blocks(self, m: Msg) -> list[dict[str, Any]]:
        elements: list[dict[str, Any]] = []
        pos = 0
        for hit in _TOKEN.finditer(m.text):
            if hit.start() > pos:
                elements.append({"text": _unescape(m.text[pos:hit.start()]), "type": "text"})
            if hit.group(1):
                elements.append({"type": "user", "user_id": hit.group(1)})
            else:
                elements.append({"text": hit.group(3), "type": "link", "url": hit.group(2)})
            pos = hit.end()
        if pos < len(m.text):
            elements.append({"text": _unescape(m.text[pos:]), "type": "text"})
        return [{"block_id": self.block_ids[id(m)], "elements": [
            {"elements": elements, "type": "rich_text_section"}], "type": "rich_text"}]

    def thread_fields(self, m: Msg, upto: Msg | None = None) -> dict[str, Any]:
        replies = [r for r in m.replies if upto is None or r.t <= upto.t]
        users: list[str] = []
        for r in replies:
            assert r.user is not None
            if r.user.id not in users:
                users.append(r.user.id)
        return {"is_locked": False, "latest_reply": replies[-1].ts,
                "replies": [{"ts": r.ts, "user": r.user.id} for r in replies if r.user],
                "reply_count": len(replies), "reply_users": users,
                "reply_users_count": len(users), "subscribed": False, "thread_ts": m.ts}

    def message_json(self, m: Msg) -> dict[str, Any]:
        u = m.user
        if m.kind == "bot":
            return {"bot_id": self.bot.bot_id, "subtype": "bot_message", "text": m.text,
                    "ts": m.ts, "type": "message", "username": BOT_NAME}
        assert u is not None
        if m.kind in ("join", "leave"):
            return {"subtype": "channel_join" if m.kind == "join" else "channel_leave",
                    "text": m.text, "ts": m.ts, "type": "message", "user": u.id}
        out: dict[str, Any] = {
            "client_msg_id": self.msg_ids[id(m)],
            "source_team": TEAM_ID, "team": TEAM_ID, "text": m.text, "ts": m.ts,
            "type": "message", "user": u.id, "user_profile": self.profile_of(u),
            "user_team": TEAM_ID,
        }
        if m.text:
            out["blocks"] = self.blocks(m)
        if m.edited:
            out["edited"] = {"ts": self.ts_after(m), "user": u.id}
        if m.kind == "file":
            assert m.file is not None
            fid = self.file_ids[id(m)]
            name, title, mime, ftype, pretty = m.file
            sec = int(m.t.timestamp())
            private = f"https://files.slack.com/files-pri/{TEAM_ID}-{fid}/{name}"
            out.update({"display_as_bot": False, "subtype": "file_share", "upload": True,
                        "files": [{
                            "created": sec, "display_as_bot": False, "editable": False,
                            "external_type": "", "filetype": ftype, "id": fid,
                            "is_external": False, "is_public": True, "mimetype": mime,
                            "mode": "hosted", "name": name,
                            "permalink": f"https://{TEAM_DOMAIN}.slack.com/files/{u.id}/{fid}/"
                                         f"{name}",
                            "pretty_type": pretty, "public_url_shared": False,
                            "size": 20_000 + int(self.msg_ids[id(m)][:5], 16) % 400_000,
                            "timestamp": sec, "title": title, "url_private": private,
                            "url_private_download": f"https://files.slack.com/files-pri/"
                                                    f"{TEAM_ID}-{fid}/download/{name}",
                            "user": u.id, "user_team": TEAM_ID, "username": ""}]})
        if m.replies:
            out.update(self.thread_fields(m))
        if m.parent is not None:
            out["thread_ts"] = m.parent.ts
            if m.kind == "broadcast":
                out["subtype"] = "thread_broadcast"
                root = {k: v for k, v in self.message_json(m.parent).items()
                        if k not in ("blocks", "user_profile", "edited", "files")}
                root.update(self.thread_fields(m.parent, upto=m))
                out["root"] = root
            else:
                assert m.parent.user is not None
                out["parent_user_id"] = m.parent.user.id
        return out

    def ts_after(self, m: Msg) -> str:
        sec = int(m.t.timestamp()) + 60 + int(self.msg_ids[id(m)][:3], 16)
        return f"{sec}.000000"

    def slack_entries(self) -> list[tuple[str, bytes]]:
        days: dict[tuple[str, str], list[Msg]] = {}
        for m in self.all_msgs:
            day = datetime.fromtimestamp(int(m.ts.split(".")[0]), UTC).date().isoformat()
            days.setdefault((m.channel, day), []).append(m)
        logs = {"logs": [{
            "app_id": "A0PLNREMIND", "app_type": "app", "change_type": "added",
            "date": str(int(eastern(WORKSPACE_DAY, 9, 2).timestamp())),
            "scope": "chat:write,commands", "service_id": self.bot.bot_id,
            "service_type": BOT_NAME, "user_id": self.coordinator.id,
            "user_name": self.coordinator.name,
        }]}
        entries = [("channels.json", slack_json(self.channels_json())),
                   ("integration_logs.json", slack_json(logs)),
                   ("users.json", slack_json([self.user_json(u) for u in self.users]))]
        for channel, day in sorted(days):
            msgs = sorted(days[(channel, day)], key=lambda m: tuple(map(int, m.ts.split("."))))
            entries.append((f"{channel}/{day}.json",
                            slack_json([self.message_json(m) for m in msgs])))
        return entries

    # -- Slack ties, read back from the JSON the way a reader would --------------------------------
    def slack_facts(self, entries: list[tuple[str, bytes]]) -> dict[str, Any]:
        users = {u["id"]: u for u in json.loads(entries[2][1])}
        messages: list[tuple[str, dict[str, Any]]] = []
        for name, data in entries[3:]:
            channel = name.split("/")[0]
            messages += [(channel, m) for m in json.loads(data)]
        by_ts = {(c, m["ts"]): m for c, m in messages}
        counts = {k: 0 for k in ("messages", "conversation_messages", "top_level_posts",
                                 "threads", "thread_replies", "thread_broadcasts",
                                 "file_shares", "bot_messages", "joins", "leaves",
                                 "mentions")}
        interactions = {"message": 0, "mention": 0}
        pairs: set[tuple[str, str]] = set()
        authors: set[str] = set()
        for channel, m in messages:
            counts["messages"] += 1
            sub = m.get("subtype")
            if sub == "bot_message":
                counts["bot_messages"] += 1
                continue
            if sub == "channel_join":
                counts["joins"] += 1
                continue
            if sub == "channel_leave":
                counts["leaves"] += 1
                continue
            author = m["user"]
            if users[author]["is_bot"]:
                continue
            counts["conversation_messages"] += 1
            authors.add(author)
            counts["file_shares"] += sub == "file_share"
            starter = None
            if "thread_ts" in m and m["thread_ts"] != m["ts"]:
                counts["thread_replies"] += 1
                counts["thread_broadcasts"] += sub == "thread_broadcast"
                starter = by_ts[(channel, m["thread_ts"])]["user"]
                if starter != author:
                    interactions["message"] += 1
                    pairs.add((author, starter))
            else:
                counts["top_level_posts"] += 1
                counts["threads"] += m.get("reply_count", 0) > 0
            mentioned = _MENTION.findall(m["text"])
            counts["mentions"] += len(mentioned)
            for target in dict.fromkeys(mentioned):
                if target not in (author, starter):
                    interactions["mention"] += 1
                    pairs.add((author, target))
        return {"counts": counts, "interactions": interactions, "pairs": pairs,
                "authors": authors, "users": users}

    # == survey =================================================================================
    def survey(self) -> None:
        rng = self.rng(2)
        people = self.people
        planted_out = {self.thread_starter.person_id, self.slack_poster.person_id,
                       self.join_only.person_id, self.survey_named.person_id,
                       self.nowhere.person_id}
        keep_in = {self.named_nobody.person_id, self.low_freq.person_id}
        pool = [p for p in people if p.person_id not in planted_out | keep_in]
        n_out = len(people) - SURVEY_RESPONDENTS - len(planted_out)
        out = {p.person_id for p in rng.sample(pool, n_out)} | planted_out
        respondents = [p for p in people if p.person_id not in out]
        others_nobody = rng.choice([p for p in respondents if p.person_id not in keep_in])
        nobody = {self.named_nobody.person_id, others_nobody.person_id}
        never = {p.person_id for p in self.never_named} | {self.survey_named.person_id,
                                                          self.low_freq.person_id}
        # (respondent, nominee person or None, frequency, written name or None)
        noms: dict[str, list[list[Any]]] = {p.person_id: [] for p in respondents}

        def nominable(r: Principal) -> list[Principal]:
            return [p for p in people if p is not r and p.person_id not in never]

        for r in respondents:
            if r.person_id in nobody or r is self.low_freq:
                continue
            k = rng.choices((1, 2, 3, 4, 5), weights=(10, 25, 30, 20, 15))[0]
            cands = nominable(r)
            weights = [(6.0 if p.district == r.district else 1.0) * (1 + p.years / 10)
                       for p in cands]
            chosen: list[Principal] = []
            while len(chosen) < k:
                p = rng.choices(cands, weights=weights)[0]
                if p not in chosen:
                    chosen.append(p)
            for p in chosen:
                freq = rng.choices((1, 2, 3, 4), weights=(10, 15, 40, 35))[0]
                noms[r.person_id].append([p, freq, None, "exact"])
        # planted: the survey-only person is named by two district peers, at 3 and 4
        k = self.district_of(self.survey_named)
        peers = [r for r in respondents if r.district == self.districts[k]
                 and 0 < len(noms[r.person_id]) < 5 and r is not self.low_freq]
        for r, freq in zip(rng.sample(peers, 2), (3, 4), strict=True):
            noms[r.person_id].append([self.survey_named, freq, None, "exact"])
        peers = [r for r in peers if len(noms[r.person_id]) < 5]
        # planted: the X isolate in Lakeshore names two peers below the threshold and is
        # named once below it
        district = [p for p in nominable(self.low_freq) if p.district == self.low_freq.district]
        for p, freq in zip(rng.sample(district, 2), (1, 2), strict=True):
            noms[self.low_freq.person_id].append([p, freq, None, "exact"])
        fan = rng.choice(peers)
        noms[fan.person_id].append([self.low_freq, 2, None, "exact"])
        # planted: the ambiguous first name, written by someone in the second candidate's
        # district who names neither candidate otherwise
        first_names: dict[str, list[Principal]] = {}
        for p in people:
            first_names.setdefault(p.first, []).append(p)
        shared = next(ps for ps in (first_names[p.first] for p in people) if len(ps) == 2)
        cand_a, cand_b = shared
        writers = [r for r in respondents if r.district == cand_b.district
                   and r not in shared and r.person_id not in nobody and r is not self.low_freq
                   and not any(n[0] in shared for n in noms[r.person_id])
                   and len(noms[r.person_id]) < 5]
        writer = rng.choice(writers)
        noms[writer.person_id].append([None, 4, cand_a.first, "ambiguous"])
        self.ambiguous = [{"written": cand_a.first, "respondent": writer.person_id,
                           "frequency": 4, "candidates": [cand_a.person_id, cand_b.person_id]}]
        # name variants: misspellings (the broker first), then case, spacing and accents
        all_rows = [(r, n) for r in respondents for n in noms[r.person_id]]
        self.misspelled: list[dict[str, Any]] = []
        targets = [n for _r, n in all_rows if n[0] is self.broker and n[1] >= MIN_FREQUENCY]
        if not targets:
            raise RuntimeError("nobody names the broker at the threshold")
        picks = [targets[0]]
        plain = [n for _r, n in all_rows if n[3] == "exact" and n[1] >= MIN_FREQUENCY
                 and n[0] is not self.broker and n[0] is not self.survey_named]
        for n in rng.sample(plain, len(plain)):
            if len(picks) == 4:
                break
            if all(n[0] is not q[0] for q in picks) and self.misspell(n[0], rng) is not None:
                picks.append(n)
        for n in picks:
            n[2], n[3] = self.misspell(n[0], rng), "misspelled"
        accentable = [n for _r, n in all_rows if n[3] == "exact"
                      and (n[0].first in ACCENTED or n[0].last in ACCENTED)]
        seen: set[str] = set()
        for n in accentable:
            if n[0].person_id not in seen:
                seen.add(n[0].person_id)
                n[2] = " ".join(ACCENTED.get(w, w) for w in n[0].name.split())
                n[3] = "accents"
        exact = [n for _r, n in all_rows if n[3] == "exact"]
        for n in rng.sample(exact, 8):
            n[2], n[3] = n[0].name.lower(), "lower case"
        exact = [n for _r, n in all_rows if n[3] == "exact"]
        spacings = ("{f}  {l}", " {f} {l}", "{f} {l} ", "{f}   {l}")
        for i, n in enumerate(rng.sample(exact, 4)):
            n[2] = spacings[i].format(f=n[0].first, l=n[0].last)
            n[3] = "spacing"
        rows: list[list[str]] = []
        self.written: list[dict[str, Any]] = []
        for r in respondents:
            if not noms[r.person_id]:
                rows.append([r.person_id, "", RELATION, ""])
                continue
            for person, freq, written, how in noms[r.person_id]:
                text = written if written is not None else person.name
                rows.append([r.person_id, text, RELATION, str(freq)])
                self.written.append({"respondent": r.person_id, "written": text,
                                     "person_id": person.person_id if person else None,
                                     "frequency": freq, "how": how})
        self.survey_rows = rows
        self.respondents = [r.person_id for r in respondents]
        self.non_respondents = sorted(out)
        self.nobody = sorted(nobody)
        self.check_names()

    def misspell(self, p: Principal, rng: random.Random) -> str | None:
        """A one- or two-letter misspelling of ``p``'s name that fuzzy-matches only ``p``."""
        last = p.last
        # swap two neighbouring letters past the first ("Vickery" -> "Vickrey"), nearest the
        # end first
        swaps = [last[:i] + last[i + 1] + last[i] + last[i + 2:]
                 for i in range(len(last) - 3, 1, -1) if last[i] != last[i + 1]]
        # drop a doubled letter ("Merriweather" -> "Meriweather")
        drops = [last[:i] + last[i + 1:] for i in range(1, len(last) - 1)
                 if last[i] == last[i + 1]]
        # change a vowel ("Pettigrew" -> "Pettegrew")
        vowels = [last[:i] + v + last[i + 1:] for i in range(1, len(last))
                  if last[i] in "aeiou" for v in "aeiouy" if v != last[i]]
        if p is self.broker:
            options = swaps
        else:
            rng.shuffle(vowels)
            options = drops + vowels + swaps
        for cand in options:
            written = f"{p.first} {cand}"
            if self.fuzzy_ok(written, p):
                return written
        return None

    def fuzzy_ok(self, written: str, p: Principal) -> bool:
        norm = normalize_name(written)
        if norm in {normalize_name(q.name) for q in self.people}:
            return False
        scores = sorted(((similarity(written, q.name), q.person_id) for q in self.people),
                        reverse=True)
        (best, who), (second, _) = scores[0], scores[1]
        return who == p.person_id and best >= 0.85 and second <= best - 0.1

    def resolve(self, written: str) -> tuple[str | None, str, list[str]]:
        """(person id, how, candidates) of a written name, as a name matcher would see it."""
        norm = normalize_name(written)
        exact = [p.person_id for p in self.people if normalize_name(p.name) == norm]
        if exact:
            return exact[0], "exact", exact
        if " " not in norm:
            firsts = [p.person_id for p in self.people if normalize_name(p.first) == norm]
            return None, "ambiguous", firsts
        scores = sorted(((similarity(written, q.name), q.person_id) for q in self.people),
                        reverse=True)
        return scores[0][1], "fuzzy", [scores[0][1]]

    def check_names(self) -> None:
        for w in self.written:
            pid, how, cands = self.resolve(w["written"])
            if w["how"] == "ambiguous":
                ok = pid is None and len(cands) == 2
            elif w["how"] == "misspelled":
                ok = how == "fuzzy" and pid == w["person_id"]
            else:
                ok = how == "exact" and pid == w["person_id"]
            if not ok:
                raise RuntimeError(f"survey name {w['written']!r} does not resolve as planted")

    def survey_csv(self) -> str:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(SURVEY_HEADER)
        writer.writerows(self.survey_rows)
        return buf.getvalue()

    # == groups =================================================================================
    def groups(self) -> None:
        rng = self.rng(3)
        rows: list[tuple[str, str, str, str]] = []
        self.group_sizes: dict[str, int] = {}

        def add(group: str, members: list[tuple[Principal, str, str]]) -> None:
            self.group_sizes[group] = len(members)
            rows.extend((p.person_id, group, role, since)
                        for p, role, since in sorted(members, key=lambda m: m[0].person_id))

        def since(p: Principal) -> str:
            if p.years <= 1:
                return "2025-08-18"
            return rng.choice(("2022-08-22", "2023-08-21", "2024-08-19", "2024-08-19"))

        for k, town in enumerate(DISTRICT_TOWNS):
            elementary = [p for p in self.in_district(k) if p.school.endswith("Elementary")]
            if self.join_only.district == self.districts[k] and self.join_only not in elementary:
                elementary.append(self.join_only)
            lead = max(elementary, key=lambda p: (p.years, p.person_id))
            add(f"{town} Elementary PLC",
                [(p, "facilitator" if p is lead else "member", since(p)) for p in elementary])
        new = [p for p in self.people if p.years <= 2]
        veterans = [p for p in self.people if p.years >= 15]
        mentors = rng.sample(veterans, 2)
        add("New Principals Cohort 2025", [(p, "member", "2025-08-04") for p in new]
            + [(p, "mentor", "2025-08-04") for p in mentors])
        circle = [self.join_only]
        for k, n in enumerate((3, 3, 2)):
            pool = [p for p in self.in_district(k) if p not in circle]
            circle += rng.sample(pool, n - (1 if self.join_only in self.in_district(k) else 0))
        host = rng.choice([p for p in circle if p is not self.join_only])
        add("Tri-District Mentoring Circle",
            [(p, "facilitator" if p is host else "member", "2025-09-15") for p in circle])
        for k, town in enumerate(DISTRICT_TOWNS):
            pool = self.in_district(k)
            members = rng.choices(pool, weights=[1 + p.years for p in pool], k=40)
            committee = list(dict.fromkeys(members))[:5]
            if len(committee) < 5:
                committee += [p for p in pool if p not in committee][:5 - len(committee)]
            chair = max(committee, key=lambda p: (p.years, p.person_id))
            add(f"{town} District Leadership Committee",
                [(p, "chair" if p is chair else "member", "2025-07-01") for p in committee])
        self.group_rows = rows

    def groups_csv(self) -> str:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(GROUPS_HEADER)
        writer.writerows(self.group_rows)
        return buf.getvalue()

    # == person level ===========================================================================
    def person_graph(self, slack: dict[str, Any], *, fuzzy: bool = True,
                     ambiguous: str | None = None) -> tuple[dict[str, dict[str, set[str]]],
                                                             set[str]]:
        """Contacts by source (x, slack, survey) per node, and who is present.

        Nodes are roster person ids, or account keys for accounts no roster person owns.
        ``fuzzy=False`` drops misspelled nominees; ``ambiguous`` resolves the ambiguous name
        to that person (the review outcome) instead of dropping it.
        """
        person_of_x = {p.x_account: p.person_id for p in self.people if p.x_account}
        person_of_slack = {u.id: u.person_id for u in self.users if u.person_id}
        contacts: dict[str, dict[str, set[str]]] = {}

        def tie(source: str, a: str, b: str) -> None:
            if a != b:
                contacts.setdefault(a, {}).setdefault(source, set()).add(b)
                contacts.setdefault(b, {}).setdefault(source, set()).add(a)

        for acc in sorted(self.x_contacts):
            for other in sorted(self.x_contacts[acc]):
                tie("x", person_of_x.get(acc, acc), person_of_x.get(other, other))
        for a, b in sorted(slack["pairs"]):
            tie("slack", person_of_slack.get(a, f"slack:{TEAM_ID}/{a}"),
                person_of_slack.get(b, f"slack:{TEAM_ID}/{b}"))
        for w in self.written:
            if w["frequency"] < MIN_FREQUENCY:
                continue
            target = w["person_id"]
            if w["how"] == "misspelled" and not fuzzy:
                continue
            if w["how"] == "ambiguous":
                if ambiguous is None:
                    continue
                target = ambiguous
            tie("survey", w["respondent"], target)
        present = {person_of_x.get(a, a) for a in self.x_posters}
        present |= {person_of_slack.get(a, f"slack:{TEAM_ID}/{a}") for a in slack["authors"]}
        present |= set(self.respondents) | set(contacts)
        return contacts, present

    def categories(self, contacts: dict[str, dict[str, set[str]]],
                   present: set[str]) -> dict[str, str]:
        out = {}
        for p in self.people:
            pid = p.person_id
            if pid not in present:
                out[pid] = "absent"
            elif not any(contacts.get(pid, {}).values()):
                out[pid] = "isolate"
            else:
                out[pid] = "connected"
        return out

    # == everything ============================================================================
    def build(self) -> None:
        self.slack()
        self.slack_zip_entries = self.slack_entries()
        self.survey()
        self.groups()

    def ground_truth(self) -> dict[str, Any]:
        slack = self.slack_facts(self.slack_zip_entries)
        contacts, present = self.person_graph(slack)
        cats = self.categories(contacts, present)
        variants = [self.categories(*self.person_graph(slack, fuzzy=False))]
        for cand in self.ambiguous[0]["candidates"]:
            variants.append(self.categories(*self.person_graph(slack, ambiguous=cand)))
        for v in variants:
            if v != cats:
                raise RuntimeError("person-level categories depend on name matching")
        absent = sorted(pid for pid, c in cats.items() if c == "absent")
        isolates = sorted(pid for pid, c in cats.items() if c == "isolate")
        x_absent = sorted(p.person_id for p in self.people if p.x_category == "absent")
        x_isolates = sorted(p.person_id for p in self.people if p.x_category == "isolate")

        def deg(pid: str, source: str | None = None) -> int:
            c = contacts.get(pid, {})
            if source is not None:
                return len(c.get(source, set()))
            return len(set().union(*c.values())) if c else 0

        # the planted facts
        thread_msg, thread_peers, mention_reply, later = self.planted_thread
        sp = self.thread_starter.person_id
        peer_ids = sorted(u.person_id for u in thread_peers if u.person_id)
        problems = []

        def need(ok: bool, what: str) -> None:
            if not ok:
                problems.append(what)

        need(sorted(contacts.get(sp, {}).get("slack", set())) == peer_ids,
             "thread starter's Slack contacts are not the three repliers")
        need(cats[sp] == "connected" and deg(sp, "x") == 0 and deg(sp, "survey") == 0,
             "thread starter")
        pp = self.slack_poster.person_id
        need(cats[pp] == "connected" and deg(pp, "slack") >= 1 and deg(pp, "survey") == 0,
             "Slack-only poster")
        need(cats[self.join_only.person_id] == "absent", "join-only user is not absent")
        sn = self.survey_named.person_id
        need(cats[sn] == "connected" and deg(sn) == deg(sn, "survey") == 2, "survey-named")
        need(cats[self.nowhere.person_id] == "absent", "nowhere")
        need(cats[self.low_freq.person_id] == "isolate", "below-threshold isolate")
        need(absent == sorted([self.join_only.person_id, self.nowhere.person_id]), "absent")
        need(isolates == [self.low_freq.person_id], f"isolates {isolates}")
        need(slack["users"][self.user_of[self.join_only.person_id].id] is not None
             and self.user_of[self.join_only.person_id].id not in slack["authors"], "join only")
        need(max(len([w for w in self.written if w["respondent"] == r])
                 for r in self.respondents) <= 5, "a respondent names more than five")
        if problems:
            raise RuntimeError("planted sources do not hold: " + "; ".join(problems))

        def entry(p: Principal, **extra: Any) -> dict[str, Any]:
            return {"person_id": p.person_id, "name": p.name, "district": p.district, **extra}

        def uid(p: Principal) -> str | None:
            u = self.user_of.get(p.person_id)
            return u.id if u else None

        sc = slack["counts"]
        ties = {frozenset((a, b)) for a, c in contacts.items() for s in c.values() for b in s}
        memberships: dict[str, list[str]] = {}
        for pid, group, _role, _since in self.group_rows:
            memberships.setdefault(pid, []).append(group)
        below = [w for w in self.written if w["frequency"] < MIN_FREQUENCY]
        advice = {(w["respondent"], w["person_id"]) for w in self.written
                  if w["frequency"] >= MIN_FREQUENCY and w["how"] != "ambiguous"}
        people = {}
        for p in self.people:
            pid = p.person_id
            people[pid] = {
                "category": cats[pid], "x_category": p.x_category, "degree": deg(pid),
                "x_degree": deg(pid, "x"), "slack_degree": deg(pid, "slack"),
                "survey_degree": deg(pid, "survey"), "slack_user": uid(p),
                "respondent": pid in self.respondents, "groups": memberships.get(pid, []),
            }
        return {
            "generator": "scripts/make_sample_sources.py",
            "random_seed": f"random.Random(({self.seed} * 7 + 1) * 16 + part), part 1 Slack, "
                           "2 survey, 3 groups",
            "slack": {
                "file": SLACK_FILE, "team_id": TEAM_ID, "team_name": TEAM_NAME,
                "account_key": f"slack:{TEAM_ID}/<user id>",
                "layout": ["channels.json", "integration_logs.json", "users.json",
                           "<channel>/<YYYY-MM-DD>.json"],
                "users": len(self.users),
                "roster_users": sum(u.kind == "principal" for u in self.users),
                "staff_users": len(self.staff), "bot_users": 1,
                "channels": len(CHANNELS), "channel_names": list(CHANNELS),
                "day_files": len(self.slack_zip_entries) - 3,
                **sc,
                "interactions": slack["interactions"],
                "user_pairs_tied": len({frozenset(x) for x in slack["pairs"]}),
                "user_of_person": {u.person_id: u.id for u in self.users if u.person_id},
                "not_in_slack": sorted(p.person_id for p in self.not_in_slack),
                "nicknames": [{"person_id": u.person_id, "user": u.id,
                               "display_name": u.display_name} for u in self.users
                              if u.person_id and u.display_name
                              and u.display_name != u.real_name],
                "empty_display_names": [u.person_id for u in self.users
                                        if u.person_id and not u.display_name],
                "staff": [{"user": u.id, "real_name": u.real_name, "email": u.email,
                           "title": u.title} for u in self.staff],
                "bot": {"user": self.bot.id, "bot_id": self.bot.bot_id, "username": BOT_NAME},
                "join_only": [self.join_only.person_id],
                "left_channel": {"person_id": self.leaver.person_id, "user": self.leaver.id,
                                 "channel": "new-principals"},
                "planted_thread": {
                    "channel": thread_msg.channel, "thread_ts": thread_msg.ts,
                    "starter": self.thread_starter.person_id, "repliers": peer_ids,
                    "later_mention_of": later.person_id},
                "reply_mentions_starter": {
                    "channel": mention_reply.channel, "ts": mention_reply.ts,
                    "thread_ts": thread_msg.ts, "user": mention_reply.user.id
                    if mention_reply.user else None,
                    "starter": self.user_of[self.thread_starter.person_id].id,
                    "interactions": ["message"]},
            },
            "survey": {
                "file": SURVEY_FILE, "question": SURVEY_QUESTION, "relation": RELATION,
                "scale": SCALE, "min_frequency": MIN_FREQUENCY, "rows": len(self.survey_rows),
                "respondents": len(self.respondents),
                "non_respondents": self.non_respondents, "named_nobody": self.nobody,
                "nominations": len(self.written),
                "nominations_below_threshold": len(below),
                "nominations_at_threshold": len(self.written) - len(below),
                "advice_ties": len(advice),
                "name_variants": {
                    "exact": sum(w["how"] == "exact" for w in self.written),
                    "folded": [{k: w[k] for k in ("respondent", "written", "person_id", "how")}
                               for w in self.written
                               if w["how"] in ("lower case", "spacing", "accents")],
                },
                "misspelled": [{k: w[k] for k in ("respondent", "written", "person_id",
                                                  "frequency")}
                               for w in self.written if w["how"] == "misspelled"],
                "ambiguous": self.ambiguous,
                "planted": {
                    "named_only": entry(self.survey_named, named_by=sorted(
                        w["respondent"] for w in self.written
                        if w["person_id"] == self.survey_named.person_id),
                        frequencies=sorted(w["frequency"] for w in self.written
                                           if w["person_id"] == self.survey_named.person_id)),
                    "below_threshold_only": entry(self.low_freq),
                    "named_nobody": entry(self.named_nobody),
                },
            },
            "groups": {
                "file": GROUPS_FILE, "groups": len(self.group_sizes),
                "memberships": len(self.group_rows), "sizes": self.group_sizes,
                "people_in_groups": len(memberships),
                "join_only_groups": memberships.get(self.join_only.person_id, []),
            },
            "person_level": {
                "rule": PERSON_RULE, "tie_rules": [X_RULE, SLACK_RULE, SURVEY_RULE],
                "min_advice_frequency": MIN_FREQUENCY,
                "files": ["naespchat_twarc2.jsonl", "principallife_tags.csv", SLACK_FILE,
                          SURVEY_FILE, "roster.csv"],
                "absent": absent, "isolates": isolates,
                "absent_on_x": x_absent, "isolates_on_x": x_isolates,
                "no_longer_absent": sorted(set(x_absent) - set(absent)),
                "no_longer_isolated": sorted(set(x_isolates) - set(isolates)),
                "absent_with_memberships": sorted(pid for pid in absent if pid in memberships),
                "ties": len(ties),
                "planted": {
                    "thread_starter": entry(self.thread_starter, x="isolate",
                                            now=cats[sp], slack_contacts=peer_ids),
                    "slack_poster": entry(self.slack_poster, x="absent", now=cats[pp],
                                          channel=DISTRICT_CHANNELS[
                                              self.district_of(self.slack_poster)],
                                          mentioned_by=self.poster_fan.person_id,
                                          slack_contacts=sorted(
                                              contacts.get(pp, {}).get("slack", set()))),
                    "survey_named": entry(self.survey_named, x="absent", now=cats[sn],
                                          survey_contacts=sorted(
                                              contacts.get(sn, {}).get("survey", set()))),
                    "join_only": entry(self.join_only, x="absent",
                                       now=cats[self.join_only.person_id]),
                    "nowhere": entry(self.nowhere, x="absent", now=cats[self.nowhere.person_id]),
                    "below_threshold": entry(self.low_freq, x="isolate",
                                             now=cats[self.low_freq.person_id]),
                },
                "people": people,
            },
        }


def zip_bytes(entries: Sequence[tuple[str, bytes]]) -> bytes:
    """A deterministic zip: fixed timestamps, attributes, order and compression."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=EXPORT_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            zf.writestr(info, data, compresslevel=6)
    return buf.getvalue()


def generate_sources(out: Path, seed: int, roster: Sequence[dict[str, str]],
                     x_categories: dict[str, str], x_contacts: dict[str, set[str]],
                     x_posters: set[str]) -> dict[str, Any]:
    """Write the Slack export, the survey and the groups to ``out``; return their ground truth.

    Parameters
    ----------
    out : pathlib.Path
        The sample folder.
    seed : int
        The sample's seed; this generator's own random generators derive from ``seed * 7 + 1``.
    roster : sequence of dict
        The roster rows (``roster.csv`` columns).
    x_categories : dict
        Person id -> category in the X ground truth (absent, isolate, single_tie, ...).
    x_contacts : dict
        X account key -> the account keys it is tied to (undirected, both files).
    x_posters : set of str
        X account keys that posted.

    Returns
    -------
    dict
        The ``"sources"`` entry of ``ground_truth.json``.
    """
    s = Sources(seed, roster, x_categories, x_contacts, x_posters)
    s.build()
    gt = s.ground_truth()
    (out / SLACK_FILE).write_bytes(zip_bytes(s.slack_zip_entries))
    (out / SURVEY_FILE).write_text(s.survey_csv(), encoding="utf-8")
    (out / GROUPS_FILE).write_text(s.groups_csv(), encoding="utf-8")
    return gt


def _reflow(text: str, width: int = 96) -> str:
    """Re-wrap the paragraphs and bullets of generated Markdown (tables and headings kept)."""
    out: list[str] = []
    lead = text[:len(text) - len(text.lstrip("\n"))]
    trail = text[len(text.rstrip("\n")):]
    for block in text.strip("\n").split("\n\n"):
        lines = block.split("\n")
        if not block.strip() or lines[0].startswith(("|", "#", "```")):
            out.append(block)
            continue
        items: list[str] = []
        for line in lines:
            if line.startswith("- ") or not items:
                items.append(line.strip())
            else:
                items[-1] += " " + line.strip()
        wrapped = [textwrap.fill(item, width=width, break_long_words=False,
                                 break_on_hyphens=False,
                                 subsequent_indent="  " if item.startswith("- ") else "")
                   for item in items]
        out.append("\n".join(wrapped))
    return lead + "\n\n".join(out) + trail


def readme_section(sources: dict[str, Any], names: dict[str, str]) -> str:
    """The README section on the three sources, with their counts and planted facts."""
    sl, sv, gr, pl = (sources[k] for k in ("slack", "survey", "groups", "person_level"))
    pt = sl["planted_thread"]
    planted = pl["planted"]
    misspelled = "; ".join(f"\"{m['written']}\" for {m['person_id']} {names[m['person_id']]}"
                           for m in sv["misspelled"])
    amb = sv["ambiguous"][0]
    nick = ", ".join(f"\"{n['display_name']}\" ({n['person_id']})" for n in sl["nicknames"])
    groups = "\n".join(f"| {g} | {n} |" for g, n in gr["sizes"].items())
    accents = ", ".join(f"\"{w['written']}\"" for w in sv["name_variants"]["folded"]
                        if w["how"] == "accents")
    files = "\n".join((
        "| file | what it is |",
        "|---|---|",
        f"| `{sl['file']}` | a Slack workspace export of \"{sl['team_name']}\" (team "
        f"`{sl['team_id']}`): {sl['users']} users ({sl['roster_users']} roster principals, "
        f"{sl['staff_users']} district staff, {sl['bot_users']} bot), {sl['channels']} "
        f"channels, {sl['messages']} messages in {sl['day_files']} day files |",
        f"| `{sv['file']}` | a long-form advice survey, \"{sv['question']}\": "
        f"`respondent,nominee,relation,frequency`, {sv['rows']} rows from "
        f"{sv['respondents']} respondents |",
        f"| `{gr['file']}` | group rosters, `person_id,group,role,since`: {gr['groups']} "
        f"groups, {gr['memberships']} memberships |",
    ))

    def who(key: str) -> str:
        e = planted[key]
        return f"{e['person_id']} {e['name']}"

    return _reflow(f"""
## More sources: Slack, an advice survey, group rosters

Three more sources for the same 60 principals, just as synthetic (made up by
`scripts/make_sample_sources.py`, called from `make_sample_data.py`; emails use the districts'
`example.org` domains, and nothing was exported from a real workspace or survey).

{files}

### Slack export (`{sl['file']}`)

Slack's export layout: `users.json`, `channels.json`, `integration_logs.json` and one folder
per channel ({', '.join('#' + c for c in sl['channel_names'])}) of day files
`<channel>/<YYYY-MM-DD>.json`, each an array of messages in `ts` order; a day is the UTC date
of `ts`, so an evening message in US Eastern time lands in the next day's file. The JSON is
written as Slack writes it: 4-space indent, non-ASCII as `\\u` escapes and `/` as `\\/`.
Accounts are `slack:{sl['team_id']}/<user id>`; a roster principal's profile `email` is the
roster email (display names are mostly roster names, a few are nicknames: {nick}; some are
empty). The fall term runs 2 September to 19 December 2025.

- {sl['top_level_posts']} top-level posts and {sl['thread_replies']} thread replies
  ({sl['conversation_messages']} conversation messages): {sl['threads']} threads of 1-5
  replies; a parent has `thread_ts` = its own `ts`, `reply_count`, `reply_users`, `replies`;
  a reply has `thread_ts` and `parent_user_id`, and may land in a later day file;
- {sl['thread_broadcasts']} replies also sent to the channel (subtype `thread_broadcast`,
  with `root`, no `parent_user_id`); {sl['file_shares']} file shares (subtype `file_share`,
  `files`); {sl['mentions']} `<@U...>` mentions; `&`, `<`, `>` escaped as `&amp;`, `&lt;`,
  `&gt;` in `text`, links as `<url|label>`, and rich-text `blocks` beside `text`;
- {sl['joins']} `channel_join` and {sl['leaves']} `channel_leave` notices (`<@U...> has joined
  the channel`), {sl['bot_messages']} reminders from the bot (subtype `bot_message`, `bot_id`,
  `username`, no `user`): none of them is conversation;
- ties by the rule below: {sl['interactions']['message']} thread-reply interactions (kind
  `message`) and {sl['interactions']['mention']} mention interactions, {sl['user_pairs_tied']}
  tied pairs of users.

### Advice survey (`{sv['file']}`)

One nomination a row: `respondent` is a person id, `nominee` the name as the respondent wrote
it, `relation` `advice`, `frequency` on a 4-point scale (1 a few times a year, 2 about monthly,
3 every two weeks or so, 4 weekly or more; the usual tie threshold is {sv['min_frequency']}). A
respondent who names nobody has one row with an empty nominee and frequency.

- {sv['respondents']} of 60 principals answer; {len(sv['non_respondents'])} do not
  ({', '.join(sv['non_respondents'])}); {len(sv['named_nobody'])} answer and name nobody
  ({', '.join(sv['named_nobody'])});
- {sv['nominations']} nominations, {sv['nominations_below_threshold']} of them rated 1 or 2
  (below the threshold), {sv['nominations_at_threshold']} at frequency {sv['min_frequency']}+
  (as written); {sv['advice_ties']} advice ties between people at frequency
  {sv['min_frequency']}+ once names are resolved (the ambiguous one is not);
- names as people write them: {sv['name_variants']['exact']} exact,
  {len(sv['name_variants']['folded'])} in lower case, with extra spaces or with accents the
  ASCII roster lacks ({accents});
  {len(sv['misspelled'])} misspelled (fuzzy matches: {misspelled}); one first name only,
  "{amb['written']}", written by {amb['respondent']}, matching {' and '.join(amb['candidates'])}:
  ambiguous, for review, no tie.

### Groups (`{gr['file']}`)

| group | members |
|---|---|
{groups}

An elementary PLC per district, the new-principals cohort (years as principal at most 2, plus
two mentors), a mentoring circle across the districts and a five-person leadership committee
per district. Memberships are not ties here (a co-membership projection would make them so).

### Planted across sources

Person-level expectations after ingesting every file with the roster:

- people: {PERSON_RULE};
- {X_RULE};
- {SLACK_RULE};
- {SURVEY_RULE}.

Then:

- **{who('thread_starter')}**, an isolate on X, starts a thread in #{pt['channel']} answered by
  {', '.join(pt['repliers'])} (one reply also mentions the starter: one tie, not two) and later
  mentions {pt['later_mention_of']} in a post: connected at person level;
- **{who('slack_poster')}**, absent on X, posts in #{planted['slack_poster']['channel']} and is
  mentioned by {planted['slack_poster']['mentioned_by']}: connected;
- **{who('survey_named')}**, absent on X and not in Slack, does not answer the survey but is
  named by {' and '.join(planted['survey_named']['survey_contacts'])} (frequency
  {' and '.join(map(str, sv['planted']['named_only']['frequencies']))}): connected, by two
  advice ties;
- **{who('join_only')}** is a Slack user with only a `channel_join` notice in #general, answers
  no survey and is named by nobody: still absent (though a member of
  {len(gr['join_only_groups'])} groups, which are not ties);
- **{who('nowhere')}** is in no source: absent;
- **{who('below_threshold')}**, an isolate on X and not in Slack, names two colleagues and is
  named once, all below frequency {sv['min_frequency']}: still an isolate;
- so at person level: absent {', '.join(pl['absent'])}; isolates {', '.join(pl['isolates'])};
  no longer absent {', '.join(pl['no_longer_absent'])}; no longer isolated
  {', '.join(pl['no_longer_isolated'])}; {pl['ties']} ties in all. These hold whether or not the
  misspelled names are matched, and whichever way the ambiguous name is resolved.

`ground_truth.json` has all of this under `"sources"`, with each person's category, degree by
source (`x_degree`, `slack_degree`, `survey_degree`), Slack user id, survey response and groups.
""")
