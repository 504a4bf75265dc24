"""``her2course progress``: the learner's quiz progress per chapter, and a CSV export of every attempt."""

from __future__ import annotations

import argparse
from pathlib import Path

from . import progress


def run(args: argparse.Namespace) -> int:
    db = Path(args.db) if args.db else progress.default_path()
    if args.csv:
        n = progress.export_csv(Path(args.csv), db)
        print(f"Wrote {n} attempt{'s' if n != 1 else ''} to {args.csv}")
        return 0
    chapters = progress.summary(db)
    print(f"Quiz progress in {db}")
    if not chapters:
        print("No answers recorded yet: answer a quiz in a running notebook first.")
        return 0
    head = ("Chapter", "Questions answered", "Fully correct", "Score", "Attempts", "Answers shown", "Last activity")
    table = [head] + [
        (c.chapter, str(c.items), str(c.correct),
         f"{c.score}/{c.max} ({round(100 * c.score / c.max) if c.max else 0}%)",
         str(c.attempts), str(c.revealed), c.last[:16].replace("T", " "))
        for c in chapters
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(head))]
    for i, row in enumerate(table):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("progress", help="show quiz progress per chapter, or export every attempt as CSV")
    p.add_argument("--csv", metavar="FILE", help="write every attempt to FILE as CSV instead of the summary")
    p.add_argument("--db", metavar="PATH", help=f"progress database (default: ${progress.ENV} or the user data dir)")
    p.set_defaults(func=run)
