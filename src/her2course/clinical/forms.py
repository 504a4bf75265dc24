"""Forms for the clinical tools: a live ipywidgets form in a kernel, a static worked-examples page in the book.

Each form object renders as

* ``text/plain``: a fixed sentence (no memory address, so saved notebook outputs are stable);
* ``text/html``: a kernel-free static rendering with no controls - worked examples (or a rule table) computed by
  calling the same function on representative and boundary inputs, and the disclaimer;
* ``application/vnd.jupyter.widget-view+json``: the live form (labelled inputs, a button, an output area). Odd
  input shows the function's ValueError message in the output area and leaves what was typed in place.

Usage from a chapter::

    from her2course.clinical import lvef_form
    lvef_form()
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any, ClassVar

from ..tables import Table
from ._common import DISCLAIMER, fmt_num
from .lvef import WORKED_SERIES, change_text

LIVE_NOTE = "In JupyterLab this cell shows a live form; the book shows worked examples computed by the same function."
STALE_NOTE = "Out of date: an input changed after this result was shown. Press {button} to update it."
# Fields fill the output's width up to a readable line, so a long label never squeezes its input to a sliver.
FIELD_WIDTH = {"width": "100%", "max_width": "44em"}


def _disclaimer_html() -> str:
    return f'<p class="her2-tool-disclaimer"><strong>{html.escape(DISCLAIMER)}</strong></p>'


def _safe(fn: Callable[[], list[str]], width: int) -> list[str]:
    """One example row, or a row saying why it cannot be computed (the static page must never crash)."""
    try:
        return fn()
    except Exception as exc:
        return ["(not available)", *([""] * (width - 2)), f"{type(exc).__name__}: {exc}"]


class ToolForm:
    """Base class: subclasses define the fields, ``compute`` (values -> result) and ``examples`` (static tables)."""

    slug = "tool"
    title = "Tool"
    intro = ""
    button_label = "Check"

    def __init__(self) -> None:
        self._box = None
        self.inputs: dict[str, Any] = {}
        self.output = None
        self.button = None
        self._shown: str | None = None  # the last result or message shown, while it matches the inputs

    # -- static rendering
    def tables(self) -> list[Table]:
        raise NotImplementedError

    def extra_html(self) -> str:
        return ""

    def static_html(self) -> str:
        e = html.escape
        parts = [f'<div class="her2-tool" id="her2-tool-{e(self.slug)}">',
                 f"<p><strong>{e(self.title)}</strong>. {e(self.intro)}</p>",
                 f'<p class="her2-tool-live-note">{e(LIVE_NOTE)}</p>']
        parts += [t.to_html() for t in self.tables()]
        parts.append(self.extra_html())
        parts.append(_disclaimer_html())
        parts.append("</div>")
        return "\n".join(p for p in parts if p)

    def plain_text(self) -> str:
        return f"{self.title} ({DISCLAIMER}) {LIVE_NOTE}"

    def __repr__(self) -> str:
        return self.plain_text()

    # -- live widget
    def fields(self) -> list[tuple[str, Any]]:
        """(name, widget) pairs, in order."""
        raise NotImplementedError

    def compute(self, values: dict[str, Any]):
        raise NotImplementedError

    @property
    def widget(self):
        if self._box is None:
            import ipywidgets as w
            pairs = self.fields()
            self.inputs = dict(pairs)
            self.button = w.Button(description=self.button_label, button_style="primary",
                                   tooltip=f"{self.button_label}: {self.title}")
            self.output = w.HTML(value=f"<p>{html.escape(DISCLAIMER)}</p>")
            self.button.on_click(lambda _b: self.submit())
            for _, wd in pairs:
                wd.observe(self._mark_stale, names="value")
            heading = w.HTML(value=f"<p><strong>{html.escape(self.title)}</strong>. {html.escape(self.intro)}</p>")
            self._box = w.VBox([heading, *[wd for _, wd in pairs], self.button, self.output])
        return self._box

    def submit(self) -> None:
        """Run the tool on the form's values and show the result or the input message; never raises."""
        _ = self.widget
        values = {k: wd.value for k, wd in self.inputs.items()}
        try:
            result = self.compute(values)
            body = result.to_html() if hasattr(result, "to_html") else html.escape(str(result))
        except (ValueError, KeyError) as exc:
            msg = exc.args[0] if exc.args else str(exc)
            body = (f'<p role="alert" class="her2-tool-error"><strong>Please check the input:</strong> '
                    f"{html.escape(str(msg))}</p><p>{html.escape(DISCLAIMER)}</p>")
        except Exception as exc:
            body = (f'<p role="alert" class="her2-tool-error">Something went wrong ({html.escape(type(exc).__name__)}:'
                    f" {html.escape(str(exc))}). Your input is kept; please report this.</p>")
        self._shown = body
        self.output.value = body

    @property
    def stale(self) -> bool:
        """True while the output shows a result for inputs that have changed since."""
        return self.output is not None and self._shown is not None and self.output.value != self._shown

    def _mark_stale(self, _change: Any = None) -> None:
        """An input changed: keep the old result visible but say plainly that it no longer matches."""
        if self._shown is None or self.stale:
            return
        note = html.escape(STALE_NOTE.format(button=self.button_label))
        self.output.value = (f'<div class="her2-tool-stale" style="border-left:4px dashed #767676;padding-left:8px">'
                             f'<p role="status"><strong>{note}</strong></p>{self._shown}</div>')

    def _repr_mimebundle_(self, include=None, exclude=None):
        data: dict[str, Any] = {"text/plain": self.plain_text(), "text/html": self.static_html()}
        try:
            box = self.widget
            data["application/vnd.jupyter.widget-view+json"] = {"version_major": 2, "version_minor": 0,
                                                                 "model_id": box.model_id}
        except Exception:
            pass
        return data


