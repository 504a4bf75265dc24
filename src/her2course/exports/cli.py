"""``her2course quiz list``, ``quiz build`` and ``quiz lint`` (and, registered with them, ``her2course results``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import DataError, print_problems
from ..quiz.schema import CJMM_CHOICES, ITEM_TYPES
from .common import ExportReport
from .selection import (
    BANK_DIR_ENV,
    DEFAULT_SEED,
    DIFFICULTIES,
    Assignment,
    Entry,
    Filters,
    all_entries,
    bank_dir_from,
    chapters,
    check_bank_dir,
    filter_entries,
    select,
)

FORMATS = ("canvas", "moodle-xml", "gift", "html", "pdf", "notebook", "csv")


class BankProblem(Exception):
    """The banks a command was pointed at cannot be used (the message lists every problem)."""


def _banks(args: argparse.Namespace) -> tuple[Path | None, list[Entry]]:
    """The bank folder (``--bank-dir`` or the environment; None for the course's banks) and its questions."""
    folder = bank_dir_from(getattr(args, "bank_dir", None))
    try:
        return folder, all_entries(folder)
    except DataError as exc:
        where = f"the bank folder {folder}" if folder is not None else "the course's banks"
        n = len(exc.problems)
        raise BankProblem("\n".join([f"{where} cannot be used: {n} problem{'s' if n != 1 else ''} "
                                      "(run `her2course quiz check` for the same list):",
                                      *(f"  - {p}" for p in exc.problems)])) from None


def _filters(args: argparse.Namespace, folder: Path | None = None) -> Filters:
    return Filters.make(args.chapter or (), args.type or (), args.cjmm or (), args.difficulty or (), args.tag or (),
                        known_chapters=chapters(folder), nclex=args.nclex or (), aacn=args.aacn or (),
                        qsen=args.qsen or ())


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
        folder, pool = _banks(args)
        entries = filter_entries(_filters(args, folder), pool)
    except BankProblem as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if folder is not None:
        print(f"Banks in {folder}")
    if not entries:
        print("No question matches these filters.")
        return 1
    rows = [("ID", "CHAPTER", "TYPE", "CJMM STEP", "DIFFICULTY", "OUTCOME", "MAX", "TAGS")]
    rows += [(e.id, e.chapter, e.item.type + ("*" if getattr(e.item, "parametric", False) else ""),
              e.item.cjmm_step, e.item.difficulty, e.item.learning_outcome, str(e.max), ",".join(e.item.tags))
             for e in entries]
    print("\n".join(_table(rows)))
    print(f"{len(entries)} question{'s' if len(entries) != 1 else ''}, {sum(e.max for e in entries)} points")
    n = sum(bool(getattr(e.item, "parametric", False)) for e in entries)
    if n:
        print(f"* {n} parametric: each exported form (seed) draws its own values; the book shows the practice values")
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    """Validate a private bank folder (or the course's banks) as ``her2course check`` does the course's."""
    from ..paths import package_layout
    from ..quiz.bank import questions_dir, validate_folder
    from ..quiz.forms import CHECK_SEEDS

    folder = bank_dir_from(args.bank_dir)
    if folder is None:
        layout = package_layout()
        items, problems = validate_folder(questions_dir(layout), layout.bib)
        n, where = len(items), f"the course's banks ({questions_dir(layout)})"
    else:
        n, problems = check_bank_dir(folder)
        where = str(folder)
    print(f"Checked {where}: {n} valid question{'s' if n != 1 else ''}; every parametric question drawn for seeds "
          f"{CHECK_SEEDS.start}-{CHECK_SEEDS.stop - 1}")
    if print_problems(problems):
        return 1
    print("No problems found.")
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
        folder, pool = _banks(args)
        assignment = select(_filters(args, folder), args.count, args.seed, entries=pool, title=args.title,
                            bank_dir=folder)
    except BankProblem as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
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
    drawn = assignment.parametric
    if drawn:
        print(f"{len(drawn)} parametric question{'s' if len(drawn) != 1 else ''} drawn for seed {assignment.seed} "
              "(numbers differ from the book's practice version; the answer key shows them)")
    return 0


def _add_bank_dir(p: argparse.ArgumentParser) -> None:
    p.add_argument("--bank-dir", metavar="DIR",
                   help=f"use the question banks in DIR (a private folder, same format as the course's) instead of "
                        f"the course's; default: ${BANK_DIR_ENV} if set")


def _add_filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--chapter", action="append", metavar="ID", help="chapter id or number (repeatable)")
    p.add_argument("--type", action="append", choices=ITEM_TYPES, metavar="TYPE",
                   help=f"item type (repeatable): {', '.join(ITEM_TYPES)}")
    p.add_argument("--cjmm", action="append", choices=CJMM_CHOICES, metavar="STEP",
                   help=f"clinical-judgment step, or knowledge (repeatable): {', '.join(CJMM_CHOICES)}")
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
    from ..quiz import lint as quiz_lint

    p = sub.add_parser("quiz", help="list the question banks, or build an assignment for Canvas, Moodle, paper...")
    qs = p.add_subparsers(dest="quiz_command", required=True, metavar="ACTION")
    lp = qs.add_parser("list", help="list questions (filter by chapter, type, step, difficulty, tag)")
    _add_filters(lp)
    _add_bank_dir(lp)
    lp.set_defaults(func=_cmd_list)
    cp = qs.add_parser("check", help="validate a folder of question banks (--bank-dir) as `her2course check` does "
                                     "the course's")
    _add_bank_dir(cp)
    cp.set_defaults(func=_cmd_check)
    bp = qs.add_parser("build", help="write an assignment: the same filters, count and seed give the same bytes")
    _add_filters(bp)
    _add_bank_dir(bp)
    bp.add_argument("--count", type=int, metavar="N", help="draw N of the matching questions (default: all)")
    bp.add_argument("--seed", type=int, default=DEFAULT_SEED, metavar="S",
                    help=f"draw seed: which questions (with --count) and the numbers of parametric questions "
                         f"(default {DEFAULT_SEED})")
    bp.add_argument("--title", help="title shown to students (default: one naming the assignment id)")
    bp.add_argument("--format", required=True, choices=FORMATS)
    bp.add_argument("--out", required=True, metavar="PATH")
    bp.add_argument("--answer-key", metavar="PATH", help="also write the answer key (.html, or .pdf)")
    bp.add_argument("--quiet", action="store_true", help="no progress counter on stderr")
    bp.set_defaults(func=_cmd_build)
    quiz_lint.register(qs)
    results.register(sub)
