"""``her2course quiz list`` and ``her2course quiz build`` (and, registered with them, ``her2course results``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..quiz.schema import CJMM_STEPS, ITEM_TYPES
from .common import ExportReport
from .selection import DEFAULT_SEED, DIFFICULTIES, Assignment, Filters, filter_entries, select

FORMATS = ("canvas", "moodle-xml", "gift", "html", "pdf", "notebook", "csv")


def _filters(args: argparse.Namespace) -> Filters:
    return Filters.make(args.chapter or (), args.type or (), args.cjmm or (), args.difficulty or (), args.tag or (),
                        nclex=args.nclex or (), aacn=args.aacn or (), qsen=args.qsen or ())


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for n, row in enumerate(rows):
        out.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return out


def _cmd_list(args: argparse.Namespace) -> int:
    try:
        entries = filter_entries(_filters(args))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not entries:
        print("No question matches these filters.")
        return 1
    rows = [("ID", "CHAPTER", "TYPE", "CJMM STEP", "DIFFICULTY", "OUTCOME", "MAX", "TAGS")]
    rows += [(e.id, e.chapter, e.item.type, e.item.cjmm_step, e.item.difficulty, e.item.learning_outcome,
              str(e.max), ",".join(e.item.tags)) for e in entries]
    print("\n".join(_table(rows)))
    print(f"{len(entries)} question{'s' if len(entries) != 1 else ''}, {sum(e.max for e in entries)} points")
    return 0


def build(assignment: Assignment, fmt: str, out: Path, answer_key: Path | None = None,
          quiet: bool = False) -> ExportReport:
    """Write one assignment in one format (and its answer key); the report says what was skipped and why."""
    if fmt == "canvas":
        from . import canvas

        report = canvas.export(assignment, out, quiet)
    elif fmt == "moodle-xml":
        from . import moodle

        report = moodle.export(assignment, out, quiet)
    elif fmt == "gift":
        from . import gift

        report = gift.export(assignment, out, quiet)
    elif fmt in ("html", "pdf"):
        from . import paper

        report = paper.write(assignment, out, fmt, quiet)
    elif fmt == "notebook":
        from . import notebook

        report = notebook.export(assignment, out, quiet)
    elif fmt == "csv":
        from . import blueprint

        report = blueprint.export(assignment, out, quiet)
    else:
        raise ValueError(f"unknown format '{fmt}' (use one of: {', '.join(FORMATS)})")
    if answer_key is not None:
        from . import paper

        report.outputs.append(paper.write_key(assignment, answer_key, quiet))
    return report


def _cmd_build(args: argparse.Namespace) -> int:
    try:
        assignment = select(_filters(args), args.count, args.seed, title=args.title)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    out = Path(args.out)
    key = Path(args.answer_key) if args.answer_key else None
    if key is not None and key.resolve() == out.resolve():
        print("error: --answer-key must be another file than --out", file=sys.stderr)
        return 2
    try:
        report = build(assignment, args.format, out, key, quiet=args.quiet)
    except (ValueError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print("\n".join(report.lines()))
    return 0


def _add_filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--chapter", action="append", metavar="ID", help="chapter id or number (repeatable)")
    p.add_argument("--type", action="append", choices=ITEM_TYPES, metavar="TYPE",
                   help=f"item type (repeatable): {', '.join(ITEM_TYPES)}")
    p.add_argument("--cjmm", action="append", choices=CJMM_STEPS, metavar="STEP",
                   help=f"clinical-judgment step (repeatable): {', '.join(CJMM_STEPS)}")
    p.add_argument("--difficulty", action="append", choices=DIFFICULTIES, metavar="LEVEL",
                   help=f"difficulty (repeatable): {', '.join(DIFFICULTIES)}")
    p.add_argument("--tag", action="append", metavar="TAG", help="tag (repeatable; any of them)")
    p.add_argument("--nclex", action="append", metavar="CATEGORY",
                   help="NCLEX-RN client-needs category of the item's learning outcome, by name or slug "
                        "(repeatable), e.g. reduction-of-risk-potential")
    p.add_argument("--aacn", action="append", metavar="DOMAIN",
                   help="AACN Essentials domain, by number, name or slug (repeatable), e.g. 5 or quality-and-safety")
    p.add_argument("--qsen", action="append", metavar="COMPETENCY",
                   help="QSEN competency, by name or slug (repeatable), e.g. safety")


def register(sub: argparse._SubParsersAction) -> None:
    """Register ``quiz`` (list, build) and ``results`` (export, collect)."""
    from .. import results

    p = sub.add_parser("quiz", help="list the question banks, or build an assignment for Canvas, Moodle, paper...")
    qs = p.add_subparsers(dest="quiz_command", required=True, metavar="ACTION")
    lp = qs.add_parser("list", help="list questions (filter by chapter, type, step, difficulty, tag)")
    _add_filters(lp)
    lp.set_defaults(func=_cmd_list)
    bp = qs.add_parser("build", help="write an assignment: the same filters, count and seed give the same bytes")
    _add_filters(bp)
    bp.add_argument("--count", type=int, metavar="N", help="draw N of the matching questions (default: all)")
    bp.add_argument("--seed", type=int, default=DEFAULT_SEED, metavar="S", help=f"draw seed (default {DEFAULT_SEED})")
    bp.add_argument("--title", help="title shown to students (default: one naming the assignment id)")
    bp.add_argument("--format", required=True, choices=FORMATS)
    bp.add_argument("--out", required=True, metavar="PATH")
    bp.add_argument("--answer-key", metavar="PATH", help="also write the answer key (.html, or .pdf)")
    bp.add_argument("--quiet", action="store_true", help="no progress counter on stderr")
    bp.set_defaults(func=_cmd_build)
    results.register(sub)
