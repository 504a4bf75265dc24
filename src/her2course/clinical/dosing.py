"""Dose calculator: weight-based doses, fixed doses, re-loading after a missed dose, reduction levels and vials.

Every dose comes from the knowledge base (``drugs.yaml``: ``regimens[].steps[]`` and ``vials[]``); the numbers the
drug schema has no field for (reduction ladders, concentrations, missed-dose windows) come from
``data/clinical_rules.yaml``. Nothing here hard-codes a dose.

Rules encoded (each cited in the result):

* weight-based dose = mg/kg x actual body weight [the drug's label; e.g. label-kadcyla says actual body weight];
* fixed-dose products (pertuzumab 840/420 mg, Phesgo, Herceptin Hylecta 600 mg, oral TKIs) are the same whatever the
  weight; the result says so;
* late doses: which label governs depends on what trastuzumab is given with (data/clinical_rules.yaml):
  - trastuzumab on its own [label-herceptin]: a dose one week late or less - give the maintenance dose as soon as
    possible; more than one week late - give the loading dose again (4 mg/kg weekly schedule, 8 mg/kg every-3-week
    schedule) over about 90 minutes, then maintenance 7 or 21 days later. (The one-week wording was confirmed in a
    US trastuzumab biosimilar label that mirrors Herceptin's; the EU Herceptin SmPC words it the same way.)
  - IV trastuzumab given with IV pertuzumab every 3 weeks [label-perjeta]: the Perjeta label's delayed-dose table
    sets both drugs' doses - under 6 weeks since the last dose, maintenance doses (trastuzumab 6 mg/kg); 6 weeks or
    more, loading doses of both again (pertuzumab 840 mg, trastuzumab 8 mg/kg). So at 41 days a client on
    trastuzumab alone is re-loaded, and a client on trastuzumab with pertuzumab is not.
  - pertuzumab [label-perjeta] and Phesgo [label-phesgo]: the same 6-week window.
* reduction levels: T-DM1 3.6 -> 3.0 -> 2.4 mg/kg [label-kadcyla]; T-DXd 5.4 -> 4.4 -> 3.2 mg/kg and, for gastric
  cancer, 6.4 -> 5.4 -> 4.4 mg/kg [label-enhertu]; no re-escalation after a reduction; pertuzumab has no dose
  reduction [label-perjeta].
* vials: the label's vial sizes; the tool picks the combination with the least left over, then the fewest vials,
  and says how much is left (single-dose vials: discard the rest; a multiple-dose vial's remainder may be kept as its
  label allows). This picking rule is a pharmacy convention, not a label rule.

Rounding (this tool's rule, not a label's): doses to 0.1 mg, volumes to 0.1 mL, from the unrounded dose. Follow the
institution's dose-rounding and re-weighing policy in practice.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

from ._common import Card, choice, fmt_num, number, round_half_up, weight

ROUNDING = ("Dose to 0.1 mg and volume to 0.1 mL, from the unrounded dose (this tool's rule; follow "
            "your institution's dose-rounding policy).")
FIXED_NOTE = "Fixed dose: the same for every body weight; weight does not change it."


@dataclass(frozen=True)
class VialPlan:
    vials: tuple[tuple[float, int], ...]   # (vial size in mg, how many)
    total_mg: float
    left_over_mg: float
    unit: str                              # "vial" or "tablet"
    multiple_dose: bool

    def describe(self) -> str:
        parts = " + ".join(f"{n} x {fmt_num(size)} mg {self.unit}{'s' if n != 1 else ''}" for size, n in self.vials)
        if self.unit == "tablet":
            return parts
        if self.left_over_mg <= 0:
            return f"{parts} ({fmt_num(self.total_mg)} mg; nothing left over)"
        rest = (f"{fmt_num(self.left_over_mg)} mg left in the multiple-dose vial: keep or discard as its label allows"
                if self.multiple_dose else f"{fmt_num(self.left_over_mg)} mg left over in single-dose vials: discard")
        return f"{parts} ({fmt_num(self.total_mg)} mg; {rest})"


@dataclass(frozen=True)
class DoseLine:
    phase: str
    when: str
    amount: float
    unit: str
    dose_mg: float | None
    volume_ml: float | None
    vials: VialPlan | None
    route: str
    frequency: str
    note: str = ""
    exact_mg: float | None = None          # the dose before rounding (mg/kg x kg), from which volume and vials come

    def describe(self) -> str:
        if self.unit == "mg/kg" and self.dose_mg is not None:
            text = f"{fmt_num(self.amount)} mg/kg = {fmt_num(self.dose_mg)} mg"
        elif self.dose_mg is not None:
            text = f"{fmt_num(self.dose_mg)} mg (fixed)"
        else:
            text = f"{fmt_num(self.amount)} {self.unit}"
        text += f" {self.route} {self.frequency}"
        if self.volume_ml is not None:
            text += f"; draw up {fmt_num(self.volume_ml)} mL"
        if self.vials:
            text += f"; {self.vials.describe()}"
        if self.note:
            text += f". {self.note}"
        return text


@dataclass(frozen=True)
class DoseResult(Card):
    drug: str
    setting: str
    weight_kg: float | None
    lines: tuple[DoseLine, ...]
    rounding: str = ROUNDING
    notes: tuple[str, ...] = ()
    title = "Dose"

    def details(self) -> list[tuple[str, str]]:
        out = [("Regimen", self.setting)]
        out += [(f"{ln.phase.capitalize()}" + (f" ({ln.when})" if ln.when else ""), ln.describe())
                for ln in self.lines]
        out.append(("Rounding", self.rounding))
        return out + [("Note", n) for n in self.notes]


def _kb(kb):
    from .. import drugs
    return kb or drugs.base()


def _rules(rules):
    from .rules import rules as load
    return rules or load()


def _pick_regimen(drug, regimen: Any):
    regs = drug.regimens
    if regimen is None or regimen == "":
        return regs[0]
    if isinstance(regimen, int) and not isinstance(regimen, bool):
        if 0 <= regimen < len(regs):
            return regs[regimen]
        raise ValueError(f"regimen number must be 0 to {len(regs) - 1} for {drug.id}, got {regimen}.")
    if isinstance(regimen, str):
        hits = [r for r in regs if regimen.lower() in r.setting.lower()]
        if len(hits) == 1:
            return hits[0]
        exact = [r for r in hits if r.setting.lower() == regimen.lower()]
        if len(exact) == 1:
            return exact[0]
        options = "; ".join(f"[{i}] {r.setting}" for i, r in enumerate(regs))
        if not hits:
            raise ValueError(f"no {drug.id} regimen matches '{regimen}'. Regimens: {options}")
        raise ValueError(f"'{regimen}' matches {len(hits)} {drug.id} regimens; be more specific. Regimens: {options}")
    raise ValueError(f"regimen must be a number or words from the regimen's setting, got {regimen!r}.")


def _is_multiple_dose(form: str) -> bool:
    f = form.lower()
    return "multiple-dose" in f or "multi-dose" in f or "multidose" in f


def vial_plan(drug, dose_mg: float) -> VialPlan | None:
    """The vial (or tablet) combination covering ``dose_mg`` with the least left over, then the fewest units."""
    if not drug.vials:
        return None
    sizes = sorted({v.amount_mg for v in drug.vials})
    tablets = all("tablet" in v.form.lower() or "capsule" in v.form.lower() for v in drug.vials)
    multi = {v.amount_mg for v in drug.vials if _is_multiple_dose(v.form)}
    best = None
    limits = [math.ceil(dose_mg / s - 1e-9) for s in sizes]
    for counts in itertools.product(*(range(n + 1) for n in limits)):
        total = sum(c * s for c, s in zip(counts, sizes, strict=True))
        if total + 1e-9 < dose_mg:
            continue
        key = (round(total - dose_mg, 6), sum(counts))
        if best is None or key < best[0]:
            best = (key, counts, total)
    assert best is not None
    (_, _), counts, total = best
    chosen = tuple((s, c) for s, c in zip(sizes, counts, strict=True) if c)
    left = round_half_up(total - dose_mg, 1)
    if tablets and left > 0:
        return None  # a tablet dose the tablet sizes cannot make exactly: say nothing rather than mislead
    return VialPlan(chosen, total, left, "tablet" if tablets else "vial", any(s in multi for s, _ in chosen))


def _line(drug, step, kg: float | None, conc) -> DoseLine:
    note = ""
    if step.unit == "mg/kg":
        if kg is None:
            raise ValueError(f"weight is needed for {drug.id} (dosed in mg/kg): enter a number more than 0 and at "
                             "most 350 kg.")
        raw = step.amount * kg
        dose = round_half_up(raw, 1)
    elif step.unit == "mg":
        raw = dose = step.amount
        note = FIXED_NOTE
    else:
        return DoseLine(step.phase, step.days or "", step.amount, step.unit, None, None, None, step.route.value,
                        step.frequency, "Dosed by body surface area: not calculated by this tool.")
    volume = round_half_up(raw / conc.mg_per_ml, 1) if conc and step.route.value != "oral" else None
    if step.companion:
        note = (note + " " if note else "") + f"Given with {step.companion} in the same injection."
    return DoseLine(step.phase, step.days or "", step.amount, step.unit, dose, volume, vial_plan(drug, raw),
                    step.route.value, step.frequency, note, raw)


def calculate_dose(drug: str, weight_kg: Any = None, *, regimen: Any = None, kb=None, rules=None) -> DoseResult:
    """Every step of one regimen of ``drug`` for a patient of ``weight_kg`` (needed for mg/kg drugs).

    ``regimen`` picks the regimen by number (0 = first) or by words of its setting ("gastric" for T-DXd 6.4 mg/kg).
    Doses, routes and vials come from drugs.yaml; concentrations from clinical_rules.yaml. See the module docstring
    for the rules and the rounding. Raises ValueError naming the field for odd input, KeyError for an unknown drug.
    """
    kbase, rl = _kb(kb), _rules(rules)
    d = kbase.get(drug)
    kg = None if weight_kg is None or weight_kg == "" else weight(weight_kg)
    reg = _pick_regimen(d, regimen)
    conc = rl.concentration(d.id)
    lines = tuple(_line(d, s, kg, conc) for s in reg.steps)
    weight_based = any(s.unit == "mg/kg" for s in reg.steps)
    refs = tuple(dict.fromkeys([*([d.label.reference] if d.label else []), *reg.references[:1],
                                *(conc.references if conc else [])]))
    notes = []
    if conc and not conc.verified:
        notes.append(f"Concentration: {conc.note}")
    if not d.fda_approved:
        notes.append(f"Not FDA-approved. {d.status}.")
    if weight_based:
        first = lines[0]
        action = f"{fmt_num(first.dose_mg)} mg" if first.dose_mg is not None else "see lines"
        reason = (f"{d.display_name}: {fmt_num(first.amount)} mg/kg x {fmt_num(kg)} kg = {fmt_num(first.dose_mg)} mg "
                  f"for the first dose of this regimen.")
    else:
        action = "fixed dose: " + "; then ".join(f"{fmt_num(ln.dose_mg)} mg" for ln in lines if ln.dose_mg)
        reason = f"{d.display_name} is given at a fixed dose. {FIXED_NOTE}"
    return DoseResult(action, reason, refs, d.id, reg.setting, kg, lines, ROUNDING, tuple(notes))


def dose_at(drug: str, mg_per_kg: Any, weight_kg: Any, *, kb=None, rules=None) -> DoseLine:
    """One weight-based dose of ``drug`` at ``mg_per_kg`` (a reduction level, or another level to compare with):
    the same arithmetic, rounding, concentration and vial plan as :func:`calculate_dose`, for a level the regimens
    do not list as a step. The route and frequency are those of the drug's first mg/kg step."""
    kbase, rl = _kb(kb), _rules(rules)
    d = kbase.get(drug)
    steps = [s for r in d.regimens for s in r.steps if s.unit == "mg/kg"]
    if not steps:
        raise ValueError(f"{d.id} has no weight-based (mg/kg) dose in drugs.yaml.")
    level = number(mg_per_kg, "dose level", 0, 100, unit="mg/kg", low_open=True)
    step = steps[0].model_copy(update={"amount": level, "phase": "continuous", "days": None, "companion": None})
    return _line(d, step, weight(weight_kg), rl.concentration(d.id))


