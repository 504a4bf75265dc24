"""LVEF monitor for trastuzumab- and pertuzumab-containing treatment (a teaching tool).

Two label rule sets, because the US labels differ:

* ``"herceptin"`` - Herceptin (trastuzumab) label, section on dose modifications for cardiomyopathy
  [label-herceptin]; Herceptin Hylecta words the same rule [label-herceptin-hylecta] (not re-checked verbatim in
  the 2026-11 review). Withhold for at least 4 weeks when the LVEF has fallen 16 or more percentage points from
  the pre-treatment value, or when it is below the institution's lower limit of normal (LLN) *and* has fallen 10 or
  more points. Trastuzumab may be restarted if, within 4-8 weeks, the LVEF is back within normal limits and the fall
  from baseline is 15 points or less. Stop for good when the decline persists beyond 8 weeks, or when dosing has been
  suspended for cardiomyopathy on more than 3 occasions. While it is withheld, LVEF is repeated every 4 weeks.
  Because resumption is allowed only for recovery within 4-8 weeks, an LVEF that has not recovered at the 8-week
  check means stopping: there is no further "recheck in 4 weeks" (it would fall outside the label's window). A
  reading taken between the scheduled checks is followed by the next check at week 4 or week 8 of the hold.
* ``"pertuzumab-metastatic"`` / ``"pertuzumab-early"`` - Perjeta and Phesgo labels [label-perjeta, label-phesgo]:
  withhold pertuzumab and trastuzumab (or Phesgo) for at least 3 weeks when the LVEF falls below 40 %, or to
  40-45 % with a fall of 10 or more points (metastatic disease; pre-treatment LVEF 50 % or more); in early breast
  cancer, when it falls below 50 % with a fall of 10 or more points (pre-treatment LVEF 55 % or more). Resume if it
  has recovered to above 45 %, or 40-45 % with a fall under 10 points (metastatic), or to 50 % or more, or a fall
  under 10 points (early). If the repeat assessment after about 3 weeks shows no improvement or a further decline,
  the labels call for stopping. The numbers were confirmed against a Phesgo product monograph's table and the US
  Phesgo label's repeat-assessment wording; the US Perjeta table itself was not seen verbatim in the 2026-11 review.

"At the LLN" is not "below the LLN": an LVEF exactly equal to the LLN does not meet the second Herceptin criterion.
All falls are absolute percentage points (baseline minus current), never relative percentages; a reading above the
baseline is described as a rise, never as a negative fall.

Reporting (nursing practice, not a label threshold): an LVEF below the LLN, or a fall of 10 points or more, is an
abnormal result that the tool asks the nurse to report to the prescriber the same day even when no hold criterion
is met; under the 2022 ESC cardio-oncology guideline a new LVEF under 50% can be cancer therapy-related cardiac
dysfunction even with a smaller fall [lyon2022].
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ._common import LLN_RANGE, Card, choice, fmt_num, lvef, number

HERCEPTIN_REFS = ("label-herceptin",)
REPORT_REFS = ("label-herceptin", "lyon2022")
PERTUZUMAB_REFS = ("label-perjeta", "label-phesgo")

# Herceptin label thresholds (percentage points, weeks, occasions)
HOLD_DROP = 16            # withhold for a fall of >= 16 points
HOLD_DROP_BELOW_LLN = 10  # ... or LVEF < LLN with a fall of >= 10 points
RESUME_MAX_DROP = 15      # resume only if the fall is <= 15 points and LVEF is within normal limits
MIN_HOLD_WEEKS = 4        # withhold for at least 4 weeks; recheck every 4 weeks
MAX_HOLD_WEEKS = 8        # decline persisting beyond 8 weeks -> discontinue
MAX_HOLDS = 3             # suspension on more than 3 occasions -> discontinue

#: The worked series of chapter 5 (Amara Osei's unfolding case), used by its figure and by the LVEF form's worked
#: example so that both show the same readings: baseline 64%, 61% at 3 months, 47% at the 6-month scan (a 17-point
#: fall: hold), 52% four weeks into the hold (resume), 56% three months later. LLN 50%.
WORKED_SERIES: tuple[tuple[str, int], ...] = (
    ("2025-03-03", 64), ("2025-06-02", 61), ("2025-09-01", 47), ("2025-09-29", 52), ("2025-12-29", 56))

RULES = ("herceptin", "pertuzumab-metastatic", "pertuzumab-early")
RULE_LABELS = {
    "herceptin": "Trastuzumab alone (Herceptin label)",
    "pertuzumab-metastatic": "With pertuzumab or Phesgo, metastatic (Perjeta/Phesgo labels)",
    "pertuzumab-early": "With pertuzumab or Phesgo, early breast cancer (Perjeta/Phesgo labels)",
}

CONTINUE = "continue"
CONTINUE_REPORT = "continue and report to the prescriber"
DISCONTINUE = "discontinue"
REPORT_FALL = 10          # a fall of this many points or more is reported even when no hold criterion is met


def _hold(weeks: float) -> str:
    return f"hold and recheck in {fmt_num(weeks)} week{'' if weeks == 1 else 's'}"


HOLD = _hold(MIN_HOLD_WEEKS)


def change_text(drop: float) -> str:
    """The change from baseline in words: 'a fall of 12 points', 'a rise of 5 points' or 'no change'."""
    if drop > 0:
        return f"a fall of {fmt_num(drop)} point{'' if drop == 1 else 's'}"
    if drop < 0:
        return f"a rise of {fmt_num(-drop)} point{'' if drop == -1 else 's'}"
    return "no change"


def _report_reasons(current: float, drop: float, lln: float) -> str:
    """Why a reading that meets no hold criterion still goes to the prescriber today ('' when it does not)."""
    why = []
    if current < lln:
        why.append(f"it is below the LLN of {fmt_num(lln)}%")
    if drop >= REPORT_FALL:
        why.append(f"it has fallen {fmt_num(drop)} points")
    return " and ".join(why)


def next_check_weeks(weeks_held: float) -> float:
    """Weeks until the next scheduled LVEF check of a hold: the checks fall at week 4 and week 8."""
    return (MIN_HOLD_WEEKS if weeks_held < MIN_HOLD_WEEKS else MAX_HOLD_WEEKS) - weeks_held


@dataclass(frozen=True)
class LvefResult(Card):
    """What the label rule says for one LVEF reading (action: "continue", "hold and recheck in N weeks" or
    "discontinue")."""

    code: str                      # "continue" | "hold" | "discontinue"
    baseline: float
    current: float
    lln: float
    drop: float                    # absolute fall in percentage points (negative when LVEF rose)
    rule: str = "herceptin"
    notes: tuple[str, ...] = ()
    title = "LVEF check"

    def details(self) -> list[tuple[str, str]]:
        out = [("Readings", f"baseline {fmt_num(self.baseline)}%, now {fmt_num(self.current)}%, "
                            f"{change_text(self.drop)}, LLN {fmt_num(self.lln)}%"),
               ("Rule", RULE_LABELS[self.rule])]
        out += [("Note", n) for n in self.notes]
        return out


def _drop(baseline: float, current: float) -> float:
    # round away binary noise (60.1 - 50.1 must be exactly 10.0)
    return round(baseline - current, 6)


def meets_hold_criteria(baseline: float, current: float, lln: float) -> bool:
    """The Herceptin label's two withholding criteria, on validated numbers."""
    drop = _drop(baseline, current)
    return drop >= HOLD_DROP or (current < lln and drop >= HOLD_DROP_BELOW_LLN)


