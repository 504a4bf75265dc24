"""Diarrhea: the CTCAE v5.0 grade, nursing actions, and the neratinib (Nerlynx) prevention and dose rules.

CTCAE v5.0 "Diarrhea" [ctcae5], in short:

* grade 1 - fewer than 4 stools a day over baseline, or a mild rise in ostomy output;
* grade 2 - 4 to 6 stools a day over baseline, a moderate rise in ostomy output, or limits instrumental activities of
  daily living (ADL: cooking, shopping, managing money...);
* grade 3 - 7 or more stools a day over baseline, hospitalization indicated, a severe rise in ostomy output, or
  limits self-care ADL (bathing, dressing, eating, toileting);
* grade 4 - life-threatening consequences, urgent intervention indicated;
* grade 5 - death.

Which version, and why: the tool grades with CTCAE v5.0 (November 2017). CTCAE v6.0 was published on 22 July 2025
[ctcae6], but the US labels whose diarrhea rules the course teaches attach them to v4.03 (Nerlynx) or v5.0, and
NCI's own ongoing trials stay on v5.0 [ctcae6faq]; a nurse grades with the version the protocol or the label's dose
table names. What v6.0 changed for diarrhea: grade 1 is any change in stool consistency or frequency (no minimum
count), grade 2 also covers such a change when it limits instrumental ADL, and grade 3 adds a need for IV
intervention; the 4-6 and 7-or-more counts are unchanged and incontinence is still not a diarrhea criterion.
Every result says so in its "Scale" line (``SCALE_NOTE``).

"Incontinence" was a grade 3 feature in CTCAE v4.03 and is still printed in some drug-company materials (and in
tables that cite v5.0 loosely); the v5.0 diarrhea term as reproduced in the literature does not list it. This tool
grades by v5.0 and, when incontinence is reported, says so and suggests grading fecal incontinence as its own term.
(Sources disagreed on this point in the 2026-11 review: see the report.)

Neratinib [label-nerlynx]: loperamide prophylaxis from the first dose when dose escalation is not used (4 mg three
times daily on days 1-14, twice daily on days 15-56, then as needed up to 16 mg a day, aiming at 1-2 bowel movements
a day; numbers in data/clinical_rules.yaml), or a two-week dose escalation instead (the doses and days come from
drugs.yaml: 120 mg days 1-7, 160 mg days 8-14, 240 mg from day 15). Dose changes for diarrhea: see
``neratinib_diarrhea_action``.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass
from typing import Any

from ..references import sources_text
from ._common import DISCLAIMER, Card, choice, fmt_num, number

CTCAE_REFS = ("ctcae5",)
CTCAE_VERSION = "5.0"
SCALE_NOTE = (f"CTCAE v{CTCAE_VERSION}, the version the HER2 drug labels' diarrhea tables were written against "
              "(Nerlynx uses v4.03). CTCAE v6.0 (July 2025) also counts any change in stool consistency or frequency "
              "as grade 1 and adds IV treatment to grade 3; grade with the version the protocol or label names.")
NERLYNX_REFS = ("label-nerlynx",)
# the grade 2 nursing actions quote each label's grade 2 rule (or the lack of one)
GRADE2_LABEL_REFS = ("label-nerlynx", "label-tykerb", "label-tukysa", "label-enhertu")

OSTOMY = ("none", "mild", "moderate", "severe")

_ACTIONS: dict[int, tuple[str, ...]] = {
    0: ("No diarrhea by CTCAE: keep teaching the patient what to report.",),
    1: ("Assess hydration (intake, urine, dizziness, weight) and count stools against the patient's baseline.",
        "Start or adjust the antidiarrheal the regimen's protocol or prescriber specifies.",
        "Teach: drink about 2 liters a day unless fluid-restricted; small bland meals; avoid foods that worsen it.",
        "Ask the patient to report at once if stools increase, or with fever, dizziness, blood or cramping."),
    2: ("Notify the prescriber the same day. Label rules at grade 2 differ by drug: neratinib is interrupted when "
        "grade 2 lasts 5 days or more (or sooner with complicating features); lapatinib is interrupted at grade 1-2 "
        "only with complicating features; tucatinib's diarrhea rules start at grade 3; the T-DXd label has no "
        "grade 2 diarrhea rule.",
        "Assess for dehydration and check electrolytes and kidney function as ordered.",
        "Intensify antidiarrheals as ordered; keep oral fluids up; record stool count and how long it has lasted."),
    3: ("Notify the prescriber urgently: withhold the oral targeted drug as its label directs.",
        "Assess for hospital care and IV fluids; check electrolytes and kidney function.",
        "Stool tests to exclude infection as ordered; review for fever or neutropenia (complicated diarrhea)."),
    4: ("Emergency care: life-threatening diarrhea needs urgent intervention (fluids, electrolytes, monitoring).",
        "The drug is usually stopped for good: follow its label and the prescriber."),
    5: ("Death related to diarrhea: report as a serious adverse event.",),
}


@dataclass(frozen=True)
class DiarrheaResult(Card):
    grade: int
    nursing_actions: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    title = f"CTCAE v{CTCAE_VERSION} diarrhea"

    def details(self) -> list[tuple[str, str]]:
        return ([("Nursing action", a) for a in self.nursing_actions] + [("Note", n) for n in self.notes]
                + [("Scale", SCALE_NOTE)])


def _flag(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if value in (0, 1):
        return bool(value)
    raise ValueError(f"{name} must be yes or no (True/False), got {value!r}.")


def diarrhea_grade(stools_over_baseline: Any, *, ostomy: str = "none", limiting_instrumental_adl: Any = False,
                   hospitalization_indicated: Any = False, limiting_self_care_adl: Any = False,
                   life_threatening: Any = False, death: Any = False, incontinence: Any = False) -> DiarrheaResult:
    """Grade diarrhea by CTCAE v5.0 [ctcae5] from the rise in daily stools over baseline and the listed features.

    ``stools_over_baseline`` is a whole number from 0 to 50 (stools per day above the patient's usual number).
    ``ostomy`` is "none", "mild", "moderate" or "severe" (rise in ostomy output over baseline). The highest grade
    any criterion reaches wins. ``life_threatening`` covers "life-threatening consequences; urgent intervention
    indicated". Raises ValueError naming the field for odd input.
    """
    stools = int(number(stools_over_baseline, "stools per day over baseline", 0, 50, integer=True))
    ostomy = choice(ostomy, "ostomy output", OSTOMY)
    flags = {name: _flag(v, name) for name, v in [
        ("limiting instrumental ADL", limiting_instrumental_adl),
        ("hospitalization indicated", hospitalization_indicated),
        ("limiting self-care ADL", limiting_self_care_adl),
        ("life-threatening", life_threatening), ("death", death), ("incontinence", incontinence)]}
    reasons: list[tuple[int, str]] = []
    if stools >= 7:
        reasons.append((3, f"{stools} stools a day over baseline (7 or more)"))
    elif stools >= 4:
        reasons.append((2, f"{stools} stools a day over baseline (4 to 6)"))
    elif stools >= 1:
        reasons.append((1, f"{stools} stool{'s' if stools != 1 else ''} a day over baseline (fewer than 4)"))
    if ostomy != "none":
        reasons.append(({"mild": 1, "moderate": 2, "severe": 3}[ostomy], f"a {ostomy} rise in ostomy output"))
    for name, grade in [("limiting instrumental ADL", 2), ("hospitalization indicated", 3),
                        ("limiting self-care ADL", 3), ("life-threatening", 4), ("death", 5)]:
        if flags[name]:
            text = {"life-threatening": "life-threatening consequences (urgent intervention indicated)"}.get(name, name)
            reasons.append((grade, text))
    notes = []
    if flags["incontinence"]:
        notes.append("Incontinence was a grade 3 criterion in CTCAE v4.03 but is not part of the v5.0 diarrhea "
                     "grades: grade fecal incontinence as its own adverse event and tell the prescriber.")
    grade = max((g for g, _ in reasons), default=0)
    if grade == 0:
        return DiarrheaResult("grade 0: no diarrhea by CTCAE", "No rise in stools over baseline and no graded "
                              "feature was reported.", CTCAE_REFS, 0, _ACTIONS[0], tuple(notes))
    because = [t for g, t in reasons if g == grade]
    lower = [f"{t} (grade {g})" for g, t in reasons if g < grade]
    why = f"Grade {grade} because of {' and '.join(because)}."
    if lower:
        why += " The highest grade wins over " + "; ".join(lower) + "."
    refs = CTCAE_REFS + (GRADE2_LABEL_REFS if grade == 2 else ())
    return DiarrheaResult(f"grade {grade}", why, refs, grade, _ACTIONS[grade], tuple(notes))


# ---- neratinib ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PlanRow:
    period: str                 # "Week 1", "Day 3", "Weeks 9 on"...
    day_from: int
    day_to: int | None
    neratinib: str
    loperamide: str
    date_from: dt.date | None = None
    date_to: dt.date | None = None


@dataclass(frozen=True)
class NeratinibPlan(Card):
    strategy: str
    rows: tuple[PlanRow, ...]
    notes: tuple[str, ...] = ()
    title = "Neratinib diarrhea prevention"

    def details(self) -> list[tuple[str, str]]:
        out = []
        for r in self.rows:
            when = r.period + (f" ({r.date_from.isoformat()}" + (f" to {r.date_to.isoformat()})" if r.date_to else
                                                                 " on)") if r.date_from else "")
            out.append((when, f"neratinib {r.neratinib}; loperamide {r.loperamide}"))
        return out + [("Note", n) for n in self.notes]

    def table(self):
        from ..tables import Table
        dated = any(r.date_from for r in self.rows)
        headers = ["When", *(["Dates"] if dated else []), "Neratinib", "Loperamide"]
        rows = []
        for r in self.rows:
            dates = ([f"{r.date_from.isoformat()} to {r.date_to.isoformat()}" if r.date_to
                      else f"from {r.date_from.isoformat()}"] if dated and r.date_from else [])
            rows.append([r.period, *dates, r.neratinib, r.loperamide])
        return Table(caption=f"Neratinib: {self.strategy} plan", headers=headers, rows=rows,
                     source=f"Source: {sources_text(self.reference)}. {DISCLAIMER}")


_DAYS_RANGE = re.compile(r"days?\s+(\d+)\s*(?:-|–|to)\s*(\d+)")
_DAYS_OPEN = re.compile(r"(?:from\s+)?days?\s+(\d+)\s*(?:on|onward|onwards|and after|\+)")


def _step_days(text: str | None) -> tuple[int, int | None]:
    """'week 1 (days 1-7)' -> (1, 7); 'week 3 onward (day 15 on)' -> (15, None)."""
    t = (text or "").lower()
    m = _DAYS_RANGE.search(t)
    if m:
        return int(m.group(1)), int(m.group(2))
    m = _DAYS_OPEN.search(t)
    if m:
        return int(m.group(1)), None
    raise ValueError(f"cannot read the days of a neratinib escalation step from '{text}' (drugs.yaml): write them as "
                     "'days 1-7' or 'day 15 on'.")


def escalation_steps(kb=None) -> list[tuple[int, int | None, float, str]]:
    """The label's neratinib dose escalation, read from drugs.yaml: [(day_from, day_to, mg, frequency)]."""
    from .. import drugs
    drug = (kb or drugs.base()).get("neratinib")
    for reg in drug.regimens:
        if any(s.phase == "escalation" for s in reg.steps):
            out = []
            for s in reg.steps:
                start, end = _step_days(s.days)
                out.append((start, end, s.amount, s.frequency))
            out.sort()
            if out[0][0] != 1 or out[-1][1] is not None:
                raise ValueError("the neratinib escalation regimen in drugs.yaml must start on day 1 and end open.")
            return out
    raise KeyError("drugs.yaml has no neratinib regimen with 'escalation' steps.")


def _overlap(a0: int, a1: int | None, b0: int, b1: int | None) -> bool:
    return (a1 is None or b0 <= a1) and (b1 is None or a0 <= b1)


def neratinib_plan(strategy: str = "loperamide", *, start: Any = None, by: str = "week", days: Any = None,
                   kb=None, rules=None) -> NeratinibPlan:
    """A day-by-day or week-by-week plan for starting neratinib [label-nerlynx].

    ``strategy``: "loperamide" (240 mg from day 1 with loperamide prophylaxis; the loperamide table is in
    data/clinical_rules.yaml) or "escalation" (the label's two-week escalation read from drugs.yaml; loperamide as
    the prescriber directs: the label's prophylaxis table is written for starting without escalation).
    ``by``: "week" or "day"; ``days``: how many days to list (default 21 by day, 63 by week); ``start``: an optional
    first-dose date (YYYY-MM-DD) to put calendar dates on the plan.
    """
    from .rules import rules as _rules
    strategy = choice(strategy, "strategy", ("loperamide", "escalation"))
    by = choice(by, "plan view", ("week", "day"))
    span = int(number(days if days not in (None, "") else (21 if by == "day" else 63), "days to show", 7, 365,
                      integer=True))
    first = None if start in (None, "") else _to_date(start)
    lop = (rules or _rules()).loperamide_plan("neratinib")
    from .. import drugs
    full = _full_dose(kb or drugs.base())
    if strategy == "loperamide":
        ner = [(1, None, full, "once daily with food")]
        lop_steps = [(s.day_from, s.day_to, s.text) for s in lop.steps]
        what = "Start at the full dose with loperamide prophylaxis from the first dose."
        notes = (lop.goal, "If diarrhea occurs despite prophylaxis: extra antidiarrheals, fluids and electrolytes as "
                 "ordered; neratinib may need to be held or reduced.")
        if not lop.verified:
            notes += ("The loperamide table was not confirmed against the current label text.",)
    else:
        ner = [(a, b, mg, freq) for a, b, mg, freq in escalation_steps(kb)]
        lop_steps = [(1, None, "as the prescriber directs (the label's fixed prophylaxis table is for starting "
                               "without escalation)")]
        what = "Start low and step up over two weeks instead of full-dose prophylaxis."
        notes = (lop.goal,)
    rows = []
    units = [(d, d) for d in range(1, span + 1)] if by == "day" else _weeks(span)
    for a, b in units:
        n_text = "; ".join(f"{fmt_num(mg)} mg {freq}" for s0, s1, mg, freq in ner if _overlap(a, b, s0, s1))
        l_text = "; ".join(t for s0, s1, t in lop_steps if _overlap(a, b, s0, s1))
        period = f"Day {a}" if by == "day" else f"Week {(a - 1) // 7 + 1} (days {a}-{b})"
        rows.append(PlanRow(period, a, b, n_text, l_text,
                            first + dt.timedelta(days=a - 1) if first else None,
                            first + dt.timedelta(days=b - 1) if first and b else None))
    def _later(steps: list[tuple[int, int | None, str]]) -> str:
        parts = [(s0, s1, t) for s0, s1, t in steps if _overlap(span + 1, None, s0, s1)]
        if len(parts) == 1:
            return parts[0][2]
        return "; then ".join(f"{t} (to day {s1})" if s1 else f"{t} (from day {s0})" for s0, s1, t in parts)

    after = _later([(s0, s1, f"{fmt_num(mg)} mg {freq}") for s0, s1, mg, freq in ner])
    lop_after = _later(lop_steps)
    rows.append(PlanRow(f"After day {span}", span + 1, None, after, lop_after,
                        first + dt.timedelta(days=span) if first else None, None))
    refs = tuple(dict.fromkeys((*NERLYNX_REFS, *lop.references)))
    return NeratinibPlan(f"{strategy} plan", what, refs, strategy, tuple(rows), tuple(notes))


def _weeks(span: int) -> list[tuple[int, int]]:
    return [(d, min(d + 6, span)) for d in range(1, span + 1, 7)]


def _full_dose(kb) -> float:
    drug = kb.get("neratinib")
    for reg in drug.regimens:
        if not any(s.phase == "escalation" for s in reg.steps) and reg.steps[0].unit == "mg":
            return reg.steps[0].amount
    raise KeyError("drugs.yaml has no neratinib regimen starting at the full dose.")


def _to_date(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"start date must be written as YYYY-MM-DD, got {value!r}.") from None


# ---- neratinib dose modification for diarrhea ---------------------------------------------------------------------

@dataclass(frozen=True)
class NeratinibDiarrheaResult(Card):
    code: str                      # "adjust-supportive-care" | "interrupt" | "discontinue"
    next_dose_mg: float | None = None
    notes: tuple[str, ...] = ()
    title = "Neratinib and diarrhea"

    def details(self) -> list[tuple[str, str]]:
        out = []
        if self.next_dose_mg is not None:
            out.append(("Dose when it resumes", f"{fmt_num(self.next_dose_mg)} mg once daily"))
        return out + [("Note", n) for n in self.notes]


def neratinib_diarrhea_action(grade: Any, *, days_at_grade: Any = 1, complicated: Any = False,
                              current_dose_mg: Any = 240, recovery_days: Any = None,
                              context: str = "neratinib-monotherapy", rules=None) -> NeratinibDiarrheaResult:
    """The Nerlynx label's dose modification for diarrhea [label-nerlynx], as read in the 2026-11 review.

    * grade 1, grade 2 lasting under 5 days, or grade 3 lasting 2 days or less (no complicated features): adjust
      antidiarrheals, diet, about 2 L of fluid a day; once it settles to grade 1 or less, loperamide 4 mg with each
      later neratinib dose;
    * any grade with complicated features (dehydration, fever, low blood pressure, kidney failure, grade 3-4
      neutropenia), grade 2 lasting 5 days or more, or grade 3 lasting more than 2 days (despite optimal treatment):
      interrupt neratinib; if it settles to grade 0-1 within 1 week, resume at the same dose, if it takes longer,
      resume one level lower (levels from data/clinical_rules.yaml);
    * grade 4: stop neratinib for good; diarrhea of grade 2 or more again at 120 mg a day: stop for good.

    The 5-day and 2-day durations and the one-week recovery window are as remembered from the label's table and
    were not seen verbatim in the 2026-11 review: check the current label.
    """
    from .rules import rules as _rules
    g = int(number(grade, "diarrhea grade", 1, 4, integer=True))
    duration = number(days_at_grade, "days at this grade", 0, 60, unit="days")
    comp = _flag(complicated, "complicated features")
    dose = number(current_dose_mg, "current neratinib dose", 40, 240, unit="mg")
    rec = None if recovery_days in (None, "") else number(recovery_days, "days to recover to grade 0-1", 0, 60,
                                                         unit="days")
    ladder = next((r for r in (rules or _rules()).reductions_for("neratinib") if r.id == context), None)
    if ladder is None:
        raise ValueError(f"context must name a neratinib reduction ladder in clinical_rules.yaml, got {context!r}.")
    notes = [] if ladder.verified else [f"Reduction levels: {ladder.note}"]
    floor = min(ladder.levels)
    if g == 4:
        return NeratinibDiarrheaResult("discontinue", "Grade 4 diarrhea: the label says to stop neratinib for good.",
                                       NERLYNX_REFS, "discontinue", None, tuple(notes))
    if g >= 2 and dose <= floor:
        return NeratinibDiarrheaResult("discontinue", f"Grade {g} diarrhea at {fmt_num(floor)} mg a day, the lowest "
                                       "dose: the label says to stop neratinib for good when diarrhea of grade 2 or "
                                       "more comes back at this dose.", NERLYNX_REFS, "discontinue", None,
                                       tuple(notes))
    serious = comp or (g == 2 and duration >= 5) or (g == 3 and duration > 2)
    if not serious:
        why = {1: "Grade 1 diarrhea", 2: f"Grade 2 diarrhea for {fmt_num(duration)} day(s), under 5 days",
               3: f"Grade 3 diarrhea for {fmt_num(duration)} day(s), 2 days or less"}[g]
        return NeratinibDiarrheaResult(
            "keep neratinib; adjust supportive care",
            f"{why}, without complicated features: adjust antidiarrheals, diet and fluids (about 2 L a day). Once it "
            "settles to grade 1 or less, give loperamide 4 mg with each later neratinib dose, added to (not instead "
            "of) any loperamide prophylaxis schedule still running.",
            NERLYNX_REFS, "adjust-supportive-care", dose, tuple(notes))
    trigger = ("complicated features (such as dehydration, fever, low blood pressure, kidney failure or "
               "grade 3-4 neutropenia)" if comp else
               f"grade {g} lasting {fmt_num(duration)} days ({'5 days or more' if g == 2 else 'more than 2 days'})")
    if rec is None:
        return NeratinibDiarrheaResult(
            "interrupt neratinib", f"Diarrhea with {trigger}: interrupt neratinib, adjust diet and fluids. If it "
            "settles to grade 0-1 within 1 week, resume at the same dose; if it takes longer, resume one level lower.",
            NERLYNX_REFS, "interrupt", None, tuple(notes))
    if rec <= 7:
        return NeratinibDiarrheaResult(
            "resume at the same dose", f"Diarrhea with {trigger} settled to grade 0-1 in {fmt_num(rec)} days (1 week "
            "or less): the label allows the same dose. Then loperamide 4 mg with each neratinib dose, added to (not "
            "instead of) any loperamide prophylaxis schedule still running.",
            NERLYNX_REFS, "interrupt", dose, tuple(notes))
    lower = [x for x in ladder.levels if x < dose - 1e-9]
    if not lower:
        return NeratinibDiarrheaResult("discontinue", f"Recovery took {fmt_num(rec)} days and {fmt_num(dose)} mg is "
                                       f"already the lowest level: {ladder.after_last}.", NERLYNX_REFS,
                                       "discontinue", None, tuple(notes))
    return NeratinibDiarrheaResult(
        "resume one dose level lower", f"Diarrhea with {trigger} took {fmt_num(rec)} days (more than 1 week) to "
        f"settle: resume at the next lower level, {fmt_num(lower[0])} mg a day.",
        NERLYNX_REFS, "interrupt", lower[0], tuple(notes))


def grade_table_html() -> str:
    """A compact HTML list of the CTCAE v5.0 grades (used by the static form)."""
    items = [
        "Grade 1: fewer than 4 stools a day over baseline; mild rise in ostomy output.",
        "Grade 2: 4-6 stools a day over baseline; moderate rise in ostomy output; limits instrumental ADL.",
        "Grade 3: 7 or more stools a day over baseline; hospitalization indicated; severe rise in ostomy output; "
        "limits self-care ADL.",
        "Grade 4: life-threatening consequences; urgent intervention indicated.",
        "Grade 5: death.",
    ]
    return "<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>"