# ---- missed doses -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MissedDoseResult(Card):
    code: str                          # "reload" | "maintenance" | "not-due"
    dose: DoseLine | None
    next_step: str = ""
    notes: tuple[str, ...] = ()
    rule: str = ""                     # id of the missed-dose rule in clinical_rules.yaml that governs this regimen
    governed_by: str = ""              # that rule's context in words: which regimen, which label
    title = "Missed or late dose"

    def details(self) -> list[tuple[str, str]]:
        out = [("Rule that applies", self.governed_by)] if self.governed_by else []
        out += [("Give now", self.dose.describe())] if self.dose else []
        if self.next_step:
            out.append(("Then", self.next_step))
        return out + [("Note", n) for n in self.notes]


SCHEDULES = {"weekly": 7, "every 3 weeks": 21}


def missed_dose_rule_id(drug_id: str, with_pertuzumab: bool) -> str:
    """The clinical_rules.yaml rule that governs a late dose of ``drug_id``: trastuzumab given with pertuzumab
    follows the Perjeta label's table; trastuzumab alone follows the Herceptin label; every other drug its own."""
    return "trastuzumab-with-pertuzumab" if (drug_id == "trastuzumab" and with_pertuzumab) else drug_id


def missed_dose(drug: str, weight_kg: Any = None, *, days_since_last_dose: Any, schedule: str = "every 3 weeks",
                with_pertuzumab: Any = False, kb=None, rules=None) -> MissedDoseResult:
    """Re-load or not after a late dose of trastuzumab, pertuzumab or Phesgo (rules in clinical_rules.yaml).

    ``days_since_last_dose``: whole days since the last dose given. ``schedule``: "weekly" or "every 3 weeks"
    (trastuzumab). ``with_pertuzumab``: trastuzumab given with IV pertuzumab follows the Perjeta label's 6-week
    table instead of the Herceptin label's one-week rule for trastuzumab alone. The loading and maintenance doses
    are the drug's own regimen steps in drugs.yaml. The result names the rule that governs (``rule``,
    ``governed_by``).
    """
    kbase, rl = _kb(kb), _rules(rules)
    d = kbase.get(drug)
    days = int(number(days_since_last_dose, "days since the last dose", 1, 365, integer=True, unit="days"))
    schedule = choice(schedule, "schedule", tuple(SCHEDULES))
    if not isinstance(with_pertuzumab, bool):
        raise ValueError(f"with pertuzumab must be yes or no (True/False), got {with_pertuzumab!r}.")
    interval = SCHEDULES[schedule]
    rule_id = missed_dose_rule_id(d.id, with_pertuzumab)
    if d.id == "trastuzumab" and with_pertuzumab and interval != 21:
        raise ValueError("schedule: trastuzumab with pertuzumab is given every 3 weeks.")
    if d.id != "trastuzumab":
        interval = 21
    try:
        rule = rl.missed_dose(rule_id)
    except KeyError:
        raise ValueError(f"no missed-dose rule for {d.id} in clinical_rules.yaml; the tool covers trastuzumab, "
                         "pertuzumab and Phesgo.") from None
    loading, maintenance = _loading_and_maintenance(d, interval)
    kg = None if weight_kg is None or weight_kg == "" else weight(weight_kg)
    conc = rl.concentration(d.id)
    refs = tuple(dict.fromkeys([*rule.references, *([d.label.reference] if d.label else [])]))
    notes = () if rule.verified else (f"Missed-dose rule: {rule.note}",)
    which = dict(rule=rule.id, governed_by=rule.context)
    if days < interval:
        return MissedDoseResult("not due yet", f"Only {days} days since the last dose; the next dose is due on day "
                                f"{interval}.", refs, "not-due", None, "", notes, **which)
    late = days - interval
    if rule.reload(days, interval):
        why = (f"The dose is {late} days late (more than {rule.threshold_days})" if rule.measure == "days-late" else
               f"{days} days have passed since the last dose ({rule.threshold_days} days, "
               f"{rule.threshold_days // 7} weeks, or more)")
        line = _line(d, loading, kg, conc)
        return MissedDoseResult("give the loading dose again", f"{why}: {rule.describe()} [{rule.context}].", refs,
                                "reload", line, f"maintenance {maintenance.describe()} from then on", notes, **which)
    why = (f"The dose is {late} days late ({rule.threshold_days} or less)" if rule.measure == "days-late" else
           f"{days} days since the last dose (under {rule.threshold_days // 7} weeks)")
    line = _line(d, maintenance, kg, conc)
    return MissedDoseResult("give the usual maintenance dose now", f"{why}: give the maintenance dose as soon as "
                            f"possible; do not wait for the next planned cycle [{rule.context}].", refs,
                            "maintenance", line, f"next dose {interval} days after this one", notes, **which)


