"""Parametric numeric items: parallel exam forms whose numbers are drawn per seed and computed by the course's
clinical calculators.

A numeric item becomes parametric with two blocks (the schema is in :mod:`.schema`)::

    params:                      # drawn per form; `value` is the practice version's, shown in the book
      weight: {value: 64, min: 45, max: 120, step: 1, within: adult-weight-kg}
    compute:
      values:                    # computed in order; `$name` refers to a parameter or an earlier value
        dose: {fn: dose, args: {drug: trastuzumab-deruxtecan, regimen: HER2-low, weight_kg: $weight}}
        gastric: {fn: dose, args: {drug: trastuzumab-deruxtecan, regimen: gastric, weight_kg: $weight}}
        slip: {fn: expr, args: {of: $dose / 10}, round: 1}
      key: dose                  # the answer
      distractors: [gastric, slip]   # one per authored distractor, in order
      same: []                   # values that must keep their practice value (the branch the rationale explains)

and ``{{name}}`` (or ``{{name:.1f}}``, ``{{name:,}}``) placeholders in its stem, explanation, rationale and
distractor rationales. The functions (:data:`FUNCTIONS`) are thin adapters over :mod:`her2course.clinical`: the
dose calculator (:func:`~her2course.clinical.dosing.calculate_dose`, ``dose_at``, ``missed_dose``, ``reduce_dose``,
``vial_plan``), the LVEF and diarrhea tools, and a small arithmetic evaluator for formulas that are not clinical
rules (a ratio, a percentage). No data runs as code: ``expr`` reads numbers, names, + - * / %, comparisons, and/or.

- :func:`practice` fills an item with its authored values and checks that the computed key and distractors equal
  the authored ones (the book shows this version).
- :func:`draw` fills it with values drawn for a seed: the same seed and item always give the same form (a SHA-256
  digest of the seed, the item id and the parameter name picks each value), never the practice values, and a draw
  is kept only if it passes :func:`problems_in_form` (values inside their ranges, the key marked right by the
  item's own tolerance, the ``same`` values unchanged, distractors apart from the key and from each other).
- :func:`check_draws` draws many seeds (``her2course check`` and ``quiz check`` run it).
"""

from __future__ import annotations

import ast
import hashlib
import math
import operator
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import DataError, Problem
from ..paths import Layout, package_layout
from ..yamlfile import _field_path, _message, read_yaml
from .schema import ID, Calc, Form, Numeric

RANGES_FILE = "param_ranges.yaml"
MAX_TRIES = 400            # draws tried per seed before giving up (a well-made item needs a handful)
CHECK_SEEDS = range(1, 41)  # seeds ``her2course check`` draws for every parametric item
EPS = 1e-9
PLACEHOLDER = re.compile(r"\{\{\s*([a-z][a-z0-9_]*)\s*(?::([^{}]*))?\}\}")
FORMAT_SPEC = re.compile(r"^,?(\.[0-9])?f?$")
Value = float | str | bool


class FormError(ValueError):
    """A parametric item that cannot be filled in; the message names the item and what went wrong."""


# ---------------------------------------------------------------------------------------------- ranges file

class Range(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=ID)
    unit: str = Field(min_length=1)
    min: float
    max: float
    basis: str = Field(min_length=10, description="what the range is based on")
    references: list[str] = []