def recovered(baseline: float, current: float, lln: float) -> bool:
    """The Herceptin label's condition for restarting: within normal limits and a fall of 15 points or less."""
    return current >= lln and _drop(baseline, current) <= RESUME_MAX_DROP


def lvef_check(baseline: Any, current: Any, lln: Any = 50, *, rule: str = "herceptin",
               weeks_held: Any = None, previous_holds: Any = 0, held_lvef: Any = None) -> LvefResult:
    """Apply the label's LVEF rule to one reading.

    ``baseline`` is the pre-treatment LVEF (%), ``current`` the new reading, ``lln`` the institution's lower limit of
    normal (default 50 %). For the Herceptin rule, pass ``weeks_held`` when trastuzumab is already being withheld
    (weeks since the hold began) and ``previous_holds`` (how many times dosing has been suspended for cardiomyopathy
    before). For the pertuzumab rules, pass ``held_lvef`` (the reading that caused the hold) when this reading is the
    repeat assessment. Rule texts and citations: see the module docstring (label-herceptin; label-perjeta,
    label-phesgo). Raises ValueError naming the field for odd input.
    """
    rule = choice(rule, "rule", RULES)
    b = lvef(baseline, "baseline LVEF")
    c = lvef(current, "current LVEF")
    limit = number(lln, "lower limit of normal (LLN)", *LLN_RANGE, unit="%")
    if rule == "herceptin":
        held = None if weeks_held is None or weeks_held == "" else number(weeks_held, "weeks held", 0, 52, unit="weeks")
        holds = int(number(previous_holds or 0, "previous holds", 0, 20, integer=True))
        return _herceptin(b, c, limit, held, holds)
    prior = None if held_lvef is None or held_lvef == "" else lvef(held_lvef, "LVEF at the hold")
    return _pertuzumab(b, c, limit, rule, prior)


