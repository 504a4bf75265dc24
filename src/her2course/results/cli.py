"""``her2course results export`` (a learner's hand-in), ``results collect`` (the gradebook) and ``results analyze``
(item analysis of hand-ins or of a Moodle or Canvas quiz report)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..quiz import progress
from .handin import ResultsError


def _cmd_export(args: argparse.Namespace) -> int:
    from .export import answered, export_results

    try:
        path = export_results(args.assignment, args.student, Path(args.out) if args.out else None,
                              Path(args.db) if args.db else None)
    except progress.StoreError as exc:
        print(f"error: cannot read your quiz answers: {exc}", file=sys.stderr)
        return 2
    except ResultsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: cannot write the results file: {exc.strerror or exc} ({exc.filename or args.out})",
              file=sys.stderr)
        return 2
    n = answered(path)
    print(f"Wrote {path}: your answers to {n} question{'s' if n != 1 else ''}. Hand in this file.")
    if n == 0:
        print(f"No answers to assignment {args.assignment} in the progress database: run the assignment "
              "notebook first.", file=sys.stderr)
    return 0


def _cmd_collect(args: argparse.Namespace) -> int:
    from .feedback import write_feedback
    from .gradebook import collect, load_assignment, write_gradebook

    folder = Path(args.dir)
    if not folder.is_dir():
        print(f"error: {folder} is not a folder", file=sys.stderr)
        return 2
    try:
        assignment = load_assignment(Path(args.assignment_notebook))
    except ResultsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    got = collect(folder, assignment)
    for path, why in got.skipped:
        print(f"skipped {path}: {why}", file=sys.stderr)
    for path, why in got.used:
        print(f"used {path}: {why}", file=sys.stderr)
    for path, why in got.rejected:
        print(f"rejected {path}: {why}", file=sys.stderr)
    for row in sorted(got.rows.values(), key=lambda r: r.key):
        for note in row.notes:
            if not note.startswith("chosen over"):
                print(f"check {row.source}: {note}", file=sys.stderr)
        if row.revealed:
            print(f"check {row.source}: answers shown for {', '.join(row.revealed)} (scored 0)", file=sys.stderr)
    try:
        n = write_gradebook(got, Path(args.csv))
        pages = write_feedback(got, Path(args.feedback)) if args.feedback else []
    except OSError as exc:
        print(f"error: cannot write {exc.filename or args.csv}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(f"Wrote {args.csv}: {n} student{'s' if n != 1 else ''}, {len(assignment.item_ids)} questions, "
          f"{assignment.max} points, assignment {assignment.id} (every answer marked again by the course's grader)")
    if args.feedback:
        print(f"Wrote {len(pages)} feedback page{'s' if len(pages) != 1 else ''} to {args.feedback}")
    return 1 if got.rejected else 0


def _cmd_analyze(args: argparse.Namespace) -> int:
    from .itemreport import text_report, write_all
    from .itemstats import analyze
    from .lmsreports import ReportError, read_canvas, read_moodle

    sources = [bool(args.dir), bool(args.moodle_grades or args.moodle_responses), bool(args.canvas)]
    if sum(sources) != 1:
        print("error: give one source: a hand-in folder with --assignment-notebook, or --moodle-grades (and/or "
              "--moodle-responses), or --canvas", file=sys.stderr)
        return 2
    try:
        if args.dir:
            data = _handins(args)
            if data is None:
                return 2
        elif args.canvas:
            data = read_canvas(Path(args.canvas))
        else:
            data = read_moodle(Path(args.moodle_grades) if args.moodle_grades else None,
                               Path(args.moodle_responses) if args.moodle_responses else None)
        analysis = analyze(data)
    except (ReportError, ResultsError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        paths = write_all(analysis, Path(args.out))
    except OSError as exc:
        print(f"error: cannot write {exc.filename or args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(text_report(analysis), end="")
    print()
    print(f"Wrote {len(paths)} files to {args.out}: " + ", ".join(p.name for p in paths))
    return 0


def _handins(args: argparse.Namespace):
    from .itemdata import read_handins

    folder = Path(args.dir)
    if not folder.is_dir():
        print(f"error: {folder} is not a folder", file=sys.stderr)
        return None
    if not args.assignment_notebook:
        print("error: a hand-in folder needs --assignment-notebook (the notebook you handed out): it says which "
              "questions count", file=sys.stderr)
        return None
    data, rejected = read_handins(folder, Path(args.assignment_notebook))
    for path, why in rejected:
        print(f"rejected {path}: {why}", file=sys.stderr)
    return data


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("results", help="export your quiz answers to hand in, collect a class's into a gradebook, "
                                       "or analyze the items")
    rs = p.add_subparsers(dest="results_command", required=True, metavar="ACTION")
    e = rs.add_parser("export", help="write one student's answers to an assignment to a JSON file")
    e.add_argument("--assignment", required=True, metavar="ID", help="the assignment id (asg-...)")
    e.add_argument("--student", required=True, metavar="NAME", help="your name as your instructor knows it")
    e.add_argument("--out", metavar="FILE", help="where to write (default: results-<assignment>-<name>.json)")
    e.add_argument("--db", metavar="PATH", help=f"progress database (default: ${progress.ENV} or the user data dir)")
    e.set_defaults(func=_cmd_export)
    c = rs.add_parser("collect", help="mark the results files in DIR again and write a gradebook CSV")
    c.add_argument("dir", metavar="DIR", help="the folder of handed-in results files")
    c.add_argument("--assignment-notebook", required=True, metavar="NOTEBOOK",
                   help="the assignment notebook you built and handed out (quiz build --format notebook): it "
                        "says which questions count")
    c.add_argument("--csv", required=True, metavar="FILE", help="the gradebook to write")
    c.add_argument("--feedback", metavar="DIR", help="also write one feedback page per student into DIR")
    c.set_defaults(func=_cmd_collect)
    a = rs.add_parser("analyze", help="item analysis (difficulty, discrimination, options, KR-20) of collected "
                                      "hand-ins or of a Moodle or Canvas quiz report")
    a.add_argument("dir", nargs="?", metavar="DIR", help="a folder of handed-in results files (with "
                                                         "--assignment-notebook)")
    a.add_argument("--assignment-notebook", metavar="NOTEBOOK", help="the assignment notebook you handed out")
    a.add_argument("--moodle-grades", metavar="CSV", help="Moodle quiz Results > Grades, downloaded as CSV with "
                                                          "marks for each question")
    a.add_argument("--moodle-responses", metavar="CSV", help="Moodle quiz Results > Responses, downloaded as CSV "
                                                             "(adds the options chosen)")
    a.add_argument("--canvas", metavar="CSV", help="Canvas quiz Statistics > Student Analysis report (CSV)")
    a.add_argument("--out", default="item-analysis", metavar="DIR",
                   help="folder for the report: CSV per item and per option, text, HTML, chart as SVG and PNG "
                        "(default: item-analysis)")
    a.set_defaults(func=_cmd_analyze)