def _text(description: str, value: str = "", placeholder: str = ""):
    import ipywidgets as w
    return w.Text(value=value, description=description, placeholder=placeholder,
                  style={"description_width": "initial"}, layout=w.Layout(**FIELD_WIDTH))


def _check(description: str):
    import ipywidgets as w
    return w.Checkbox(value=False, description=description, indent=False, layout=w.Layout(width="auto"))


def _drop(description: str, options, value=None):
    import ipywidgets as w
    return w.Dropdown(options=options, value=value if value is not None else options[0][1] if isinstance(
        options[0], tuple) else options[0], description=description, style={"description_width": "initial"},
        layout=w.Layout(**FIELD_WIDTH))


# ---- LVEF -----------------------------------------------------------------------------------------------------------

class LvefForm(ToolForm):
    slug = "lvef"
    title = "LVEF monitor"
    intro = ("Enter the pre-treatment (baseline) LVEF, the new LVEF and your institution's lower limit of normal; "
             "or paste a dated series, one 'YYYY-MM-DD LVEF' per line, to walk it through the Herceptin label rule.")
    EXAMPLE_SERIES: ClassVar[list[tuple[str, int]]] = list(WORKED_SERIES)  # chapter 5's case (Amara Osei)

    CASES: ClassVar[list[tuple[int, int, int, str]]] = [  # (baseline, current, lln, what it shows)
        (70, 55, 50, "15-point fall, above the LLN"),
        (70, 54, 50, "16-point fall"),
        (60, 50, 50, "10-point fall, exactly at the LLN"),
        (59, 49, 50, "10-point fall, 1 point below the LLN"),
        (58, 49, 50, "9-point fall, below the LLN"),
        (55, 48, 50, "7-point fall, below the LLN"),
        (62, 52, 55, "10-point fall, below an LLN of 55%"),
        (65, 70, 50, "LVEF rose"),
    ]

    def tables(self) -> list[Table]:
        from .lvef import lvef_check, lvef_series
        rows = []
        for b, c, lln, what in self.CASES:
            def row(b=b, c=c, lln=lln, what=what):
                r = lvef_check(b, c, lln)
                return [what, f"{b}%", f"{c}%", f"{lln}%", change_text(r.drop), r.action, r.reason]
            rows.append(_safe(row, 7))
        t1 = Table(caption="LVEF rule (Herceptin label): worked examples around each threshold",
                   headers=["Case", "Baseline", "Now", "LLN", "Change from baseline", "Action", "Why"], rows=rows,
                   source=f"Computed by her2course.clinical.lvef_check. Source: Herceptin label. {DISCLAIMER}")
        rows2 = []
        for weeks, c in [(3, 55), (4, 55), (4, 48), (6, 49), (8, 50), (8, 49), (9, 48)]:
            def row2(weeks=weeks, c=c):
                r = lvef_check(64, c, 50, weeks_held=weeks)
                return [f"{weeks} weeks into a hold", f"{c}%", r.action, r.reason]
            rows2.append(_safe(row2, 4))
        rows2.append(_safe(lambda: ["4th hold for cardiomyopathy", "46%",
                                    lvef_check(64, 46, 50, previous_holds=3).action,
                                    lvef_check(64, 46, 50, previous_holds=3).reason], 4))
        t2 = Table(caption="Resuming or stopping after a hold (baseline 64%, LLN 50%)",
                   headers=["Situation", "Now", "Action", "Why"], rows=rows2,
                   source=f"Computed by her2course.clinical.lvef_check. Source: Herceptin label. {DISCLAIMER}")
        rows3 = []
        for rule, b, c in [("pertuzumab-metastatic", 60, 46), ("pertuzumab-metastatic", 55, 45),
                           ("pertuzumab-metastatic", 52, 45), ("pertuzumab-metastatic", 50, 39),
                           ("pertuzumab-early", 60, 50), ("pertuzumab-early", 60, 49), ("pertuzumab-early", 58, 49)]:
            def row3(rule=rule, b=b, c=c):
                r = lvef_check(b, c, rule=rule)
                return ["metastatic" if rule.endswith("metastatic") else "early", f"{b}%", f"{c}%", r.action, r.reason]
            rows3.append(_safe(row3, 5))
        t3 = Table(caption="With pertuzumab or Phesgo: the Perjeta/Phesgo labels use different thresholds",
                   headers=["Setting", "Baseline", "Now", "Action", "Why"], rows=rows3,
                   source=f"Computed by her2course.clinical.lvef_check. Sources: Perjeta and Phesgo labels. "
                          f"{DISCLAIMER}")
        tables = [t1, t2, t3]
        try:
            s = lvef_series(self.EXAMPLE_SERIES)
            tables.append(Table(caption="A dated series walked through the rule (Amara Osei, the chapter 5 case)",
                                headers=["Date", "LVEF", "Action"],
                                rows=[[st.date.isoformat(), f"{fmt_num(st.lvef)}%",
                                       "baseline" if st.result is None else st.result.action] for st in s.steps],
                                source=f"Computed by her2course.clinical.lvef_series. {DISCLAIMER}"))
        except Exception:
            pass
        return tables

    def extra_html(self) -> str:
        from .lvef import lvef_figure
        try:
            return lvef_figure(self.EXAMPLE_SERIES, name="lvef-example").to_html()
        except Exception:
            return ""

    def fields(self):
        from .lvef import RULE_LABELS
        return [("baseline", _text("Baseline (pre-treatment) LVEF, %", placeholder="e.g. 62")),
                ("current", _text("Current LVEF, %", placeholder="e.g. 50")),
                ("lln", _text("Lower limit of normal, %", value="50")),
                ("rule", _drop("Label rule", [(v, k) for k, v in RULE_LABELS.items()])),
                ("weeks_held", _text("Weeks since the hold began (if held)", placeholder="leave empty if not held")),
                ("previous_holds", _text("Earlier holds for cardiomyopathy", value="0")),
                ("series", _textarea("Or a dated series (one 'YYYY-MM-DD LVEF' per line)"))]

    def compute(self, v):
        from .lvef import lvef_check, lvef_series
        if str(v.get("series", "")).strip():
            return lvef_series(v["series"], v["lln"])
        if v["rule"] == "herceptin":
            return lvef_check(v["baseline"], v["current"], v["lln"], weeks_held=v["weeks_held"] or None,
                              previous_holds=v["previous_holds"] or 0)
        return lvef_check(v["baseline"], v["current"], v["lln"], rule=v["rule"])