def _herceptin(b: float, c: float, lln: float, weeks_held: float | None, holds: int) -> LvefResult:
    drop = _drop(b, c)
    notes: list[str] = []
    if b < lln:
        notes.append("The baseline is below the LLN: the label rule assumes treatment started with a normal LVEF; "
                     "this needs the prescriber's and cardiology's judgment.")
    common = dict(reference=HERCEPTIN_REFS, baseline=b, current=c, lln=lln, drop=drop, rule="herceptin")
    why_drop = f"The LVEF is {fmt_num(c)}%, {change_text(drop)} from the pre-treatment {fmt_num(b)}%"
    if weeks_held is None:  # on treatment: check the withholding criteria
        if not meets_hold_criteria(b, c, lln):
            if drop >= HOLD_DROP_BELOW_LLN:
                why = (f"{why_drop}. That is under 16 points, and the LVEF is not below the LLN of {fmt_num(lln)}% "
                       f"(at the LLN counts as normal), so neither withholding criterion is met.")
            else:
                why = f"{why_drop}. Neither withholding criterion (16 points, or below the LLN with 10 points) is met."
            report = _report_reasons(c, drop, lln)
            if report:
                why += (f" The dose may go ahead under the label rule, but report the result to the prescriber "
                        f"today, because {report}: ask about breathlessness, orthopnea and swelling, "
                        "and expect closer LVEF monitoring or a cardio-oncology review.")
                return LvefResult(CONTINUE_REPORT, why, code="continue", notes=tuple(notes),
                                  **{**common, "reference": REPORT_REFS})
            return LvefResult(CONTINUE, why + " Keep the usual 3-monthly LVEF checks.", code="continue",
                              notes=tuple(notes), **common)
        crit = ("a fall of 16 points or more" if drop >= HOLD_DROP
                else f"below the LLN of {fmt_num(lln)}% with a fall of 10 points or more")
        if holds + 1 > MAX_HOLDS:
            return LvefResult(DISCONTINUE, f"{why_drop}: {crit}. This would be hold number {holds + 1}; the label "
                              f"says to stop trastuzumab for good after more than {MAX_HOLDS} holds for "
                              "cardiomyopathy. Report to the prescriber.",
                              code="discontinue", notes=tuple(notes), **common)
        return LvefResult(HOLD, f"{why_drop}: {crit}. Withhold trastuzumab for at least {MIN_HOLD_WEEKS} weeks, "
                          f"repeat the LVEF in {MIN_HOLD_WEEKS} weeks and tell the prescriber "
                          f"(hold number {holds + 1}).",
                          code="hold", notes=tuple(notes), **common)
    # already withheld: may it resume?
    weeks = fmt_num(weeks_held)
    if recovered(b, c, lln):
        if weeks_held < MIN_HOLD_WEEKS:
            return LvefResult(_hold(next_check_weeks(weeks_held)), f"{why_drop}, back within normal limits, but "
                              f"trastuzumab has been withheld for only {weeks} weeks; the label asks for at least "
                              f"{MIN_HOLD_WEEKS} weeks, so recheck at week {MIN_HOLD_WEEKS} of the hold.",
                              code="hold", notes=tuple(notes), **common)
        if weeks_held <= MAX_HOLD_WEEKS:
            return LvefResult(CONTINUE, f"{why_drop}: back within normal limits (at or above the LLN of "
                              f"{fmt_num(lln)}%) with a fall of 15 points or less, {weeks} weeks into the hold. The "
                              f"label allows trastuzumab to resume; confirm with the prescriber.",
                              code="continue", notes=tuple(notes), **common)
        return LvefResult(DISCONTINUE, f"{why_drop}. It has recovered, but only after {weeks} weeks: the label allows "
                          f"resumption when recovery comes within 4-8 weeks and says to stop for a decline lasting "
                          f"more than {MAX_HOLD_WEEKS} weeks. The prescriber decides.",
                          code="discontinue", notes=tuple(notes), **common)
    needs = []
    if c < lln:
        needs.append(f"it is below the LLN of {fmt_num(lln)}%")
    if drop > RESUME_MAX_DROP:
        needs.append("the fall is more than 15 points")
    if weeks_held >= MAX_HOLD_WEEKS:
        return LvefResult(DISCONTINUE, f"{why_drop}, still not recovered ({' and '.join(needs)}) after {weeks} weeks "
                          f"of the hold. The label allows a restart only for recovery within 4-8 weeks and says to "
                          f"stop trastuzumab for good for a decline that persists beyond {MAX_HOLD_WEEKS} weeks: "
                          f"report to the prescriber; there is no further recheck to wait for.",
                          code="discontinue", notes=tuple(notes), **common)
    nxt = next_check_weeks(weeks_held)
    at = MIN_HOLD_WEEKS if weeks_held < MIN_HOLD_WEEKS else MAX_HOLD_WEEKS
    last = (" That is the last check: if it has not recovered by then, trastuzumab stops." if at == MAX_HOLD_WEEKS
            else "")
    return LvefResult(_hold(nxt), f"{why_drop}; not recovered yet ({' and '.join(needs)}), {weeks} weeks into the "
                      f"hold. Keep withholding and recheck at week {at} of the hold, in {fmt_num(nxt)} "
                      f"week{'' if nxt == 1 else 's'}.{last}", code="hold", notes=tuple(notes), **common)


