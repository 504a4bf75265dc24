"""Item-writing checks for the question banks: ``her2course quiz lint [--bank-dir DIR]``.

Test-wise learners score above their knowledge by reading cues in how options are written rather than in what
they say. The linter measures those cues in each bank, reports them, and fails a bank that crosses a limit.
Every limit below is per bank (one YAML file). "Options" are the choices of single-best-answer and
select-all-that-apply items, of each drop-down of a cloze item and of each bow-tie group; the "key" is a correct
option, a "distractor" a wrong one. Lengths are counted in characters of the option text without Markdown.

What it reports, and when it fails (``LIMITS`` holds the numbers):

1. **Key position** (single-best-answer items, in authored order): how often the key is option A, B, C, D...
   Displays shuffle options per item, but exports that keep the authored order would leak a favorite position.
   Fails when one position holds more than 40% of the bank's single-best-answer items (checked from 3 items up,
   the first count at which an even spread can pass).
2. **Key length**: the key's length rank among its options (1 = longest), and how often the key is strictly the
   longest option. Fails when that is more than 35% of the bank's single-best-answer items: a random position
   among four options would make the key the longest about a quarter of the time, and item-writing guides ask
   that it be no more than about a third. Keys shortened to pass this check must not turn the cue round, so the
   same limit applies to the key being strictly the shortest option.
3. **Option-length spread**: the ratio of the longest to the shortest option of each single-best-answer and
   select-all item. Fails for an item whose ratio is above 4.0 (options that are not parallel: a learner can
   pick the odd one out without reading it). The bank's median and widest ratio are reported.
4. **Absolute words** (always, never, all, none, only, must) in keys and in distractors. A learner who knows
   that absolute statements are usually wrong can eliminate them. Fails when more than 3 distractors of the bank
   carry one and distractors carry them at more than twice the rate keys do.
5. **"All of the above" / "none of the above"** (and "both/neither of the above", "all/none of these"): fails on
   any option that uses one.
6. **Grammatical cues**: a stem (or the text before a drop-down) ending in "a" or "an" whose options do not all
   fit the article; a single-best-answer stem that asks "Which ... are" (plural: it hints at the one plural
   option, and a one-answer item should ask in the singular); a select-all stem that asks "Which ... is"
   (singular, though several options may be right). Fails on any.
7. **Select-all items with every option correct** (ticking everything would score full marks): fails on any.
8. **Keys listed first**: of the bank's option groups with both keys and distractors (select-all items, drop-downs,
   bow-tie groups), how many list every key before every distractor. Fails above 50% (from 4 groups up).
9. **Bow-tie shape**: every bow-tie is NCSBN's stand-alone shape: a client scenario; actions to take (choose 2 of
   5), the condition most likely (choose 1 of 4), parameters to monitor (choose 2 of 5), in that order. Fails on
   any other shape.
10. **Clinical-judgment label**: an item labelled with a CJMM step (not ``knowledge``) must be built around a
    client situation. The heuristic looks in the stem (with a cloze item's text and a matrix item's rows, each of
    which can be a client) for a person who receives care (client, patient, woman, man, Ms/Mr/Mrs and a name,
    an age such as "58-year-old", a name and an age as a case introduces its client ("Aisha Rahman, 58", "Lucía
    Fernández, 44": accented letters count; a number followed by a unit or a decimal, as in "Enhertu Injection,
    100 mg", is a dose, not an age), or the pronouns she, he, her, his, him written in lower case or at the start
    of a sentence, so that "HER2" and "HER/ErbB" do not count) and for a situation (a number, or a verb such as
    has, is, receives, takes, reports, asks, arrives, develops, is due). Fails on an item that has a CJMM step
    without both. Recall items carry ``cjmm_step: knowledge``. A heuristic cannot tell a client situation that
    tests judgment from one that only wraps a recall question: that call stays with the item writer, who labels
    such items ``knowledge`` too.

The unfolding cases' 30 stage items are linted as one bank, ``07-unfolding-cases``, with each stage's context
in its stem, as the blueprint and the exports carry them (``her2course.cases.bank``).

A bank that does not validate is reported as a failure with the validation problems.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import DataError, Problem
from ..yamlfile import read_yaml
from .bank import Bank, parse_bank
from .markup import plain
from .schema import CJMM_STEPS

LIMITS = {
    "key_position_max_share": 0.40,
    "key_position_min_items": 3,
    "key_longest_max_share": 0.35,
    "key_shortest_max_share": 0.35,
    "spread_max_ratio": 4.0,
    "absolute_max_distractors": 3,
    "absolute_max_rate_ratio": 2.0,
    "keys_first_max_share": 0.50,
    "keys_first_min_groups": 4,
}
BOWTIE_SHAPE = ((5, 2), (4, 1), (5, 2))  # (options, choose): actions, condition, parameters to monitor
ABSOLUTE_WORDS = ("always", "never", "all", "none", "only", "must")
_ABSOLUTE = re.compile(r"\b(" + "|".join(ABSOLUTE_WORDS) + r")\b", re.IGNORECASE)
_ABOVE = re.compile(r"\b(all|none|both|neither)\s+of\s+(the\s+above|these|those)\b", re.IGNORECASE)
_WHICH_ARE = re.compile(r"\bwhich\b(?:\s+\S+){0,6}?\s+(are|were)\b", re.IGNORECASE)
_WHICH_IS = re.compile(r"\bwhich\b(?:\s+\S+){0,6}?\s+(is|was)\b", re.IGNORECASE)
_NAME = "[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ'’-]+"  # a capitalized name, accented letters too (Lucía, Fernández)
_PERSON = re.compile(
    r"\b(?:[Cc]lients?|[Pp]atients?|[Ww]om[ae]n|[Mm][ae]n|[Mm]other|[Ff]ather|[Ww]ife|[Hh]usband|[Dd]aughter|[Ss]on)\b"
    r"|\b(?:Ms|Mr|Mrs|Mx)\.?\s+[A-Z]"
    r"|\b\d{1,3}-year-old\b"
    r"|\b" + _NAME + " " + _NAME + r", \d{1,3}(?!\d|\.\d)(?=[,.;:)]|\s*$)"  # "Lucía Fernández, 44." (not a dose)
    r"|\b(?:[Ss]he|[Hh]e|[Hh]er|[Hh]is|[Hh]im)\b"
)
_SITUATION = re.compile(
    r"\d|\b(?:has|had|have|is|was|are|were|receives?|received|receiving|takes?|taking|took|starts?|started|starting|"
    r"reports?|reported|asks?|asked|says?|said|tells?|calls?|arrives?|attends?|weighs|finished|completed|due|"
    r"diagnosed|treated|needs?|mentions?|becomes?|develops?|feels?|complains?|misse[sd]|forgot)\b",
    re.IGNORECASE,
)
_VOWEL_SOUND_LETTERS = set("AEFHILMNORSX")  # initialisms read letter by letter: "an MRI", "an LVEF", "a CT"
_READ_AS_WORDS = {"HER", "MUGA", "LASA", "NICE", "SPIKES", "MATE", "SOPHIA", "NALA"}  # "a HER2 test", "a MUGA scan"
_A_BEFORE = ("uni", "use", "usu", "uti", "eu", "one", "once", "ur")  # vowel letters read as a consonant sound
_AN_BEFORE = ("hour", "honest", "honor", "heir")  # a silent h


@dataclass(frozen=True)
class Option:
    text: str
    correct: bool


@dataclass(frozen=True)
class Group:
    """One set of options a learner chooses among: an item's options, a drop-down, a bow-tie group."""

    item: str
    kind: str  # "single", "sata", "blank", "bowtie"
    options: tuple[Option, ...]
    before: str = ""  # the text just before the choice (a stem, or the passage before a drop-down)


