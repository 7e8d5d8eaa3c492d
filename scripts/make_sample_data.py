"""Generate the synthetic sample data set in ``data/sample``, with a planted ground truth.

Usage::

    python scripts/make_sample_data.py                  # writes data/sample/
    python scripts/make_sample_data.py --out DIR --seed 2024

It writes eight files, all synthetic (no real people, posts or accounts):

- ``naespchat_twarc2.jsonl``: a fall term (12 weekly chats, Sept-Dec 2025) of #NAESPchat as
  X API v2 search pages, one page a line, as ``twarc2 search`` writes them;
- ``principallife_tags.csv``: #PrincipalLife traffic over the same term as a TAGS archive
  (Twitter Archiving Google Sheet export, 18 columns), with the format's quirks;
- ``roster.csv``: 60 principals in three districts, with their X handles and user ids;
- ``ground_truth.json``: the planted network structure, machine-readable;
- ``README.md``: what the files are, how they were made and what is planted;
- ``district_slack.zip``, ``advice_survey.csv`` and ``plc_groups.csv``: a Slack export, an
  advice survey and group rosters for the same principals, written by
  ``scripts/make_sample_sources.py`` with a random generator of their own (so the files above
  do not change), and described under ``"sources"`` in ``ground_truth.json``.

Ties follow ``plnanalytics.ingest.tweets.PostSink``: a reply ties the author to the
replied-to author (not again as a mention), a retweet ties the retweeter only to the
original author, a quote ties the quoter to the quoted author, mentions tie the author to
each mentioned account, and self-loops are not ties. The generator checks the planted
structure on the ties its own output yields and stops with an error if any part fails.

Only the standard library and numpy are used; the output is byte-identical for a seed.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import io
import json
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import combinations, permutations
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

# -- calendar ---------------------------------------------------------------------------------
#: US daylight saving time ends at 2 am EDT on Sunday 2 November 2025 (06:00 UTC).
DST_END = datetime(2025, 11, 2, 6, 0, tzinfo=UTC)
#: Tuesday chats, 8-9 pm US Eastern; no chat in Thanksgiving week (25 November).
CHAT_DAYS = [date(2025, 9, 9) + timedelta(weeks=i) for i in range(11)] + [date(2025, 12, 2)]
TERM_FIRST_DAY = date(2025, 9, 8)
TERM_LAST_DAY = date(2025, 12, 7)
RETRIEVED_AT = datetime(2026, 1, 12, 15, 4, 9, tzinfo=UTC)
TWEPOCH_MS = 1288834974657
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

HUB_TAG = "NAESPchat"
TAGS_TAG = "PrincipalLife"
TWARC2_FILE = "naespchat_twarc2.jsonl"
TAGS_FILE = "principallife_tags.csv"
TAGS_HEADER = (
    "id_str", "from_user", "text", "created_at", "time", "geo_coordinates", "user_lang",
    "in_reply_to_user_id_str", "in_reply_to_screen_name", "from_user_id_str",
    "in_reply_to_status_id_str", "source", "profile_image_url", "user_followers_count",
    "user_friends_count", "user_location", "status_url", "entities_str",
)
ROSTER_HEADER = ("person_id", "name", "email", "district", "school", "role",
                 "years_as_principal", "x_handle", "x_user_id")
SEARCH_URL = (
    "https://api.twitter.com/2/tweets/search/all?expansions=author_id%2Cin_reply_to_user_id"
    "%2Creferenced_tweets.id%2Creferenced_tweets.id.author_id%2Centities.mentions.username"
    "&user.fields=created_at%2Cdescription%2Cid%2Clocation%2Cname%2Cpublic_metrics%2Cusername"
    "%2Cverified&tweet.fields=author_id%2Cconversation_id%2Ccreated_at%2Centities%2Cid"
    "%2Cin_reply_to_user_id%2Clang%2Cpublic_metrics%2Creferenced_tweets%2Csource%2Ctext"
    "&query=%23NAESPchat&start_time=2025-09-01T00%3A00%3A00%2B00%3A00"
    "&end_time=2025-12-15T00%3A00%3A00%2B00%3A00&max_results=100"
)
TWARC_VERSION = "2.14.0"

# -- people -----------------------------------------------------------------------------------
FIRST_NAMES = (
    "Alma", "Andre", "Beatriz", "Bennett", "Calla", "Corwin", "Dalia", "Desmond", "Elodie",
    "Emeric", "Fiona", "Fletcher", "Gianna", "Gideon", "Harriet", "Hollis", "Imani", "Ingram",
    "Jolene", "Jasper", "Kendra", "Keaton", "Lorna", "Lucian", "Marisol", "Merritt", "Nadia",
    "Nolan", "Odette", "Orson", "Priya", "Porter", "Quinn", "Rosalind", "Rafael", "Sabine",
    "Silas", "Tamsin", "Thaddeus", "Ursula", "Vivian", "Vaughn", "Willa", "Warren", "Yara",
    "Zane", "Adaeze", "Bram", "Celeste", "Dorian", "Esme", "Flint", "Greer", "Hamish", "Ione",
    "Jarrah", "Kismet", "Leland", "Mireille", "Nico", "Opal", "Pascal", "Reva", "Soren",
    "Tova", "Ulric", "Verity", "Wendell", "Xiomara", "Yusuf", "Zelda", "Auden", "Briar",
    "Cosima", "Delphine", "Ezra", "Fern", "Galen", "Hazel", "Ivo", "Juno", "Kit", "Lark",
    "Marlowe", "Noor", "Oren", "Petra", "Rowan", "Saoirse", "Teodor", "Wren", "Xander",
)
LAST_NAMES = (
    "Abernathy", "Bellweather", "Castellanos", "Dunmore", "Ellery", "Fairbanks", "Galloway",
    "Hathersage", "Ingleby", "Jaramillo", "Kettering", "Lindqvist", "Marchetti", "Northcott",
    "Okonkwo", "Pemberton", "Quintero", "Ravenscroft", "Sandoval", "Thornbury", "Underhill",
    "Valdivia", "Whitcombe", "Yarborough", "Zamora", "Ashdown", "Blackwood", "Carrow",
    "Delacroix", "Eastwick", "Fennimore", "Greystone", "Holloway", "Ibarra", "Juniper",
    "Kowalczyk", "Larkspur", "Merriweather", "Nakamura", "Oyelaran", "Prescott", "Rutherford",
    "Salcedo", "Tolliver", "Vandermeer", "Westbrook", "Yoshida", "Zielinski", "Ambrose",
    "Brightwater", "Cordova", "Dunleavy", "Ebright", "Foxworth", "Garnett", "Hargrove",
    "Iverson", "Jessup", "Kilbride", "Lockhart", "Mayfield", "Nettleton", "Ormsby", "Pettigrew",
    "Quarles", "Redfern", "Stallworth", "Treadwell", "Upshaw", "Vickery", "Winslow", "Yardley",
    "Zeller", "Ashcombe", "Birchall", "Crowder", "Dewhurst", "Eckersley", "Fairweather",
    "Goodfellow", "Hollingsworth", "Inchbald", "Jardine", "Kingsley", "Lowther", "Mortimer",
)
#: District key -> (name, email domain, town shown in profiles).
DISTRICTS = {
    "A": ("Cedar Valley Unified", "cedarvalley.example.org", "Cedar Valley"),
    "B": ("Riverbend Public Schools", "riverbend.example.org", "Riverbend"),
    "C": ("Lakeshore County Schools", "lakeshore.example.org", "Lakeshore County"),
}
DISTRICT_SIZES = {"A": 22, "B": 20, "C": 18}
SCHOOL_PLACES = (
    "Alder Creek", "Aspen Hollow", "Birch Lane", "Bluebonnet", "Briarwood", "Brookside",
    "Cascade", "Chestnut Hill", "Clearwater", "Cloverdale", "Cottonwood", "Crescent Park",
    "Deer Run", "Dogwood", "Eagle Ridge", "Elm Street", "Fairview", "Fern Hill", "Foxglove",
    "Garden Grove", "Glenwood", "Hawthorne", "Heron Pond", "Hickory Ridge", "Highland Park",
    "Indian Paintbrush", "Ivy Green", "Juniper Flats", "Kingfisher", "Lark Meadow",
    "Laurel Heights", "Linden", "Magnolia", "Maple Grove", "Meadowlark", "Mill Creek",
    "Mountain View", "Northgate", "Oak Hollow", "Orchard Park", "Osprey Point", "Pine Ridge",
    "Prairie Wind", "Quail Run", "Redbud", "Ridgeview", "Riverside", "Rolling Hills",
    "Sagebrush", "Silver Lake", "Spruce Hill", "Stonebridge", "Sunnyslope", "Sycamore",
    "Tamarack", "Thistle Down", "Timberline", "Twin Oaks", "Valley Forge", "Walnut Springs",
    "Westwind", "Willow Bend", "Wildflower", "Wren Hollow",
)
EDUCATOR_ROLES = (
    "assistant principal", "instructional coach", "teacher", "district curriculum lead",
    "superintendent", "school counselor", "assistant superintendent", "library media specialist",
    "teacher leader", "principal",
)
ELSEWHERE = (
    "Ohio", "Austin, TX", "Denver, CO", "Raleigh, NC", "Minnesota", "Sacramento, CA",
    "Vermont", "Tucson, AZ", "Iowa", "Richmond, VA", "Michigan", "Boise, ID", "Maine",
    "Albuquerque, NM", "Kentucky", "Spokane, WA", "",
)
TAGLINES = (
    "Kids first, always.", "Lead learner.", "Coffee-powered.", "Relationships before rigor.",
    "Dad of three.", "Mom, runner, reader.", "Former 3rd grade teacher.", "Views my own.",
    "Growing leaders.", "Every student, every day.", "Literacy nerd.", "Believer in teachers.",
)
#: (name shown by API v2, HTML anchor shown by TAGS).
SOURCES = (
    ("Twitter for iPhone",
     '<a href="http://twitter.com/download/iphone" rel="nofollow">Twitter for iPhone</a>'),
    ("Twitter for Android",
     '<a href="http://twitter.com/download/android" rel="nofollow">Twitter for Android</a>'),
    ("Twitter Web App",
     '<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>'),
    ("Twitter for iPad",
     '<a href="http://twitter.com/#!/download/ipad" rel="nofollow">Twitter for iPad</a>'),
)

# -- chat content -----------------------------------------------------------------------------
TOPICS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("launching the year: culture in the first weeks", (
        "What is one thing you did in the first weeks of school to set the tone?",
        "How do you help new students and families feel they belong right away?",
        "Which routines matter most to you in the first month, and how do you teach them?",
        "How are you welcoming staff who are new to your school this year?",
        "What is one thing you are doing differently from last year, and why?",
        "What is your leadership goal for this fall? Share it and we will cheer you on!")),
    ("attendance and family engagement", (
        "What does chronic absenteeism look like in your school right now?",
        "Which family outreach strategy has made the biggest difference for attendance?",
        "How do you celebrate better attendance without shaming students who struggle?",
        "How do you build trust with families who had hard experiences with school?",
        "What role do teachers play in your attendance plan?",
        "What is one attendance idea you will try in the next two weeks?")),
    ("classroom walkthroughs and feedback", (
        "How often do you get into classrooms, and how do you protect that time?",
        "What makes feedback after a walkthrough useful to a teacher?",
        "How do you use walkthrough notes without it feeling like evaluation?",
        "Have you tried peer walkthroughs or learning walks? How did it go?",
        "How do you follow up so feedback actually changes practice?",
        "What is one tool or template that makes walkthroughs easier for you?")),
    ("supporting new teachers", (
        "What do first-year teachers need most from their principal in the fall?",
        "How do you match mentors with new teachers?",
        "How do you spot a new teacher who is struggling before it becomes a crisis?",
        "What do you take off new teachers' plates?",
        "How do you help new teachers with classroom management?",
        "What message do you want every new teacher to hear from you this month?")),
    ("student mental health and well-being", (
        "What student well-being needs are you seeing this fall?",
        "How do you make sure every student has a trusted adult at school?",
        "How do counselors, teachers and families work together on student needs?",
        "What does a calm school day look like in your building?",
        "How do you support staff who carry heavy student stories?",
        "Which community resources have helped student well-being the most?")),
    ("using data without drowning in it", (
        "What data do you look at every week, and what do you ignore?",
        "How do you make data meetings useful for teachers?",
        "How do you share data with families?",
        "When did data change your mind about something?",
        "How do you balance numbers with stories from students and staff?",
        "What is one data routine you want to start or stop?")),
    ("leading through change", (
        "What change are you leading this year?",
        "How do you explain the why behind a change to your staff?",
        "How do you handle resistance without taking it personally?",
        "Who do you lean on when a change gets hard?",
        "How do you know a change is working?",
        "What advice would you give a principal leading their first big change?")),
    ("principal well-being", (
        "How are you really doing this fall? Be honest.",
        "What boundaries protect your time and energy?",
        "Who is in your support network as a principal?",
        "What do you do to recharge during the school week?",
        "How do you model well-being for your staff?",
        "What is one thing you will do for yourself this week?")),
    ("building leadership capacity in your staff", (
        "How do you spot emerging leaders on your staff?",
        "What leadership roles have teachers taken on in your building?",
        "How do you share decisions without losing clarity?",
        "How do you grow your assistant principal or leadership team?",
        "What does shared leadership look like on a hard day?",
        "Who gave you your first leadership opportunity, and what did you learn?")),
    ("community partnerships", (
        "Which community partner has made the biggest difference for your students?",
        "How do you start a partnership with a local business or organization?",
        "How do you keep partnerships going when people change jobs?",
        "How do partners support families beyond the school day?",
        "How do you thank and recognize your partners?",
        "What partnership would you love to build next?")),
    ("celebrating staff and students", (
        "How do you celebrate staff in ways that feel genuine?",
        "What student celebration is a tradition at your school?",
        "How do you notice the quiet wins that are easy to miss?",
        "How do you celebrate when the year has been hard?",
        "How do families take part in celebrations at your school?",
        "Shout out someone in your building (or in this chat) who deserves it!")),
    ("finishing the semester strong", (
        "What are you proudest of from this fall?",
        "What is one thing that did not go as planned, and what did you learn?",
        "How do you keep routines steady in the weeks before winter break?",
        "How are you supporting students and families who find the holidays hard?",
        "What will you reflect on over the break?",
        "What is one goal for the spring semester?")),
)
PRACTICES = (
    "we greet every student by name at the door each morning",
    "our staff meetings start with ten minutes of celebrations",
    "we moved family conferences to evenings and weekends",
    "teachers visit each other's classrooms once a month",
    "I block two hours a day for classrooms and guard them",
    "our counselor runs a check-in circle every Monday",
    "we make a positive phone call home for every student by October",
    "new teachers get a mentor and a release day each quarter",
    "we use a one-page data sheet in our PLCs",
    "our student leaders run the morning announcements",
    "we partnered with the public library for family nights",
    "I write handwritten notes to five staff members every Friday",
    "we co-plan with grade-level teams every other week",
    "our attendance team meets weekly and calls families the same day",
    "we built a calm corner in every classroom",
    "we cut our walkthrough form down to three look-fors",
    "teachers lead our professional learning now, not me",
    "we ask students what they need and then act on it",
    "I cover a class each week so a teacher can observe a colleague",
    "our family liaison speaks Spanish and Vietnamese",
    "we cut two meetings a month to give teachers time back",
    "we celebrate attendance growth, not just perfect attendance",
    "local businesses sponsor our reading challenge",
    "every student has a named adult who checks in weekly",
    "I take a walk outside with a staff member every week",
    "we start each day with a five-minute community meeting",
    "teacher leaders have a real budget and real decisions",
    "our PTO hosts a monthly coffee with the principal",
    "we use exit tickets to decide what to reteach the next day",
    "I stopped answering email after 7 pm and told my staff why",
    "custodians and cafeteria staff are part of every celebration",
    "we held a welcome picnic before the first day",
    "our assistant principal leads the data cycle this year",
    "we rewrote our discipline plan with students at the table",
    "a county counselor comes in twice a week",
    "every new family gets a home visit or a call from me",
    "our fifth graders mentor our kindergarteners",
    "we post teacher wins on a staff shout-out wall",
    "we changed our schedule to protect an intervention block",
    "every PLC starts with a student story, then the data",
)
OPENERS = ("", "For us,", "Honestly,", "This year", "At our school,", "Biggest lesson:",
           "Still learning, but", "We are trying something new:", "Simple answer:",
           "Our team agreed:")
CLOSERS = ("", "Game changer.", "Small steps!", "It has made a real difference.",
           "Still refining it.", "Would love ideas on this.", "Teachers noticed right away.",
           "Kids love it.", "Relationships first.", "Slow and steady.")
PEER_REPLIES = ("So true!", "Love this idea.", "Stealing this for my building!",
                "Yes! We saw the same thing.", "How did your staff respond?", "Great point.",
                "Could you share more about how you set that up?", "This is so important.",
                "Same here. It takes time.", "+1 to this.", "Simple idea, big impact.",
                "We tried this last year and it worked well.", "Thank you for sharing this!")
THANKS_BACK = ("Thanks! Happy to share more.", "Thank you! It took us a while to get there.",
               "Appreciate you! Let's connect.", "Thanks, friend!")
HOST_REPLIES = ("Great point!", "Love this!", "Thanks for sharing this.", "Yes! Well said.",
                "So glad you are here tonight!", "What a great idea.")
INTRO_EXTRAS = ("Excited to learn tonight!", "Coffee in hand.", "First time joining!",
                "Glad to be back.", "Long day, but I'm here!", "Ready to learn from you all.")
QUOTE_COMMENTS = ("This!", "Yes, this.", "Worth reading, principals.",
                  "Needed this reminder tonight.", "Such a good idea from tonight's chat.")

# -- #PrincipalLife content -------------------------------------------------------------------
PL_POSTS = (
    "Morning car line in the rain. Still the best part of my day.",
    "Read aloud in second grade today. The questions these kids ask!",
    "Lunch duty is where I learn the most about my students.",
    "Fire drill done in under four minutes. Proud of our team.",
    "Spent the afternoon in classrooms. Zero emails answered. Worth it.",
    "Our kindergarteners walked to the library by themselves today. Growth!",
    "Budget meeting, IEP meeting, bus duty, family night.",
    "A student asked me if I live at school. Some weeks, yes.",
    "Staff potluck today. Our teachers can cook!",
    "Walkthroughs this morning: so much great questioning in math.",
    "Picture day survived.",
    "Nothing beats a thank-you note from a fourth grader.",
    "Covered a class today. Respect to every teacher out there.",
    "Family literacy night: 140 families came! #EdLeadership",
    "Data meeting went well: our readers are growing.",
    "Hallway high fives count as cardio, right?",
    "Our custodian fixed three things before 7 am. Unsung heroes.",
    "Parent conferences all week. Grateful for the conversations.",
    "Bus 14 was late again, so we had a dance party in the gym.",
    "Costume parade, then a fire alarm, then a board presentation.",
    "Veterans Day assembly brought me to tears.",
    "Our student council planned the food drive on their own.",
    "Sitting in on PLCs today reminded me why I love this job.",
    "Recess duty in the cold: hat, gloves, coffee.",
    "New teacher observation today: she is going to be amazing.",
    "Reading buddies today: fifth graders with kindergarteners.",
    "Sometimes the job is just listening.",
    "Math night! Families playing fraction games in the cafeteria.",
    "Spent my planning time in the lunchroom. Best meeting of the day.",
    "Report cards signed. All 412 of them.",
    "Our choir sang at the district office today. #EdLeadership",
    "Cold coffee again.",
    "Leadership team retreat today. Big ideas for spring. #EdLeadership",
    "Grateful for a staff that shows up for kids every single day.",
    "Today a parent stopped me in the pickup line to say her son finally likes coming to school. "
    "Years of work by his teachers are in that one sentence.",
    "Our attendance team called the family of every student who missed two days this month, "
    "and chronic absence is down four points since September.",
    "Walked every classroom before lunch, then sat with our new teachers to talk about what "
    "they noticed. Their reflections were sharper than mine.",
)
PL_MENTIONS = (
    "So proud of @{m} and the fourth grade team for their science fair.",
    "Great learning walk with @{m} today. So many ideas to bring back.",
    "Thank you @{m} for the advice on master scheduling. Lifesaver.",
    "Coffee and problem solving with @{m} this morning.",
    "Shout out to @{m} for hosting our principal PLC.",
    "Borrowed a family night idea from @{m}. It worked!",
    "Grateful for colleagues like @{m} who always pick up the phone.",
    "Visited @{m}'s building today. Their calm hallways are goals.",
)
PL_REPLIES = ("Love this!", "So true.", "This made my day.", "Same here!",
              "Your staff is lucky to have you.", "Stealing this idea!",
              "Yes! Every single day.", "Such a great moment.", "Proud of you and your team.",
              "Ha! Been there.")

_MENTION = re.compile(r"(?<![\w@])@(\w{1,15})")
_HASHTAG = re.compile(r"(?<![\w#&])#(\w*[A-Za-z]\w*)")
_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


# -- model ------------------------------------------------------------------------------------
@dataclass(eq=False)
class Account:
    """An X account (and, for roster principals, the person behind it)."""

    uid: str
    handle: str
    name: str
    #: host, regular, clique, broker, never_sought, single, subgroup, isolate, absent,
    #: educator or lurker
    role: str
    created_at: datetime
    person_id: str | None = None
    district: str | None = None
    school: str | None = None
    title: str = "principal"
    description: str = ""
    location: str = ""
    followers: int = 0
    following: int = 0
    statuses: int = 0
    listed: int = 0
    likes: int = 0
    source: int = 0
    image: str = ""
    chat_p: float = 0.0
    tags_w: float = 0.0

    @property
    def key(self) -> str:
        """The account key, ``x:<user id>``."""
        return "x:" + self.uid


@dataclass(eq=False)
class Person:
    """A roster row."""

    person_id: str
    first: str
    last: str
    district: str
    school: str
    years: int
    account: Account | None = None
    category: str = "connected"

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


@dataclass(eq=False)
class Tweet:
    """One post as the API knows it (full text)."""

    id: str
    author: Account
    t: datetime
    text: str
    mentions: list[tuple[int, int, Account]]
    hashtags: list[tuple[int, int, str]]
    reply_to: Tweet | None = None
    retweet_of: Tweet | None = None
    quote_of: Tweet | None = None
    conversation_id: str = ""
    lang: str = "en"
    quote_url: str = ""
    more_url: str = ""
    metrics: dict[str, int] = field(default_factory=dict)

    def tags(self) -> set[str]:
        """Lowercase hashtags the search matches (a retweet matches by its original)."""
        if self.retweet_of is not None:
            return self.retweet_of.tags()
        return {h[2].lower() for h in self.hashtags}


def iso_ms(t: datetime) -> str:
    """``2025-09-10T00:00:00.000Z``."""
    return t.strftime("%Y-%m-%dT%H:%M:%S") + ".000Z"


def twitter_time(t: datetime) -> str:
    """``Wed Sep 10 00:00:00 +0000 2025`` (locale independent)."""
    return (f"{_DAYS[t.weekday()]} {_MONTHS[t.month - 1]} {t.day:02d} "
            f"{t.strftime('%H:%M:%S')} +0000 {t.year}")


def eastern(t: datetime) -> datetime:
    """UTC -> US Eastern wall time (naive), for the autumn 2025 term."""
    return (t + timedelta(hours=-4 if t < DST_END else -5)).replace(tzinfo=None)


def from_eastern(d: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """US Eastern wall time on day ``d`` -> UTC."""
    local = datetime(d.year, d.month, d.day, hour, minute, second, tzinfo=UTC)
    t = local + timedelta(hours=4)
    return t if t < DST_END else local + timedelta(hours=5)


def js_number(n: int) -> int:
    """What a JavaScript number keeps of an integer id (exact only below 2**53)."""
    return n if n < 2**53 else int(Decimal(repr(float(n))))


class Sample:
    """Builds the whole sample from one seed."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        self.accounts: list[Account] = []
        self.by_handle: dict[str, Account] = {}
        self.people: list[Person] = []
        self.tweets: list[Tweet] = []
        self.latent: dict[str, set[str]] = {}
        self.ids: set[int] = set()
        self.roles: dict[str, Account] = {}  # named planted accounts
        self.sub: list[Account] = []
        self.clique: list[Account] = []
        self.never: list[Account] = []
        self.originals: dict[str, list[Tweet]] = {}  # uid -> #PrincipalLife originals

    # -- random helpers ---------------------------------------------------------------------
    def chance(self, p: float) -> bool:
        return bool(self.rng.random() < p)

    def pick(self, seq: Sequence[Any]) -> Any:
        return seq[int(self.rng.integers(len(seq)))]

    def sample(self, seq: Sequence[Any], k: int) -> list[Any]:
        idx = self.rng.permutation(len(seq))[:k]
        return [seq[int(i)] for i in idx]

    def shuffled(self, seq: Sequence[Any]) -> list[Any]:
        return [seq[int(i)] for i in self.rng.permutation(len(seq))]

    def weighted(self, seq: Sequence[Any], weights: Sequence[float]) -> Any:
        w = np.asarray(weights, dtype=float)
        return seq[int(self.rng.choice(len(seq), p=w / w.sum()))]

    def uniform(self, lo: float, hi: float) -> float:
        return float(self.rng.uniform(lo, hi))

    def token(self, n: int) -> str:
        return "".join(_ALNUM[int(i)] for i in self.rng.integers(0, len(_ALNUM), n))

    def snowflake(self, t: datetime) -> int:
        while True:
            ms = int(t.timestamp()) * 1000 + int(self.rng.integers(0, 1000))
            value = ((ms - TWEPOCH_MS) << 22) | (int(self.rng.integers(0, 1024)) << 12)
            value |= int(self.rng.integers(0, 16))
            if value not in self.ids:
                self.ids.add(value)
                return value

    # -- accounts and roster ----------------------------------------------------------------
    def new_account(self, first: str, last: str, role: str, **kw: Any) -> Account:
        year = int(self.rng.integers(2009, 2024))
        created = datetime(year, 1, 1, tzinfo=UTC) + timedelta(
            seconds=int(self.rng.integers(0, 364 * 86400)))
        if created.year < 2016:
            frac = (created - datetime(2008, 1, 1, tzinfo=UTC)) / timedelta(days=8 * 365)
            uid = int(1.5e7 + frac * 4.6e9) + int(self.rng.integers(0, 2_000_000))
            self.ids.add(uid)
        else:
            uid = self.snowflake(created)
        handle = kw.pop("handle", None) or self.make_handle(first, last)
        photo = max(created, datetime(2017, 1, 1, tzinfo=UTC)) + timedelta(
            days=int(self.rng.integers(0, 700)))
        followers = int(self.rng.lognormal(6.2, 0.9))
        acc = Account(
            uid=str(uid), handle=handle, name=kw.pop("name", f"{first} {last}"), role=role,
            created_at=created, followers=followers,
            following=int(followers * self.uniform(0.4, 1.6)) + 20,
            statuses=int(self.rng.lognormal(7.5, 1.0)), listed=int(self.rng.integers(0, 40)),
            likes=int(self.rng.lognormal(7.8, 1.0)),
            source=int(self.weighted(range(len(SOURCES)), (5, 2, 3, 1))),
            image=(f"http://pbs.twimg.com/profile_images/{self.snowflake(photo)}/"
                   f"{self.token(8)}_normal.jpg"),
            **kw,
        )
        self.accounts.append(acc)
        self.by_handle[handle.lower()] = acc
        self.latent[acc.uid] = set()
        return acc

    def make_handle(self, first: str, last: str) -> str:
        options = [f"{first}{last}", f"Principal{last}", f"Dr{last}", f"{first[0]}{last}Leads",
                   f"{first}_{last}", f"{first}{last}Ed", f"{first[0]}{last}",
                   f"{first}{last[0]}Leads"]
        start = int(self.rng.integers(len(options)))
        for k in range(len(options)):  # handles have at most 15 characters
            cand = options[(start + k) % len(options)]
            if len(cand) <= 15 and cand.lower() not in self.by_handle:
                return cand
        while True:
            cand = f"{first[:6]}{last[:6]}{int(self.rng.integers(10, 100))}"
            if cand.lower() not in self.by_handle:
                return cand

    def build_people(self) -> None:
        rng = self.rng
        names = [(f, la) for f in FIRST_NAMES for la in LAST_NAMES]
        order = rng.permutation(len(names))
        uses: dict[str, int] = {}
        chosen: list[tuple[str, str]] = []
        for i in order:  # at most two people share a first name, or a last name
            f, la = names[int(i)]
            if uses.get(f, 0) >= 2 or uses.get(la, 0) >= 2:
                continue
            uses[f] = uses.get(f, 0) + 1
            uses[la] = uses.get(la, 0) + 1
            chosen.append((f, la))
            if len(chosen) == 110:
                break
        name_iter = iter(chosen)
        schools = iter(self.shuffled(SCHOOL_PLACES))

        self.host = self.new_account("Chat", "Host", "host", handle="NAESPchatMod",
                                     name="#NAESPchat Moderator", chat_p=1.0)
        self.host.description = ("Weekly chat for elementary and middle-level principals. "
                                 "Tuesdays 8-9 pm ET. Join us!")
        self.host.followers, self.host.following, self.host.listed = 18240, 2210, 640
        self.host.source = 2

        # district -> list of planted roles, the rest are "regular"
        plan = {
            "A": ["absent_nohandle", "clique", "clique", "clique", "clique", "clique", "single_rt",
                  "never_sought", "broker_a"],
            "B": ["absent_nohandle", "isolate_chat", "single_host", "broker"],
            "C": ["absent_nohandle", "absent", "isolate_tags", "single_peer", "never_sought",
                  "subgroup", "subgroup", "subgroup", "subgroup", "peer_of_single", "broker_c"],
        }
        pid = 0
        for dkey in ("A", "B", "C"):
            dname, _domain, town = DISTRICTS[dkey]
            roles = plan[dkey] + ["regular"] * (DISTRICT_SIZES[dkey] - len(plan[dkey]))
            roles = self.shuffled(roles)
            for role in roles:
                pid += 1
                first, last = next(name_iter)
                school = next(schools) + " " + self.weighted(
                    ("Elementary", "Middle School", "K-8 Academy"), (7, 2, 1))
                person = Person(f"P{pid:03d}", first, last, dname, school,
                                years=int(rng.integers(1, 22)))
                self.people.append(person)
                if role == "absent_nohandle":
                    person.category = "absent"
                    continue
                category = {"clique": "clique", "single_rt": "single_tie",
                            "single_host": "single_tie", "single_peer": "single_tie",
                            "never_sought": "never_sought", "broker": "broker",
                            "isolate_chat": "isolate", "isolate_tags": "isolate",
                            "subgroup": "subgroup", "absent": "absent"}.get(role, "connected")
                acc_role = {"single_rt": "single", "single_host": "single",
                            "single_peer": "single", "isolate_chat": "isolate",
                            "isolate_tags": "isolate", "broker_a": "regular",
                            "broker_c": "regular", "peer_of_single": "regular"}.get(role, role)
                acc = self.new_account(first, last, acc_role, person_id=person.person_id,
                                       district=dkey, school=school)
                acc.description = self.pick((
                    f"Proud principal of {school}. {self.pick(TAGLINES)}",
                    f"Principal, {school} | {dname} | {self.pick(TAGLINES)}",
                    f"Elementary principal in {town}. {self.pick(TAGLINES)}",
                    f"{self.pick(TAGLINES)} Principal at {school}.",
                ))
                acc.location = self.pick((town, f"{town}, USA", "", town))
                person.account = acc
                person.category = category
                if role in ("broker_a", "broker_c", "peer_of_single", "single_rt",
                            "single_host", "single_peer", "isolate_chat", "isolate_tags",
                            "broker"):
                    self.roles[role] = acc
                if role == "clique":
                    self.clique.append(acc)
                elif role == "subgroup":
                    self.sub.append(acc)
                elif role == "never_sought":
                    self.never.append(acc)
        # activity levels
        for acc in self.accounts:
            if acc.role == "clique":
                acc.tags_w = 1.5
            elif acc.role == "broker":
                acc.chat_p, acc.tags_w = 0.7, 1.0
            elif acc.role == "subgroup":
                acc.tags_w = 1.0
        for k in self.clique[:3]:
            k.chat_p = 0.8
        # never-sought: one chat regular (A), one mostly #PrincipalLife (C)
        for acc in self.never:
            acc.chat_p, acc.tags_w = (0.7, 0.0) if acc.district == "A" else (0.3, 1.0)

        # non-roster educators and lurkers
        for i in range(46):
            first, last = next(name_iter)
            role = "educator" if i < 24 else "lurker"
            acc = self.new_account(first, last, role)
            title = self.pick(EDUCATOR_ROLES)
            loc = self.pick(ELSEWHERE)
            acc.title = title
            acc.location = loc
            acc.description = self.pick((
                f"{title.capitalize()}. {self.pick(TAGLINES)}",
                f"{title.capitalize()} in {loc or 'the Midwest'}. {self.pick(TAGLINES)}",
                f"{self.pick(TAGLINES)} {title.capitalize()}.",
            ))
            acc.followers = int(acc.followers * 1.3)
        self.lurkers = [a for a in self.accounts if a.role == "lurker"]
        # activity levels, spread evenly so that the volume hardly depends on the seed
        regulars = [a for a in self.accounts if a.role == "regular"]
        educators = [a for a in self.accounts if a.role == "educator"]
        self.spread(regulars, "chat_p", (0.0, 0.25, 0.4, 0.5, 0.65, 0.8))
        self.spread(regulars, "tags_w", (0.0, 0.5, 1.0, 1.0, 1.5, 2.0))
        self.spread(educators[:18], "chat_p", (0.0, 0.2, 0.35, 0.5, 0.65))
        self.spread(educators[:12], "tags_w", (0.0, 0.5, 1.0))
        for a in educators[12:]:
            a.tags_w = 1.0
        for a in regulars + educators:
            if a.chat_p == 0 and a.tags_w == 0:
                a.tags_w = 1.0

    def spread(self, accs: list[Account], attr: str, levels: Sequence[float]) -> None:
        for i, a in enumerate(self.shuffled(accs)):
            setattr(a, attr, levels[i % len(levels)])

    # -- latent ties: who may ever act on whom ------------------------------------------------
    def link(self, a: Account, b: Account) -> None:
        self.latent[a.uid].add(b.uid)
        self.latent[b.uid].add(a.uid)

    def can_link(self, a: Account, b: Account) -> bool:
        """Keep the non-host latent graph free of new 4-cliques (so the planted 5-clique is the
        only one) and let no outsider touch more than two clique members."""
        if a is b or b.uid in self.latent[a.uid]:
            return False
        clique = {k.uid for k in self.clique}
        for x, y in ((a, b), (b, a)):
            if (y.uid in clique and x.uid not in clique and x is not self.host
                    and len(self.latent[x.uid] & clique) >= 2):
                return False
        common = sorted((self.latent[a.uid] & self.latent[b.uid]) - {self.host.uid})
        return not any(v in self.latent[u] for u, v in combinations(common, 2))

    def build_latent(self) -> None:
        r = self.roles
        for a, b in combinations(self.clique, 2):
            self.link(a, b)
        c1, c2, c3, c4 = self.sub
        for a, b in ((c1, c2), (c2, c3), (c3, c4), (c4, c1), (c1, c3)):
            self.link(a, b)
        broker = r["broker"]
        for other in (c1, c2, r["broker_a"], r["broker_c"]):
            self.link(broker, other)
        self.link(r["single_rt"], self.clique[0])
        self.link(r["single_host"], self.host)
        self.link(r["single_peer"], r["peer_of_single"])
        for acc in self.accounts:
            if acc.role in ("regular", "broker", "never_sought", "educator", "lurker") or (
                    acc.role == "clique" and acc.chat_p > 0):
                if acc.role == "regular" and acc.chat_p == 0:
                    continue
                if acc.role == "lurker" and len(self.lurkers) - self.lurkers.index(acc) <= 8:
                    continue  # the last eight lurkers are #PrincipalLife one-offs
                self.link(acc, self.host)
        open_roles = ("regular", "clique", "broker", "never_sought", "educator")
        pool = [a for a in self.accounts if a.role in open_roles]
        pairs = list(combinations(pool, 2))
        for i in self.rng.permutation(len(pairs)):
            a, b = pairs[int(i)]
            if a.district and b.district:
                p = 0.3 if a.district == b.district else 0.025
            elif a.district or b.district:
                p = 0.04
            else:
                p = 0.12
            if (a.role == "clique" or b.role == "clique") and a.district != b.district:
                p = 0.0
            if self.chance(p) and self.can_link(a, b):
                self.link(a, b)
        # everyone open has at least two non-host partners, preferably in their district
        for a in pool:
            if a.role == "clique":
                continue
            need = 2 - len(self.latent[a.uid] - {self.host.uid})
            if need <= 0:
                continue
            cands = [b for b in pool if b is not a and b.role != "clique"]
            cands.sort(key=lambda b: (b.district != a.district, 0))
            same = [b for b in cands if b.district == a.district]
            for b in self.shuffled(same) + self.shuffled(cands):
                if need <= 0:
                    break
                if self.can_link(a, b):
                    self.link(a, b)
                    need -= 1

    def may(self, src: Account, dst: Account) -> bool:
        """Whether ``src`` may reply to, mention, retweet or quote ``dst``."""
        return (src is not dst and dst.uid in self.latent[src.uid]
                and dst.role != "never_sought")

    # -- posts ------------------------------------------------------------------------------
    def parse(self, text: str) -> tuple[list[tuple[int, int, Account]],
                                        list[tuple[int, int, str]]]:
        mentions = []
        for m in _MENTION.finditer(text):
            acc = self.by_handle.get(m.group(1).lower())
            if acc is None:
                raise ValueError(f"unknown handle in {text!r}")
            mentions.append((m.start(), m.end(), acc))
        hashtags = [(m.start(), m.end(), m.group(1)) for m in _HASHTAG.finditer(text)]
        return mentions, hashtags

    def post(self, author: Account, t: datetime, text: str, *, reply_to: Tweet | None = None,
             quote_of: Tweet | None = None, lang: str = "en") -> Tweet:
        t = t.replace(microsecond=0)
        if reply_to is not None and t <= reply_to.t:
            t = reply_to.t + timedelta(seconds=int(self.rng.integers(15, 90)))
        if quote_of is not None and t <= quote_of.t:
            t = quote_of.t + timedelta(seconds=int(self.rng.integers(15, 90)))
        tid = str(self.snowflake(t))
        quote_url = ""
        if quote_of is not None:
            quote_url = "https://t.co/" + self.token(10)
            text = f"{text} {quote_url}"
        if len(text) > 280:
            raise ValueError(f"tweet too long: {text!r}")
        mentions, hashtags = self.parse(text)
        tw = Tweet(tid, author, t, text, mentions, hashtags, reply_to=reply_to,
                   quote_of=quote_of, lang=lang, quote_url=quote_url,
                   more_url="https://t.co/" + self.token(10))
        tw.conversation_id = reply_to.conversation_id if reply_to else tid
        self.tweets.append(tw)
        return tw

    def retweet(self, author: Account, t: datetime, orig: Tweet) -> Tweet:
        t = t.replace(microsecond=0)
        if t <= orig.t:
            t = orig.t + timedelta(seconds=int(self.rng.integers(20, 300)))
        full = f"RT @{orig.author.handle}: {orig.text}"
        mentions, hashtags = self.parse(full)
        text = full
        if len(full) > 140:  # retweet text is truncated, as API v2 and v1.1 give it
            text = full[:139] + "…"
            mentions = [m for m in mentions if m[1] <= 139]
            hashtags = [h for h in hashtags if h[1] <= 139]
        tid = str(self.snowflake(t))
        tw = Tweet(tid, author, t, text, mentions, hashtags, retweet_of=orig,
                   conversation_id=tid)
        self.tweets.append(tw)
        return tw

    def answer_text(self, k: int, mention: Account | None = None) -> str:
        practice = self.pick(PRACTICES)
        opener = self.pick(OPENERS)
        if mention is not None:
            opener = self.pick((f"Like @{mention.handle} said,", f"Building on @{mention.handle}:",
                                f"Same as @{mention.handle}:"))
        body = f"{opener} {practice}." if opener else practice[0].upper() + practice[1:] + "."
        closer = self.pick(CLOSERS)
        return f"A{k}: {body}{' ' + closer if closer else ''}"

    # -- the chats --------------------------------------------------------------------------
    def chats(self) -> None:
        host = self.host
        r = self.roles
        chatters = [a for a in self.accounts if a.chat_p > 0 and a is not host]
        weeks = len(CHAT_DAYS)
        tw_lurkers = self.lurkers[:-8]
        lurker_week = {a.uid: int(self.rng.integers(weeks)) for a in tw_lurkers}
        sub_weeks = sorted(int(w) for w in self.rng.permutation(range(1, weeks - 1))[:3])
        iso_weeks = sorted(int(w) for w in self.rng.permutation(range(weeks))[:3])
        w_single_rt, w_single_host = 2, 6
        for w, day in enumerate(CHAT_DAYS):
            topic, questions = TOPICS[w]
            t0 = from_eastern(day, 20)
            monday = day - timedelta(days=1)
            promo = self.post(host, from_eastern(monday, int(self.rng.integers(9, 17)),
                                                 int(self.rng.integers(60)),
                                                 int(self.rng.integers(60))),
                              f"Join us tomorrow at 8 pm ET for #{HUB_TAG}: {topic}. "
                              f"Bring a colleague! #{TAGS_TAG}")
            people = [a for a in chatters if self.chance(a.chat_p)]
            if w == w_single_rt:
                people += [k for k in self.clique[:3] if k not in people]
            if w == sub_weeks[0] and r["broker"] not in people:
                people.append(r["broker"])
            people = [a for a in people if a.role not in ("single", "isolate", "subgroup")]
            for a in people:
                if a is not r["broker"] and self.chance(0.12) and self.may(a, host):
                    self.retweet(a, promo.t + timedelta(seconds=int(self.rng.integers(300, 36000))),
                                 promo)
            intro = self.post(host, t0 + timedelta(seconds=int(self.rng.integers(0, 20))),
                              f"Welcome to #{HUB_TAG}! Tonight's topic: {topic}. Introduce "
                              "yourself with your name, role and where you lead. Questions come "
                              "as Q1, Q2... and you answer with A1, A2...")
            for a in people:
                if self.chance(0.5):
                    self.intro(a, intro)
            week_lurkers = [a for a in tw_lurkers if lurker_week[a.uid] == w]
            answers_by_q: list[list[Tweet]] = []
            qs: list[Tweet] = []
            for k, question in enumerate(questions, 1):
                tq = t0 + timedelta(minutes=2 + 8 * (k - 1), seconds=int(self.rng.integers(0, 30)))
                q = self.post(host, tq, f"Q{k}: {question} #{HUB_TAG}")
                qs.append(q)
                answers = self.answers(q, k, people)
                answers_by_q.append(answers)
                self.reactions(q, answers, people)
            # planted chat events
            if w == w_single_rt:
                k1, k2, k3 = self.clique[:3]
                trap = self.post(k1, qs[1].t + timedelta(seconds=100),
                                 f"@{host.handle} A2: Learning walks with @{k2.handle} and "
                                 f"@{k3.handle} changed how we give feedback. #{HUB_TAG}",
                                 reply_to=qs[1])
                self.retweet(r["single_rt"], trap.t + timedelta(seconds=200), trap)
                self.post(k1, t0 + timedelta(minutes=58),
                          f"Great to see @{r['single_rt'].handle} in #{HUB_TAG} tonight!")
            if w == w_single_host:
                s2 = r["single_host"]
                ans = self.post(s2, qs[2].t + timedelta(seconds=150),
                                f"@{host.handle} {self.answer_text(3)} #{HUB_TAG}",
                                reply_to=qs[2])
                self.post(host, ans.t + timedelta(seconds=90),
                          f"@{s2.handle} Welcome to #{HUB_TAG}! So glad you joined.",
                          reply_to=ans)
            if w in sub_weeks:
                self.subgroup_chat(w, sub_weeks, qs)
            if w in iso_weeks:
                iso = r["isolate_chat"]
                k = int(self.rng.integers(1, 6))
                first = self.post(iso, qs[k - 1].t + timedelta(seconds=170),
                                  f"{self.answer_text(k)} #{HUB_TAG}")
                if w == iso_weeks[1]:  # a self-thread: a reply to oneself is not a tie
                    self.post(iso, first.t + timedelta(seconds=75),
                              f"A{k} (cont.): {self.pick(PRACTICES)}. #{HUB_TAG}",
                              reply_to=first)
            for a in week_lurkers:
                q = self.pick(qs)
                roll = self.rng.random()
                if roll < 0.5:
                    self.retweet(a, q.t + timedelta(seconds=int(self.rng.integers(30, 400))), q)
                elif roll < 0.8:
                    k = qs.index(q) + 1
                    self.post(a, q.t + timedelta(seconds=int(self.rng.integers(60, 420))),
                              f"@{host.handle} {self.answer_text(k)} #{HUB_TAG}", reply_to=q)
                else:
                    self.intro(a, intro)
            closing = t0 + timedelta(minutes=55, seconds=int(self.rng.integers(0, 60)))
            nxt = TOPICS[w + 1][0] if w + 1 < weeks else None
            self.post(host, closing,
                      f"That's a wrap! Thank you for a great #{HUB_TAG} tonight. "
                      + (f"Next week: {nxt}. See you Tuesday at 8 pm ET."
                         if nxt else "We are back in January. Enjoy the break!"))
            # thank-you posts after the chat
            answered = [a.author for ans in answers_by_q for a in ans]
            for a in self.shuffled(people)[:3]:
                peers = [p for p in answered if p is not a and self.may(a, p)]
                if not self.may(a, host):
                    continue
                text = f"Thanks @{host.handle} for another great #{HUB_TAG}!"
                if peers:
                    text += f" Loved learning with @{self.pick(peers).handle} tonight."
                self.post(a, closing + timedelta(minutes=int(self.rng.integers(2, 40))), text)

    def intro(self, a: Account, intro: Tweet) -> None:
        extra = self.pick(INTRO_EXTRAS)
        first = a.name.split()[0]
        where = (f"principal at {a.school}" if a.person_id
                 else f"{a.title} from {a.location or 'the Midwest'}")
        t = intro.t + timedelta(seconds=int(self.rng.integers(20, 360)))
        lang = "en"
        if a.role == "educator" and self.chance(0.08):
            body, lang = f"¡Hola #{HUB_TAG}! {first}, {a.title}. ¡Lista para aprender!", "es"
        else:
            body = f"Hi #{HUB_TAG}! {first}, {where}. {extra}"
        if self.may(a, self.host):
            self.post(a, t, f"@{self.host.handle} {body}", reply_to=intro, lang=lang)
        else:
            self.post(a, t, body, lang=lang)

    def answers(self, q: Tweet, k: int, people: list[Account]) -> list[Tweet]:
        host = self.host
        times = {a.uid: int(self.rng.gamma(2.0, 70.0)) + 20 for a in people}
        out: list[Tweet] = []
        for a in sorted(people, key=lambda x: (times[x.uid], x.uid)):
            if not self.chance(0.37):
                continue
            t = q.t + timedelta(seconds=min(times[a.uid], 460))
            mention = None
            earlier = [x.author for x in out if self.may(a, x.author)]
            if earlier and self.chance(0.12):
                mention = self.pick(earlier)
            text = self.answer_text(k, mention)
            if self.may(a, host) and not self.chance(0.08):
                out.append(self.post(a, t, f"@{host.handle} {text} #{HUB_TAG}", reply_to=q))
            else:
                out.append(self.post(a, t, f"{text} #{HUB_TAG}"))
        return out

    def reactions(self, q: Tweet, answers: list[Tweet], people: list[Account]) -> None:
        host = self.host
        for a in people:
            if self.chance(0.08) and self.may(a, host):
                self.retweet(a, q.t + timedelta(seconds=int(self.rng.integers(10, 200))), q)
            targets = [x for x in answers if x.author is not a and self.may(a, x.author)]
            if not targets:
                continue
            if self.chance(0.2):
                parent = self.pick(targets)
                prefix = f"@{parent.author.handle}"
                if parent.reply_to is q and self.may(a, host) and self.chance(0.4):
                    prefix += f" @{host.handle}"
                reply = self.post(a, parent.t + timedelta(seconds=int(self.rng.integers(25, 240))),
                                  f"{prefix} {self.pick(PEER_REPLIES)} #{HUB_TAG}",
                                  reply_to=parent)
                if self.chance(0.25) and self.may(parent.author, a):
                    self.post(parent.author,
                              reply.t + timedelta(seconds=int(self.rng.integers(30, 200))),
                              f"@{a.handle} {self.pick(THANKS_BACK)} #{HUB_TAG}",
                              reply_to=reply)
            if self.chance(0.1):
                orig = self.pick(targets)
                self.retweet(a, orig.t + timedelta(seconds=int(self.rng.integers(10, 300))), orig)
            if self.chance(0.015):
                orig = self.pick(targets)
                self.post(a, orig.t + timedelta(seconds=int(self.rng.integers(60, 400))),
                          f"{self.pick(QUOTE_COMMENTS)} #{HUB_TAG}", quote_of=orig)
        mine = [x for x in answers if self.may(host, x.author)]
        if mine and self.chance(0.5):
            parent = self.pick(mine)
            self.post(host, parent.t + timedelta(seconds=int(self.rng.integers(30, 200))),
                      f"@{parent.author.handle} {self.pick(HOST_REPLIES)} #{HUB_TAG}",
                      reply_to=parent)
        for parent in self.sample(mine, int(self.rng.integers(0, 3))):
            self.retweet(host, parent.t + timedelta(seconds=int(self.rng.integers(20, 240))),
                         parent)

    def subgroup_chat(self, w: int, weeks: list[int], qs: list[Tweet]) -> None:
        """A small district-C group answers in the chat without replying to the moderator."""
        c1, c2 = self.sub[0], self.sub[1]
        ks = sorted(int(k) for k in self.rng.permutation(6)[:2])
        first = None
        for k in ks:
            ans = self.post(c1, qs[k].t + timedelta(seconds=int(self.rng.integers(60, 300))),
                            f"{self.answer_text(k + 1)} #{HUB_TAG}")
            first = first or ans
        if w != weeks[2]:
            k = ks[-1]
            self.post(c2, qs[k].t + timedelta(seconds=int(self.rng.integers(60, 300))),
                      f"{self.answer_text(k + 1)} #{HUB_TAG}")
        assert first is not None
        if w == weeks[0]:
            self.post(self.roles["broker"], first.t + timedelta(seconds=140),
                      f"@{c1.handle} {self.pick(PEER_REPLIES)} #{HUB_TAG}", reply_to=first)
        if w == weeks[1]:
            self.post(c2, first.t + timedelta(seconds=110),
                      f"@{c1.handle} {self.pick(PEER_REPLIES)} #{HUB_TAG}", reply_to=first)

    # -- #PrincipalLife ----------------------------------------------------------------------
    def term_time(self, day: date | None = None) -> datetime:
        if day is None:
            span = (TERM_LAST_DAY - TERM_FIRST_DAY).days
            day = TERM_FIRST_DAY + timedelta(days=int(self.rng.integers(0, span + 1)))
        hour = int(self.weighted(range(6, 22), [3, 4, 3, 2, 2, 2, 2, 2, 2, 3, 3, 2, 2, 3, 3, 2]))
        return from_eastern(day, hour, int(self.rng.integers(60)), int(self.rng.integers(60)))

    def pl_post(self, author: Account, t: datetime, text: str | None = None) -> Tweet:
        text = text or self.pick(PL_POSTS)
        tw = self.post(author, t, f"{text} #{TAGS_TAG}" if f"#{TAGS_TAG}" not in text else text)
        self.originals.setdefault(author.uid, []).append(tw)
        return tw

    def pl_mention(self, author: Account, target: Account, t: datetime) -> Tweet:
        return self.post(author, t, self.pick(PL_MENTIONS).format(m=target.handle)
                         + f" #{TAGS_TAG}")

    def pl_reply(self, author: Account, parent: Tweet, t: datetime | None = None) -> Tweet:
        t = t or parent.t + timedelta(minutes=int(self.rng.integers(3, 300)))
        return self.post(author, t, f"@{parent.author.handle} {self.pick(PL_REPLIES)} #{TAGS_TAG}",
                         reply_to=parent)

    def principal_life(self) -> None:
        r = self.roles
        actors = [a for a in self.accounts if a.tags_w > 0 and a.role in (
            "regular", "clique", "broker", "subgroup", "educator", "never_sought")]
        weights = [a.tags_w for a in actors]
        day = TERM_FIRST_DAY
        while day <= TERM_LAST_DAY:
            n = int(self.rng.poisson(2.6 if day.weekday() < 5 else 1.1))
            for _ in range(n):
                author = self.weighted(actors, weights)
                t = self.term_time(day)
                friends = [b for b in self.accounts if self.may(author, b) and b is not self.host
                           and b.role not in ("lurker", "single")]
                if friends and self.chance(0.2):
                    orig = self.pl_mention(author, self.pick(friends), t)
                    self.originals.setdefault(author.uid, []).append(orig)
                else:
                    orig = self.pl_post(author, t)
                fans = [b for b in actors if self.may(b, author)]
                for b in self.sample(fans, int(self.rng.poisson(0.75))):
                    self.retweet(b, orig.t + timedelta(minutes=int(self.rng.integers(2, 900))),
                                 orig)
                for b in self.sample(fans, int(self.rng.poisson(0.35))):
                    self.pl_reply(b, orig)
            day += timedelta(days=1)
        early = TERM_FIRST_DAY + timedelta(days=10)
        # the clique: every ordered pair tied, in #PrincipalLife
        for k in self.clique:
            for _ in range(2):
                self.pl_post(k, self.term_time(early - timedelta(days=int(self.rng.integers(9)))))
        for i, (u, v) in enumerate(permutations(self.clique, 2)):
            t = self.term_time()
            kind = i % 3
            if kind == 0:
                self.pl_mention(u, v, t)
            elif kind == 1:
                self.pl_reply(u, self.pick(self.originals[v.uid][:2]))
            else:
                self.retweet(u, t, self.pick(self.originals[v.uid][:2]))
        # the district-C subgroup and its one bridge, the broker
        c1, c2, c3, c4 = self.sub
        broker = r["broker"]
        o = {c: self.pl_post(c, self.term_time(early)) for c in (c1, c2, c3, c4)}
        ob = self.pl_post(broker, self.term_time(early))
        self.pl_reply(c2, o[c1])
        self.pl_mention(c1, c2, self.term_time())
        self.pl_reply(c2, o[c3])
        self.pl_mention(c3, c4, self.term_time())
        self.pl_reply(c4, o[c1])
        self.retweet(c1, self.term_time(), o[c3])
        self.pl_mention(c3, c2, self.term_time())
        self.pl_reply(c1, ob)
        self.retweet(broker, self.term_time(), o[c2])
        self.pl_mention(broker, r["broker_c"], self.term_time())
        self.pl_mention(broker, r["broker_a"], self.term_time())
        # single tie to a district peer
        s3, peer = r["single_peer"], r["peer_of_single"]
        op = self.pl_post(peer, self.term_time(early))
        self.pl_mention(peer, s3, self.term_time())
        self.pl_reply(s3, op)
        for _ in range(2):
            self.pl_post(s3, self.term_time())
        # the #PrincipalLife isolate: posts, a self-reply and a self-retweet, no ties
        iso = r["isolate_tags"]
        own = [self.pl_post(iso, self.term_time()) for _ in range(4)]
        self.post(iso, own[0].t + timedelta(minutes=12),
                  f"Update: {self.pick(PL_POSTS)} #{TAGS_TAG}", reply_to=own[0])
        self.retweet(iso, own[1].t + timedelta(hours=3), own[1])
        # never-sought in C reaches out to district peers
        ns_c = next(a for a in self.never if a.district == "C")
        for b in [b for b in self.accounts if self.may(ns_c, b) and b.uid in self.originals][:2]:
            self.pl_reply(ns_c, self.pick(self.originals[b.uid]))
        # one-off #PrincipalLife lurkers
        for a in self.lurkers[-8:]:
            targets = [b for b in actors if b.role in ("regular", "educator") and b.uid in
                       self.originals and self.can_link(a, b)]
            if self.chance(0.5) and targets:
                b = self.pick(targets)
                self.link(a, b)
                self.retweet(a, self.term_time(), self.pick(self.originals[b.uid]))
            else:
                self.pl_post(a, self.term_time())

    # -- ties -------------------------------------------------------------------------------
    def tags_view(self, tw: Tweet) -> tuple[str, list[tuple[int, int, Account]],
                                            list[tuple[int, int, str]], list[dict[str, Any]]]:
        """Text and entities as TAGS stores them (v1.1, 140-character compatibility text)."""
        if tw.retweet_of is not None or len(tw.text) <= 140:
            urls = []
            if tw.quote_url:
                start = tw.text.index(tw.quote_url)
                urls.append(self._url(tw.quote_url, tw.quote_of, start))
            return tw.text, tw.mentions, tw.hashtags, urls
        keep = tw.text[:114].rstrip()
        text = f"{keep}… {tw.more_url}"
        start = len(keep) + 2
        url = {"url": tw.more_url,
               "expanded_url": f"https://twitter.com/i/web/status/{tw.id}",
               "display_url": "twitter.com/i/web/status/1…",
               "indices": [start, start + len(tw.more_url)]}
        return (text, [m for m in tw.mentions if m[1] <= len(keep)],
                [h for h in tw.hashtags if h[1] <= len(keep)], [url])

    def _url(self, url: str, target: Tweet | None, start: int) -> dict[str, Any]:
        assert target is not None
        return {"url": url,
                "expanded_url": f"https://twitter.com/{target.author.handle}/status/{target.id}",
                "display_url": f"twitter.com/{target.author.handle}/s…",
                "indices": [start, start + len(url)]}

    def in_twarc2(self, tw: Tweet) -> bool:
        return HUB_TAG.lower() in tw.tags()

    def in_tags(self, tw: Tweet) -> bool:
        return TAGS_TAG.lower() in tw.tags()

    def directed(self) -> dict[tuple[str, str], set[str]]:
        """(src uid, dst uid) -> kinds, over both files, as PostSink draws them."""
        edges: dict[tuple[str, str], set[str]] = {}

        def add(kind: str, a: Account, b: Account) -> None:
            if a is not b:
                edges.setdefault((a.uid, b.uid), set()).add(kind)

        for tw in self.tweets:
            views = []
            if self.in_twarc2(tw):
                views.append(tw.mentions)
            if self.in_tags(tw):
                views.append(self.tags_view(tw)[1])
            if not views:
                continue
            a = tw.author
            if tw.retweet_of is not None:
                add("retweet", a, tw.retweet_of.author)
                continue
            replied = tw.reply_to.author if tw.reply_to else None
            if replied is not None:
                add("reply", a, replied)
            if tw.quote_of is not None and self.in_twarc2(tw):
                add("quote", a, tw.quote_of.author)
            for view in views:
                for m in view:
                    if m[2] is not replied:
                        add("mention", a, m[2])
        return edges

    def graph(self) -> tuple[dict[str, set[str]], dict[str, set[str]], dict[str, set[str]]]:
        """Undirected neighbours, out-neighbours and in-neighbours by uid."""
        und: dict[str, set[str]] = {a.uid: set() for a in self.accounts}
        out: dict[str, set[str]] = {a.uid: set() for a in self.accounts}
        inn: dict[str, set[str]] = {a.uid: set() for a in self.accounts}
        for s, d in self.directed():
            und[s].add(d)
            und[d].add(s)
            out[s].add(d)
            inn[d].add(s)
        return und, out, inn

    def posters(self) -> set[str]:
        return {tw.author.uid for tw in self.tweets if self.in_twarc2(tw) or self.in_tags(tw)}

    def fix_up(self) -> None:
        """Give every ordinary roster principal at least two contacts and one incoming tie."""
        for _ in range(6):
            und, _out, inn = self.graph()
            changed = False
            for p in self.people:
                a = p.account
                if a is None or p.category not in ("connected", "broker", "never_sought"):
                    continue
                partners = [self.by_uid(u) for u in sorted(self.latent[a.uid])]
                partners = [b for b in partners if b is not self.host and b.role not in (
                    "lurker", "single", "subgroup")]
                if len(und[a.uid]) < 2:
                    fresh = [b for b in partners if b.uid not in und[a.uid] and self.may(a, b)]
                    if fresh:
                        self.pl_mention(a, self.pick(fresh), self.term_time())
                        changed = True
                if not inn[a.uid] and a.role != "never_sought":
                    fans = [b for b in partners if self.may(b, a)]
                    if fans:
                        self.pl_mention(self.pick(fans), a, self.term_time())
                        changed = True
            if not changed:
                break
        # everyone replied to, mentioned or retweeted posts somewhere in the data
        posters = self.posters()
        for _s, d in sorted(self.directed()):
            if d not in posters:
                self.pl_post(self.by_uid(d), self.term_time())
                posters.add(d)

    def by_uid(self, uid: str) -> Account:
        if not hasattr(self, "_uid_index"):
            self._uid_index = {a.uid: a for a in self.accounts}
        return self._uid_index[uid]

    # -- checks -----------------------------------------------------------------------------
    def check(self) -> dict[str, Any]:
        """Verify the planted structure on the ties the files carry; return the facts."""
        und, out, inn = self.graph()
        posters = self.posters()
        host = self.host
        deg = {u: len(v) for u, v in und.items()}
        problems: list[str] = []

        def need(ok: bool, what: str) -> None:
            if not ok:
                problems.append(what)

        # exact categories from the ties
        for p in self.people:
            a = p.account
            if a is None:
                need(p.category == "absent", f"{p.person_id} has no handle but is not absent")
                continue
            active = a.uid in posters or deg[a.uid] > 0
            if p.category == "absent":
                need(not active, f"{p.person_id} should be absent")
                continue
            need(a.uid in posters, f"{p.person_id} ({p.category}) never posts")
            if p.category == "isolate":
                need(deg[a.uid] == 0, f"isolate {p.person_id} has ties")
            elif p.category == "single_tie":
                need(deg[a.uid] == 1, f"single {p.person_id} has {deg[a.uid]} contacts")
                need(bool(inn[a.uid]), f"single {p.person_id} is never sought")
            elif p.category == "never_sought":
                need(not inn[a.uid] and bool(out[a.uid]) and deg[a.uid] >= 2,
                     f"never-sought {p.person_id}: in {len(inn[a.uid])} deg {deg[a.uid]}")
            else:
                need(deg[a.uid] >= 2 and bool(inn[a.uid]),
                     f"{p.person_id} ({p.category}): deg {deg[a.uid]}, in {len(inn[a.uid])}")
        # hub
        others = max(d for u, d in deg.items() if u != host.uid)
        need(deg[host.uid] > 2 * others, f"hub degree {deg[host.uid]} vs {others}")
        # clique
        ks = [k.uid for k in self.clique]
        for u, v in permutations(ks, 2):
            need(v in out[u], "clique pair missing")
        need(not any(set(ks) <= und[x] for x in und if x not in ks), "outsider touches clique")
        # subgroup and broker
        broker = self.roles["broker"]
        sub = {a.uid for a in self.sub}
        for s in sub:
            need(und[s] <= sub | {broker.uid}, "subgroup tie leaves the group")
        need(bool(und[broker.uid] & sub), "broker not tied to the subgroup")
        districts = {self.by_uid(u).district for u in und[broker.uid]} - {None}
        need(districts == {"A", "B", "C"}, f"broker reaches districts {sorted(districts)}")
        # one component among everyone with a tie
        seen: set[str] = set()
        stack = [host.uid]
        while stack:
            u = stack.pop()
            if u not in seen:
                seen.add(u)
                stack.extend(und[u] - seen)
        tied = {u for u, d in deg.items() if d > 0}
        need(tied <= seen, f"{len(tied - seen)} tied accounts outside the main component")
        # within vs across districts
        within = across = 0
        for u, nb in und.items():
            for v in nb:
                if u < v:
                    du, dv = self.by_uid(u).district, self.by_uid(v).district
                    if du and dv and self.by_uid(u).person_id and self.by_uid(v).person_id:
                        within += du == dv
                        across += du != dv
        need(within > 3 * across, f"within {within} vs across {across}")
        if problems:
            raise RuntimeError("planted structure does not hold: " + "; ".join(problems))
        return {"deg": deg, "in": inn, "out": out, "und": und, "within": within,
                "across": across, "posters": posters, "districts": sorted(districts)}

    # -- output -----------------------------------------------------------------------------
    def finish_metrics(self) -> None:
        replies: dict[str, int] = {}
        rts: dict[str, int] = {}
        quotes: dict[str, int] = {}
        for tw in self.tweets:
            if tw.reply_to:
                replies[tw.reply_to.id] = replies.get(tw.reply_to.id, 0) + 1
            if tw.retweet_of:
                rts[tw.retweet_of.id] = rts.get(tw.retweet_of.id, 0) + 1
            if tw.quote_of:
                quotes[tw.quote_of.id] = quotes.get(tw.quote_of.id, 0) + 1
        for tw in sorted(self.tweets, key=lambda x: int(x.id)):
            if tw.retweet_of is not None:
                continue
            likes = int(self.rng.poisson(2 + 3 * rts.get(tw.id, 0) + replies.get(tw.id, 0)))
            if tw.author is self.host:
                likes += int(self.rng.integers(5, 30))
            tw.metrics = {
                "retweet_count": rts.get(tw.id, 0) + int(self.rng.poisson(0.3)),
                "reply_count": replies.get(tw.id, 0),
                "like_count": likes,
                "quote_count": quotes.get(tw.id, 0),
                "bookmark_count": int(self.rng.poisson(0.2 * likes)),
                "impression_count": likes * int(self.rng.integers(18, 60)) + 40,
            }
        for tw in self.tweets:
            if tw.retweet_of is not None:
                tw.metrics = {"retweet_count": tw.retweet_of.metrics["retweet_count"],
                              "reply_count": 0, "like_count": 0, "quote_count": 0,
                              "bookmark_count": 0, "impression_count": 0}

    def v2_tweet(self, tw: Tweet) -> dict[str, Any]:
        d: dict[str, Any] = {"author_id": tw.author.uid, "text": tw.text}
        entities: dict[str, Any] = {}
        if tw.hashtags:
            entities["hashtags"] = [{"start": s, "end": e, "tag": t} for s, e, t in tw.hashtags]
        if tw.mentions:
            entities["mentions"] = [{"start": s, "end": e, "username": a.handle, "id": a.uid}
                                    for s, e, a in tw.mentions]
        if tw.quote_url:
            start = tw.text.index(tw.quote_url)
            u = self._url(tw.quote_url, tw.quote_of, start)
            entities["urls"] = [{"start": start, "end": start + len(tw.quote_url), "url": u["url"],
                                 "expanded_url": u["expanded_url"],
                                 "display_url": u["display_url"]}]
        if entities:
            d["entities"] = entities
        if tw.reply_to is not None:
            d["in_reply_to_user_id"] = tw.reply_to.author.uid
        refs = []
        if tw.retweet_of is not None:
            refs.append({"type": "retweeted", "id": tw.retweet_of.id})
        if tw.quote_of is not None:
            refs.append({"type": "quoted", "id": tw.quote_of.id})
        if tw.reply_to is not None:
            refs.append({"type": "replied_to", "id": tw.reply_to.id})
        if refs:
            d["referenced_tweets"] = refs
        d["edit_history_tweet_ids"] = [tw.id]
        d["conversation_id"] = tw.conversation_id
        d["source"] = SOURCES[tw.author.source][0]
        d["public_metrics"] = tw.metrics
        d["lang"] = tw.lang
        d["id"] = tw.id
        d["created_at"] = iso_ms(tw.t)
        return d

    def v2_user(self, a: Account) -> dict[str, Any]:
        d: dict[str, Any] = {
            "id": a.uid, "name": a.name, "username": a.handle,
            "created_at": iso_ms(a.created_at), "description": a.description,
        }
        if a.location:
            d["location"] = a.location
        d["public_metrics"] = {"followers_count": a.followers, "following_count": a.following,
                               "tweet_count": a.statuses, "listed_count": a.listed,
                               "like_count": a.likes}
        d["verified"] = False
        return d

    def twarc2_lines(self) -> tuple[list[str], int, int]:
        tweets = sorted((t for t in self.tweets if self.in_twarc2(t)), key=lambda x: -int(x.id))
        pages = [tweets[i:i + 100] for i in range(0, len(tweets), 100)]
        lines = []
        token = None
        for n, page in enumerate(pages):
            users: dict[str, Account] = {}
            refs: dict[str, Tweet] = {}
            for tw in page:
                users.setdefault(tw.author.uid, tw.author)
                for m in tw.mentions:
                    users.setdefault(m[2].uid, m[2])
                for ref in (tw.reply_to, tw.retweet_of, tw.quote_of):
                    if ref is not None:
                        users.setdefault(ref.author.uid, ref.author)
                        refs.setdefault(ref.id, ref)
            meta: dict[str, Any] = {"newest_id": page[0].id, "oldest_id": page[-1].id,
                                    "result_count": len(page)}
            url = SEARCH_URL + (f"&next_token={token}" if token else "")
            token = self.token(45).lower() if n + 1 < len(pages) else None
            if token:
                meta["next_token"] = token
            obj = {
                "data": [self.v2_tweet(t) for t in page],
                "includes": {"users": [self.v2_user(a) for a in users.values()],
                             "tweets": [self.v2_tweet(t) for t in refs.values()]},
                "meta": meta,
                "__twarc": {"url": url, "version": TWARC_VERSION,
                            "retrieved_at": (RETRIEVED_AT + timedelta(seconds=2 * n)).isoformat()},
            }
            lines.append(json.dumps(obj))
        return lines, len(tweets), len(pages)

    def tags_rows(self) -> tuple[list[list[str]], int, int]:
        tweets = sorted((t for t in self.tweets if self.in_tags(t)), key=lambda x: -int(x.id))
        rows = []
        for tw in tweets:
            a = tw.author
            text, mentions, hashtags, urls = self.tags_view(tw)
            entities = {
                "hashtags": [{"text": h, "indices": [s, e]} for s, e, h in hashtags],
                "symbols": [],
                "user_mentions": [{"screen_name": m.handle, "name": m.name,
                                   "id": js_number(int(m.uid)), "id_str": m.uid,
                                   "indices": [s, e]} for s, e, m in mentions],
                "urls": urls,
            }
            local = eastern(tw.t - timedelta(seconds=1 if self.chance(0.25) else 0))
            reply = tw.reply_to
            rows.append([
                f"{int(tw.id):.14E}" if self.chance(0.12) else tw.id,
                a.handle, text, twitter_time(tw.t), local.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "NA", "NA",
                reply.author.uid if reply else "NA", reply.author.handle if reply else "NA",
                a.uid, reply.id if reply else "NA", SOURCES[a.source][1], a.image,
                "NA" if self.chance(0.04) else str(a.followers), str(a.following),
                a.location or "NA", f"http://twitter.com/{a.handle}/statuses/{tw.id}",
                json.dumps(entities, ensure_ascii=False, separators=(",", ":")),
            ])
        unique = len(rows)
        # re-collection: some tweets appear twice, a few with newer follower counts
        for i in self.sample(range(unique), 9):
            dup = list(rows[i])
            if self.chance(0.4) and dup[13] != "NA":
                dup[13] = str(int(dup[13]) + int(self.rng.integers(1, 6)))
            pos = int(self.rng.integers(0, len(rows) + 1))
            rows.insert(pos, dup)
        return rows, unique, len(rows) - unique

    def roster_rows(self) -> list[list[str]]:
        rows = []
        for p in self.people:
            dkey = next(k for k, v in DISTRICTS.items() if v[0] == p.district)
            email = f"{p.first}.{p.last}@{DISTRICTS[dkey][1]}".lower()
            a = p.account
            rows.append([p.person_id, p.name, email, p.district, p.school, "principal",
                         str(p.years), a.handle if a else "", a.uid if a else ""])
        return rows

    # -- everything -------------------------------------------------------------------------
    def build(self) -> None:
        self.build_people()
        self.build_latent()
        self.chats()
        self.principal_life()
        self.fix_up()
        self.facts = self.check()
        self.finish_metrics()