def _pertuzumab(b: float, c: float, lln: float, rule: str, held_lvef: float | None) -> LvefResult:
    drop = _drop(b, c)
    early = rule == "pertuzumab-early"
    notes: list[str] = []
    min_baseline = 55 if early else 50
    if b < min_baseline:
        notes.append(f"The label's table assumes a pre-treatment LVEF of {min_baseline}% or more.")
    if early:
        hold_now = c < 50 and drop >= 10
        ok = c >= 50 or drop < 10
        crit = "below 50% with a fall of 10 points or more"
    else:
        hold_now = c < 40 or (40 <= c <= 45 and drop >= 10)
        ok = c > 45 or (40 <= c <= 45 and drop < 10)
        crit = "below 40%, or 40-45% with a fall of 10 points or more"
    common = dict(reference=PERTUZUMAB_REFS, baseline=b, current=c, lln=lln, drop=drop, rule=rule,
                  notes=tuple(notes))
    why = f"The LVEF is {fmt_num(c)}%, {change_text(drop)} from the pre-treatment {fmt_num(b)}%"
    if held_lvef is None:
        if hold_now:
            return LvefResult(_hold(3), f"{why}: {crit}. Withhold pertuzumab and trastuzumab (or Phesgo) for at least "
                              f"3 weeks and repeat the LVEF in about 3 weeks.", code="hold", **common)
        report = _report_reasons(c, drop, lln)
        if report:
            return LvefResult(CONTINUE_REPORT, f"{why}. The withholding criterion ({crit}) is not met, so the dose "
                              f"may go ahead under the label rule, but report the result to the prescriber today, "
                              f"because {report}.", code="continue",
                              **{**common, "reference": (*PERTUZUMAB_REFS, "lyon2022")})
        return LvefResult(CONTINUE, f"{why}. The withholding criterion ({crit}) is not met.", code="continue", **common)
    if ok:
        return LvefResult(CONTINUE, f"{why}: recovered enough for the label to allow resuming.", code="continue",
                          **common)
    if c <= held_lvef:
        return LvefResult(DISCONTINUE, f"{why}; it has not improved since the hold ({fmt_num(held_lvef)}%). The labels "
                          f"say to stop unless the prescriber judges the benefit to outweigh the risk.",
                          code="discontinue", **common)
    return LvefResult(_hold(3), f"{why}: better than at the hold ({fmt_num(held_lvef)}%) but not recovered to the "
                      f"label's resume threshold. Keep withholding; the prescriber decides.", code="hold", **common)