def _textarea(description: str):
    import ipywidgets as w
    return w.Textarea(value="", description=description, placeholder="2026-01-05 62\n2026-04-06 47",
                      style={"description_width": "initial"}, layout=w.Layout(**FIELD_WIDTH, height="8em"))


# ---- diarrhea -------------------------------------------------------------------------------------------------------

_FEATURES = [("limiting_instrumental_adl", "Limits instrumental ADL (cooking, shopping, money)"),
             ("hospitalization_indicated", "Hospitalization indicated"),
             ("limiting_self_care_adl", "Limits self-care ADL (bathing, dressing, toileting)"),
             ("life_threatening", "Life-threatening; urgent intervention indicated"),
             ("death", "Death"), ("incontinence", "Incontinence (graded separately in v5.0)")]


class DiarrheaForm(ToolForm):
    slug = "diarrhea"
    title = "CTCAE v5.0 diarrhea grade"
    intro = "Enter how many more stools a day than usual, and tick the features present."
    button_label = "Grade"

    def tables(self) -> list[Table]:
        from .diarrhea import diarrhea_grade
        cases = [(0, {}), (1, {}), (3, {}), (4, {}), (6, {}), (7, {}), (10, {}),
                 (2, {"limiting_instrumental_adl": True}), (2, {"hospitalization_indicated": True}),
                 (5, {"limiting_self_care_adl": True}), (8, {"life_threatening": True}), (0, {"ostomy": "moderate"}),
                 (3, {"incontinence": True})]
        rows = []
        for n, kw in cases:
            def row(n=n, kw=kw):
                r = diarrhea_grade(n, **kw)
                feats = ", ".join(k.replace("_", " ") + ("" if v is True else f" {v}") for k, v in kw.items()) or "none"
                return [str(n), feats, r.action, r.reason + (" " + " ".join(r.notes) if r.notes else "")]
            rows.append(_safe(row, 4))
        t1 = Table(caption="CTCAE v5.0 diarrhea: worked examples at the grade boundaries",
                   headers=["Stools a day over baseline", "Other features", "Grade", "Why"], rows=rows,
                   source=f"Computed by her2course.clinical.diarrhea_grade. Source: CTCAE v5.0. {DISCLAIMER}")
        from .diarrhea import _ACTIONS
        t2 = Table(caption="Nursing actions by grade", headers=["Grade", "Nursing actions"],
                   rows=[[str(g), " ".join(a)] for g, a in _ACTIONS.items() if 1 <= g <= 4],
                   source=f"General nursing practice; drug-specific holds follow each label. {DISCLAIMER}")
        return [t1, t2]

    def fields(self):
        return ([("stools", _text("Stools a day over the usual number", placeholder="e.g. 5")),
                 ("ostomy", _drop("Rise in ostomy output", ["none", "mild", "moderate", "severe"]))]
                + [(k, _check(label)) for k, label in _FEATURES])

    def compute(self, v):
        from .diarrhea import diarrhea_grade
        return diarrhea_grade(v["stools"], ostomy=v["ostomy"], **{k: v[k] for k, _ in _FEATURES})