def _loading_and_maintenance(drug, interval: int):
    for reg in drug.regimens:
        loads = [s for s in reg.steps if s.phase == "loading"]
        maint = [s for s in reg.steps if s.phase == "maintenance"]
        if len(loads) == 1 and len(maint) == 1 and maint[0].interval_days == interval:
            return loads[0], maint[0]
    raise ValueError(f"drugs.yaml has no {drug.id} regimen with one loading dose and one maintenance dose every "
                     f"{interval} days.")


# ---- dose reductions ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReductionResult(Card):
    code: str                      # "reduce" | "discontinue" | "no-reduction"
    next_level: float | None
    unit: str
    levels: tuple[float, ...] = ()
    notes: tuple[str, ...] = ()
    title = "Dose reduction"

    def details(self) -> list[tuple[str, str]]:
        out = [("Levels", " -> ".join(f"{fmt_num(x)} {self.unit}" for x in self.levels))] if self.levels else []
        return out + [("Note", n) for n in self.notes]


def reduce_dose(drug: str, current: Any, *, start: Any = None, kb=None, rules=None) -> ReductionResult:
    """The next lower level for ``drug`` from ``current`` (mg/kg or mg), per the label's reduction table.

    ``start`` picks the ladder when a drug has several (T-DXd 5.4 or 6.4 mg/kg; neratinib ladders start at 240).
    """
    kbase, rl = _kb(kb), _rules(rules)
    d = kbase.get(drug)
    ladders = rl.reductions_for(d.id)
    if not ladders:
        ref = (d.label.reference,) if d.label else tuple(d.references)
        return ReductionResult("no dose reduction", f"The course's rules file lists no dose-reduction levels for "
                               f"{d.display_name} (pertuzumab and the trastuzumab products are not dose-reduced).",
                               ref, "no-reduction", None, "")
    cur = number(current, "current dose", 0, 2000, low_open=True)
    if start not in (None, ""):
        s = number(start, "starting dose", 0, 2000, low_open=True)
        ladders = [r for r in ladders if abs(r.levels[0] - s) < 1e-9]
        if not ladders:
            raise ValueError(f"starting dose {fmt_num(s)} is not the start of any {d.id} ladder in "
                             "clinical_rules.yaml.")
    ladder = next((r for r in ladders if any(abs(x - cur) < 1e-9 for x in r.levels)), None)
    if ladder is None:
        levels = sorted({x for r in ladders for x in r.levels}, reverse=True)
        raise ValueError(f"current dose {fmt_num(cur)} is not a level the label lists for {d.id}: "
                         + ", ".join(fmt_num(x) for x in levels) + f" {ladders[0].unit}.")
    notes = ([] if ladder.verified else [ladder.note or "not confirmed against the current label"])
    if ladder.note and ladder.verified:
        notes.append(ladder.note)
    lower = [x for x in ladder.levels if x < cur - 1e-9]
    if not lower:
        return ReductionResult("discontinue", f"{fmt_num(cur)} {ladder.unit} is the last level for {ladder.context}: "
                               f"{ladder.after_last}.", tuple(ladder.references), "discontinue", None, ladder.unit,
                               tuple(ladder.levels), tuple(notes))
    return ReductionResult(f"reduce to {fmt_num(lower[0])} {ladder.unit}", f"One level below {fmt_num(cur)} "
                           f"{ladder.unit} for {ladder.context} is {fmt_num(lower[0])} {ladder.unit}.",
                           tuple(ladder.references), "reduce", lower[0], ladder.unit, tuple(ladder.levels),
                           tuple(notes))