@dataclass(frozen=True)
class Finding:
    rule: str
    item: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.item}: " if self.item else ""
        return f"[{self.rule}] {where}{self.message}"


@dataclass
class BankReport:
    """The statistics of one bank and every limit it crosses."""

    name: str
    items: int = 0
    knowledge: int = 0
    single: int = 0
    key_positions: Counter[int] = field(default_factory=Counter)
    key_ranks: Counter[int] = field(default_factory=Counter)
    key_longest: int = 0
    key_shortest: int = 0
    spreads: dict[str, float] = field(default_factory=dict)
    keys: int = 0
    keys_absolute: int = 0
    distractors: int = 0
    distractors_absolute: int = 0
    choice_groups: int = 0
    keys_first: int = 0
    bowties: int = 0
    bowties_standard: int = 0
    failures: list[Finding] = field(default_factory=list)
    notes: list[Finding] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures

    def lines(self) -> list[str]:
        """The report as text, one statistic a line, then each failure."""
        clinical = self.items - self.knowledge
        out = [f"{self.name}: {self.items} items ({clinical} clinical-judgment, {self.knowledge} knowledge); "
               f"{self.single} single-best-answer"]
        if self.single:
            pos = " ".join(f"{chr(65 + p)} {self.key_positions[p]}" for p in range(max(self.key_positions) + 1))
            top = max(self.key_positions.values()) / self.single
            out.append(f"  key position (authored)         {pos}; most used {top:.0%} "
                       f"(limit {LIMITS['key_position_max_share']:.0%})")
            ranks = " ".join(f"{_ordinal(r)} {self.key_ranks[r]}" for r in sorted(self.key_ranks))
            out.append(f"  key length rank (1 longest)     {ranks}")
            out.append(f"  key is the longest option       {self.key_longest} of {self.single} "
                       f"({self.key_longest / self.single:.0%}; limit {LIMITS['key_longest_max_share']:.0%})")
            out.append(f"  key is the shortest option      {self.key_shortest} of {self.single} "
                       f"({self.key_shortest / self.single:.0%}; limit {LIMITS['key_shortest_max_share']:.0%})")
        if self.spreads:
            widest = max(self.spreads, key=lambda k: self.spreads[k])
            out.append(f"  option-length spread            median {statistics.median(self.spreads.values()):.1f}, "
                       f"widest {self.spreads[widest]:.1f} ({widest}); limit {LIMITS['spread_max_ratio']:.1f}")
        out.append(f"  absolute words                  keys {self.keys_absolute} of {self.keys} "
                   f"({_rate(self.keys_absolute, self.keys):.0%}), distractors {self.distractors_absolute} of "
                   f"{self.distractors} ({_rate(self.distractors_absolute, self.distractors):.0%})")
        if self.choice_groups:
            out.append(f"  keys listed first               {self.keys_first} of {self.choice_groups} option groups "
                       f"({self.keys_first / self.choice_groups:.0%}; limit {LIMITS['keys_first_max_share']:.0%})")
        if self.bowties:
            out.append(f"  bow-ties in standard shape      {self.bowties_standard} of {self.bowties}")
        counts = Counter(f.rule for f in self.failures)
        for rule in ("above", "grammar", "sata-all-correct", "cjmm-client"):
            out.append(f"  {_RULE_NAMES[rule]:<32}{counts[rule]}")
        out.append(f"  {'result':<32}{'pass' if self.passed else f'FAIL ({len(self.failures)})'}")
        out += [f"    - {f}" for f in self.failures]
        return out


