"""The ``her2course`` command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__
from .errors import print_problems
from .exports import cli as exports_cli
from .paths import checkout_layout
from .pathway import cli as pathway_cli
from .quiz import cli as quiz_cli


def _cmd_check(args: argparse.Namespace) -> int:
    from . import check, currency
    from .errors import DataError
    from .paths import root_layout

    try:
        layout = root_layout(Path(args.root)) if args.root else checkout_layout()
    except DataError as exc:
        print(exc, file=sys.stderr)
        return 1
    counts, problems = check.run(layout)
    print(f"Checked the course data in {layout.data_dir} against {layout.bib}")
    for name, count in counts.items():
        print(f"  {name}: {count} valid item{'s' if count != 1 else ''}")
    currency.print_stale_flags(layout, args.today)  # warnings only: flags last checked over six months ago
    if print_problems(problems):
        return 1
    print("No problems found.")
    return 0


def _cmd_words(args: argparse.Namespace) -> int:
    import json

    from . import reading
    from .errors import DataError

    try:
        rows = reading.report(Path(args.build))
    except DataError as exc:
        print(exc, file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps([r.as_dict() for r in rows], indent=2))
    else:
        print(f"Reading load of the built book in {args.build} (core = outside every 'enrichment' block or page)")
        print(reading.format_report(rows))
    return 0


def _day(text: str):
    from .currency import parse_day

    try:
        return parse_day(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="her2course", description="Tools for the HER2-targeted therapy course.")
    parser.add_argument("--version", action="version", version=f"her2course {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("check", help="validate every data file and list every problem (exit 1 if any)")
    p.add_argument("--root", help="course checkout to check (default: the one around the current directory)")
    p.add_argument("--today", type=_day, help="the day stale flags are counted from, YYYY-MM-DD (default: today)")
    p.set_defaults(func=_cmd_check)

    p = sub.add_parser("words", help="per chapter of the built book: core and enrichment words, estimated minutes, "
                                     "Flesch-Kincaid grade of the core prose, handout grades")
    p.add_argument("--build", default="_build/html", help="the built book (default: _build/html)")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.set_defaults(func=_cmd_words)

    # Other commands register themselves here (one line each).
    pathway_cli.register(sub)
    quiz_cli.register(sub)
    exports_cli.register(sub)  # quiz list/build, results export/collect
    from .teaching import kit

    kit.register(sub)  # kit: slides, ready-made quiz files and rubric
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