# ---- neratinib ------------------------------------------------------------------------------------------------------

class NeratinibForm(ToolForm):
    slug = "neratinib"
    title = "Neratinib diarrhea-prevention planner"
    intro = ("Choose loperamide prophylaxis or the two-week dose escalation; add the first-dose date for a calendar.")
    button_label = "Make the plan"

    def tables(self) -> list[Table]:
        from .diarrhea import neratinib_diarrhea_action, neratinib_plan
        out = []
        for strategy in ("loperamide", "escalation"):
            try:
                out.append(neratinib_plan(strategy).table())
            except Exception as exc:
                out.append(Table(caption=f"Neratinib: {strategy} plan", headers=["Note"],
                                 rows=[[f"not available: {exc}"]], source=DISCLAIMER))
        cases = [(1, 1, False, None, 240), (2, 4, False, None, 240), (2, 5, False, None, 240),
                 (3, 2, False, None, 240), (3, 3, False, 7, 240), (3, 3, False, 8, 240), (1, 1, True, None, 240),
                 (2, 1, False, None, 120), (4, 1, False, None, 240)]
        rows = []
        for g, days, comp, rec, dose in cases:
            def row(g=g, days=days, comp=comp, rec=rec, dose=dose):
                r = neratinib_diarrhea_action(g, days_at_grade=days, complicated=comp, recovery_days=rec,
                                              current_dose_mg=dose)
                return [str(g), str(days), "yes" if comp else "no", "" if rec is None else str(rec), f"{dose} mg",
                        r.action, r.reason]
            rows.append(_safe(row, 7))
        out.append(Table(caption="Neratinib dose changes for diarrhea: worked examples",
                         headers=["Grade", "Days at grade", "Complicated", "Days to recover", "Dose", "Action", "Why"],
                         rows=rows, source="Computed by her2course.clinical.neratinib_diarrhea_action. Source: Nerlynx "
                                           f"label (durations to be checked against the current label). {DISCLAIMER}"))
        return out

    def fields(self):
        return [("strategy", _drop("Start with", [("Loperamide prophylaxis", "loperamide"),
                                                  ("Dose escalation", "escalation")])),
                ("by", _drop("Show", [("Week by week", "week"), ("Day by day", "day")])),
                ("start", _text("First dose date (optional)", placeholder="YYYY-MM-DD")),
                ("days", _text("Days to show", placeholder="63 by week, 21 by day"))]

    def compute(self, v):
        from .diarrhea import neratinib_plan
        return neratinib_plan(v["strategy"], start=v["start"] or None, by=v["by"], days=v["days"] or None)