_RULE_NAMES = {
    "above": '"all/none of the above"',
    "grammar": "grammatical cues",
    "sata-all-correct": "select-all, all options right",
    "cjmm-client": "CJMM step without a client",
}


def _ordinal(n: int) -> str:
    return f"{n}{'st' if n == 1 else 'nd' if n == 2 else 'rd' if n == 3 else 'th'}"


def _rate(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _text(value: str) -> str:
    return " ".join(plain(value).split())


def _options(raw: Iterable[Any]) -> tuple[Option, ...]:
    return tuple(Option(_text(o.text), bool(getattr(o, "correct", False))) for o in raw)


def groups(item: Any) -> Iterator[Group]:
    """Every set of right-or-wrong options in an item, whatever its type (read by the fields it has)."""
    stem = _text(item.stem)
    if item.type in ("single", "sata"):
        yield Group(item.id, item.type, _options(item.options), stem)
    for blank in getattr(item, "blanks", None) or ():
        text = getattr(item, "text", "")
        found = re.search(r"\{\{\s*" + re.escape(blank.id) + r"\s*\}\}", text)
        before = _text(text[: found.start()]) if found else ""
        yield Group(item.id, "blank", _options(blank.options), before)
    for group in getattr(item, "groups", None) or ():
        yield Group(item.id, "bowtie", _options(group.options))


def presents_client(item: Any) -> bool:
    """Whether the item is built around a person receiving care (see rule 10 in the module docstring)."""
    parts = [item.stem, getattr(item, "text", "")] + [row.text for row in getattr(item, "rows", None) or ()]
    text = " ".join(_text(t) for t in parts if t)
    return bool(_PERSON.search(text)) and bool(_SITUATION.search(text))


def _article_fits(article: str, word: str) -> bool:
    word = word.strip("\"'“‘(")
    if not word:
        return True
    if word[0].isdigit():  # "an 8-week", "an 11-day", "an 18-month"; "a 5-minute"
        vowel = word.startswith("8") or re.match(r"1[18](?!\d)", word) is not None
    else:
        head = (re.match(r"[A-Za-z]+", word) or re.match(r".", word)).group(0)
        if len(head) > 1 and head.isupper() and head not in _READ_AS_WORDS:  # read letter by letter: an MRI, a CT
            vowel = head[0] in _VOWEL_SOUND_LETTERS
        elif head.lower().startswith(_AN_BEFORE):
            vowel = True
        elif head.lower().startswith(_A_BEFORE):
            vowel = False
        else:
            vowel = head[0].lower() in "aeiou"
    return vowel == (article.lower() == "an")


def _question(stem: str) -> str:
    """The sentence of the stem that asks the question (its last one with a question mark, else the last)."""
    parts = [p for p in re.split(r"(?<=[.?!])\s+", stem) if p]
    asks = [p for p in parts if p.rstrip().endswith("?")]
    return (asks or parts or [""])[-1]


def lint_items(name: str, items: Sequence[Any]) -> BankReport:
    """Measure one bank's items and collect every limit they cross."""
    r = BankReport(name=name, items=len(items))
    fail = r.failures.append
    for item in items:
        if item.cjmm_step not in CJMM_STEPS:
            r.knowledge += 1
        elif not presents_client(item):
            fail(Finding("cjmm-client", item.id, f"has the CJMM step '{item.cjmm_step}' but its stem presents no "
                         "client situation: rewrite it around a client, or label it 'cjmm_step: knowledge'"))
        if item.type == "bowtie":
            r.bowties += 1
            shape = tuple((len(g.options), g.choose) for g in item.groups)
            if shape == BOWTIE_SHAPE:
                r.bowties_standard += 1
            else:
                got = ", ".join(f"choose {c} of {n}" for n, c in shape)
                fail(Finding("bowtie-shape", item.id, f"bow-tie groups are {got}; the standard shape is choose 2 of "
                             "5 actions, 1 of 4 conditions, 2 of 5 parameters to monitor"))
        for g in groups(item):
            _lint_group(r, g)
        if item.type == "single":
            ask = _question(_text(item.stem))
            if _WHICH_ARE.search(ask):
                fail(Finding("grammar", item.id, f"a single-best-answer stem asks in the plural: '{ask}'"))
        elif item.type == "sata":
            ask = _question(_text(item.stem))
            if _WHICH_IS.search(ask):
                fail(Finding("grammar", item.id, f"a select-all stem asks in the singular: '{ask}'"))
    _bank_limits(r)
    return r


def _lint_group(r: BankReport, g: Group) -> None:
    fail = r.failures.append
    keys = [o for o in g.options if o.correct]
    wrong = [o for o in g.options if not o.correct]
    for o in g.options:
        if _ABOVE.search(o.text):
            fail(Finding("above", g.item, f"option '{o.text}' uses an 'all/none of the above' form"))
        if _ABSOLUTE.search(o.text):
            if o.correct:
                r.keys_absolute += 1
            else:
                r.distractors_absolute += 1
    r.keys += len(keys)
    r.distractors += len(wrong)
    last = g.before.rstrip().rsplit(" ", 1)[-1] if g.before.strip() else ""
    if last.lower() in ("a", "an"):
        for o in g.options:
            first = o.text.split(" ", 1)[0] if o.text else ""
            if not _article_fits(last, first):
                fail(Finding("grammar", g.item, f"'{last} {o.text}': the article before the choice does not fit "
                             "this option"))
    if g.kind == "single":
        r.single += 1
        key = keys[0]
        r.key_positions[g.options.index(key)] += 1
        longer = sum(len(o.text) > len(key.text) for o in wrong)
        r.key_ranks[longer + 1] += 1
        if all(len(key.text) > len(o.text) for o in wrong):
            r.key_longest += 1
        if all(len(key.text) < len(o.text) for o in wrong):
            r.key_shortest += 1
    if g.kind in ("single", "sata"):
        lengths = [len(o.text) for o in g.options]
        ratio = max(lengths) / max(min(lengths), 1)
        r.spreads[g.item] = ratio
        if ratio > LIMITS["spread_max_ratio"]:
            fail(Finding("length-spread", g.item, f"the longest option is {ratio:.1f} times the shortest "
                         f"(limit {LIMITS['spread_max_ratio']:.1f}): make the options parallel"))
    if g.kind == "sata" and not wrong:
        fail(Finding("sata-all-correct", g.item, "every option is correct: ticking all of them scores full marks"))
    if keys and wrong and g.kind != "single":
        r.choice_groups += 1
        flags = [o.correct for o in g.options]
        if flags == sorted(flags, reverse=True):
            r.keys_first += 1


def _bank_limits(r: BankReport) -> None:
    fail = r.failures.append
    if r.single >= LIMITS["key_position_min_items"]:
        pos, n = r.key_positions.most_common(1)[0]
        if n / r.single > LIMITS["key_position_max_share"]:
            fail(Finding("key-position", None, f"the key is option {chr(65 + pos)} in {n} of {r.single} "
                         f"single-best-answer items ({n / r.single:.0%}; limit "
                         f"{LIMITS['key_position_max_share']:.0%}): rotate the authored positions"))
    if r.single and r.key_longest / r.single > LIMITS["key_longest_max_share"]:
        fail(Finding("key-longest", None, f"the key is the longest option in {r.key_longest} of {r.single} "
                     f"single-best-answer items ({r.key_longest / r.single:.0%}; limit "
                     f"{LIMITS['key_longest_max_share']:.0%}): tighten keys, make distractors as complete"))
    if r.single and r.key_shortest / r.single > LIMITS["key_shortest_max_share"]:
        fail(Finding("key-shortest", None, f"the key is the shortest option in {r.key_shortest} of {r.single} "
                     f"single-best-answer items ({r.key_shortest / r.single:.0%}; limit "
                     f"{LIMITS['key_shortest_max_share']:.0%}): a short key is as much a cue as a long one"))
    d_rate, k_rate = _rate(r.distractors_absolute, r.distractors), _rate(r.keys_absolute, r.keys)
    if (r.distractors_absolute > LIMITS["absolute_max_distractors"]
            and d_rate > LIMITS["absolute_max_rate_ratio"] * k_rate):
        fail(Finding("absolute-words", None, f"{r.distractors_absolute} distractors use an absolute word "
                     f"({', '.join(ABSOLUTE_WORDS)}) at {d_rate:.0%}, against {k_rate:.0%} of keys (limit: more than "
                     f"{LIMITS['absolute_max_distractors']} and over {LIMITS['absolute_max_rate_ratio']:g} times "
                     "the keys' rate)"))
    if (r.choice_groups >= LIMITS["keys_first_min_groups"]
            and r.keys_first / r.choice_groups > LIMITS["keys_first_max_share"]):
        fail(Finding("keys-first", None, f"{r.keys_first} of {r.choice_groups} option groups list every key before "
                     f"every distractor ({r.keys_first / r.choice_groups:.0%}; limit "
                     f"{LIMITS['keys_first_max_share']:.0%}): mix the authored order"))


def lint_bank(bank: Bank) -> BankReport:
    return lint_items(bank.chapter, bank.items)


def lint_dir(folder: Path) -> list[BankReport]:
    """Lint every bank (``*.yaml``) in a folder; a bank that does not validate fails with its problems."""
    files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    reports: list[BankReport] = []
    for path in files:
        problems: list[Problem]
        try:
            bank, problems = parse_bank(path, read_yaml(path))
        except DataError as exc:
            bank, problems = None, exc.problems
        report = lint_bank(bank) if bank is not None else BankReport(name=path.stem)
        report.failures[:0] = _invalid(problems)
        reports.append(report)
    return reports


def _invalid(problems: Iterable[Problem]) -> list[Finding]:
    return [Finding("invalid", p.item, f"{p.field + ': ' if p.field else ''}{p.message}") for p in problems]


def lint_cases() -> BankReport:
    """The unfolding cases' stage items as the one bank the exports make of them; a case that does not validate
    fails the bank with its problems."""
    from ..cases.bank import CHAPTER, case_banks

    try:
        banks = case_banks()
    except DataError as exc:
        report = BankReport(name=CHAPTER)
        report.failures = _invalid(exc.problems)
        return report
    return lint_items(CHAPTER, [item for bank in banks for item in bank.items])


def run(args: argparse.Namespace) -> int:
    from ..exports.selection import bank_dir_from
    from ..paths import package_layout
    from .bank import questions_dir

    private = bank_dir_from(args.bank_dir)
    folder = private or questions_dir(package_layout())
    if not folder.is_dir():
        print(f"error: {folder} is not a folder of question banks", file=sys.stderr)
        return 2
    reports = lint_dir(folder)
    if not reports:
        print(f"error: no question bank (*.yaml) in {folder}", file=sys.stderr)
        return 2
    if private is None:  # the course's own banks: the cases' items too
        reports.append(lint_cases())
    print(f"Item-writing checks of the question banks in {folder}")
    for report in reports:
        print("\n".join(report.lines()))
    failed = [r.name for r in reports if not r.passed]
    if failed:
        print(f"{len(failed)} of {len(reports)} banks fail: {', '.join(failed)}", file=sys.stderr)
        return 1
    print(f"All {len(reports)} banks pass.")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("lint", help="item-writing checks per bank: key position and length, absolute words, "
                       "grammatical cues, bow-tie shape, CJMM labels (exit 1 if a bank fails)")
    p.add_argument("--bank-dir", metavar="DIR",
                   help="folder of question banks (default: $HER2COURSE_BANK_DIR, else the course's banks)")
    p.set_defaults(func=run)