class Ranges(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    ranges: list[Range] = Field(min_length=1)

    def get(self, range_id: str) -> Range | None:
        return next((r for r in self.ranges if r.id == range_id), None)


def _parse_ranges(path: Path) -> tuple[Ranges | None, list[Problem]]:
    try:
        raw = read_yaml(path)
    except DataError as exc:
        return None, exc.problems
    try:
        found = Ranges.model_validate(raw)
    except ValidationError as exc:
        return None, [Problem(path, None, _field_path(e["loc"]), _message(e)) for e in exc.errors()]
    problems = []
    seen: set[str] = set()
    for r in found.ranges:
        if r.id in seen:
            problems.append(Problem(path, r.id, "id", "duplicate id"))
        seen.add(r.id)
        if r.min >= r.max:
            problems.append(Problem(path, r.id, "min", f"min {r.min:g} must be less than max {r.max:g}"))
    return found, problems


def validate_ranges(layout: Layout) -> tuple[list[Range], list[Problem]]:
    """``her2course check``: the ranges file's schema and reference keys."""
    from ..references import load_bibliography, missing_keys

    path = layout.data_dir / RANGES_FILE
    found, problems = _parse_ranges(path)
    if found is None:
        return [], problems
    try:
        bib = load_bibliography(layout.bib)
        for r in found.ranges:
            problems += missing_keys(bib, path, r.id, "references", r.references)
    except DataError as exc:
        problems += exc.problems
    return list(found.ranges), problems


@lru_cache(maxsize=4)
def _ranges_at(path: str, mtime: float) -> Ranges:
    found, problems = _parse_ranges(Path(path))
    if found is None or problems:
        raise DataError(problems)
    return found


def ranges() -> Ranges:
    path = package_layout().data_dir / RANGES_FILE
    try:
        mtime = path.stat().st_mtime
    except OSError:
        raise DataError([Problem(path, None, None, "file not found")]) from None
    return _ranges_at(str(path), mtime)


# ------------------------------------------------------------------------------------------------ functions

def _drug(drug: Any) -> str:
    if not isinstance(drug, str):
        raise ValueError(f"drug must be a drug id, got {drug!r}")
    return drug


def _dose_line(result, phase: Any, every_days: Any):
    lines = list(result.lines)
    if phase is not None:
        lines = [ln for ln in lines if ln.phase == phase]
    if every_days is not None:
        from .. import drugs

        steps = [s for r in drugs.base().get(result.drug).regimens if r.setting == result.setting for s in r.steps]
        keep = {id(ln) for ln, s in zip(result.lines, steps, strict=True) if s.interval_days == every_days}
        lines = [ln for ln in lines if id(ln) in keep]
    if not lines:
        raise ValueError(f"the regimen '{result.setting}' has no {phase or ''} dose"
                         + (f" every {every_days} days" if every_days else ""))
    return lines[0]


def _line_fields(line, drug: str) -> dict[str, Value]:
    from .. import drugs

    plan = line.vials
    out: dict[str, Value] = {"mg_per_kg": line.amount}
    if line.dose_mg is not None:
        out["dose_mg"] = line.dose_mg
    if line.exact_mg is not None:
        out["exact_mg"] = line.exact_mg
    if line.volume_ml is not None:
        out["volume_ml"] = line.volume_ml
    if line.exact_mg is not None:
        from ..clinical.rules import rules

        conc = rules().concentration(drugs.base().get(drug).id)
        if conc is not None:
            out["exact_ml"] = line.exact_mg / conc.mg_per_ml
    if plan is not None:
        out["vial_plan"] = plan.describe()
        out["vial_count"] = float(sum(n for _, n in plan.vials))
    return out


def fn_dose(drug: Any, weight_kg: Any, regimen: Any = None, phase: Any = None, every_days: Any = None
            ) -> dict[str, Value]:
    """The dose calculator (:func:`calculate_dose`): one line of a regimen (chosen by words of its setting), the
    first one, or the first with ``phase`` (loading, maintenance) and ``every_days`` (7, 21)."""
    from ..clinical.dosing import calculate_dose

    result = calculate_dose(_drug(drug), weight_kg, regimen=regimen)
    return _line_fields(_dose_line(result, phase, every_days), result.drug)


def fn_dose_at(drug: Any, mg_per_kg: Any, weight_kg: Any) -> dict[str, Value]:
    """The calculator's dose at another level (:func:`dose_at`): a reduction level or a wrong level."""
    from ..clinical.dosing import dose_at

    return _line_fields(dose_at(_drug(drug), mg_per_kg, weight_kg), _drug(drug))


def fn_missed_dose(drug: Any, weight_kg: Any, days_since_last_dose: Any, schedule: Any = "every 3 weeks",
                   with_pertuzumab: Any = False) -> dict[str, Value]:
    """The missed-dose rule (:func:`missed_dose`): the dose due now and the rule's code (reload, maintenance)."""
    from ..clinical.dosing import missed_dose

    days = int(days_since_last_dose) if isinstance(days_since_last_dose, float) else days_since_last_dose
    result = missed_dose(_drug(drug), weight_kg, days_since_last_dose=days, schedule=schedule,
                         with_pertuzumab=with_pertuzumab)
    out: dict[str, Value] = {"code": result.code}
    if result.dose is not None:
        out.update(_line_fields(result.dose, _drug(drug)))
    return out


def fn_reduce_dose(drug: Any, current: Any, start: Any = None) -> dict[str, Value]:
    """The dose-reduction ladder (:func:`reduce_dose`): the next lower level and the rule's code."""
    from ..clinical.dosing import reduce_dose

    result = reduce_dose(_drug(drug), current, start=start)
    out: dict[str, Value] = {"code": result.code}
    if result.next_level is not None:
        out["next_level"] = result.next_level
    return out


def fn_concentration(drug: Any) -> dict[str, Value]:
    """The drug's concentration in mg/mL after reconstitution (``clinical_rules.yaml``)."""
    from .. import drugs
    from ..clinical.rules import rules

    d = drugs.base().get(_drug(drug))
    conc = rules().concentration(d.id)
    if conc is None:
        raise ValueError(f"clinical_rules.yaml gives no concentration for {d.id}")
    return {"mg_per_ml": conc.mg_per_ml}


def fn_vials(drug: Any, dose_mg: Any, vial_mg: Any) -> dict[str, Value]:
    """Whole vials of one of the label's vial sizes (drugs.yaml) that a dose needs: the count rounded up."""
    from .. import drugs

    d = drugs.base().get(_drug(drug))
    sizes = sorted({v.amount_mg for v in d.vials})
    if not isinstance(vial_mg, int | float) or float(vial_mg) not in sizes:
        raise ValueError(f"{vial_mg!r} mg is not a vial size of {d.id} in drugs.yaml ({sizes or 'none listed'})")
    return {"count": float(math.ceil(float(dose_mg) / float(vial_mg) - 1e-9))}


def fn_lvef(baseline: Any, current: Any, lln: Any = 50) -> dict[str, Value]:
    """The LVEF tool (:func:`lvef_check`, Herceptin rule): the fall in points and the action code."""
    from ..clinical.lvef import lvef_check

    result = lvef_check(baseline, current, lln)
    return {"drop": result.drop, "code": result.code}


def fn_diarrhea(stools_over_baseline: Any) -> dict[str, Value]:
    """The CTCAE v5.0 diarrhea grade from stools a day over baseline (:func:`diarrhea_grade`)."""
    from ..clinical.diarrhea import diarrhea_grade

    count = int(stools_over_baseline) if isinstance(stools_over_baseline, float) else stools_over_baseline
    return {"grade": float(diarrhea_grade(count).grade)}


def fn_expr(of: Any) -> dict[str, Value]:  # evaluated by evaluate(), which resolves the names first
    raise AssertionError("expr is evaluated by evaluate()")  # pragma: no cover


@dataclass(frozen=True)
class Function:
    call: Callable[..., dict[str, Value]]
    pick: str  # the field returned when a value does not say which


FUNCTIONS: dict[str, Function] = {
    "dose": Function(fn_dose, "dose_mg"),
    "dose_at": Function(fn_dose_at, "dose_mg"),
    "missed_dose": Function(fn_missed_dose, "dose_mg"),
    "reduce_dose": Function(fn_reduce_dose, "next_level"),
    "concentration": Function(fn_concentration, "mg_per_ml"),
    "vials": Function(fn_vials, "count"),
    "lvef": Function(fn_lvef, "drop"),
    "diarrhea_grade": Function(fn_diarrhea, "grade"),
    "expr": Function(fn_expr, "value"),
}


# --------------------------------------------------------------------------------------------- expressions

_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
    ast.Mod: operator.mod,
}
_COMPARE: dict[type, Callable[[Any, Any], bool]] = {
    ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge, ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}


