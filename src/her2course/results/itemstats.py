"""Item analysis of one form: classical test theory statistics from a class's scored responses.

The input is a :class:`ClassResponses` (one row per student, one column per item: the points each student got and
the options each chose), read from collected hand-ins (:func:`from_collected`) or from a Canvas or Moodle quiz
report (:mod:`.lmsreports`). :func:`analyze` computes, with numpy:

- **difficulty** p: the mean score on the item as a share of its points (for a right/wrong item, the proportion
  who got it right);
- **discrimination**: the corrected point-biserial r (the Pearson correlation of the item score with the total of
  the *other* items, so the item does not correlate with itself), and the upper-lower index D (the item's p in the
  top 27 % of the class by total score minus its p in the bottom 27 %, Kelley's groups);
- **options**: how many students chose each option (and how many in the upper and lower groups);
- for the form, **KR-20** (items scored right or wrong: full marks or not) and **Cronbach's alpha** (points, so
  partial credit counts; equal to KR-20 when every item is right or wrong), with the standard error of
  measurement;
- **flags**: p below 0.30 (hard) or above 0.90 (easy), r or D below 0.20 (weak discrimination), a negative r
  (check the key), an item everyone scored the same on, and distractors nobody chose or that the upper group chose
  more often than the lower.

Conventions: an unanswered item scores 0 (as in the gradebook); variances are population variances (divided by
N), as in the KR-20 formula; students tied at a group boundary are taken in the order of their names, so the
groups are reproducible.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

P_LOW, P_HIGH = 0.30, 0.90
DISCRIMINATION_LOW = 0.20
GROUP_SHARE = 0.27
FEW_STUDENTS = 20
NO_ANSWER = "(no answer)"


@dataclass(frozen=True)
class ItemInfo:
    """One item of the form: its id, how the LMS or course labels it, a short text, its points and options."""

    id: str
    label: str
    text: str = ""
    max: float = 1.0
    options: tuple[str, ...] = ()  # known options, in the order to report them
    keys: tuple[str, ...] = ()     # the options that are (part of) the right answer


@dataclass
class ClassResponses:
    """Scores and choices of one class on one form; ``scores[s][i]`` None means not answered (scored 0)."""

    items: list[ItemInfo]
    students: list[str]
    scores: list[list[float | None]]
    choices: list[list[tuple[str, ...]]]
    source: str
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        k = len(self.items)
        if len(self.scores) != len(self.students) or len(self.choices) != len(self.students):
            raise ValueError("scores and choices need one row per student")
        for row in (*self.scores, *self.choices):
            if len(row) != k:
                raise ValueError(f"every row needs one entry per item ({k})")


@dataclass(frozen=True)
class OptionStat:
    option: str
    key: bool | None  # True: part of the right answer; False: a distractor; None: not known
    count: int
    share: float
    upper: int
    lower: int


@dataclass(frozen=True)
class ItemStat:
    number: int
    id: str
    label: str
    text: str
    max: float
    answered: int
    mean: float
    p: float
    r: float | None          # corrected point-biserial (item-rest correlation)
    d: float                 # upper-lower index
    options: tuple[OptionStat, ...]
    flags: tuple[str, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class FormStat:
    students: int
    items: int
    points: float
    mean: float
    sd: float
    kr20: float | None
    alpha: float | None
    sem: float | None
    group_size: int
    partial_items: int


@dataclass(frozen=True)
class Analysis:
    source: str
    form: FormStat
    items: tuple[ItemStat, ...]
    notes: tuple[str, ...]

    def flagged(self) -> list[ItemStat]:
        return [i for i in self.items if i.flags]


def _pearson(x: np.ndarray, y: np.ndarray) -> float | None:
    sx, sy = x.std(), y.std()
    if sx < 1e-12 or sy < 1e-12:
        return None
    return float(((x - x.mean()) * (y - y.mean())).mean() / (sx * sy))


def _reliability(scores: np.ndarray, item_variances: np.ndarray) -> float | None:
    """k/(k-1) * (1 - sum of the item variances / variance of the totals); None when undefined."""
    n, k = scores.shape
    total_var = scores.sum(axis=1).var() if n >= 2 else 0.0
    if k < 2 or total_var < 1e-12:
        return None
    return float(k / (k - 1) * (1 - item_variances.sum() / total_var))


def kr20(right: np.ndarray) -> float | None:
    """KR-20 of a students x items matrix of 0/1: k/(k-1) * (1 - sum(p q) / variance of the totals)."""
    p = right.mean(axis=0)
    return _reliability(right, p * (1 - p))


def cronbach_alpha(points: np.ndarray) -> float | None:
    """Cronbach's alpha of a students x items matrix of points: k/(k-1) * (1 - sum of item variances / variance
    of the totals)."""
    return _reliability(points, points.var(axis=0))


def groups(totals: np.ndarray, names: Sequence[str], share: float = GROUP_SHARE) -> tuple[list[int], list[int], int]:
    """Indices of the upper and lower groups (``share`` of the class each, at least one student; ties at the cut
    taken in name order) and the group size."""
    n = len(totals)
    size = max(1, math.floor(share * n + 0.5)) if n >= 2 else n
    size = min(size, n // 2) if n >= 2 else size
    order_up = sorted(range(n), key=lambda s: (-totals[s], names[s]))
    order_down = sorted(range(n), key=lambda s: (totals[s], names[s]))
    return order_up[:size], order_down[:size], size


def analyze(data: ClassResponses) -> Analysis:
    """Item and form statistics for one class (see the module docstring for every definition)."""
    n, k = len(data.students), len(data.items)
    notes = list(data.notes)
    if n == 0 or k == 0:
        raise ValueError(f"nothing to analyze: {n} student(s), {k} item(s) in {data.source}")
    maxes = np.array([max(it.max, 1e-12) for it in data.items], dtype=float)
    x = np.array([[0.0 if v is None else float(v) for v in row] for row in data.scores], dtype=float)
    over = [(data.students[s], data.items[i].label) for s in range(n) for i in range(k) if x[s, i] > maxes[i] + 1e-9]
    if over:
        notes.append(f"{len(over)} score(s) above the item's points (e.g. {over[0][0]}, {over[0][1]}): kept as "
                     "given")
    totals = x.sum(axis=1)
    right = (x >= maxes - 1e-9).astype(float)
    partial = sum(1 for i in range(k) if not np.all((x[:, i] <= 1e-9) | (x[:, i] >= maxes[i] - 1e-9))
                  or data.items[i].max > 1)
    upper, lower, size = groups(totals, data.students)
    if n < FEW_STUDENTS:
        notes.append(f"only {n} students: with fewer than {FEW_STUDENTS}, p, r and D move a lot from one class to "
                     "the next; read them as hints, not verdicts")
    alpha = cronbach_alpha(x)
    sd = float(totals.std())
    items = []
    for i, info in enumerate(data.items):
        col = x[:, i]
        p = float(col.mean() / maxes[i])
        r = _pearson(col, totals - col)
        d = float((col[upper].mean() - col[lower].mean()) / maxes[i]) if size else 0.0
        options = _options(info, [data.choices[s][i] for s in range(n)], set(upper), set(lower), n)
        flags, item_notes = _flags(p, r, d, col, options)
        answered = sum(1 for s in range(n) if data.scores[s][i] is not None)
        items.append(ItemStat(i + 1, info.id, info.label, info.text, info.max, answered, float(col.mean()), p, r,
                              d, tuple(options), tuple(flags), tuple(item_notes)))
    form = FormStat(n, k, float(maxes.sum()), float(totals.mean()), sd, kr20(right), alpha,
                    None if alpha is None else float(sd * math.sqrt(max(0.0, 1 - alpha))), size, partial)
    return Analysis(data.source, form, tuple(items), tuple(notes))


def _options(info: ItemInfo, chosen: list[tuple[str, ...]], upper: set[int], lower: set[int], n: int
             ) -> list[OptionStat]:
    counts: dict[str, list[int]] = {o: [0, 0, 0] for o in info.options}
    for s, picks in enumerate(chosen):
        for o in picks or (NO_ANSWER,):
            c = counts.setdefault(o, [0, 0, 0])
            c[0] += 1
            c[1] += s in upper
            c[2] += s in lower
    keys = set(info.keys)
    known = bool(info.keys)
    return [OptionStat(o, (o in keys) if known and o != NO_ANSWER else None, c[0], c[0] / n, c[1], c[2])
            for o, c in counts.items()]


def _flags(p: float, r: float | None, d: float, col: np.ndarray, options: list[OptionStat]
           ) -> tuple[list[str], list[str]]:
    flags: list[str] = []
    notes: list[str] = []
    # compared as reported (two decimals), so that a flag never reads "0.20 is below 0.20"
    p, d = round(p, 2), round(d, 2)
    r = None if r is None else round(r, 2)
    if p < P_LOW:
        flags.append(f"hard: p {p:.2f} is below {P_LOW:.2f}")
    if p > P_HIGH:
        flags.append(f"easy: p {p:.2f} is above {P_HIGH:.2f}")
    if r is None:
        flags.append("no discrimination: every student scored the same on it (or on the rest of the form)")
    elif r < 0:
        flags.append(f"negative discrimination: r {r:.2f} (students who did better overall did worse here: check "
                     "the key and the wording)")
    elif r < DISCRIMINATION_LOW:
        flags.append(f"weak discrimination: r {r:.2f} is below {DISCRIMINATION_LOW:.2f}")
    if r is not None and d < DISCRIMINATION_LOW and not (r < DISCRIMINATION_LOW):
        flags.append(f"weak discrimination: D {d:.2f} is below {DISCRIMINATION_LOW:.2f}")
    for o in options:
        if o.key is False and o.count == 0:
            notes.append(f"nobody chose '{o.option}': a distractor that does not distract")
        elif o.key is False and o.upper > o.lower:
            notes.append(f"'{o.option}' drew more of the upper group ({o.upper}) than of the lower ({o.lower}): "
                         "check that it is really wrong")
    return flags, notes