def _person_entry(p: Person, **extra: Any) -> dict[str, Any]:
    a = p.account
    return {"person_id": p.person_id, "name": p.name, "district": p.district,
            "account": a.key if a else None, "handle": a.handle if a else None, **extra}


def ground_truth(s: Sample, counts: dict[str, int]) -> dict[str, Any]:
    """The planted structure as a JSON-ready dict."""
    f = s.facts
    deg, inn, out, und = f["deg"], f["in"], f["out"], f["und"]
    by_cat: dict[str, list[Person]] = {}
    for p in s.people:
        by_cat.setdefault(p.category, []).append(p)
    person_of = {p.account.uid: p for p in s.people if p.account}
    r = s.roles
    broker = person_of[r["broker"].uid]
    singles = []
    for p in by_cat["single_tie"]:
        assert p.account is not None
        (contact,) = und[p.account.uid]
        cp = person_of.get(contact)
        singles.append(_person_entry(p, contact="x:" + contact,
                                     contact_person_id=cp.person_id if cp else None))
    isolates = []
    for p in by_cat["isolate"]:
        assert p.account is not None
        src = "twarc2" if p.account is r["isolate_chat"] else "tags"
        n = sum(1 for t in s.tweets if t.author is p.account)
        isolates.append(_person_entry(p, source=src, posts=n))
    people = {}
    for p in s.people:
        a = p.account
        active = a is not None and (a.uid in f["posters"])
        people[p.person_id] = {
            "account": a.key if a else None,
            "district": p.district,
            "category": p.category,
            "degree": deg[a.uid] if active and a else None,
            "in_degree": len(inn[a.uid]) if active and a else None,
            "out_degree": len(out[a.uid]) if active and a else None,
        }
    hub_degree = deg[s.host.uid]
    return {
        "synthetic": True,
        "generator": "scripts/make_sample_data.py",
        "seed": s.seed,
        "platform": "x",
        "tie_rule": ("undirected distinct contacts over both files from reply, mention, retweet "
                     "and quote interactions as plnanalytics.ingest.tweets.PostSink draws them: "
                     "a reply is not also a mention, a retweet ties only to the original author, "
                     "self-loops are not ties"),
        "files": {
            "twarc2": {"file": TWARC2_FILE, "tweets": counts["tweets"], "pages": counts["pages"]},
            "tags": {"file": TAGS_FILE, "rows": counts["rows"], "unique_tweets": counts["unique"],
                     "duplicate_rows": counts["dups"]},
            "roster": {"file": "roster.csv", "people": len(s.people)},
        },
        "districts": [v[0] for v in DISTRICTS.values()],
        "hub": {"account": s.host.key, "handle": s.host.handle, "degree": hub_degree,
                "next_highest_degree": max(d for u, d in deg.items() if u != s.host.uid)},
        "absent": [_person_entry(p) for p in by_cat["absent"]],
        "isolates": isolates,
        "single_tie": singles,
        "broker": _person_entry(
            broker, contact_districts=[DISTRICTS[k][0] for k in f["districts"]],
            degree=deg[r["broker"].uid],
            subgroup=[_person_entry(person_of[a.uid]) for a in s.sub]),
        "clique": {"district": person_of[s.clique[0].uid].district,
                   "members": [_person_entry(person_of[a.uid]) for a in s.clique]},
        "never_sought": [_person_entry(p, out_degree=len(out[p.account.uid]))
                         for p in by_cat["never_sought"] if p.account],
        "network": {
            "accounts_with_posts": len(f["posters"]),
            "accounts_with_ties": sum(1 for d in deg.values() if d > 0),
            "ties": sum(len(v) for v in und.values()) // 2,
            "roster_ties_within_district": f["within"],
            "roster_ties_across_districts": f["across"],
        },
        "people": people,
    }


