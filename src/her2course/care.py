"""Chapter 6's nursing-care tools: the monitoring timeline (``data/monitoring.yaml``) as a figure and table, and
the printable medication and symptom diary (``data/diary.yaml``).

The diary is a plain HTML form: it works in the static book with no kernel, keeps what the learner types in this
browser (localStorage), and prints on its own page. Nothing typed is ever inserted as HTML.
"""

from __future__ import annotations

import html
import textwrap
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field

from .errors import DataError, Problem
from .figures import NARROW_LINE, NARROW_PT, NARROW_W, Figure, new_canvas, new_figure, wrap_to
from .paths import Layout, package_layout
from .references import load_bibliography, missing_keys
from .style import INK, OKABE_ITO
from .tables import Table
from .yamlfile import read_yaml, validate_file, validate_items


class Timepoint(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    label: str


class Check(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    check: str = Field(min_length=3)
    drugs: list[str]
    when: list[str] = Field(min_length=1)
    detail: str = Field(min_length=10)
    references: list[str] = Field(min_length=1)


class Diary(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    title: str
    header_fields: list[str] = Field(min_length=1)
    call_at_once: list[str] = Field(min_length=1)
    medicine_columns: list[str] = Field(min_length=1)
    symptom_columns: list[str] = Field(min_length=1)
    references: list[str] = Field(min_length=1)


def validate_monitoring(layout: Layout) -> tuple[list[Check], list[Problem]]:
    path = layout.data_dir / "monitoring.yaml"
    checks, problems = validate_file(path, layout.bib, Check, list_key="checks", id_field="check")
    try:
        points, more = validate_items(path, read_yaml(path), Timepoint, list_key="timepoints")
    except DataError:
        return checks, problems  # already reported by validate_file
    problems += more
    known = {p.id for p in points}
    from . import drugs as drug_base

    try:
        drug_ids: set[str] | None = set(drug_base.load(layout).ids())
    except DataError:
        drug_ids = None  # the drug file's own problems are reported by its validator
    for c in checks:
        problems += [Problem(path, c.check, "when", f"'{w}' is not one of the timepoints {sorted(known)}")
                     for w in c.when if w not in known]
        if drug_ids is not None:
            problems += [Problem(path, c.check, "drugs", f"'{d}' is not a drug id in drugs.yaml")
                         for d in c.drugs if d not in drug_ids]
    return checks, problems


def validate_diary(layout: Layout) -> tuple[list[Diary], list[Problem]]:
    path = layout.data_dir / "diary.yaml"
    try:
        raw = read_yaml(path)
    except DataError as exc:
        return [], exc.problems
    items, problems = validate_items(path, {"diary": [raw]}, Diary, list_key="diary", id_field="title")
    if items:
        problems += missing_keys(load_bibliography(layout.bib), path, "diary", "references", items[0].references)
    return items, problems


@lru_cache(maxsize=1)
def _monitoring() -> tuple[tuple[Timepoint, ...], tuple[Check, ...]]:
    layout = package_layout()
    checks, problems = validate_monitoring(layout)
    if problems:
        raise DataError(problems)
    raw = read_yaml(layout.data_dir / "monitoring.yaml")
    return tuple(Timepoint.model_validate(t) for t in raw["timepoints"]), tuple(checks)


def _drug_names(ids: list[str]) -> str:
    from . import drugs as drug_base

    return ", ".join(drug_base.get(i).generic_name for i in ids) or "every patient"


def monitoring_table() -> Table:
    _, checks = _monitoring()
    bib = load_bibliography(package_layout().bib)
    return Table(
        caption="What to check, and when, during HER2-targeted treatment",
        headers=["Check", "Drugs", "When", "Sources"],
        rows=[[c.check, _drug_names(c.drugs), c.detail, "; ".join(bib.short(k) for k in c.references)]
              for c in checks],
        source="Each label gives the exact rule for its own drug; follow your institution's protocol as well.",
    )


_MARKERS = ["o", "s", "D"]
_COLOURS = [OKABE_ITO["blue"], OKABE_ITO["vermillion"], OKABE_ITO["bluish_green"]]


def _monitoring_narrow(points: tuple[Timepoint, ...], checks: tuple[Check, ...]):
    """The same schedule for a phone, read down the course of treatment: each time point in turn, with the checks
    due then listed under it, each with the marker it has in the grid."""
    x_axis, x_mark, x_text = 7.0, 26.0, 38.0
    layout = []
    y = 4.0
    for p in points:
        due = [(i, c) for i, c in enumerate(checks) if p.id in c.when]
        head = wrap_to(p.label, NARROW_W - 20, NARROW_PT + 0.5)
        top = y
        y += len(head) * NARROW_LINE + 3
        rows = []
        for i, c in due:
            lines = wrap_to(c.check, NARROW_W - x_text)
            rows.append((y, i, lines))
            y += len(lines) * NARROW_LINE + 3
        layout.append((top, head, rows))
        y += 9
    fig, ax = new_canvas(NARROW_W, y)
    ax.plot([x_axis, x_axis], [layout[0][0] + NARROW_LINE / 2, layout[-1][0] + NARROW_LINE / 2], color="#666666",
            linewidth=1.2, zorder=1)
    for top, head, rows in layout:
        ax.scatter([x_axis], [top + NARROW_LINE / 2], s=36, marker="o", color=INK, zorder=3)
        ax.text(x_axis + 11, top, "\n".join(head), ha="left", va="top", fontsize=NARROW_PT + 0.5, fontweight="bold",
                color=INK, linespacing=1.18)
        for row_top, i, lines in rows:
            ax.scatter([x_mark], [row_top + NARROW_LINE / 2], s=55, marker=_MARKERS[i % 3], color=_COLOURS[i % 3],
                       edgecolors=INK, linewidths=0.7, zorder=3)
            ax.text(x_text, row_top, "\n".join(lines), ha="left", va="top", fontsize=NARROW_PT, color=INK,
                    linespacing=1.18)
    return fig


def monitoring_figure() -> Figure:
    """A grid: one row per check, one column per time point, a marker where the check is due (and, for phones,
    the same schedule read down the time points)."""
    points, checks = _monitoring()
    fig, ax = new_figure((8.4, 0.5 * len(checks) + 2.4))
    ncol = len(points)
    ax.set_xlim(-5.2, ncol - 0.4)
    ax.set_ylim(len(checks) - 0.4, -2.9)
    ax.axis("off")
    for j, p in enumerate(points):
        ax.text(j, -0.75, "\n".join(textwrap.wrap(p.label, 9)), ha="center", va="bottom", fontsize=7.6, color=INK)
        ax.plot([j, j], [-0.5, len(checks) - 0.5], color="#d9d9d9", linewidth=0.8, zorder=0)
    for i, c in enumerate(checks):
        if i % 2 == 0:
            ax.axhspan(i - 0.5, i + 0.5, xmin=0, xmax=1, color="#f3f4f5", zorder=-1)
        ax.text(-5.1, i, "\n".join(textwrap.wrap(c.check, 30)), ha="left", va="center", fontsize=8.6, color=INK,
                linespacing=1.0)
        for w in c.when:
            j = [p.id for p in points].index(w)
            ax.scatter([j], [i], s=70, marker=_MARKERS[i % 3], color=_COLOURS[i % 3], edgecolors=INK,
                       linewidths=0.7, zorder=3)
    alt = "Chart of what the nurse checks and when. " + " ".join(
        f"{c.check}: {', '.join(next(p.label for p in points if p.id == w).lower() for w in c.when)}."
        for c in checks
    )
    return Figure(fig=fig, alt=alt, name="monitoring-timeline", narrow=_monitoring_narrow(points, checks),
                  caption="What is checked when across a course of HER2-targeted treatment. A marker shows when "
                          "each check is due; the table below gives the exact rule, the drugs and the sources.")


# ---- the diary ------------------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _diary() -> Diary:
    items, problems = validate_diary(package_layout())
    if problems:
        raise DataError(problems)
    return items[0]


_DIARY_STYLE = """
.her2-diary { border: 1px solid var(--pst-color-border, #c9c9c9); border-radius: 6px; padding: 0.75rem 1rem; }
.her2-diary-fields { display: grid; grid-template-columns: minmax(10rem, 16rem) 1fr; gap: 0.35rem 0.75rem;
  align-items: center; margin: 0.5rem 0 1rem; }
.her2-diary input[type=text] { width: 100%; min-width: 4.5rem; min-height: 2rem; font: inherit;
  color: var(--pst-color-text-base, #1a1a1a); background: var(--pst-color-background, #fff);
  border: 1px solid var(--pst-color-border, #767676); border-radius: 3px; padding: 0.15rem 0.3rem; }
.her2-diary input:focus-visible, .her2-diary button:focus-visible { outline: 3px solid #0072b2; outline-offset: 2px; }
.her2-diary-alert { border-left: 6px solid #d55e00; padding: 0.25rem 0.75rem; margin: 0.75rem 0; }
.her2-diary button { font: inherit; min-height: 2.75rem; padding: 0.3rem 0.9rem; border-radius: 4px;
  border: 1px solid #0072b2; background: #0072b2; color: #fff; cursor: pointer; }
.her2-diary button.her2-diary-clear { background: transparent; color: var(--pst-color-text-base, #1a1a1a); }
@media (max-width: 600px) { .her2-diary-fields { grid-template-columns: 1fr; } }
@media print {
  @page { size: landscape; margin: 12mm; }
  body.her2-print-diary > *:not(.her2-print-root) { display: none !important; }
  .her2-print-root .her2-diary { border: none; font-size: 12pt; color: #000; }
  .her2-diary-buttons, .her2-diary-help { display: none; }
  .her2-diary input[type=text] { border: none; border-bottom: 1px solid #000; }
  .her2-diary .her2-table { overflow: visible; }
}
"""


_DIARY_SCRIPT = """
(() => {
  const root = document.getElementById(%(id)s);
  if (!root || root.dataset.ready) return;
  root.dataset.ready = "1";
  const key = "her2course:diary:v1:" + root.id;
  let saved = {};
  try { saved = JSON.parse(localStorage.getItem(key) || "{}"); } catch (e) { saved = {}; }
  const fields = root.querySelectorAll("input, textarea");
  fields.forEach((f) => {
    if (f.name in saved) { if (f.type === "checkbox") f.checked = !!saved[f.name]; else f.value = saved[f.name]; }
    f.addEventListener("input", () => {
      saved[f.name] = f.type === "checkbox" ? f.checked : f.value;
      try { localStorage.setItem(key, JSON.stringify(saved)); } catch (e) { /* private mode: keep typing */ }
    });
  });
  const status = root.querySelector(".her2-diary-status");
  // Print only the diary: a copy (with what was typed) goes to the top of <body>, everything else is hidden.
  const printDiary = () => {
    const holder = document.createElement("div");
    holder.className = "her2-print-root";
    const copy = root.cloneNode(true);
    copy.removeAttribute("id");
    copy.querySelectorAll("[id]").forEach((el) => el.removeAttribute("id"));
    copy.querySelectorAll("input").forEach((f) => f.setAttribute("value", saved[f.name] || ""));
    copy.querySelectorAll("script, style").forEach((el) => el.remove());
    holder.appendChild(copy);
    document.body.appendChild(holder);
    document.body.classList.add("her2-print-diary");
    window.print();
  };
  root.querySelector(".her2-diary-print").addEventListener("click", printDiary);
  window.addEventListener("afterprint", () => {
    document.body.classList.remove("her2-print-diary");
    document.querySelectorAll(".her2-print-root").forEach((el) => el.remove());
  });
  root.querySelector(".her2-diary-clear").addEventListener("click", () => {
    if (!window.confirm("Clear everything typed in this diary on this device?")) return;
    saved = {};
    try { localStorage.removeItem(key); } catch (e) { /* nothing stored */ }
    fields.forEach((f) => { if (f.type === "checkbox") f.checked = false; else f.value = ""; });
    status.textContent = "The diary is empty again.";
  });
})();
"""


class SymptomDiary:
    """A fill-in, printable diary: one header block, the 'call at once' box, and a seven-day grid."""

    def __init__(self, name: str = "diary", days: int = 7):
        if not 1 <= days <= 14:
            raise ValueError(f"days must be between 1 and 14, got {days}")
        self.name = name
        self.days = days

    def __repr__(self) -> str:
        return f"SymptomDiary(name={self.name!r}, days={self.days})"

    def to_html(self) -> str:
        d = _diary()
        e = html.escape
        ident = f"her2-diary-{e(self.name)}"
        out = [f'<section class="her2-diary" id="{ident}" aria-labelledby="{ident}-title">',
               f'<h3 id="{ident}-title">{e(d.title)}</h3>',
               '<p class="her2-diary-help">Type in the boxes; what you type stays in this browser on this device '
               "only. Use the print button to print just this diary (landscape works best).</p>",
               '<div class="her2-diary-fields">']
        for n, label in enumerate(d.header_fields):
            fid = f"{ident}-h{n}"
            out.append(f'<label for="{fid}">{e(label)}</label><input id="{fid}" name="h{n}" type="text">')
        out.append("</div>")
        out.append('<div class="her2-diary-alert" role="note"><p><strong>Call the team at once, day or night, '
                   "if you have:</strong></p><ul>")
        out += [f"<li>{e(item)}</li>" for item in d.call_at_once]
        out.append("</ul></div>")
        for part, columns in (("Medicines", d.medicine_columns), ("Symptoms", d.symptom_columns)):
            out.append(f'<div class="her2-table" role="region" tabindex="0" aria-label="{part} by day">')
            out.append(f"<table><caption>{part}: one row per day</caption><thead><tr>"
                       '<th scope="col">Day</th>'
                       + "".join(f'<th scope="col">{e(c)}</th>' for c in columns) + "</tr></thead><tbody>")
            for day in range(1, self.days + 1):
                cells = []
                for k, col in enumerate(columns):
                    fid = f"{ident}-{part[0].lower()}{day}-{k}"
                    cells.append(f'<td><input id="{fid}" name="{part[0].lower()}{day}-{k}" type="text" '
                                 f'aria-label="Day {day}: {e(col, quote=True)}"></td>')
                out.append(f'<tr><th scope="row">Day {day}</th>{"".join(cells)}</tr>')
            out.append("</tbody></table></div>")
        out.append('<p class="her2-diary-buttons"><button type="button" class="her2-diary-print">'
                   "Print this diary</button> <button type=\"button\" class=\"her2-diary-clear\">"
                   'Clear the diary</button> <span class="her2-diary-status" role="status" aria-live="polite">'
                   "</span></p>")
        out.append(f"<style>{_DIARY_STYLE}</style>")
        out.append(f"<script>{_DIARY_SCRIPT % {'id': repr(ident)}}</script>")
        out.append("</section>")
        return "\n".join(out)

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/html": self.to_html(),
                "text/plain": f"{_diary().title}: a printable form with {self.days} days (open the book page to "
                              "fill it in and print it)."}


def symptom_diary(name: str = "diary", days: int = 7) -> SymptomDiary:
    """The printable medication and symptom diary for the book and JupyterLab."""
    return SymptomDiary(name, days)
