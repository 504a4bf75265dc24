"""The item analysis as files: a CSV per item, a CSV per option, a text report, an HTML report with the chart, and
the chart itself (difficulty against discrimination, with the usual bands) as SVG and PNG."""

from __future__ import annotations

import csv
import html
from pathlib import Path

from ..figures import Figure, new_figure
from ..style import INK, OKABE_ITO
from .gradebook import cell
from .itemstats import DISCRIMINATION_LOW, P_HIGH, P_LOW, Analysis, ItemStat

BAND = "#f2f2f2"


def _f(x: float | None, places: int = 2) -> str:
    return "" if x is None else f"{x:.{places}f}"


def _name(item: ItemStat) -> str:
    return item.label if item.label.startswith(("Q", "q")) else f"Q{item.number} {item.label}"


# --------------------------------------------------------------------------------------------------- chart

def chart(analysis: Analysis) -> Figure:
    """Each item as a point: difficulty p (x) against corrected point-biserial r (y), the flag bands shaded."""
    fig, ax = new_figure((7.2, 4.6))
    ax.axvspan(0, P_LOW, color=BAND, zorder=0)
    ax.axvspan(P_HIGH, 1, color=BAND, zorder=0)
    lows = [i.r for i in analysis.items if i.r is not None]
    bottom = min([-0.2, *[r - 0.05 for r in lows]])
    ax.axhspan(bottom, DISCRIMINATION_LOW, color=BAND, zorder=0)
    for x in (P_LOW, P_HIGH):
        ax.axvline(x, color=INK, linewidth=0.8, linestyle="--", zorder=1)
    ax.axhline(DISCRIMINATION_LOW, color=INK, linewidth=0.8, linestyle="--", zorder=1)
    ax.axhline(0, color=INK, linewidth=0.6, zorder=1)
    ok = [i for i in analysis.items if i.r is not None and not i.flags]
    flagged = [i for i in analysis.items if i.r is not None and i.flags]
    ax.scatter([i.p for i in ok], [i.r for i in ok], s=42, marker="o", color=OKABE_ITO["blue"], zorder=3,
               label="within the bands")
    ax.scatter([i.p for i in flagged], [i.r for i in flagged], s=54, marker="^", color=OKABE_ITO["vermillion"],
               zorder=3, label="flagged")
    for i in analysis.items:
        if i.r is not None:  # labels left of the points near the right edge, so that none is cut off
            ax.annotate(str(i.number), (i.p, i.r), textcoords="offset points", fontsize=8, color=INK, zorder=4,
                        xytext=(-11, 4) if i.p > 0.93 else (5, 4))
    ax.set_xlim(0, 1)
    ax.set_ylim(bottom, max([1.0, *[r + 0.05 for r in lows]]))
    ax.set_xlabel("Difficulty p (share of the points scored)")
    ax.set_ylabel("Discrimination r (corrected point-biserial)")
    ax.text(P_LOW / 2, 0.97, "hard", transform=ax.get_xaxis_transform(), ha="center", va="top", fontsize=9)
    ax.text((1 + P_HIGH) / 2, 0.97, "easy", transform=ax.get_xaxis_transform(), ha="center", va="top", fontsize=9)
    ax.text(0.5, DISCRIMINATION_LOW - 0.02, "weak discrimination", ha="center", va="top", fontsize=9)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=9)
    n, f = len(analysis.items), len(analysis.flagged())
    undefined = [i.number for i in analysis.items if i.r is None]
    alt = (f"Scatter plot of {n} items: difficulty p on the horizontal axis from 0 to 1, corrected point-biserial "
           f"discrimination on the vertical axis. Shaded bands mark p below {P_LOW:.1f}, p above {P_HIGH:.1f} and "
           f"discrimination below {DISCRIMINATION_LOW:.1f}. {f} item(s) are flagged (triangles), "
           f"{n - f} are inside the bands (circles)."
           + (f" Items without a discrimination (everyone scored the same): {', '.join(map(str, undefined))}."
              if undefined else ""))
    caption = (f"Item analysis of {analysis.form.students} students: each item's difficulty against its "
               "discrimination. Items in a shaded band are flagged for review; numbers are question numbers.")
    return Figure(fig, alt, caption, "item-analysis")


# ---------------------------------------------------------------------------------------------------- text