def readme(s: Sample, gt: dict[str, Any]) -> str:
    """The data/sample README, with the ground truth filled in."""
    f = gt["files"]
    rows = []

    def row(what: str, entries: Iterable[dict[str, Any]], note: str = "") -> None:
        for e in entries:
            rows.append(f"| {what} | {e['person_id']} | {e['name']} | {e['district']} | "
                        f"{e['handle'] or '(none)'} | `{e['account'] or '-'}` | {note or ''} |")

    row("absent", gt["absent"], "no posts, never mentioned")
    for e in gt["isolates"]:
        row("isolate", [e], f"{e['posts']} posts in {e['source']}, no ties")
    for e in gt["single_tie"]:
        row("single tie", [e], f"only contact `{e['contact']}`")
    b = gt["broker"]
    row("broker", [b], f"contacts in {', '.join(b['contact_districts'])}")
    row("subgroup (C)", b["subgroup"], "tied only to each other and the broker")
    row("clique", gt["clique"]["members"], "all 20 ordered pairs tied")
    for e in gt["never_sought"]:
        row("never sought", [e], f"reaches {e['out_degree']} accounts, nobody reaches them")
    table = "\n".join(rows)
    files = "\n".join((
        "| file | what it is |",
        "|---|---|",
        f"| `{TWARC2_FILE}` | #NAESPchat over a fall term as X API v2 full-archive search pages, "
        f"one page a line, as `twarc2 search` writes them: {f['twarc2']['tweets']} tweets in "
        f"{f['twarc2']['pages']} pages |",
        f"| `{TAGS_FILE}` | #PrincipalLife over the same term as a TAGS archive (Twitter "
        f"Archiving Google Sheet CSV export, 18 columns): {f['tags']['rows']} rows, "
        f"{f['tags']['unique_tweets']} distinct tweets |",
        f"| `roster.csv` | {f['roster']['people']} principals in three districts: person_id, "
        "name, email, district, school, role, years_as_principal, x_handle (empty for some), "
        "x_user_id |",
        "| `ground_truth.json` | the planted structure below, machine-readable (account keys "
        "`x:<user id>`, person ids) |",
    ))
    hub = gt["hub"]
    net = gt["network"]
    return f"""# Sample data (synthetic)

**Everything in this folder is synthetic.** The people, schools, districts, accounts, user
ids, tweet ids and posts were made up by `scripts/make_sample_data.py`; any resemblance to real
people or accounts is coincidental. Domains use `example.org`. Nothing here was collected from
X/Twitter or copied from a real archive.

Regenerate (byte-identical for the same seed):

```
python scripts/make_sample_data.py --out data/sample --seed {s.seed}
```

## Files

{files}

Read them with `Store.ingest(path, format="twarc2")` and `format="tags"`.

## The term

Twelve weekly chats, Tuesdays 8-9 pm US Eastern from 9 September to 2 December 2025, with no
chat in Thanksgiving week (25 November). In UTC a chat runs Wednesday 00:00-01:00 while daylight
saving time lasts and 01:00-02:00 after it ends on 2 November. The moderator `@{hub['handle']}`
posts a promotion the day before, an intro at 8:00 pm and Q1..Q6 about eight minutes apart
(`Q1: ... #NAESPchat`). Participants introduce themselves and answer with `A1: ...` as replies to
the question (conversation id = the question's id), reply to and mention each other, retweet and
quote; a few answer without replying. Lurkers post once in the term. Non-roster educators (coaches,
teachers, superintendents) take part too. #PrincipalLife traffic runs 8 September to 7 December:
daily posts, retweets, replies and shout-outs, plus the moderator's promotions, which carry both
hashtags and so appear in both files.

## Format quirks reproduced

twarc2 (`{TWARC2_FILE}`):
- each line is one API response page (`data`, `includes.users`, `includes.tweets`, `meta`,
  `__twarc`); newest tweets first; pages of up to 100 with `next_token` on all but the last;
- ids are 19-digit snowflakes that increase with `created_at` (`2025-09-10T00:00:00.000Z`);
  older accounts have short user ids, newer ones snowflake user ids;
- a reply lists the replied-to account in `entities.mentions` too (tie it once, as a reply);
  replies deeper in a thread may also carry the moderator's handle;
- a retweet's text is `RT @user: ...` truncated to 140 characters with `…`; its mentions
  include the original author (at offset 3) and the original's own mentions, which are not the
  retweeter's ties; its `public_metrics` are the original's retweet count;
- quotes end with a `t.co` link to the quoted tweet (`entities.urls`);
- mention and hashtag offsets are character offsets into `text`;
- a few self-replies (threads) and Spanish-language intros (`lang` `es`);
- a user object has no `location` when the profile has none; tweets carry
  `edit_history_tweet_ids` and the 2023+ `public_metrics` (bookmarks, impressions).

TAGS (`{TAGS_FILE}`), same 18 columns as a real TAGS export:
- missing values are the literal `NA`; `geo_coordinates` and `user_lang` are always `NA`;
- `created_at` is like `Wed Sep 10 00:00:00 +0000 2025`; the `time` column is sheet-local US
  Eastern time mislabelled `Z` (four or five hours off `created_at`, sometimes a second early);
- about one `id_str` in eight is rounded into scientific notation (`1.96862107123512E+18`), as
  a spreadsheet does; the tweet id is the tail of `status_url`
  (`http://twitter.com/<user>/statuses/<id>`);
- retweets show only as a leading `RT @user:` in `text`; the original author is the matching
  `user_mentions` entry of `entities_str` (v1.1 entity JSON with `screen_name`, `name`, `id`,
  `id_str`, `indices`); `id` is a JavaScript number, so ids above 2^53 lose their last digits
  (use `id_str`);
- replies fill `in_reply_to_user_id_str`, `in_reply_to_screen_name` and
  `in_reply_to_status_id_str`;
- text longer than 140 characters is cut to the 140-character compatibility form
  (`…` and a `https://t.co/` link to `twitter.com/i/web/status/<id>`), dropping entities past
  the cut;
- {f['tags']['duplicate_rows']} rows are repeated (re-collection duplicates), some with a newer
  follower count; rows are newest first.

## Planted ground truth

Ties are counted over both files together, from reply, mention, retweet and quote interactions
as `plnanalytics.ingest.tweets.PostSink` draws them, ignoring direction: a reply is not also a
mention, a retweet ties the retweeter only to the original author, self-loops are not ties.

- **Hub**: the moderator `@{hub['handle']}` (`{hub['account']}`) has {hub['degree']} distinct
  contacts; the next highest has {hub['next_highest_degree']}.
- **Absent** (4 roster principals): no account activity at all; three have no X handle.
- **Isolates** (2): post (one in #NAESPchat, one in #PrincipalLife, including a self-reply and a
  self-retweet) but have no ties, and nobody replies to, mentions, retweets or quotes them.
- **Single tie** (3): exactly one distinct contact. One only retweets a clique member's answer
  that mentions two other clique members (the retweeter gets no tie to them); one is a one-time
  chat answerer welcomed by the moderator; one exchanges a mention and a reply with a district
  peer.
- **Broker** (1): a Riverbend principal whose contacts span all three districts and who is the
  only tie between a four-person Lakeshore County subgroup and everyone else (the subgroup
  answers in the chat without replying to the moderator).
- **Clique** (5): Cedar Valley principals who are all pairwise tied in both directions; nobody
  else is tied to all five, and there is no other clique of five or more.
- **Never sought** (2): reply to or mention others, but nobody replies to, mentions, retweets or
  quotes them.
- Every other roster principal who posts has at least two contacts and at least one incoming
  tie, and all accounts with a tie form one connected network.
- Network: {net['accounts_with_posts']} accounts post, {net['accounts_with_ties']} have ties,
  {net['ties']} ties in all; among roster principals {net['roster_ties_within_district']} ties
  are within a district and {net['roster_ties_across_districts']} across districts.

| role | person_id | name | district | handle | account | note |
|---|---|---|---|---|---|---|
{table}

`ground_truth.json` also lists, for every roster person, the category, degree, in-degree and
out-degree (null for people who never post).
""" + (_sources_module().readme_section(gt["sources"], {p.person_id: p.name for p in s.people})
       if "sources" in gt else "")