def expression_names(text: str) -> list[str]:
    return re.findall(r"\$([a-z][a-z0-9_]*)", text)


@lru_cache(maxsize=1024)
def _parsed(text: str) -> ast.Expression:
    try:
        return ast.parse(re.sub(r"\$([a-z][a-z0-9_]*)", r"\1", text), mode="eval")
    except SyntaxError:
        raise ValueError(f"'{text}' is not an arithmetic expression") from None


def evaluate_expression(text: str, names: dict[str, Value]) -> Value:
    """Arithmetic over numbers and ``$names``: + - * / %, unary -, comparisons, and/or/not. Nothing else parses."""
    tree = _parsed(text)

    def ev(node: ast.AST) -> Any:
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value,
                                                                                                      bool):
            return float(node.value)
        if isinstance(node, ast.Name):
            if node.id not in names:
                raise ValueError(f"'{text}' uses ${node.id}, which is not a parameter or an earlier value")
            return names[node.id]
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            left, right = ev(node.left), ev(node.right)
            if isinstance(node.op, ast.Div | ast.Mod) and right == 0:
                raise ValueError(f"'{text}' divides by zero")
            return _BINARY[type(node.op)](left, right)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd | ast.Not):
            v = ev(node.operand)
            return (not v) if isinstance(node.op, ast.Not) else (-v if isinstance(node.op, ast.USub) else v)
        if isinstance(node, ast.Compare) and all(type(op) in _COMPARE for op in node.ops):
            left = ev(node.left)
            for op, right_node in zip(node.ops, node.comparators, strict=True):
                right = ev(right_node)
                if not _COMPARE[type(op)](left, right):
                    return False
                left = right
            return True
        if isinstance(node, ast.BoolOp):
            values = [bool(ev(v)) for v in node.values]
            return all(values) if isinstance(node.op, ast.And) else any(values)
        raise ValueError(f"'{text}' may hold only numbers, $names, + - * / %, comparisons, and, or, not")

    return ev(tree)


