"""Trastuzumab deruxtecan (T-DXd, Enhertu): interstitial lung disease (ILD) or pneumonitis grade -> action.

Enhertu label, dose modifications for ILD/pneumonitis [label-enhertu], in short:

* grade 1 (asymptomatic, imaging findings only): interrupt T-DXd until it has resolved to grade 0. If it resolved
  in 28 days or less from the date of onset, keep the same dose; if it took more than 28 days, reduce one dose level.
  Consider corticosteroids as soon as ILD is suspected (the label gives an example of at least 0.5 mg/kg a day of
  prednisolone or an equivalent).
* grade 2 or higher (symptomatic): stop T-DXd for good and start systemic corticosteroids promptly (the label's
  example: at least 1 mg/kg a day of prednisolone or an equivalent, for at least 14 days, then a gradual taper over
  at least 4 weeks).

Which CTCAE version, and why: the grades are CTCAE's pneumonitis grades as worded in v5.0 [ctcae5]. CTCAE v6.0
(July 2025) [ctcae6] kept the adult pneumonitis criteria (it added wording for children only), so the grade, and the
label's action, are the same under either version; a nurse still records the version the protocol or label names.
Every result says so in its "Scale" line (``SCALE_NOTE``).

The grade 1 rule and the 0.5 mg/kg example were confirmed in the 2026-11 review; the grade 2 steroid example
(1 mg/kg, 14 days, 4-week taper) is as remembered from the label and was not seen verbatim. Dose levels come from
data/clinical_rules.yaml (5.4 -> 4.4 -> 3.2 mg/kg; 6.4 -> 5.4 -> 4.4 mg/kg for gastric cancer).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ._common import Card, fmt_num, number

ENHERTU_REFS = ("label-enhertu",)
FAST_RESOLUTION_DAYS = 28  # resolved in <= 28 days from onset: keep the dose; > 28 days: reduce one level
SCALE_NOTE = ("CTCAE pneumonitis grades (v5.0 wording); v6.0 (July 2025) kept the adult criteria, so the grade and "
              "the label's action are the same under either version.")

GRADE_TEXT = {
    1: "asymptomatic: clinical or imaging findings only",
    2: "symptomatic; medical treatment indicated",
    3: "severe symptoms; limiting self-care ADL; oxygen indicated",
    4: "life-threatening respiratory compromise; urgent intervention indicated",
}


@dataclass(frozen=True)
class IldResult(Card):
    grade: int
    code: str                              # "interrupt" | "resume-same-dose" | "resume-reduced" | "discontinue"
    next_dose_mg_per_kg: float | None = None
    steroids: str = ""
    notes: tuple[str, ...] = ()
    title = "T-DXd and ILD/pneumonitis"

    def details(self) -> list[tuple[str, str]]:
        out = [("Grade", f"{self.grade} ({GRADE_TEXT[self.grade]})")]
        if self.steroids:
            out.append(("Corticosteroids", self.steroids))
        if self.next_dose_mg_per_kg is not None:
            out.append(("Dose when it resumes", f"{fmt_num(self.next_dose_mg_per_kg)} mg/kg every 3 weeks"))
        out.append(("Teach", "Report a new or worse cough, shortness of breath or fever at once, even between "
                             "cycles."))
        return out + [("Note", n) for n in self.notes] + [("Scale", SCALE_NOTE)]


def ild_action(grade: Any, *, days_to_resolution: Any = None, current_dose_mg_per_kg: Any = None,
               gastric: Any = False, rules=None) -> IldResult:
    """What the Enhertu label says for ILD/pneumonitis of ``grade`` 1-4 [label-enhertu].

    For grade 1, pass ``days_to_resolution`` (days from onset to grade 0) once it has resolved, and optionally the
    ``current_dose_mg_per_kg`` (5.4 or 6.4, or a reduced level) to get the next level; ``gastric=True`` picks the
    gastric ladder (started at 6.4 mg/kg), where 4.4 mg/kg is the last level. Raises ValueError naming the field for
    odd input.
    """
    from .rules import rules as _rules
    g = int(number(grade, "ILD/pneumonitis grade", 1, 4, integer=True))
    days = None if days_to_resolution in (None, "") else number(days_to_resolution, "days from onset to resolution",
                                                                0, 365, unit="days", integer=True)
    dose = None if current_dose_mg_per_kg in (None, "") else number(current_dose_mg_per_kg, "current T-DXd dose",
                                                                    1, 6.4, unit="mg/kg")
    if g >= 2:
        return IldResult(
            "permanently discontinue T-DXd", f"Grade {g} ILD/pneumonitis is symptomatic: the label says to stop "
            "trastuzumab deruxtecan for good and start systemic corticosteroids promptly.", ENHERTU_REFS, g,
            "discontinue", None, "start promptly, e.g. prednisolone 1 mg/kg a day or more (or an equivalent) for at "
            "least 14 days, then taper gradually over at least 4 weeks",
            ("The steroid example for grade 2 or higher is as remembered from the label; it was not seen verbatim "
             "in the 2026-11 review.",))
    steroid = "consider as soon as ILD is suspected, e.g. prednisolone 0.5 mg/kg a day or more (or an equivalent)"
    if days is None:
        return IldResult("interrupt T-DXd until resolved to grade 0", "Grade 1 (asymptomatic) ILD/pneumonitis: hold "
                         "trastuzumab deruxtecan until it has resolved to grade 0. Whether the dose stays the same "
                         "depends on how long that takes (28 days or less: same dose; longer: one level lower).",
                         ENHERTU_REFS, 1, "interrupt", None, steroid)
    if days <= FAST_RESOLUTION_DAYS:
        return IldResult("resume at the same dose", f"Grade 1 ILD/pneumonitis resolved to grade 0 in {fmt_num(days)} "
                         "days from onset (28 days or less): the label keeps the same dose.", ENHERTU_REFS, 1,
                         "resume-same-dose", dose, steroid)
    nxt, notes = None, []
    if dose is not None:
        if not isinstance(gastric, bool):
            raise ValueError(f"gastric must be yes or no (True/False), got {gastric!r}.")
        start = 6.4 if gastric else 5.4
        ladder = (rules or _rules()).ladder("trastuzumab-deruxtecan", start)
        if ladder is None:
            raise KeyError(f"clinical_rules.yaml has no T-DXd ladder starting at {start} mg/kg.")
        if not any(abs(x - dose) < 1e-9 for x in ladder.levels):
            raise ValueError(f"current T-DXd dose {fmt_num(dose)} mg/kg is not a level of the "
                             f"{'gastric' if gastric else '5.4 mg/kg'} schedule; its levels are "
                             + ", ".join(fmt_num(x) for x in ladder.levels) + " mg/kg.")
        lower = [x for x in ladder.levels if x < dose - 1e-9]
        if not ladder.verified:
            notes.append(f"Reduction levels: {ladder.note}")
        if not lower:
            return IldResult("permanently discontinue T-DXd", f"Grade 1 ILD/pneumonitis took {fmt_num(days)} days to "
                             f"resolve (more than 28), and {fmt_num(dose)} mg/kg is already the lowest level: "
                             f"{ladder.after_last}.", ENHERTU_REFS, 1, "discontinue", None, steroid, tuple(notes))
        nxt = lower[0]
    return IldResult("resume one dose level lower", f"Grade 1 ILD/pneumonitis took {fmt_num(days)} days from onset to "
                     "resolve (more than 28 days): the label says to reduce the dose by one level"
                     + (f", to {fmt_num(nxt)} mg/kg." if nxt else "."), ENHERTU_REFS, 1, "resume-reduced", nxt,
                     steroid, tuple(notes))