def text_report(analysis: Analysis) -> str:
    f = analysis.form
    lines = [f"Item analysis: {analysis.source}",
             f"{f.students} students, {f.items} items, {f.points:g} points; mean {f.mean:.2f} (SD {f.sd:.2f})",
             f"KR-20 (each item right or wrong) {_f(f.kr20)}; Cronbach's alpha (points) {_f(f.alpha)}; "
             f"SEM {_f(f.sem)} points; upper and lower groups: {f.group_size} students each (27%)"]
    if f.partial_items:
        lines.append(f"{f.partial_items} item(s) give partial credit: alpha uses their points, KR-20 counts full "
                     "marks only")
    lines += [f"Note: {n}" for n in analysis.notes]
    head = ("#", "Item", "Max", "p", "r", "D", "Flags")
    rows = [(str(i.number), _name(i)[:48], f"{i.max:g}", _f(i.p), _f(i.r) or "-", _f(i.d),
             "; ".join(i.flags)) for i in analysis.items]
    widths = [max(len(r[c]) for r in [head, *rows]) for c in range(6)]
    lines.append("")
    lines.append("  ".join(h.ljust(w) for h, w in zip(head[:6], widths, strict=True)) + "  Flags")
    lines.append("  ".join("-" * w for w in widths) + "  -----")
    for r in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(r[:6], widths, strict=True)) + "  " + (r[6] or "ok"))
    lines.append("")
    lines.append(f"p: share of the item's points the class scored (flag below {P_LOW:.2f} or above {P_HIGH:.2f}). "
                 "r: correlation of the item with the rest of the form. D: p of the upper 27% minus p of the lower "
                 f"27% (flag r or D below {DISCRIMINATION_LOW:.2f}).")
    lines.append("")
    lines.append("Options chosen (count, share; upper / lower group counts; * = part of the right answer):")
    for i in analysis.items:
        lines.append(f"{_name(i)}")
        for o in i.options:
            mark = "*" if o.key else " "
            lines.append(f"  {mark} {o.count:>4}  {o.share:>5.0%}  {o.upper:>3} / {o.lower:<3} {o.option}")
        for n in i.notes:
            lines.append(f"    note: {n}")
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------------------------------- CSV

def write_items_csv(analysis: Analysis, path: Path) -> None:
    with Path(path).open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["number", "item", "label", "max", "answered", "mean", "p", "r_corrected_point_biserial",
                    "d_upper_lower", "flags", "notes"])
        for i in analysis.items:
            w.writerow([i.number, cell(i.id), cell(i.label), f"{i.max:g}", i.answered, f"{i.mean:.4f}",
                        f"{i.p:.4f}", "" if i.r is None else f"{i.r:.4f}", f"{i.d:.4f}", cell("; ".join(i.flags)),
                        cell("; ".join(i.notes))])


def write_options_csv(analysis: Analysis, path: Path) -> None:
    with Path(path).open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["number", "item", "option", "key", "count", "share", "upper_group", "lower_group"])
        for i in analysis.items:
            for o in i.options:
                w.writerow([i.number, cell(i.id), cell(o.option), "" if o.key is None else ("yes" if o.key else "no"),
                            o.count, f"{o.share:.4f}", o.upper, o.lower])