def _sources_module() -> ModuleType:
    """``scripts/make_sample_sources.py``, loaded from beside this file."""
    name = "make_sample_sources"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(name + ".py"))
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up
        spec.loader.exec_module(module)
    return sys.modules[name]


def generate(out: Path, seed: int = 2024) -> str:
    """Build the sample and write its eight files to ``out``; return a one-line summary."""
    s = Sample(seed)
    s.build()
    lines, n_tweets, n_pages = s.twarc2_lines()
    rows, unique, dups = s.tags_rows()
    counts = {"tweets": n_tweets, "pages": n_pages, "rows": len(rows), "unique": unique,
              "dups": dups}
    gt = ground_truth(s, counts)
    out.mkdir(parents=True, exist_ok=True)
    (out / TWARC2_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(TAGS_HEADER)
    writer.writerows(rows)
    (out / TAGS_FILE).write_text(buf.getvalue(), encoding="utf-8")
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(ROSTER_HEADER)
    writer.writerows(s.roster_rows())
    (out / "roster.csv").write_text(buf.getvalue(), encoding="utf-8")
    roster = [dict(zip(ROSTER_HEADER, r, strict=True)) for r in s.roster_rows()]
    und = s.facts["und"]
    gt["sources"] = _sources_module().generate_sources(
        out, seed, roster,
        x_categories={pid: e["category"] for pid, e in gt["people"].items()},
        x_contacts={"x:" + u: {"x:" + v for v in nb} for u, nb in und.items()},
        x_posters={"x:" + u for u in s.facts["posters"]})
    (out / "ground_truth.json").write_text(json.dumps(gt, indent=2) + "\n", encoding="utf-8")
    (out / "README.md").write_text(readme(s, gt), encoding="utf-8")
    src = gt["sources"]
    return (f"wrote {out}: {n_tweets} tweets in {n_pages} twarc2 pages, {len(rows)} TAGS rows "
            f"({dups} duplicates), {len(s.people)} roster people, "
            f"{src['slack']['messages']} Slack messages, {src['survey']['rows']} survey rows, "
            f"{src['groups']['memberships']} group memberships (seed {seed})")


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("data/sample"),
                        help="output folder (default: data/sample)")
    parser.add_argument("--seed", type=int, default=2024, help="random seed (default: 2024)")
    args = parser.parse_args(argv)
    print(generate(args.out, args.seed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
