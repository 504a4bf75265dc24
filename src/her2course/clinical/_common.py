"""Shared pieces of the clinical decision tools: input checks, rounding, the disclaimer and result rendering.

Every tool is a pure function that returns a frozen dataclass with at least ``action``, ``reason`` (plain language
for a nurse) and ``reference`` (bibliography keys). Results render as a small card in JupyterLab and the book.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, ClassVar

from ..references import sources_text

DISCLAIMER = "For learning only: not for clinical decisions."

# Accepted ranges, named once so messages, forms and tests agree.
LVEF_RANGE = (5.0, 90.0)
LLN_RANGE = (40.0, 60.0)
WEIGHT_MAX_KG = 350.0


def number(value: Any, field: str, low: float, high: float, *, unit: str = "", integer: bool = False,
           low_open: bool = False) -> float:
    """``value`` as a float inside [low, high] (or (low, high] with ``low_open``), else a ValueError naming the field.

    Accepts int, float and text holding one plain number ("55", " 55.5 "). Rejects empty input, booleans, NaN,
    infinity, text with units or commas ("55 %", "5,4") and anything outside the range.
    """
    rng = _range_text(low, high, unit, integer, low_open)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError(f"{field} is empty: enter {rng}.")
    if isinstance(value, bool):
        raise ValueError(f"{field} must be a number ({rng}), got {value!r}.")
    if isinstance(value, str):
        text = value.strip()
        if "," in text:
            raise ValueError(f"{field}: use a point for decimals and no thousands separator, got '{value}' ({rng}).")
        try:
            result = float(text)
        except ValueError:
            raise ValueError(f"{field} must be a number without units ({rng}), got '{value}'.") from None
    elif isinstance(value, int | float):
        result = float(value)
    else:
        raise ValueError(f"{field} must be a number ({rng}), got {type(value).__name__}.")
    if math.isnan(result) or math.isinf(result):
        raise ValueError(f"{field} must be a finite number ({rng}), got {value!r}.")
    if integer and result != int(result):
        raise ValueError(f"{field} must be a whole number ({rng}), got {value!r}.")
    too_low = result <= low if low_open else result < low
    if too_low or result > high:
        raise ValueError(f"{field} is out of range: enter {rng}, got {_fmt(result)}{_unit(unit)}.")
    return result


def weight(value: Any, field: str = "weight") -> float:
    """A body weight in kg: more than 0 and at most 350 kg."""
    return number(value, field, 0.0, WEIGHT_MAX_KG, unit="kg", low_open=True)


def lvef(value: Any, field: str) -> float:
    return number(value, field, *LVEF_RANGE, unit="%")


def choice(value: Any, field: str, options: list[str] | tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{field} must be one of: {', '.join(options)}; got {value!r}.")
    return value


def _range_text(low: float, high: float, unit: str, integer: bool, low_open: bool) -> str:
    kind = "a whole number" if integer else "a number"
    if low_open:
        return f"{kind} more than {_fmt(low)} and at most {_fmt(high)}{_unit(unit)}"
    return f"{kind} from {_fmt(low)} to {_fmt(high)}{_unit(unit)}"


def _unit(unit: str) -> str:
    if not unit:
        return ""
    return unit if unit == "%" else f" {unit}"


def _fmt(x: float) -> str:
    return f"{x:g}"


def round_half_up(x: float, places: int = 1) -> float:
    """Round as people do on paper (2.25 -> 2.3), not banker's rounding, and without binary-float surprises."""
    q = Decimal(1).scaleb(-places)
    return float(Decimal(repr(x)).quantize(q, rounding=ROUND_HALF_UP))


def fmt_num(x: float, places: int = 1) -> str:
    """A number for people: no trailing '.0' for whole values, otherwise ``places`` decimals."""
    r = round_half_up(x, places)
    return f"{r:.0f}" if r == int(r) else f"{r:.{places}f}"


@dataclass(frozen=True)
class Card:
    """Base of every tool result: what to do, why, and the sources; renders as text and as an HTML card."""

    action: str
    reason: str
    reference: tuple[str, ...]

    title: ClassVar[str] = "Result"

    def details(self) -> list[tuple[str, str]]:
        """Extra labelled lines a result wants to show (overridden by results with more to say)."""
        return []

    def to_text(self) -> str:
        lines = [f"{self.title}: {self.action}", f"Why: {self.reason}"]
        lines += [f"{k}: {v}" for k, v in self.details()]
        lines.append(f"Source: {sources_text(self.reference)}")
        lines.append(DISCLAIMER)
        return "\n".join(lines)

    def to_html(self) -> str:
        e = html.escape
        rows = "".join(f"<li><strong>{e(k)}:</strong> {e(v)}</li>" for k, v in self.details())
        return (
            '<div class="her2-tool-result">'
            f"<p><strong>{e(self.title)}: {e(self.action)}</strong></p>"
            f"<p>{e(self.reason)}</p>"
            + (f"<ul>{rows}</ul>" if rows else "")
            + f'<p class="her2-tool-source">Source: {e(sources_text(self.reference))}.</p>'
            f'<p class="her2-tool-disclaimer"><em>{e(DISCLAIMER)}</em></p></div>'
        )

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/plain": self.to_text(), "text/html": self.to_html()}