# ---------------------------------------------------------------------------------------------------- HTML

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;line-height:1.45;color:#1b1b1b;
background:#fff;max-width:60rem;margin:1.5rem auto;padding:0 1rem}
table{border-collapse:collapse;margin:.5rem 0 1rem}th,td{border:1px solid #6e6e6e;padding:.2rem .45rem;
text-align:left;vertical-align:top}td.n{text-align:right;font-variant-numeric:tabular-nums}.her2-table{overflow-x:auto}
.flag{color:#a3260b;font-weight:600}.ok{color:#00694a}caption{text-align:left;font-weight:600;padding:.3rem 0}
figure img{max-width:100%;height:auto;background:#fff}details{margin:.3rem 0}
@media (prefers-color-scheme:dark){body{background:#1c1f24;color:#ececec}.flag{color:#ffa38a}.ok{color:#72dcb2}}
"""


def _box(label: str, table: str) -> str:
    """A table in the course's scrolling table box (its own horizontal scroll on a phone, keyboard reachable)."""
    return (f'<div class="her2-table" role="region" tabindex="0" aria-label="{html.escape(label, quote=True)}">'
            f"{table}</div>")


def report_body(analysis: Analysis, figure: Figure | None = None) -> str:
    """The report as an HTML fragment (the notebook shows it; :func:`html_report` wraps it in a page)."""
    e = html.escape
    f = analysis.form
    summary = (f"<p><strong>{f.students} students</strong>, {f.items} items, {f.points:g} points; mean "
               f"{f.mean:.2f} (SD {f.sd:.2f}). <strong>KR-20</strong> (each item right or wrong): "
               f"{_f(f.kr20) or 'n/a'}; "
               f"<strong>Cronbach's alpha</strong> (points): {_f(f.alpha) or 'n/a'}; standard error of measurement "
               f"{_f(f.sem) or 'n/a'} points. Upper and lower groups: {f.group_size} students each (27%).</p>")
    notes = "".join(f"<li>{e(n)}</li>" for n in analysis.notes)
    rows = "".join(
        f"<tr><th scope=\"row\">{e(_name(i))}</th><td>{e(i.text)}</td><td class=\"n\">{i.max:g}</td>"
        f"<td class=\"n\">{_f(i.p)}</td><td class=\"n\">{_f(i.r) or '-'}</td><td class=\"n\">{_f(i.d)}</td><td>"
        + ("<br>".join(f'<span class="flag">\u26a0 {e(x)}</span>' for x in i.flags) or '<span class="ok">ok</span>')
        + "</td></tr>" for i in analysis.items)
    caption = "Items: difficulty p, discrimination r (corrected point-biserial) and D (upper minus lower 27%)"
    table = _box(caption, f"<table><caption>{e(caption)}</caption><thead><tr><th scope=\"col\">Item</th>"
                 '<th scope="col">Question</th><th scope="col">Max</th><th scope="col">p</th><th scope="col">r</th>'
                 f'<th scope="col">D</th><th scope="col">Flags</th></tr></thead><tbody>{rows}</tbody></table>')
    options = []
    for i in analysis.items:
        body = "".join(f"<tr><td>{e(o.option)}</td><td>{'right' if o.key else ('' if o.key is None else 'wrong')}"
                       f"</td><td class=\"n\">{o.count}</td><td class=\"n\">{o.share:.0%}</td>"
                       f"<td class=\"n\">{o.upper}</td><td class=\"n\">{o.lower}</td></tr>" for o in i.options)
        extra = "".join(f"<li>{e(n)}</li>" for n in i.notes)
        label = f"{_name(i)}: options chosen"
        options.append(f"<details><summary>{e(label)}</summary>"
                       + _box(label, '<table class="her2-records"><thead><tr><th scope="col">Option</th>'
                              '<th scope="col">Key</th>'
                              '<th scope="col">Chosen</th><th scope="col">Share</th><th scope="col">Upper group</th>'
                              f'<th scope="col">Lower group</th></tr></thead><tbody>{body}</tbody></table>')
                       + (f"<ul>{extra}</ul>" if extra else "") + "</details>")
    fig = figure.to_html() if figure is not None else ""
    return (f'<div class="her2-item-analysis">{summary}' + (f"<ul>{notes}</ul>" if notes else "") + fig + table
            + "<h3>Options</h3>" + "".join(options)
            + f"<p><small>Flags: p below {P_LOW:.2f} (hard) or above {P_HIGH:.2f} (easy); r or D below "
              f"{DISCRIMINATION_LOW:.2f} (weak discrimination). A flag asks for a review of the item, its key and "
              "its teaching; it is not a verdict.</small></p></div>")


def html_report(analysis: Analysis, figure: Figure | None = None) -> str:
    return ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>Item analysis</title><style>{CSS}</style></head><body><main><h1>Item analysis</h1>"
            f"<p>{html.escape(analysis.source)}</p>{report_body(analysis, figure)}</main></body></html>\n")


def write_all(analysis: Analysis, folder: Path, stem: str = "item-analysis") -> list[Path]:
    """Every file of the report into ``folder``; returns the paths written."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    fig = chart(analysis)
    paths = [out / f"{stem}.csv", out / f"{stem}-options.csv", out / f"{stem}.txt", out / f"{stem}.html",
             out / f"{stem}.svg", out / f"{stem}.png"]
    write_items_csv(analysis, paths[0])
    write_options_csv(analysis, paths[1])
    paths[2].write_text(text_report(analysis), encoding="utf-8")
    paths[3].write_text(html_report(analysis, fig), encoding="utf-8")
    fig.save(str(paths[4]))
    fig.save(str(paths[5]))
    return paths