def reduction_table(*, kb=None, rules=None):
    """Every dose-reduction ladder in ``clinical_rules.yaml`` as one table: the drug, what the ladder is for, the
    starting dose and each lower level in order, and what happens when a further reduction would be needed.

    Rows whose levels are not yet confirmed against the current label text (``verified: false``) carry an asterisk
    and the source line says so, so the table never presents an unconfirmed number as settled.
    """
    from ..paths import package_layout
    from ..references import load_bibliography
    from ..tables import Table

    kbase, rl = _kb(kb), _rules(rules)
    bib = load_bibliography(package_layout().bib)
    rows, keys, pending = [], [], False
    for r in rl.reductions:
        levels = " -> ".join(f"{fmt_num(x)} {r.unit}" for x in r.levels)
        if not r.verified:
            levels += " *"
            pending = True
        rows.append([kbase.get(r.drug).display_name, r.context, levels, r.after_last])
        keys += r.references
    source = "Sources: " + "; ".join(bib.short(k) for k in dict.fromkeys(keys)) + ". A reduced dose is not " \
             "raised again."
    if pending:
        source += " * Levels not yet confirmed against the current label text: check the label's dose-reduction table."
    return Table(caption="Dose levels when a dose is reduced", rows=rows, source=source,
                 headers=["Drug (brand)", "Used for", "Starting dose, then each reduction", "If a further reduction "
                          "is needed"])