# ---------------------------------------------------------------------------------------------- evaluation

def round_half_up(x: float, places: int) -> float:
    """Half-up rounding to ``places`` decimals (negative: tens, hundreds), without binary-float surprises."""
    q = Decimal(1).scaleb(-places)
    return float(Decimal(repr(float(x))).quantize(q, rounding=ROUND_HALF_UP))


def _arg(value: Any, names: dict[str, Value], where: str) -> Any:
    if isinstance(value, str) and value.startswith("$"):
        name = value[1:]
        if name not in names:
            raise ValueError(f"{where} refers to {value}, which is not a parameter or an earlier value")
        v = names[name]
        return int(v) if isinstance(v, float) and v.is_integer() else v
    return value


@lru_cache(maxsize=8192)
def _run(fn: str, args: tuple[tuple[str, Any], ...]) -> dict[str, Value]:
    """One calculator call; the same arguments give the same result, so draws over many seeds reuse them."""
    return dict(FUNCTIONS[fn].call(**dict(args)))


def _call(name: str, calc: Calc, names: dict[str, Value], rounded: bool = True) -> Value:
    where = f"compute.values.{name}"
    fn = FUNCTIONS.get(calc.fn)
    if fn is None:
        raise ValueError(f"{where}: unknown function '{calc.fn}' (use one of: {', '.join(FUNCTIONS)})")
    if calc.fn == "expr":
        if set(calc.args) != {"of"} or not isinstance(calc.args["of"], str):
            raise ValueError(f"{where}: expr takes one argument, 'of', the expression as text")
        out: dict[str, Value] = {"value": evaluate_expression(calc.args["of"], names)}
    else:
        args = tuple(sorted((k, _arg(v, names, where)) for k, v in calc.args.items()))
        try:
            out = _run(calc.fn, args)
        except TypeError as exc:
            raise ValueError(f"{where}: {calc.fn} was given arguments it does not take ({exc})") from None
        except KeyError as exc:
            raise ValueError(f"{where}: {exc.args[0] if exc.args else exc}") from None
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
    pick = calc.pick or fn.pick
    if pick not in out:
        raise ValueError(f"{where}: {calc.fn} gives no '{pick}' here (it gives: {', '.join(sorted(out))})")
    value = out[pick]
    if calc.round is not None and rounded:
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise ValueError(f"{where}: only a number can be rounded, got {value!r}")
        value = round_half_up(value, calc.round)
    if isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    return value


def evaluate(item: Numeric, params: dict[str, float]) -> dict[str, Value]:
    """Every parameter and computed value of ``item`` for the parameter values given (ValueError names the field)."""
    assert item.compute is not None
    names: dict[str, Value] = dict(params)
    for name, calc in item.compute.values.items():
        if name in names:
            raise ValueError(f"compute.values.{name}: the name is already a parameter or an earlier value")
        names[name] = _call(name, calc, names)
    return names


# Results the calculator itself rounds (to 0.1 mg, 0.1 mL), with the unrounded result it rounds from.
PRE_ROUNDED = {"dose_mg": ("exact_mg", 1), "volume_ml": ("exact_ml", 1)}


