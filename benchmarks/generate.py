"""A synthetic archive of issues, for the benchmarks.

``generate(dest, n, seed, cadence)`` writes ``n`` issues, numbered 1..n, as
``dest/issues/YYYY/YYYY-MM-DD.md`` in the real format, each about 800 words, and
copies the project's ``publication.toml``, ``conf.py``, ``index.md``,
``_templates/`` and ``_static/`` next to them, so that ``dest`` is a complete
project that builds like this repository. The cadence gives the dates
(:data:`CADENCES`): ``weekly``, consecutive Fridays from 2016-01-08 (520 issues
are ten years, to 2025-12-19), or ``daily``, every day from 2012-01-01 (5,200
issues are a daily edition over fourteen years, to 2026-03-27).

Issue k's date depends on k and the cadence alone, and its text is made from word
lists with a ``random.Random`` seeded from ``seed`` and k alone: the output is the
same on every run, and the first 52 issues of a 520-issue archive are the 52
issues of a 52-issue one (of the same cadence). Every issue passes the checker
(``python -m newsletter check``).

    python -m benchmarks.generate DEST N [--seed S] [--cadence weekly|daily]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import shutil
import textwrap
from pathlib import Path

from newsletter.schema import publication

ROOT = Path(__file__).resolve().parent.parent
FIRST_FRIDAY = dt.date(2016, 1, 8)
#: each cadence: the date of issue 1 and the days from one issue to the next
CADENCES = {"weekly": (FIRST_FRIDAY, 7), "daily": (dt.date(2012, 1, 1), 1)}
#: the project files that make ``dest`` buildable like this repository
PROJECT_FILES = ("publication.toml", "conf.py", "index.md")
PROJECT_DIRS = ("_templates", "_static")
WORDS_PER_ISSUE = 800
EDITORS = "China-US Focus editorial team"
SUBMIT = "USeditor@chinausfocus.com"

# -- vocabulary ----------------------------------------------------------------


def _spaced(text: str) -> list[str]:
    """A list written as "a b c" over several lines."""
    return text.split()


def _bar(text: str) -> list[str]:
    """A list written as "a|b|c" over several lines."""
    return [" ".join(item.split()) for item in text.split("|")]


FIRST_NAMES = _spaced("""Wei Li Ming Jun Hua Xin Yan Lei Fang Jing Tao Hong Qiang Ying Bo Mei
John Mary Robert Linda Michael Susan David Karen James Patricia Thomas Laura Daniel
Emily Andrew Rachel Kevin Helen Brian Julia Ursula Olaf Emmanuel Giorgia Fumio Yoon
Anthony Narendra Ferdinand Anwar Joko Kamala Marco Gina Janet Katherine Jake Antony
Volodymyr Sergei Dmitry Annalena Pedro Luiz Cyril Recep Mohammed Lawrence Jacinda""")

LAST_NAMES = _spaced("""Wang Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin
Smith Johnson Williams Brown Jones Miller Davis Garcia Rodriguez Wilson Anderson Taylor
Thomas Moore Martin Jackson Thompson White Harris Clark Lewis Walker Hall Allen Young
King Wright Scott Green Baker Adams Nelson Carter Mitchell Roberts Turner Phillips
Campbell Parker Evans Edwards Collins Stewart Morris Khorbaladze Wong Tanaka Suzuki
Kim Park Nguyen Tran Santos Mueller Schmidt Dubois Rossi Novak Kowalski Ivanov""")

ROLES = _bar("""Secretary of State|Treasury Secretary|Commerce Secretary|Trade Representative|
Foreign Minister|Vice Premier|Commerce Minister|Defense Secretary|National Security Adviser|
Senator|Representative|Governor|ambassador to China|ambassador to the United States|
spokesperson for the Foreign Ministry|chief economist|central bank governor|
director of the Asia program|senior fellow|former trade negotiator|professor of economics|
chief executive|European Commission President|Prime Minister|President""")

ORGS = _bar("""the World Trade Organization|the International Monetary Fund|the World Bank|
the Federal Reserve|the People's Bank of China|the Ministry of Commerce|the State Department|
the Pentagon|the European Commission|the Asian Development Bank|the G20|APEC|ASEAN|NATO|
the United Nations|the Brookings Institution|the Peterson Institute|the Council on Foreign
Relations|Tsinghua University|Peking University|Fudan University|Harvard University|
the Carnegie Endowment|the Rhodium Group|the National People's Congress|Congress|
the Senate Foreign Relations Committee|the House Select Committee|the Treasury Department|
the Commerce Department|the National Development and Reform Commission|
the International Energy Agency|the Arctic Council|the Bank for International Settlements|
the U.S.-China Business Council|the American Chamber of Commerce in China|
the China Council for the Promotion of International Trade""")

PLACES = _bar("""Beijing|Washington|Shanghai|New York|Hong Kong|Shenzhen|Guangzhou|Taipei|Tokyo|
Seoul|Manila|Hanoi|Jakarta|Singapore|Kuala Lumpur|Bangkok|New Delhi|Canberra|Wellington|
Brussels|Berlin|Paris|London|Rome|Madrid|Warsaw|Kyiv|Moscow|Geneva|Davos|Abu Dhabi|Riyadh|
Doha|Cairo|Nairobi|Lagos|Johannesburg|Brasilia|Mexico City|Ottawa|Anchorage|Nuuk|
Reykjavik|Oslo|Helsinki|Stockholm|Chengdu|Wuhan|Xiamen|Tianjin|Hangzhou|Nanjing|
San Francisco|Los Angeles|Seattle|Chicago|Houston|Miami|Honolulu|Guam|Okinawa|Busan|
Osaka|Da Nang|Phnom Penh|Vientiane|Yangon|Colombo|Islamabad|Tashkent|Astana|Ulaanbaatar""")

ADJECTIVES = _spaced("""bilateral multilateral strategic economic diplomatic technological financial
industrial regional global maritime military commercial renewable nuclear digital
structural fiscal monetary agricultural semiconductor cross-border long-term short-term
preliminary comprehensive landmark tentative contentious fragile robust cautious
sweeping modest unprecedented renewed sustained gradual sharp steady volatile critical
rare-earth high-level working-level export-oriented consumer-led state-owned private
reciprocal punitive retaliatory joint parallel informal formal public closed-door
bipartisan partisan domestic international transpacific transatlantic continental
coastal northern southern eastern western ambitious pragmatic symbolic practical""")

NOUNS = _spaced("""tariff tariffs trade investment negotiation negotiations summit dialogue talks
agreement framework deal sanctions exports imports supply chain chains market markets
currency yuan dollar bond bonds debt growth inflation recession stimulus subsidy
subsidies policy policies alliance alliances partnership security defense budget
deterrence diplomacy cooperation competition rivalry tension tensions ceasefire
pipeline grid battery batteries vehicle vehicles chip chips semiconductors software
platform platforms data privacy cybersecurity satellite satellites shipping port
ports railway corridor infrastructure minerals lithium cobalt copper soybeans wheat
corn pork beef fentanyl students scholars visas tourism exchanges journalists
consulate embassy delegation envoy communique statement memorandum forum conference
election campaign legislation bill hearing review probe investigation ruling court
startup startups manufacturer manufacturers exporter exporters investor investors
consumer consumers worker workers farmer farmers factory factories industry industries
climate emissions carbon coal solar wind hydrogen reactor reactors drought flood
airline aircraft drone drones missile missiles warship warships patrol exercise
exercises strait waters island islands coastline border frontier airspace""")

VERBS_PAST = _spaced("""announced signed rejected welcomed criticized proposed approved delayed
extended suspended resumed launched unveiled expanded reduced raised lowered imposed
lifted eased tightened reviewed challenged defended endorsed questioned outlined
confirmed denied pledged warned urged praised postponed finalized negotiated drafted
accelerated slowed doubled halved tripled restricted opened closed renewed revised""")

VERBS_ING = _spaced("""expanding reducing raising lowering imposing lifting easing tightening
reviewing challenging defending strengthening weakening reshaping reviving extending
narrowing widening testing deepening complicating clarifying stabilizing
rebuilding restricting protecting financing targeting""")

ADVERBS = _spaced("""sharply steadily quietly openly cautiously formally informally swiftly
gradually reportedly publicly privately largely partly broadly narrowly firmly
notably repeatedly briefly jointly separately unexpectedly""")

WEEKDAYS = _spaced("Monday Tuesday Wednesday Thursday Friday Saturday Sunday")

CONNECTORS = _bar("""Meanwhile,|At the same time,|Elsewhere,|In a separate development,|
Separately,|Earlier this week,|On the economic front,|In Washington,|In Beijing,|
Later in the week,|Across the Pacific,|Closer to home,|By contrast,|Notably,""")

DOMAINS = _spaced("""www.chinausfocus.com www.reuters.com apnews.com www.bloomberg.com www.ft.com
www.scmp.com www.nytimes.com www.washingtonpost.com www.wsj.com www.economist.com
www.xinhuanet.com www.globaltimes.cn www.defensenews.com www.brookings.edu www.csis.org
www.cfr.org www.piie.com www.iea.org www.imf.org www.worldbank.org www.wto.org
www.state.gov home.treasury.gov www.commerce.gov www.mofcom.gov.cn""")

SYLLABLES = _spaced("""an ar bel cor da den el fin gal hal ion jin kai lan lum mar nex nor ova
pan quin ra rix sol tan tek ur val ver win xen yor zen zhi bao hui kang long rui""")

COMPANY_SUFFIXES = _bar("""Holdings|Group|Technologies|Energy|Motors|Semiconductor|Logistics|
Capital|Materials|Networks|Robotics|Biotech|Aerospace|Shipping|Minerals""")

SCALES = ("million", "billion", "billion", "billion", "trillion")


class Writer:
    """The sentences of one issue, all drawn from one seeded ``random.Random``."""

    def __init__(self, rng: random.Random, date: dt.date) -> None:
        self.rng = rng
        self.date = date

    def pick(self, items: list[str] | tuple[str, ...]) -> str:
        return self.rng.choice(items)

    # small pieces

    def person(self) -> str:
        return f"{self.pick(FIRST_NAMES)} {self.pick(LAST_NAMES)}"

    def titled_person(self) -> str:
        return f"{self.pick(ROLES)} {self.person()}"

    def company(self) -> str:
        name = "".join(self.pick(SYLLABLES) for _ in range(self.rng.randint(2, 3)))
        return f"{name.capitalize()} {self.pick(COMPANY_SUFFIXES)}"

    def money(self) -> str:
        return f"${self.rng.uniform(1, 999):.1f} {self.pick(SCALES)}"

    def percent(self) -> str:
        return f"{self.rng.uniform(0.2, 48):.1f} percent"

    def year(self) -> int:
        return self.date.year + self.rng.randint(-8, 6)

    def noun_phrase(self) -> str:
        shape = self.rng.randrange(4)
        if shape == 0:
            return f"the {self.pick(ADJECTIVES)} {self.pick(NOUNS)}"
        if shape == 1:
            return f"a {self.pick(ADJECTIVES)} {self.pick(NOUNS)} {self.pick(NOUNS)}"
        if shape == 2:
            return f"new {self.pick(NOUNS)} on {self.pick(NOUNS)}"
        return f"{self.pick(ADJECTIVES)} {self.pick(NOUNS)}"

    def subject(self) -> str:
        shape = self.rng.randrange(4)
        if shape == 0:
            return self.titled_person()
        if shape == 1:
            return self.pick(ORGS).replace("the ", "The ", 1)
        if shape == 2:
            return self.company()
        return f"Officials in {self.pick(PLACES)}"

    def clause(self) -> str:
        return f"{self.subject()} {self.pick(VERBS_PAST)} {self.noun_phrase()}"

    # sentences

    def sentence(self) -> str:
        shape = self.rng.randrange(9)
        if shape == 0:
            return (
                f"{self.titled_person()} said on {self.pick(WEEKDAYS)} that "
                f"{self.lower(self.clause())} in {self.pick(PLACES)}."
            )
        if shape == 1:
            return (
                f"{self.company()} {self.pick(VERBS_PAST)} {self.noun_phrase()} worth "
                f"{self.money()}, {self.pick(ADVERBS)} {self.pick(VERBS_ING)} "
                f"{self.noun_phrase()}."
            )
        if shape == 2:
            return (
                f"Analysts in {self.pick(PLACES)} noted that {self.lower(self.clause())}, "
                f"although {self.lower(self.clause())}."
            )
        if shape == 3:
            return (
                f"The {self.pick(ADJECTIVES)} {self.pick(NOUNS)} comes amid "
                f"{self.noun_phrase()} in {self.pick(PLACES)}, where "
                f"{self.lower(self.clause())}."
            )
        if shape == 4:
            return (
                f"{self.pick(NOUNS).capitalize()} {self.pick(NOUNS)} rose {self.percent()} "
                f"in {self.year()} to {self.money()}, according to {self.pick(ORGS)}."
            )
        if shape == 5:
            return (
                f"{self.pick(CONNECTORS)} {self.lower(self.clause())} after "
                f"{self.pick(ADJECTIVES)} {self.pick(NOUNS)} with {self.pick(PLACES)}."
            )
        if shape == 6:
            return (
                f"{self.person()} of {self.pick(ORGS)} argued that {self.noun_phrase()} "
                f"could reach {self.money()} by {self.year()}, {self.pick(VERBS_ING)} "
                f"{self.noun_phrase()}."
            )
        if shape == 7:
            return (
                f"The talks in {self.pick(PLACES)} are expected to resume in "
                f"{dt.date(2000, self.rng.randint(1, 12), 1):%B}, with {self.noun_phrase()} "
                f"and {self.noun_phrase()} on the agenda."
            )
        return f"{self.clause()}, {self.pick(ADVERBS)} {self.pick(VERBS_ING)} {self.noun_phrase()}."

    @staticmethod
    def lower(text: str) -> str:
        """A clause continued mid-sentence: "the Pentagon", "officials in Seoul"."""
        for word in ("The ", "Officials "):
            if text.startswith(word):
                return word.lower() + text[len(word) :]
        return text

    def paragraph(self, sentences: int) -> str:
        return " ".join(self.sentence() for _ in range(sentences))

    def url(self) -> str:
        when = self.date - dt.timedelta(days=self.rng.randint(0, 20))
        slug = "-".join(self.pick(NOUNS).replace(" ", "-") for _ in range(self.rng.randint(3, 6)))
        return f"https://{self.pick(DOMAINS)}/{when:%Y/%m/%d}/{slug}/"


# -- one issue -----------------------------------------------------------------


def _words(text: str) -> int:
    return len(text.split())


def _yaml_text(text: str) -> str:
    """A YAML scalar for ``text``: plain when that is safe, double-quoted otherwise."""
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9 ,.'’–-]*", text):
        return text
    return json.dumps(text, ensure_ascii=False)


def issue_text(number: int, date: dt.date, topics: list[str], seed: int) -> str:
    """The Markdown of issue ``number`` (the same for the same arguments)."""
    rng = random.Random(f"{seed}:{number}")
    w = Writer(rng, date)

    title = (
        f"{w.pick(PLACES)}, {w.pick(NOUNS)} and {w.pick(['talks', 'tariffs', 'tensions'])} "
        f"in {w.pick(PLACES)}"
    )
    title = title[0].upper() + title[1:]
    summary = w.sentence()
    while len(summary) > 280:
        summary = w.sentence()
    chosen = rng.sample(topics, rng.randint(2, 4))
    editors = [EDITORS] if rng.random() < 0.7 else [EDITORS, w.person()]

    quote = "\n".join(
        [
            ":::{quote}",
            f":attribution: {w.person()}, {w.pick(ROLES)}",
            f":source: {w.url()}",
            f'"{w.sentence()[:-1]}, and {w.lower(w.clause())}."',
            ":::",
        ]
    )
    as_of = date - dt.timedelta(days=rng.randint(3, 40))
    stat = "\n".join(
        [
            f":::{{stat}} {w.money()}",
            f":source: {w.url()}",
            f":as-of: {as_of.isoformat()}",
            f"The {w.pick(ADJECTIVES)} {w.pick(NOUNS)} of {w.pick(ORGS)} in {w.year()}.",
            ":::",
        ]
    )
    reading = [
        "Learn more on international relations by exploring our "
        f"[latest Focus content]({w.url()}), including articles on "
        f"{w.pick(NOUNS)}, {w.pick(NOUNS)} and {w.pick(NOUNS)}.",
        "",
        *(
            f"- [{w.noun_phrase().capitalize()}]({w.url()}), by {w.person()}."
            for _ in range(rng.randint(2, 4))
        ),
    ]
    question_intro = (
        f"In our Focus Insights section, we featured an article by {w.person()} examining "
        f"{w.noun_phrase()} and {w.noun_phrase()}, and how {w.lower(w.clause())}."
    )
    question = "\n".join(
        [
            ":::{question}",
            f":submit: {SUBMIT}",
            f"How can {w.pick(['China', 'the United States', 'Beijing', 'Washington'])} "
            f"balance {w.noun_phrase()} with {w.noun_phrase()} in {w.year()}?",
            ":::",
        ]
    )

    fixed = _words(" ".join([title, summary, quote, stat, *reading, question_intro, question]))
    paragraphs: list[str] = []
    while fixed + sum(map(_words, paragraphs)) < WORDS_PER_ISSUE:
        paragraphs.append(w.paragraph(rng.randint(3, 6)))

    front = [
        "---",
        f"title: {_yaml_text(title)}",
        f"date: {date.isoformat()}",
        f"number: {number}",
        "summary: >-",
        textwrap.indent(textwrap.fill(summary, width=78), "  "),
        "topics:",
        *(f"  - {slug}" for slug in chosen),
        "editors:",
        *(f"  - {_yaml_text(name)}" for name in editors),
        "status: published",
        "---",
    ]
    body = [
        "## This Week",
        *paragraphs,
        "## Quote of the Week",
        quote,
        "## By the Numbers",
        stat,
        "## Further Reading",
        "\n".join(reading),
        "## Question of the Week",
        question_intro,
        question,
    ]
    return "\n".join(front) + "\n\n" + "\n\n".join(body) + "\n"


# -- the archive ---------------------------------------------------------------


def copy_project(dest: Path, root: Path = ROOT) -> None:
    """Copy the files that make ``dest`` a buildable project of ours."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        shutil.copy2(root / name, dest / name)
    for name in PROJECT_DIRS:
        if (root / name).is_dir():
            shutil.copytree(root / name, dest / name, dirs_exist_ok=True)


def issue_dates(n: int, cadence: str = "weekly") -> list[dt.date]:
    """The dates of issues 1..n: issue k's depends on k and the cadence alone."""
    first, days = CADENCES[cadence]
    return [first + dt.timedelta(days=days * k) for k in range(n)]


def generate(dest: Path, n: int, seed: int = 1, cadence: str = "weekly") -> list[Path]:
    """Write ``n`` issues and the project files into ``dest``; return the issue paths."""
    dest = Path(dest)
    if dest.resolve() == ROOT.resolve():
        raise ValueError("generate() never writes into the repository itself")
    copy_project(dest)
    topics = list(publication.load(ROOT).topics)
    paths = []
    for number, date in enumerate(issue_dates(n, cadence), start=1):
        path = dest / "issues" / f"{date:%Y}" / f"{date.isoformat()}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(issue_text(number, date, topics, seed), encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.generate", description=__doc__)
    parser.add_argument("dest", type=Path)
    parser.add_argument("n", type=int)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cadence", choices=sorted(CADENCES), default="weekly")
    args = parser.parse_args(argv)
    paths = generate(args.dest, args.n, args.seed, args.cadence)
    print(f"wrote {len(paths)} issues into {args.dest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