# ---- ILD ------------------------------------------------------------------------------------------------------------

class IldForm(ToolForm):
    slug = "ild"
    title = "T-DXd ILD/pneumonitis actions"
    intro = "Enter the ILD/pneumonitis grade; for grade 1, the days from onset to resolution and the current dose."

    def tables(self) -> list[Table]:
        from .ild import GRADE_TEXT, ild_action
        cases = [(1, None, None, False), (1, 28, 5.4, False), (1, 29, 5.4, False), (1, 35, 4.4, False),
                 (1, 35, 3.2, False), (1, 30, 6.4, True), (2, None, None, False), (3, None, None, False),
                 (4, None, None, False)]
        rows = []
        for g, days, dose, gastric in cases:
            def row(g=g, days=days, dose=dose, gastric=gastric):
                r = ild_action(g, days_to_resolution=days, current_dose_mg_per_kg=dose, gastric=gastric)
                return [f"{g} ({GRADE_TEXT[g]})", "" if days is None else str(days),
                        "" if dose is None else f"{dose} mg/kg" + (" (gastric)" if gastric else ""),
                        r.action, r.reason + (f" Steroids: {r.steroids}." if r.steroids else "")]
            rows.append(_safe(row, 5))
        return [Table(caption="T-DXd and ILD/pneumonitis: the label's actions, with the 28-day boundary",
                      headers=["Grade", "Days to resolve", "Current dose", "Action", "Why"], rows=rows,
                      source=f"Computed by her2course.clinical.ild_action. Source: Enhertu label. {DISCLAIMER}")]

    def fields(self):
        return [("grade", _text("ILD/pneumonitis grade (1-4)", placeholder="e.g. 1")),
                ("days", _text("Grade 1: days from onset to grade 0", placeholder="leave empty if not resolved")),
                ("dose", _text("Current dose, mg/kg (optional)", placeholder="e.g. 5.4")),
                ("gastric", _check("Gastric cancer schedule (started at 6.4 mg/kg)"))]

    def compute(self, v):
        from .ild import ild_action
        return ild_action(v["grade"], days_to_resolution=v["days"] or None,
                          current_dose_mg_per_kg=v["dose"] or None, gastric=v["gastric"])