def exact_key(item: Numeric, values: dict[str, Value]) -> tuple[Value, int | None]:
    """The key before rounding and the decimal places it is rounded to: what a learner who follows the stated
    rounding must land near (the value's own ``round``, or the calculator's rounding of a dose or a volume)."""
    assert item.compute is not None
    calc = item.compute.values[item.compute.key]
    names = {k: v for k, v in values.items() if k != item.compute.key}
    if calc.round is None:
        fn = FUNCTIONS.get(calc.fn)
        pick = calc.pick or (fn.pick if fn else "")
        if pick in PRE_ROUNDED:
            exact_pick, places = PRE_ROUNDED[pick]
            return _call(item.compute.key, calc.model_copy(update={"pick": exact_pick}), names), places
        return values[item.compute.key], None
    return _call(item.compute.key, calc, names, rounded=False), calc.round



# ---------------------------------------------------------------------------------------------------- texts

def _format(value: Value, spec: str | None, name: str) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        if spec:
            raise ValueError(f"{{{{{name}:{spec}}}}}: a format applies to numbers, and {name} is text")
        return value
    if spec:
        if not FORMAT_SPEC.match(spec):
            raise ValueError(f"{{{{{name}:{spec}}}}}: use a format such as .1f, .2f, ',' or ',.1f'")
        if "f" not in spec and float(value).is_integer():
            return format(int(value), spec)
        return format(value, spec if "f" in spec or "." not in spec else spec + "f")
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.10f}".rstrip("0").rstrip(".")


def render(text: str, values: dict[str, Value]) -> str:
    """The text with every ``{{name}}`` / ``{{name:spec}}`` filled in (ValueError for an unknown name)."""
    def sub(m: re.Match[str]) -> str:
        name, spec = m.group(1), (m.group(2) or "").strip() or None
        if name not in values:
            raise ValueError(f"{{{{{name}}}}} names no parameter or computed value")
        return _format(values[name], spec, name)

    return PLACEHOLDER.sub(sub, text)


def templates(item: Numeric) -> Form:
    """The item's texts as written (with placeholders): from its form if it was filled in, else its own fields."""
    if item.form is not None:
        return item.form
    return Form(stem=item.stem, explanation=item.explanation, rationale=item.rationale,
                distractors=tuple(d.rationale for d in item.distractors), seed=None, values={})


def fill(item: Numeric, values: dict[str, Value], seed: int | None) -> Numeric:
    """The item with its texts, key and distractor values filled in from ``values``."""
    assert item.compute is not None
    t = templates(item)
    c = item.compute
    answer = item.answer.model_copy(update={"value": float(values[c.key])})
    distractors = [d.model_copy(update={"value": float(values[name]), "rationale": render(text, values)})
                   for d, name, text in zip(item.distractors, c.distractors, t.distractors, strict=True)]
    used = {k: float(values[k]) for k in item.params}
    return item.model_copy(update={
        "stem": render(t.stem, values), "explanation": render(t.explanation, values),
        "rationale": render(t.rationale, values), "answer": answer, "distractors": distractors,
        "form": t.model_copy(update={"seed": seed, "values": used}),
    })


# ------------------------------------------------------------------------------------------------- checking

