"""``her2course progress``: the learner's quiz progress per chapter, and a CSV export of every attempt."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import progress


def run(args: argparse.Namespace) -> int:
    db = Path(args.db) if args.db else progress.default_path()
    try:
        code = _show(args, db)
    except progress.StoreError as exc:
        print(f"error: cannot read your quiz progress: {exc}", file=sys.stderr)
        return 2
    problem = progress.writable_problem(db) if db.exists() else None
    if problem:
        print(f"warning: quizzes cannot save new answers: {problem}", file=sys.stderr)
    return code


def _show(args: argparse.Namespace, db: Path) -> int:
    if args.csv:
        try:
            n = progress.export_csv(Path(args.csv), db)
        except OSError as exc:
            print(f"error: cannot write {args.csv}: {exc.strerror or exc}", file=sys.stderr)
            return 2
        print(f"Wrote {n} attempt{'s' if n != 1 else ''} to {args.csv}")
        return 0
    chapters = progress.summary(db)
    print(f"Quiz progress in {db}")
    if not chapters:
        print("No answers recorded yet: answer a quiz in a running notebook first.")
        return 0
    head = ("Chapter", "Questions answered", "Fully correct", "Score", "Attempts", "Answers shown", "Last activity")
    table = [head] + [
        (c.chapter, str(c.items), "-" if _assignment(c.chapter) else str(c.correct),
         "by instructor" if _assignment(c.chapter) else
         f"{c.score}/{c.max} ({round(100 * c.score / c.max) if c.max else 0}%)",
         str(c.attempts), str(c.revealed), c.last[:16].replace("T", " "))
        for c in chapters
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(head))]
    for i, row in enumerate(table):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))
    if any(_assignment(c.chapter) for c in chapters):
        print("Assignments (asg-...) are marked by your instructor after you hand in your results file.")
    return 0


def _assignment(chapter: str) -> bool:
    return chapter.startswith("asg-")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("progress", help="show quiz progress per chapter, or export every attempt as CSV")
    p.add_argument("--csv", metavar="FILE", help="write every attempt to FILE as CSV instead of the summary")
    p.add_argument("--db", metavar="PATH", help=f"progress database (default: ${progress.ENV} or the user data dir)")
    p.set_defaults(func=run)