# ---- doses ----------------------------------------------------------------------------------------------------------

DOSE_EXAMPLES = [("trastuzumab", 70, 1), ("trastuzumab", 70, 2), ("trastuzumab-deruxtecan", 70, 0),
                 ("trastuzumab-deruxtecan", 70, "gastric"), ("trastuzumab-emtansine", 68, 0),
                 ("trastuzumab-emtansine", 45, 0), ("pertuzumab", 70, 0), ("pertuzumab-trastuzumab-hyaluronidase",
                                                                             70, 0),
                 ("trastuzumab-hyaluronidase", 70, 0), ("margetuximab", 70, 0), ("zanidatamab", 70, 0)]


# (regimen as the table names it, drug, schedule, days since the last dose, given with pertuzumab): each rule on
# both sides of its threshold, and 41 days for every regimen, where the two trastuzumab rules part company.
MISSED_DOSE_EXAMPLES = [
    ("Trastuzumab alone", "trastuzumab", "every 3 weeks", 28, False),
    ("Trastuzumab alone", "trastuzumab", "every 3 weeks", 29, False),
    ("Trastuzumab alone", "trastuzumab", "every 3 weeks", 41, False),
    ("Trastuzumab alone", "trastuzumab", "weekly", 14, False),
    ("Trastuzumab alone", "trastuzumab", "weekly", 15, False),
    ("Trastuzumab with pertuzumab (IV)", "trastuzumab", "every 3 weeks", 41, True),
    ("Trastuzumab with pertuzumab (IV)", "trastuzumab", "every 3 weeks", 42, True),
    ("Pertuzumab (IV)", "pertuzumab", "every 3 weeks", 41, False),
    ("Pertuzumab (IV)", "pertuzumab", "every 3 weeks", 42, False),
    ("Phesgo", "pertuzumab-trastuzumab-hyaluronidase", "every 3 weeks", 41, False),
    ("Phesgo", "pertuzumab-trastuzumab-hyaluronidase", "every 3 weeks", 42, False),
]