def _number(v: Value) -> float | None:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def problems_in_form(item: Numeric, values: dict[str, Value], practice_values: dict[str, Value] | None = None
                     ) -> list[tuple[str, str]]:
    """What is wrong with a filled-in form, as (field, message): ranges, the key against the item's own tolerance,
    the distractors, and (for a drawn form) the ``same`` values and a key that differs from the practice key."""
    from .grading import grade

    assert item.compute is not None
    c = item.compute
    out: list[tuple[str, str]] = []
    table = ranges()
    for name, p in item.params.items():
        r = table.get(p.within)
        v = float(values[name])
        if r is not None and not r.min - EPS <= v <= r.max + EPS:
            out.append((f"params.{name}", f"{v:g} is outside the range '{r.id}' ({r.min:g}-{r.max:g} {r.unit})"))
    key = _number(values[c.key])
    if key is None or not math.isfinite(key):
        return [*out, ("compute.key", f"the key must be a number, got {values[c.key]!r}")]
    tol = item.answer.tolerance
    unrounded, places = exact_key(item, values)
    exact = _number(unrounded)
    if exact is not None and places is not None and _is_tie(exact, places):
        out.append(("compute.key", f"the unrounded key {exact:g} is a rounding tie at {places} decimal place(s): "
                                   "a learner could fairly round it either way"))
    if exact is not None and abs(exact - key) > tol + EPS:
        out.append(("compute.key", f"the key {key:g} is {abs(exact - key):g} from the unrounded result "
                                   f"{exact:g}, more than the tolerance {tol:g}: the rounding and the tolerance "
                                   "do not agree"))
    filled = fill(item, values, None)
    unit = f" {item.answer.unit}" if item.answer.unit else ""
    if grade(filled, f"{_format(key, None, 'key')}{unit}").status != "correct":
        out.append(("answer", f"the key {key:g} is not marked right by the item's own grader"))
    seen: list[float] = []
    for name in c.distractors:
        d = _number(values[name])
        if d is None or not math.isfinite(d):
            out.append((f"compute.values.{name}", f"a distractor must be a number, got {values[name]!r}"))
            continue
        if abs(d - key) <= tol + EPS:
            out.append((f"compute.values.{name}", f"distractor {d:g} is within the tolerance of the key {key:g}"))
        elif any(abs(d - s) <= tol + EPS for s in seen):
            out.append((f"compute.values.{name}", f"distractor {d:g} equals another distractor"))
        seen.append(d)
    if practice_values is not None:
        for name in c.same:
            if values[name] != practice_values[name]:
                out.append((f"compute.same.{name}", f"is {values[name]!r}, the practice version's is "
                                                    f"{practice_values[name]!r}"))
        pk = _number(practice_values[c.key])
        if pk is not None and abs(pk - key) <= tol + EPS:
            out.append(("compute.key", f"the key {key:g} is the practice version's"))
    return out


def _is_tie(x: float, places: int) -> bool:
    scaled = Decimal(repr(float(x))).scaleb(places)
    return abs(abs(scaled - scaled.to_integral_value(rounding="ROUND_FLOOR")) - Decimal("0.5")) < Decimal("1e-9")


def authored_problems(item: Numeric) -> list[tuple[str, str]]:
    """Static checks of a parametric item (names, ranges, placeholders) and its practice values."""
    assert item.compute is not None
    c = item.compute
    out: list[tuple[str, str]] = []
    try:
        table = ranges()
    except DataError as exc:
        return [("params", f"the ranges file cannot be read: {exc.problems[0]}")]
    for name, p in item.params.items():
        r = table.get(p.within)
        if r is None:
            known = ", ".join(x.id for x in table.ranges)
            out.append((f"params.{name}.within", f"no range '{p.within}' in {RANGES_FILE} (known: {known})"))
            continue
        lo, hi = (min(p.choices), max(p.choices)) if p.choices else (p.min, p.max)
        assert lo is not None and hi is not None
        if lo < r.min - EPS or hi > r.max + EPS:
            out.append((f"params.{name}", f"draws {lo:g}-{hi:g}, outside the range '{r.id}' "
                                          f"({r.min:g}-{r.max:g} {r.unit})"))
    names = list(item.params) + list(c.values)
    for label, wanted in (("key", [c.key]), ("distractors", c.distractors), ("same", c.same)):
        for w in wanted:
            if w not in c.values:
                out.append((f"compute.{label}", f"'{w}' is not one of compute.values ({', '.join(c.values)})"))
    texts = {"stem": item.stem, "explanation": item.explanation, "rationale": item.rationale}
    texts |= {f"distractors[{i}].rationale": d.rationale for i, d in enumerate(item.distractors)}
    for where, text in texts.items():
        for m in PLACEHOLDER.finditer(text):
            if m.group(1) not in names:
                out.append((where, f"{{{{{m.group(1)}}}}} names no parameter or computed value"))
    in_stem = {m.group(1) for m in PLACEHOLDER.finditer(item.stem)}
    for name in item.params:
        if name not in in_stem and not _shown_through(name, item):
            out.append((f"params.{name}", "is drawn but the stem never shows it (or a value computed from it)"))
    if out:
        return out
    try:
        values = evaluate(item, {k: p.value for k, p in item.params.items()})
    except ValueError as exc:
        return [("compute", str(exc))]
    if abs(float(values[c.key]) - item.answer.value) > EPS:
        out.append(("compute.key", f"computes {values[c.key]!r} at the practice values, but answer.value is "
                                   f"{item.answer.value:g}"))
    for i, (d, name) in enumerate(zip(item.distractors, c.distractors, strict=True)):
        got = _number(values[name])
        if got is None or abs(got - d.value) > EPS:
            out.append((f"distractors[{i}].value", f"is {d.value:g}, but compute.values.{name} gives "
                                                   f"{values[name]!r} at the practice values"))
    for where, text in texts.items():
        try:
            render(text, values)
        except ValueError as exc:
            out.append((where, str(exc)))
    if not out:
        out += problems_in_form(item, values)
    return out


