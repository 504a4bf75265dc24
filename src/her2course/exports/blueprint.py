"""The blueprint as CSV (``her2course quiz build --format csv``): one row per question with its chapter, type,
clinical-judgment step, difficulty, learning outcome, the NCLEX-RN, AACN and QSEN categories it inherits from that
outcome, its points, tags and sources. A spreadsheet's pivot table turns it into any blueprint a program reports.

The file holds no answers, so it can sit next to the student files. Cells are written as the gradebook writes them
(``results.gradebook.cell``): no text starts a formula in a spreadsheet.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ..quiz.schema import CJMM_LABELS
from ..results.gradebook import cell
from .common import ExportReport, progress
from .selection import Assignment

COLUMNS = ("item", "chapter", "type", "cjmm_step", "difficulty", "learning_outcome", "outcome_text",
           "nclex_client_needs", "aacn_domains", "qsen_competencies", "points", "tags", "references")


def rows(assignment: Assignment, quiet: bool = True) -> list[list[str | int]]:
    out: list[list[str | int]] = [list(COLUMNS)]
    for e in progress(assignment.entries, "blueprint", quiet):
        m = e.mapping
        out.append([e.id, e.chapter, e.item.type, CJMM_LABELS[e.item.cjmm_step], e.item.difficulty,
                    e.item.learning_outcome, e.outcome_text,
                    "; ".join(m.nclex) if m else "", "; ".join(m.aacn) if m else "", "; ".join(m.qsen) if m else "",
                    e.max, "; ".join(e.item.tags), "; ".join(e.item.reference)])
    return out


def csv_text(assignment: Assignment, quiet: bool = True) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    for row in rows(assignment, quiet):
        writer.writerow([cell(c) for c in row])
    return buf.getvalue()


def export(assignment: Assignment, out: Path, quiet: bool = False) -> ExportReport:
    report = ExportReport("csv", assignment.id)
    out.parent.mkdir(parents=True, exist_ok=True)
    # UTF-8 with a byte-order mark: Excel then reads the en dashes and accents right; other tools ignore it
    out.write_text(csv_text(assignment, quiet), encoding="utf-8-sig")
    report.outputs.append(out)
    report.exported = assignment.item_ids
    return report