class DoseForm(ToolForm):
    slug = "dose"
    title = "Dose calculator"
    intro = ("Choose the drug and regimen and enter the weight; or enter the days since the last dose to see whether "
             "trastuzumab, pertuzumab or Phesgo needs re-loading.")
    button_label = "Calculate"

    def tables(self) -> list[Table]:
        from .dosing import calculate_dose, missed_dose, reduce_dose
        rows = []
        for drug, kg, reg in DOSE_EXAMPLES:
            def row(drug=drug, kg=kg, reg=reg):
                r = calculate_dose(drug, kg, regimen=reg)
                return [r.drug, f"{kg} kg", r.setting, " | ".join(
                    f"{ln.phase}{' (' + ln.when + ')' if ln.when else ''}: {ln.describe()}" for ln in r.lines)]
            rows.append(_safe(row, 4))
        t1 = Table(caption="Worked doses (from the course's drug data)",
                   headers=["Drug", "Weight", "Regimen", "Dose"], rows=rows,
                   source=f"Computed by her2course.clinical.calculate_dose. Rounding: dose to 0.1 mg, volume to "
                          f"0.1 mL. {DISCLAIMER}")
        rows2 = []
        for label, drug, sched, days, withp in MISSED_DOSE_EXAMPLES:
            def row2(label=label, drug=drug, sched=sched, days=days, withp=withp):
                r = missed_dose(drug, 70, days_since_last_dose=days, schedule=sched, with_pertuzumab=withp)
                return [label, r.governed_by, sched, str(days), r.action, r.dose.describe() if r.dose else ""]
            rows2.append(_safe(row2, 6))
        t2 = Table(caption="Late doses: which label rule applies, and when to re-load (70 kg)",
                   headers=["Regimen", "Rule that applies", "Schedule", "Days since last dose", "Action", "Give"],
                   rows=rows2,
                   source=f"Computed by her2course.clinical.missed_dose. Trastuzumab on its own follows the Herceptin "
                          f"label (more than 1 week late: re-load); trastuzumab given with pertuzumab follows the "
                          f"Perjeta label's table for both drugs, and Phesgo its own label (6 weeks or more since the "
                          f"last dose: re-load). Sources: Herceptin, Perjeta, Phesgo labels. {DISCLAIMER}")
        rows3 = []
        for drug, cur, start in [("trastuzumab-emtansine", 3.6, None), ("trastuzumab-emtansine", 2.4, None),
                                 ("trastuzumab-deruxtecan", 5.4, 5.4), ("trastuzumab-deruxtecan", 3.2, 5.4),
                                 ("trastuzumab-deruxtecan", 6.4, 6.4), ("trastuzumab-deruxtecan", 4.4, 6.4),
                                 ("zongertinib", 180, 180), ("zongertinib", 120, 120), ("pertuzumab", 420, None)]:
            def row3(drug=drug, cur=cur, start=start):
                r = reduce_dose(drug, cur, start=start)
                return [drug, f"{cur}", r.action, r.reason + (" " + " ".join(r.notes) if r.notes else "")]
            rows3.append(_safe(row3, 4))
        t3 = Table(caption="Dose-reduction levels", headers=["Drug", "Current dose", "Next", "Why"], rows=rows3,
                   source=f"Computed by her2course.clinical.reduce_dose. Sources: Kadcyla, Enhertu, Hernexeos, "
                          f"Perjeta labels. {DISCLAIMER}")
        return [t1, t2, t3]

    def _drug_options(self):
        from .. import drugs
        try:
            return [(d.display_name, d.id) for d in drugs.all_drugs()]
        except Exception:
            return [("(drug data not available)", "")]

    def _regimen_options(self, drug_id: str):
        from .. import drugs
        try:
            return [(f"[{i}] {r.setting}", i) for i, r in enumerate(drugs.get(drug_id).regimens)]
        except Exception:
            return [("(none)", 0)]

    def fields(self):
        drug = _drop("Drug", self._drug_options())
        regimen = _drop("Regimen", self._regimen_options(drug.value))

        def _update(change):
            regimen.options = self._regimen_options(change["new"])
        drug.observe(_update, names="value")
        return [("drug", drug), ("regimen", regimen),
                ("weight", _text("Weight, kg", placeholder="e.g. 70")),
                ("days_since", _text("Days since the last dose (for a late dose; optional)", placeholder="e.g. 29")),
                ("schedule", _drop("Trastuzumab schedule", ["every 3 weeks", "weekly"])),
                ("with_pertuzumab", _check("Trastuzumab given with IV pertuzumab (the Perjeta label's 6-week rule "
                                           "applies instead of the one-week rule)"))]

    def compute(self, v):
        from .dosing import calculate_dose, missed_dose
        if str(v.get("days_since", "")).strip():
            return missed_dose(v["drug"], v["weight"] or None, days_since_last_dose=v["days_since"],
                               schedule=v["schedule"], with_pertuzumab=v["with_pertuzumab"])
        return calculate_dose(v["drug"], v["weight"], regimen=v["regimen"])


def lvef_form() -> LvefForm:
    return LvefForm()


def diarrhea_form() -> DiarrheaForm:
    return DiarrheaForm()


def neratinib_form() -> NeratinibForm:
    return NeratinibForm()


def ild_form() -> IldForm:
    return IldForm()


def dose_form() -> DoseForm:
    return DoseForm()