def _shown_through(param: str, item: Numeric) -> bool:
    """Whether the stem shows a computed value that depends on ``param`` (e.g. a count derived from it)."""
    assert item.compute is not None
    stem_names = {m.group(1) for m in PLACEHOLDER.finditer(item.stem)}
    depends: dict[str, set[str]] = {p: {p} for p in item.params}
    for name, calc in item.compute.values.items():
        refs = set()
        for v in calc.args.values():
            if isinstance(v, str):
                refs |= set(expression_names(v)) if calc.fn == "expr" else ({v[1:]} if v.startswith("$") else set())
        depends[name] = set().union(*(depends.get(r, set()) for r in refs)) if refs else set()
    return any(param in depends.get(n, set()) for n in stem_names)


def practice(item: Numeric) -> tuple[Numeric, list[tuple[str, str]]]:
    """The practice version (authored values filled in) and the problems found; a plain item comes back as is."""
    if not item.parametric:
        return item, []
    found = authored_problems(item)
    if found:
        return item, found
    values = evaluate(item, {k: p.value for k, p in item.params.items()})
    return fill(item, values, None), []


# ---------------------------------------------------------------------------------------------------- draws

def _digest(*parts: object) -> int:
    return int(hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:16], 16)


def _grid(p) -> list[float]:
    if p.choices:
        return list(dict.fromkeys(float(c) for c in p.choices))
    places = max(0, -Decimal(repr(float(p.step))).normalize().as_tuple().exponent)
    n = round((p.max - p.min) / p.step) + 1
    return [round(p.min + i * p.step, places) for i in range(n)]


def authored(item: Numeric) -> Numeric:
    """The item with its authored texts back (a drawn or practice item keeps them in ``form``)."""
    if item.form is None:
        return item
    t = item.form
    return item.model_copy(update={
        "stem": t.stem, "explanation": t.explanation, "rationale": t.rationale,
        "distractors": [d.model_copy(update={"rationale": r}) for d, r in zip(item.distractors, t.distractors,
                                                                             strict=True)],
        "form": None})


def draw(item: Numeric, seed: int) -> Numeric:
    """The form of ``item`` for ``seed``: values drawn deterministically, checked, filled in (FormError if none)."""
    if not item.parametric:
        return item
    source = authored(item)
    practice_params = {k: float(p.value) for k, p in source.params.items()}
    practice_values = evaluate(source, practice_params)
    grids = {k: _grid(p) for k, p in source.params.items()}
    last = ""
    for attempt in range(MAX_TRIES):
        params = {k: g[_digest("form", seed, source.id, k, attempt) % len(g)] for k, g in grids.items()}
        if params == practice_params:
            continue
        try:
            values = evaluate(source, params)
        except ValueError as exc:
            last = str(exc)
            continue
        found = problems_in_form(source, values, practice_values)
        if not found:
            return fill(source, values, seed)
        last = "; ".join(f"{f}: {m}" for f, m in found)
    raise FormError(f"question '{item.id}': no valid form for seed {seed} in {MAX_TRIES} draws"
                    + (f" (last reason: {last})" if last else ""))


def check_draws(item: Numeric, seeds: Iterable[int] = CHECK_SEEDS) -> list[tuple[str, str]]:
    """Draw the item for each seed; every draw must succeed (a failure names the seed and the reason)."""
    if not item.parametric:
        return []
    out = []
    for seed in seeds:
        try:
            draw(item, seed)
        except FormError as exc:
            out.append(("params", str(exc)))
            break
    return out


def parametric_items(items: Iterable[Any]) -> list[Numeric]:
    return [it for it in items if isinstance(it, Numeric) and it.parametric]