# ---- a series of dated readings ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class SeriesStep:
    date: dt.date
    lvef: float
    result: LvefResult | None  # None for the baseline reading


@dataclass(frozen=True)
class LvefSeriesResult(Card):
    code: str
    steps: tuple[SeriesStep, ...] = field(default_factory=tuple)
    lln: float = 50
    holds: int = 0
    title = "LVEF series"

    def details(self) -> list[tuple[str, str]]:
        out = []
        for s in self.steps:
            what = "baseline" if s.result is None else s.result.action
            out.append((s.date.isoformat(), f"{fmt_num(s.lvef)}% - {what}"))
        return out


def _date(value: Any, field_name: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(f"{field_name} must be a date written as YYYY-MM-DD, got {value!r}.")


def parse_readings(readings: Any) -> list[tuple[dt.date, float]]:
    """Validate a series: a list of (date, LVEF) pairs, or text with one 'YYYY-MM-DD LVEF' per line."""
    if isinstance(readings, str):
        rows = []
        for n, line in enumerate(readings.strip().splitlines(), 1):
            if not line.strip():
                continue
            parts = line.replace(",", " ").replace(";", " ").split()
            if len(parts) != 2:
                raise ValueError(f"readings line {n}: write one reading per line as 'YYYY-MM-DD LVEF', got '{line}'.")
            rows.append((parts[0], parts[1]))
        readings = rows
    if not isinstance(readings, list | tuple) or len(readings) < 2:
        raise ValueError("readings: give at least two dated LVEF readings (the first is the pre-treatment baseline).")
    out = []
    for i, item in enumerate(readings, 1):
        if not isinstance(item, list | tuple) or len(item) != 2:
            raise ValueError(f"readings item {i} must be a (date, LVEF) pair, got {item!r}.")
        out.append((_date(item[0], f"readings item {i} date"), lvef(item[1], f"readings item {i} LVEF")))
    dates = [d for d, _ in out]
    if len(set(dates)) != len(dates):
        raise ValueError("readings: two readings have the same date.")
    return sorted(out)


def lvef_series(readings: Any, lln: Any = 50) -> LvefSeriesResult:
    """Walk a dated series through the Herceptin label rule [label-herceptin].

    The first reading (by date) is the pre-treatment baseline. Each later reading either keeps treatment going,
    starts a hold (recheck in 4 weeks), ends a hold (resume when recovered within 4-8 weeks), or stops treatment (no
    recovery at the 8-week check, recovery only after 8 weeks, or a 4th hold). Nothing more is inferred between
    readings.
    """
    series = parse_readings(readings)
    limit = number(lln, "lower limit of normal (LLN)", *LLN_RANGE, unit="%")
    (d0, base), rest = series[0], series[1:]
    steps = [SeriesStep(d0, base, None)]
    held_since: dt.date | None = None
    holds = 0
    last: LvefResult | None = None
    for d, value in rest:
        weeks = None if held_since is None else (d - held_since).days / 7
        res = _herceptin(base, value, limit, weeks, holds)
        if held_since is None and res.code == "hold":
            holds += 1
            held_since = d
        elif held_since is not None and res.code == "continue":
            held_since = None
        steps.append(SeriesStep(d, value, res))
        last = res
        if res.code == "discontinue":
            break
    assert last is not None
    return LvefSeriesResult(last.action, last.reason, HERCEPTIN_REFS, last.code, tuple(steps), limit, holds)


def lvef_figure(readings: Any, lln: Any = 50, *, name: str = "lvef-series"):
    """Plot a series against the Herceptin thresholds (LLN, 10- and 16-point falls) with the action at each reading."""
    import matplotlib

    from ..figures import Figure, new_figure
    from ..style import OKABE_ITO, RC

    result = lvef_series(readings, lln)
    steps = result.steps
    base = steps[0].lvef
    dates = [s.date for s in steps]
    values = [s.lvef for s in steps]
    markers = {"continue": ("o", OKABE_ITO["blue"]), "hold": ("s", OKABE_ITO["orange"]),
               "discontinue": ("X", OKABE_ITO["vermillion"])}
    with matplotlib.rc_context(RC):
        fig, ax = new_figure((7.5, 4.2))
        ax.axhline(result.lln, color=OKABE_ITO["black"], linestyle="--", linewidth=1.2,
                   label=f"Lower limit of normal ({fmt_num(result.lln)}%)")
        ax.axhline(base - HOLD_DROP_BELOW_LLN, color=OKABE_ITO["reddish_purple"], linestyle="-.", linewidth=1.2,
                   label=f"10-point fall ({fmt_num(base - 10)}%): hold if also below the LLN")
        ax.axhline(base - HOLD_DROP, color=OKABE_ITO["vermillion"], linestyle=":", linewidth=1.6,
                   label=f"16-point fall ({fmt_num(base - 16)}%): hold")
        ax.plot(dates, values, color=OKABE_ITO["grey"], linewidth=1.2, zorder=1)
        ax.scatter([dates[0]], [values[0]], marker="D", s=60, color=OKABE_ITO["black"], zorder=3,
                   label="Baseline (pre-treatment)")
        seen: set[str] = set()
        for s in steps[1:]:
            code = s.result.code if s.result else "continue"
            m, col = markers[code]
            label = {"continue": "Continue", "hold": "Hold and recheck", "discontinue": "Discontinue"}[code]
            ax.scatter([s.date], [s.lvef], marker=m, s=70, color=col, edgecolor=OKABE_ITO["black"], zorder=3,
                       label=None if code in seen else label)
            seen.add(code)
        low = min([*values, base - HOLD_DROP, result.lln]) - 5
        ax.set_ylim(max(0, low), min(100, max(values) + 8))
        ax.set_ylabel("LVEF (%)")
        ax.set_xlabel("Date of echocardiogram or MUGA")
        ax.grid(axis="y", color="#dddddd", linewidth=0.6)
        fig.autofmt_xdate()
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.28), ncol=2, fontsize=8, frameon=False)
    low_step = min(steps, key=lambda s: s.lvef)
    acts = "; ".join(f"{s.date.isoformat()} {fmt_num(s.lvef)}% {s.result.action}" for s in steps[1:] if s.result)
    alt = (f"Line chart of {len(steps)} LVEF readings from {dates[0].isoformat()} to {dates[-1].isoformat()}. "
           f"Baseline {fmt_num(base)}%, lowest {fmt_num(low_step.lvef)}% on {low_step.date.isoformat()}, last "
           f"{fmt_num(values[-1])}%. Dashed line at the lower limit of normal {fmt_num(result.lln)}%, dash-dot line at "
           f"a 10-point fall ({fmt_num(base - 10)}%), dotted line at a 16-point fall ({fmt_num(base - 16)}%). "
           f"Marker shapes show the action: circle continue, square hold, cross discontinue. Readings: {acts}. "
           f"Outcome: {result.action}.")
    caption = (f"LVEF readings against the Herceptin label's thresholds; outcome: {result.action}. "
               f"For learning only: not for clinical decisions.")
    return Figure(fig=fig, alt=alt, caption=caption, name=name)
